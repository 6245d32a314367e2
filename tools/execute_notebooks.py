"""Execute notebooks in place, the way they are stored in the repository.

    python tools/execute_notebooks.py notebooks/01_cubic_example.ipynb [...]

Runs every cell top to bottom in a fresh kernel of this environment (cwd = the notebook's folder),
without per-cell timing metadata, then removes saved widget state, so that a re-run changes only what
really changed. nbval later compares these stored outputs with a new run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_scripts  # noqa: E402

CELL_TIMEOUT = 600  # seconds; a hung cell fails instead of blocking for ever


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    nb.metadata.pop("widgets", None)  # no saved widget state: it breaks renderers and churns
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    script = notebook_scripts.write(path)  # its percent-format script for review, notebooks/py/
    print(f"{path}: executed in {time.perf_counter() - start:.1f} s; {script.name} written")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        execute(Path(name))
