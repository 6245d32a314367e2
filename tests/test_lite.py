"""The JupyterLite site (tools/build_lite.py) builds offline and holds every notebook and adam_edu.

Where ``unshare -n`` works (Linux, root: CI), the build runs in a network namespace with no network at
all, which proves it offline. With Chromium (see browser_helpers), the site is served on loopback and
opened: the app loads, lists the notebooks and shows one. What no test here can check: running a
notebook in the site, since the browser loads Pyodide, NumPy and matplotlib from a CDN (and ipywidgets
from PyPI) on first use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from browser_helpers import free_port, launch_chromium, new_page, stop, wait_until_serving

pytest.importorskip("jupyterlite_core", reason="jupyterlite-core is not installed")
pytest.importorskip("jupyterlite_pyodide_kernel", reason="jupyterlite-pyodide-kernel is not installed")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
BUILD_TIMEOUT = 120  # seconds; it takes about 5


def without_network() -> list[str]:
    """A command prefix that cuts the network off, where the system allows it (else none)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=10).returncode == 0:
        return [unshare, "-n"]
    return []


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("lite") / "_output"
    prefix = without_network()
    result = subprocess.run(
        [*prefix, sys.executable, str(REPO / "tools" / "build_lite.py"), "--output-dir", str(output)],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT,
    )
    where = " offline (unshare -n)" if prefix else ""
    assert result.returncode == 0, f"the build failed{where}:\n{result.stdout}\n{result.stderr}"
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
    # Voilà's JupyterLab preview needs a server: present in the environment, switched off in the site.
    assert "@voila-dashboards/jupyterlab-preview" in config(site)["disabledExtensions"]


def test_the_figures_are_in_the_site(site: Path) -> None:
    figures = [path for path in (REPO / "figures").rglob("*") if path.is_file()]
    assert any(path.parent.name == "paper" for path in figures)  # the stored full-mode runs of notebooks 07-10
    for figure in figures:
        assert (site / "files" / "figures" / figure.relative_to(REPO / "figures")).is_file()


def test_the_repository_is_left_as_it_was(site: Path) -> None:
    # the build works on copies: no build/, egg-info or doit database appear beside the sources
    assert not (REPO / ".jupyterlite.doit.db").exists()
    assert not list((REPO / "lite").glob(".jupyterlite*"))


def test_the_site_opens_in_chromium(site: Path) -> None:
    """As far as it goes offline: the app, the file browser, a notebook with its stored outputs."""
    port = free_port()
    log = site.parent / "http_server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(site), str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}/", log)
        with launch_chromium() as browser, new_page(browser) as page:
            page.goto(f"http://127.0.0.1:{port}/lab/index.html?path=notebooks/00_start_here.ipynb")
            notebook = page.locator(".jp-NotebookPanel").filter(visible=True)
            notebook.get_by_role("heading", name="00 · Start here").wait_for()
            assert "%pip install -q adam_edu" in notebook.locator(".jp-Cell").first.inner_text()
            # a stored output: the map of notebooks the start page printed
            notebook.locator(".jp-OutputArea-output", has_text="01_cubic_example").first.wait_for()
            page.locator(".jp-StatusBar-Widget").get_by_text("Python (Pyodide)").first.wait_for()  # its kernel
            listed = page.locator(".jp-DirListing-itemText")
            listed.first.wait_for()
            assert set(listed.all_inner_texts()) >= {path.name for path in NOTEBOOKS}
    finally:
        stop(server)
