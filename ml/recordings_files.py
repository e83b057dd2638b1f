"""Which files of an upload form the recording: archives opened, watch before phone, gyroscope
paired with the accelerometer (and gravity) files of the same export; and the recordings an
archive of several holds."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ml import formats as fm
from ml.recordings_csv import HEAD_BYTES, read_table, sensors_in
from ml.recordings_errors import RecordingError
from ml.recordings_io import Entry, Upload, archive_entries, leaves, unpack
from ml.recordings_table import SensorTable

ACCEL_KINDS = (fm.ACCEL, fm.GRAVITY, fm.USER_ACCEL)
#: File endings read as CSV inside an archive (each may be .gz too); other files are skipped.
_CSV_ENDINGS = (".csv", ".txt", ".tsv")
_SENSOR_WORD = re.compile(r"(gyroscope|accelerometer)", re.IGNORECASE)

T = TypeVar("T")


def short_name(name: str) -> str:
    """The file name without the archive path ("export.zip/Gyroscope.csv" → "Gyroscope.csv")."""
    return name.rsplit("/", 1)[-1]


def _is_csv_name(name: str) -> bool:
    return name.lower().removesuffix(".gz").endswith(_CSV_ENDINGS)


def _pair_key(name: str) -> tuple[str, str] | None:
    """(name up to the sensor word, sensor) for "..._Gyroscope_25.000Hz_1.4.4.csv"; else None."""
    found = _SENSOR_WORD.search(name)
    if found is None:
        return None
    return name[: found.start()].casefold(), found.group(1).casefold()


def recording_name(names: Sequence[str]) -> str:
    """How a recording of these files is named to people: a MetaMotion pair
    ("X_Accelerometer_12.500Hz….csv", "X_Gyroscope_25.000Hz….csv") by the name its files share,
    "X" (two full names made a heading of four lines); other files by their names joined by " + "
    (a Sensor Logger pair, "Accelerometer.csv + Gyroscope.csv", shares nothing)."""
    found = [_SENSOR_WORD.search(name) for name in names]
    stems = {name[: match.start()] for name, match in zip(names, found, strict=True) if match}
    if len(names) == 2 and len(stems) == 1 and all(found):
        stem = stems.pop().rstrip("_-. ")
        if stem:
            return stem
    return " + ".join(names)


def group_by_name(files: Sequence[T], name_of: Callable[[T], str]) -> list[list[T]]:
    """Group files given one by one into recordings, in the order given.

    A MetaMotion export (``X_Gyroscope_25.000Hz.csv`` + ``X_Accelerometer_12.500Hz.csv``) or a
    Sensor Logger phone pair (``Gyroscope.csv`` + ``Accelerometer.csv``) shares the name before
    the sensor word: such a pair, one of each sensor, is one recording. Every other file is a
    recording of its own.
    """
    groups: list[list[T]] = []
    open_pairs: dict[str, list[T]] = {}
    for file in files:
        key = _pair_key(name_of(file))
        if key is None:
            groups.append([file])
            continue
        prefix, sensor = key
        partner = open_pairs.get(prefix)
        if partner is not None and _pair_key(name_of(partner[0])) != key:
            partner.append(file)
            del open_pairs[prefix]
            continue
        group = [file]
        groups.append(group)
        open_pairs[prefix] = group
    return groups


def read_tables(uploads: list[Upload]) -> list[SensorTable]:
    """Every sensor table; inside archives, files that are not one are skipped (a plain file that
    is not one is an error)."""
    tables: list[SensorTable] = []
    for upload in uploads:
        skipped: list[str] = []
        members, archive = unpack(upload)
        for member in members:
            if not archive:
                tables.append(read_table(member.name, member.data))
                tables[-1].warnings.extend(member.warnings)
                continue
            if not _is_csv_name(member.name):
                skipped.append(f"{short_name(member.name)} (not a CSV file)")
                continue
            try:
                table = read_table(member.name, member.data)
            except RecordingError as error:
                skipped.append(f"{short_name(member.name)} ({str(error).split(': ', 1)[-1]})")
                continue
            if table.streams:
                table.warnings.extend(member.warnings)
                tables.append(table)
            else:
                skipped.append(f"{short_name(member.name)} (no sensor columns)")
        if archive and not any(t.file_name.startswith(upload.name + "/") for t in tables):
            inside = "; ".join(skipped) if skipped else "it is empty"
            raise RecordingError(f"{upload.name}: nothing recognisable inside: {inside}")
    return tables


def _no_gyroscope(tables: list[SensorTable]) -> RecordingError:
    if len(tables) == 1:
        table = tables[0]
        return RecordingError(
            f"{short_name(table.file_name)}: no gyroscope columns; columns seen: "
            f"{', '.join(repr(c) for c in table.columns_seen)}. Name them gx, gy, gz (or gyro_x, "
            "rotationRateX, ...)"
        )
    held = "; ".join(
        f"{short_name(t.file_name)}: "
        f"{', '.join(fm.SENSOR_WORDS[k] for k in t.streams) or 'nothing'}"
        for t in tables
    )
    return RecordingError(f"none of the files holds gyroscope data ({held})")


class _Sensors(Protocol):
    """What a file holds: a parsed table, or what its header says (``_Header``)."""

    @property
    def source_format(self) -> str: ...

    @property
    def streams(self) -> Collection[str]: ...


S = TypeVar("S", bound=_Sensors)


def _gyro_candidates(files: Sequence[S]) -> list[S]:
    """The files that may be the recording's gyroscope: a watch's beat a phone's (the app is
    about the wrist). More than one: the files hold several recordings."""
    with_gyro = [f for f in files if fm.GYRO in f.streams]
    watch = [f for f in with_gyro if f.source_format in fm.APPLE_FORMATS]
    return watch or with_gyro


def choose(tables: list[SensorTable]) -> tuple[SensorTable, dict[str, SensorTable], list[str]]:
    """The gyroscope table, where each acceleration stream comes from, and what is ignored."""
    candidates = _gyro_candidates(tables)
    if not candidates:
        raise _no_gyroscope(tables)
    if len(candidates) > 1:
        names = ", ".join(short_name(t.file_name) for t in candidates)
        raise RecordingError(
            f"several gyroscope recordings in one upload ({names}): one upload is one "
            "recording. On the command line give each recording as its own argument (unzip an "
            "archive of several first); the Upload page takes such a zip as it is and makes a "
            "recording of each"
        )
    main = candidates[0]
    sources = {kind: main for kind in ACCEL_KINDS if kind in main.streams}
    if not sources:
        partners = [t for t in tables if t is not main and fm.GYRO not in t.streams
                    and t.source_format == main.source_format]
        for kind in ACCEL_KINDS:
            offering = [t for t in partners if kind in t.streams]
            if offering:
                # Several accelerometer files: the one that started nearest the gyroscope.
                sources[kind] = min(offering, key=lambda t: abs(t.time_s[0] - main.time_s[0]))
    used = {id(main), *(id(t) for t in sources.values())}
    ignored = [short_name(t.file_name) for t in tables if id(t) not in used]
    return main, sources, ignored


@dataclass(frozen=True)
class Part:
    """One recording inside an archive of several."""

    #: What it is inside the archive: "monday.csv", "A_Gyroscope….csv + A_Accelerometer….csv",
    #: a folder "2024-11-25/" or an archive "monday.zip".
    name: str
    #: Its files by their full names ("week.zip/monday.csv"), for ``read_recording(inside=...)``.
    files: tuple[str, ...]


@dataclass(frozen=True)
class _Header:
    """A sensor file inside an archive, as its first lines describe it."""

    name: str
    source_format: str
    streams: frozenset[str]


def _headers(entries: Sequence[Entry]) -> dict[str, _Header]:
    """Every file inside (archives inside opened) that holds sensor columns, by name."""
    found: dict[str, _Header] = {}
    for entry in entries:
        if entry.inner is not None:
            found.update(_headers(entry.inner))
            continue
        if not _is_csv_name(entry.name):
            continue
        try:
            source_format, streams = sensors_in(entry.name, entry.head)
        except RecordingError:
            continue  # unreadable: skipped, as inside an archive of one recording
        if streams:
            found[entry.name] = _Header(entry.name, source_format, streams)
    return found


def _split(entries: Sequence[Entry], base: str, root: str,
           headers: dict[str, _Header]) -> list[Part]:
    """The recordings among ``entries`` (the files under ``base``, a folder or an archive path
    ending in "/"). A folder or an archive inside whose files are one recording is one; the files
    lying directly under ``base`` are one when they hold one gyroscope recording, else they are
    grouped as files uploaded one by one are (``group_by_name``)."""
    folders: dict[str, list[Entry]] = {}
    loose: list[_Header] = []
    for entry in sorted(entries, key=lambda e: e.name):  # name order, as uploads are read
        rest = entry.name[len(base):]
        if "/" in rest:
            folders.setdefault(base + rest.split("/", 1)[0] + "/", []).append(entry)
        elif entry.inner is not None:
            folders[entry.name] = [entry]  # an archive inside: a folder of its own
        elif entry.name in headers:
            loose.append(headers[entry.name])
    parts: list[Part] = []
    for unit, members in folders.items():
        is_folder = unit.endswith("/")
        inside = members if is_folder else (members[0].inner or ())
        files = [headers[e.name] for e in leaves(inside) if e.name in headers]
        if len(_gyro_candidates(files)) > 1:
            parts.extend(_split(inside, unit if is_folder else unit + "/", root, headers))
        elif files:
            paths = tuple(f.name for f in files) if is_folder else (unit,)
            parts.append(Part(unit[len(root):], paths))
    if len(_gyro_candidates(loose)) > 1:
        groups = group_by_name(loose, lambda header: header.name)
    else:
        groups = [loose] if loose else []
    for group in groups:
        parts.append(Part(recording_name([h.name[len(root):] for h in group]),
                          tuple(h.name for h in group)))
    return sorted(parts, key=lambda part: part.files[0])


def split_archive(upload: Upload) -> list[Part]:
    """The recordings an archive of several holds, in name order; [] when the upload is one
    recording (a plain file, or an archive of one: a MetaMotion pair, a Sensor Logger export).

    Each recording is what its files would be if uploaded unzipped: a folder (or an archive
    inside) holding one recording is one; otherwise a file with gyroscope columns is one, joined
    by its partner in a gyroscope + accelerometer pair. Files without sensor columns (notes,
    metadata, macOS's hidden files) are left out. What is one recording is told from the files'
    first lines, so a large archive is looked through quickly.
    """
    entries = archive_entries(upload, HEAD_BYTES)
    if entries is None:
        return []
    headers = _headers(entries)
    if len(_gyro_candidates(list(headers.values()))) <= 1:
        return []
    return _split(entries, upload.name + "/", upload.name + "/", headers)


def sensor_files(upload: Upload) -> list[str]:
    """The files inside an archive upload that hold sensor columns (told by their first lines),
    in name order; [] for a plain file. An archive holding none has no recording to read."""
    entries = archive_entries(upload, HEAD_BYTES)
    return [] if entries is None else sorted(_headers(entries))
