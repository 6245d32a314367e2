"""`make lite`, the JupyterLite site: it builds offline and holds every notebook and adam_edu.

The build runs as the README says, ``make lite`` (with LITE_OUTPUT= a temporary folder), in the environment
it makes for itself, .venv-lite (requirements-lite.txt): the JupyterLite packages stay out of .venv, where
their JupyterLab extension would break `make lab`'s JupyterLab. Making .venv-lite needs the package index;
the build itself, where ``unshare -n`` works (Linux, root: CI), runs in a network namespace with no network
at all, which proves it offline. With Chromium (see browser_helpers), the site is served on loopback and
opened: its index page loads with nothing in the browser console, lists the notebooks and shows one. What
no test here can check: running a notebook in the site, since the browser loads Pyodide, NumPy and
matplotlib from a CDN (and ipywidgets from PyPI) on first use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from browser_helpers import assert_no_console_errors, free_port, launch_chromium, new_page, stop, wait_until_serving

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
MAKE = shutil.which("make")
INSTALL_TIMEOUT = 600  # seconds to make .venv-lite; it takes about 25 with pip's cache
BUILD_TIMEOUT = 120  # seconds; it takes about 5

pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def without_network() -> list[str]:
    """A command prefix that cuts the network off, where the system allows it (else none)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=10).returncode == 0:
        return [unshare, "-n"]
    return []


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("lite") / "_output"
    # .venv-lite first, from the package index (nothing happens if it is up to date), so make lite, offline,
    # has only to build
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS"))}
    installed = subprocess.run([MAKE, "--no-print-directory", ".venv-lite/.installed"], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert installed.returncode == 0, f"making .venv-lite failed:\n{installed.stdout}\n{installed.stderr}"
    prefix = without_network()
    result = subprocess.run([*prefix, MAKE, "--no-print-directory", "lite", f"LITE_OUTPUT={output}"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    where = " offline (unshare -n)" if prefix else ""
    assert result.returncode == 0, f"make lite failed{where}:\n{result.stdout}\n{result.stderr}"
    return output


def config(site: Path) -> dict:
    return json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_notebook_is_in_the_site(site: Path, notebook: Path) -> None:
    served = site / "files" / "notebooks" / notebook.name
    assert served.is_file()
    listing = json.loads((site / "api" / "contents" / "notebooks" / "all.json").read_text())
    assert notebook.name in [entry["name"] for entry in listing["content"]]

    stored, lite = (json.loads(path.read_text(encoding="utf-8")) for path in (notebook, served))
    install, *cells = lite["cells"]
    assert "".join(install["source"]).endswith("%pip install -q adam_edu")
    assert [cell["source"] for cell in cells] == [cell["source"] for cell in stored["cells"]]
    assert lite["metadata"]["kernelspec"]["name"] == config(site)["defaultKernelName"] == "python"


def test_adam_edu_is_in_the_site(site: Path) -> None:
    (wheel,) = (site / "pypi").glob("adam_edu-*-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for module in (REPO / "adam_edu").rglob("*.py"):
        name = module.relative_to(REPO).as_posix()
        assert name in names, f"{name} is missing from {wheel.name}"
        assert zipfile.ZipFile(wheel).read(name) == module.read_bytes(), f"{name} is stale in {wheel.name}"
    index = json.loads((site / "pypi" / "all.json").read_text())
    assert "adam-edu" in index
    piplite = config(site)["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert any(url.startswith("./pypi/all.json") for url in piplite["pipliteUrls"])


def test_the_widgets_extension_and_the_pyodide_kernel_are_in_the_site(site: Path) -> None:
    loaded = {extension["name"] for extension in config(site)["federated_extensions"]}
    for name in ("@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension"):
        assert name in loaded
        assert (site / "extensions" / name / "package.json").is_file()
    # and nothing from .venv (Voilà's JupyterLab preview, for one, would need a server)
    assert loaded <= {"@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension",
                      "jupyterlab_pygments"}


def test_the_figures_are_in_the_site(site: Path) -> None:
    figures = [path for path in (REPO / "figures").rglob("*") if path.is_file()]
    assert any(path.parent.name == "paper" for path in figures)  # the stored full-mode runs of notebooks 07-10
    for figure in figures:
        assert (site / "files" / "figures" / figure.relative_to(REPO / "figures")).is_file()


def test_the_repository_is_left_as_it_was(site: Path) -> None:
    # the build works on copies: no build/, egg-info or doit database appear beside the sources
    assert not (REPO / ".jupyterlite.doit.db").exists()
    assert not list((REPO / "lite").glob(".jupyterlite*"))


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site on loopback, as the README says (``python -m http.server -d _output``)."""
    port = free_port()
    log = site.parent / "http_server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(site), str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}/", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as chromium:
        yield chromium


def test_the_index_page_loads_with_no_console_error(served: str, browser) -> None:
    """The site's front page (it leads to JupyterLab and its file browser), nothing in the console."""
    with new_page(browser) as page:
        page.goto(f"{served}/")
        listed = page.locator(".jp-DirListing-itemText")
        listed.first.wait_for()
        assert "notebooks" in listed.all_inner_texts()
        page.wait_for_load_state("networkidle")
        assert_no_console_errors(page)


def test_the_site_opens_a_notebook_in_chromium(served: str, browser) -> None:
    """As far as it goes offline: the app, the file browser, a notebook with its stored outputs."""
    with new_page(browser) as page:
        page.goto(f"{served}/lab/index.html?path=notebooks/00_start_here.ipynb")
        notebook = page.locator(".jp-NotebookPanel").filter(visible=True)
        notebook.get_by_role("heading", name="00 · Start here").wait_for()
        assert "%pip install -q adam_edu" in notebook.locator(".jp-Cell").first.inner_text()
        # a stored output: the map of notebooks the start page printed
        notebook.locator(".jp-OutputArea-output", has_text="01_cubic_example").first.wait_for()
        page.locator(".jp-StatusBar-Widget").get_by_text("Python (Pyodide)").first.wait_for()  # its kernel
        listed = page.locator(".jp-DirListing-itemText")
        listed.first.wait_for()
        assert set(listed.all_inner_texts()) >= {path.name for path in NOTEBOOKS}
        # An open notebook starts its kernel, whose code (Pyodide) comes from its CDN: offline that import fails,
        # as an uncaught error naming the URL, if the kernel gets that far before the page closes (seen in CI,
        # not always here). Running a kernel is outside this test (README); that one failure, and only it, is
        # let through. The index page, in the test above, must load with no error at all.
        offline_kernel = ("https://cdn.jsdelivr.net/pyodide/",)
        page.js_errors[:] = [error for error in page.js_errors if not error.startswith(offline_kernel)]
        page.console_errors[:] = [error for error in page.console_errors
                                  if error is None or not any(url in error for url in offline_kernel)]
