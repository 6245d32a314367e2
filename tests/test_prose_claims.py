"""Every number in the notebooks' prose is backed: printed by a cell, asserted by a test, or explained.

tools/check_prose_numbers.py lists the numbers of each notebook's Markdown that its code cells and stored
outputs do not print (at the precision the prose gives), that no quote of tests/prose_claims.py covers, and
that its commented allow-list does not explain. The list must be empty: a sentence whose number drifted from
the output beside it fails here.
"""

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import check_prose_numbers  # noqa: E402

from prose_claims import CLAIMS  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_backed(path):
    assert check_prose_numbers.unbacked(path) == []


def _markdown(number: str) -> str:
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(number)]
    nb = nbformat.read(path, as_version=4)
    return " ".join(" ".join(c.source for c in nb.cells if c.cell_type == "markdown").split())


@pytest.mark.parametrize("number, quote, test", CLAIMS, ids=lambda v: str(v)[:30])
def test_each_quoted_claim_stands_in_its_notebook_and_names_a_test(number, quote, test):
    assert " ".join(quote.split()) in _markdown(number)
    file, name = test.split("::")
    tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
    assert name in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert re.search(r"\d", quote), "a quote is for a number"


def test_the_checker_finds_a_number_that_drifted(tmp_path):
    """What the checker is for: beside an output printing 0.0421, prose saying 0.043 or 5% is listed; 0.042 and
    4% (0.0421 at the prose's precision), a setting in code and a citation's year are not."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(gap)", outputs=[nbformat.v4.new_output("stream", text="0.0421\n")]),
                nbformat.v4.new_markdown_cell("The gap is 0.043, about 5%, after `lr = 0.3`; see Figure 4 (2015).")]
    path = tmp_path / "99_drift.ipynb"
    nbformat.write(nb, path)
    listed = check_prose_numbers.unbacked(path)
    assert len(listed) == 2 and "'0.043'" in listed[0] and "'5%'" in listed[1]
    nb.cells[1].source = "The gap is 0.042, about 4%, after `lr = 0.3`; see Figure 4 (Kingma & Ba, 2015)."
    nbformat.write(nb, path)
    assert check_prose_numbers.unbacked(path) == []
