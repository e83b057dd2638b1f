"""Progress over time: weekly sets, reps and volume, personal records, training days.

API::

    weekly_progress(session, exercise_id, *, athlete=None, date_from=None, date_to=None)
        -> list[WeekProgress]          # one row per ISO week with sets, oldest first
    monthly_progress(session, exercise_id, *, athlete=None, date_from=None, date_to=None)
        -> list[MonthProgress]         # one row per calendar month with sets, oldest first
    personal_records(session, exercise_id, *, athlete=None, date_from=None, date_to=None)
        -> PersonalRecords             # the best sets within the dates (all time without them)
    exercise_progress(session, exercise_id, ...) -> ExerciseProgress   # weeks, records and
                                       # months (grouped when asked) from one query
    training_days(session, *, athlete=None, date_from=None, date_to=None)
        -> list[TrainingDay]           # for a calendar
    most_trained(session, *, athlete=None, date_from=None, date_to=None)
        -> list[str]                   # exercise ids with sets, most sets first
    session_records(session, session_id) -> list[SessionRecord]   # the records a session set
    estimated_one_rep_max(weight_kg, reps) -> float | None   # Epley, up to 10 reps
    set_volume_kg(exercise_id, weight_kg, reps) -> float | None   # weight × reps, not assisted

Weeks and months carry their best estimated one-rep max, and the records the set that holds
the best one: a lifter's strength over sets of different reps (5 × 100 kg vs 8 × 90 kg). An
assisted exercise has no estimate (its kg are the machine's help): its weeks and months carry
their least assistance instead, and the reps of that set.

The dates are whole local days, both included; the database filters by them (one range
condition on ``performed_at``), on SQLite and PostgreSQL alike.

``athlete=None`` reads everyone's sets; the app always names its lifter.

One query on the (exercise, date) index fetches the few columns of the exercise's sets; the
grouping by ISO week (or month) happens in Python, which keeps it identical on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, Literal, NamedTuple, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from journal import exercises
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
    #: The best ``estimated_one_rep_max`` of the week's sets (None: none has one).
    best_e1rm_kg: float | None = None
    #: An assisted exercise's strength (``exercises.is_assisted``): the least help (kg) among
    #: the week's sets with a weight and reps, 0 kg (done unassisted) the best; None for other
    #: exercises, or a week without such a set.
    least_assistance_kg: float | None = None
    #: The reps of that set: the most done at that assistance (61 kg × 11 beats 61 kg × 6).
    least_assistance_reps: int | None = None


@dataclass(frozen=True)
class MonthProgress:
    """Totals of one exercise in one calendar month (``month_start`` is its first day)."""

    month_start: date
    sets: int
    reps: int
    volume_kg: float
    heaviest_kg: float | None
    best_e1rm_kg: float | None = None
    #: As ``WeekProgress``'s, over the month.
    least_assistance_kg: float | None = None
    least_assistance_reps: int | None = None


@dataclass(frozen=True)
class RecordSet:
    """The set that holds a record."""

    set_id: int
    session_id: int
    performed_at: datetime
    reps: int
    weight_kg: float | None

    @property
    def e1rm_kg(self) -> float | None:
        """The set's ``estimated_one_rep_max``."""
        return estimated_one_rep_max(self.weight_kg, self.reps)


@dataclass(frozen=True)
class PersonalRecords:
    """The best weight for each rep count (``best_by_reps[r]``: exactly r reps), the best set
    (``best``), the most reps and the set of the best estimated one-rep max (``best_e1rm``).

    The best weight is the heaviest; for an assisted exercise (``assisted``, from the catalog:
    the weight is the machine's help) it is the lightest, the least assistance, and there is no
    estimated one-rep max.
    """

    exercise_id: str
    best_by_reps: dict[int, RecordSet]
    most_reps: RecordSet | None
    best: RecordSet | None
    assisted: bool = False
    best_e1rm: RecordSet | None = None


@dataclass(frozen=True)
class TrainingDay:
    """A day with at least one session."""

    day: date
    sessions: int
    sets: int
    reps: int


_S = TypeVar("_S", bound=Select)

#: Sets of more reps than this give no estimated one-rep max: the formulas drift apart beyond
#: about ten reps (Epley, Brzycki and Lombardi agree within about 5% up to 10).
E1RM_MAX_REPS = 10


def estimated_one_rep_max(weight_kg: float | None, reps: int) -> float | None:
    """The weight one rep could lift, estimated from a set (Epley: w × (1 + reps / 30)).

    A single is its own weight. None without a weight (or at 0 kg), or beyond
    ``E1RM_MAX_REPS`` reps. Not meant for assisted exercises, whose weight is help.
    """
    if weight_kg is None or weight_kg <= 0 or not 1 <= reps <= E1RM_MAX_REPS:
        return None
    return weight_kg if reps == 1 else weight_kg * (1 + reps / 30)


def set_volume_kg(exercise_id: str, weight_kg: float | None, reps: int) -> float | None:
    """A set's volume, weight × reps; None without a weight, or on an assisted exercise
    (``exercises.is_assisted``): its kg are the machine's help, so more of them would read as
    more work where it is less. The Journal's column counts it so, and the Progress totals
    (``_totals``) by the same rule, decided once per exercise rather than per set."""
    if weight_kg is None or exercises.is_assisted(exercise_id):
        return None
    return weight_kg * reps


def _window(
    query: _S,
    column: Any,
    athlete: str | None,
    date_from: date | None,
    date_to: date | None,
) -> _S:
    """Restrict a query to one athlete (its sessions must be joined) and a date range."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(f"date range is empty: from {date_from} is after to {date_to}")
    if athlete:
        query = query.join(Athlete, WorkoutSession.athlete_id == Athlete.id).where(
            Athlete.name == athlete
        )
    if date_from is not None:
        query = query.where(column >= datetime.combine(date_from, time.min))
    if date_to is not None:
        query = query.where(column < datetime.combine(date_to + timedelta(days=1), time.min))
    return query


#: One set as progress reads it: (set id, session id, performed_at, reps, weight kg or None).
SetTuple = tuple[int, int, datetime, int, float | None]


def _set_rows(
    session: Session,
    exercise_id: str,
    athlete: str | None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[SetTuple]:
    """The exercise's sets, oldest first, read from the (exercise, date) index alone."""
    query = (
        select(
            ExerciseSet.id,
            ExerciseSet.session_id,
            ExerciseSet.performed_at,
            ExerciseSet.reps,
            ExerciseSet.weight_kg,
        )
        .where(ExerciseSet.exercise_id == exercise_id)
        # Only indexed columns, so the rows come from the covering index alone.
        .order_by(ExerciseSet.performed_at, ExerciseSet.session_id, ExerciseSet.id)
    )
    if athlete:
        query = query.join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id)
    # Core execution on the session's connection and plain tuples: thousands of rows are
    # read per call, so ORM loading and named-attribute access would dominate the time.
    session.flush()
    result = session.connection().execute(
        _window(query, ExerciseSet.performed_at, athlete, date_from, date_to))
    return [tuple(row) for row in result.all()]  # type: ignore[misc]


def weekly_progress(
    session: Session,
    exercise_id: str,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[WeekProgress]:
    """Sets, reps and volume (``set_volume_kg``: none for an assisted exercise) of one exercise
    per ISO week, oldest first; the best e1RM, or for an assisted exercise the least
    assistance."""
    return _weeks(exercise_id, _set_rows(session, exercise_id, athlete, date_from, date_to))


def monthly_progress(
    session: Session,
    exercise_id: str,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[MonthProgress]:
    """Sets, reps and volume (``set_volume_kg``) of one exercise per calendar month, oldest first.

    Months, not weeks regrouped: an ISO week straddling two months would count in one of them.
    """
    return _months(exercise_id, _set_rows(session, exercise_id, athlete, date_from, date_to))


_Key = TypeVar("_Key", bound=tuple[int, int])


class _Totals(NamedTuple):
    """One period's totals of one exercise, as ``WeekProgress`` and ``MonthProgress`` hold them."""

    sets: int
    reps: int
    volume_kg: float
    heaviest_kg: float | None
    best_e1rm_kg: float | None
    least_assistance_kg: float | None
    least_assistance_reps: int | None


def _totals(
    rows: list[SetTuple], period: Callable[[datetime], _Key], exercise_id: str
) -> list[tuple[_Key, _Totals]]:
    """The totals of each period of the rows (the sets of ``exercise_id``), oldest first; an
    assisted exercise's sets add reps and its least assistance but no volume or e1RM."""
    assisted = exercises.is_assisted(exercise_id)
    # [sets, reps, volume, heaviest, best e1RM, least assistance, its reps] per period, in one
    # pass (thousands of rows per call: plain lists, no objects per set).
    totals: dict[_Key, list[Any]] = {}
    for _, _, performed_at, reps, weight in rows:
        key = period(performed_at)
        sums = totals.get(key)
        if sums is None:
            sums = totals[key] = [0, 0, 0.0, None, None, None, None]
        sums[0] += 1
        sums[1] += reps
        if weight is None:
            continue
        if sums[3] is None or weight > sums[3]:
            sums[3] = weight
        if assisted:
            # The least help is the strongest set, as the records' best set is.
            if reps > 0 and _better_set(weight, reps, sums[5], sums[6], assisted=True):
                sums[5], sums[6] = weight, reps
            continue
        sums[2] += weight * reps  # ``set_volume_kg``'s rule, decided once for the exercise
        e1rm = estimated_one_rep_max(weight, reps)
        if e1rm is not None and (sums[4] is None or e1rm > sums[4]):
            sums[4] = e1rm
    return [(key, _Totals(sums[0], sums[1], float(sums[2]), *sums[3:]))
            for key, sums in sorted(totals.items())]


def _iso_week(performed_at: datetime) -> tuple[int, int]:
    year, week, _ = performed_at.isocalendar()
    return year, week


def _weeks(exercise_id: str, rows: list[SetTuple]) -> list[WeekProgress]:
    return [
        WeekProgress(iso_year=year, iso_week=week, week_start=date.fromisocalendar(year, week, 1),
                     **totals._asdict())
        for (year, week), totals in _totals(rows, _iso_week, exercise_id)
    ]


def _months(exercise_id: str, rows: list[SetTuple]) -> list[MonthProgress]:
    return [
        MonthProgress(month_start=date(year, month, 1), **totals._asdict())
        for (year, month), totals in _totals(rows, lambda at: (at.year, at.month), exercise_id)
    ]


def _record(row: SetTuple) -> RecordSet:
    set_id, session_id, performed_at, reps, weight = row
    return RecordSet(set_id=set_id, session_id=session_id, performed_at=performed_at,
                     reps=reps, weight_kg=weight)


def personal_records(
    session: Session,
    exercise_id: str,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> PersonalRecords:
    """The best weight for each rep count, the most reps in one set, the best set.

    ``best_by_reps[r]`` is the heaviest set of exactly ``r`` reps, the least assisted one for an
    assisted exercise (sets without a weight do not count); on ties the earliest set holds the
    record. ``best`` is the set of the best weight, of the most reps among sets of that weight.
    With dates, only the sets within them count: the records of those days.
    """
    return _records(exercise_id, _set_rows(session, exercise_id, athlete, date_from, date_to))


def _better_set(weight: float, reps: int, held_weight: float | None, held_reps: int | None, *,
                assisted: bool) -> bool:
    """Whether weight × reps beats the best set held: the better weight (the least help for an
    assisted exercise), and at the same weight more reps (61 kg × 11 after 61 kg × 6). On a
    tie the set held stays: rows come oldest first, so the first to reach it keeps it."""
    if held_weight is None or held_reps is None:
        return True
    if weight == held_weight:
        return reps > held_reps
    return weight < held_weight if assisted else weight > held_weight


def _records(exercise_id: str, rows: list[SetTuple]) -> PersonalRecords:
    assisted = exercises.is_assisted(exercise_id)
    by_reps: dict[int, SetTuple] = {}
    most_reps: SetTuple | None = None
    best: SetTuple | None = None
    best_e1rm: tuple[float, SetTuple] | None = None

    def beats(weight: float, held: SetTuple | None) -> bool:
        # Strictly: rows come oldest first, so the first to reach a record keeps it.
        return held is None or (weight < held[4] if assisted else weight > held[4])  # type: ignore[operator]

    for row in rows:
        reps, weight = row[3], row[4]
        if weight is not None and reps > 0:
            if beats(weight, by_reps.get(reps)):
                by_reps[reps] = row
            if best is None or _better_set(weight, reps, best[4], best[3], assisted=assisted):
                best = row
            e1rm = None if assisted else estimated_one_rep_max(weight, reps)
            if e1rm is not None and (best_e1rm is None or e1rm > best_e1rm[0]):
                best_e1rm = (e1rm, row)
        if most_reps is None or reps > most_reps[3]:
            most_reps = row
    return PersonalRecords(
        exercise_id=exercise_id,
        best_by_reps={reps: _record(r) for reps, r in sorted(by_reps.items())},
        most_reps=_record(most_reps) if most_reps is not None else None,
        best=_record(best) if best is not None else None,
        assisted=assisted,
        best_e1rm=_record(best_e1rm[1]) if best_e1rm is not None else None,
    )


@dataclass(frozen=True)
class ExerciseProgress:
    """Everything the progress page shows for one exercise, from one query: its weeks and
    records, and its ``months`` for a span over a year."""

    weeks: list[WeekProgress]
    records: PersonalRecords
    #: The sets read, oldest first: ``months`` groups them without a second query.
    rows: list[SetTuple] = field(repr=False, compare=False)

    @cached_property
    def months(self) -> list[MonthProgress]:
        """``monthly_progress`` of the same sets, grouped on first use (weeks are the rule)."""
        return _months(self.records.exercise_id, self.rows)


def exercise_progress(
    session: Session,
    exercise_id: str,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> ExerciseProgress:
    """``weekly_progress``, ``personal_records`` and (``.months``) ``monthly_progress`` from
    one read of the exercise's sets.

    Records are those within the same dates (all time when none are given).
    """
    rows = _set_rows(session, exercise_id, athlete, date_from, date_to)
    return ExerciseProgress(weeks=_weeks(exercise_id, rows), records=_records(exercise_id, rows),
                            rows=rows)


def training_days(
    session: Session,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[TrainingDay]:
    """Days with sessions (and their set and rep counts), oldest first."""
    per_session = _window(
        select(
            WorkoutSession.performed_at,
            func.count(ExerciseSet.id),
            func.coalesce(func.sum(ExerciseSet.reps), 0),
        )
        .select_from(WorkoutSession)
        .outerjoin(ExerciseSet, ExerciseSet.session_id == WorkoutSession.id)
        .group_by(WorkoutSession.id, WorkoutSession.performed_at),
        WorkoutSession.performed_at,
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


def most_trained(
    session: Session,
    *,
    athlete: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[str]:
    """Exercise ids by how many sets the journal holds of each (within the dates, if given),
    most first (ties by id); an exercise without sets there is not listed."""
    query = select(ExerciseSet.exercise_id, func.count(ExerciseSet.id)).group_by(
        ExerciseSet.exercise_id)
    if athlete:
        query = query.join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id)
    rows = session.execute(
        _window(query, ExerciseSet.performed_at, athlete, date_from, date_to)).all()
    return [exercise for exercise, _ in sorted(rows, key=lambda row: (-row[1], row[0]))]


#: What a session's set can be the record of: the best set by weight (``PersonalRecords.best``;
#: for an assisted exercise the least assistance) and the best estimated one-rep max.
RecordKind = Literal["heaviest", "least_assistance", "e1rm"]


@dataclass(frozen=True)
class SessionRecord:
    """A personal record a set of a session set: ``kind``, the set, and the record it beat.

    ``weight_kg`` and ``reps`` are the set's; ``e1rm_kg`` its estimate (for kind "e1rm").
    ``previous`` is the set that held the record before the session (its weight × reps, date,
    and its ``e1rm_kg``).
    """

    set_id: int
    exercise_id: str
    kind: RecordKind
    weight_kg: float
    reps: int
    previous: RecordSet

    @property
    def e1rm_kg(self) -> float | None:
        return estimated_one_rep_max(self.weight_kg, self.reps)


def session_records(session: Session, session_id: int) -> list[SessionRecord]:
    """The personal records the session set: the Progress page's records (``_records``: the
    best set, or least assistance, and the best e1RM), as they stood before the session and with
    it, for each exercise of the session with a weight and reps.

    Its set holds a record when it is the lifter's best of the exercise up to and including the
    session and beat a record held before it: so of the session's own sets only its best counts
    (a later set beating an earlier one of the same session is the record, the earlier is not),
    and an exercise never done with a weight before sets none ("first time" beats nothing).
    "Before" is Progress's order of sets: an earlier date-time, or the same one and a lower
    session id; sessions after it do not count, nor other lifters' sets. In order of the sets'
    ids, heaviest (least assistance) before e1RM for a set. One query; nothing is written.
    """
    this = aliased(WorkoutSession)
    theirs = aliased(WorkoutSession)
    in_session = select(ExerciseSet.exercise_id).where(ExerciseSet.session_id == session_id)
    query = (
        select(ExerciseSet.id, ExerciseSet.session_id, ExerciseSet.performed_at, ExerciseSet.reps,
               ExerciseSet.weight_kg, ExerciseSet.exercise_id)
        .join(this, this.id == session_id)
        .join(theirs, and_(theirs.id == ExerciseSet.session_id,
                           theirs.athlete_id == this.athlete_id))
        .where(
            ExerciseSet.exercise_id.in_(in_session),
            ExerciseSet.weight_kg.is_not(None),
            ExerciseSet.reps > 0,
            # Up to the session, in ``_set_rows``' order (a set's date-time is its session's).
            # The plain range too: the rows then come from ix_exercise_sets_exercise_performed,
            # the exercise's sets up to that date, rather than from every set of the lifter.
            ExerciseSet.performed_at <= this.performed_at,
            or_(ExerciseSet.performed_at < this.performed_at,
                and_(ExerciseSet.performed_at == this.performed_at,
                     ExerciseSet.session_id <= this.id)),
        )
        .order_by(ExerciseSet.exercise_id, ExerciseSet.performed_at, ExerciseSet.session_id,
                  ExerciseSet.id)
    )
    session.flush()
    rows_by_exercise: dict[str, list[SetTuple]] = defaultdict(list)
    for *row, exercise_id in session.connection().execute(query):
        rows_by_exercise[exercise_id].append(tuple(row))  # type: ignore[arg-type]
    found: list[SessionRecord] = []
    for exercise_id, rows in rows_by_exercise.items():
        with_it = _records(exercise_id, rows)
        if session_id not in {held.session_id for held in (with_it.best, with_it.best_e1rm)
                              if held is not None}:
            continue  # the records are older: nothing to compare (most sessions set none)
        before = _records(exercise_id, [row for row in rows if row[1] != session_id])
        best_kind: RecordKind = "least_assistance" if with_it.assisted else "heaviest"
        for kind, held, beaten in ((best_kind, with_it.best, before.best),
                                   ("e1rm", with_it.best_e1rm, before.best_e1rm)):
            if held is not None and beaten is not None and held.session_id == session_id:
                assert held.weight_kg is not None  # records are of sets with a weight
                found.append(SessionRecord(set_id=held.set_id, exercise_id=exercise_id,
                                           kind=kind, weight_kg=held.weight_kg, reps=held.reps,
                                           previous=beaten))
    return sorted(found, key=lambda record: (record.set_id, record.kind == "e1rm"))
