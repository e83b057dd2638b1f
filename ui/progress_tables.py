"""Progress data (``journal.progress``) as the frames the Progress page draws and lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from journal.progress import (
    MonthProgress,
    PersonalRecords,
    RecordSet,
    TrainingDay,
    WeekProgress,
)
from ui.text import plural

#: The weekly chart turns monthly when the weeks span more than this. Over years a weekly bar is
#: a sliver a lifter cannot see (six years are 300+ weeks), and what he reads there is the long
#: trend and the breaks, which months show as well. Months keep the time axis true to time: the
#: other choice, only the weeks with training side by side, would put a session of 2019 next to
#: one of 2024 as if a week apart and hide the years off, the first thing to know when the
#: numbers dropped.
MONTHLY_AFTER = timedelta(days=365)

Period = Literal["week", "month"]

#: The columns of a period's totals in ``weekly_frame`` and ``monthly_frame``: the fields of
#: ``WeekProgress`` and ``MonthProgress`` of those names.
_TOTALS = ["sets", "reps", "volume_kg", "best_e1rm_kg", "least_assistance_kg",
           "least_assistance_reps"]


def progress_period(
    weeks_by_exercise: Mapping[str, Sequence[WeekProgress]],
    span: tuple[date, date] | None = None,
) -> Period:
    """"month" when the weeks of all the exercises span more than ``MONTHLY_AFTER``, else "week".

    With ``span`` (the first and last day of the chosen dates), the span shown decides: "Last
    12 months" is weekly even when its sessions are a few weeks apart.
    """
    if span is not None:
        return "month" if span[1] - span[0] > MONTHLY_AFTER else "week"
    starts = [week.week_start for weeks in weeks_by_exercise.values() for week in weeks]
    if starts and max(starts) - min(starts) > MONTHLY_AFTER:
        return "month"
    return "week"


def weekly_frame(weeks_by_exercise: Mapping[str, Sequence[WeekProgress]]) -> pd.DataFrame:
    """One row per (week, exercise): ``week`` (Monday), ``exercise``, ``sets``, ``reps``, volume,
    the best estimated one-rep max (NaN where no set gives one) and, for an assisted exercise,
    the least assistance and its set's reps (NaN for other exercises)."""
    rows = [
        {"week": week.week_start, "exercise": exercise_id,
         **{column: getattr(week, column) for column in _TOTALS}}
        for exercise_id, weeks in weeks_by_exercise.items()
        for week in weeks
    ]
    return pd.DataFrame(rows, columns=["week", "exercise", *_TOTALS])


def monthly_frame(months_by_exercise: Mapping[str, Sequence[MonthProgress]]) -> pd.DataFrame:
    """One row per (month, exercise): ``month`` (its first day), and the columns of
    ``weekly_frame``."""
    rows = [
        {"month": month.month_start, "exercise": exercise_id,
         **{column: getattr(month, column) for column in _TOTALS}}
        for exercise_id, months in months_by_exercise.items()
        for month in months
    ]
    return pd.DataFrame(rows, columns=["month", "exercise", *_TOTALS])


def training_days_caption(
    days: Sequence[TrainingDay], shown: tuple[date, date], chosen: str | None = None
) -> str:
    """What the calendar of training days shows, in numbers: days, sessions, sets and reps.

    ``shown`` is the calendar's first and last day; ``days`` are those of the chosen dates,
    named by ``chosen`` ("1 Mar – 7 Dec 2026"), or of the whole journal (``None``). When
    training days fall outside the calendar (it covers a year at most), the caption names its
    dates and adds the totals of all the days.
    """
    inside = [d for d in days if shown[0] <= d.day <= shown[1]]
    if len(inside) == len(days):
        return f"{chosen}: {_totals(days)}." if chosen else f"{_totals(days)}."
    whole = (f"The chosen dates, {chosen}" if chosen
             else f"The whole journal, since {days[0].day:%d %b %Y}")
    return (f"In the calendar, {shown[0]:%d %b %Y} – {shown[1]:%d %b %Y}: {_totals(inside)}. "
            f"{whole}: {_totals(days)}.")


def _totals(days: Sequence[TrainingDay]) -> str:
    return ", ".join([
        plural(len(days), "training day"),
        plural(sum(d.sessions for d in days), "session"),
        plural(sum(d.sets for d in days), "set"),
        plural(sum(d.reps for d in days), "rep"),
    ])


def records_frame(records: Sequence[PersonalRecords], names: Mapping[str, str]) -> pd.DataFrame:
    """Personal records, one row each: exercise, record, value, date and the session to open."""
    rows: list[dict[str, object]] = []
    for record in records:
        name = names.get(record.exercise_id, record.exercise_id)
        if record.most_reps is not None:
            held = record.most_reps
            rows.append(_row(name, "Most reps in a set", f"{held.reps} reps", held))
        # An assisted exercise's weight is the machine's help: its records are the least of it.
        best_set, best_for = (("Least assistance", "Least assistance for") if record.assisted
                              else ("Heaviest set", "Heaviest for"))
        if record.best is not None and record.best.weight_kg is not None:
            held = record.best
            rows.append(_row(name, best_set, f"{held.weight_kg:g} kg × {held.reps}", held))
        # Strength across rep counts: 70 kg × 8 beats 80 kg × 3 (Epley; none for assisted).
        held_e1rm = record.best_e1rm
        if held_e1rm is not None and held_e1rm.e1rm_kg is not None:
            rows.append(_row(name, "Best estimated 1RM",
                             f"{held_e1rm.e1rm_kg:.1f} kg ({held_e1rm.weight_kg:g} kg × "
                             f"{held_e1rm.reps})", held_e1rm))
        for reps, held in record.best_by_reps.items():
            rows.append(_row(name, f"{best_for} {reps} reps", f"{held.weight_kg:g} kg", held))
    return pd.DataFrame(rows, columns=["exercise", "record", "value", "date", "session_id"])


def _row(name: str, record: str, value: str, held: RecordSet) -> dict[str, object]:
    return {
        "exercise": name,
        "record": record,
        "value": value,
        "date": held.performed_at,
        "session_id": held.session_id,
    }
