"""Corrections made on the Session page, each one transaction, reps recounted by ``ml`` on the span.

No Streamlit here. Moving, splitting, merging or adding a set recounts its reps on the stored
signal of its recording (the journal itself runs no ml), so the table and the rep markers agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from journal import catalog, edits
from journal.db import session_factory, write_transaction
from journal.store import delete_session, list_exercises, load_recording
from journal.views import JournalError, SetView
from ml.pipeline import recount
from ml.recordings import Recording


def _recording_of(session: Session, set_id: int) -> Recording:
    row = edits.set_for_edit(session, set_id)
    if row.recording_id is None:
        raise JournalError(f"set {row.position} was typed in, not recorded: it has no signal")
    return load_recording(session, row.recording_id)


def own_exercises(engine: Engine) -> dict[str, str]:
    """The user's own exercises, id → name, offered in every picker beside the catalog's."""
    with session_factory(engine)() as session:
        return {e.id: e.name for e in list_exercises(session) if e.is_custom}


def name_exercise(engine: Engine, name: str, family: str) -> tuple[str, bool]:
    """Add the user's own exercise (or find the one the name already denotes): (id, created)."""
    return write_transaction(engine, lambda session: catalog.name_exercise(session, name, family))


def save_table_changes(engine: Engine, changes: Mapping[int, Mapping[str, Any]]) -> int:
    """Apply the set table's edits (per set id, ``update_set`` fields); returns sets changed."""

    def work(session: Session) -> int:
        for set_id, fields in changes.items():
            edits.update_set(session, set_id, **fields)
        return len(changes)

    return write_transaction(engine, work)


def _within(recording: Recording, end_s: float) -> float:
    """A typed end past the recording's end: the set ends with the recording."""
    return min(end_s, recording.duration_s)


def adjust(engine: Engine, set_id: int, start_s: float, end_s: float) -> SetView:
    """Move a set's start and end, recounting its reps on the new span (a count the user typed
    is kept: ``kept_count_note`` says so)."""

    def work(session: Session) -> SetView:
        recording = _recording_of(session, set_id)
        reps, times = recount(recording, start_s, end_s)
        return edits.adjust_set(session, set_id, start_s=start_s,
                                end_s=_within(recording, end_s), reps=reps, rep_times_s=times)

    return write_transaction(engine, work)


def confirm_sets(engine: Engine, set_ids: Sequence[int]) -> int:
    """Confirm these sets as they stand (exercise and reps checked by the lifter); returns how
    many. The pages ask no more about them, and retraining learns from them."""

    def work(session: Session) -> int:
        for set_id in set_ids:
            edits.update_set(session, set_id, confirmed=True)
        return len(set_ids)

    return write_transaction(engine, work)


def free_span(spans: Sequence[tuple[float, float]], duration_s: float) -> tuple[float, float]:
    """Where the Add tool first offers a new set: the longest stretch of the recording that no
    set covers, to the half second inward (its number inputs step by 0.5 s). A recording its
    sets cover whole offers its first 30 s, which the store then refuses, saying why."""
    edges = sorted((max(0.0, start), min(duration_s, end)) for start, end in spans)
    free, reached = [], 0.0
    for start, end in [*edges, (duration_s, duration_s)]:
        if start > reached:
            free.append((reached, start))
        reached = max(reached, end)
    if not free:
        return 0.0, min(30.0, duration_s)
    start, end = max(free, key=lambda gap: gap[1] - gap[0])
    inward = math.ceil(start * 2) / 2, math.floor(end * 2) / 2
    return inward if inward[1] > inward[0] else (start, end)


def kept_count_note(view: SetView) -> str:
    """After a move or merge: the user's typed count that was kept, beside the counter's."""
    if view.model_reps is None or view.reps == view.model_reps:
        return ""
    return (f"; your count of {view.reps} reps is kept (the counter reads {view.model_reps}: "
            f"type another count in the table if that is wrong)")


def split_in(session: Session, set_id: int, at_s: float) -> tuple[SetView, SetView]:
    """``split`` inside the caller's transaction."""
    # Checked before recounting: the recount's refusal would not say it is about a split.
    # Read under the session's lock, so the halves are counted on the span being split.
    start_s, end_s = edits.check_split_point(edits.set_for_edit(session, set_id), at_s)
    recording = _recording_of(session, set_id)
    first_reps, first_times = recount(recording, start_s, at_s)
    second_reps, second_times = recount(recording, at_s, end_s)
    return edits.split_set(
        session,
        set_id,
        at_s,
        first_reps=first_reps,
        second_reps=second_reps,
        first_rep_times_s=first_times,
        second_rep_times_s=second_times,
    )


def split(engine: Engine, set_id: int, at_s: float) -> tuple[SetView, SetView]:
    """Split a set in two at ``at_s``, each half recounted."""
    return write_transaction(engine, lambda session: split_in(session, set_id, at_s))


def merge(engine: Engine, first_set_id: int, second_set_id: int) -> SetView:
    """Merge two sets into the first, recounted over the span covering both."""

    def work(session: Session) -> SetView:
        # Read under the session's lock: the recount below stays true until the merge is saved.
        first = edits.set_for_edit(session, first_set_id)
        second = edits.set_for_edit(session, second_set_id)
        spans = [(s.start_s, s.end_s) for s in (first, second)]
        times: tuple[float, ...] = ()
        if any(start is None or end is None for start, end in spans):
            reps = first.reps + second.reps
        else:
            start_s = min(float(start) for start, _ in spans if start is not None)
            end_s = max(float(end) for _, end in spans if end is not None)
            reps, times = recount(_recording_of(session, first_set_id), start_s, end_s)
        return edits.merge_sets(session, first_set_id, second_set_id, reps=reps, rep_times_s=times)

    return write_transaction(engine, work)


def add(
    engine: Engine, session_id: int, recording_id: int, exercise: str, start_s: float, end_s: float
) -> SetView:
    """Add a set the segmenter missed on ``[start_s, end_s]`` of a recording, reps counted."""

    def work(session: Session) -> SetView:
        recording = load_recording(session, recording_id)
        reps, times = recount(recording, start_s, end_s)
        return edits.add_set(
            session,
            session_id,
            exercise=exercise,
            reps=reps,
            start_s=start_s,
            end_s=_within(recording, end_s),
            rep_times_s=times,
            recording_id=recording_id,
            reps_counted=True,
        )

    return write_transaction(engine, work)


def delete_set(engine: Engine, set_id: int) -> None:
    """Remove one set (the others are renumbered)."""
    write_transaction(engine, lambda session: edits.delete_set(session, set_id))


def remove_session(engine: Engine, session_id: int) -> None:
    """Delete a session with its sets and recording."""
    write_transaction(engine, lambda session: delete_session(session, session_id))
