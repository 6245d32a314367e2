"""Build the collection as a JupyterLite site: static files that run the notebooks in the browser.

    make lite                      (or: .venv-lite/bin/python tools/build_lite.py [--output-dir _output])

It runs in .venv-lite, made by `make lite` from requirements-lite.txt: its packages are kept out of .venv,
where the Pyodide kernel's JupyterLab extension would break `make lab`'s JupyterLab.

The site holds every notebook of notebooks/ (under notebooks/), the figures/ folder, and a wheel of
adam_edu in its own package index, with the ipywidgets extension, so the slider experiments work there too.
Python runs in the browser (Pyodide): no server, so a class of any size can use it from any static host
(GitHub Pages, a university web space). To try it: ``python -m http.server -d _output`` and open
http://127.0.0.1:8000/lab/index.html?path=notebooks/00_start_here.ipynb

The build itself works offline: the wheel is built from this checkout with no package index
(``pip wheel --no-index --no-build-isolation``, so setuptools must be installed), and ``jupyter lite build``
copies what jupyterlite-core, jupyterlite-pyodide-kernel and jupyterlab_widgets ship. In the browser,
Pyodide with NumPy, matplotlib and Pillow comes from the jsDelivr CDN, and ipywidgets from PyPI, on first use.

Pyodide imports only packages that a cell names, so each notebook's copy in the site starts with one extra
cell, ``%pip install -q adam_edu``, which installs the bundled wheel and what it needs. The repository's
notebooks are not changed.
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

INSTALL_CELL = {
    "cell_type": "code",
    "execution_count": None,
    "metadata": {"tags": ["jupyterlite-install"]},
    "outputs": [],
    "source": [
        "# JupyterLite only (this cell is not in the repository): install adam_edu into the browser's Python.\n",
        "%pip install -q adam_edu",
    ],
}
PYODIDE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


SETUPTOOLS_NEEDED = (77, 0)  # pyproject.toml's build-system requires setuptools>=77


def check_setuptools() -> None:
    """Offline, pip cannot fetch the build backend: it must be installed, and new enough."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    if tuple(int(part) for part in version.split(".")[:2] if part.isdigit()) < SETUPTOOLS_NEEDED:
        sys.exit(f"building the adam_edu wheel offline needs setuptools>=77 in this environment, found "
                 f"{version}: run this through `make lite`, which installs requirements-lite.txt in .venv-lite")


def build_wheel(folder: Path) -> Path:
    """A wheel of adam_edu, built offline from a copy of the sources (no build/ or egg-info left here)."""
    check_setuptools()
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "adam_edu", source / "adam_edu", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(folder / "wheels"), str(source)],
        check=True, timeout=120,
    )
    (wheel,) = (folder / "wheels").glob("adam_edu-*.whl")
    missing = sorted(
        path.relative_to(REPO).as_posix() for path in (REPO / "adam_edu").rglob("*.py")
        if path.relative_to(REPO).as_posix() not in zipfile.ZipFile(wheel).namelist()
    )
    if missing:
        sys.exit(f"the adam_edu wheel lacks {', '.join(missing)}: pyproject.toml must list every subpackage "
                 "(e.g. [tool.setuptools.packages.find] include = [\"adam_edu*\"])")
    return wheel


def lite_copy(notebook: Path) -> dict:
    """The notebook as the site serves it: the install cell first, then the notebook as stored."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    lite = copy.deepcopy(nb)
    lite["cells"] = [copy.deepcopy(INSTALL_CELL), *nb["cells"]]
    lite["metadata"]["kernelspec"] = dict(PYODIDE_KERNELSPEC)
    if lite.get("nbformat", 4) == 4 and lite.get("nbformat_minor", 0) >= 5:
        lite["cells"][0]["id"] = "jupyterlite-install"
    return lite


def build(output_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="adam_edu_lite_") as temporary:
        staging = Path(temporary)  # the lite dir: the build's cache and database stay out of the repository
        wheel = build_wheel(staging)
        shutil.copy2(REPO / "lite" / "jupyter-lite.json", staging / "jupyter-lite.json")
        contents = staging / "contents"
        (contents / "notebooks").mkdir(parents=True)
        for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
            text = json.dumps(lite_copy(notebook), indent=1, ensure_ascii=False) + "\n"
            (contents / "notebooks" / notebook.name).write_text(text, encoding="utf-8")
        shutil.copytree(REPO / "figures", contents / "figures")
        if output_dir.exists():
            shutil.rmtree(output_dir)
        subprocess.run(
            [str(BIN / "jupyter-lite"), "build", "--lite-dir", str(staging), "--contents", str(contents),
             "--output-dir", str(output_dir.resolve()), "--piplite-wheels", str(wheel)],
            cwd=staging, check=True, timeout=300,
        )
    add_favicon_links(output_dir)


FAVICON = "static/favicons/favicon.ico"


def add_favicon_links(output_dir: Path) -> None:
    """Name the site's icon in each page, which JupyterLite's lab/ and index.html do not.

    Without it the browser asks for /favicon.ico at the root of the host, and logs the 404 as an error in
    its console (served from a folder, such as a GitHub Pages project site, that root is not the site's).
    """
    if not (output_dir / FAVICON).is_file():
        return
    for page in [output_dir / "index.html", *output_dir.glob("*/index.html")]:
        html = page.read_text(encoding="utf-8")
        if 'rel="icon"' in html or "<head>" not in html:
            continue
        prefix = "" if page.parent == output_dir else "../"
        link = f'<link rel="icon" type="image/x-icon" href="{prefix}{FAVICON}">'
        page.write_text(html.replace("<head>", f"<head>\n    {link}", 1), encoding="utf-8")


def check_jupyterlite() -> None:
    if shutil.which("jupyter-lite", path=str(BIN)) is None:
        sys.exit(f"no jupyter-lite beside {sys.executable}: run this through `make lite`, which installs "
                 "requirements-lite.txt in .venv-lite (they are not in .venv: their JupyterLab extension "
                 "breaks the JupyterLab of `make lab`)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=REPO / "_output", help="default: _output/")
    args = parser.parse_args()
    check_jupyterlite()
    start = time.perf_counter()
    build(args.output_dir)
    print(f"JupyterLite site in {args.output_dir} ({time.perf_counter() - start:.1f} s)")
