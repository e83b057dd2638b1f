"""Progress data (``journal.progress``) as the frames the Progress page draws and lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Literal

import pandas as pd

from journal.progress import MonthProgress, PersonalRecords, RecordSet, WeekProgress

#: The weekly chart turns monthly when the weeks span more than this. Over years a weekly bar is
#: a sliver a lifter cannot see (six years are 300+ weeks), and what he reads there is the long
#: trend and the breaks, which months show as well. Months keep the time axis true to time: the
#: other choice, only the weeks with training side by side, would put a session of 2019 next to
#: one of 2024 as if a week apart and hide the years off, the first thing to know when the
#: numbers dropped.
MONTHLY_AFTER = timedelta(days=365)

Period = Literal["week", "month"]


def progress_period(weeks_by_exercise: Mapping[str, Sequence[WeekProgress]]) -> Period:
    """"month" when the weeks of all the exercises span more than ``MONTHLY_AFTER``, else "week"."""
    starts = [week.week_start for weeks in weeks_by_exercise.values() for week in weeks]
    if starts and max(starts) - min(starts) > MONTHLY_AFTER:
        return "month"
    return "week"


def weekly_frame(weeks_by_exercise: Mapping[str, Sequence[WeekProgress]]) -> pd.DataFrame:
    """One row per (week, exercise): ``week`` (Monday), ``exercise``, ``sets``, ``reps``, volume."""
    rows = [
        {
            "week": week.week_start,
            "exercise": exercise_id,
            "sets": week.sets,
            "reps": week.reps,
            "volume_kg": week.volume_kg,
        }
        for exercise_id, weeks in weeks_by_exercise.items()
        for week in weeks
    ]
    return pd.DataFrame(rows, columns=["week", "exercise", "sets", "reps", "volume_kg"])


def monthly_frame(months_by_exercise: Mapping[str, Sequence[MonthProgress]]) -> pd.DataFrame:
    """One row per (month, exercise): ``month`` (its first day), ``exercise``, ``sets``, ``reps``,
    volume."""
    rows = [
        {
            "month": month.month_start,
            "exercise": exercise_id,
            "sets": month.sets,
            "reps": month.reps,
            "volume_kg": month.volume_kg,
        }
        for exercise_id, months in months_by_exercise.items()
        for month in months
    ]
    return pd.DataFrame(rows, columns=["month", "exercise", "sets", "reps", "volume_kg"])


def records_frame(records: Sequence[PersonalRecords], names: Mapping[str, str]) -> pd.DataFrame:
    """Personal records, one row each: exercise, record, value, date and the session to open."""
    rows: list[dict[str, object]] = []
    for record in records:
        name = names.get(record.exercise_id, record.exercise_id)
        if record.most_reps is not None:
            held = record.most_reps
            rows.append(_row(name, "Most reps in a set", f"{held.reps} reps", held))
        if record.heaviest is not None and record.heaviest.weight_kg is not None:
            held = record.heaviest
            rows.append(_row(name, "Heaviest set", f"{held.weight_kg:g} kg × {held.reps}", held))
        for reps, held in record.heaviest_by_reps.items():
            rows.append(_row(name, f"Heaviest for {reps} reps", f"{held.weight_kg:g} kg", held))
    return pd.DataFrame(rows, columns=["exercise", "record", "value", "date", "session_id"])


def _row(name: str, record: str, value: str, held: RecordSet) -> dict[str, object]:
    return {
        "exercise": name,
        "record": record,
        "value": value,
        "date": held.performed_at,
        "session_id": held.session_id,
    }
