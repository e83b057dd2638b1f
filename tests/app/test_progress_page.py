"""The Progress page over chosen dates: from the URL, a period without training, a bad link."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime

import numpy as np
import pytest

from journal import edits, store
from journal.db import write_transaction
from ui import clock, device
from ui.text import escape_markdown

#: Today in these tests: Wednesday 26 March 2025, sixteen days after the last session.
TODAY = date(2025, 3, 26)


@pytest.fixture
def years(journal_engine, years_of_training, monkeypatch):
    """The journal spanning 2019 and November 2024 to March 2025 (tests/conftest.py), today
    ``TODAY``."""
    years_of_training(journal_engine)
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _calendar(at) -> tuple[list[str], np.ndarray]:
    """The calendar's week starts and its sets per day (NaN: no square)."""
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    z = heatmap["z"]
    shape = tuple(int(n) for n in str(z["shape"]).split(","))
    counts = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return heatmap["x"], counts


def _numbers(encoded) -> list[float]:
    """A Plotly array as the figure's JSON holds it (a list, or base64 of a NumPy array's
    bytes), as numbers (NaN for a gap)."""
    if isinstance(encoded, list):
        return [np.nan if value is None else float(value) for value in encoded]
    return np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"]).tolist()


def _records(at) -> dict[tuple[str, str], str]:
    table = at.dataframe[0].value
    return {
        (exercise, record): value
        for exercise, record, value in zip(
            table["exercise"], table["record"], table["value"], strict=True
        )
    }


def test_a_bookmarked_period_since_december_shows_only_those_days(app, years, page_text):
    at = app("progress", period="Dates…", since="2024-12-01")
    assert not at.exception
    assert at.segmented_control(key="period").value == "Dates…"
    assert at.date_input(key="since").value == date(2024, 12, 1)
    text = page_text(at)
    # Calendar: from the week of 1 December (its Sunday the first square) to today.
    weeks, counts = _calendar(at)
    assert weeks[0] == "2024-11-25" and weeks[-1] == "2025-03-24"
    assert np.isnan(counts[:6, 0]).all() and counts[6, 0] == 3  # 25-30 Nov not drawn
    assert "1 Dec 2024 – 26 Mar 2025: 2 training days, 2 sessions, 9 sets, 78 reps." in text
    # Four months: weekly bars, though the journal spans six years.
    assert "Reps and volume per week" in text and "each bar is a month" not in text
    # The exercises trained since then, and their records of these months only.
    assert at.multiselect(key="progress_exercises").options == [
        "Assisted pull-up", "Barbell back squat"]
    assert "Records in 1 Dec 2024 – 26 Mar 2025" in text
    records = _records(at)
    assert records[("Barbell back squat", "Heaviest set")] == "70 kg × 8"  # not 2019's 80 kg
    # 70 kg × 8 estimates a one-rep max of 70 × (1 + 8/30) kg (Epley).
    assert records[("Barbell back squat", "Best estimated 1RM")] == "88.7 kg (70 kg × 8)"
    # ... the one point of the squats' strength line; assisted pull-ups have none.
    assert "Estimated 1RM per week" in text
    strength = json.loads(at.get("plotly_chart")[2].proto.spec)["data"]
    assert [(t["name"], t["x"], _numbers(t["y"])) for t in strength] == [
        ("Barbell back squat", ["2025-03-10T00:00:00"], [pytest.approx(88.667, abs=1e-3)])]
    assert records[("Assisted pull-up", "Least assistance for 10 reps")] == "52 kg"
    assert records[("Assisted pull-up", "Most reps in a set")] == "12 reps"
    assert ("Close-grip cable row", "Heaviest set") not in records  # 25 November


def test_a_preset_period_counts_back_from_today(app, years, page_text):
    at = app("progress", period="Last 3 months")
    text = page_text(at)
    assert "27 Dec 2024 – 26 Mar 2025: 1 training day, 1 session, 6 sets, 48 reps." in text
    assert "Records in 27 Dec 2024 – 26 Mar 2025" in text


def test_dates_count_with_dates_chosen_only(app, years, page_text):
    # January 2019, from a link of the custom dates: the calendar ends with them.
    at = app("progress", period="Dates…", since="2019-01-01", until="2019-01-31")
    assert "1 – 31 Jan 2019: 3 training days, 3 sessions, 18 sets, 150 reps." in page_text(at)
    weeks, _ = _calendar(at)
    assert weeks[-1] == "2019-01-28"
    # Streamlit drops the dates from the URL a run after another period is picked: a link
    # taken then is of that period, its dates left aside.
    at = app("progress", period="Last 3 months", since="2019-01-01")
    assert "Records in 27 Dec 2024 – 26 Mar 2025" in page_text(at)
    at = app("progress", since="2019-01-01")
    assert at.segmented_control(key="period").value == "All time"
    assert "The whole journal, since 14 Jan 2019" in page_text(at) and not at.warning


def test_a_period_without_training_says_so_instead_of_empty_charts(app, years, page_text):
    at = app("progress", period="Dates…", since="2020-01-01", until="2020-12-31")
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No training between 1 Jan 2020 and 31 Dec 2020. The journal's sessions are from "
        "14 Jan 2019 to 10 Mar 2025: pick other dates."]
    assert not at.get("plotly_chart") and not at.dataframe
    # The dates stay in reach, to pick others.
    assert at.date_input(key="until").value == date(2020, 12, 31)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "Dates…", "since": "2024-13-01"},
         "The link's start date (since=2024-13-01) is not a date: write it as YYYY-MM-DD."),
        ({"period": "Dates…", "since": "2025-01-01", "until": "2024-01-01"},
         "From 1 Jan 2025 is after To 1 Jan 2024."),
        ({"period": "Last week"}, "The link's period “Last week” is not one of “Last 4 weeks”"),
    ],
    ids=["malformed date", "from after to", "unknown period"],
)
def test_a_bad_link_says_what_is_wrong_and_shows_all_time(app, years, page_text, query, message):
    at = app("progress", **query)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and message in warnings[0] and "Showing all time." in warnings[0]
    text = page_text(at)
    assert "The whole journal, since 14 Jan 2019: 6 training days" in text
    assert "Personal records" in text and "Records in" not in text


def test_other_dates_keep_the_users_exercises_where_they_were_trained(app, years):
    at = app("progress")
    at.multiselect(key="progress_exercises").set_value(
        ["barbell_bench_press", "assisted_pull_up"]).run()
    # The bench press was last trained in 2019: the last 12 months keep the pull-ups alone...
    at.segmented_control(key="period").set_value("Last 12 months").run()
    assert at.multiselect(key="progress_exercises").value == ["assisted_pull_up"]
    assert "barbell_bench_press" not in at.multiselect(key="progress_exercises").options
    # ... and all time brings the bench press back.
    at.segmented_control(key="period").set_value("All time").run()
    assert at.multiselect(key="progress_exercises").value == [
        "barbell_bench_press", "assisted_pull_up"]


def test_on_a_phone_the_period_is_a_list_to_pick_from(app, years, monkeypatch):
    monkeypatch.setattr(device, "is_phone_user_agent", lambda _: True)
    at = app("progress", period="Last 4 weeks")
    assert at.selectbox(key="period").value == "Last 4 weeks"
    assert not at.segmented_control


def test_on_a_phone_each_exercises_records_say_what_they_are_beside_their_value(
    app, years, monkeypatch
):
    # A phone's table shows two columns: "Assisted pull-up | 52 kg" said nothing of what the
    # record was ("Least assistance for 10 reps" was off-screen). One table per exercise under
    # its name, each row what the record is and its value.
    monkeypatch.setattr(device, "is_phone_user_agent", lambda _: True)
    at = app("progress", period="Dates…", since="2024-12-01")
    assert not at.exception
    names = ["Assisted pull-up", "Barbell back squat"]
    assert [m.value for m in at.markdown if m.value.startswith("**")] == [
        f"**{escape_markdown(name)}**" for name in names]
    for name, table in zip(names, at.dataframe, strict=True):
        assert list(table.proto.column_order)[:2] == ["record", "value"]
        assert set(table.value["exercise"]) == {name}
    pull_ups = at.dataframe[0].value
    assert dict(zip(pull_ups["record"], pull_ups["value"], strict=True))[
        "Least assistance for 10 reps"] == "52 kg"


def test_on_a_phone_a_years_calendar_wraps_onto_rows_of_squares_you_can_read(
    app, years, monkeypatch, page_text
):
    # The year's 53 weeks side by side on a 375 px phone were 2 px wide squares.
    monkeypatch.setattr(device, "is_phone_user_agent", lambda _: True)
    at = app("progress", period="Last 12 months")
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    rows = [trace for trace in spec["data"] if trace["type"] == "heatmap"]
    # Three rows of about four months, oldest on top, this week ending the last.
    assert len(rows) == 3
    weeks = [week for row in rows for week in row["x"]]
    assert weeks[0] == "2024-03-25" and weeks[-1] == "2025-03-24"
    assert weeks == sorted(set(weeks)) and len(weeks) == 53
    assert max(len(row["x"]) for row in rows) <= 18  # 268 px / 18 = 15 px a week on a phone
    # Every day of the year once, the three sessions' 15 sets among them, as the caption says.
    counts = [np.frombuffer(base64.b64decode(row["z"]["bdata"]), dtype=row["z"]["dtype"])
              for row in rows]
    assert sum(np.nansum(row) for row in counts) == 15
    assert sum(int(np.isfinite(row).sum()) for row in counts) == 365
    assert "27 Mar 2024 – 26 Mar 2025: 3 training days, 3 sessions, 15 sets" in page_text(at)


def test_strength_over_years_is_the_best_estimated_1rm_of_each_month(app, years, page_text):
    at = app("progress", period="All time")
    assert not at.exception
    at.multiselect(key="progress_exercises").set_value(["barbell_back_squat"]).run()
    assert "Estimated 1RM per month" in page_text(at)
    (line,) = json.loads(at.get("plotly_chart")[2].proto.spec)["data"]
    # January 2019: 80 kg × 5 (93.3 kg) beats 60 kg × 10 (80 kg); March 2025: 70 kg × 8.
    # Six years apart: the line breaks (a NaN point) rather than draw a steady decline.
    assert line["x"] == ["2019-01-01T00:00:00", "2019-01-02T00:00:00", "2025-03-01T00:00:00"]
    first, gap, last = _numbers(line["y"])
    assert (first, last) == (pytest.approx(93.333, abs=1e-3), pytest.approx(88.667, abs=1e-3))
    assert np.isnan(gap)


def _figure(at, key: str) -> dict:
    """The page's Plotly chart of this key, as the browser gets it."""
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(chart.proto.spec)


def _chart(at, key: str) -> list[dict]:
    """The traces of the page's Plotly chart of this key."""
    return _figure(at, key)["data"]


def _chart_keys(at) -> list[str]:
    return [c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")]


def test_assisted_exercises_alone_show_their_least_assistance_not_an_e1rm(
    app, years, page_text
):
    at = app("progress", period="All time")
    at.multiselect(key="progress_exercises").set_value(["assisted_pull_up"]).run()
    assert not at.exception
    text = page_text(at)
    assert "Estimated 1RM" not in text
    # The week of 25 November (66 kg × 10, then 52 kg × 10 on Sunday 1 December) and that of
    # 10 March, 15 weeks later: the line breaks between them rather than draw a steady change.
    assert "Least assistance per week" in text
    assert _chart_keys(at) == ["progress_calendar", "progress_weekly", "progress_assistance"]
    (line,) = _chart(at, "progress_assistance")
    assert line["x"] == ["2024-11-25T00:00:00", "2024-11-26T00:00:00", "2025-03-10T00:00:00"]
    first, gap, last = _numbers(line["y"])
    assert (first, last) == (52.0, 45.0) and np.isnan(gap)
    assert [line["text"][0], line["text"][2]] == ["52 kg help × 10 reps", "45 kg help × 8 reps"]


@pytest.fixture
def pull_up_weeks(journal_engine, saved_sample, monkeypatch):
    """The real sample of 1 December 2024 (assisted pull-ups at 61, 63.5 and 66 kg of help,
    a curl of 7.5 kg × 10), then three weeks typed in, today 30 December 2024."""
    weeks = (
        (datetime(2024, 12, 4, 7), [("assisted_pull_up", 10, 59.0), ("assisted_pull_up", 8, 59.0),
                                    ("incline_dumbbell_biceps_curl", 9, 8.0)]),
        (datetime(2024, 12, 11, 7), [("assisted_pull_up", 12, None)]),  # weights not logged
        (datetime(2024, 12, 18, 7), [("assisted_pull_up", 4, 0.0), ("assisted_pull_up", 8, 20.0),
                                     ("incline_dumbbell_biceps_curl", 10, 8.0)]),
    )

    def save(session):
        for performed_at, sets in weeks:
            session_id = store.create_session(session, performed_at=performed_at, title="lifting")
            for exercise, reps, weight in sets:
                edits.add_set(session, session_id, exercise=exercise, reps=reps, weight_kg=weight)

    write_transaction(journal_engine, save)
    monkeypatch.setattr(clock, "today", lambda: date(2024, 12, 30))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_assisted_pull_ups_progress_is_their_least_assistance_per_week(
    app, pull_up_weeks, page_text, monkeypatch, phone
):
    # An assisted exercise had no strength chart: the help going down week after week, the
    # progress of the project's most common exercise, was drawn nowhere.
    monkeypatch.setattr(device, "is_phone_user_agent", lambda _: phone)
    at = app("progress")
    at.multiselect(key="progress_exercises").set_value(
        ["assisted_pull_up", "incline_dumbbell_biceps_curl"]).run()
    assert not at.exception
    text = page_text(at)
    assert "Estimated 1RM per week" in text and "Least assistance per week" in text
    # The curl's e1RM where it was; the pull-ups' least assistance under it, and no e1RM.
    assert _chart_keys(at)[2:] == ["progress_strength", "progress_assistance"]
    (curl,) = _chart(at, "progress_strength")
    assert curl["name"] == "Incline dumbbell biceps curl"
    (pull_ups,) = _chart(at, "progress_assistance")
    assert pull_ups["name"] == "Assisted pull-up"
    # The sample's week, the next one, then the week done unassisted; the week of 9 December
    # logged no weight: no point, not 0 kg.
    assert pull_ups["x"] == ["2024-11-25T00:00:00", "2024-12-02T00:00:00",
                             "2024-12-16T00:00:00"]
    assert _numbers(pull_ups["y"]) == [61.0, 59.0, 0.0]
    assert pull_ups["text"] == ["61 kg help × 12 reps", "59 kg help × 10 reps",
                                "0 kg help × 4 reps"]
    # Upside down, and said so: less help is higher.
    axis = _figure(at, "progress_assistance")["layout"]["yaxis"]
    assert axis["range"][0] > axis["range"][1] == 0.0
    assert "lower is stronger" in axis["title"]["text"]
