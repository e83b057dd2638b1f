"""SQL for set searches: one statement template per query shape, cached, values bound.

A *shape* says which filters a ``SetQuery`` uses and how it sorts; building SQLAlchemy
expressions costs more than running them on an indexed journal, so each shape is built once.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    UnaryExpression,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from journal import exercises
from journal.models import Athlete, Exercise, ExerciseAlias, ExerciseSet, WorkoutSession
from journal.progress import E1RM_MAX_REPS


class name_order(FunctionElement[str]):  # noqa: N801 - used like func.lower
    """ORDER BY key for names: lower case, in code point order, whatever the database's
    collation. Names then sort alike on SQLite (binary) and on PostgreSQL, whose databases
    often collate by en_US rules (case-blind, spaces and hyphens ignored) and sometimes by C
    (capitals before every lower-case letter)."""

    type = String()
    inherit_cache = True


@compiles(name_order)
def _name_order(element: name_order, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(name_order, "postgresql")
def _name_order_postgresql(element: name_order, compiler: Any, **kw: Any) -> str:
    return f'lower({compiler.process(element.clauses, **kw)}) COLLATE "C"'


if TYPE_CHECKING:
    from journal.search import SetQuery


def is_assisted(exercise_id: Any) -> ColumnElement[bool]:
    """``exercises.is_assisted`` in SQL: the catalog's assisted exercises, and the user's own
    ones whose id (``custom:`` + the normalised name) says "assist"."""
    return or_(
        exercise_id.in_(exercises.ASSISTED_IDS),
        exercise_id.like(f"{exercises.CUSTOM_PREFIX}%{exercises.ASSISTED_WORD}%"),
    )


def estimated_one_rep_max(exercise_id: Any, weight_kg: Any, reps: Any) -> ColumnElement[float]:
    """``progress.estimated_one_rep_max`` of a set in SQL, NULL for an assisted exercise (its kg
    are the machine's help) as on the Progress page.

    The same double-precision steps as Python's ``weight_kg * (1 + reps / 30)`` (reps cast to a
    float first: PostgreSQL would divide an integer in NUMERIC), so the values are equal to the
    last bit on SQLite and PostgreSQL.
    """
    return case(
        (is_assisted(exercise_id), None),
        (and_(weight_kg > 0, reps == 1), weight_kg),
        (and_(weight_kg > 0, reps > 1, reps <= E1RM_MAX_REPS),
         weight_kg * (1.0 + cast(reps, Float) / 30.0)),
        else_=None,
    )


#: A set's estimated one-rep max (None where there is none).
SET_E1RM = estimated_one_rep_max(ExerciseSet.exercise_id, ExerciseSet.weight_kg, ExerciseSet.reps)

#: Sort keys: a leading "-" sorts descending. Ties are broken by date, then set order.
SORT_KEYS: dict[str, Any] = {
    "date": ExerciseSet.performed_at,
    "reps": ExerciseSet.reps,
    "weight": ExerciseSet.weight_kg,
    "exercise": name_order(Exercise.name),
    "confidence": ExerciseSet.model_confidence,
    "e1rm": SET_E1RM,
}
#: Keys whose value a set may lack: those sets come last, whichever the direction.
_MAY_LACK = frozenset({"weight", "confidence", "e1rm"})
#: Most rows one page may hold.
MAX_LIMIT = 1000

_S = TypeVar("_S", bound=Select)


def start_of(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time.min)


def end_of(value: date | datetime) -> datetime:
    """Inclusive end: a plain date covers the whole day."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value + timedelta(days=1), time.min) - timedelta(microseconds=1)


def _exercise_ids(key: Any, text: Any) -> Select[str]:
    exact = ExerciseAlias.key == key
    # A name, id or family typed whole means those exercises only ("Barbell bench press" is not
    # the incline one). An alias does not: "cable row", the neutral-grip row's, also finds the
    # close-grip cable row, whose name holds it, as a word no key equals would.
    names_some = exists().where(exact, ExerciseAlias.kind.in_(("name", "id", "family")))
    # Keys are [0-9a-z°] only, so the LIKE pattern holds no wildcards.
    return select(ExerciseAlias.exercise_id).where(
        or_(exact, and_(~names_some, ExerciseAlias.key.contains(key)),
            ExerciseAlias.exercise_id == text)
    )


def exercise_ids_matching(text: str) -> Select[str]:
    """Subquery of exercise ids a typed text denotes: those it names whole (name, id or family),
    else those whose keys hold it (an alias typed whole among them)."""
    return _exercise_ids(exercises.normalize_name(text), text.strip())


#: Which filters a query uses and its sort (see ``query_shape``).
Shape = tuple[Any, ...]


def _note_words(query: SetQuery) -> list[str]:
    return (query.notes or "").lower().split()


def query_shape(query: SetQuery) -> Shape:
    return (
        bool(query.exercise and query.exercise.strip()),
        query.date_from is not None, query.date_to is not None,
        query.min_reps is not None, query.max_reps is not None,
        query.min_weight_kg is not None, query.max_weight_kg is not None,
        len(_note_words(query)), bool(query.athlete), query.corrected,
        query.session_id is not None, query.sort,
    )


def _escape_like(word: str) -> str:
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def bound_values(query: SetQuery) -> dict[str, Any]:
    """Bound values for the statement of ``query_shape(query)``."""
    values: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    if query.exercise and query.exercise.strip():
        values["exercise_key"] = exercises.normalize_name(query.exercise)
        values["exercise_text"] = query.exercise.strip()
    if query.date_from is not None:
        values["date_from"] = start_of(query.date_from)
    if query.date_to is not None:
        values["date_to"] = end_of(query.date_to)
    for name in ("min_reps", "max_reps", "min_weight_kg", "max_weight_kg", "athlete",
                 "session_id"):
        if getattr(query, name) not in (None, ""):
            values[name] = getattr(query, name)
    for index, word in enumerate(_note_words(query)):
        values[f"note_{index}"] = _escape_like(word)
    return values


def _sessions_drive(shape: Shape) -> bool:
    """Whether the lifter's sessions, read in date order, should drive the query: when it names
    no exercise. (With one, the exercise's sets, by ix_exercise_sets_exercise_performed, are
    fewer.) The SQL says so to the database, which cannot tell from the indexes alone how many
    sessions a lifter has (SQLite guesses ten)."""
    return not shape[0]


def _conditions(shape: Shape, *, sessions_joined: bool = True) -> list[ColumnElement[bool]]:
    (exercise, date_from, date_to, min_reps, max_reps, min_weight, max_weight, n_words,
     athlete, corrected, session_id, _) = shape
    where: list[ColumnElement[bool]] = []
    if sessions_joined and _sessions_drive(shape):
        # The sets' date-time is their session's (the store keeps them equal): the same range
        # on the session lets ix_workout_sessions_athlete_performed skip the sessions out of it.
        if date_from:
            where.append(WorkoutSession.performed_at >= bindparam("date_from"))
        if date_to:
            where.append(WorkoutSession.performed_at <= bindparam("date_to"))
    if exercise:
        where.append(ExerciseSet.exercise_id.in_(
            _exercise_ids(bindparam("exercise_key"), bindparam("exercise_text"))))
    for present, condition in (
        (date_from, ExerciseSet.performed_at >= bindparam("date_from")),
        (date_to, ExerciseSet.performed_at <= bindparam("date_to")),
        (min_reps, ExerciseSet.reps >= bindparam("min_reps")),
        (max_reps, ExerciseSet.reps <= bindparam("max_reps")),
        (min_weight, ExerciseSet.weight_kg >= bindparam("min_weight_kg")),
        (max_weight, ExerciseSet.weight_kg <= bindparam("max_weight_kg")),
        (athlete, Athlete.name == bindparam("athlete")),
        (session_id, ExerciseSet.session_id == bindparam("session_id")),
    ):
        if present:
            where.append(condition)
    for index in range(n_words):
        word: BindParameter[str] = bindparam(f"note_{index}", type_=String)
        where.append(or_(
            func.lower(ExerciseSet.notes).contains(word, escape="/"),
            func.lower(WorkoutSession.notes).contains(word, escape="/"),
        ))
    if corrected is not None:
        where.append(ExerciseSet.corrected.is_(corrected))
    return where


def _joined(select_: _S, *, exercise: bool = True) -> _S:
    """``select_`` over the sets joined to their session and athlete, and to their exercise
    unless ``exercise`` is False (every set has one: that join never drops a set)."""
    joined = (
        select_.select_from(ExerciseSet)
        .join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id)
    )
    if exercise:
        joined = joined.join(Exercise, ExerciseSet.exercise_id == Exercise.id)
    return joined.join(Athlete, WorkoutSession.athlete_id == Athlete.id)


@functools.lru_cache(maxsize=256)
def page_statement(shape: Shape) -> Select:
    sort = shape[-1]
    column = SORT_KEYS[sort.removeprefix("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    if sort.removeprefix("-") in _MAY_LACK:
        order = order.nulls_last()
    tie: tuple[UnaryExpression[Any], ...] = (
        ExerciseSet.performed_at.desc(), ExerciseSet.session_id.desc(),
        ExerciseSet.position.asc())
    if sort.removeprefix("-") == "date" and _sessions_drive(shape):
        # The same order in the session's columns (a set's date-time is its session's): the
        # database then walks the lifter's sessions newest (or oldest) first by
        # ix_workout_sessions_athlete_performed, each one's sets by position, and stops after a
        # page, where sorting by the set's own date-time sorted every set of the lifter.
        session_date = WorkoutSession.performed_at
        order = session_date.desc() if sort.startswith("-") else session_date.asc()
        tie = (WorkoutSession.id.desc(), ExerciseSet.position.asc())
    return (
        _joined(select(
            ExerciseSet.id.label("set_id"),
            ExerciseSet.session_id,
            ExerciseSet.performed_at,
            ExerciseSet.exercise_id.label("exercise"),
            Exercise.name.label("exercise_name"),
            Exercise.family,
            ExerciseSet.reps,
            ExerciseSet.weight_kg,
            SET_E1RM.label("e1rm_kg"),
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
        .where(*_conditions(shape))
        .order_by(order, *tie)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


@functools.lru_cache(maxsize=256)
def all_rows_statement(shape: Shape) -> Select:
    """``page_statement`` without its page: every matching set, in the same order."""
    return page_statement(shape).limit(None).offset(None)


@functools.lru_cache(maxsize=256)
def totals_statement(shape: Shape) -> Select[int, int, float]:
    totals = select(
        func.count(ExerciseSet.id),
        func.coalesce(func.sum(ExerciseSet.reps), 0),
        # ``progress.set_volume_kg`` in SQL: assisted exercises add no volume (less kg is harder).
        func.coalesce(func.sum(case(
            (is_assisted(ExerciseSet.exercise_id), None),
            else_=ExerciseSet.reps * ExerciseSet.weight_kg,
        )), 0.0),
    )
    n_words, athlete = shape[7], shape[8]
    sessions_joined = bool(athlete or n_words)  # only these filters read the session row
    if sessions_joined:
        # Without the exercise's row when the sessions drive: every set has one, and reading
        # it costs a lookup per set. With an exercise filter the join lets SQLite start from
        # the matching exercises, then their sets by ix_exercise_sets_exercise_performed.
        totals = _joined(totals, exercise=not _sessions_drive(shape))
    return totals.where(*_conditions(shape, sessions_joined=sessions_joined))
