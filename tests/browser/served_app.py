"""For the browser tests: the app served by ``streamlit run`` on a free port, on a given journal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import appconfig

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = appconfig.REPO_ROOT / "artifacts" / "browser"
START_TIMEOUT_S = 120
#: One step of a page (a click, a page switch): generous on 2 busy cores.
STEP_TIMEOUT_MS = 60_000
#: A phone's User-Agent (Android Chrome): "Mobi" in it is how the app tells a phone (ui.device).
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().decode() == "ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer within {START_TIMEOUT_S} s")


@contextmanager
def running_app(folder: Path, journal_url: str) -> Iterator[str]:
    """Serve the app on a free local port with this journal; yields its URL, stops it after."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    port = _free_port()
    log = folder / "streamlit.log"
    env = {**os.environ, "JOURNAL_DATABASE_URL": journal_url}
    command = [
        sys.executable, "-m", "streamlit", "run", str(appconfig.REPO_ROOT / "streamlit_app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=appconfig.REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def browser_page(
    width: int, height: int, failure_shot: str, phone: bool = False
) -> Iterator[Page]:
    """A page of headless Chromium at this window size (a phone's touch screen and User-Agent
    if ``phone``); a failure inside saves a screenshot ``artifacts/browser/<failure_shot>.png``
    before it is raised."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        as_phone = {"user_agent": PHONE_USER_AGENT, "is_mobile": True, "has_touch": True}
        page = browser.new_page(
            viewport={"width": width, "height": height}, **(as_phone if phone else {})
        )
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            yield page
        except BaseException:
            page.screenshot(path=str(ARTIFACTS / f"{failure_shot}.png"))
            raise
        finally:
            browser.close()
