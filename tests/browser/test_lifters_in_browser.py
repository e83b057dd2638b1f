"""Two lifters in a real browser: the lifter chosen stays through the sidebar's page switches
(which empty the URL's parameters) and a phone reaches the choice behind the folded sidebar.

Screenshots go to ``artifacts/browser/lifters-*.png`` (git-ignored).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal.db import open_journal, write_transaction
from journal.store import save_analysis
from ml.recordings import read_recording
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT
from tests.app.conftest import truth_analysis
from tests.browser.served_app import ARTIFACTS, browser_page, running_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_lifters_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default lifter's sample session (5 sets) and Ann's first two sets of it, as another
    recording."""
    folder: Path = tmp_path_factory.mktemp("lifters")
    journal_url = f"sqlite:///{folder / 'journal.sqlite3'}"
    engine = open_journal(journal_url)
    with SAMPLE_PATH.open("rb") as handle:
        recording = read_recording(handle, SAMPLE_PATH.name)
    mine = truth_analysis(recording)
    anns = truth_analysis(dataclasses.replace(recording, sha256="a" * 64))
    anns = dataclasses.replace(anns, sets=anns.sets[:2])
    write_transaction(engine, lambda s: save_analysis(
        s, mine, title="Sample morning", performed_at=SAMPLE_STARTED_AT))
    write_transaction(engine, lambda s: save_analysis(
        s, anns, athlete="Ann", title="Ann's pulls", performed_at=SAMPLE_STARTED_AT))
    engine.dispose()
    with running_app(folder, journal_url) as url:
        yield url


def test_the_lifter_stays_through_the_sidebars_page_switches(two_lifters_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(1400, 900, "lifters-failure") as page:
        page.goto(f"{two_lifters_url}/journal?lifter=Ann")
        expect(page.get_by_test_id("stMetric").first).to_contain_text("2")
        page.get_by_role("link", name="Progress").click()
        expect(page.get_by_text("1 training day, 1 session, 2 sets, 24 reps.")).to_be_visible()
        assert page.url.endswith("/progress?lifter=Ann"), page.url
        page.screenshot(path=str(ARTIFACTS / "lifters-ann-progress.png"))
        # Back to the default lifter: the URL drops the parameter, the pages show their sets.
        page.locator(".st-key-lifter_choice").click()
        page.get_by_role("option", name="Me", exact=True).click()
        expect(page.get_by_text("1 training day, 1 session, 5 sets, 56 reps.")).to_be_visible()
        assert page.url.endswith("/progress"), page.url


def test_on_a_phone_the_choice_is_behind_the_folded_sidebar(two_lifters_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(390, 844, "lifters-phone-failure", phone=True) as page:
        page.goto(f"{two_lifters_url}/?lifter=Ann")
        expect(page.get_by_text("Uploads are saved for Ann")).to_be_visible()
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_role("combobox", name="Lifter")).to_have_value("Ann")
        page.screenshot(path=str(ARTIFACTS / "lifters-phone-sidebar.png"))
