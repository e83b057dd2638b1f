"""The figure builders, without Streamlit: what a user sees on the session plot."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from journal.progress import MonthProgress, WeekProgress
from ui.charts import (
    ChartSet,
    assistance_figure,
    calendar_figure,
    calendar_span,
    display_indices,
    monthly_figure,
    motion_figure,
    payload_bytes,
    set_label,
    span_from_selection,
    strength_axis_range,
    strength_figure,
    weekly_figure,
)
from ui.colors import exercise_color
from ui.progress_tables import monthly_frame, progress_period, weekly_frame

RATE_HZ = 50.0


def _signal(seconds: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ)
    times = np.arange(n) / RATE_HZ
    gyro = np.sin(2 * np.pi * 0.4 * times)[:, None] + 0.3 * rng.standard_normal((n, 3))
    return times, gyro.astype(np.float32)


def _sets(n: int, every_s: float = 120.0) -> list[ChartSet]:
    return [
        ChartSet(
            start_s=i * every_s + 10,
            end_s=i * every_s + 70,
            exercise_id="assisted_pull_up" if i % 2 == 0 else "close_grip_cable_row",
            label=set_label("Assisted pull-up" if i % 2 == 0 else "Close-grip cable row", 12),
            rep_times_s=tuple(np.linspace(i * every_s + 15, i * every_s + 65, 12)),
        )
        for i in range(n)
    ]


def test_session_plot_has_xyz_magnitude_and_one_rep_marker_per_counted_rep():
    times, gyro = _signal(600)
    sets = _sets(4)
    fig = motion_figure(times, gyro, sets)
    names = [trace.name for trace in fig.data]
    assert names == ["gyro x", "gyro y", "gyro z", "|gyro|", "reps"]
    reps = fig.data[-1]
    assert len(reps.x) == sum(len(s.rep_times_s) for s in sets) == 48
    np.testing.assert_allclose(reps.x, np.concatenate([s.rep_times_s for s in sets]), atol=1e-3)
    # Markers sit on the magnitude curve, in the colour of their set's exercise.
    magnitude = np.linalg.norm(gyro, axis=1)
    np.testing.assert_allclose(reps.y, np.interp(reps.x, times, magnitude), rtol=1e-3)
    assert reps.marker.color[0] == exercise_color("assisted_pull_up")
    assert reps.marker.color[-1] == exercise_color("close_grip_cable_row")


def test_every_set_is_shaded_and_labelled_with_exercise_and_reps():
    times, gyro = _signal(600)
    sets = _sets(4)
    fig = motion_figure(times, gyro, sets)
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(s.start_s, s.end_s) for s in sets]
    labels = [a.text for a in fig.layout.annotations]
    assert labels == [
        "1. Assisted pull-up · 12 reps",
        "2. Close-grip cable row · 12 reps",
        "3. Assisted pull-up · 12 reps",
        "4. Close-grip cable row · 12 reps",
    ]
    assert fig.layout.xaxis.rangeslider.visible is True


def test_small_preview_labels_sets_by_number_centred_on_their_span():
    times, gyro = _signal(600)
    sets = _sets(4, every_s=30.0)  # 60 s sets every 30 s: full labels would run into each other
    fig = motion_figure(times, gyro, sets, numbers_only=True)
    assert [a.text for a in fig.layout.annotations] == ["<b>1</b>", "<b>2</b>", "<b>3</b>",
                                                        "<b>4</b>"]
    assert [a.x for a in fig.layout.annotations] == [(s.start_s + s.end_s) / 2 for s in sets]


def test_one_hour_session_figure_stays_under_two_megabytes():
    times, gyro = _signal(3600)
    fig = motion_figure(times, gyro, _sets(30))
    assert payload_bytes(fig) < 2_000_000
    # Downsampled, but far from a toy: thousands of points per trace keep the reps visible.
    assert 2000 <= len(fig.data[0].x) <= 5000


def test_zooming_into_a_set_draws_every_sample_of_it():
    times, gyro = _signal(3600)
    sets = _sets(30)
    target = sets[7]
    fig = motion_figure(times, gyro, sets, detail_span=(target.start_s, target.end_s))
    x = np.asarray(fig.data[0].x, dtype=np.float64)
    inside = x[(x >= target.start_s) & (x <= target.end_s)]
    expected = np.count_nonzero((times >= target.start_s) & (times <= target.end_s))
    assert len(inside) == expected
    assert fig.layout.xaxis.range[0] < target.start_s < target.end_s < fig.layout.xaxis.range[1]
    assert payload_bytes(fig) < 2_000_000


def test_minmax_lttb_keeps_a_single_rep_peak():
    times = np.arange(180_000) / RATE_HZ
    values = np.zeros_like(times)
    values[123_457] = 9.0  # one sharp spike in an hour of calm
    kept = display_indices(times, values, max_points=1000)
    assert 123_457 in kept
    assert len(kept) <= 1000


def test_short_signal_is_drawn_in_full():
    times, gyro = _signal(20)
    assert len(display_indices(times, gyro[:, 0], max_points=4000)) == len(times)


def test_motion_figure_refuses_mismatched_shapes():
    times, gyro = _signal(10)
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        motion_figure(times[:-1], gyro, [])


def test_box_selection_gives_the_span_in_seconds():
    assert span_from_selection({"box": [{"x": [42.123, 12.5], "y": [0, 1]}], "points": []}) == (
        12.5,
        42.12,
    )
    points = {"box": [], "points": [{"x": 3.0}, {"x": 9.5}, {"x": 5.0}]}
    assert span_from_selection(points) == (3.0, 9.5)
    assert span_from_selection({"box": [], "points": []}) is None
    assert span_from_selection(None) is None


def test_weekly_figure_stacks_reps_and_volume_per_exercise_in_its_colour():
    weekly = pd.DataFrame(
        {
            "week": [date(2024, 11, 25), date(2024, 12, 2), date(2024, 12, 2)],
            "exercise": ["barbell_row", "barbell_row", "close_grip_cable_row"],
            "reps": [34, 30, 12],
            "volume_kg": [2000.0, 1900.0, 624.0],
        }
    )
    fig = weekly_figure(weekly, {"barbell_row": "Barbell row"})
    assert not any("No weights" in a.text for a in fig.layout.annotations)
    bars = {(t.name, t.yaxis): list(t.y) for t in fig.data}
    assert bars[("Barbell row", "y")] == [34, 30]
    assert bars[("Barbell row", "y2")] == [2000.0, 1900.0]
    assert bars[("close_grip_cable_row", "y")] == [12]
    assert {t.marker.color for t in fig.data if t.name == "Barbell row"} == {
        exercise_color("barbell_row")
    }


def test_assisted_pull_ups_have_reps_per_week_but_no_volume():
    # 66 kg of assistance × 10 is less work than 45 kg × 10: kg × reps would read backwards.
    weekly = pd.DataFrame({"week": [date(2024, 11, 25), date(2024, 12, 2), date(2024, 12, 2)],
                           "exercise": ["assisted_pull_up", "assisted_pull_up", "barbell_row"],
                           "reps": [30, 30, 10], "volume_kg": [1980.0, 1350.0, 500.0]})
    fig = weekly_figure(weekly, {"assisted_pull_up": "Assisted pull-up"})
    bars = {(t.name, t.yaxis): list(t.y) for t in fig.data}
    assert bars[("Assisted pull-up", "y")] == [30, 30]
    assert ("Assisted pull-up", "y2") not in bars and ("barbell_row", "y2") in bars
    assert any(a.text.startswith("Volume per week (kg × reps)<br>")
               and "assisted exercises left out" in a.text for a in fig.layout.annotations)
    # Assisted pull-ups alone: the volume plot says why it is empty.
    alone = weekly_figure(weekly[weekly["exercise"] == "assisted_pull_up"])
    assert all(t.yaxis == "y" for t in alone.data)
    assert any("No volume for assisted exercises" in a.text for a in alone.layout.annotations)


def test_a_single_week_is_one_bar_with_its_monday_on_the_axis():
    weekly = pd.DataFrame({"week": [date(2024, 11, 25)], "exercise": ["barbell_row"],
                           "reps": [30], "volume_kg": [0.0]})
    fig = weekly_figure(weekly)
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    # The axis spans about the week itself, so the bar (0.8 of a week wide) reads as one week.
    assert low < pd.Timestamp("2024-11-25") < high and high - low <= pd.Timedelta(days=9)
    assert fig.layout.xaxis.tick0 == pd.Timestamp("2024-11-25")
    # No weight logged: the empty volume plot says why.
    assert any("No weights logged yet" in a.text for a in fig.layout.annotations)


def _week(monday: date, reps: int = 30) -> WeekProgress:
    year, week, _ = monday.isocalendar()
    return WeekProgress(iso_year=year, iso_week=week, week_start=monday, sets=3, reps=reps,
                        volume_kg=reps * 60.0, heaviest_kg=60.0)


def _weekly(mondays: list[date]) -> pd.DataFrame:
    return pd.DataFrame({"week": mondays, "exercise": ["barbell_back_squat"] * len(mondays),
                         "reps": [30] * len(mondays), "volume_kg": [1800.0] * len(mondays)})


def _tick_dates(fig) -> list[pd.Timestamp]:
    """The dates Plotly labels under the weekly chart, from its tick0 and step."""
    axis = fig.layout.xaxis
    low, high = (pd.Timestamp(x) for x in axis.range)
    step = pd.Timedelta(milliseconds=float(axis.dtick))
    first = pd.Timestamp(axis.tick0)
    first -= step * ((first - low) // step)
    return [first + k * step for k in range(int((high - first) / step) + 1)]


def test_weekly_dates_are_a_few_week_starts_over_half_a_year():
    # Half a year of weekly training: 26 bars, but six dates or fewer, every one a Monday.
    mondays = [date(2024, 6, 3) + timedelta(weeks=w) for w in range(26)]
    ticks = _tick_dates(weekly_figure(_weekly(mondays)))
    assert 2 <= len(ticks) <= 6
    assert all(t.weekday() == 0 for t in ticks)
    # Ten months of weeks: the dates are Plotly's own (months), not one a month on a Monday's
    # day of the month ("03 Jul", "03 Aug", ...), which are no week starts.
    mondays = [date(2024, 1, 1) + timedelta(weeks=w) for w in range(0, 44, 2)]
    axis = weekly_figure(_weekly(mondays)).layout.xaxis
    assert axis.dtick is None and axis.tick0 is None


def test_weekly_chart_dates_and_titles_fit_a_phone_without_tilting_or_clipping():
    # A phone draws the plot about 300 px wide: "25 Nov 2024" side by side tilted into the
    # volume plot's title, and that title ran past both edges.
    weekly = pd.DataFrame({"week": [date(2024, 11, 25), date(2024, 12, 23)],
                           "exercise": ["assisted_pull_up", "barbell_row"],
                           "reps": [30, 10], "volume_kg": [1980.0, 500.0]})
    fig = weekly_figure(weekly, {"assisted_pull_up": "Assisted pull-up"})
    assert fig.layout.xaxis.tickformat == "%d %b<br>%Y"
    for title in fig.layout.annotations:
        for line in re.sub(r"<(?!br)[^>]+>", "", title.text).split("<br>"):
            assert len(line) <= 30, line


def test_a_journal_spanning_years_is_charted_per_month_with_bars_you_can_see():
    # 2019 barbell weeks, then weeks of 2024-25: the weeks span six years.
    weeks = {"barbell_back_squat": [_week(date(2019, 1, 14)), _week(date(2019, 1, 21)),
                                    _week(date(2025, 3, 10))],
             "assisted_pull_up": [_week(date(2024, 11, 25))]}
    assert progress_period(weeks) == "month"
    assert progress_period({"assisted_pull_up": [_week(date(2024, 11, 25)),
                                                 _week(date(2025, 3, 10))]}) == "week"
    months = {"barbell_back_squat": [MonthProgress(date(2019, 1, 1), 6, 45, 3000.0, 80.0),
                                     MonthProgress(date(2025, 3, 1), 3, 24, 1680.0, 70.0)]}
    fig = monthly_figure(monthly_frame(months), {"barbell_back_squat": "Barbell back squat"})
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Reps per month", "Volume per month (kg × reps)"]
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert low < pd.Timestamp("2019-01-01") and pd.Timestamp("2025-03-01") < high
    # A bar is most of a month wide: over six years, 1/90 of the plot (a week was 1/330).
    for bar in fig.data:
        assert pd.Timedelta(milliseconds=bar.width) / (high - low) > 1 / 100
    assert list(fig.data[0].y) == [45, 24] and list(fig.data[1].y) == [3000.0, 1680.0]
    assert fig.layout.xaxis.dtick is None  # Plotly picks the dates: years here


def _calendar(days: dict[date, int], last_day: date, **options: Any) -> go.Figure:
    """The calendar as the Progress page draws it: over ``calendar_span`` of the days."""
    span = calendar_span(days, last_day, first_day=options.get("first_day"))
    return calendar_figure(days, span, **options)


def test_calendar_marks_training_days_by_weekday_and_week():
    days = {date(2024, 12, 1): 5, date(2024, 12, 3): 2}  # a Sunday and the next Tuesday
    fig = _calendar(days, date(2024, 12, 3))
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (7, 26)  # half a year at least, so one session still reads as a calendar
    assert fig.data[0].x[-1] == date(2024, 12, 2)  # ends with this week
    assert z[6, -2] == 5 and z[1, -1] == 2  # Sunday of the week before, Tuesday of the last
    assert np.nansum(z) == 7


def test_calendar_runs_to_today_so_the_days_since_the_last_session_show_as_a_gap():
    # Last trained on Wednesday 20 November; today is Wednesday 4 December.
    days = {date(2024, 11, 18): 3, date(2024, 11, 20): 4}
    today = date(2024, 12, 4)
    fig = _calendar(days, today)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert calendar_span(days, today)[1] == today
    assert fig.data[0].x[-1] == date(2024, 12, 2)  # the last column is this week
    assert z[2, -3] == 4  # the last session, two weeks back
    # Every day since is an empty square, today the last one; the rest of the week is not drawn.
    assert (z[3:, -3] == 0).all() and (z[:, -2] == 0).all() and (z[:3, -1] == 0).all()
    assert np.isnan(z[3:, -1]).all()
    assert fig.data[0].text[2][-1].startswith("Wed 04 Dec 2024: 0 sets")
    # Dates that end in the past (a chosen period): the calendar ends with them.
    assert calendar_span(days, date(2024, 11, 30))[1] == date(2024, 11, 30)
    # A session dated after today (a typed-in date) is still shown.
    assert calendar_span({**days, date(2024, 12, 9): 1}, today)[1] == date(2024, 12, 9)


def test_a_journal_idle_for_a_year_shows_its_last_sessions_not_a_year_of_empty_squares():
    # The sample session of a fresh install is dated Wednesday 25 Nov 2024; opened two years on.
    days = {date(2024, 11, 20): 2, date(2024, 11, 25): 5}
    fig = _calendar(days, date(2026, 12, 7))
    z = np.asarray(fig.data[0].z, dtype=float)
    assert calendar_span(days, date(2026, 12, 7))[1] == date(2024, 12, 1)  # that week's Sunday
    assert np.nansum(z) == 7
    # Eleven months without training still end today, the gap in view.
    assert calendar_span(days, date(2025, 10, 25))[1] == date(2025, 10, 25)


def test_a_calendar_of_chosen_dates_starts_with_them_and_keeps_its_squares_square():
    # "Last 4 weeks" on Wednesday 26 March 2025: Thursday 27 February to today.
    days = {date(2025, 3, 10): 6}
    first_day, today = date(2025, 2, 27), date(2025, 3, 26)
    assert calendar_span(days, today, first_day=first_day) == (date(2025, 2, 24), today)
    fig = _calendar(days, today, first_day=first_day)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (7, 5)  # five weeks, not the 26 of a journal's calendar
    assert np.isnan(z[:3, 0]).all() and z[3, 0] == 0  # Mon-Wed before the dates: no squares
    assert np.nansum(z) == 6
    # Drawn as wide as its weeks: spread over the page, five columns would be long bars.
    column_px = (fig.layout.width - fig.layout.margin.l - fig.layout.margin.r) / 5
    row_px = (fig.layout.height - fig.layout.margin.t - fig.layout.margin.b) / 7
    assert abs(column_px - row_px) < 1
    assert _calendar(days, today).layout.width is None  # the journal's: page-wide
    assert list(fig.layout.xaxis.ticktext) == ["Mar<br>2025"]
    # Three weeks within one month still name it.
    inside = _calendar(days, date(2025, 3, 28), first_day=date(2025, 3, 10))
    assert list(inside.layout.xaxis.ticktext) == ["Mar<br>2025"]


def test_a_calendar_of_dates_longer_than_a_year_shows_their_last_year():
    days = {date(2019, 1, 14): 6, date(2025, 3, 10): 6}
    today = date(2025, 3, 26)
    assert calendar_span(days, today, first_day=date(2019, 1, 1)) == calendar_span(days, today)
    # "Last 12 months" of a leap year, 366 days, starts with its first day.
    leap = calendar_span({}, date(2028, 3, 1), first_day=date(2027, 3, 2))
    assert leap[0] == date(2027, 3, 1)  # that Tuesday's Monday


def test_the_weekly_chart_of_chosen_dates_covers_their_weeks_not_only_the_trained_ones():
    # "Last 12 months": training in the last weeks only, the axis a year long, weekly.
    span = (date(2024, 3, 27), date(2025, 3, 26))
    weeks = {"assisted_pull_up": [_week(date(2025, 3, 3)), _week(date(2025, 3, 10))]}
    assert progress_period(weeks, span) == "week"
    fig = weekly_figure(_weekly([date(2025, 3, 3), date(2025, 3, 10)]), span=span)
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert low < pd.Timestamp("2024-03-25") < pd.Timestamp("2025-03-24") < high
    assert high - low < pd.Timedelta(days=375)
    # Dates over more than a year are monthly, whatever weeks hold training.
    assert progress_period(weeks, (date(2019, 1, 1), date(2025, 3, 26))) == "month"


def test_calendar_squares_are_clear_of_the_buttons():
    # Plotly's buttons (30 px high) sat on the latest weeks' squares.
    fig = _calendar({date(2024, 12, 1): 5}, date(2024, 12, 1))
    assert fig.layout.margin.t >= 30


#: On a 360 px phone the calendar's squares span about 268 px; a month label ("Sep", "2025")
#: needs about 36 px to stay level and clear of the next one.
PHONE_CALENDAR_PX = 268
MONTH_LABEL_PX = 36


#: A day's square a lifter can read and tap on a phone; a year's 53 weeks side by side were 2 px.
MIN_PHONE_SQUARE_PX = 10


def _calendar_rows(fig) -> list[dict]:
    """Each row of a calendar as drawn on a 360 px phone: its sets per day, its month labels,
    how many weeks its axis holds and its squares' width and height in px."""
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    rows = []
    for number, heatmap in enumerate(fig.data, start=1):
        suffix = "" if number == 1 else str(number)
        x_axis, y_axis = fig.layout[f"xaxis{suffix}"], fig.layout[f"yaxis{suffix}"]
        low, high = (pd.Timestamp(x) for x in x_axis.range or (
            heatmap.x[0] - timedelta(days=3.5), heatmap.x[-1] + timedelta(days=3.5)))
        weeks = (high - low).days / 7
        domain = y_axis.domain or (0, 1)
        rows.append({
            "z": np.asarray(heatmap.z, dtype=float),
            "ticks": [pd.Timestamp(t) for t in x_axis.tickvals],
            "labels": list(x_axis.ticktext),
            "angle": x_axis.tickangle,
            "weeks": weeks,
            "square_px": (PHONE_CALENDAR_PX / weeks - heatmap.xgap,
                          plot_px * (domain[1] - domain[0]) / 7 - heatmap.ygap),
        })
    return rows


def test_a_years_calendar_on_a_phone_wraps_onto_rows_of_squares_you_can_read_and_tap():
    # A year of weeks side by side was 5 px a week at 360 px: 2 px squares under labels of
    # every other month. Its weeks wrap onto three rows of about four months instead.
    today = date(2026, 12, 7)
    days = {today - timedelta(days=d): 3 for d in range(10, 400, 4)}
    desktop = _calendar(days, today)
    fig = _calendar(days, today, phone=True)
    rows = _calendar_rows(fig)
    assert len(rows) == 3
    # Every day of the year once, in order: the rows side by side are the desktop's calendar.
    whole = np.asarray(desktop.data[0].z, dtype=float)
    assert np.array_equal(np.hstack([row["z"] for row in rows]), whole, equal_nan=True)
    assert [x for heatmap in fig.data for x in heatmap.x] == list(desktop.data[0].x)
    for row in rows:
        width, height = row["square_px"]
        assert width >= MIN_PHONE_SQUARE_PX and abs(width - height) < 1  # square
        assert row["weeks"] == rows[0]["weeks"]  # the last, shorter row keeps their width
        # Every month labelled, level and apart, the year under January.
        assert row["angle"] == 0
        px_per_day = PHONE_CALENDAR_PX / (7 * row["weeks"])
        gaps = [(b - a).days * px_per_day for a, b in zip(row["ticks"], row["ticks"][1:],
                                                          strict=False)]
        assert min(gaps) >= MONTH_LABEL_PX
    assert [label for row in rows for label in row["labels"]] == [
        "Jan<br>2026", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
        "Dec"]
    # No taller than a phone's screen holds with the page's period above it.
    assert fig.layout.height <= 480 and fig.layout.width is None
    # A desktop keeps its one row: every month labelled, the year under the first and January.
    assert len(desktop.data) == 1
    assert list(desktop.layout.xaxis.ticktext)[:3] == ["Jan<br>2026", "Feb", "Mar"]
    assert len(desktop.layout.xaxis.ticktext) == 12
    # Half a year on a phone: two rows of three months.
    half = _calendar_rows(_calendar({today: 1}, today, phone=True))
    assert [row["weeks"] for row in half] == [13, 13]
    assert [row["labels"] for row in half] == [["Jul<br>2026", "Aug", "Sep"], ["Oct", "Nov", "Dec"]]
    assert min(row["square_px"][0] for row in half) >= MIN_PHONE_SQUARE_PX


def test_calendar_covers_at_most_a_year_of_training():
    days = {date(2023, 1, 2): 1, date(2024, 12, 2): 3}
    z = np.asarray(_calendar(days, date(2024, 12, 8)).data[0].z, dtype=float)
    assert z.shape[1] == 53 and np.nansum(z) == 3
    # 52 weeks back, not 365 days: ending on a Monday adds no 54th week for one Sunday.
    z = np.asarray(_calendar(days, date(2024, 12, 9)).data[0].z, dtype=float)
    assert z.shape[1] == 53


def test_a_long_session_is_labelled_with_set_numbers_until_zoomed_into():
    times, gyro = _signal(7200)
    sets = _sets(83, every_s=86.0)  # two hours of training, a set every 86 s
    whole = motion_figure(times, gyro, sets)
    texts = [a.text for a in whole.layout.annotations]
    assert texts == [f"<b>{n}</b>" for n in range(1, 84)]
    # Numbers of neighbouring sets would touch too: they step down over three lines.
    assert len({a.y for a in whole.layout.annotations}) == 3
    zoomed = motion_figure(times, gyro, sets, detail_span=(sets[40].start_s, sets[40].end_s))
    assert zoomed.layout.annotations[40].text == "41. Assisted pull-up · 12 reps"
    # A short session keeps its full labels.
    few = motion_figure(*_signal(600), _sets(4))
    assert [a.text for a in few.layout.annotations][:2] == [
        "1. Assisted pull-up · 12 reps", "2. Close-grip cable row · 12 reps"]


def test_a_phone_plot_labels_sets_by_number_and_a_zoomed_set_in_full():
    # Five sets in six minutes: full labels fit 1100 px, not a phone's 280.
    times, gyro = _signal(360)
    sets = _sets(5, every_s=70.0)
    assert motion_figure(times, gyro, sets).layout.annotations[0].text.startswith("1. ")
    phone = motion_figure(times, gyro, sets, phone=True)
    assert [a.text for a in phone.layout.annotations] == [f"<b>{n}</b>" for n in range(1, 6)]
    zoomed = motion_figure(times, gyro, sets, phone=True,
                           detail_span=(sets[1].start_s, sets[1].end_s))
    assert zoomed.layout.annotations[1].text == "2. Close-grip cable row · 12 reps"


def _legend_top_px(fig) -> float:
    legend = fig.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top"
    return (1 - legend.y) * fig.layout.height


def test_on_a_phone_the_legends_sit_under_plotlys_buttons():
    # At 390 px a legend wraps onto two lines across the width; its first line was drawn under
    # Plotly's buttons (32 px at the top right).
    times, gyro = _signal(360)
    session = motion_figure(times, gyro, _sets(5, every_s=70.0), phone=True)
    assert _legend_top_px(session) >= 32 and session.layout.margin.t >= 32 + 2 * 22
    weekly = pd.DataFrame({"week": [date(2024, 11, 25)] * 3,
                           "exercise": ["assisted_pull_up", "barbell_row", "preacher_curl"],
                           "reps": [30, 10, 8], "volume_kg": [1980.0, 500.0, 80.0]})
    phone = weekly_figure(weekly, phone=True)
    assert _legend_top_px(phone) >= 32 and phone.layout.margin.t >= 32 + 2 * 22 + 20
    # A desktop's legend is one line beside the buttons: where it was.
    assert motion_figure(times, gyro, _sets(5, every_s=70.0)).layout.legend.yref is None
    assert weekly_figure(weekly).layout.legend.yref is None


def test_on_a_phone_a_legend_of_long_names_leaves_room_above_the_reps_title():
    # At 360 px Chromium draws these three names one to a line, 87 px high under the buttons
    # (32 px); the "Reps per week" title (25 px high) sat on the legend's last line.
    names = {"close_grip_cable_row": "Close-grip cable row",
             "incline_dumbbell_biceps_curl": "Incline dumbbell biceps curl",
             "single_arm_cable_lateral_raise": "Single-arm cable lateral raise"}
    weekly = pd.DataFrame({"week": [date(2024, 11, 25)] * 3, "exercise": list(names),
                           "reps": [30, 24, 36], "volume_kg": [1500.0, 240.0, 180.0]})
    fig = weekly_figure(weekly, names, phone=True)
    legend_bottom_px = _legend_top_px(fig) + 87
    title_top_px = fig.layout.margin.t - 25
    assert title_top_px - legend_bottom_px >= 12


def test_a_strength_line_joins_weeks_of_training_and_breaks_at_a_long_break():
    weeks = [date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 27), date(2025, 4, 7)]
    frame = pd.DataFrame({"week": weeks, "exercise": "barbell_back_squat",
                          "best_e1rm_kg": [100.0, 102.5, None, 95.0]})
    (line,) = strength_figure(frame, "week", {"barbell_back_squat": "Squat"}).data
    # The week without an estimate is left out and its neighbours joined; the 12 weeks off
    # (over 4) break the line.
    assert [pd.Timestamp(x).date() for x in line.x] == [
        date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 14), date(2025, 4, 7)]
    assert np.isnan(line.y[2]) and list(np.asarray(line.y)[[0, 1, 3]]) == [100.0, 102.5, 95.0]
    assert line.name == "Squat"


def _pull_up_weeks() -> pd.DataFrame:
    """Assisted pull-ups over five weeks (one without a weight, then done unassisted) beside
    squats, as ``weekly_frame`` gives them to the Progress page."""
    def week(monday: date, least: float | None, reps: int | None, e1rm: float | None = None):
        year, number, _ = monday.isocalendar()
        return WeekProgress(iso_year=year, iso_week=number, week_start=monday, sets=3, reps=30,
                            volume_kg=0.0, heaviest_kg=None, best_e1rm_kg=e1rm,
                            least_assistance_kg=least, least_assistance_reps=reps)
    mondays = [date(2024, 11, 25) + timedelta(weeks=w) for w in range(5)]
    return weekly_frame({
        "assisted_pull_up": [week(mondays[0], 61.0, 11), week(mondays[1], 59.0, 10),
                             week(mondays[2], None, None), week(mondays[3], 52.0, 10),
                             week(mondays[4], 0.0, 5)],
        "barbell_back_squat": [week(mondays[0], None, None, e1rm=100.0)],
    })


def test_assisted_strength_is_the_least_help_per_week_on_an_axis_where_up_is_stronger():
    fig = assistance_figure(_pull_up_weeks(), "week", {"assisted_pull_up": "Assisted pull-up"})
    # The pull-ups alone (squats have no assistance); the week without a weight has no point,
    # not 0 kg; the unassisted week is a real point at 0 kg.
    (line,) = fig.data
    assert line.name == "Assisted pull-up"
    assert [pd.Timestamp(x).date() for x in line.x] == [
        date(2024, 11, 25), date(2024, 12, 2), date(2024, 12, 16), date(2024, 12, 23)]
    assert list(line.y) == [61.0, 59.0, 52.0, 0.0]
    assert list(line.text) == ["61 kg help × 11 reps", "59 kg help × 10 reps",
                               "52 kg help × 10 reps", "0 kg help × 5 reps"]
    assert "%{text}" in line.hovertemplate and "week of" in line.hovertemplate
    # Lower is stronger: the axis runs upside down, 0 kg at the top, and says so.
    low_end, high_end = fig.layout.yaxis.range
    assert low_end > high_end == 0.0 and low_end > 61.0
    assert "lower is stronger" in fig.layout.yaxis.title.text
    assert line.line.color == exercise_color("assisted_pull_up")


def test_months_of_assistance_and_a_phones_legend_under_the_buttons():
    months = pd.DataFrame({"month": [date(2024, 11, 1), date(2025, 3, 1)],
                           "exercise": "assisted_pull_up", "least_assistance_kg": [61.0, 45.0],
                           "least_assistance_reps": [12, 8]})
    fig = assistance_figure(months, "month", phone=True)
    (line,) = fig.data
    # Over three months apart: the line breaks rather than draw a steady change.
    assert np.isnan(line.y[1]) and list(np.asarray(line.y)[[0, 2]]) == [61.0, 45.0]
    assert list(line.text) == ["61 kg help × 12 reps", "", "45 kg help × 8 reps"]
    assert "%{x|%B %Y}" in line.hovertemplate
    assert _legend_top_px(fig) == pytest.approx(32)  # under Plotly's buttons


@pytest.mark.parametrize(("values", "expected"), [
    # 10.0 → 10.4 kg filled the plot like a steep climb: a 5 kg span around it.
    ([10.0, 10.4], (7.7, 12.7)),
    # At 100 kg, ± 10% of the level: 102 ± 10.2 kg.
    ([100.0, 104.0], (91.8, 112.2)),
    # A wide spread keeps its own span, with a tenth of room either side.
    ([40.0, 140.0], (30.0, 150.0)),
    # Never below 0 kg: 0 kg of help is the best there is.
    ([0.0, 2.0], (0.0, 5.0)),
    ([0.0], (0.0, 5.0)),
    ([float("nan")], None),
    ([], None),
])
def test_a_strength_axis_does_not_blow_small_changes_up(values, expected):
    result = strength_axis_range(values)
    assert result == (None if expected is None else pytest.approx(expected))


def test_the_e1rm_axis_shows_a_small_gain_as_small():
    frame = pd.DataFrame({"week": [date(2025, 1, 6), date(2025, 1, 13)],
                          "exercise": "preacher_curl", "best_e1rm_kg": [10.0, 10.4]})
    low, high = strength_figure(frame, "week").layout.yaxis.range
    assert (low, high) == (pytest.approx(7.7), pytest.approx(12.7))
