"""Turn a percent-format script into a notebook (how a notebook's first draft is written).

    python tools/script_to_notebook.py draft.py notebooks/NN_name.ipynb

Cells start with ``# %%`` (code) or ``# %% [markdown]`` (markdown, each line prefixed by ``# ``);
tags go after the marker as ``# %% tags=["nbval-ignore-output"]``. Once written, the notebook is
the source: edit it in JupyterLab, then store it executed with tools/execute_notebooks.py.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

MARKER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")


def convert(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell_lines: list[str] = []
    kind, tags = None, []

    def flush():
        if kind is None:
            return
        source = "\n".join(cell_lines).strip("\n")
        if kind == "markdown":
            source = "\n".join(re.sub(r"^# ?", "", line) for line in source.splitlines())
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)

    for line in text.splitlines():
        match = MARKER.match(line)
        if match:
            flush()
            kind = "markdown" if match["markdown"] else "code"
            tags = json.loads(match["tags"]) if match["tags"] else []
            cell_lines = []
        else:
            cell_lines.append(line)
    flush()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    nbformat.write(convert(Path(sys.argv[1]).read_text(encoding="utf-8")), sys.argv[2])
