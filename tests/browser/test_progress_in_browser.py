"""The Progress page in a real browser, on a journal spanning years (2019 and 2024-25).

The app runs with a temporary journal written through the store; Debian's Chromium draws the
page, and the tests read where Plotly put the tick labels, titles and bars. A screenshot goes to
``artifacts/browser/progress-years.png`` (git-ignored).
"""

from __future__ import annotations

import re
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

#: Whether a date input's year, month and day are in sight in its field (not scrolled away).
DATE_IN_SIGHT = """field => {
    const right = field.getBoundingClientRect().right;
    return field.scrollLeft === 0 && Array.from(field.querySelectorAll('[data-type]')).every(
        part => part.getBoundingClientRect().right <= right + 0.5);
}"""


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


def test_on_a_phone_the_period_and_its_dates_fit_360_px(years_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(360, 740, "99-progress-period-phone-failure", phone=True) as page:
        page.goto(f"{years_url}/progress?period=Dates…&since=2024-12-01&until=2025-03-31")
        expect(page.get_by_text("1 Dec 2024 – 31 Mar 2025: 2 training days")).to_be_visible()
        expect(page.locator(".js-plotly-plot g.point path").first).to_be_attached()
        time.sleep(1)  # the page done: its widgets are redrawn while it runs
        page.screenshot(path=str(ARTIFACTS / "progress-period-360px-phone.png"))
        period = page.locator("[data-testid='stSelectbox']")
        expect(period.get_by_role("combobox", name="Period")).to_have_value("Dates…")
        expect(page.locator("[data-testid='stDateInput']")).to_have_count(2)
        dates = _boxes(page.locator("[data-testid='stDateInput']"))
        # The list of periods, then From and To side by side, all inside the screen.
        assert len(dates) == 2 and dates[0]["y"] == dates[1]["y"], dates
        for box in [*_boxes(period), *dates]:
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        # Each date whole: year, month and day inside their field (only its padding may not be).
        for field in page.locator("[data-testid='stDateInputFieldsScroller']").all():
            assert field.evaluate(DATE_IN_SIGHT), field.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") == 360


def test_a_period_picked_on_the_page_is_in_the_url_for_a_bookmark(years_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(1400, 900, "99-progress-period-failure") as page:
        page.goto(f"{years_url}/progress")
        expect(page.get_by_text("The whole journal, since 14 Jan 2019")).to_be_visible()
        periods = page.locator("[data-testid='stButtonGroup']")
        periods.get_by_text("Last 3 months", exact=True).click()
        expect(page).to_have_url(re.compile(r"/progress\?period=Last\+3\+months$"))
        # The journal ends in March 2025: these months hold no training, and the page says so.
        expect(page.get_by_text("No training between")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "progress-period-no-training.png"))
        page.reload()
        expect(periods.locator("[role='radio'][aria-checked='true']")).to_have_text(
            "Last 3 months")
        expect(page.get_by_text("No training between")).to_be_visible()
