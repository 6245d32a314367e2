"""The README and the start page list every notebook, and every picture the README shows exists."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks_00_to_12():
    assert [name[:2] for name in NOTEBOOKS] == [f"{i:02d}" for i in range(13)]


def test_the_readme_lists_every_notebook_with_a_line():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        row = re.search(rf"^\| \[{name}\]\(notebooks/{name}\.ipynb\) \| (.+) \|$", readme, flags=re.MULTILINE)
        assert row, f"README's notebook table has no row for {name}"
        assert len(row.group(1)) > 40, f"README's line for {name} says too little: {row.group(1)!r}"


def test_the_start_page_maps_every_notebook():
    start = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in start.cells)
    for name in NOTEBOOKS:
        assert f"]({name}.ipynb)" in text, f"00_start_here's map has no link to {name}"
        assert f'"{name}"' in text, f"00_start_here's MAP list does not name {name}"


def test_every_picture_the_readme_shows_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    local = [p for p in pictures if not p.startswith("http")]
    assert len(local) > 20
    missing = [p for p in local if not (ROOT / p).is_file()]
    assert not missing, f"README shows pictures that do not exist: {missing}"
