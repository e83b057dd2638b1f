"""Plain immutable values the journal hands out (no ORM objects leave the store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from journal.models import ExerciseSet, Recording, WorkoutSession
from journal.signal import Signal, decode


class JournalError(ValueError):
    """A request the journal cannot honour; the message says what and where."""


class NotFoundError(JournalError, LookupError):
    """A session, set or recording id that is not in the journal."""


@dataclass(frozen=True)
class SaveResult:
    """Outcome of saving an analysed recording.

    ``created`` is False when the recording was already in the journal (``store.find_recording``:
    the same bytes, or another file with the same start and length); then ``session_id`` is the
    existing session, ``already_saved_at`` when it was uploaded (UTC) and ``same_file`` says
    which: True for the very bytes saved before, False for another file of that recording (its
    CSV downloaded from the journal, the watch's export in another layout).
    """

    session_id: int
    created: bool
    set_ids: tuple[int, ...] = ()
    already_saved_at: datetime | None = None
    same_file: bool | None = None


@dataclass(frozen=True)
class SetView:
    """One set as the app shows it: the user's values and, beside them, the model's."""

    id: int
    session_id: int
    position: int
    exercise: str
    exercise_name: str
    family: str
    reps: int
    weight_kg: float | None
    rpe: float | None
    notes: str
    start_s: float | None
    end_s: float | None
    rep_times_s: tuple[float, ...]
    recording_id: int | None
    model_exercise: str | None
    model_confidence: float | None
    model_reps: int | None
    model_alternatives: tuple[tuple[str, float], ...]
    corrected: bool
    confirmed: bool
    boundaries_edited: bool


@dataclass(frozen=True)
class RecordingView:
    """A stored recording; ``signal`` is decoded only when asked for."""

    id: int
    sha256: str
    file_names: tuple[str, ...]
    source_format: str
    original_rate_hz: float
    sample_rate_hz: float
    duration_s: float
    start_time: datetime | None
    uploaded_at: datetime
    warnings: tuple[str, ...]
    gaps_s: tuple[tuple[float, float], ...]
    signal: Signal | None = None


@dataclass(frozen=True)
class SessionView:
    """A session with its sets (in order) and recordings."""

    id: int
    athlete: str
    performed_at: datetime
    title: str
    notes: str
    model_version: str
    warnings: tuple[str, ...]
    created_at: datetime
    sets: tuple[SetView, ...]
    recordings: tuple[RecordingView, ...]


@dataclass(frozen=True)
class SessionSummary:
    """One line of the session list."""

    id: int
    athlete: str
    performed_at: datetime
    title: str
    notes: str
    n_sets: int
    total_reps: int
    exercise_names: tuple[str, ...]
    has_recording: bool


@dataclass(frozen=True)
class ExerciseInfo:
    """An exercise the journal knows (catalog or custom)."""

    id: str
    name: str
    family: str
    is_custom: bool


def set_view(row: ExerciseSet) -> SetView:
    return SetView(
        id=row.id,
        session_id=row.session_id,
        position=row.position,
        exercise=row.exercise_id,
        exercise_name=row.exercise.name,
        family=row.exercise.family,
        reps=row.reps,
        weight_kg=row.weight_kg,
        rpe=row.rpe,
        notes=row.notes,
        start_s=row.start_s,
        end_s=row.end_s,
        rep_times_s=tuple(float(t) for t in row.rep_times_s or ()),
        recording_id=row.recording_id,
        model_exercise=row.model_exercise_id,
        model_confidence=row.model_confidence,
        model_reps=row.model_reps,
        model_alternatives=tuple((str(a), float(p)) for a, p in row.model_alternatives or ()),
        corrected=row.corrected,
        confirmed=row.confirmed,
        boundaries_edited=row.boundaries_edited,
    )


def recording_view(row: Recording, *, with_signal: bool) -> RecordingView:
    start = row.start_time_utc.replace(tzinfo=UTC) if row.start_time_utc else None
    return RecordingView(
        id=row.id,
        sha256=row.sha256,
        file_names=tuple(row.file_names or ()),
        source_format=row.source_format,
        original_rate_hz=row.original_rate_hz,
        sample_rate_hz=row.sample_rate_hz,
        duration_s=row.duration_s,
        start_time=start,
        uploaded_at=row.uploaded_at,
        warnings=tuple(row.warnings or ()),
        gaps_s=tuple((float(a), float(b)) for a, b in row.gaps_s or ()),
        signal=decode(row.signal, row.signal_codec) if with_signal else None,
    )


def session_view(row: WorkoutSession, *, with_signal: bool) -> SessionView:
    return SessionView(
        id=row.id,
        athlete=row.athlete.name,
        performed_at=row.performed_at,
        title=row.title,
        notes=row.notes,
        model_version=row.model_version,
        warnings=tuple(row.warnings or ()),
        created_at=row.created_at,
        sets=tuple(set_view(s) for s in sorted(row.sets, key=lambda s: s.position)),
        recordings=tuple(recording_view(r, with_signal=with_signal) for r in row.recordings),
    )
