"""Finding sets: validated queries turned into SQL by pure functions, plain rows out.

API::

    SetQuery(exercise=None, date_from=None, date_to=None, min_reps=None, max_reps=None,
             min_weight_kg=None, max_weight_kg=None, notes=None, athlete=None,
             corrected=None, session_id=None, sort="-date", limit=50, offset=0)
        # ValueError on bad parameters (negative reps, from after to, unknown sort key...)
    build_select(query) -> Select            # the page of rows (pure: no database access)
    build_totals_select(query) -> Select     # sets, reps and volume of every match (pure)
    search_sets(session, query) -> SearchPage   # .rows (list[SearchRow]), .total_sets, ...
    suggest_exercises(session, text, limit=10) -> list[ExerciseInfo]   # autocomplete
    SORT_KEYS                                 # "date", "-date", "reps", "-reps", ...

Exercise text matches a name, id, alias or family ("pull-up", "pullup", "pull ups" all find
assisted pull-ups) through the normalised keys in ``exercise_aliases``: exact keys win; when no
key equals the text, any key containing it matches ("pull" finds pull-ups and pulldowns).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from journal import exercises
from journal.models import Athlete, Exercise, ExerciseAlias, ExerciseSet, WorkoutSession
from journal.views import ExerciseInfo

#: Sort keys: a leading "-" sorts descending. Ties are broken by date, then set order.
SORT_KEYS: dict[str, Any] = {
    "date": WorkoutSession.performed_at,
    "reps": ExerciseSet.reps,
    "weight": ExerciseSet.weight_kg,
    "exercise": Exercise.name,
    "confidence": ExerciseSet.model_confidence,
}
MAX_LIMIT = 1000

_S = TypeVar("_S", bound=Select)


@dataclass(frozen=True)
class SetQuery:
    """What to look for; every field is optional. Invalid values raise ``ValueError``.

    ``date_from``/``date_to`` are inclusive; a ``date`` means the whole day. ``notes`` is
    words that must all appear (any case) in the set's or the session's notes.
    """

    exercise: str | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    min_reps: int | None = None
    max_reps: int | None = None
    min_weight_kg: float | None = None
    max_weight_kg: float | None = None
    notes: str | None = None
    athlete: str | None = None
    corrected: bool | None = None
    session_id: int | None = None
    sort: str = "-date"
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        for name in ("min_reps", "max_reps"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
        for name in ("min_weight_kg", "max_weight_kg"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int | float) or not value >= 0):
                raise ValueError(f"{name} must be a number ≥ 0, got {value!r}")
        _check_range("reps", self.min_reps, self.max_reps)
        _check_range("weight", self.min_weight_kg, self.max_weight_kg)
        for name in ("date_from", "date_to"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), date):
                raise ValueError(f"{name} must be a date, got {getattr(self, name)!r}")
        if self.date_from is not None and self.date_to is not None and (
            _start_of(self.date_from) > _end_of(self.date_to)
        ):
            raise ValueError(
                f"date range is empty: from {self.date_from} is after to {self.date_to}"
            )
        key = self.sort.removeprefix("-")
        if key not in SORT_KEYS:
            raise ValueError(
                f"unknown sort key {self.sort!r}; use one of "
                + ", ".join(f"{k}, -{k}" for k in SORT_KEYS)
            )
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or not (
            1 <= self.limit <= MAX_LIMIT
        ):
            raise ValueError(f"limit must be from 1 to {MAX_LIMIT}, got {self.limit!r}")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValueError(f"offset must be a whole number ≥ 0, got {self.offset!r}")


def _check_range(what: str, low: float | None, high: float | None) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"{what} range is empty: minimum {low} is above maximum {high}")


def _start_of(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time.min)


def _end_of(value: date | datetime) -> datetime:
    """Inclusive end: a plain date covers the whole day."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value + timedelta(days=1), time.min) - timedelta(microseconds=1)


@dataclass(frozen=True)
class SearchRow:
    """One matching set, flat."""

    set_id: int
    session_id: int
    performed_at: datetime
    exercise: str
    exercise_name: str
    family: str
    reps: int
    weight_kg: float | None
    rpe: float | None
    confidence: float | None
    model_exercise: str | None
    corrected: bool
    confirmed: bool
    notes: str
    position: int
    session_title: str
    athlete: str

    @property
    def date(self) -> date:
        return self.performed_at.date()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings."""
        values = asdict(self)
        values["performed_at"] = self.performed_at.isoformat()
        values["date"] = self.date.isoformat()
        return values


@dataclass(frozen=True)
class SearchPage:
    """A page of rows plus totals over every match (not just this page)."""

    rows: list[SearchRow]
    total_sets: int
    total_reps: int
    total_volume_kg: float
    query: SetQuery


def exercise_ids_matching(text: str) -> Select[str]:
    """Subquery of exercise ids a typed text denotes (exact keys first, else substrings)."""
    key = exercises.normalize_name(text)
    exact = ExerciseAlias.key == key
    has_exact = exists().where(exact)
    # Keys are [0-9a-z°] only, so the LIKE pattern holds no wildcards.
    return select(ExerciseAlias.exercise_id).where(
        or_(exact, and_(~has_exact, ExerciseAlias.key.contains(key)), ExerciseAlias.exercise_id
            == text.strip())
    )


def _conditions(query: SetQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.exercise is not None and query.exercise.strip():
        where.append(ExerciseSet.exercise_id.in_(exercise_ids_matching(query.exercise)))
    if query.date_from is not None:
        where.append(WorkoutSession.performed_at >= _start_of(query.date_from))
    if query.date_to is not None:
        where.append(WorkoutSession.performed_at <= _end_of(query.date_to))
    if query.min_reps is not None:
        where.append(ExerciseSet.reps >= query.min_reps)
    if query.max_reps is not None:
        where.append(ExerciseSet.reps <= query.max_reps)
    if query.min_weight_kg is not None:
        where.append(ExerciseSet.weight_kg >= query.min_weight_kg)
    if query.max_weight_kg is not None:
        where.append(ExerciseSet.weight_kg <= query.max_weight_kg)
    for word in (query.notes or "").split():
        needle = word.lower()
        where.append(or_(
            func.lower(ExerciseSet.notes).contains(needle, autoescape=True),
            func.lower(WorkoutSession.notes).contains(needle, autoescape=True),
        ))
    if query.athlete:
        where.append(Athlete.name == query.athlete)
    if query.corrected is not None:
        where.append(ExerciseSet.corrected.is_(query.corrected))
    if query.session_id is not None:
        where.append(ExerciseSet.session_id == query.session_id)
    return where


def _joined(select_: _S) -> _S:
    return (
        select_.select_from(ExerciseSet)
        .join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id)
        .join(Exercise, ExerciseSet.exercise_id == Exercise.id)
        .join(Athlete, WorkoutSession.athlete_id == Athlete.id)
    )


def build_select(query: SetQuery) -> Select:
    """The SELECT of one page of matching sets, sorted (pure: builds SQL, runs nothing)."""
    key = query.sort.removeprefix("-")
    column = SORT_KEYS[key]
    order = column.desc() if query.sort.startswith("-") else column.asc()
    tie = (WorkoutSession.performed_at.desc(), ExerciseSet.session_id.desc(),
           ExerciseSet.position.asc())
    return (
        _joined(select(
            ExerciseSet.id.label("set_id"),
            ExerciseSet.session_id,
            WorkoutSession.performed_at,
            ExerciseSet.exercise_id.label("exercise"),
            Exercise.name.label("exercise_name"),
            Exercise.family,
            ExerciseSet.reps,
            ExerciseSet.weight_kg,
            ExerciseSet.rpe,
            ExerciseSet.model_confidence.label("confidence"),
            ExerciseSet.model_exercise_id.label("model_exercise"),
            ExerciseSet.corrected,
            ExerciseSet.confirmed,
            ExerciseSet.notes,
            ExerciseSet.position,
            WorkoutSession.title.label("session_title"),
            Athlete.name.label("athlete"),
        ))
        .where(*_conditions(query))
        .order_by(order.nulls_last(), *tie)
        .limit(query.limit)
        .offset(query.offset)
    )


def build_totals_select(query: SetQuery) -> Select[int, int, float]:
    """The SELECT of (sets, reps, volume kg) over every match of ``query`` (pure)."""
    return _joined(select(
        func.count(ExerciseSet.id),
        func.coalesce(func.sum(ExerciseSet.reps), 0),
        func.coalesce(func.sum(ExerciseSet.reps * ExerciseSet.weight_kg), 0.0),
    )).where(*_conditions(query))


def search_sets(session: Session, query: SetQuery) -> SearchPage:
    """Run ``query``: one page of rows and the totals for all matches."""
    rows = [SearchRow(**row._asdict()) for row in session.execute(build_select(query))]
    total_sets, total_reps, volume = session.execute(build_totals_select(query)).one()
    return SearchPage(
        rows=rows,
        total_sets=int(total_sets),
        total_reps=int(total_reps),
        total_volume_kg=float(volume),
        query=query,
    )


def suggest_exercises(session: Session, text: str, limit: int = 10) -> list[ExerciseInfo]:
    """Exercises for an autocomplete box, best first.

    Exact key matches, then keys starting with the text, then keys containing it; an empty
    text gives the most used exercises.
    """
    key = exercises.normalize_name(text)
    if not key:
        usage = (
            select(Exercise, func.count(ExerciseSet.id).label("n"))
            .outerjoin(ExerciseSet, ExerciseSet.exercise_id == Exercise.id)
            .where(Exercise.family != "rest")
            .group_by(Exercise.id)
            .order_by(func.count(ExerciseSet.id).desc(), Exercise.name)
            .limit(limit)
        )
        found = [row[0] for row in session.execute(usage)]
    else:
        pairs = session.execute(
            select(Exercise, ExerciseAlias.key)
            .join(ExerciseAlias, ExerciseAlias.exercise_id == Exercise.id)
            .where(ExerciseAlias.key.contains(key))
        ).all()
        rank: dict[str, tuple[int, str]] = {}
        by_id: dict[str, Exercise] = {}
        for exercise, alias_key in pairs:
            score = 0 if alias_key == key else 1 if alias_key.startswith(key) else 2
            by_id[exercise.id] = exercise
            rank[exercise.id] = min(rank.get(exercise.id, (3, "")), (score, exercise.name))
        found = [by_id[i] for i in sorted(rank, key=lambda i: rank[i])][:limit]
    return [
        ExerciseInfo(id=e.id, name=e.name, family=e.family, is_custom=e.is_custom) for e in found
    ]
