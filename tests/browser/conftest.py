"""The browser harness: JupyterLab from the project's venv, driven by headless Chromium.

- ``jupyter`` (module fixture): a JupyterLab server on 127.0.0.1 (a free port,
  a random token, ``--allow-root`` when root, temp runtime/config/settings/
  workspace dirs) serving a temp copy of the notebooks. Stopped afterwards;
  its log goes to ``artifacts/browser/jupyterlab.log``.
- ``chromium`` (module fixture): Debian's /usr/bin/chromium (never a browser
  that Playwright downloads), headless, a fresh user-data-dir.
- ``page`` (function fixture): a tab that records console errors and page
  errors; the test asserts on them.

Chromium or Playwright missing: the tests skip, or fail under
DOCKERLAB_REQUIRE_ENGINE=1 (CI), where ``./kit test`` has run
scripts/provision-browser.

Knobs (environment): DOCKERLAB_CHROMIUM (another Chromium binary),
DOCKERLAB_ARTIFACTS (where artifacts/browser/ goes), DOCKERLAB_BROWSER_OWN_NOTEBOOKS=1
(drive the test's own small notebooks with the real widgets instead of the
lessons, see own_notebooks.py), DOCKERLAB_BROWSER_BREAK_LAUNCH=1 (break the
Launch button on purpose, from the kernel's IPython startup, to see the test fail).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from jlab import ARTIFACTS, ROOT  # (tests/browser is on sys.path: no __init__.py here)

CHROMIUM = os.environ.get("DOCKERLAB_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("DOCKERLAB_REQUIRE_ENGINE") == "1"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing(what: str):
    msg = f"{what}; `scripts/provision-browser` installs Chromium, `./kit env` installs Playwright"
    if REQUIRE:
        pytest.fail(f"the browser test is required here (DOCKERLAB_REQUIRE_ENGINE=1): {msg}", pytrace=False)
    pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


class JupyterServer:
    """One JupyterLab process, started from the project's venv."""

    def __init__(self, root_dir: Path, work: Path, owner: str, *, terminals: bool = False):
        self.root_dir = root_dir
        self.work = work
        self.owner = owner
        self.terminals = terminals  # JupyterLab's Terminal (it opens in root_dir, the lessons' folder)
        self.port = _free_port()
        self.token = uuid.uuid4().hex
        self.proc: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / "jupyterlab.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str):
        return _get(self.url("api/" + path.lstrip("/")))

    def start(self, timeout: float = 90.0) -> "JupyterServer":
        dirs = {k: self.work / k.lower() for k in (
            "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR",
            "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        # a learner's lab without the network: no news, no update checks
        notif = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True, exist_ok=True)
        (notif / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        # every cell in the DOM (no virtual scrolling), so what is checked is what exists
        tracker = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True, exist_ok=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        if os.environ.get("DOCKERLAB_BROWSER_BREAK_LAUNCH") == "1":
            # a deliberately broken Launch button (the click does nothing), to see this test catch it;
            # patched in from the kernel's IPython startup, the widget code stays as it is
            startup = dirs["IPYTHONDIR"] / "profile_default" / "startup"
            startup.mkdir(parents=True, exist_ok=True)
            (startup / "00-break-launch.py").write_text(
                "from dockerlab.widgets import launcher as _l\n"
                "_l.Launcher._on_launch = lambda self, button: None\n")
        env = {**os.environ, **{k: str(v) for k, v in dirs.items()},
               "DOCKERLAB_OWNER": self.owner, "PYTHONUNBUFFERED": "1"}
        env.pop("JUPYTER_PATH", None)
        venv_bin = Path(sys.executable).parent
        cmd = [str(venv_bin / "jupyter"), "lab", "--no-browser", "--ip", "127.0.0.1",
               "--port", str(self.port), "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
               f"--ServerApp.terminals_enabled={self.terminals}", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--MappingKernelManager.cull_idle_timeout=0"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=self.root_dir, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}; "
                                   f"log:\n{self.log_path.read_text()[-3000:]}")
            try:
                self.api("status")
                return self
            except Exception:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer on {self.base} within {timeout:.0f} s; "
                           f"log:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # SIGTERM: jupyter_server shuts its kernels down, then exits
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        except ProcessLookupError:
            pass
        self._log.close()


def _reap_owner(owner: str) -> list[str]:
    """Remove the containers this test's kernels created (found by their owner label)."""
    try:
        import dockerlab
        from dockerlab import labels

        lab = dockerlab.connect(show_cli=False)
    except Exception:
        return []
    gone = []
    for c in lab.engine.containers(all=True, filters={"label": [f"{labels.OWNER}={owner}"]}):
        try:
            lab.engine.remove(c["Id"], force=True)
            gone.append((c.get("Names") or ["?"])[0].lstrip("/"))
        except Exception:
            pass
    return gone


@pytest.fixture(scope="module")
def owner() -> str:
    """The learner the kernels act as (DOCKERLAB_OWNER): unique, so we can reap by label."""
    return "browser-test-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def notebooks_copy(tmp_path_factory) -> Path:
    """A copy of notebooks/ that the browser may edit and save (the repo's stay untouched).

    Outputs, execution counts and saved widget state are cleared, as after
    Edit > Clear Outputs of All Cells: what the test sees was rendered live.
    """
    import nbformat

    dst = tmp_path_factory.mktemp("notebooks")
    src = ROOT / "notebooks"
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if os.environ.get("DOCKERLAB_BROWSER_OWN_NOTEBOOKS") == "1":
        import own_notebooks

        own_notebooks.write(dst)
    for path in dst.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)
    return dst


@contextlib.contextmanager
def serving(root_dir: Path, work: Path, owner: str, *, terminals: bool = False):
    """A started JupyterServer; afterwards stopped, and the owner's containers reaped."""
    server = JupyterServer(root_dir, work, owner, terminals=terminals)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        _reap_owner(owner)


@pytest.fixture(scope="module")
def jupyter(need_browser, engine_lab, notebooks_copy, owner, tmp_path_factory):
    with serving(notebooks_copy, tmp_path_factory.mktemp("jupyter"), owner) as server:
        yield server


@pytest.fixture(scope="module")
def need_browser():
    """Chromium and Playwright are there (checked before a JupyterLab is started for nothing)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the Python package playwright is not installed")


@pytest.fixture(scope="module")
def chromium(need_browser, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, device_scale_factor=1,
            chromium_sandbox=False, timeout=120_000)
        try:
            yield ctx
        finally:
            ctx.close()


class Console:
    """What the page said: console errors and uncaught exceptions."""

    def __init__(self):
        self.errors: list[str] = []
        self.all: list[str] = []
        self.network_changed: list[str] = []
        self.stacks: dict[str, str] = {}  # an uncaught error's line in `errors` -> its stack (where it came from)

    def on_console(self, msg):
        self.all.append(f"{msg.type}: {msg.text}")
        if msg.type == "error" and "ERR_NETWORK_CHANGED" in msg.text:
            # Chromium's word when an interface came or went (the classroom tests beside these add
            # bridges): a request of the page was cut by the machine, not refused by the kit. Kept in
            # `all`; Notebook.open loads a page again when it broke the notebook's toolbar
            self.network_changed.append(msg.text)
            return
        if msg.type == "error":
            self.errors.append(f"console.error: {msg.text} ({msg.location.get('url', '')})")

    def on_pageerror(self, exc):
        line = f"uncaught: {exc}"
        self.errors.append(line)
        self.stacks[line] = getattr(exc, "stack", "") or ""


@pytest.fixture
def page(chromium, request):
    pg = chromium.new_page()
    pg.set_default_timeout(60_000)
    console = Console()
    pg.on("console", console.on_console)
    pg.on("pageerror", console.on_pageerror)
    pg.console_log = console
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        try:
            pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
        except Exception:
            pass
    (ARTIFACTS / f"console-{request.node.name}.log").write_text("\n".join(console.all) + "\n")
    pg.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture can screenshot a failure."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
