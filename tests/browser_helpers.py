"""Headless Chromium for the tests, and servers started and stopped with bounded waits.

Chromium is Debian's (``apt-get install chromium``), driven by the Playwright Python package with its
executable path set: ``playwright install`` downloads browsers of its own and does not work offline.
Without Chromium or Playwright a browser test is skipped, unless ADAM_EDU_REQUIRE_BROWSER=1 (CI), which
makes it fail. ADAM_EDU_CHROMIUM=PATH names another Chromium binary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

REQUIRE_BROWSER = os.environ.get("ADAM_EDU_REQUIRE_BROWSER") == "1"

# Keep Chromium off the network: the tests use loopback only, and CI must not depend on a network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The binary itself first: Debian's /usr/bin/chromium is a shell script that starts it.
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome"]

# Bounded waits, in seconds: a hang fails instead of blocking.
SERVER_START = 60
PAGE_LOAD = 60
SERVER_STOP = 15


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
