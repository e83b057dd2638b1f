"""Progress data (``journal.progress``) as the frames the Progress page draws and lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from journal.progress import PersonalRecords, RecordSet, WeekProgress


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
