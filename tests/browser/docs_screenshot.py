"""Remake docs/session.png: the Session page of the real sample session, as the README shows it.

``.venv/bin/python tests/browser/docs_screenshot.py`` starts the app on a free port with an empty
temporary journal, clicks "Load the sample session" (the real model analyses it) and saves the
top of the Session page as an optimised PNG under 500 KB. Not a test: pytest does not collect it.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "session.png"
MAX_BYTES = 500_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="docs-shot-"))
    env = {**os.environ, "JOURNAL_DATABASE_URL": f"sqlite:///{folder / 'journal.sqlite3'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1180})
            expect.set_options(timeout=300_000)
            page.goto(url)
            page.get_by_role("button", name="Load the sample session").click()
            expect(page).to_have_url(re.compile(r"session=\d+"))
            expect(page.locator(".js-plotly-plot").first).to_be_visible()
            time.sleep(2)
            png = page.screenshot()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, dither=Image.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    if buffer.tell() > MAX_BYTES:
        raise SystemExit(f"screenshot is {buffer.tell():,} bytes, over {MAX_BYTES:,}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {OUT} ({buffer.tell():,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
