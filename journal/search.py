"""Finding sets: validated queries turned into SQL by pure functions, plain rows out.

API::

    SetQuery(exercise=None, date_from=None, date_to=None, min_reps=None, max_reps=None,
             min_weight_kg=None, max_weight_kg=None, notes=None, athlete=None,
             corrected=None, session_id=None, sort="-date", limit=50, offset=0)
        # ValueError on bad parameters (negative reps, from after to, unknown sort key...)
    build_select(query) -> Select            # the page of rows (pure: no database access)
    build_totals_select(query) -> Select     # sets, reps and volume of every match (pure)
    search_sets(session, query) -> SearchPage   # .rows (list[SearchRow]), .total_sets, ...
    all_matching_sets(session, query) -> list[SearchRow]   # every match, limit/offset ignored
    suggest_exercises(session, text, limit=10) -> list[ExerciseInfo]   # autocomplete
    SORT_KEYS                                 # "date", "-date", "reps", "-reps", ...

Each row carries the set's estimated one-rep max (``e1rm_kg``, as ``progress.
estimated_one_rep_max`` gives it: Epley up to 10 reps; None without a weight or for an assisted
exercise), computed by the database so that ``sort="-e1rm"`` ("strongest first", sets without
one last) pages like any other sort.

Exercise text matches a name, id, alias or family ("pull-up", "pullup", "pull ups" all find
assisted pull-ups) through the normalised keys in ``exercise_aliases``: exact keys win; when no
key equals the text, any key containing it matches ("pull" finds pull-ups and pulldowns).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from journal import exercises
from journal.models import Exercise, ExerciseAlias, ExerciseSet
from journal.search_sql import (
    MAX_LIMIT,
    SORT_KEYS,
    all_rows_statement,
    bound_values,
    end_of,
    exercise_ids_matching,
    page_statement,
    query_shape,
    start_of,
    totals_statement,
)
from journal.views import ExerciseInfo

__all__ = [
    "MAX_LIMIT", "SORT_KEYS", "SearchPage", "SearchRow", "SetQuery", "all_matching_sets",
    "build_select", "build_totals_select", "exercise_ids_matching", "search_sets",
    "suggest_exercises",
]


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
            start_of(self.date_from) > end_of(self.date_to)
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
    #: ``progress.estimated_one_rep_max`` of the set (None for an assisted exercise).
    e1rm_kg: float | None
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


def build_select(query: SetQuery) -> Select:
    """The SELECT of one page of matching sets, sorted (pure: builds SQL, runs nothing)."""
    values = bound_values(query)
    return page_statement(query_shape(query)).params(values)


def build_totals_select(query: SetQuery) -> Select[int, int, float]:
    """The SELECT of (sets, reps, volume kg) over every match of ``query`` (pure)."""
    values = bound_values(query)
    values.pop("limit"), values.pop("offset")
    return totals_statement(query_shape(query)).params(values)


def search_sets(session: Session, query: SetQuery) -> SearchPage:
    """Run ``query``: one page of rows and the totals for all matches."""
    session.flush()  # Core execution below does not autoflush pending edits
    connection = session.connection()  # Core rows: no ORM loading overhead
    shape, values = query_shape(query), bound_values(query)
    rows = [SearchRow(**row._asdict())
            for row in connection.execute(page_statement(shape), values)]
    total_sets, total_reps, volume = connection.execute(totals_statement(shape), values).one()
    return SearchPage(
        rows=rows,
        total_sets=int(total_sets),
        total_reps=int(total_reps),
        total_volume_kg=float(volume),
        query=query,
    )


def all_matching_sets(session: Session, query: SetQuery) -> list[SearchRow]:
    """Every set ``query`` matches, in its order: its ``limit`` and ``offset`` are ignored (a
    download of the whole result, where a page would be cut)."""
    session.flush()
    values = bound_values(query)
    values.pop("limit"), values.pop("offset")
    result = session.connection().execute(all_rows_statement(query_shape(query)), values)
    return [SearchRow(**row._asdict()) for row in result]


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
