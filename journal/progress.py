"""Progress over time: weekly sets, reps and volume, personal records, training days.

API::

    weekly_progress(session, exercise_id, *, athlete=None, date_from=None, date_to=None)
        -> list[WeekProgress]          # one row per ISO week with sets, oldest first
    personal_records(session, exercise_id, *, athlete=None) -> PersonalRecords
    training_days(session, *, athlete=None, date_from=None, date_to=None)
        -> list[TrainingDay]           # for a calendar

One indexed query fetches the few columns of the exercise's sets; the grouping by ISO week
happens in Python, which keeps it identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from journal.models import Athlete, ExerciseSet, WorkoutSession


@dataclass(frozen=True)
class WeekProgress:
    """Totals of one exercise in one ISO week (``week_start`` is its Monday)."""

    iso_year: int
    iso_week: int
    week_start: date
    sets: int
    reps: int
    volume_kg: float
    heaviest_kg: float | None


@dataclass(frozen=True)
class RecordSet:
    """The set that holds a record."""

    set_id: int
    session_id: int
    performed_at: datetime
    reps: int
    weight_kg: float | None


@dataclass(frozen=True)
class PersonalRecords:
    """Heaviest weight for each rep count (``heaviest_by_reps[r]``: exactly r reps), most reps."""

    exercise_id: str
    heaviest_by_reps: dict[int, RecordSet]
    most_reps: RecordSet | None
    heaviest: RecordSet | None


@dataclass(frozen=True)
class TrainingDay:
    """A day with at least one session."""

    day: date
    sessions: int
    sets: int
    reps: int


_S = TypeVar("_S", bound=Select)


def _window(
    query: _S,
    athlete: str | None,
    date_from: date | None,
    date_to: date | None,
) -> _S:
    if athlete:
        query = query.join(Athlete, WorkoutSession.athlete_id == Athlete.id).where(
            Athlete.name == athlete
        )
    if date_from is not None:
        query = query.where(WorkoutSession.performed_at >= datetime.combine(date_from, time.min))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        query = query.where(WorkoutSession.performed_at < end)
    return query


def _set_rows(
    session: Session,
    exercise_id: str,
    athlete: str | None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Any]:
    query = (
        select(
            ExerciseSet.id,
            ExerciseSet.session_id,
            WorkoutSession.performed_at,
            ExerciseSet.reps,
            ExerciseSet.weight_kg,
        )
        .join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id)
        .where(ExerciseSet.exercise_id == exercise_id)
        .order_by(WorkoutSession.performed_at, ExerciseSet.position)
    )
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(f"date range is empty: from {date_from} is after to {date_to}")
    return list(session.execute(_window(query, athlete, date_from, date_to)))


def weekly_progress(
    session: Session,
    exercise_id: str,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[WeekProgress]:
    """Sets, reps and volume (weight × reps) of one exercise per ISO week, oldest first."""
    weeks: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in _set_rows(session, exercise_id, athlete, date_from, date_to):
        iso = row.performed_at.isocalendar()
        weeks[(iso.year, iso.week)].append(row)
    result = []
    for (year, week), rows in sorted(weeks.items()):
        weights = [r.weight_kg for r in rows if r.weight_kg is not None]
        result.append(WeekProgress(
            iso_year=year,
            iso_week=week,
            week_start=date.fromisocalendar(year, week, 1),
            sets=len(rows),
            reps=sum(r.reps for r in rows),
            volume_kg=float(sum((r.weight_kg or 0.0) * r.reps for r in rows)),
            heaviest_kg=max(weights) if weights else None,
        ))
    return result


def _record(row: Any) -> RecordSet:
    return RecordSet(
        set_id=row.id,
        session_id=row.session_id,
        performed_at=row.performed_at,
        reps=row.reps,
        weight_kg=row.weight_kg,
    )


def personal_records(
    session: Session, exercise_id: str, *, athlete: str | None = None
) -> PersonalRecords:
    """Heaviest weight lifted for each rep count, the most reps in one set, the heaviest set.

    ``heaviest_by_reps[r]`` is the heaviest set of exactly ``r`` reps (sets without a weight
    do not count); on ties the earliest set holds the record.
    """
    rows = _set_rows(session, exercise_id, athlete)
    by_reps: dict[int, Any] = {}
    most_reps = heaviest = None
    for row in rows:  # oldest first, so ">" keeps the first to reach a record
        if row.weight_kg is not None and row.reps > 0:
            best = by_reps.get(row.reps)
            if best is None or row.weight_kg > best.weight_kg:
                by_reps[row.reps] = row
            if heaviest is None or row.weight_kg > heaviest.weight_kg:
                heaviest = row
        if most_reps is None or row.reps > most_reps.reps:
            most_reps = row
    return PersonalRecords(
        exercise_id=exercise_id,
        heaviest_by_reps={reps: _record(r) for reps, r in sorted(by_reps.items())},
        most_reps=_record(most_reps) if most_reps is not None else None,
        heaviest=_record(heaviest) if heaviest is not None else None,
    )


def training_days(
    session: Session,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[TrainingDay]:
    """Days with sessions (and their set and rep counts), oldest first."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(f"date range is empty: from {date_from} is after to {date_to}")
    per_session = _window(
        select(
            WorkoutSession.performed_at,
            func.count(ExerciseSet.id),
            func.coalesce(func.sum(ExerciseSet.reps), 0),
        )
        .select_from(WorkoutSession)
        .outerjoin(ExerciseSet, ExerciseSet.session_id == WorkoutSession.id)
        .group_by(WorkoutSession.id, WorkoutSession.performed_at),
        athlete,
        date_from,
        date_to,
    )
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for performed_at, n_sets, reps in session.execute(per_session):
        totals = days[performed_at.date()]
        totals[0] += 1
        totals[1] += int(n_sets)
        totals[2] += int(reps)
    return [
        TrainingDay(day=day, sessions=t[0], sets=t[1], reps=t[2]) for day, t in sorted(days.items())
    ]
