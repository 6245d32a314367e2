"""The percent-format script beside each notebook, for review: notebooks/py/NAME.py.

    python tools/notebook_scripts.py write [notebooks/NAME.ipynb ...]   (default: every notebook)
    python tools/notebook_scripts.py check                              (exit 1 if any is out of date)

A notebook's JSON makes a poor diff: outputs, base64 images and escaped lines hide the change. Its script
(jupytext's percent format: `# %%` before each code cell, `# %% [markdown]` before each Markdown cell, whose
lines are commented) holds the sources and the cells' tags only, so a review reads the lesson as text. The
executed .ipynb stays the file readers open and nbval runs; the script is written from it, never the reverse.

pyproject.toml's [tool.jupytext] says the same (formats "ipynb,py//py:percent", no notebook metadata, cell
tags kept), so JupyterLab's jupytext extension rewrites the script whenever a notebook is saved there, and
`jupytext --sync notebooks/NAME.ipynb` does it from the shell. `tools/execute_notebooks.py` (make notebooks)
writes it after every run. tests/test_notebook_scripts.py fails when a script is missing, stale or orphaned.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# the same settings as pyproject.toml's [tool.jupytext]
FILTERS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "tags"}


def script_path(notebook: Path) -> Path:
    return notebook.parent / "py" / f"{notebook.stem}.py"


def script_of(notebook: Path) -> str:
    """The text of the notebook's script, as jupytext writes it with the project's settings."""
    nb = copy.deepcopy(nbformat.read(notebook, as_version=4))
    nb.metadata["jupytext"] = dict(FILTERS)
    return jupytext.writes(nb, fmt="py:percent")


def write(notebook: Path) -> Path:
    path = script_path(notebook)
    path.parent.mkdir(exist_ok=True)
    path.write_text(script_of(notebook), encoding="utf-8")
    return path


def stale() -> list[str]:
    """What is out of date: a notebook without its script, a script that differs, a script without a notebook."""
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    problems = []
    for notebook in notebooks:
        path = script_path(notebook)
        if not path.exists():
            problems.append(f"{notebook.name}: no script {path.relative_to(ROOT)}")
        elif path.read_text(encoding="utf-8") != script_of(notebook):
            problems.append(f"{notebook.name}: {path.relative_to(ROOT)} differs from the notebook")
    names = {n.stem for n in notebooks}
    problems += [f"{p.relative_to(ROOT)}: no notebook {p.stem}.ipynb" for p in sorted((NOTEBOOKS / "py").glob("*.py"))
                 if p.stem not in names]
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["write"]:
        for notebook in [Path(a).resolve() for a in argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb")):
            print(write(notebook).relative_to(ROOT))
        return 0
    if argv[:1] == ["check"]:
        problems = stale()
        print("\n".join(problems) or "every notebook's script is up to date")
        if problems:
            print("write them with: python tools/notebook_scripts.py write")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
