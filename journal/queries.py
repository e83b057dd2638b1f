"""Reading sessions back: list and count them, load one with its sets and decoded signal.

Re-exported by ``journal.store`` (the journal's public API lives there).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, undefer

from journal import signal
from journal.models import Athlete, Exercise, ExerciseSet, Recording, WorkoutSession
from journal.search_sql import name_order
from journal.views import (
    ExerciseInfo,
    NotFoundError,
    SessionSummary,
    SessionView,
    session_view,
)
from ml.recordings import Recording as MlRecording
from ml.recordings import local_start_from_clock


def _athlete_filter(athlete: str | None) -> Any:
    return Athlete.name == athlete if athlete else True


def count_sessions(session: Session, *, athlete: str | None = None) -> int:
    """How many sessions the journal (or one athlete) has."""
    query = select(func.count(WorkoutSession.id)).join(Athlete).where(_athlete_filter(athlete))
    return int(session.scalar(query) or 0)


def list_sessions(
    session: Session, *, athlete: str | None = None, limit: int = 50, offset: int = 0
) -> list[SessionSummary]:
    """Sessions, newest first, with their set count, reps and exercise names."""
    if limit < 1 or offset < 0:
        raise ValueError(f"limit must be ≥ 1 and offset ≥ 0 (got limit={limit}, offset={offset})")
    workouts = session.scalars(
        select(WorkoutSession)
        .join(Athlete)
        .where(_athlete_filter(athlete))
        .order_by(WorkoutSession.performed_at.desc(), WorkoutSession.id.desc())
        .limit(limit)
        .offset(offset)
        .options(
            selectinload(WorkoutSession.sets).selectinload(ExerciseSet.exercise),
            selectinload(WorkoutSession.recordings),
            selectinload(WorkoutSession.athlete),
        )
        .execution_options(populate_existing=True)
    ).all()
    return [
        SessionSummary(
            id=w.id,
            athlete=w.athlete.name,
            performed_at=w.performed_at,
            title=w.title,
            notes=w.notes,
            n_sets=len(w.sets),
            total_reps=sum(s.reps for s in w.sets),
            exercise_names=tuple(dict.fromkeys(s.exercise.name for s in w.sets)),
            has_recording=bool(w.recordings),
        )
        for w in workouts
    ]


def load_session(session: Session, session_id: int, *, with_signal: bool = True) -> SessionView:
    """A session with its sets in order and its recordings (signal decoded when asked)."""
    options = [
        selectinload(WorkoutSession.sets).selectinload(ExerciseSet.exercise),
        selectinload(WorkoutSession.athlete),
        selectinload(WorkoutSession.recordings).options(undefer(Recording.signal))
        if with_signal
        else selectinload(WorkoutSession.recordings),
    ]
    row = session.scalar(
        select(WorkoutSession)
        .where(WorkoutSession.id == session_id)
        .options(*options)
        .execution_options(populate_existing=True)  # fresh after edits in this session
    )
    if row is None:
        raise NotFoundError(f"no session with id {session_id} in the journal")
    return session_view(row, with_signal=with_signal)


def load_recording(session: Session, recording_id: int) -> MlRecording:
    """Rebuild the canonical ``ml.recordings.Recording`` from the stored signal.

    For plots, for re-counting reps after a split and for export; the signal went through
    float16. The wearer's clock (``local_start``) is the session's date-time where that is the
    start on a real UTC offset (as saving dates it); None otherwise.
    """
    row = session.get(Recording, recording_id, options=[undefer(Recording.signal)])
    if row is None:
        raise NotFoundError(f"no recording with id {recording_id} in the journal")
    decoded = signal.decode(row.signal, row.signal_codec)
    start = row.start_time_utc.replace(tzinfo=UTC) if row.start_time_utc else None
    return MlRecording(
        gyro=decoded.gyro,
        accel=decoded.accel,
        gravity=decoded.gravity,
        source_format=row.source_format,
        original_rate_hz=row.original_rate_hz,
        units=dict(row.units or {}),
        start_time=start,
        local_start=None if start is None else local_start_from_clock(
            start, row.session.performed_at),
        file_names=tuple(row.file_names or ()),
        sha256=row.sha256,
        warnings=tuple(row.warnings or ()),
        gaps_s=tuple((float(a), float(b)) for a, b in row.gaps_s or ()),
        sample_rate_hz=decoded.sample_rate_hz,
    )


def list_exercises(
    session: Session, *, used_only: bool = False, athlete: str | None = None
) -> list[ExerciseInfo]:
    """Exercises by name (catalog and custom); ``used_only`` keeps those with sets (in
    ``athlete``'s sessions when given, else in anyone's)."""
    query = select(Exercise).order_by(name_order(Exercise.name), Exercise.id)
    if used_only:
        used = select(ExerciseSet.exercise_id)
        if athlete:
            used = used.join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id).join(
                Athlete).where(Athlete.name == athlete)
        query = query.where(Exercise.id.in_(used.distinct()))
    return [
        ExerciseInfo(id=e.id, name=e.name, family=e.family, is_custom=e.is_custom)
        for e in session.scalars(query)
    ]


def list_athletes(session: Session) -> list[str]:
    """Athlete names, alphabetically."""
    query = select(Athlete.name).order_by(name_order(Athlete.name), Athlete.id)
    return list(session.scalars(query))


def known_athlete(session: Session, name: str) -> str:
    """``name`` stripped, when the journal has a lifter of that name; else ``NotFoundError``
    naming its lifters. For readers: their filter by name would take a typo for a lifter who
    never trained."""
    lifters = list_athletes(session)
    clean = name.strip()
    if clean not in lifters:
        raise NotFoundError(f"no lifter named {name!r} in this journal "
                            f"(its lifters: {', '.join(lifters) or 'none yet'})")
    return clean
