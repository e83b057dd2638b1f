"""Every page renders on an empty journal and on one with a session, without an exception."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import date, datetime

import numpy as np
import pytest

from journal import edits, progress, store
from journal.db import session_factory, write_transaction
from journal.exercises import is_assisted
from journal.models import DEFAULT_ATHLETE
from ui import clock
from ui.progress_tables import records_frame

PAGES = ["upload", "journal", "session", "progress", "model"]
JOURNAL_PAGES = PAGES[:-1]  # the Model page does not read the journal (see test_model_page.py)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_journal(app, journal_url, page, page_text):
    at = app(page)
    assert not at.exception, at.exception
    text = page_text(at)
    if page in JOURNAL_PAGES:
        # First run: every page offers the real sample session in one click.
        assert "Your journal is empty" in text
        assert any(b.label == "Load the sample session" for b in at.button)


@pytest.mark.parametrize("page", JOURNAL_PAGES)
def test_page_renders_on_a_journal_with_a_session(app, saved_sample, page, page_text):
    query = {"session": str(saved_sample)} if page == "session" else {}
    at = app(page, **query)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Your journal is empty" not in page_text(at)


def test_session_page_shows_sets_reps_and_the_gyroscope_plot(app, saved_sample, page_text):
    at = app("session", session=str(saved_sample))
    text = page_text(at)
    assert "Sample morning" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sets"] == "5" and metrics["Reps"] == str(12 + 12 + 10 + 12 + 10)
    table = at.data_editor[0].value
    assert list(table["exercise"]) == ["assisted_pull_up"] * 3 + [
        "close_grip_cable_row",
        "incline_dumbbell_biceps_curl",
    ]
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # gyroscope and accelerometer tabs
    assert [t.label for t in at.tabs][:2] == ["Gyroscope", "Accelerometer"]


def test_session_notes_are_shown_as_text_not_markdown(app, saved_sample):
    at = app("session", session=str(saved_sample))
    assert [t.value for t in at.text] == ["**Sample** morning"]


def test_unknown_session_in_the_link_says_so_and_offers_the_others(app, saved_sample):
    at = app("session", session="9999")
    assert not at.exception
    assert "There is no session 9999" in at.error[0].value
    assert at.selectbox(key="session_pick").options


def test_progress_page_shows_calendar_weeks_and_records(app, saved_sample, page_text):
    at = app("progress")
    text = page_text(at)
    assert "1 training day, 1 session, 5 sets, 56 reps." in text
    records = at.dataframe[0].value
    pull_ups = records[records["exercise"] == "Assisted pull-up"]
    assert "12 reps" in set(pull_ups["value"])  # most reps in a set
    # Assisted: the record is the least assistance (61 kg), not the most (66 kg × 10).
    assert dict(zip(pull_ups["record"], pull_ups["value"], strict=True))[
        "Least assistance"] == "61 kg × 12"
    # Calendar, reps and volume, and strength: of the curls' 10 reps only (12 rows are too many
    # for the estimate, assisted pull-ups have none); then the pull-ups' least assistance.
    charts = at.get("plotly_chart")
    assert len(charts) == 4
    strength = json.loads(charts[2].proto.spec)["data"]
    assert [t["name"] for t in strength] == ["Incline dumbbell biceps curl"]
    assistance = json.loads(charts[3].proto.spec)["data"]
    assert [t["name"] for t in assistance] == ["Assisted pull-up"]


def test_progress_records_show_the_value_beside_the_exercise(app, saved_sample):
    # A phone shows the first two or three columns of the table: the record's value among them.
    at = app("progress")
    assert list(at.dataframe[0].proto.column_order)[:2] == ["exercise", "value"]


def test_progress_over_years_is_charted_per_month(app, journal_engine, years_of_training,
                                                  page_text):
    years_of_training(journal_engine)  # January 2019, then November 2024 to March 2025
    at = app("progress")
    assert not at.exception
    text = page_text(at)
    assert "Reps and volume per month" in text and "each bar is a month" in text
    chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    titles = [a["text"] for a in chart["layout"]["annotations"]]
    assert any(title.startswith("Volume per month (kg × reps)") for title in titles)


def test_progress_over_years_charts_the_months_and_records_of_one_read_per_exercise(
    app, journal_engine, years_of_training, saved_sample, monkeypatch
):
    # The REAL sample morning (1 December 2024, with its weights) among years of training.
    years_of_training(journal_engine)
    reads: Counter[str] = Counter()
    read_sets = progress._set_rows

    def counted_read(session, exercise_id, *args):
        reads[exercise_id] += 1
        return read_sets(session, exercise_id, *args)

    monkeypatch.setattr(progress, "_set_rows", counted_read)
    at = app("progress")
    assert not at.exception
    picked = at.multiselect(key="progress_exercises").value
    assert len(picked) == 3
    # One read of each exercise's sets gives its months and its records.
    assert reads == Counter(picked)
    bars = {}
    for trace in json.loads(at.get("plotly_chart")[1].proto.spec)["data"]:
        heights = np.frombuffer(base64.b64decode(trace["y"]["bdata"]), dtype=trace["y"]["dtype"])
        bars[trace["name"], trace["yaxis"]] = dict(
            zip([x[:10] for x in trace["x"]], heights.tolist(), strict=True))
    shown_records = at.dataframe[0].value
    with session_factory(journal_engine)() as session:
        names = {e.id: e.name for e in store.list_exercises(session)}
        for exercise_id in picked:
            months = progress.monthly_progress(session, exercise_id, athlete=DEFAULT_ATHLETE)
            reps = bars[names[exercise_id], "y"]
            assert reps == {f"{m.month_start}": m.reps for m in months}
            if not is_assisted(exercise_id):
                volume = bars[names[exercise_id], "y2"]
                assert volume == pytest.approx({f"{m.month_start}": m.volume_kg for m in months})
        records = records_frame(
            [progress.personal_records(session, e, athlete=DEFAULT_ATHLETE) for e in picked],
            names)
    columns = ["exercise", "record", "value", "session_id"]
    assert shown_records[columns].values.tolist() == records[columns].values.tolist()


def test_progress_calendar_runs_to_today_and_its_caption_counts_the_days_it_shows(
    app, journal_engine, years_of_training, monkeypatch
):
    years_of_training(journal_engine)  # 3 days in January 2019, 3 from November 2024 on
    # Today is Wednesday 26 March 2025, sixteen days after the last session (10 March).
    monkeypatch.setattr(clock, "today", lambda: date(2025, 3, 26))
    at = app("progress")
    calendar = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert calendar["x"][-1] == "2025-03-24"  # the calendar runs to this week, not March 10's
    coloured = np.frombuffer(base64.b64decode(calendar["z"]["bdata"]),  # Plotly's typed array
                             dtype=calendar["z"]["dtype"])
    sets_per_day = coloured[coloured > 0]
    caption = at.caption[0].value
    # The calendar shows the last year: the three recent days, 15 sets; the caption says so.
    assert (len(sets_per_day), sum(sets_per_day)) == (3, 15)
    assert caption.startswith(
        "In the calendar, 25 Mar 2024 – 26 Mar 2025: 3 training days, 3 sessions, 15 sets, "
        "144 reps.")
    # ... and what the whole journal holds, with its first day.
    assert caption.endswith(
        "The whole journal, since 14 Jan 2019: 6 training days, 6 sessions, 33 sets, 294 reps.")


def test_assisted_pull_up_records_are_the_least_assistance_and_it_has_no_volume(
    app, journal_engine, years_of_training, page_text
):
    # Assisted pull-ups at 66, 59, 52 and (March 2025) 45 kg of assistance: 45 is the best.
    years_of_training(journal_engine)
    at = app("progress")
    records = at.dataframe[0].value
    pull_ups = records[records["exercise"] == "Assisted pull-up"]
    assert dict(zip(pull_ups["record"], pull_ups["value"], strict=True)) == {
        "Most reps in a set": "12 reps",
        "Least assistance": "45 kg × 8",
        "Least assistance for 8 reps": "45 kg",
        "Least assistance for 10 reps": "52 kg",
        "Least assistance for 12 reps": "59 kg",
    }
    squats = records[records["exercise"] == "Barbell back squat"]
    assert "Heaviest set" in set(squats["record"])  # loaded lifts keep the heaviest
    assert "Best estimated 1RM" in set(squats["record"])  # and an estimate of their strength
    assert "Best estimated 1RM" not in set(pull_ups["record"])  # help is no strength
    assert "Volume leaves out Assisted pull-up" in page_text(at)
    chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    volume_bars = [t["name"] for t in chart["data"] if t["yaxis"] == "y2"]
    assert "Assisted pull-up" not in volume_bars and "Barbell back squat" in volume_bars


def test_upload_page_states_the_size_limit(app, journal_url, page_text):
    at = app("upload")
    assert "up to 200 MB per file" in page_text(at)
    assert at.get("file_uploader")


def test_progress_starts_on_the_most_trained_exercises_and_keeps_the_users_choice(
    app, journal_engine
):
    sets = {"preacher_curl": 4, "chin_up": 3, "barbell_row": 2, "assisted_pull_up": 1,
            "barbell_back_squat": 1, "barbell_bench_press": 1}

    def save(session):
        session_id = store.create_session(
            session, performed_at=datetime(2025, 3, 10, 7), title="lifting")
        for exercise, n in sets.items():
            for _ in range(n):
                edits.add_set(session, session_id, exercise=exercise, reps=8, weight_kg=20.0)

    write_transaction(journal_engine, save)
    at = app("progress")
    # Not the first three names (assisted pull-up, back squat, bench press): the most sets.
    assert at.multiselect(key="progress_exercises").value == [
        "preacher_curl", "chin_up", "barbell_row"]
    at.multiselect(key="progress_exercises").set_value(["barbell_bench_press"]).run()
    at.switch_page("app_pages/journal.py").run()
    at.switch_page("app_pages/progress.py").run()
    assert at.multiselect(key="progress_exercises").value == ["barbell_bench_press"]


def test_a_page_run_leaves_the_loaded_model_and_a_running_retrain_alone(app, journal_url):
    # Streamlit clears Keras's global state after each script run; with a model loaded once
    # and a retrain in a thread, that cost a garbage collection per click and per progress
    # poll (a retrain took 3x as long in the app). Keras's name counters show the clearing.
    import keras

    keras.backend.get_uid("wrist_probe")
    before = keras.backend.get_uid("wrist_probe")
    at = app("model")
    assert not at.exception, at.exception
    at.run()
    assert keras.backend.get_uid("wrist_probe") == before + 1
