"""Moving workouts between apps: Strong CSV out, Strong and Hevy CSV exports in.

API::

    write_strong_csv(session, out, *, athlete=None) -> int      # rows written to a text file
    strong_csv(session, *, athlete=None) -> str                 # the same, as text
    import_workouts_csv(session, source, *, athlete=None, weight_unit="kg") -> ImportResult
        # source: path, bytes or file object; Strong (',' or ';') or Hevy, detected by header

Exercise names are mapped onto the catalog ("Bench Press (Barbell)" -> barbell bench press);
names that match nothing become custom exercises, never dropped. A workout already imported
(same app, date and name) is skipped, so importing one export twice adds nothing. The whole file
is parsed before anything is written: a bad line leaves the journal untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from journal import catalog, edits, store
from journal.models import Athlete, Exercise, ExerciseSet, WorkoutSession
from journal.validation import check_rpe, check_text

STRONG_COLUMNS = (
    "Date", "Workout Name", "Duration", "Exercise Name", "Set Order", "Weight", "Reps",
    "Distance", "Seconds", "Notes", "Workout Notes", "RPE",
)
_STRONG_REQUIRED = ("Date", "Workout Name", "Exercise Name", "Reps")
_HEVY_REQUIRED = ("title", "start_time", "exercise_title", "reps")
LB_IN_KG = 0.45359237
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d",
    "%Y-%m-%d %I:%M:%S %p", "%d %b %Y, %H:%M", "%d %b %Y %H:%M", "%d %B %Y, %H:%M",
)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    source_format: str
    session_ids: tuple[int, ...]
    sessions_skipped: int
    sets_created: int
    custom_exercises: tuple[str, ...]


@dataclass
class _Workout:
    performed_at: datetime
    title: str
    notes: str = ""
    sets: list[dict[str, Any]] = field(default_factory=list)


def _duration_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"


def _number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def write_strong_csv(session: Session, out: TextIO, *, athlete: str | None = None) -> int:
    """Write the journal (or one athlete's part) as a Strong CSV; returns the rows written.

    Weights are in kg. ``Set Order`` counts the sets of each exercise within a workout.
    """
    query = (
        select(WorkoutSession)
        .order_by(WorkoutSession.performed_at, WorkoutSession.id)
        .options(
            selectinload(WorkoutSession.sets).selectinload(ExerciseSet.exercise),
            selectinload(WorkoutSession.recordings),
        )
    )
    if athlete:
        query = query.join(Athlete).where(Athlete.name == athlete)
    # RFC 4180 line ends: with "\r\n" as terminator, a note holding a lone "\r" gets quoted.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STRONG_COLUMNS)
    written = 0
    for workout in session.scalars(query):
        duration = sum(r.duration_s for r in workout.recordings)
        order: dict[str, int] = {}
        for row in sorted(workout.sets, key=lambda s: s.position):
            order[row.exercise_id] = order.get(row.exercise_id, 0) + 1
            writer.writerow((
                workout.performed_at.strftime("%Y-%m-%d %H:%M:%S"),
                workout.title,
                _duration_text(duration) if duration else "",
                row.exercise.name,
                order[row.exercise_id],
                _number(row.weight_kg),
                row.reps,
                "",
                "",
                row.notes,
                workout.notes,
                _number(row.rpe),
            ))
            written += 1
    return written


def strong_csv(session: Session, *, athlete: str | None = None) -> str:
    """The Strong CSV export as text (for a download button)."""
    buffer = io.StringIO()
    write_strong_csv(session, buffer, athlete=athlete)
    return buffer.getvalue()


def _read_text(source: str | Path | bytes | IO[Any]) -> tuple[str, str]:
    """(text, name) of a path, bytes or file object; ``ValueError`` when not UTF-8 text."""
    if isinstance(source, bytes):
        raw, name = source, "<upload>"
    elif isinstance(source, str | Path):
        name = str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as error:
            raise ValueError(f"{name}: cannot read the file ({error.strerror})") from None
    else:
        name = str(getattr(source, "name", "<upload>"))
        data = source.read()
        raw = data if isinstance(data, bytes) else data.encode()
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        raise ValueError(f"{name}: not a UTF-8 text CSV file") from None


def _parse_date(text: str, where: str) -> datetime:
    clean = " ".join(text.replace("\u202f", " ").split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(clean, fmt)
        except ValueError:
            continue
    raise ValueError(f"{where}: cannot read the date {text!r} (expected e.g. 2024-03-05 18:30:00)")


def _float(text: str | None, where: str, what: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.replace(",", ".") if text.count(",") == 1 else text)
    except ValueError:
        raise ValueError(f"{where}: {what} {text!r} is not a number") from None


def _reps(text: str | None, where: str) -> int:
    value = _float(text, where, "reps")
    if value is None:
        return 0
    if value < 0 or value != int(value):
        raise ValueError(f"{where}: reps must be a whole number ≥ 0, got {text!r}")
    return int(value)


def _weight(text: str | None, unit: str, where: str) -> float | None:
    value = _float(text, where, "weight")
    if value is None:
        return None
    if value < 0:
        raise ValueError(f"{where}: weight must be ≥ 0, got {text!r}")
    unit = unit.strip().lower()
    if unit in ("lb", "lbs"):
        return value * LB_IN_KG
    if unit not in ("kg", "kgs", ""):
        raise ValueError(f"{where}: unknown weight unit {unit!r} (use kg or lbs)")
    return value


def _workout_of(
    workouts: dict[tuple[str, str], _Workout],
    row: dict[str, str],
    columns: tuple[str, str, str],
    where: str,
) -> _Workout:
    """The workout a row belongs to (by its date and title columns), new on first sight."""
    date_column, title_column, notes_column = columns
    key = (row[date_column], row[title_column])
    if key not in workouts:
        workouts[key] = _Workout(
            performed_at=_parse_date(row[date_column], where),
            title=row[title_column] or "",
            notes=row.get(notes_column) or "",
        )
    return workouts[key]


def _parse_strong(rows: Iterable[dict[str, str]], weight_unit: str) -> list[_Workout]:
    workouts: dict[tuple[str, str], _Workout] = {}
    for line, row in enumerate(rows, start=2):
        where = f"line {line}"
        name = (row.get("Exercise Name") or "").strip()
        if not name or (row.get("Set Order") or "").strip().lower() == "rest timer":
            continue
        workout = _workout_of(workouts, row, ("Date", "Workout Name", "Workout Notes"), where)
        unit = row.get("Weight Unit") or weight_unit
        workout.sets.append({
            "exercise": name,
            "reps": _reps(row.get("Reps"), where),
            "weight_kg": _weight(row.get("Weight"), unit, where),
            "rpe": check_rpe(_float(row.get("RPE"), where, "RPE"), where),
            "notes": row.get("Notes") or "",
        })
    return list(workouts.values())


def _parse_hevy(rows: Iterable[dict[str, str]]) -> list[_Workout]:
    workouts: dict[tuple[str, str], _Workout] = {}
    last_exercise: dict[int, str] = {}  # by workout
    for line, row in enumerate(rows, start=2):
        where = f"line {line}"
        name = (row.get("exercise_title") or "").strip()
        if not name:
            continue
        workout = _workout_of(workouts, row, ("start_time", "title", "description"), where)
        if "weight_lbs" in row and "weight_kg" not in row:
            weight = _weight(row.get("weight_lbs"), "lbs", where)
        else:
            weight = _weight(row.get("weight_kg"), "kg", where)
        # Hevy repeats the exercise's notes on every set: keep them on its first set only.
        first_of_block = last_exercise.get(id(workout)) != name
        last_exercise[id(workout)] = name
        workout.sets.append({
            "exercise": name,
            "reps": _reps(row.get("reps"), where),
            "weight_kg": weight,
            "rpe": check_rpe(_float(row.get("rpe"), where, "RPE"), where),
            "notes": (row.get("exercise_notes") or "") if first_of_block else "",
        })
    return list(workouts.values())


def _parse(text: str, name: str, weight_unit: str) -> tuple[str, list[_Workout]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    try:
        if all(c in header for c in _STRONG_REQUIRED):
            return "strong", _parse_strong(reader, weight_unit)
        if all(c in header for c in _HEVY_REQUIRED):
            return "hevy", _parse_hevy(reader)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    except csv.Error as error:
        raise ValueError(f"{name}: not a readable CSV file ({error})") from None
    raise ValueError(
        f"{name}: not a Strong or Hevy export; expected columns like "
        f"{', '.join(STRONG_COLUMNS)} (Strong) or {', '.join(_HEVY_REQUIRED)}… (Hevy), "
        f"found {', '.join(header) or 'none'}"
    )


def import_workouts_csv(
    session: Session,
    source: str | Path | bytes | IO[Any],
    *,
    athlete: str | None = None,
    weight_unit: str = "kg",
) -> ImportResult:
    """Import a Strong or Hevy CSV export as sessions (all or nothing; the caller commits).

    ``weight_unit`` is the unit of Strong's ``Weight`` column when the file does not say.
    """
    text, name = _read_text(source)
    source_format, workouts = _parse(text, name, weight_unit)
    known = set(session.scalars(select(Exercise.id)))
    athlete_name = athlete or catalog.default_athlete(session).name
    created: list[int] = []
    skipped = n_sets = 0
    with session.begin_nested():
        for workout in workouts:
            check_text(workout.notes, f"{name}: notes of workout {workout.title!r}")
            digest = hashlib.sha256(
                f"{athlete_name}|{workout.performed_at.isoformat()}|{workout.title}".encode()
            ).hexdigest()[:40]
            import_key = f"{source_format}:{digest}"
            exists = session.scalar(
                select(WorkoutSession.id).where(WorkoutSession.import_key == import_key)
            )
            if exists is not None:
                skipped += 1
                continue
            try:
                with session.begin_nested():
                    session_id = store.create_session(
                        session, performed_at=workout.performed_at, title=workout.title,
                        notes=workout.notes, athlete=athlete, import_key=import_key,
                    )
            except IntegrityError:
                # Another writer imported this workout since we looked (PostgreSQL; SQLite
                # writers queue): it is in the journal, as if we had found it above.
                if session.scalar(select(WorkoutSession.id).where(
                        WorkoutSession.import_key == import_key)) is None:
                    raise
                skipped += 1
                continue
            for values in workout.sets:
                edits.add_set(session, session_id, **values)
                n_sets += 1
            created.append(session_id)
    customs = sorted(
        e.name for e in session.scalars(select(Exercise).where(Exercise.is_custom))
        if e.id not in known
    )
    return ImportResult(
        source_format=source_format,
        session_ids=tuple(created),
        sessions_skipped=skipped,
        sets_created=n_sets,
        custom_exercises=tuple(customs),
    )
