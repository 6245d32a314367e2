"""The README's Quick start, run the way a new user runs it: ``make lab``, then ``make app``.

Each command runs as written, from the repository's top folder, with only the make variables the README
documents (``PORT=`` a free port, ``NO_BROWSER=1``). The test reads the URL with its token that the command
prints, opens it in headless Chromium and checks what a new user must see:

- ``make lab``: 00_start_here shown, its kernel idle, its first code cell run (Shift+Enter) and its output
  there, no error anywhere, nothing in the browser console;
- ``make app``: 04_update_rule as an app, its slider experiment shown, nothing in the browser console but
  the one request allowed in browser_helpers (Voilà's Font Awesome from a CDN, offline).

No browser window opens: the BROWSER environment variable (read by Python's ``webbrowser``, which Jupyter and
Voilà use) names a stand-in script that writes down the address it was asked to open, so the test also sees
that ``make lab`` opens 00_start_here. Then it presses Ctrl-C as in a terminal (twice for JupyterLab, which
asks first; once for Voilà) and checks that make, the server and every kernel exit within a bounded time.

JupyterLab refuses to run as root unless given --allow-root, and CI, containers and classroom images run as
root; so the command runs as the user running the tests (root in CI), and, when that is root, again as the
unprivileged user ``nobody`` (over the same checkout, which nobody can only read: nothing is written there;
where the checkout's Python lies under a folder closed to other users, such as /root/.pyenv, a private mount
namespace opens the way to it, see ``as_user``).
Each run gets a home, Jupyter and IPython folders and TMPDIR of its own in a temporary folder.

Without Chromium or Playwright the browser tests skip, unless ADAM_EDU_REQUIRE_BROWSER=1 (CI), which fails
them; see browser_helpers.
"""

from __future__ import annotations

import contextlib
import os
import pty
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
from browser_helpers import SERVER_START, SERVER_STOP, assert_no_console_errors, launch_chromium, new_page

REPO = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
STARTER = "00_start_here.ipynb"
APP = "04_update_rule.ipynb"  # the README's example of a notebook as an app
RUN_APP = 240  # seconds for Voilà to run the notebook (CI: 2 cores)

pytestmark = [
    pytest.mark.skipif(MAKE is None, reason="make is not installed"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find stray processes"),
]

FAKE_BROWSER = """#!/bin/sh
# Stands in for a web browser: writes down the address it was asked to open.
for address in "$@"; do printf '%s\\n' "$address" >> "{log}"; done
"""


# --- a first run: the command, its output, its processes ------------------------------------------


@dataclass
class FirstRun:
    """``make ...`` running in a session of its own, its output collected line by line."""

    process: subprocess.Popen
    home: Path
    terminal: int  # the master side of the pseudo-terminal that is the command's standard input
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        """The first match of ``pattern`` in the output; fails if the command exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output)
            if found:
                return found
            if self.process.poll() is not None:
                time.sleep(0.5)  # the last lines may still be on their way
                raise AssertionError(f"`make` exited with code {self.process.returncode} before printing "
                                     f"{pattern!r}:\n{self.output}")
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the output after {timeout} s:\n{self.output}")

    def browser_asked_for(self, timeout: float = 10) -> list[str]:
        log = self.home / "browser.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not log.exists():
            time.sleep(0.2)
        return log.read_text().split() if log.exists() else []


def prepare_home(user: pwd.struct_passwd | None) -> Path:
    """A fresh home with Jupyter's folders, owned by ``user``; in /tmp, which every user can reach."""
    home = Path(tempfile.mkdtemp(prefix="adam_edu_first_run_"))
    for name in ("tmp", "bin"):
        (home / name).mkdir()
    browser = home / "bin" / "fake-browser"
    browser.write_text(FAKE_BROWSER.format(log=home / "browser.log"))
    browser.chmod(0o755)
    home.chmod(0o755)
    if user is not None:
        for path in [home, *home.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
    return home


def user_env(home: Path) -> dict[str, str]:
    """The environment of a user who just cloned the repository, and a stand-in for the browser."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "XDG_", "MAKE", "PYTEST", "VIRTUAL_ENV"))
           and key not in {"PORT", "IP", "NO_BROWSER", "NOTEBOOK", "MFLAGS", "DISPLAY", "WAYLAND_DISPLAY",
                           "IPYTHONDIR", "MPLCONFIGDIR", "PYTHONPATH", "TMPDIR"}}
    env.update(
        HOME=str(home), TMPDIR=str(home / "tmp"), BROWSER=str(home / "bin" / "fake-browser"),
        # where Jupyter would put them in a fresh home, named so that the server's log says where
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / ".local/share/jupyter/runtime"), IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / ".config/matplotlib"), PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def first_run(args: list[str], user: pwd.struct_passwd | None = None) -> Iterator[FirstRun]:
    """Run ``make ARGS`` as ``user`` (default: whoever runs the tests); whatever happens, nothing is left."""
    home = prepare_home(user)
    terminal, standard_input = pty.openpty()  # stdin is a terminal, as in a shell: Ctrl-C behaves as there
    command = [MAKE, *args] if user is None else [*as_user(user, home / "mounts"), MAKE, *args]
    process = subprocess.Popen(command, cwd=REPO, env=user_env(home), stdin=standard_input,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    os.close(standard_input)
    run = FirstRun(process, home, terminal)
    reader = threading.Thread(target=lambda: run.lines.extend(
        line.decode(errors="replace") for line in process.stdout), daemon=True)
    reader.start()
    try:
        yield run
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for pid in processes_of(home):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(SERVER_STOP)
        reader.join(SERVER_STOP)
        os.close(terminal)
        shutil.rmtree(home, ignore_errors=True)


def processes_of(home: Path) -> list[int]:
    """Every process started for the run: all of them (kernels too) have HOME set to its home."""
    marker = f"HOME={home}".encode() + b"\0"
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
    return found


def uid_of(pid: int) -> int:
    """The real user id of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE).group(1))


def press_ctrl_c(run: FirstRun, times: int) -> None:
    """Ctrl-C in a terminal: SIGINT to the whole foreground process group (make, the server)."""
    for _ in range(times):
        os.killpg(run.process.pid, signal.SIGINT)
        time.sleep(0.5)


def assert_stops_cleanly(run: FirstRun, presses: int) -> None:
    assert [pid for pid in processes_of(run.home) if pid != run.process.pid], "no server process found"
    press_ctrl_c(run, presses)
    try:
        run.process.wait(SERVER_STOP)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"`make` still runs {SERVER_STOP} s after Ctrl-C:\n{run.output}") from None
    deadline = time.monotonic() + SERVER_STOP
    while processes_of(run.home) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = processes_of(run.home)
    assert not left, "still running after Ctrl-C: " + "; ".join(
        Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace") for pid in left)


# --- as whom ----------------------------------------------------------------------------------------


def nobody() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("there is no user 'nobody' on this machine")


def first_unreachable(path: Path, user: pwd.struct_passwd, below: Path | None = None) -> Path | None:
    """The first folder on the way to ``path`` (after ``below``) that ``user`` may not enter.

    Permission bits only (no ACLs); enough for the usual case, a Python installed under root's home.
    """
    for folder in reversed(path.parents):
        if below is not None and (folder == below or below not in folder.parents):
            continue
        info = folder.stat()
        if info.st_uid == user.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid == user.pw_gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return folder
    return None


def needed_by_make_lab() -> list[Path]:
    """What a user must reach: the checkout, and the Python its .venv was made of (the venv links to it)."""
    return [REPO / ".venv" / "bin", (REPO / ".venv" / "bin" / "python").resolve()]


def blocked_folders(user: pwd.struct_passwd) -> dict[Path, set[str]]:
    """Each folder ``user`` cannot enter on the way to what it needs, with the entries needed in it.

    Skips, naming the folder, when a second folder further down is closed too.
    """
    blocked: dict[Path, set[str]] = {}
    for needed in needed_by_make_lab():
        folder = first_unreachable(needed, user)
        if folder is None:
            continue
        deeper = first_unreachable(needed, user, below=folder)
        if deeper is not None:
            pytest.skip(f"user {user.pw_name} cannot reach {needed}: {folder} and {deeper} are closed to it")
        blocked.setdefault(folder, set()).add(needed.relative_to(folder).parts[0])
    return blocked


def as_user(user: pwd.struct_passwd, stash: Path) -> list[str]:
    """A command prefix that runs the rest as ``user``, with what it needs made reachable.

    Where the Python of .venv lies under a folder the user may not enter (typically /root/.pyenv, in CI and
    containers), a mount namespace of the command's own (``unshare --mount``, private: nothing changes
    outside it) puts an empty, open folder over the closed one and mounts back into it only the entries
    needed (e.g. .pyenv). Every other file keeps its owner and mode: the user reads the checkout and runs
    its .venv as any other user of a shared machine whose Python is installed where all can read.
    """
    switch = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]
    blocked = blocked_folders(user)
    if not blocked:
        return switch
    lines = ["set -e"]
    for n, (folder, entries) in enumerate(sorted(blocked.items())):
        for entry in sorted(entries):  # keep each needed entry aside, cover the folder, mount the entry back
            kept = stash / f"{n}-{entry}"
            lines += [f"mkdir -p {shlex.quote(str(kept))}",
                      f"mount --bind {shlex.quote(str(folder / entry))} {shlex.quote(str(kept))}"]
        lines.append(f"mount -t tmpfs -o mode=0755 adam_edu_first_run {shlex.quote(str(folder))}")
        for entry in sorted(entries):
            kept, target = stash / f"{n}-{entry}", folder / entry
            kind = "mkdir" if (folder / entry).is_dir() else "touch"
            lines += [f"{kind} {shlex.quote(str(target))}",
                      f"mount --bind {shlex.quote(str(kept))} {shlex.quote(str(target))}"]
    lines.append(f'cd {shlex.quote(str(REPO))}; exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines), "sh", *switch]


def check_usable_by(user: pwd.struct_passwd) -> None:
    """Skip, naming the reason, when ``user`` cannot be given the checkout and its environment's Python."""
    for tool in ("setpriv", "unshare"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (util-linux) is not installed")
    blocked = blocked_folders(user)
    if blocked:
        trial = subprocess.run(["unshare", "--mount", "true"], capture_output=True, text=True, timeout=30)
        if trial.returncode != 0:
            closed = ", ".join(f"{folder} ({stat.filemode(folder.stat().st_mode)})" for folder in blocked)
            pytest.skip(f"user {user.pw_name} cannot enter {closed} on the way to this checkout's .venv and its "
                        f"Python, and this machine does not allow a mount namespace to open them "
                        f"(unshare --mount: {trial.stderr.strip()})")
    with tempfile.TemporaryDirectory(prefix="adam_edu_first_run_") as stash:
        probe = subprocess.run(
            [*as_user(user, Path(stash)), str(REPO / ".venv" / "bin" / "python"), "-c", "import jupyterlab, adam_edu"],
            cwd=REPO, capture_output=True, text=True, timeout=60, env={"PATH": os.environ.get("PATH", ""), "HOME": "/tmp"})
    if probe.returncode != 0:
        pytest.skip(f"user {user.pw_name} cannot import jupyterlab and adam_edu from this checkout's .venv:\n"
                    f"{probe.stderr}")


@pytest.fixture(scope="module", autouse=True)
def environment_ready() -> None:
    """`make lab` installs .venv first if requirements.txt changed; these tests time the start, not that."""
    up_to_date = subprocess.run([MAKE, "--question", ".venv/.installed"], cwd=REPO, capture_output=True,
                                timeout=30)
    if up_to_date.returncode != 0:
        pytest.fail(".venv is older than requirements.txt or pyproject.toml: run `make lab` once (it installs "
                    "what changed), then these tests", pytrace=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- what the user sees ---------------------------------------------------------------------------


LAB_URL = r"http://127\.0\.0\.1:{port}/lab/tree/notebooks/00_start_here\.ipynb\?token=[0-9a-f]{{32,}}"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as chromium:
        yield chromium


def check_jupyterlab(browser, url: str) -> None:
    """00_start_here with its kernel idle; its first code cell runs with its output and no error."""
    with new_page(browser) as page:
        page.goto(url)
        panel = page.locator(".jp-NotebookPanel").filter(visible=True)
        panel.get_by_role("heading", name="00 · Start here").wait_for()
        kernel_idle = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\(ipykernel\) \| Idle$"))
        kernel_idle.wait_for()
        cell = panel.locator(".jp-CodeCell").first
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        cell.locator(".jp-InputArea-prompt", has_text=re.compile(r"^\[1\]:$")).wait_for()
        cell.locator(".jp-OutputArea-output", has_text="01_cubic_example").first.wait_for()
        kernel_idle.wait_for()
        errors = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, errors.all_inner_texts()
        assert_no_console_errors(page)


def check_voila(browser, url: str) -> None:
    """04_update_rule as an app: its slider experiment appears, with no error."""
    with new_page(browser) as page:
        page.goto(url, wait_until="commit")
        page.wait_for_load_state("load", timeout=RUN_APP * 1000)  # Voilà streams the page as cells run
        page.locator(".widget-slider .noUi-handle").first.wait_for(timeout=RUN_APP * 1000)
        page.locator(".widget-image").first.wait_for(timeout=RUN_APP * 1000)
        assert page.get_by_text("There was an error when executing").count() == 0
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, errors.all_inner_texts()
        assert_no_console_errors(page)


# --- the tests ------------------------------------------------------------------------------------


def test_make_lab(browser) -> None:
    """`make lab` as the README says, by whoever runs the tests (root in CI): the starting notebook opens."""
    port = free_port()
    stored = (REPO / "notebooks" / STARTER).read_bytes()
    with first_run(["lab", f"PORT={port}"]) as run:
        url = run.wait_for_line(LAB_URL.format(port=port), SERVER_START).group(0)
        said_root = "you are root, so JupyterLab runs with --allow-root" in run.output
        assert said_root == IS_ROOT, run.output
        # the browser is asked to open 00_start_here (through a file that holds the token, as Jupyter does)
        (asked,) = run.browser_asked_for()
        assert asked.startswith("file://"), asked
        assert f'url={url}"' in Path(asked[len("file://"):]).read_text()
        check_jupyterlab(browser, url)
        assert_stops_cleanly(run, presses=2)
    assert (REPO / "notebooks" / STARTER).read_bytes() == stored  # running a cell saved nothing


def test_make_lab_as_an_unprivileged_user(browser) -> None:
    """The same as ``nobody``, with NO_BROWSER=1 (a server with no browser): no --allow-root, same page."""
    if not IS_ROOT:
        pytest.skip("the tests run as an unprivileged user already (test_make_lab); as root they also run "
                    "`make lab` as nobody")
    user = nobody()
    check_usable_by(user)
    port = free_port()
    with first_run(["lab", f"PORT={port}", "NO_BROWSER=1"], user=user) as run:
        url = run.wait_for_line(LAB_URL.format(port=port), SERVER_START).group(0)
        assert "--allow-root" not in run.output, run.output
        assert {uid_of(pid) for pid in processes_of(run.home)} == {user.pw_uid}, "not all run as nobody"
        check_jupyterlab(browser, url)
        assert run.browser_asked_for(timeout=0) == []
        assert_stops_cleanly(run, presses=2)


def test_make_app(browser) -> None:
    """`make app`: 04_update_rule as a Voilà app."""
    port = free_port()
    with first_run(["app", f"PORT={port}"]) as run:
        url = run.wait_for_line(rf"http://127\.0\.0\.1:{port}/", SERVER_START).group(0)
        (asked,) = run.browser_asked_for()
        assert asked.startswith("file://"), asked
        check_voila(browser, url)
        assert_stops_cleanly(run, presses=1)


def test_make_lab_for_a_classroom() -> None:
    """`make lab IP=0.0.0.0`: every interface, the machine's name in the address, the token still required."""
    port = free_port()
    with first_run(["lab", "IP=0.0.0.0", f"PORT={port}", "NO_BROWSER=1"]) as run:
        # the address to give the class names this machine
        host = re.escape(socket.gethostname())
        address = rf"http://{host}:{port}/lab/tree/notebooks/00_start_here\.ipynb\?token=([0-9a-f]{{32,}})"
        token = run.wait_for_line(address, SERVER_START).group(1)
        api = f"http://127.0.0.1:{port}/api/contents"
        for headers, expected in (({}, 403), ({"Authorization": f"token {token}"}, 200)):
            try:
                status = urllib.request.urlopen(urllib.request.Request(api, headers=headers), timeout=10).status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == expected, (headers, status)
        assert_stops_cleanly(run, presses=2)


def test_make_lab_when_the_port_is_taken() -> None:
    """A port asked for and taken: the server says so and make fails, rather than serve somewhere else."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with first_run(["lab", f"PORT={port}", "NO_BROWSER=1"]) as run:
            try:
                run.process.wait(SERVER_START)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"`make lab` still runs with port {port} taken:\n{run.output}") from None
            assert run.process.returncode != 0
            run.wait_for_line(rf"port {port} is not available", SERVER_STOP)


@pytest.mark.parametrize("value", ["abc", "0", "70000", "88 88"])
def test_make_lab_names_a_bad_port(value: str) -> None:
    result = subprocess.run([MAKE, "--no-print-directory", "lab", f"PORT={value}"], cwd=REPO, capture_output=True,
                            text=True, timeout=30, env=user_env(Path(tempfile.gettempdir())))
    assert result.returncode != 0
    assert f"PORT must be a whole number from 1 to 65535, got '{value}'" in result.stderr
