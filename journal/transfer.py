"""Moving workouts between apps: Strong CSV out, Strong and Hevy CSV exports in.

API::

    write_strong_csv(session, out, *, athlete=None) -> int      # rows written to a text file
    strong_csv(session, *, athlete=None) -> str                 # the same, as text
    import_workouts_csv(session, source, *, athlete=None, weight_unit="kg", inside=None)
        -> ImportResult
        # source: path, bytes or file object; Strong (',' or ';') or Hevy, detected by header
    preview_workouts_csv(session, source, *, athlete=None, weight_unit="kg", inside=None)
        -> ImportPreview
        # what the import would do (workouts, sets, dates, already there, new exercises):
        # the same parsing and checks, nothing written
    export_format(data) -> "strong" | "hevy" | None     # which export a file is, by its header
    exports_in(source, name=None) -> list[ExportFile]   # the exports a file is or holds

A source may be compressed as phones and mail clients send it: a ``.csv.gz``, or a ``.zip``
holding the CSV (macOS's ``__MACOSX/`` and ``.DS_Store`` left out); a zip holding several
exports (or an export beside a watch recording) is read one export at a time, ``inside=`` naming
it as ``exports_in`` does. Archives are opened as recordings are (``ml.recordings_io``: the same
size and nesting limits, the same messages for a damaged file).

Exercise names are mapped onto the catalog ("Bench Press (Barbell)" -> barbell bench press);
names that match nothing become custom exercises, never dropped. A workout the lifter's journal
already has is skipped: one imported before (same app, date and name), so importing one export
twice adds nothing, or a session of the lifter at the same second with the same title (the
journal's own Strong export, dropped back in). The whole file is parsed and checked before
anything is written: a bad line leaves the journal untouched, and the error names it. A weight
of 0 is no weight: Strong writes 0 for bodyweight sets (pull-ups, planks); but 0 kg on an assisted
exercise is kept, the set done without the machine's help.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from journal import catalog, edits, exercises, store
from journal.models import DEFAULT_ATHLETE, Athlete, Exercise, ExerciseSet, WorkoutSession
from journal.validation import check_rpe, check_text, check_weight
from ml.recordings_io import (
    Entry,
    Upload,
    archive_entries,
    archive_files,
    check_size,
    head_of,
    leaves,
    max_upload_bytes,
    unpack,
)

STRONG_COLUMNS = (
    "Date", "Workout Name", "Duration", "Exercise Name", "Set Order", "Weight", "Reps",
    "Distance", "Seconds", "Notes", "Workout Notes", "RPE",
)
_STRONG_REQUIRED = ("Date", "Workout Name", "Exercise Name", "Reps")
_HEVY_REQUIRED = ("title", "start_time", "exercise_title", "reps")
#: Longest workout title and exercise name the journal's columns hold.
_MAX_TITLE_CHARS = 300
_MAX_EXERCISE_CHARS = 200
#: How much of a file ``export_format`` reads to find its header line.
_HEADER_BYTES = 64 * 1024
#: How many of an archive's files a message lists.
_NAMES_LISTED = 5
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


@dataclass(frozen=True)
class ImportPreview:
    """What importing an export would do, found without writing anything."""

    source_format: str
    workouts: int  # in the file
    sets: int  # in the file
    first_at: datetime | None  # its first and last workout
    last_at: datetime | None
    workouts_known: int  # already in the athlete's journal: skipped
    sets_new: int  # in the other workouts, the ones imported
    custom_exercises: tuple[str, ...]  # names matching no exercise: added as the user's own
    #: Whether ``weight_unit`` applies: some weights have no unit in the file (Strong's Weight).
    unit_needed: bool
    heaviest_kg: float | None  # the heaviest weight in the file, ``weight_unit`` applied

    @property
    def workouts_new(self) -> int:
        return self.workouts - self.workouts_known


@dataclass(frozen=True)
class ExportFile:
    """A Strong or Hevy export an upload is, or holds."""

    name: str  # as messages name it: the upload's name, or "week.zip/strong.csv" inside a zip
    #: Its name inside the archive, for ``inside=`` of the import; None: the upload itself (a
    #: plain CSV, or a .csv.gz).
    inside: str | None


@dataclass
class _Workout:
    performed_at: datetime
    title: str
    notes: str = ""
    sets: list[edits.TypedSet] = field(default_factory=list)


@dataclass
class _Parsed:
    source_format: str
    workouts: list[_Workout]
    unit_needed: bool = False


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
                # No weight and 0 kg are one (the import reads Strong's 0 as no weight):
                # written alike, so a file read back writes the same file. Not on an
                # assisted exercise, whose 0 kg of help the import keeps.
                _number(None if row.weight_kg == 0 and not exercises.is_assisted(row.exercise_id)
                        else row.weight_kg),
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


def _read_bytes(source: str | Path | bytes | IO[Any]) -> Upload:
    """The bytes of a path, bytes or file object, named as messages name it; ``ValueError``
    for more than the upload limit (``MAX_UPLOAD_MB``), checked before a file is read whole."""
    if isinstance(source, bytes):
        check_size("<upload>", len(source))
        return Upload("<upload>", source)
    if isinstance(source, str | Path):
        try:
            check_size(str(source), Path(source).stat().st_size)
            return Upload(str(source), Path(source).read_bytes())
        except OSError as error:
            raise ValueError(f"{source}: cannot read the file ({error.strerror})") from None
    name = str(getattr(source, "name", "<upload>"))
    data = source.read(max_upload_bytes() + 1)
    encoded = data if isinstance(data, bytes) else data.encode()
    check_size(name, len(encoded))
    return Upload(name, encoded)


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_LISTED])
    return shown + (f" and {len(names) - _NAMES_LISTED} more" if len(names) > _NAMES_LISTED
                    else "")


def _exports_among(entries: list[Entry]) -> list[str]:
    """The names of the exports among an archive's files, in name order (as its recordings)."""
    return sorted(entry.name for entry in leaves(entries) if export_format(entry.head))


def exports_in(source: str | Path | bytes | IO[Any], name: str | None = None) -> list[ExportFile]:
    """The Strong or Hevy exports a file is (plain or .gz) or holds (the files of a zip, zips
    inside opened; in name order), told by their header lines; [] when it is none and holds
    none.

    ``name`` names bytes or a file object in messages and in the exports' names. Raises
    ``ValueError`` (``RecordingError``) naming the file when it cannot be opened: a damaged zip,
    one over the size or nesting limits.
    """
    upload = _read_bytes(source)
    if name:
        upload = Upload(name, upload.data)
    entries = archive_entries(upload, _HEADER_BYTES)
    if entries is None:
        return [ExportFile(upload.name, None)] if export_format(
            head_of(upload, _HEADER_BYTES)) else []
    return [ExportFile(found, found) for found in _exports_among(entries)]


def _read_text(source: str | Path | bytes | IO[Any], inside: str | None = None) -> tuple[str, str]:
    """(text, name) of the export a path, bytes or file object is, or holds (the one at
    ``inside`` in a zip; without it, the zip's only export); ``ValueError`` naming the file when
    it is no UTF-8 text, is damaged, or holds no export (or several, ``inside`` not given)."""
    upload = _read_bytes(source)
    if inside is None and (entries := archive_entries(upload, _HEADER_BYTES)) is not None:
        found = _exports_among(entries)
        if not found:
            held = [e.name.removeprefix(upload.name + "/") for e in leaves(entries)]
            raise ValueError(f"{upload.name}: no Strong or Hevy export inside "
                             f"({'it holds ' + _listed(held) if held else 'it is empty'})")
        if len(found) > 1:
            names = [n.removeprefix(upload.name + "/") for n in found]
            raise ValueError(f"{upload.name}: holds {len(found)} exports ({_listed(names)}); "
                             "import them one at a time")
        inside = found[0]
    if inside is not None:
        (upload,) = archive_files(upload, [inside])
    (upload,) = unpack(upload)[0]  # a .gz is unpacked; the export is a file, not an archive
    if upload.warnings:
        # A cut-off .gz: its first lines are intact, but the workouts after the cut would be
        # missing, the last one maybe in part. Better none than some.
        raise ValueError(f"{upload.name}: the file is cut off (it ends before its gzip end "
                         "marker); copy or download it again")
    try:
        return upload.data.decode("utf-8-sig"), upload.name
    except UnicodeDecodeError:
        raise ValueError(f"{upload.name}: not a UTF-8 text CSV file") from None


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
        value *= LB_IN_KG
    elif unit not in ("kg", "kgs", ""):
        raise ValueError(f"{where}: unknown weight unit {unit!r} (use kg or lbs)")
    return check_weight(value, where)


def _zero_as_no_weight(
    session: Session, sets: list[edits.TypedSet], resolved: dict[str, str]
) -> list[edits.TypedSet]:
    """The sets with a weight of 0 read as no weight, but on an assisted exercise.

    Strong and Hevy write 0 for a set without weight (pull-ups, push-ups, planks): not 0 kg,
    which records, volume and the journal would show as if lifted. On an assisted exercise the
    weight is the machine's help, and 0 kg of it is the set done unassisted: a real value, and
    the exercise's best ("least assistance"). ``resolved`` (name → id) is ``add_typed_sets``'s,
    filled in here for the names this needs.
    """
    read = []
    for typed in sets:
        if typed["weight_kg"] == 0:
            name = typed["exercise"]
            if name not in resolved:
                resolved[name] = catalog.resolve_exercise(session, name)
            if not exercises.is_assisted(resolved[name]):
                typed = typed.copy()
                typed["weight_kg"] = None
        read.append(typed)
    return read


def _text(text: str | None, where: str, what: str, max_chars: int | None = None) -> str:
    """A title, name or note of the file; refused (saying where) when the journal cannot keep
    it: a NUL character, or longer than its column."""
    value = check_text(text or "", f"{where}: {what}")
    if max_chars is not None and len(value) > max_chars:
        raise ValueError(f"{where}: {what} is {len(value)} characters long; at most {max_chars}")
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
            title=_text(row[title_column], where, "the workout name", _MAX_TITLE_CHARS),
            notes=_text(row.get(notes_column), where, "the workout notes"),
        )
    return workouts[key]


def _exercise(row: dict[str, str], column: str, where: str) -> str:
    return _text((row.get(column) or "").strip(), where, "the exercise name", _MAX_EXERCISE_CHARS)


def _parse_strong(rows: Iterable[dict[str, str]], weight_unit: str) -> _Parsed:
    workouts: dict[tuple[str, str], _Workout] = {}
    unit_needed = False
    for line, row in enumerate(rows, start=2):
        where = f"line {line}"
        name = _exercise(row, "Exercise Name", where)
        if not name or (row.get("Set Order") or "").strip().lower() == "rest timer":
            continue
        workout = _workout_of(workouts, row, ("Date", "Workout Name", "Workout Notes"), where)
        # Current Strong exports have no Weight Unit column: the weights are in the unit the
        # app was set to, which only the user knows.
        unit = row.get("Weight Unit") or weight_unit
        unit_needed = unit_needed or not row.get("Weight Unit")
        workout.sets.append({
            "exercise": name,
            "reps": _reps(row.get("Reps"), where),
            "weight_kg": _weight(row.get("Weight"), unit, where),
            "rpe": check_rpe(_float(row.get("RPE"), where, "RPE"), where),
            "notes": _text(row.get("Notes"), where, "the set notes"),
        })
    return _Parsed("strong", list(workouts.values()), unit_needed)


def _parse_hevy(rows: Iterable[dict[str, str]]) -> _Parsed:
    workouts: dict[tuple[str, str], _Workout] = {}
    last_exercise: dict[int, str] = {}  # by workout
    for line, row in enumerate(rows, start=2):
        where = f"line {line}"
        name = _exercise(row, "exercise_title", where)
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
            "notes": _text(row.get("exercise_notes"), where, "the exercise notes")
            if first_of_block else "",
        })
    return _Parsed("hevy", list(workouts.values()))


def _delimiter(text: str) -> str:
    """Strong's older exports separate with ';', its current ones and Hevy's with ','."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _format_of(header: Iterable[str]) -> str | None:
    """"strong" or "hevy" when the header (stripped column names) has that export's columns."""
    columns = set(header)
    if all(c in columns for c in _STRONG_REQUIRED):
        return "strong"
    if all(c in columns for c in _HEVY_REQUIRED):
        return "hevy"
    return None


def export_format(data: bytes | str) -> str | None:
    """"strong" or "hevy" when ``data`` (a file's bytes, or its start) begins with the header of
    that app's CSV export, as the importer tells them apart; None for anything else."""
    if isinstance(data, bytes):
        data = data[:_HEADER_BYTES].decode("utf-8-sig", errors="replace")
    first_line = data.removeprefix("\ufeff").split("\n", 1)[0]
    try:
        header = next(csv.reader([first_line.rstrip("\r")], delimiter=_delimiter(first_line)), [])
    except csv.Error:
        return None
    return _format_of(h.strip() for h in header)


def _parse(text: str, name: str, weight_unit: str) -> _Parsed:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    try:
        source_format = _format_of(header)
        if source_format == "strong":
            return _parse_strong(reader, weight_unit)
        if source_format == "hevy":
            return _parse_hevy(reader)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    except csv.Error as error:
        raise ValueError(f"{name}: not a readable CSV file ({error})") from None
    raise ValueError(
        f"{name}: not a Strong or Hevy export; expected columns like "
        f"{', '.join(STRONG_COLUMNS)} (Strong) or {', '.join(_HEVY_REQUIRED)}… (Hevy), "
        f"found {', '.join(header) or 'none'}"
    )


def _import_key(source_format: str, athlete: str | None, workout: _Workout) -> str:
    """What marks a workout as imported: the app, the athlete, its date and name."""
    digest = hashlib.sha256(
        f"{athlete or DEFAULT_ATHLETE}|{workout.performed_at.isoformat()}|{workout.title}".encode()
    ).hexdigest()[:40]
    return f"{source_format}:{digest}"


def _imported_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` that sessions in the journal carry."""
    wanted, found = list(keys), set[str]()
    for start in range(0, len(wanted), 500):  # well under any database's bound-value limit
        found.update(key for key in session.scalars(select(WorkoutSession.import_key).where(
            WorkoutSession.import_key.in_(wanted[start:start + 500]))) if key is not None)
    return found


def _already_there(
    session: Session, source_format: str, athlete: str | None, workouts: list[_Workout]
) -> list[bool]:
    """Per workout, whether the athlete's journal has it: imported before (its import mark), or
    a session of theirs at the same second with the same title (as ``write_strong_csv`` writes
    a session: a recorded one carries no import mark)."""
    marked = _imported_keys(session, (_import_key(source_format, athlete, w) for w in workouts))
    dates = [w.performed_at for w in workouts]
    sessions: set[tuple[datetime, str]] = set()
    if dates:
        sessions = {(at.replace(microsecond=0), title) for at, title in session.execute(
            select(WorkoutSession.performed_at, WorkoutSession.title)
            .join(Athlete, WorkoutSession.athlete_id == Athlete.id)
            .where(Athlete.name == (athlete or DEFAULT_ATHLETE),
                   WorkoutSession.performed_at >= min(dates),
                   WorkoutSession.performed_at < max(dates) + timedelta(seconds=1)))}
    return [
        _import_key(source_format, athlete, w) in marked
        or (w.performed_at.replace(microsecond=0), w.title) in sessions
        for w in workouts
    ]


def preview_workouts_csv(
    session: Session,
    source: str | Path | bytes | IO[Any],
    *,
    athlete: str | None = None,
    weight_unit: str = "kg",
    inside: str | None = None,
) -> ImportPreview:
    """What ``import_workouts_csv`` would do with these arguments, writing nothing: the same
    parsing and checks (``ValueError`` naming the line), the workouts already in the journal,
    the exercise names that would become custom exercises."""
    text, name = _read_text(source, inside)
    parsed = _parse(text, name, weight_unit)
    workouts = parsed.workouts
    there = _already_there(session, parsed.source_format, athlete, workouts)
    new = [w for w, known in zip(workouts, there, strict=True) if not known]
    # A 0 (no weight, or an assisted set's) says nothing of the unit.
    weights = [s["weight_kg"] for w in workouts for s in w.sets if s["weight_kg"]]
    dates = [w.performed_at for w in workouts]
    return ImportPreview(
        source_format=parsed.source_format,
        workouts=len(workouts),
        sets=sum(len(w.sets) for w in workouts),
        first_at=min(dates, default=None),
        last_at=max(dates, default=None),
        workouts_known=len(workouts) - len(new),
        sets_new=sum(len(w.sets) for w in new),
        custom_exercises=tuple(sorted(catalog.new_custom_names(
            session, (s["exercise"] for w in new for s in w.sets)))),
        unit_needed=parsed.unit_needed,
        heaviest_kg=max(weights, default=None),
    )


def import_workouts_csv(
    session: Session,
    source: str | Path | bytes | IO[Any],
    *,
    athlete: str | None = None,
    weight_unit: str = "kg",
    inside: str | None = None,
) -> ImportResult:
    """Import a Strong or Hevy CSV export as sessions (all or nothing; the caller commits).

    ``weight_unit`` is the unit of Strong's ``Weight`` column when the file does not say.
    ``source`` may be a .csv.gz or a zip holding the export; ``inside`` names the export in a zip
    of several (an ``ExportFile.inside`` of ``exports_in``). A weight of 0 is read as none, but
    on an assisted exercise (``_zero_as_no_weight``).
    """
    text, name = _read_text(source, inside)
    parsed = _parse(text, name, weight_unit)
    source_format = parsed.source_format
    known = set(session.scalars(select(Exercise.id)))
    created: list[int] = []
    skipped = n_sets = 0
    resolved: dict[str, str] = {}  # exercise name → id, for all the workouts
    there = _already_there(session, source_format, athlete, parsed.workouts)
    with session.begin_nested():
        for workout, known_workout in zip(parsed.workouts, there, strict=True):
            if known_workout:
                skipped += 1
                continue
            import_key = _import_key(source_format, athlete, workout)
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
            n_sets += edits.add_typed_sets(
                session, session_id, _zero_as_no_weight(session, workout.sets, resolved),
                resolved=resolved)
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
