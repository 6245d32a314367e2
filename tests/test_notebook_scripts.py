"""Each notebook has its percent-format script in notebooks/py/, written from it and up to date (issue 13:
reviewable notebooks). tools/notebook_scripts.py writes them; make notebooks and JupyterLab keep them in step."""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import notebook_scripts  # noqa: E402


def test_every_notebook_has_its_script_up_to_date_and_no_script_is_orphaned():
    assert notebook_scripts.stale() == []


def test_a_script_holds_the_sources_and_tags_and_notices_an_edit(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A title\nSome prose."),
                nbformat.v4.new_code_cell("x = 1\nprint(x)", metadata={"tags": ["nbval-ignore-output"]},
                                          outputs=[nbformat.v4.new_output("stream", text="1\n")])]
    path = tmp_path / "99_example.ipynb"
    nbformat.write(nb, path)
    text = notebook_scripts.script_of(path)
    assert text == '# %% [markdown]\n# # A title\n# Some prose.\n\n# %% tags=["nbval-ignore-output"]\nx = 1\nprint(x)\n'
    nb.cells[1].source = "x = 2\nprint(x)"
    nbformat.write(nb, path)
    assert notebook_scripts.script_of(path) != text
