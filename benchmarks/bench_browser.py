"""Slider latency as a person feels it: a key press on a slider → the new picture painted, in Chromium.

    python benchmarks/bench_browser.py [--moves 20] [--only lab|voila] [--notebooks 04_update_rule.ipynb ...]
                                       [--sliders first|all] [--source DIR]

For every slider notebook (browser_helpers.SLIDER_NOTEBOOKS), in JupyterLab and as a Voilà app, headless
Chromium (Debian's, through Playwright, as in tests/test_browser.py) runs the notebook, focuses the first
slider of its experiment (with ``--sliders all``: each of its sliders in turn, a row each) and presses an
arrow key ``--moves`` times (towards the farther end of the slider, so that every press is a new value; a
slider with fewer positions is walked back and forth), waiting for each new picture before the next press,
after two presses not counted (warm-up); a press that changes no pixel of the picture is counted apart. Presses
come 0.15 s after a picture plus a random part of a frame (seeded), so that they meet the page's 60 Hz frames at
every phase, as a person's do: at a fixed delay each run met them at one phase, and its medians moved by up to
a frame from run to run (the image floor in Voilà: 17 or 27 ms; the floor's paint 5–6 ms where random phases
measure 8–9, so that ratios to it came out too high). Two references are measured in the same run and the
same way, with at least 30 presses each: the FLOOR, a notebook with one slider whose observer sets a label's
text, the least a widget round trip costs here; and the IMAGE FLOOR, a slider whose observer shows one of 64 PNG
layers made beforehand, a new one at each press (960×304, transparent with a red line, sent as data: URLs as the
experiments send theirs; it used to be one of two, which the page had shown before), the least a new picture
costs here, with no computing, drawing or encoding in the kernel. Both run a 1.5 s cell first, so that
JupyterLab's toolbar does per move what it does in every slider notebook after Run All (see write_floor_notebook).

The picture watched is the experiment's moving layer (adam_edu/widgets/base.py: the moving artists on a
transparent PNG, over a background image sent only when it changes). A move that also sends a new background
(the zoo's steps slider, whose x axis changes) sends it first, and is timed when the layer is painted.

How each column is measured:

    median, p90   keydown (a capturing listener on the page, performance.now()) → the new picture painted:
                  after the <img>'s ``src`` changed (a MutationObserver), ``img.decode()`` resolved, and the
                  next animation frame ran (a requestAnimationFrame callback, then a zero-delay task, which
                  runs after that frame's paint). For the floor: the label's text changed, then the same frame.
    × floor       median / the floor's median (same server kind, same run).
    arrive        keydown → the new ``src`` set by ipywidgets: the slider's message to the kernel, the
                  kernel's work, the image's message back, ipywidgets' JavaScript.
    compute, draw, encode   in the kernel, from SliderExperiment.last_refresh, logged per refresh with
                  ADAM_EDU_SLIDER_TIMINGS (adam_edu/widgets/base.py): ``update(**values)``; drawing the moving
                  artists (and the background with its PNG, when it changed); the moving layer's PNG. Medians
                  over the measured moves. Draw and encode are 0 for a picture drawn beforehand, while the kernel
                  was idle (``SliderExperiment.prefetch``: the presses here are 0.15 s apart, as a person's are).
    PNG kB        the moving layer's size; ws kB: everything the page received on its websockets per move
                  (Playwright's framereceived events), the picture and all other messages (status, echoes).
    decode        ``src`` set → ``img.decode()`` resolved (the data: URL's PNG decoded; before, a blob: URL that
                  Chromium loads through its browser process, about 4 ms more).
    paint         decoded → after the next frame was painted (includes waiting for that frame: ≤ 16.7 ms).
    steal%        the share of this virtual machine's CPU time that the hypervisor gave to other guests while
                  the row was measured (/proc/stat; 0 where the hypervisor does not report it): a row slowed by
                  the host's other work, not by this machine's.

The servers run over a temporary copy of notebooks/, adam_edu/ and figures/ (``--source DIR`` takes
adam_edu/ and figures/ and the notebooks from another checkout, e.g. ``git archive`` of an older commit,
to measure "before"). Nothing in the repository is written. Times depend on the machine and its load:
the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import browser_helpers as helpers  # noqa: E402

WARM_UP = 2
SETTLE = 0.15  # seconds between a painted picture and the next press: the kernel's idle message comes after
# ... plus a random part of one frame (60 Hz): a press at a fixed time after a frame would meet every picture at
# the same point of the frame, so that a run's median depended on that phase (up to a frame, from run to run);
# a person's presses come at any point of it
FRAME = 1 / 60
JITTER_SEED = 0
UNCHANGED = 5  # seconds after which a press that changed no picture is counted as such
FLOOR_MOVES = 30  # at least, for the floor: its times in JupyterLab come in two clusters (about 20 and 60 ms)
FLOOR_NOTEBOOK = "bench_floor.ipynb"
FLOOR = ".bench-floor"
FLOOR_CELL = '''\
import ipywidgets as widgets

slider = widgets.IntSlider(value=0, min=0, max=1000, description="floor")
label = widgets.Label("0")
label.add_class("bench-floor")
slider.observe(lambda change: setattr(label, "value", str(change["new"])), names="value")
widgets.VBox([slider, label])'''

# Installed in the page on the element that changes (the <img>, or the floor's label); results in
# window.benchmark.results, one per key press that changed it.
WATCH = """target => {
    if (window.benchmark) { window.benchmark.pressed = null; window.benchmark.results = []; return; }  // again
    const benchmark = window.benchmark = {pressed: null, results: []};
    document.addEventListener('keydown', () => { benchmark.pressed = performance.now(); }, true);
    const painted = (pressed, arrived, decoded) => requestAnimationFrame(() => setTimeout(() => {
        benchmark.results.push({pressed, arrived, decoded, painted: performance.now()});
    }, 0));
    new MutationObserver(() => {
        const pressed = benchmark.pressed;
        if (pressed === null) return;  // not the answer to a key press (or its second change)
        benchmark.pressed = null;
        const arrived = performance.now();
        if (target.tagName !== 'IMG') return painted(pressed, arrived, arrived);
        const decoded = () => painted(pressed, arrived, performance.now());
        target.decode().then(decoded, decoded);
    }).observe(target, {attributes: true, attributeFilter: ['src'], childList: true, characterData: true,
                        subtree: true});
}"""


IMAGE_FLOOR_NOTEBOOK = "bench_image_floor.ipynb"
IMAGE_FLOOR_CELL = '''\
import base64
import io

import ipywidgets as widgets
import numpy as np
from PIL import Image

# 64 transparent 960 x 304 layers with a red line, each another picture, as PNG data URLs (as the experiments send),
# made once: every press shows a picture the page has not shown yet (it used to show one of two, shown before)
frames = []
for shift in range(0, 64 * 15, 15):
    layer = np.zeros((304, 960, 4), dtype=np.uint8)
    rows = np.arange(304)
    layer[rows, (3 * rows + shift) % 960] = (214, 39, 40, 255)
    buffer = io.BytesIO()
    Image.fromarray(layer).save(buffer, format="png", compress_level=1)
    frames.append(b"data:image/png;base64," + base64.b64encode(buffer.getvalue()))
slider = widgets.IntSlider(value=0, min=0, max=1000, description="image floor")
image = widgets.Image(value=frames[0], format="url", layout=widgets.Layout(max_width="100%", height="auto"))
image.add_class("adam-edu-moving")
slider.observe(lambda change: setattr(image, "value", frames[change["new"] % len(frames)]), names="value")
widgets.VBox([slider, image])'''


# The floors' notebooks take longer than a second to run, as every slider notebook does. After such a run,
# JupyterLab's notebook toolbar shows "Executed N cells, Elapsed time: T seconds" under its kernel indicator while
# the kernel is idle and takes it away while it is busy (ExecutionIndicator, JupyterLab 4.6; after a run of under a
# second it shows nothing either way). Each widget message makes the kernel busy, then idle: the toolbar changes
# twice a move, and the toolbar, a FAST web component watching its subtree, looks for its focusable buttons again
# (getClientRects, which lays out the page). Floors run in under a second skipped that work, which every slider
# notebook pays: in CPU profiles of the pages (session 8), 4.2–4.8 ms of script a press in 02, none in the floors
# before this change, 4.7–4.8 in each after it.
SLOWER_THAN_A_SECOND = "import time\n\ntime.sleep(1.5)  # a run longer than a second, as the slider notebooks' are"


def write_floor_notebook(folder: Path) -> None:
    for name, cell in ((FLOOR_NOTEBOOK, FLOOR_CELL), (IMAGE_FLOOR_NOTEBOOK, IMAGE_FLOOR_CELL)):
        cells = [nbformat.v4.new_code_cell(SLOWER_THAN_A_SECOND), nbformat.v4.new_code_cell(cell)]
        notebook = nbformat.v4.new_notebook(cells=cells)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                           "language": "python"}
        nbformat.write(notebook, folder / name)


class WebsocketBytes:
    """Counts what a page receives on its websockets."""

    def __init__(self, page):
        self.total = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self.add))

    def add(self, payload) -> None:
        self.total += len(payload)


def sliders(scope, target_selector: str, which: str) -> list[tuple[str, object, object]]:
    """(label, handle, the element that changes) of the first slider beside ``target_selector``, or of every
    slider of its experiment (``which="all"``; the label then names the slider)."""
    if target_selector == FLOOR:
        return [("", scope.locator(helpers.SLIDER_HANDLE).first, scope.locator(FLOOR).first)]
    experiment = helpers.experiments(scope)[0]
    picture = experiment.locator(helpers.PICTURE).first
    boxes = experiment.locator(".widget-slider")
    count = 1 if which == "first" else boxes.count()
    found = []
    for i in range(count):
        label = boxes.nth(i).locator(".widget-label").first.text_content().strip() if which == "all" else ""
        found.append((label, boxes.nth(i).locator(".noUi-handle").first, picture))
    return found


def press_and_measure(page, handle, target, moves: int, received: WebsocketBytes) -> dict:
    """Press an arrow key on a slider ``WARM_UP + moves`` times; the page's timings of the last ``moves``.

    A press after which the picture does not change within ``UNCHANGED`` seconds (a move too small to change
    a pixel, e.g. ε far below √v̂) is counted as unchanged and timed no further."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    handle.scroll_into_view_if_needed()
    # The slider's element, found once: a locator is looked up again at every use, and this one (the experiment's
    # box, by :has() over the whole notebook) cost 02's page about 17 ms of script a press, just before it
    handle = handle.element_handle()
    now, low, high = slider_position(handle)
    key = "ArrowRight" if high - now >= now - low else "ArrowLeft"
    target.evaluate(WATCH)
    handle.click()
    received_before, timed, unchanged = 0, [], 0
    jitter = random.Random(JITTER_SEED)
    for press in range(WARM_UP + moves):
        if press == WARM_UP:
            received_before = received.total
        now, low, high = slider_position(handle)
        if (key == "ArrowRight" and now >= high) or (key == "ArrowLeft" and now <= low):
            key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"  # a short slider: back the other way
        count = page.evaluate("window.benchmark.results.length")
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"window.benchmark.results.length > {count}", timeout=UNCHANGED * 1000)
        except PlaywrightTimeout:
            unchanged += press >= WARM_UP
        else:
            if press >= WARM_UP:
                timed.append(page.evaluate(f"window.benchmark.results[{count}]"))
        time.sleep(SETTLE + jitter.uniform(0, FRAME))
    return {"page": timed, "unchanged": unchanged, "ws_bytes": (received.total - received_before) / moves}


def slider_position(handle) -> tuple[float, float, float]:
    """The slider's value, minimum and maximum, as noUiSlider gives them to screen readers."""
    return tuple(float(handle.get_attribute(name)) for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))


def kernel_records(log: Path, skip: int) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()[skip:]]


def line_count(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def summary(kind: str, notebook: str, slider: str, measured: dict, kernel: list[dict], moves: int) -> dict:
    page = measured["page"]
    if not page:
        raise RuntimeError(f"{kind}, {notebook} {slider}: no press of the slider changed the picture")
    total = [r["painted"] - r["pressed"] for r in page]
    row = {
        "server": kind, "notebook": notebook, "slider": slider, "moves": len(total), "unchanged": measured["unchanged"],
        "median": statistics.median(total), "p90": statistics.quantiles(total, n=10)[-1],
        "arrive": statistics.median(r["arrived"] - r["pressed"] for r in page),
        "decode": statistics.median(r["decoded"] - r["arrived"] for r in page),
        "paint": statistics.median(r["painted"] - r["decoded"] for r in page),
        "ws_kB": measured["ws_bytes"] / 1e3,
    }
    kernel = kernel[-moves:]  # the warm-up presses' refreshes come first
    if kernel:
        for name in ("update", "draw", "encode"):
            row[name] = statistics.median(r[name] for r in kernel) * 1e3
        row["png_kB"] = statistics.median(r["png_bytes"] for r in kernel) / 1e3
    return row


def cpu_times() -> tuple[int, int] | None:
    """All CPU time and the time stolen by the hypervisor (for other guests), in ticks, from /proc/stat's first
    line (Linux; None elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(field) for field in fields[:8]]  # user nice system idle iowait irq softirq steal (guest is in user)
    return sum(ticks), ticks[7] if len(ticks) == 8 else 0


def stolen(before, after) -> dict:
    """The share of the machine's CPU time stolen by the hypervisor between two ``cpu_times``, in per cent."""
    if before is None or after is None or after[0] == before[0]:
        return {}
    return {"steal": 100 * (after[1] - before[1]) / (after[0] - before[0])}


def measure_page(kind: str, page, scope, notebook: str, target: str, which: str, moves: int, received, log: Path,
                 rows: list[dict]) -> None:
    """Every chosen slider of the page's experiment, one row each, printed as it is measured."""
    for label, handle, changes in sliders(scope, target, which):
        skip = line_count(log)
        presses = max(moves, FLOOR_MOVES) if notebook in (FLOOR_NOTEBOOK, IMAGE_FLOOR_NOTEBOOK) else moves
        before = cpu_times()
        measured = press_and_measure(page, handle, changes, presses, received)
        rows.append(summary(kind, notebook, label, measured, kernel_records(log, skip), presses))
        rows[-1].update(stolen(before, cpu_times()))
        print_row(rows[-1], rows[0])


def measure_jupyterlab(workspace: Path, browser, notebooks: list[str], moves: int, which: str) -> list[dict]:
    log = workspace / "timings_lab.jsonl"
    rows = []
    env = helpers.server_env(workspace, **{"ADAM_EDU_SLIDER_TIMINGS": str(log)})
    with helpers.jupyterlab_server(workspace, env) as server:
        for notebook in [FLOOR_NOTEBOOK, IMAGE_FLOOR_NOTEBOOK, *notebooks]:
            target = FLOOR if notebook == FLOOR_NOTEBOOK else helpers.PICTURE
            with helpers.new_page(browser) as page:
                received = WebsocketBytes(page)
                panel = helpers.open_and_run_all(page, server, notebook, wait_for=target)
                measure_page("JupyterLab", page, panel, notebook, target, which, moves, received, log, rows)
            helpers.shut_down_kernels(server)
    return rows


def measure_voila(workspace: Path, browser, notebooks: list[str], moves: int, which: str) -> list[dict]:
    rows = []
    for notebook in [FLOOR_NOTEBOOK, IMAGE_FLOOR_NOTEBOOK, *notebooks]:
        target = FLOOR if notebook == FLOOR_NOTEBOOK else helpers.PICTURE
        log = workspace / f"timings_voila_{Path(notebook).stem}.jsonl"
        port = helpers.free_port()
        env = helpers.server_env(workspace, **{"ADAM_EDU_SLIDER_TIMINGS": str(log)})
        command = helpers.voila_command(workspace / "work" / "notebooks" / notebook, port)
        with helpers.serve(command, workspace, f"voila_{Path(notebook).stem}", f"tcp://127.0.0.1:{port}", env=env):
            with helpers.new_page(browser) as page:
                received = WebsocketBytes(page)
                page.goto(f"http://127.0.0.1:{port}/", timeout=helpers.RUN_ALL * 1000)
                page.locator(target).first.wait_for(timeout=helpers.RUN_ALL * 1000)
                time.sleep(1)  # the last cells' outputs and the kernel's idle message
                measure_page("Voilà", page, page.locator("body"), notebook, target, which, moves, received, log,
                             rows)
    return rows


COLUMNS = ("server", "notebook", "moves", "median", "p90", "× floor", "arrive", "compute", "draw", "encode",
           "PNG kB", "ws kB", "decode", "paint", "steal%")
WIDTHS = (10, 24, 5, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6)


def print_header() -> None:
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; times in ms; "
          f"FLOOR = {FLOOR_NOTEBOOK} (a slider whose observer sets a label); IMAGE FLOOR = {IMAGE_FLOOR_NOTEBOOK} "
          "(a slider whose observer shows one of 64 stored 960×304 PNG layers, a new one at each press: the least a "
          "picture costs)")
    print(" ".join(f"{name:>{width}}" if i > 1 else f"{name:<{width}}" for i, (name, width) in
                   enumerate(zip(COLUMNS, WIDTHS))))


def print_row(row: dict, floor: dict) -> None:
    def number(key: str, digits: int = 1) -> str:
        return f"{row[key]:.{digits}f}" if key in row else "-"

    references = {FLOOR_NOTEBOOK: "FLOOR", IMAGE_FLOOR_NOTEBOOK: "IMAGE FLOOR"}
    if row["notebook"] in references:
        name = references[row["notebook"]]
    elif row["slider"]:
        name = f"{Path(row['notebook']).stem[:2]} {row['slider']}"
    else:
        name = Path(row["notebook"]).stem
    cells = [row["server"], name, str(row["moves"]), number("median"), number("p90"),
             f"{row['median'] / floor['median']:.2f}", number("arrive"), number("update"), number("draw"),
             number("encode"), number("png_kB", 0), number("ws_kB", 0), number("decode"), number("paint"),
             number("steal")]
    note = f"   ({row['unchanged']} presses changed no pixel)" if row["unchanged"] else ""
    print(" ".join(f"{cell:>{width}}" if i > 1 else f"{cell:<{width}}" for i, (cell, width) in
                   enumerate(zip(cells, WIDTHS))) + note, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=20, help="measured key presses per slider (≥ 15)")
    parser.add_argument("--only", choices=("lab", "voila"), help="one kind of server only")
    parser.add_argument("--notebooks", nargs="+", default=helpers.SLIDER_NOTEBOOKS, metavar="NAME.ipynb")
    parser.add_argument("--sliders", choices=("first", "all"), default="first",
                        help="the first slider of each experiment (default), or every slider, a row each")
    parser.add_argument("--source", type=Path, default=REPO,
                        help="the checkout whose notebooks/, adam_edu/ and figures/ are measured")
    args = parser.parse_args()
    if args.moves < 2:
        parser.error(f"--moves must be at least 2, got {args.moves}")
    if helpers.find_chromium() is None:
        print("bench_browser: skipped, no Chromium (apt-get install chromium, or set ADAM_EDU_CHROMIUM)")
        return
    notebooks = [name for name in args.notebooks if (args.source / "notebooks" / name).is_file()]
    for name in sorted(set(args.notebooks) - set(notebooks)):
        print(f"bench_browser: {name} is not in {args.source / 'notebooks'}, left out")
    with tempfile.TemporaryDirectory(prefix="adam_edu_bench_browser_") as folder, \
            contextlib.ExitStack() as stack:
        if "adam-edu-moving" not in (args.source / "adam_edu" / "widgets" / "base.py").read_text(encoding="utf-8"):
            helpers.PICTURE = ".widget-image"  # a checkout from before the two layers: its one picture
        workspace = helpers.make_workspace(Path(folder), args.source.resolve() / "notebooks", args.source.resolve())
        write_floor_notebook(workspace / "work" / "notebooks")
        browser = stack.enter_context(helpers.launch_chromium())
        print_header()
        if args.only in (None, "lab"):
            measure_jupyterlab(workspace, browser, notebooks, args.moves, args.sliders)
        if args.only in (None, "voila"):
            measure_voila(workspace, browser, notebooks, args.moves, args.sliders)


if __name__ == "__main__":
    main()
