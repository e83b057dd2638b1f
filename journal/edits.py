"""Correcting one set at a time: change values, add, split, merge, move, delete.

The user's values change; the model's values stay beside them, and ``corrected`` says whether
the user disagreed with the model. Rep counts after a split, merge or move are re-counted by
the caller (``ml.reps`` on ``store.load_recording``) and passed in: the journal runs no model.
The recount becomes the model's reps of the changed set; a count the user typed is kept.
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from journal import catalog
from journal.models import ExerciseSet, WorkoutSession
from journal.store import fresh_ids, get_session_row
from journal.validation import (
    UNSET,
    Unset,
    check_reps,
    check_rpe,
    check_span,
    check_text,
    check_weight,
)
from journal.views import JournalError, NotFoundError, SetView, set_view


def _lock_session(session: Session, session_id: int) -> None:
    """Hold the session's row until the caller's transaction ends, so that two users editing
    the sets of one session take turns, each seeing the other's sets (overlaps, positions).
    PostgreSQL needs this; SQLite renders no FOR UPDATE, its write lock already serialises."""
    session.execute(
        select(WorkoutSession.id).where(WorkoutSession.id == session_id).with_for_update()
    )


def set_for_edit(session: Session, set_id: int) -> ExerciseSet:
    """The set, read after taking its session's lock (so as another writer left it).

    What the caller computes from it (a recount of its span) stays true until the caller's
    transaction ends: another writer's edit of the session waits for it.
    """
    session_id = session.scalar(select(ExerciseSet.session_id).where(ExerciseSet.id == set_id))
    if session_id is not None:
        _lock_session(session, session_id)
    row = session.get(ExerciseSet, set_id, populate_existing=True)
    if row is None:
        raise NotFoundError(f"no set with id {set_id} in the journal")
    return row


def _refresh_corrected(row: ExerciseSet) -> None:
    disagrees = row.model_exercise_id is not None and (
        row.exercise_id != row.model_exercise_id
        or (row.model_reps is not None and row.reps != row.model_reps)
    )
    row.corrected = bool(row.boundaries_edited or disagrees)


def _typed_reps(row: ExerciseSet) -> int | None:
    """The count the user typed for a set, or None where its reps are the counter's."""
    if row.model_reps is not None and row.reps != row.model_reps:
        return row.reps
    return None


def _renumber(session: Session, session_id: int) -> None:
    """Positions 1..n by start time (sets without times keep their relative order)."""
    session.flush()
    rows = session.scalars(
        select(ExerciseSet).where(ExerciseSet.session_id == session_id)
    ).all()
    ordered = sorted(rows, key=lambda r: (r.start_s is None, r.start_s or 0.0, r.position, r.id))
    for position, row in enumerate(ordered, start=1):
        row.position = position
    session.flush()


def _check_no_overlap(
    session: Session,
    session_id: int,
    recording_id: int | None,
    span: tuple[float | None, float | None],
    where: str,
    *,
    besides: Sequence[int] = (),
) -> None:
    """Refuse a span that would overlap another set of the same recording (``besides``: the
    sets being changed). A watch records one set at a time: an overlap would count the same reps
    twice in every total. Sets may touch (a split leaves end = start)."""
    start_s, end_s = span
    if recording_id is None or start_s is None or end_s is None:
        return
    session.flush()
    others = session.scalars(
        select(ExerciseSet)
        .where(ExerciseSet.session_id == session_id, ExerciseSet.recording_id == recording_id,
               ExerciseSet.start_s < end_s, ExerciseSet.end_s > start_s,
               ExerciseSet.id.not_in(list(besides)))
        .order_by(ExerciseSet.start_s)
    ).all()
    if others:
        other = others[0]
        raise ValueError(
            f"{where} ({start_s:g}–{end_s:g} s) would overlap set {other.position} "
            f"({other.start_s:g}–{other.end_s:g} s), and its reps would count twice: adjust, "
            f"split or delete set {other.position} instead"
        )


def _rep_times(values: Sequence[float] | None, where: str) -> list[float]:
    times = [float(t) for t in values or ()]
    if any(b < a for a, b in zip(times, times[1:], strict=False)):
        raise ValueError(f"{where}: rep times must be in increasing order")
    return times


def _view(session: Session, row: ExerciseSet) -> SetView:
    session.flush()
    session.refresh(row)
    return set_view(row)


def update_set(
    session: Session,
    set_id: int,
    *,
    exercise: str | Unset = UNSET,
    reps: int | Unset = UNSET,
    weight_kg: float | None | Unset = UNSET,
    rpe: float | None | Unset = UNSET,
    notes: str | Unset = UNSET,
    rep_times_s: Sequence[float] | Unset = UNSET,
    confirmed: bool | Unset = UNSET,
) -> SetView:
    """Change the given fields of a set; an exercise name the journal lacks becomes custom.

    Changing exercise or reps marks the set confirmed by the user unless ``confirmed`` says
    otherwise; ``corrected`` follows whether they now differ from the model's.
    """
    row = set_for_edit(session, set_id)
    where = f"set {row.position}"
    if not isinstance(exercise, Unset):
        row.exercise_id = catalog.resolve_exercise(session, exercise)
    if not isinstance(reps, Unset):
        row.reps = check_reps(reps, where)
    if not isinstance(weight_kg, Unset):
        row.weight_kg = check_weight(weight_kg, where)
    if not isinstance(rpe, Unset):
        row.rpe = check_rpe(rpe, where)
    if not isinstance(notes, Unset):
        row.notes = check_text(notes, f"{where} notes")
    if not isinstance(rep_times_s, Unset):
        row.rep_times_s = _rep_times(rep_times_s, where)
    if not isinstance(confirmed, Unset):
        row.confirmed = bool(confirmed)
    elif not (isinstance(exercise, Unset) and isinstance(reps, Unset)):
        row.confirmed = True
    _refresh_corrected(row)
    return _view(session, row)


def add_set(
    session: Session,
    session_id: int,
    *,
    exercise: str,
    reps: int,
    start_s: float | None = None,
    end_s: float | None = None,
    rep_times_s: Sequence[float] = (),
    weight_kg: float | None = None,
    rpe: float | None = None,
    notes: str = "",
    recording_id: int | None = None,
    from_model: bool = False,
    reps_counted: bool = False,
) -> SetView:
    """Add a set the model missed (or, ``from_model=False`` and no span, a typed-in set).

    A set the user drew on a recording counts as a correction of the model; a set typed in
    without a recording (manual entry, CSV import) does not. ``reps_counted``: the reps are the
    counter's on the span (kept as the model's, so that a count typed later is told apart).
    """
    _lock_session(session, session_id)
    workout = get_session_row(session, session_id)
    where = f"new set in session {session_id}"
    check_span(start_s, end_s, where)
    if recording_id is None and start_s is not None and workout.recordings:
        recording_id = workout.recordings[0].id
    _check_no_overlap(session, session_id, recording_id, (start_s, end_s), "the new set")
    row = _new_row(
        workout, fresh_ids(session, ExerciseSet)[0], where,
        exercise_id=catalog.resolve_exercise(session, exercise), reps=reps, weight_kg=weight_kg,
        rpe=rpe, notes=notes, start_s=start_s, end_s=end_s, recording_id=recording_id,
        rep_times_s=rep_times_s, model_reps=reps if reps_counted else None,
        boundaries_edited=start_s is not None and not from_model,
    )
    if start_s is not None:
        _renumber(session, session_id)
    return _view(session, row)


def _new_row(
    workout: WorkoutSession,
    set_id: int | None,
    where: str,
    *,
    exercise_id: str,
    reps: int,
    weight_kg: float | None,
    rpe: float | None,
    notes: str,
    start_s: float | None = None,
    end_s: float | None = None,
    recording_id: int | None = None,
    rep_times_s: Sequence[float] = (),
    model_reps: int | None = None,
    boundaries_edited: bool = False,
) -> ExerciseSet:
    """A new set, its values checked, appended to the session's sets (a set drawn on the
    recording counts as confirmed)."""
    row = ExerciseSet(
        id=set_id,
        session_id=workout.id,
        recording_id=recording_id,
        position=len(workout.sets) + 1,
        performed_at=workout.performed_at,
        start_s=start_s,
        end_s=end_s,
        exercise_id=exercise_id,
        reps=check_reps(reps, where),
        model_reps=model_reps,
        rep_times_s=_rep_times(rep_times_s, where),
        weight_kg=check_weight(weight_kg, where),
        rpe=check_rpe(rpe, where),
        notes=check_text(notes, f"{where} notes"),
        model_alternatives=[],
        boundaries_edited=boundaries_edited,
        confirmed=start_s is not None,
    )
    _refresh_corrected(row)
    workout.sets.append(row)
    return row


class TypedSet(TypedDict):
    """A set typed in or imported, without a recording: what ``add_typed_sets`` takes."""

    exercise: str
    reps: int
    weight_kg: float | None
    rpe: float | None
    notes: str


def add_typed_sets(
    session: Session,
    session_id: int,
    sets: Sequence[TypedSet],
    *,
    resolved: dict[str, str] | None = None,
) -> int:
    """Add sets without a recording at the end of the session, in order (a CSV import's);
    returns how many. The same sets as ``add_set`` one by one, in one lock, one range of ids
    and one flush: an import of thousands of sets needs no view of each.

    ``resolved``: exercise names already resolved (name → id), filled in here; the calls of one
    transaction may share it, a name resolving alike every time.
    """
    _lock_session(session, session_id)
    workout = get_session_row(session, session_id)
    where = f"new set in session {session_id}"
    resolved = {} if resolved is None else resolved
    for values, set_id in zip(sets, fresh_ids(session, ExerciseSet, len(sets)), strict=True):
        name = values["exercise"]
        if name not in resolved:
            resolved[name] = catalog.resolve_exercise(session, name)
        _new_row(workout, set_id, where, exercise_id=resolved[name], reps=values["reps"],
                 weight_kg=values["weight_kg"], rpe=values["rpe"], notes=values["notes"])
    session.flush()
    return len(sets)


def check_split_point(row: ExerciseSet, at_s: float) -> tuple[float, float]:
    """The set's (start, end) when it can be split at ``at_s``; refuses a set without a time
    span, or a time outside the set."""
    where = f"set {row.position}"
    if row.start_s is None or row.end_s is None:
        raise JournalError(f"{where} has no time span in a recording, so it cannot be split")
    if not row.start_s < at_s < row.end_s:
        raise ValueError(
            f"{where}: split time {at_s:g} s is not inside the set "
            f"({row.start_s:g}–{row.end_s:g} s)"
        )
    return row.start_s, row.end_s


def split_set(
    session: Session,
    set_id: int,
    at_s: float,
    *,
    first_reps: int,
    second_reps: int,
    first_rep_times_s: Sequence[float] = (),
    second_rep_times_s: Sequence[float] = (),
) -> tuple[SetView, SetView]:
    """Split a recorded set at ``at_s`` (seconds into the recording) into two sets.

    Both keep the exercise, weight and the model's exercise; the reps are the caller's
    recounts (the model's reps too: a count typed for the whole set says nothing of its
    halves). Both are marked as boundaries the user drew.
    """
    row = set_for_edit(session, set_id)
    where = f"set {row.position}"
    check_split_point(row, at_s)
    second = ExerciseSet(
        id=fresh_ids(session, ExerciseSet)[0],
        session_id=row.session_id,
        recording_id=row.recording_id,
        position=row.position,
        performed_at=row.performed_at,
        start_s=at_s,
        end_s=row.end_s,
        exercise_id=row.exercise_id,
        reps=check_reps(second_reps, where),
        rep_times_s=_rep_times(second_rep_times_s, where),
        weight_kg=row.weight_kg,
        rpe=row.rpe,
        notes="",
        model_exercise_id=row.model_exercise_id,
        model_confidence=row.model_confidence,
        model_reps=second_reps,
        model_alternatives=list(row.model_alternatives or []),
        boundaries_edited=True,
        confirmed=True,
    )
    row.end_s = at_s
    row.reps = check_reps(first_reps, where)
    row.rep_times_s = _rep_times(first_rep_times_s, where)
    row.model_reps = row.reps
    row.boundaries_edited = True
    row.confirmed = True
    for changed in (row, second):
        _refresh_corrected(changed)
    row.session.sets.append(second)
    _renumber(session, row.session_id)
    return _view(session, row), _view(session, second)


def merge_sets(
    session: Session,
    first_set_id: int,
    second_set_id: int,
    *,
    reps: int,
    rep_times_s: Sequence[float] = (),
) -> SetView:
    """Merge two sets of one session into the first (its exercise and weight; notes joined).

    ``reps`` is the caller's recount of the joined span and becomes the model's reps; where the
    user typed either set's count, the merged set keeps the sum of the two sets' counts.
    """
    first, second = set_for_edit(session, first_set_id), set_for_edit(session, second_set_id)
    if first.id == second.id:
        raise ValueError(f"cannot merge set {first.position} with itself")
    if first.session_id != second.session_id:
        raise ValueError("only sets of the same session can be merged")
    if first.start_s is not None and second.start_s is not None:
        span = (min(first.start_s, second.start_s), max(first.end_s or 0.0, second.end_s or 0.0))
        _check_no_overlap(session, first.session_id, first.recording_id, span,
                          f"sets {first.position} and {second.position} merged",
                          besides=(first.id, second.id))
        first.start_s, first.end_s = span
    counted = check_reps(reps, f"set {first.position}")
    # Where the user typed either part's count, the parts' counts add up to what they did.
    typed = any(_typed_reps(part) is not None for part in (first, second))
    first.reps = first.reps + second.reps if typed else counted
    first.model_reps = counted
    first.rep_times_s = _rep_times(rep_times_s, f"set {first.position}")
    first.notes = "\n".join(n for n in (first.notes, second.notes) if n)
    first.boundaries_edited = True
    first.confirmed = True
    _refresh_corrected(first)
    session_id = first.session_id
    session.delete(second)
    _renumber(session, session_id)
    return _view(session, first)


def adjust_set(
    session: Session,
    set_id: int,
    *,
    start_s: float,
    end_s: float,
    reps: int | None = None,
    rep_times_s: Sequence[float] | None = None,
) -> SetView:
    """Move a set's boundaries (seconds into its recording), with the caller's recount.

    The recount becomes the model's reps; a count the user typed is kept (moving a set's
    edges to where the set is does not change how many reps the user did).
    """
    row = set_for_edit(session, set_id)
    where = f"set {row.position}"
    check_span(start_s, end_s, where)
    _check_no_overlap(session, row.session_id, row.recording_id, (start_s, end_s),
                      f"{where} moved", besides=(row.id,))
    row.start_s, row.end_s = float(start_s), float(end_s)
    typed = _typed_reps(row)
    if reps is not None:
        row.model_reps = check_reps(reps, where)
        row.reps = typed if typed is not None else row.model_reps
    if rep_times_s is not None:
        row.rep_times_s = _rep_times(rep_times_s, where)
    row.boundaries_edited = True
    row.confirmed = True
    _refresh_corrected(row)
    _renumber(session, row.session_id)
    return _view(session, row)


def delete_set(session: Session, set_id: int) -> None:
    """Remove one set; the others are renumbered."""
    row = set_for_edit(session, set_id)
    session_id = row.session_id
    session.delete(row)
    _renumber(session, session_id)
