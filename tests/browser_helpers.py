"""Headless Chromium for the tests, and servers started and stopped with bounded waits.

Chromium is Debian's (``apt-get install chromium``), driven by the Playwright Python package with its
executable path set: ``playwright install`` downloads browsers of its own and does not work offline.
Without Chromium or Playwright a browser test is skipped, unless ADAM_EDU_REQUIRE_BROWSER=1 (CI), which
makes it fail. ADAM_EDU_CHROMIUM=PATH names another Chromium binary.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

REQUIRE_BROWSER = os.environ.get("ADAM_EDU_REQUIRE_BROWSER") == "1"
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # jupyter-lab and voila of this environment

# The notebooks that show a slider experiment, in reading order: the browser tests and
# benchmarks/bench_browser.py run these. A new slider notebook gets a line here (test_browser checks
# that this list names every notebook with a slider cell).
SLIDER_NOTEBOOKS = [
    "02_moments.ipynb",
    "03_bias_correction.ipynb",
    "04_update_rule.ipynb",
    "05_optimizer_zoo.ipynb",
    "11_adam_in_practice.ipynb",
]

SLIDER_HANDLE = ".widget-slider .noUi-handle"
# SliderExperiment shows its figure as two ipywidgets.Image layers (<img>) in one place: the background,
# and on top the moving artists, the layer each slider move replaces.
PICTURE = ".widget-image.adam-edu-moving"
BACKGROUND = ".widget-image.adam-edu-background"

# Keep Chromium off the network: the tests use loopback only, and CI must not depend on a network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The binary itself first: Debian's /usr/bin/chromium is a shell script that starts it.
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome"]

# Bounded waits, in seconds: a hang fails instead of blocking. RUN_ALL is generous: CI has 2 cores, and the
# four Voilà apps run their notebooks at once while JupyterLab is tested; at 240 s notebook 03's app once
# timed out there (and ran in 53 s alone).
SERVER_START = 60
PAGE_LOAD = 60
SERVER_STOP = 15
RUN_ALL = 420


def find_chromium() -> str | None:
    for candidate in filter(None, [os.environ.get("ADAM_EDU_CHROMIUM"), *CHROMIUM_CANDIDATES]):
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return None


def unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (ADAM_EDU_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def launch_chromium() -> Iterator:
    """Headless Chromium through Playwright; skips (or fails, if required) when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    executable = find_chromium()
    if executable is None:
        unavailable("no Chromium found (apt-get install chromium, or set ADAM_EDU_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS,
                                              timeout=SERVER_START * 1000)
        try:
            yield chromium
        finally:
            chromium.close()


# The one console error allowed, and only this exact request: Voilà 0.5.13's "lab" template links Font Awesome
# from the jsDelivr CDN, unconditionally (share/jupyter/voila/templates/lab/index.html.j2), so a machine with
# no internet logs "Failed to load resource" for these two stylesheets (URLs as the browser writes them). Only
# icons are lost (the slider experiments show none); avoiding it would take a Voilà template of our own.
# Online, there is no error.
VOILA_FONT_AWESOME = {
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@%5E5/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@%5E5/css/v4-shims.min.css",
}


def is_voila_font_awesome_offline(message) -> bool:
    return (message.text.startswith("Failed to load resource: net::ERR_")
            and message.location.get("url") in VOILA_FONT_AWESOME)


def console_error(message) -> str | None:
    """The text of a console message that is an error (with where it came from), else None."""
    if message.type != "error" or is_voila_font_awesome_offline(message):
        return None
    where = message.location.get("url") or ""
    return f"{message.text} [{where}]" if where else message.text


@contextlib.contextmanager
def new_page(browser) -> Iterator:
    """A page in a browser context of its own.

    Its uncaught JavaScript errors collect in ``js_errors``, the errors it logs to the console (a failed
    request, a JupyterLab extension that does not load) in ``console_errors``; on leaving, a page that
    logged either fails the test, unless it already failed.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_LOAD * 1000)
        page.js_errors = []
        page.console_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        page.on("console", lambda message: page.console_errors.append(console_error(message)))
        yield page
        assert_no_console_errors(page)
    finally:
        context.close()


def assert_no_console_errors(page) -> None:
    """No uncaught JavaScript error and nothing logged as an error in the browser's console."""
    errors = [error for error in page.console_errors if error is not None]
    assert not page.js_errors, f"JavaScript errors in {page.url}: {page.js_errors}"
    assert not errors, f"errors in the browser console of {page.url}:\n" + "\n".join(errors)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, headers: dict | None = None) -> bool:
    """Whether the server answers ``url`` (for ``tcp://HOST:PORT``: accepts a connection)."""
    try:
        if url.startswith("tcp://"):
            host, port = url[len("tcp://"):].split(":")
            socket.create_connection((host, int(port)), timeout=5).close()
        else:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5).close()
        return True
    except (urllib.error.URLError, OSError):
        return False


def wait_until_serving(process: subprocess.Popen, url: str, log: Path, headers: dict | None = None) -> None:
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}:\n{tail(log)}")
        if answers(url, headers):
            return
        time.sleep(0.25)
    raise TimeoutError(f"no answer from {url} after {SERVER_START} s:\n{tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (a Jupyter server then shuts its kernels down), SIGKILL to the process group if it lingers.

    The process must have been started with ``start_new_session=True``.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(SERVER_STOP)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(SERVER_STOP)


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


# --- servers over a copy of the repository ---------------------------------------------------------


def make_workspace(root: Path, notebooks: Path, source: Path = REPO) -> Path:
    """``root/work``: a copy of ``notebooks`` and of what they use (``source``'s adam_edu/ and figures/),
    beside Jupyter's own folders in ``root``.

    The servers run there, so running the cells never touches the repository's notebooks or figures.
    """
    work = root / "work"
    shutil.copytree(notebooks, work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(source / "adam_edu", work / "adam_edu", ignore=shutil.ignore_patterns("__pycache__"))
    if (source / "figures").is_dir():
        shutil.copytree(source / "figures", work / "figures")
    settings = root / "jupyter_config" / "lab" / "user-settings" / "@jupyterlab"
    # No news or update check: no toast over the page, no reaching for the network. (Do not set the
    # notebook's windowingMode to "none": with it, Run All Cells in JupyterLab 4.6.6 clears the cells and
    # runs none.)
    path = settings / "apputils-extension" / "notification.jupyterlab-settings"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return root


def server_env(workspace: Path, **extra: str) -> dict[str, str]:
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
        **extra,
    )
    return env


def start(command: list[str], workspace: Path, name: str, env: dict | None = None) -> tuple[subprocess.Popen, Path]:
    """Start a server in a process group of its own, its output in workspace/NAME.log."""
    log = workspace / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=workspace / "work", env=env or server_env(workspace), stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return process, log


@contextlib.contextmanager
def serve(command: list[str], workspace: Path, name: str, ready_url: str, headers: dict | None = None,
          env: dict | None = None) -> Iterator[Path]:
    process, log = start(command, workspace, name, env)
    try:
        wait_until_serving(process, ready_url, log, headers)
        yield log
    finally:
        stop(process)


@contextlib.contextmanager
def jupyterlab_server(workspace: Path, env: dict | None = None) -> Iterator[dict]:
    """JupyterLab on 127.0.0.1, a free port and a random token, serving ``workspace/work``."""
    port, token = free_port(), secrets.token_hex(24)
    command = [
        str(BIN / "jupyter-lab"), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={workspace / 'work'}", "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    url = f"http://127.0.0.1:{port}"
    with serve(command, workspace, "jupyterlab", f"{url}/api/status",
               headers={"Authorization": f"token {token}"}, env=env) as log:
        yield {"url": url, "token": token, "log": log}


def voila_command(notebook: Path, port: int) -> list[str]:
    """``voila NOTEBOOK``: the notebook as a standalone app on 127.0.0.1:PORT."""
    return [str(BIN / "voila"), str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.show_tracebacks=True"]


def shut_down_kernels(server: dict) -> None:
    """Stop every kernel of a JupyterLab server (each notebook opened leaves one running otherwise)."""
    headers = {"Authorization": f"token {server['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server['url']}/api/kernels", headers=headers),
                                timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{server['url']}/api/kernels/{kernel['id']}", method="DELETE",
                                         headers=headers)
        urllib.request.urlopen(request, timeout=SERVER_STOP).close()


# --- pages ------------------------------------------------------------------------------------------


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


def open_and_run_all(page, server: dict, notebook: str, wait_for: str = PICTURE):
    """Open ``notebooks/NOTEBOOK`` in JupyterLab (a workspace of its own), Run All Cells, wait until every
    cell ran and the kernel is idle. Returns the notebook panel's locator."""
    stem = Path(notebook).stem
    # A workspace of its own, reset: only this notebook open (the server remembers workspaces).
    page.goto(f"{server['url']}/lab/workspaces/{stem}/tree/notebooks/{notebook}?reset&token={server['token']}")
    panel = page.locator(".jp-NotebookPanel").filter(visible=True)
    idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    idle.wait_for(timeout=PAGE_LOAD * 1000)
    # The indicator says idle before the kernel is there; Run All then would ask which kernel to start.
    kernel_idle(page).wait_for(timeout=PAGE_LOAD * 1000)

    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # The stored notebook has no widget state, so a picture appears only once its cell ran again.
    wait_for_picture_or_accept_dialogs(page, panel.locator(f".jp-OutputArea-output {wait_for}").first)
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""",
        timeout=RUN_ALL * 1000,
    )
    idle.wait_for(timeout=RUN_ALL * 1000)
    return panel


def kernel_idle(page):
    """JupyterLab's status bar saying the kernel is idle."""
    return page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\(ipykernel\) \| Idle$"))


def experiments(scope):
    """One locator per displayed slider experiment: the outermost widget box holding sliders and a picture."""
    boxes = scope.locator(".widget-vbox").filter(has=scope.page.locator(PICTURE)).filter(
        has=scope.page.locator(SLIDER_HANDLE))
    outermost = [boxes.nth(i) for i in range(boxes.count())]
    # A VBox nested in another matches too; keep the outermost ones (each experiment's widget()).
    return [box for box in outermost if box.evaluate(
        "(el, sel) => !el.parentElement.closest(sel)", ".widget-vbox:has(.widget-image):has(.noUi-handle)")]
