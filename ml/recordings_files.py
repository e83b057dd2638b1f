"""Which files of an upload form the recording: archives opened, watch before phone, gyroscope
paired with the accelerometer (and gravity) files of the same export."""

from __future__ import annotations

from ml import formats as fm
from ml.recordings_csv import read_table
from ml.recordings_errors import RecordingError
from ml.recordings_io import Upload, unpack
from ml.recordings_table import SensorTable

ACCEL_KINDS = (fm.ACCEL, fm.GRAVITY, fm.USER_ACCEL)


def short_name(name: str) -> str:
    """The file name without the archive path ("export.zip/Gyroscope.csv" → "Gyroscope.csv")."""
    return name.rsplit("/", 1)[-1]


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
            if not member.name.lower().removesuffix(".gz").endswith((".csv", ".txt", ".tsv")):
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


def choose(tables: list[SensorTable]) -> tuple[SensorTable, dict[str, SensorTable], list[str]]:
    """The gyroscope table, where each acceleration stream comes from, and what is ignored."""
    with_gyro = [t for t in tables if fm.GYRO in t.streams]
    if not with_gyro:
        raise _no_gyroscope(tables)
    # A watch export beats a phone's: the app is about the wrist.
    watch = [t for t in with_gyro if t.source_format in fm.APPLE_FORMATS]
    candidates = watch or with_gyro
    if len(candidates) > 1:
        names = ", ".join(short_name(t.file_name) for t in candidates)
        raise RecordingError(
            f"several gyroscope recordings in one upload ({names}): one upload is one "
            "recording. Give each file on its own (unzip an archive of several first): the app "
            "takes many files at once and makes a session of each"
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
