"""A real Streamlit server and headless Chromium for the browser tests (fixtures in conftest.py).

Debian's ``chromium`` (``/usr/bin/chromium``) is driven through Playwright's ``executable_path``, with CJK fonts
from ``fonts-noto-cjk`` (both installed by ``scripts/system-deps.sh``, which ``./run-tests`` runs). One server
serves every browser test of a worker (its caches are shared, as they are between a shop's marketers); each
test module gets its own browser, so its own Streamlit session.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SLOW = 240_000  # ms: the first visit of a page fits curves / runs attribution on a busy 2-core machine


def chromium() -> Path:
    """Debian's chromium, installed here if missing and we may (root or password-less sudo); else skip."""
    if CHROMIUM.exists():
        return CHROMIUM
    can_install = os.geteuid() == 0 or subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0 \
        if shutil.which("sudo") else os.geteuid() == 0
    if not can_install:
        pytest.skip(f"{CHROMIUM} is absent and cannot be installed without root (run scripts/system-deps.sh as root)")
    subprocess.run([str(ROOT / "scripts" / "system-deps.sh")], check=False, timeout=900)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is still absent after scripts/system-deps.sh ran with root rights")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server():
    """``streamlit run app.py`` on a free local port until it answers its health check; yields its url. Its log
    is kept in ``test-artifacts/streamlit-server.log``."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="roimix-streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"streamlit did not become healthy: {Path(log.name).read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        server_log = Path(log.name).read_text(errors="replace")
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "streamlit-server.log").write_text(server_log)
        os.unlink(log.name)


@contextlib.contextmanager
def chromium_page(url: str):
    """A fresh headless Chromium (own profile, zh-CN, downloads accepted) with one page opened at ``url``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory(prefix="roimix-chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(executable), args=CHROMIUM_ARGS, headless=True, accept_downloads=True,
            viewport={"width": 1440, "height": 2200}, locale="zh-CN",
        )
        page = context.new_page()
        page.set_default_timeout(SLOW)
        page.goto(url, wait_until="domcontentloaded")
        yield page
        context.close()
