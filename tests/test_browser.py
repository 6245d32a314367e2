"""The slider experiments in a real browser, used the way a person uses them.

For every notebook with a slider experiment (browser_helpers.SLIDER_NOTEBOOKS; a test checks that it
names every notebook with a code cell tagged ``nbval-ignore-output`` that calls ``.widget()``), headless
Chromium:

- in JupyterLab: opens the notebook, runs all cells from the Run menu, moves the first slider of each
  experiment with the keyboard (click the handle, press the arrow keys), and checks that the picture
  changed (its pixels differ), that no error or traceback appeared and that the kernel is idle;
- in Voilà (``voila notebooks/NAME.ipynb``, the notebook as a standalone app): the same with a mouse drag.

In both, the browser console must stay free of errors (browser_helpers.new_page names the one exception),
and the layout must fit: in a 1200-px window (in JupyterLab with the file browser open) and in a 900-px
one, every experiment's picture lies within the notebook column, undistorted (it scales down, or wraps
under the sliders).

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
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from browser_helpers import (
    BACKGROUND, PAGE_LOAD, PICTURE, RUN_ALL, SLIDER_NOTEBOOKS, assert_no_console_errors, experiments, free_port,
    jupyterlab_server, kernel_idle, launch_chromium, make_workspace, new_page, open_and_run_all, shut_down_kernels,
    start, stop, tail, voila_command, wait_until_serving,
)
from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(os.environ.get("ADAM_EDU_BROWSER_NOTEBOOKS") or REPO / "notebooks").resolve()
SAVE_SCREENSHOTS = os.environ.get("ADAM_EDU_SCREENSHOTS") == "1"

PICTURE_CHANGE = 30  # seconds

STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

# Window widths at which every slider experiment must show its whole picture: a 1200-px window with
# JupyterLab's file browser open (the notebook column is then about 850 px), and a 900-px window.
NARROW_WINDOWS = (1200, 900)


# --- which notebooks ------------------------------------------------------------------------------


def is_slider_cell(cell: dict) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return cell["cell_type"] == "code" and "nbval-ignore-output" in tags and ".widget()" in source


def slider_notebooks(folder: Path) -> list[Path]:
    """The notebooks of ``folder`` that display a slider experiment (found by their cells)."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(is_slider_cell(cell) for cell in cells):
            found.append(path)
    return found


def test_slider_notebooks_lists_every_slider_notebook() -> None:
    """browser_helpers.SLIDER_NOTEBOOKS, which the tests and the browser benchmark run, names them all."""
    found = [path.name for path in slider_notebooks(REPO / "notebooks")]
    assert SLIDER_NOTEBOOKS == found, f"browser_helpers.SLIDER_NOTEBOOKS should be {found}"


def notebooks_under_test() -> list[Path]:
    """SLIDER_NOTEBOOKS (or, with ADAM_EDU_BROWSER_NOTEBOOKS=DIR, the slider notebooks found in DIR)."""
    if NOTEBOOKS == (REPO / "notebooks").resolve():
        return [NOTEBOOKS / name for name in SLIDER_NOTEBOOKS]
    return slider_notebooks(NOTEBOOKS)


def notebook_params() -> list:
    found = notebooks_under_test()
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
    return make_workspace(tmp_path_factory.mktemp("browser"), NOTEBOOKS)


@pytest.fixture(scope="module")
def jupyterlab(workspace, browser, voila_apps) -> Iterator[dict]:
    """JupyterLab over the workspace; asks for the Voilà apps so that they start first (see there)."""
    with jupyterlab_server(workspace) as server:
        yield server


@pytest.fixture(scope="module")
def voila_apps(workspace, browser) -> Iterator[dict[str, dict]]:
    """Every slider notebook as a Voilà app (``voila NAME.ipynb``), each opened in a page of its own.

    Set up before JupyterLab (its fixture asks for this one): Voilà executes the notebooks while JupyterLab
    is tested, on the other core, which saves about a minute. A failure to start is kept for the notebook's
    own test.
    """
    apps: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        for notebook in notebooks_under_test():  # start them all, then wait for each
            port = free_port()
            command = voila_command(workspace / "work" / "notebooks" / notebook.name, port)
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


def logged_messages(page) -> str:
    """JupyterLab's log console, where ipywidgets puts the output and errors of widget callbacks."""
    status = page.locator(".jp-LogConsoleStatusItem")
    if not status.count() or status.first.inner_text().strip() in ("", "0"):  # the status item shows a count
        return ""
    status.first.click()
    console = page.locator(".jp-LogConsolePanel").first
    console.wait_for(timeout=PAGE_LOAD * 1000)
    return "log console:\n" + console.inner_text()


def open_file_browser(page) -> None:
    """Open JupyterLab's file browser in the left side bar, if it is not open."""
    browser = page.locator("#filebrowser")
    if not browser.is_visible():
        page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]').click()
    browser.wait_for(state="visible", timeout=PICTURE_CHANGE * 1000)


# Where a picture is on the page, and the column it must fit in: the notebook (JupyterLab, and Voilà's
# "lab" template) or else the window, whichever is narrower.
PICTURE_AND_COLUMN = """img => {
    const column = img.closest('.jp-Notebook');
    const page = document.documentElement.clientWidth;
    const box = img.getBoundingClientRect();
    const columnBox = column ? column.getBoundingClientRect() : {left: 0, right: page};
    return {left: box.left, right: box.right, width: box.width, height: box.height,
            naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
            columnLeft: Math.max(columnBox.left, 0), columnRight: Math.min(columnBox.right, page)};
}"""


def picture_fits(box: dict) -> bool:
    """The whole picture inside its column (to half a pixel), scaled without distortion."""
    inside = box["left"] >= box["columnLeft"] - 0.5 and box["right"] <= box["columnRight"] + 0.5
    undistorted = box["width"] > 0 and abs(box["height"] / box["width"]
                                           - box["naturalHeight"] / box["naturalWidth"]) < 0.02
    return inside and undistorted


def assert_pictures_fit(scope) -> None:
    """Every experiment's picture lies within the notebook column, at the window's present size.

    Polls briefly: the page lays itself out again after the window is resized.
    """
    layers = [(experiment.locator(PICTURE).first, experiment.locator(BACKGROUND).first)
              for experiment in experiments(scope)]
    assert layers, "no slider experiment on the page"
    pictures = [layer for pair in layers for layer in pair]
    deadline = time.monotonic() + 5
    while True:
        boxes = [picture.evaluate(PICTURE_AND_COLUMN) for picture in pictures]
        if all(picture_fits(box) for box in boxes) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    width = scope.page.viewport_size["width"]
    for moving, background in zip(boxes[::2], boxes[1::2]):  # the two layers lie on each other
        assert all(abs(moving[key] - background[key]) < 0.5 for key in ("left", "right", "width", "height")), (
            f"the moving layer ({moving}) is not on the background ({background})")
    for box in boxes:
        assert picture_fits(box), (
            f"at a {width}-px window the picture spans x = {box['left']:.0f}..{box['right']:.0f} px "
            f"({box['width']:.0f} × {box['height']:.0f} shown, {box['naturalWidth']} × {box['naturalHeight']} "
            f"drawn), outside its column x = {box['columnLeft']:.0f}..{box['columnRight']:.0f} px, or distorted")


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
    panel = open_and_run_all(page, jupyterlab, notebook.name)
    assert_no_errors(panel)
    assert_nothing_logged(page)

    # An exception in a widget callback is shown in the log console, not in the cell's output.
    moved = move_first_slider_of_each(page, panel, press_arrows, check=lambda: assert_nothing_logged(page))
    assert all(changed for _, changed in moved), moved
    kernel_idle(page).wait_for(timeout=PICTURE_CHANGE * 1000)
    assert_no_errors(panel)
    assert_nothing_logged(page)
    for width in NARROW_WINDOWS:
        page.set_viewport_size({"width": width, "height": 1000})
        open_file_browser(page)
        assert_pictures_fit(panel)


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
        for width in NARROW_WINDOWS:
            page.set_viewport_size({"width": width, "height": 1000})
            assert_pictures_fit(body)
    except Exception as error:
        raise AssertionError(f"{error}\nVoilà's log:\n{tail(app['log'])}") from None
    finally:
        keep_screenshot(page, tmp_path)
