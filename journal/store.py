"""Saving analysed recordings as sessions, changing and deleting them; the journal API index.

Public API of the journal (the caller owns the ``Session``; nothing here commits)::

    # journal.db — engines and transactions
    make_engine(url=None) -> Engine            # default appconfig.database_url()
    migrate(engine) -> None                    # alembic upgrade head + exercise catalog
    open_journal(url=None) -> Engine           # make_engine + migrate once per process
    session_factory(engine) -> sessionmaker    # read and write as you like, commit yourself
    write_transaction(engine, work) -> T       # work(session) committed; retried when locked

    # journal.store — sessions (this module; the reading half lives in journal.queries)
    save_analysis(session, analysis, *, athlete=None, title=None, notes=None,
                  performed_at=None, set_overrides=None) -> SaveResult
    find_recording(session, recording) -> SaveResult | None  # same bytes, or same start+length
    create_session(session, *, performed_at, title="", notes="", athlete=None) -> int
    update_session(session, session_id, *, title=, notes=, performed_at=) -> None
    delete_session(session, session_id) -> None          # sets and recordings go too
    list_sessions(session, *, athlete=None, limit=50, offset=0) -> list[SessionSummary]
    count_sessions(session, *, athlete=None) -> int
    load_session(session, session_id, *, with_signal=True) -> SessionView
    load_recording(session, recording_id) -> ml.recordings.Recording
    list_exercises(session, *, used_only=False, athlete=None) -> list[ExerciseInfo]
    list_athletes(session) -> list[str]
    known_athlete(session, name) -> str  # NotFoundError naming the lifters

    # journal.edits — one set at a time (reps recounts come from the caller's ml.reps)
    update_set(session, set_id, *, exercise=, reps=, weight_kg=, rpe=, notes=,
               rep_times_s=, confirmed=) -> SetView
    add_set(session, session_id, *, exercise, reps, ...) -> SetView
    split_set(session, set_id, at_s, *, first_reps, second_reps, ...) -> tuple[SetView, SetView]
    merge_sets(session, first_set_id, second_set_id, *, reps, rep_times_s=None) -> SetView
    adjust_set(session, set_id, *, start_s, end_s, reps=None, rep_times_s=None) -> SetView
    delete_set(session, set_id) -> None

    # journal.search — SetQuery(...), search_sets(session, query) -> SearchPage,
    #                  suggest_exercises(session, text)
    # journal.progress — exercise_progress / weekly_progress / personal_records /
    #                    training_days
    # journal.transfer — strong_csv(session), import_workouts_csv(session, source)
    # journal.catalog — resolve_exercise(session, text): a typed name -> exercise id

Values out are plain frozen dataclasses (``journal.views``); bad input raises ``ValueError``
(``journal.views.JournalError``; ``NotFoundError`` for unknown ids) with a message saying what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TypedDict

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from journal import catalog, exercises, signal
from journal.models import (
    Athlete,
    Exercise,
    ExerciseSet,
    IdHighWater,
    Recording,
    WorkoutSession,
    utcnow,
)
from journal.queries import (
    count_sessions,
    known_athlete,
    list_athletes,
    list_exercises,
    list_sessions,
    load_recording,
    load_session,
)
from journal.validation import UNSET, Unset, check_reps, check_rpe, check_text, check_weight
from journal.views import NotFoundError, SaveResult
from ml.analysis import DetectedSet, SessionAnalysis
from ml.recordings import Recording as MlRecording

# Reading functions live in journal.queries; the journal's API is importable from here.
__all__ = [
    "SetEdit", "count_sessions", "create_session", "delete_session", "find_recording",
    "get_session_row", "known_athlete", "list_athletes", "list_exercises", "list_sessions",
    "load_recording", "load_session", "recorded_at", "save_analysis", "to_local_wall_clock",
    "update_session",
]


class SetEdit(TypedDict, total=False):
    """The user's edits to one detected set before saving (any subset of the keys)."""

    exercise: str  # catalog id, custom id, or a typed name (unknown names become custom)
    reps: int
    weight_kg: float | None
    rpe: float | None
    notes: str
    confirmed: bool


_EDIT_KEYS = frozenset(SetEdit.__annotations__)
#: The time given to a session whose file name holds its day but no time of day.
_NAMED_DAY_TIME = time(12, 0)
#: How far apart two absolute starts may be and still be one recording's. A recording read back
#: from the journal's CSV starts within a few microseconds of the stored start (its timestamps
#: are written to the microsecond, Unix times are read as float64 seconds); an export in
#: another layout that writes whole milliseconds cuts up to 1 ms. 2 ms is a tenth of a 50 Hz
#: sample, and no two recordings of two watches start that close by chance with the same
#: length to the sample.
SAME_START_TOLERANCE = timedelta(milliseconds=2)
#: PostgreSQL advisory lock key of saving a recording with a start (any 64-bit number no other
#: lock of this database uses: "wristrec" in ASCII).
_RECORDING_START_LOCK = 0x7772697374726563


def to_local_wall_clock(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """A naive local date-time: aware values are converted to ``zone`` (default: this machine's
    time zone)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def recorded_at(recording: MlRecording, zone: tzinfo | None = None) -> datetime | None:
    """When a recording was made, as a naive local date-time: its start on the wearer's clock
    where the file says it (``local_start``), else its start on the clock of ``zone`` (the
    user's, where the caller knows it; default this machine's), else noon of the day its file
    name gives (``recorded_on``); None when nothing says."""
    if recording.local_start is not None:
        return recording.local_start
    if recording.start_time is not None:
        return to_local_wall_clock(recording.start_time, zone)
    if recording.recorded_on is not None:
        return datetime.combine(recording.recorded_on, _NAMED_DAY_TIME)
    return None


def _athlete(session: Session, athlete: str | None) -> Athlete:
    return catalog.athlete_named(session, athlete) if athlete else catalog.default_athlete(session)


def _default_title(session: Session, exercise_ids: Sequence[str]) -> str:
    """The session named after the exercises as saved (the user's corrections, not the model's
    first guess): each family once; an own exercise outside the families by its name."""
    rows = {
        row.id: row
        for row in session.scalars(select(Exercise).where(Exercise.id.in_(set(exercise_ids))))
    }
    parts = []
    for exercise_id in exercise_ids:
        row = rows.get(exercise_id)
        family = row.family if row is not None else exercises.family_of(exercise_id)
        if family not in ("rest", "other"):
            parts.append(family.capitalize())
        elif family == "other" and row is not None and row.is_custom:
            parts.append(row.name)
    return " · ".join(dict.fromkeys(parts)) or "Workout"


def _naive_utc(moment: datetime) -> datetime:
    """Naive UTC, as the journal stores moments; a naive value is taken as UTC already."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def find_recording(session: Session, recording: MlRecording) -> SaveResult | None:
    """The session already holding this recording, or None.

    A recording is found by the SHA-256 of its bytes, or, when it has an absolute start, as
    another file of a recording saved before: its start within ``SAME_START_TOLERANCE`` and
    its length within one sample (a re-export's resampling may end a sample apart). That is the
    CSV the journal writes for a saved recording, and the watch's export of the same workout in
    another layout: uploaded again, they would count every set twice. A recording saved
    without a start is found likewise by its session's date-time to the second, which the
    journal's CSV of it carries in its file name. ``same_file`` in the result says which
    matched. An upload without a start is found by its bytes only.

    Whose session holds it does not matter, as for the bytes: two lifters cannot wear one watch
    at one instant, and two watches started by hand do not start within milliseconds of each
    other with the same length. One saved under the wrong lifter is put right by deleting that
    session and uploading the file again, not by keeping it twice.

    The app calls this before running the (slow) analysis on a re-upload.
    """
    found = select(Recording.session_id, Recording.uploaded_at)
    row = session.execute(found.where(Recording.sha256 == recording.sha256)).first()
    if row is not None:
        return SaveResult(session_id=row.session_id, created=False,
                          already_saved_at=row.uploaded_at, same_file=True)
    if recording.start_time is None:
        return None
    start = _naive_utc(recording.start_time)
    same_length = (
        Recording.sample_rate_hz == recording.sample_rate_hz,
        Recording.n_samples.between(recording.n_samples - 1, recording.n_samples + 1),
    )
    row = session.execute(
        found.where(
            Recording.start_time_utc.between(start - SAME_START_TOLERANCE,
                                             start + SAME_START_TOLERANCE),
            *same_length,
        ).order_by(Recording.id)
    ).first()
    if row is None:
        # A recording saved without a clock (the shipped sample, a phone app's relative times)
        # comes back from "Download the recording" named after its session's date-time to the
        # second ("…-2024-12-01_07-36-28.csv"), which the importer reads as its start.
        named = recorded_at(recording) or start
        row = session.execute(
            found.join(WorkoutSession, WorkoutSession.id == Recording.session_id).where(
                Recording.start_time_utc.is_(None),
                WorkoutSession.performed_at >= named,
                WorkoutSession.performed_at < named + timedelta(seconds=1),
                *same_length,
            ).order_by(Recording.id)
        ).first()
    if row is None:
        return None
    return SaveResult(session_id=row.session_id, created=False,
                      already_saved_at=row.uploaded_at, same_file=False)


def _queue_recordings_with_a_start(session: Session, recording: MlRecording) -> None:
    """On PostgreSQL, wait for any other transaction saving a recording with a start to end.

    Two files of one recording (the watch's and its unzipped copy) saved at once from two app
    instances have other SHA-256s, so no unique constraint stops the second: each would look
    (``find_recording``), find nothing and insert. A start within 2 ms is no key a constraint
    can hold, so such saves take turns instead, under a lock held to the caller's commit (a save
    takes some 35 ms). SQLite's write lock already makes every writer wait its turn.
    """
    if recording.start_time is not None and session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_RECORDING_START_LOCK)))


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


def _resolve_exercises(
    session: Session, analysis: SessionAnalysis, overrides: Mapping[int, SetEdit]
) -> tuple[list[str], list[str]]:
    """(model exercise, user exercise) journal ids per set, in one query for the usual case."""
    wanted = {s.exercise for s in analysis.sets}
    known = set(session.scalars(select(Exercise.id).where(Exercise.id.in_(wanted))))
    model_ids = [
        # A model class the exercise table lacks (a newer model): kept, as a custom exercise.
        s.exercise if s.exercise in known
        else catalog.resolve_exercise(session, s.exercise_name or s.exercise)
        for s in analysis.sets
    ]
    user_ids = [
        catalog.resolve_exercise(session, overrides[i]["exercise"])
        if "exercise" in overrides.get(i, {}) else model_ids[i]
        for i in range(len(analysis.sets))
    ]
    return model_ids, user_ids


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

    Idempotent by the recording (``find_recording``: its SHA-256, or its absolute start and
    length): when it is already in the journal nothing is written and the existing session is
    returned with ``created=False``, ``already_saved_at`` and ``same_file``.
    ``set_overrides`` maps an index into ``analysis.sets`` (0-based) to the user's edits made
    before saving; they become the set's values while the model's exercise, confidence and reps
    are kept beside them, and ``corrected`` is set where exercise or reps differ.
    ``performed_at`` defaults to the recording's start (local wall clock), else noon of the day
    its file name gives (``recorded_on``), else now. Everything is flushed inside a savepoint:
    on any error nothing of it remains in the session. The caller commits.
    """
    recording = analysis.recording
    if not recording.sha256:
        raise ValueError("the recording has no SHA-256; read it with ml.recordings.read_recording")
    overrides = _check_overrides(set_overrides, len(analysis.sets))
    check_text(notes or "", "session notes")
    check_text(title or "", "session title")
    # Compress before the first query: in a write transaction that query takes the write
    # lock (BEGIN IMMEDIATE), and other writers should not wait for our CPU work.
    blob = signal.encode(
        recording.gyro, recording.accel, recording.gravity, recording.sample_rate_hz
    )
    _queue_recordings_with_a_start(session, recording)
    existing = find_recording(session, recording)
    if existing is not None:
        return existing
    when = performed_at or recorded_at(recording) or datetime.now(UTC)
    try:
        with session.begin_nested():
            model_ids, user_ids = _resolve_exercises(session, analysis, overrides)
            set_ids = fresh_ids(session, ExerciseSet, len(analysis.sets))
            workout = WorkoutSession(
                id=_fresh_session_id(session),
                athlete=_athlete(session, athlete),
                performed_at=to_local_wall_clock(when),
                title=title if title is not None else _default_title(session, user_ids),
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
                    _naive_utc(recording.start_time) if recording.start_time else None
                ),
                uploaded_at=utcnow(),
                units=dict(recording.units),
                warnings=list(recording.warnings),
                gaps_s=[list(g) for g in recording.gaps_s],
                signal_codec=signal.CODEC,
                signal=blob,
            )
            workout.recordings.append(stored)
            workout.sets = [
                _set_row(stored, workout.performed_at, index, detected,
                         overrides.get(index, {}), model_ids[index], user_ids[index],
                         set_ids[index])
                for index, detected in enumerate(analysis.sets)
            ]
            session.add(workout)
            session.flush()  # one round of INSERTs: session, recording, all sets
    except IntegrityError:
        # Another writer saved the same file between our check and our insert.
        existing = find_recording(session, recording)
        if existing is None:
            raise
        return existing
    return SaveResult(
        session_id=workout.id, created=True, set_ids=tuple(r.id for r in workout.sets)
    )


def _set_row(
    stored: Recording,
    performed_at: datetime,
    index: int,
    detected: DetectedSet,
    edit: SetEdit,
    model_exercise: str,
    exercise: str,
    set_id: int | None,
) -> ExerciseSet:
    reps = int(edit.get("reps", detected.reps))
    return ExerciseSet(
        id=set_id,
        recording=stored,
        performed_at=performed_at,
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


def fresh_ids(session: Session, model: type[WorkoutSession] | type[ExerciseSet],
              count: int = 1) -> list[int | None]:
    """``count`` ids no row of ``model``'s table ever had, on SQLite (which would hand out a
    deleted newest one again); Nones elsewhere: the database's sequence never goes back."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name != "sqlite":
        return [None] * count
    table = model.__tablename__
    mark = session.get(IdHighWater, table)
    highest = session.scalar(select(func.max(model.id))) or 0
    first = max(highest, mark.max_id if mark else 0) + 1
    last = first + count - 1
    if mark is None:
        session.add(IdHighWater(table_name=table, max_id=last))
    else:
        mark.max_id = last
    return list(range(first, last + 1))


def _fresh_session_id(session: Session) -> int | None:
    return fresh_ids(session, WorkoutSession)[0]


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
        id=_fresh_session_id(session),
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
        for set_row in row.sets:  # sets repeat the date for indexed searches
            set_row.performed_at = row.performed_at
    session.flush()


def delete_session(session: Session, session_id: int) -> None:
    """Delete a session with its sets and recordings."""
    session.delete(get_session_row(session, session_id))
    session.flush()
