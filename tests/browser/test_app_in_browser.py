"""End to end in a real browser: upload a real session, save it, find its pull-ups, see the plot.

Runs ``streamlit run`` on a free local port with a temporary journal and the shipped model, and
drives Debian's Chromium headless with Playwright. Screenshots of every step go to
``artifacts/browser/`` (git-ignored).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import appconfig
from journal.exercises import CATALOG, family_of
from ml.sample_session import SAMPLE_PATH
from tests.browser.served_app import ARTIFACTS, browser_page, running_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Reading the upload, loading the Keras model once and analysing: generous on 2 busy cores.
ANALYSIS_TIMEOUT_MS = 300_000
SET_LABEL = re.compile(r"^\d+\. .+ · \d+ reps?$")
_CATALOG_IDS = {exercise.id for exercise in CATALOG}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not appconfig.MODEL_PATH.is_file():
        pytest.fail(f"no trained model at {appconfig.MODEL_PATH}: run python -m ml.train")
    folder = tmp_path_factory.mktemp("browser")
    with running_app(folder, f"sqlite:///{folder / 'journal.sqlite3'}") as url:
        yield url


def test_upload_save_search_pull_ups_and_open_the_session_plot(app_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(1440, 1000, "99-failure") as page:

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

        # 1. The Upload page of an empty journal.
        page.goto(app_url)
        expect(page.get_by_text("Upload a workout")).to_be_visible()
        shot("01-upload-empty")

        # 2. Upload the real sample session; the sets appear with exercise and reps.
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            str(SAMPLE_PATH)
        )
        save = page.get_by_role("button", name="Save to journal")
        expect(save).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
        preview = page.locator(".js-plotly-plot").first
        expect(preview).to_be_visible()
        expect(preview.locator("g.annotation").first).to_be_attached()
        found = page.get_by_text(re.compile(r"^\d+ sets? found"))
        expect(found).to_be_visible()
        n_sets = int(found.inner_text().split()[0])
        # The small preview numbers the sets as the table beside it does.
        labels = [t for t in preview.locator("g.annotation").all_text_contents() if t]
        assert labels == [str(number) for number in range(1, n_sets + 1)], labels
        # The table (its accessible copy of the grid) gives each set an exercise and reps.
        # The grid draws after the plot: wait for its rows before reading them.
        grid_rows = page.locator("[data-testid='stDataFrame'] [role='row']").filter(
            has=page.locator("[role='gridcell']"))
        expect(grid_rows).to_have_count(n_sets)
        rows = [row.locator("[role='gridcell']").all_text_contents()
                for row in grid_rows.all()]
        assert [cells[0] for cells in rows] == labels, rows
        assert all(cells[1] in _CATALOG_IDS and cells[2].isdigit() for cells in rows), rows
        pull_up_sets = sum(family_of(cells[1]) == "pull-up" for cells in rows)
        assert pull_up_sets >= 1, rows
        shot("02-upload-analysed")

        # 3. Save it as a session.
        save.click()
        expect(page.get_by_text("Saved as session")).to_be_visible()
        shot("03-saved")

        # 4. Search the journal for pull-ups; the search goes into the URL.
        page.get_by_role("link", name="Journal").click()
        exercise = page.get_by_role("combobox", name="Exercise")
        exercise.click()
        exercise.fill("pull-up")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"exercise=pull-up"))
        sets_metric = page.get_by_test_id("stMetric").filter(
            has=page.get_by_text("Sets", exact=True)
        )
        # The totals count exactly the pull-up sets the upload showed.
        expect(sets_metric.get_by_test_id("stMetricValue")).to_have_text(str(pull_up_sets))
        results = page.locator("[data-testid='stDataFrame']").first
        expect(results).to_be_visible()
        shot("04-journal-pull-ups")

        # 5. Pick the first result: its session opens with the gyroscope plot.
        box = results.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # row 1's selection box
        expect(page).to_have_url(re.compile(r"/session\?session=\d+"))
        plot = page.locator(".js-plotly-plot").first
        expect(plot).to_be_visible()
        expect(plot.locator("g.annotation").first).to_be_attached()
        session_labels = [t for t in plot.locator("g.annotation").all_text_contents() if t]
        assert len(session_labels) == n_sets, session_labels
        assert all(SET_LABEL.match(label) for label in session_labels), session_labels
        # The search found exactly the pull-up sets of the one saved session.
        assert sum("pull-up" in label for label in session_labels) == pull_up_sets
        expect(plot.locator("g.rangeslider-container")).to_have_count(1)
        time.sleep(1)  # let Plotly finish drawing before the screenshot
        shot("05-session")
        assert page.locator("[data-testid='stException']").count() == 0


def test_upload_table_shows_every_editable_column_in_a_1400_px_window(
    app_url: str, datasets_dir: Path
) -> None:
    # The page asks to "add weight, RPE and notes": those columns must not hide behind a
    # horizontal scroll at a common laptop width.
    from playwright.sync_api import expect

    # One real set file: not the sample, which the other test saves (then no table is shown).
    upload = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[0]
    with browser_page(1400, 900, "99-upload-table-failure") as page:
        page.goto(app_url)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            str(upload))
        expect(page.get_by_role("button", name="Save to journal")).to_be_visible(
            timeout=ANALYSIS_TIMEOUT_MS)
        grid = page.locator("[data-testid='stDataFrame']").first
        headers = grid.locator("[role='columnheader']")
        expect(headers.first).to_be_attached()
        # The grid's accessible copy holds the columns it draws, not those scrolled away.
        shown = [text.strip() for text in headers.all_inner_texts()]
        for label in ("Set", "Exercise", "Reps", "kg", "RPE", "Notes", "Confidence"):
            assert any(label in header for header in shown), shown
        # ... and each of them whole: a header cut at the grid's edge ("C" of Confidence) is in
        # that copy too, and the canvas gives no box per header. The grid must be as wide as
        # the row marker (about 30 px) and the widths ui.widgets.set_columns gives Set, Exercise,
        # Reps, kg, RPE, Notes and Confidence: 40 + 165 + 60 + 60 + 60 + 100 + 90 px.
        grid_box = grid.bounding_box()
        assert grid_box is not None
        assert grid_box["width"] >= 30 + 40 + 165 + 60 + 60 + 60 + 100 + 90, grid_box
        page.screenshot(path=str(ARTIFACTS / "upload-table-1400px.png"))


def test_on_a_phone_the_upload_table_shows_exercise_reps_and_kg_under_a_one_line_name(
    app_url: str, datasets_dir: Path
) -> None:
    # At 360 px the kg column was past the screen's edge, behind a sideways scroll, and the
    # file name, a subheader, took three lines.
    from playwright.sync_api import expect

    upload = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[1]
    with browser_page(360, 740, "99-upload-phone-failure", phone=True) as page:
        page.goto(app_url)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            str(upload))
        expect(page.get_by_role("button", name="Save to journal")).to_be_visible(
            timeout=ANALYSIS_TIMEOUT_MS)
        name = page.locator("[class*='st-key-upload_box']").get_by_text(upload.name, exact=True)
        name_box = name.bounding_box()
        assert name_box is not None and name_box["height"] < 2 * 16, name_box  # one 16 px line
        grid = page.locator("[data-testid='stDataFrame']").first
        headers = grid.locator("[role='columnheader']")
        expect(headers.first).to_be_attached()
        shown = [text.strip() for text in headers.all_inner_texts()]
        assert any("kg" in header for header in shown), shown
        # kg whole: the row handles (33 px) and the compact widths ui.widgets.set_columns gives
        # Set, Exercise, Reps and kg: 36 + 146 + 60 + 50 px.
        grid_box = grid.bounding_box()
        assert grid_box is not None
        assert grid_box["width"] >= 33 + 36 + 146 + 60 + 50, grid_box
        grid.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "upload-table-360px-phone.png"))
