"""The slider experiments in a real browser, used the way a person uses them.

For every notebook with a slider experiment (a code cell tagged ``nbval-ignore-output`` that calls
``.widget()``), headless Chromium:

- in JupyterLab: opens the notebook, runs all cells from the Run menu, moves the first slider of each
  experiment with the keyboard (click the handle, press the arrow keys), and checks that the picture
  changed (its pixels differ), that no error or traceback appeared and that the kernel is idle;
- in Voilà (``voila notebooks/NAME.ipynb``, the notebook as a standalone app): the same with a mouse drag.

In both, the browser console must stay free of errors (browser_helpers.new_page names the one exception).

The servers run on 127.0.0.1 with a free port (JupyterLab with a random token) over a temporary COPY of
notebooks/, adam_edu/ and figures/ (the kernel imports the copy through PYTHONPATH), so running the
cells never touches the repository's stored notebooks or figures; they are stopped whatever happens.
Every wait is bounded.

Chromium is Debian's (``apt-get install chromium``), driven by the Playwright Python package with its
executable path set: ``playwright install`` downloads browsers and does not work here.

Environment variables:
    ADAM_EDU_REQUIRE_BROWSER=1   a missing Chromium or Playwright fails instead of skipping (CI sets it)
    ADAM_EDU_CHROMIUM=PATH       the Chromium binary (default: /usr/lib/chromium/chromium, then PATH)
    ADAM_EDU_SCREENSHOTS=1       write figures/screenshot_NAME.png (the Voilà app after the slider moved)
    ADAM_EDU_BROWSER_NOTEBOOKS=DIR   test the slider notebooks of another folder (for development)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from browser_helpers import (
    PAGE_LOAD, SERVER_STOP, assert_no_console_errors, free_port, launch_chromium, new_page, stop, tail,
    wait_until_serving,
)
from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(os.environ.get("ADAM_EDU_BROWSER_NOTEBOOKS") or REPO / "notebooks").resolve()
SAVE_SCREENSHOTS = os.environ.get("ADAM_EDU_SCREENSHOTS") == "1"
BIN = Path(sys.executable).parent  # jupyter-lab and voila of this environment

# Bounded waits, in seconds (more in browser_helpers). Generous: CI has 2 cores, and the four Voilà apps run
# their notebooks at once while JupyterLab is tested; at 240 s notebook 03's app once timed out in CI there
# (and ran in 53 s alone).
RUN_ALL = 420
PICTURE_CHANGE = 30

SLIDER_HANDLE = ".widget-slider .noUi-handle"
PICTURE = ".widget-image"  # SliderExperiment shows its figure in an ipywidgets.Image: an <img>
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


# --- which notebooks ------------------------------------------------------------------------------


def is_slider_cell(cell: dict) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return cell["cell_type"] == "code" and "nbval-ignore-output" in tags and ".widget()" in source


def slider_notebooks(folder: Path) -> list[Path]:
    """The notebooks of ``folder`` that display a slider experiment."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(is_slider_cell(cell) for cell in cells):
            found.append(path)
    return found


def notebook_params() -> list:
    found = slider_notebooks(NOTEBOOKS)
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no slider notebook in {NOTEBOOKS} yet"))]
    return [pytest.param(path, id=path.stem) for path in found]


# --- Chromium and Playwright --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    with new_page(browser) as page:
        yield page


def keep_screenshot(page, tmp_path: Path) -> None:
    """The whole page as the test left it, for whoever reads a failure (pytest's tmp_path)."""
    with contextlib.suppress(Exception):
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True, timeout=10_000)


# --- servers --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A copy of what the notebooks use, with its own Jupyter, IPython and settings folders."""
    root = tmp_path_factory.mktemp("browser")
    work = root / "work"
    shutil.copytree(NOTEBOOKS, work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(REPO / "adam_edu", work / "adam_edu", ignore=shutil.ignore_patterns("__pycache__"))
    if (REPO / "figures").is_dir():
        shutil.copytree(REPO / "figures", work / "figures")
    settings = root / "jupyter_config" / "lab" / "user-settings" / "@jupyterlab"
    # No news or update check: no toast over the page, no reaching for the network. (Do not set the
    # notebook's windowingMode to "none": with it, Run All Cells in JupyterLab 4.6.6 clears the cells and
    # runs none.)
    path = settings / "apputils-extension" / "notification.jupyterlab-settings"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return root


def server_env(workspace: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(workspace / "jupyter_config"),
        JUPYTER_DATA_DIR=str(workspace / "jupyter_data"),
        JUPYTER_RUNTIME_DIR=str(workspace / "jupyter_runtime"),
        IPYTHONDIR=str(workspace / "ipython"),
        # the kernel imports the copy of adam_edu, so figures it saves land in the copy's figures/
        PYTHONPATH=os.pathsep.join(filter(None, [str(workspace / "work"), env.get("PYTHONPATH")])),
        MPLCONFIGDIR=str(workspace / "matplotlib"),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    return env


def start(command: list[str], workspace: Path, name: str) -> tuple[subprocess.Popen, Path]:
    """Start a server in a process group of its own, its output in workspace/NAME.log."""
    log = workspace / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=workspace / "work", env=server_env(workspace), stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return process, log


@contextlib.contextmanager
def serve(command: list[str], workspace: Path, name: str, ready_url: str, headers: dict | None = None):
    process, log = start(command, workspace, name)
    try:
        wait_until_serving(process, ready_url, log, headers)
        yield log
    finally:
        stop(process)


def shut_down_kernels(server: dict) -> None:
    """Stop every kernel of the server (each notebook's test leaves one running otherwise)."""
    headers = {"Authorization": f"token {server['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server['url']}/api/kernels", headers=headers),
                                timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{server['url']}/api/kernels/{kernel['id']}", method="DELETE",
                                         headers=headers)
        urllib.request.urlopen(request, timeout=SERVER_STOP).close()


@pytest.fixture(scope="module")
def jupyterlab(workspace, browser) -> Iterator[dict]:
    """JupyterLab on 127.0.0.1, a free port and a random token, serving the workspace copy."""
    port, token = free_port(), secrets.token_hex(24)
    command = [
        str(BIN / "jupyter-lab"), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={workspace / 'work'}", "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    url = f"http://127.0.0.1:{port}"
    with serve(command, workspace, "jupyterlab", f"{url}/api/status",
               headers={"Authorization": f"token {token}"}) as log:
        yield {"url": url, "token": token, "log": log}


@pytest.fixture(scope="module", autouse=True)
def voila_apps(workspace, browser) -> Iterator[dict[str, dict]]:
    """Every slider notebook as a Voilà app (``voila NAME.ipynb``), each opened in a page of its own.

    Autouse, so set up before the first test: Voilà executes the notebooks while JupyterLab is tested, on
    the other core, which saves about a minute. A failure to start is kept for the notebook's own test.
    """
    apps: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        for notebook in slider_notebooks(NOTEBOOKS):  # start them all, then wait for each
            port = free_port()
            command = [
                str(BIN / "voila"), str(workspace / "work" / "notebooks" / notebook.name), "--no-browser",
                f"--port={port}", "--Voila.ip=127.0.0.1", "--VoilaConfiguration.show_tracebacks=True",
            ]
            process, log = start(command, workspace, f"voila_{notebook.stem}")
            stack.callback(stop, process)
            apps[notebook.name] = {"process": process, "log": log, "port": port}
        for app in apps.values():
            try:
                wait_until_serving(app["process"], f"tcp://127.0.0.1:{app['port']}", app["log"])
                app["page"] = stack.enter_context(new_page(browser))
                # the request starts the run; the page fills in while the JupyterLab tests go on
                app["page"].goto(f"http://127.0.0.1:{app['port']}/", wait_until="commit", timeout=RUN_ALL * 1000)
            except Exception as error:  # noqa: BLE001 -- reported by the notebook's own test
                app["error"] = error
        yield apps


# --- looking at the page --------------------------------------------------------------------------


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def differs(before: np.ndarray, after: np.ndarray) -> int:
    """How many pixels differ (all of them if the size changed)."""
    if before.shape != after.shape:
        return max(before.shape[0] * before.shape[1], after.shape[0] * after.shape[1])
    return int(np.any(before != after, axis=-1).sum())


def wait_for_new_picture(picture, before: np.ndarray, check=lambda: None) -> np.ndarray:
    """Poll the <img> until its pixels differ from ``before``, then until they settle.

    ``check()`` runs at every poll and may raise: an error shown elsewhere fails at once.
    """
    deadline = time.monotonic() + PICTURE_CHANGE
    after = before
    while time.monotonic() < deadline:
        check()
        after = pixels(picture.screenshot())
        if differs(before, after):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the figure did not change within {PICTURE_CHANGE} s of moving the slider")
    while time.monotonic() < deadline:  # the last of several updates may still be on its way
        time.sleep(0.3)
        settled = pixels(picture.screenshot())
        if not differs(after, settled):
            break
        after = settled
    return after


def handle_at_maximum(handle) -> bool:
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    return now is not None and top is not None and float(now) >= float(top)


def press_arrows(page, handle, presses: int = 3) -> None:
    """Click the slider's handle, as a person does, then press an arrow key (left if at the maximum)."""
    key = "ArrowLeft" if handle_at_maximum(handle) else "ArrowRight"
    handle.click()
    for _ in range(presses):
        page.keyboard.press(key)


def drag(page, handle) -> None:
    """Drag the handle along its track with the mouse, a third of the track's width."""
    track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]").bounding_box()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    distance = track["width"] / 3 * (-1 if handle_at_maximum(handle) else 1)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + distance, y, steps=8)
    page.mouse.up()


def experiments(scope):
    """One locator per displayed slider experiment: the outermost widget box holding sliders and a picture."""
    boxes = scope.locator(".widget-vbox").filter(has=scope.page.locator(PICTURE)).filter(
        has=scope.page.locator(SLIDER_HANDLE))
    outermost = [boxes.nth(i) for i in range(boxes.count())]
    # A VBox nested in another matches too; keep the outermost ones (each experiment's widget()).
    return [box for box in outermost if box.evaluate(
        "(el, sel) => !el.parentElement.closest(sel)", ".widget-vbox:has(.widget-image):has(.noUi-handle)")]


def move_first_slider_of_each(page, scope, move, check=lambda: None) -> list[tuple[str, int]]:
    """Move the first slider of every experiment in ``scope``; return (slider label, pixels changed)."""
    found = experiments(scope)
    assert found, "no slider experiment (sliders beside an image) on the page"
    results = []
    for experiment in found:
        experiment.scroll_into_view_if_needed()
        picture = experiment.locator(PICTURE).first
        slider = experiment.locator(".widget-slider").first
        label = slider.locator(".widget-label").first.inner_text().strip()
        before = pixels(picture.screenshot())
        move(page, slider.locator(".noUi-handle").first)
        after = wait_for_new_picture(picture, before, check)
        results.append((label, differs(before, after)))
    return results


def assert_no_errors(scope) -> None:
    """No error output or traceback in ``scope`` (a page or a part of it), no error in the browser console."""
    assert scope.locator(STDERR).count() == 0, "an error or a traceback appeared:\n" + "\n".join(
        scope.locator(STDERR).all_inner_texts())
    assert scope.get_by_text("Error displaying widget").count() == 0, "a widget failed to display"
    assert_no_console_errors(scope.page)


def wait_for_picture_or_accept_dialogs(page, picture) -> None:
    """Wait for a picture; should JupyterLab ask something (which kernel?), take its default answer."""
    deadline = time.monotonic() + RUN_ALL
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    while time.monotonic() < deadline:
        if picture.is_visible():
            return
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        time.sleep(0.25)
    raise AssertionError(f"no slider experiment appeared within {RUN_ALL} s of Run All Cells")


def logged_messages(page) -> str:
    """JupyterLab's log console, where ipywidgets puts the output and errors of widget callbacks."""
    status = page.locator(".jp-LogConsoleStatusItem")
    if not status.count() or status.first.inner_text().strip() in ("", "0"):  # the status item shows a count
        return ""
    status.first.click()
    console = page.locator(".jp-LogConsolePanel").first
    console.wait_for(timeout=PAGE_LOAD * 1000)
    return "log console:\n" + console.inner_text()


def assert_nothing_logged(page) -> None:
    messages = logged_messages(page)
    assert not messages, messages


def save_screenshot(experiment, name: str, tmp_path: Path) -> Path:
    """The experiment as the reader sees it, cropped to its content: figures/ with ADAM_EDU_SCREENSHOTS=1."""
    folder = REPO / "figures" if SAVE_SCREENSHOTS else tmp_path
    folder.mkdir(exist_ok=True)
    path = folder / f"screenshot_{name}.png"
    picture = Image.open(io.BytesIO(experiment.screenshot())).convert("RGB")
    ink = ImageChops.difference(picture, Image.new("RGB", picture.size, "white")).getbbox()
    if ink:  # the widget box spans the page; keep what is drawn, and a margin
        margin = 8
        picture = picture.crop((max(ink[0] - margin, 0), max(ink[1] - margin, 0),
                                min(ink[2] + margin, picture.width), min(ink[3] + margin, picture.height)))
    picture.save(path, optimize=True)
    return path


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", notebook_params())
def test_slider_moves_figure_in_jupyterlab(notebook: Path, jupyterlab: dict, page, tmp_path) -> None:
    """Open, Run All Cells, move a slider with the keyboard: the figure changes, no error appears."""
    try:
        run_and_move_sliders_in_jupyterlab(notebook, jupyterlab, page)
    finally:
        keep_screenshot(page, tmp_path)
        shut_down_kernels(jupyterlab)


def run_and_move_sliders_in_jupyterlab(notebook: Path, jupyterlab: dict, page) -> None:
    # A workspace of its own, reset: only this notebook open (the server remembers workspaces).
    page.goto(f"{jupyterlab['url']}/lab/workspaces/{notebook.stem}/tree/notebooks/{notebook.name}"
              f"?reset&token={jupyterlab['token']}")
    panel = page.locator(".jp-NotebookPanel").filter(visible=True)
    idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    idle.wait_for(timeout=PAGE_LOAD * 1000)
    # The indicator says idle before the kernel is there; Run All then would ask which kernel to start.
    kernel_idle = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\(ipykernel\) \| Idle$"))
    kernel_idle.wait_for(timeout=PAGE_LOAD * 1000)

    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # The stored notebook has no widget state, so a picture appears only once its cell ran again.
    wait_for_picture_or_accept_dialogs(page, panel.locator(f".jp-OutputArea-output {PICTURE}").first)
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""",
        timeout=RUN_ALL * 1000,
    )
    idle.wait_for(timeout=RUN_ALL * 1000)
    assert_no_errors(panel)
    assert_nothing_logged(page)

    # An exception in a widget callback is shown in the log console, not in the cell's output.
    moved = move_first_slider_of_each(page, panel, press_arrows, check=lambda: assert_nothing_logged(page))
    assert all(changed for _, changed in moved), moved
    kernel_idle.wait_for(timeout=PICTURE_CHANGE * 1000)
    assert_no_errors(panel)
    assert_nothing_logged(page)


@pytest.mark.parametrize("notebook", notebook_params())
def test_slider_moves_figure_in_voila(notebook: Path, voila_apps: dict, tmp_path) -> None:
    """The notebook as a Voilà app: drag a slider with the mouse, the figure changes, no error appears."""
    app = voila_apps[notebook.name]
    if "error" in app:
        raise app["error"]
    page = app["page"]
    try:
        page.wait_for_load_state("load", timeout=RUN_ALL * 1000)  # Voilà streams the page as cells run
        body = page.locator("body")
        body.locator(PICTURE).first.wait_for(timeout=RUN_ALL * 1000)
        assert_no_errors(body)
        assert body.get_by_text("There was an error when executing").count() == 0

        # Voilà shows no error from a widget callback anywhere: a picture that does not change tells.
        moved = move_first_slider_of_each(page, body, drag)
        assert all(changed for _, changed in moved), moved
        assert_no_errors(body)
        save_screenshot(experiments(body)[0], notebook.stem, tmp_path)
    except Exception as error:
        raise AssertionError(f"{error}\nVoilà's log:\n{tail(app['log'])}") from None
    finally:
        keep_screenshot(page, tmp_path)
