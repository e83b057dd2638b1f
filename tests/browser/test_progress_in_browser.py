"""The Progress page in a real browser, on a journal spanning years (2019 and 2024-25).

The app runs with a temporary journal written through the store; Debian's Chromium draws the
page, and the tests read where Plotly put the tick labels, titles and bars. A screenshot goes to
``artifacts/browser/progress-years.png`` (git-ignored).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from journal.db import open_journal
from tests.browser.served_app import ARTIFACTS, browser_page, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Locator

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Narrower bars than this are slivers a lifter does not see.
MIN_BAR_PX = 5.0

Box = dict[str, float]


@pytest.fixture(scope="module")
def years_url(
    tmp_path_factory: pytest.TempPathFactory, years_of_training: Callable[[Engine], None]
) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("progress")
    journal_url = f"sqlite:///{folder / 'journal.sqlite3'}"
    engine: Engine = open_journal(journal_url)
    years_of_training(engine)
    engine.dispose()
    with running_app(folder, journal_url) as url:
        yield url


def _overlap(a: Box, b: Box) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def _boxes(locator: Locator) -> list[Box]:
    return [dict(box) for item in locator.all() if (box := item.bounding_box())]


def test_progress_over_years_has_level_dates_clear_of_the_titles_and_bars_you_can_see(
    years_url: str,
) -> None:
    from playwright.sync_api import expect

    with browser_page(1280, 1600, "99-progress-failure") as page:
        page.goto(f"{years_url}/progress")
        chart = page.locator(".js-plotly-plot").nth(1)
        expect(chart.locator("g.point path").first).to_be_attached()
        time.sleep(1)  # let Plotly finish laying out the ticks
        page.screenshot(path=str(ARTIFACTS / "progress-years.png"), full_page=True)

        for axis in ("xtick", "x2tick"):
            labels = chart.locator(f"g.{axis} text")
            transforms = [t.get_attribute("transform") or "" for t in labels.all()]
            assert not any("rotate" in t for t in transforms), (axis, transforms)
            boxes = _boxes(labels)
            assert 2 <= len(boxes) <= 12, (axis, labels.all_text_contents())
            assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])

        volume_title = chart.locator("g.annotation", has_text="Volume per")
        title_box = volume_title.bounding_box()
        assert title_box is not None
        upper_dates = _boxes(chart.locator("g.xtick text"))
        assert not any(_overlap(title_box, date_box) for date_box in upper_dates)

        bars = _boxes(chart.locator("g.trace.bars g.point path"))
        # Back squat, bench press (2019) and assisted pull-ups (2024-25), reps and volume.
        assert len(bars) >= 6
        assert min(box["width"] for box in bars) >= MIN_BAR_PX, sorted(
            box["width"] for box in bars)
        assert page.locator("[data-testid='stException']").count() == 0
