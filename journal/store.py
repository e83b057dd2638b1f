"""Saving analysed recordings as sessions, and reading, listing and deleting sessions.

Public API of the journal (the caller owns the ``Session``; nothing here commits)::

    # journal.db — engines and transactions
    make_engine(url=None) -> Engine            # default appconfig.database_url()
    migrate(engine) -> None                    # alembic upgrade head + exercise catalog
    open_journal(url=None) -> Engine           # make_engine + migrate once per process
    session_factory(engine) -> sessionmaker    # read and write as you like, commit yourself
    write_transaction(engine, work) -> T       # work(session) committed; retried when locked

    # journal.store — sessions (this module)
    save_analysis(session, analysis, *, athlete=None, title=None, notes=None,
                  performed_at=None, set_overrides=None) -> SaveResult
    find_recording(session, sha256) -> SaveResult | None
    create_session(session, *, performed_at, title="", notes="", athlete=None) -> int
    update_session(session, session_id, *, title=, notes=, performed_at=) -> None
    delete_session(session, session_id) -> None          # sets and recordings go too
    list_sessions(session, *, athlete=None, limit=50, offset=0) -> list[SessionSummary]
    count_sessions(session, *, athlete=None) -> int
    load_session(session, session_id, *, with_signal=True) -> SessionView
    load_recording(session, recording_id) -> ml.recordings.Recording
    list_exercises(session, *, used_only=False) -> list[ExerciseInfo]
    list_athletes(session) -> list[str]

    # journal.edits — one set at a time (reps recounts come from the caller's ml.reps)
    update_set(session, set_id, *, exercise=, reps=, weight_kg=, rpe=, notes=,
               rep_times_s=, confirmed=) -> SetView
    add_set(session, session_id, *, exercise, reps, ...) -> SetView
    split_set(session, set_id, at_s, *, first_reps, second_reps, ...) -> tuple[SetView, SetView]
    merge_sets(session, first_set_id, second_set_id, *, reps, rep_times_s=None) -> SetView
    adjust_set(session, set_id, *, start_s, end_s, reps=None, rep_times_s=None) -> SetView
    delete_set(session, set_id) -> None

    # journal.search, journal.progress, journal.transfer — see their module docstrings.

Values out are plain frozen dataclasses (``journal.views``); bad input raises ``ValueError``
(``journal.views.JournalError``; ``NotFoundError`` for unknown ids) with a message saying what.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, undefer

from journal import catalog, exercises, signal
from journal.models import Athlete, Exercise, ExerciseSet, Recording, WorkoutSession, utcnow
from journal.validation import UNSET, Unset, check_reps, check_rpe, check_text, check_weight
from journal.views import (
    ExerciseInfo,
    NotFoundError,
    SaveResult,
    SessionSummary,
    SessionView,
    session_view,
)
from ml.analysis import SessionAnalysis
from ml.recordings import Recording as MlRecording


class SetEdit(TypedDict, total=False):
    """The user's edits to one detected set before saving (any subset of the keys)."""

    exercise: str  # catalog id, custom id, or a typed name (unknown names become custom)
    reps: int
    weight_kg: float | None
    rpe: float | None
    notes: str
    confirmed: bool


_EDIT_KEYS = frozenset(SetEdit.__annotations__)


def to_local_wall_clock(moment: datetime) -> datetime:
    """A naive local date-time: aware values are converted to this machine's time zone."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)


def _athlete(session: Session, athlete: str | None) -> Athlete:
    return catalog.athlete_named(session, athlete) if athlete else catalog.default_athlete(session)


def _default_title(analysis: SessionAnalysis) -> str:
    families = [exercises.family_of(s.exercise) for s in analysis.sets]
    families = [f for f in families if f not in ("rest", "other")]
    if not families:
        return "Workout"
    return " · ".join(f.capitalize() for f in dict.fromkeys(families))


def find_recording(session: Session, sha256: str) -> SaveResult | None:
    """The session already holding a recording with this SHA-256, or None.

    The app can call this before running the (slow) analysis on a re-upload.
    """
    row = session.execute(
        select(Recording.session_id, Recording.uploaded_at).where(Recording.sha256 == sha256)
    ).first()
    if row is None:
        return None
    return SaveResult(session_id=row.session_id, created=False, already_saved_at=row.uploaded_at)


def _check_overrides(
    overrides: Mapping[int, SetEdit] | None, n_sets: int
) -> Mapping[int, SetEdit]:
    for index, edit in (overrides or {}).items():
        if not 0 <= index < n_sets:
            raise ValueError(f"set override for index {index}: the analysis has {n_sets} sets")
        unknown = set(edit) - _EDIT_KEYS
        if unknown:
            raise ValueError(
                f"set override for index {index}: unknown field(s) {sorted(unknown)}; "
                f"allowed: {sorted(_EDIT_KEYS)}"
            )
        where = f"set {index + 1}"
        if "reps" in edit:
            check_reps(edit["reps"], where)
        if "weight_kg" in edit:
            check_weight(edit["weight_kg"], where)
        if "rpe" in edit:
            check_rpe(edit["rpe"], where)
        if "notes" in edit:
            check_text(edit["notes"], f"{where} notes")
    return overrides or {}


def _exercise_for_model_id(session: Session, exercise_id: str, name: str) -> str:
    if session.get(Exercise, exercise_id) is not None:
        return exercise_id
    # A model class the catalog table does not know yet: keep it, as a custom exercise.
    return catalog.resolve_exercise(session, name or exercise_id)


def save_analysis(
    session: Session,
    analysis: SessionAnalysis,
    *,
    athlete: str | None = None,
    title: str | None = None,
    notes: str | None = None,
    performed_at: datetime | None = None,
    set_overrides: Mapping[int, SetEdit] | None = None,
) -> SaveResult:
    """Store an analysed recording as a new session with its sets and compressed signal.

    Idempotent by the recording's SHA-256: when it is already in the journal nothing is
    written and the existing session is returned with ``created=False`` and
    ``already_saved_at``. ``set_overrides`` maps an index into ``analysis.sets`` (0-based) to
    the user's edits made before saving; they become the set's values while the model's
    exercise, confidence and reps are kept beside them, and ``corrected`` is set where exercise
    or reps differ. ``performed_at`` defaults to the recording's start (local wall clock), else
    now. Everything is flushed inside a savepoint: on any error nothing of it remains in the
    session. The caller commits.
    """
    recording = analysis.recording
    if not recording.sha256:
        raise ValueError("the recording has no SHA-256; read it with ml.recordings.read_recording")
    existing = find_recording(session, recording.sha256)
    if existing is not None:
        return existing
    overrides = _check_overrides(set_overrides, len(analysis.sets))
    check_text(notes or "", "session notes")
    check_text(title or "", "session title")
    blob = signal.encode(
        recording.gyro, recording.accel, recording.gravity, recording.sample_rate_hz
    )
    when = performed_at or recording.start_time or datetime.now(UTC)
    try:
        with session.begin_nested():
            workout = WorkoutSession(
                athlete=_athlete(session, athlete),
                performed_at=to_local_wall_clock(when),
                title=title if title is not None else _default_title(analysis),
                notes=notes or "",
                model_version=analysis.model_version,
                warnings=list(analysis.warnings),
            )
            stored = Recording(
                sha256=recording.sha256,
                file_names=list(recording.file_names),
                source_format=recording.source_format,
                original_rate_hz=float(recording.original_rate_hz),
                sample_rate_hz=float(recording.sample_rate_hz),
                n_samples=recording.n_samples,
                duration_s=float(recording.duration_s),
                start_time_utc=(
                    recording.start_time.astimezone(UTC).replace(tzinfo=None)
                    if recording.start_time and recording.start_time.tzinfo
                    else recording.start_time
                ),
                uploaded_at=utcnow(),
                units=dict(recording.units),
                warnings=list(recording.warnings),
                gaps_s=[list(g) for g in recording.gaps_s],
                signal_codec=signal.CODEC,
                signal=blob,
            )
            workout.recordings.append(stored)
            session.add(workout)
            session.flush()
            rows = [
                _set_row(session, workout, stored, index, detected, overrides.get(index, {}))
                for index, detected in enumerate(analysis.sets)
            ]
            session.flush()
    except IntegrityError:
        # Another writer saved the same file between our check and our insert.
        existing = find_recording(session, recording.sha256)
        if existing is None:
            raise
        return existing
    return SaveResult(session_id=workout.id, created=True, set_ids=tuple(r.id for r in rows))


def _set_row(
    session: Session,
    workout: WorkoutSession,
    stored: Recording,
    index: int,
    detected: Any,
    edit: SetEdit,
) -> ExerciseSet:
    model_exercise = _exercise_for_model_id(session, detected.exercise, detected.exercise_name)
    exercise = (
        catalog.resolve_exercise(session, edit["exercise"]) if "exercise" in edit
        else model_exercise
    )
    reps = int(edit.get("reps", detected.reps))
    row = ExerciseSet(
        session_id=workout.id,
        recording_id=stored.id,
        position=index + 1,
        start_s=float(detected.start_s),
        end_s=float(detected.end_s),
        exercise_id=exercise,
        reps=reps,
        rep_times_s=[float(t) for t in detected.rep_times_s],
        weight_kg=edit.get("weight_kg"),
        rpe=edit.get("rpe"),
        notes=edit.get("notes", ""),
        model_exercise_id=detected.exercise,
        model_confidence=float(detected.confidence),
        model_reps=int(detected.reps),
        model_alternatives=[[a, float(p)] for a, p in detected.alternatives],
        corrected=(exercise != model_exercise or reps != int(detected.reps)),
        confirmed=bool(edit.get("confirmed", "exercise" in edit or "reps" in edit)),
    )
    session.add(row)
    return row


def create_session(
    session: Session,
    *,
    performed_at: datetime,
    title: str = "",
    notes: str = "",
    athlete: str | None = None,
    import_key: str | None = None,
) -> int:
    """Add an empty session (manual entry, CSV import); returns its id. Add sets with edits."""
    check_text(title, "session title")
    check_text(notes, "session notes")
    workout = WorkoutSession(
        athlete=_athlete(session, athlete),
        performed_at=to_local_wall_clock(performed_at),
        title=title,
        notes=notes,
        import_key=import_key,
        warnings=[],
    )
    session.add(workout)
    session.flush()
    return workout.id


def get_session_row(session: Session, session_id: int) -> WorkoutSession:
    row = session.get(WorkoutSession, session_id)
    if row is None:
        raise NotFoundError(f"no session with id {session_id} in the journal")
    return row


def update_session(
    session: Session,
    session_id: int,
    *,
    title: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    performed_at: datetime | Unset = UNSET,
) -> None:
    """Change a session's title, notes or date-time (only the arguments given)."""
    row = get_session_row(session, session_id)
    if not isinstance(title, Unset):
        row.title = check_text(title, "session title")
    if not isinstance(notes, Unset):
        row.notes = check_text(notes, "session notes")
    if not isinstance(performed_at, Unset):
        row.performed_at = to_local_wall_clock(performed_at)
    session.flush()


def delete_session(session: Session, session_id: int) -> None:
    """Delete a session with its sets and recordings."""
    session.delete(get_session_row(session, session_id))
    session.flush()


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

    For plots and for re-counting reps after a split; the signal went through float16.
    """
    row = session.get(Recording, recording_id, options=[undefer(Recording.signal)])
    if row is None:
        raise NotFoundError(f"no recording with id {recording_id} in the journal")
    decoded = signal.decode(row.signal, row.signal_codec)
    return MlRecording(
        gyro=decoded.gyro,
        accel=decoded.accel,
        gravity=decoded.gravity,
        source_format=row.source_format,
        original_rate_hz=row.original_rate_hz,
        units=dict(row.units or {}),
        start_time=row.start_time_utc.replace(tzinfo=UTC) if row.start_time_utc else None,
        file_names=tuple(row.file_names or ()),
        sha256=row.sha256,
        warnings=tuple(row.warnings or ()),
        gaps_s=tuple((float(a), float(b)) for a, b in row.gaps_s or ()),
        sample_rate_hz=decoded.sample_rate_hz,
    )


def list_exercises(session: Session, *, used_only: bool = False) -> list[ExerciseInfo]:
    """Exercises by name (catalog and custom); ``used_only`` keeps those with sets."""
    query = select(Exercise).order_by(Exercise.name)
    if used_only:
        query = query.where(Exercise.id.in_(select(ExerciseSet.exercise_id).distinct()))
    return [
        ExerciseInfo(id=e.id, name=e.name, family=e.family, is_custom=e.is_custom)
        for e in session.scalars(query)
    ]


def list_athletes(session: Session) -> list[str]:
    """Athlete names, alphabetically."""
    return list(session.scalars(select(Athlete.name).order_by(Athlete.name)))
