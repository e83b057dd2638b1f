"""One CSV file's bytes → a ``SensorTable``: dialect sniffed, columns mapped, values parsed.

The column vocabulary lives in ``formats``, time columns in ``recordings_time``, units and the
gravity convention in ``recordings_table``.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml import formats as fm
from ml.recordings_errors import RecordingError
from ml.recordings_table import (
    SensorTable,
    apple_gravity_points_down,
    canonical_units,
    orient_gravity,
)
from ml.recordings_time import time_in_seconds, zone_from_header

_SNIFF_BYTES = 64 * 1024
#: Bytes of a file ``sensors_in`` needs to tell what it holds (one more than the sniffing reads).
HEAD_BYTES = _SNIFF_BYTES + 1


@dataclass(frozen=True)
class _Dialect:
    encoding: str
    sep: str
    decimal: str
    header_row: int  # 0-based line index of the header
    names: list[str]
    first_values: list[str]  # the first data row, split


def _sniff(name: str, data: bytes) -> _Dialect:
    """Encoding, delimiter, decimal mark and header of a CSV file; RecordingError if not text."""
    if not data or data.isspace():
        raise RecordingError(f"{name}: the file is empty")
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        raise RecordingError(f"{name}: this is a binary file, not a CSV text export")
    encoding = "utf-8-sig"
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and len(data) > len(head):
            text = head[: error.start].decode(encoding)  # a character cut by the sniff window
        else:
            raise RecordingError(
                f"{name}: not UTF-8 text (undecodable byte 0x{head[error.start]:02x} at byte "
                f"{error.start}); export the file again as CSV"
            ) from None
    lines = text.splitlines()
    header_row = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_row is None:
        raise RecordingError(f"{name}: the file is empty")
    header = lines[header_row]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda s: counts[s])
    if counts[sep] == 0:
        sep = ","
    names = next(csv.reader([header], delimiter=sep, skipinitialspace=True))
    data_lines = [line for line in lines[header_row + 1 : header_row + 50] if line.strip()]
    if not data_lines:
        raise RecordingError(
            f"{name}: has a header but no data rows (columns: {', '.join(names)})"
        )
    decimal = "."
    if sep != "," and any(re.search(r"\d,\d", line) for line in data_lines):
        decimal = ","
    first = next(csv.reader([data_lines[0]], delimiter=sep, skipinitialspace=True))
    return _Dialect(encoding, sep, decimal, header_row, names, first)


def _is_number(text: str, decimal: str) -> bool:
    try:
        float(text.replace(decimal, ".") if decimal != "." else text)
    except ValueError:
        return False
    return True


def _columns_list(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "(none)"


def _locate_bad_value(
    name: str, data: bytes, d: _Dialect, positions: list[int]
) -> RecordingError | None:
    """Re-read as text to name the line and column of the first value that is not a number."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=d.sep, header=0, usecols=positions, dtype=str,
            encoding=d.encoding, skipinitialspace=True, skip_blank_lines=False,
        )
    except (ValueError, pd.errors.ParserError):
        return None
    frame.columns = pd.Index(sorted(positions))
    for position in positions:
        raw = frame[position]
        cleaned = raw.str.strip()
        if d.decimal == ",":
            cleaned = cleaned.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(cleaned, errors="coerce")
        bad = numbers.isna() & raw.notna()
        if bad.any():
            row = int(np.argmax(bad.to_numpy()))
            return RecordingError(
                f"{name}: line {d.header_row + 2 + row}, column {d.names[position]!r}: "
                f"{raw.iloc[row]!r} is not a number"
            )
    return None


def _read_columns(
    name: str, data: bytes, d: _Dialect, time_pos: int, time_numeric: bool, sensors: list[int]
) -> pd.DataFrame:
    """The chosen columns only (the C parser skips the rest), labelled by their position.

    No dtype is forced: pandas' own float parsing is its fastest path, and a column that comes
    back as text is how a non-numeric value is found (then named by line and column).
    """
    positions = sorted({time_pos, *sensors})
    try:
        with warnings.catch_warnings():
            # Chunked parsing keeps memory low; a column of mixed types is found just below.
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(
                io.BytesIO(data), sep=d.sep, decimal=d.decimal, header=0, usecols=positions,
                engine="c", encoding="utf-8", skip_blank_lines=True,
            )
    except UnicodeDecodeError as error:
        raise RecordingError(
            f"{name}: not UTF-8 text (undecodable byte 0x{error.object[error.start]:02x} "
            "further into the file); export the file again as CSV"
        ) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise RecordingError(
            f"{name}: cannot be read as CSV: {str(error).strip().splitlines()[-1]}"
        ) from None
    frame.columns = pd.Index(positions)
    numeric = [time_pos, *sensors] if time_numeric else sensors
    if any(not pd.api.types.is_numeric_dtype(frame[p]) for p in numeric):
        located = _locate_bad_value(name, data, d, numeric)
        raise located or RecordingError(f"{name}: some values are not numbers")
    return frame


def _attitude_says_down(
    data: bytes, d: _Dialect, gravity_pos: tuple[int, int, int], quaternion_pos: list[int]
) -> bool | None:
    """Gravity convention from the first rows' attitude (it is fixed for a file)."""
    positions = [*gravity_pos, *quaternion_pos]
    try:
        head = pd.read_csv(io.BytesIO(data), sep=d.sep, decimal=d.decimal, header=0,
                           usecols=sorted(positions), nrows=3000, engine="c")
        head.columns = pd.Index(sorted(positions))
        gravity = head[list(gravity_pos)].to_numpy(dtype=np.float64)
        quaternion = head[quaternion_pos].to_numpy(dtype=np.float64)
    except (ValueError, TypeError, pd.errors.ParserError):
        return None  # the full read reports what is wrong
    return apple_gravity_points_down(gravity, quaternion)


def _cut_off_last_line(data: bytes, d: _Dialect, numeric: list[int]) -> tuple[bytes, str | None]:
    """The data without a last line the file was cut off in, and a warning saying so.

    A last line without a line end was cut off when it lacks columns, leaves a quote open
    or holds a value that is not a number ('-', '1e': the cut fell inside it). It is left
    out, so the recording stops early; a bad value on a complete line is still an error.
    """
    end = data.rfind(b"\n") + 1
    last = data[end:].decode(d.encoding, errors="replace")  # may end mid-character
    if not last.strip():
        return data, None
    fields = next(csv.reader([last], delimiter=d.sep, skipinitialspace=True), [])
    if len(fields) < len(d.names):
        what = f"has {len(fields)} of the {len(d.names)} columns"
    elif last.count('"') % 2:
        what = "has a quote left open"
    else:
        bad = [p for p in numeric
               if fields[p].strip() and not _is_number(fields[p].strip(), d.decimal)]
        if not bad:
            return data, None
        what = f"has {fields[bad[0]]!r} in column {d.names[bad[0]]!r}"
    line = data.count(b"\n") + 1
    return data[:end], (f"line {line} {what} and no line end: the file looks cut off, so the "
                        "recording stops there")


@dataclass(frozen=True)
class _Layout:
    """Where a file's time, sensor and attitude columns are, read off its header."""

    dialect: _Dialect
    columns: list[fm.ColumnName]
    time_pos: int
    positions: dict[str, tuple[int, int, int]]  # sensor kind → x, y, z column positions
    quaternion_pos: list[int]  # w, x, y, z, or none
    source_format: str


#: Column names (lower case, letters only) of a log of sets rather than of motion: the Journal
#: page's "Download these sets", workout apps' exports (FitNotes, JEFIT, a spreadsheet).
_SET_LOG_REPS = {"reps", "rep", "repetitions", "repcount"}
_SET_LOG_EXERCISE = {"exercise", "exercisename", "exercisetitle", "exerciseid", "movement"}


def _refuse_set_log(name: str, names: list[str]) -> None:
    """A table of sets (an exercise and reps per row) is no recording: say what it is and
    where such a file goes, rather than which motion column it lacks."""
    keys = {re.sub(r"[^a-z]", "", n.casefold()) for n in names}
    if keys & _SET_LOG_REPS and keys & _SET_LOG_EXERCISE:
        raise RecordingError(
            f"{name}: a table of sets (an exercise and its reps on each row), not a motion "
            "recording, which has time and gyroscope columns. A Strong or Hevy export is "
            "imported as workouts (the Upload page, or `python -m journal import-strong`); a "
            f"whole journal moves with `python -m journal copy`. Columns seen: "
            f"{_columns_list(names)}"
        )


def _layout(name: str, data: bytes) -> _Layout:
    d = _sniff(name, data)
    _refuse_set_log(name, d.names)
    columns = [fm.parse_column_name(n) for n in d.names]
    ranked = sorted((rank, i) for i, c in enumerate(columns)
                    if (rank := fm.time_rank(c)) is not None)
    if not ranked:
        raise RecordingError(
            f"{name}: no time column; columns seen: {_columns_list(d.names)}. Name it time, "
            "timestamp, t, seconds, seconds_elapsed or elapsed"
        )
    time_pos = ranked[0][1]
    file_kind = fm.kind_from_file_name(name)
    axes: dict[str, dict[str, int]] = {}
    quaternion_axes: dict[str, int] = {}
    for i, column in enumerate(columns):
        if i == time_pos:
            continue
        sensor = fm.sensor_of(column, file_kind)
        if sensor:
            axes.setdefault(sensor[0], {}).setdefault(sensor[1], i)
        elif (component := fm.is_quaternion(column)) is not None:
            quaternion_axes.setdefault(component, i)
    positions = {kind: (a["x"], a["y"], a["z"]) for kind, a in axes.items()
                 if {"x", "y", "z"} <= a.keys()}
    quaternion_pos = [quaternion_axes[c] for c in "wxyz"] if len(quaternion_axes) == 4 else []
    return _Layout(d, columns, time_pos, positions, quaternion_pos,
                   fm.classify_format(d.names, name))


def sensors_in(name: str, head: bytes) -> tuple[str, frozenset[str]]:
    """The format and the sensor kinds of a CSV file, from its first ``HEAD_BYTES`` bytes alone;
    RecordingError when its header cannot be read as ``read_table`` would."""
    layout = _layout(name, head)
    return layout.source_format, frozenset(layout.positions)


def read_table(name: str, data: bytes) -> SensorTable:
    """Parse one CSV file; RecordingError names what is wrong and where."""
    layout = _layout(name, data)
    d, columns, time_pos = layout.dialect, layout.columns, layout.time_pos
    positions, quaternion_pos = layout.positions, layout.quaternion_pos
    sensor_pos = [p for triple in positions.values() for p in triple]
    table = SensorTable(
        file_name=name, source_format=layout.source_format,
        time_s=np.empty(0), epoch=False, tz=None, streams={}, first_line=d.header_row + 2,
    )
    table.columns_seen = tuple(d.names)
    time_numeric = _is_number(d.first_values[time_pos], d.decimal) \
        if time_pos < len(d.first_values) else True
    data, cut = _cut_off_last_line(data, d, [time_pos, *sensor_pos] if time_numeric else sensor_pos)
    if cut is not None:
        table.warnings.append(cut)
    frame = _read_columns(name, data, d, time_pos, time_numeric, sensor_pos)
    if len(frame) == 0:
        raise RecordingError(f"{name}: has a header but no data rows")
    seconds, table.epoch, table.tz, time_unit, time_warnings = time_in_seconds(
        name, frame[time_pos], columns[time_pos], time_numeric, d.header_row + 2
    )
    table.warnings.extend(time_warnings)
    table.units["time"] = time_unit
    if table.epoch and (header_zone := zone_from_header(columns)) is not None:
        table.tz = header_zone
    keep = np.isfinite(seconds)
    if not keep.all():
        table.warnings.append(f"{int((~keep).sum())} rows without a time value were skipped")
    everything = bool(keep.all())
    table.time_s = seconds if everything else seconds[keep]
    for kind, triple in positions.items():
        samples = np.empty((len(frame), 3), dtype=np.float32)
        with np.errstate(over="ignore"):  # beyond float32: becomes inf, skipped as non-finite
            for k, position in enumerate(triple):
                samples[:, k] = frame[position].to_numpy()
        table.streams[kind] = samples if everything else samples[keep]
    # Absurd values (1e300) only make the unit and sign guesses fall back to their defaults;
    # the range check after cleaning rejects them with a message.
    with np.errstate(over="ignore", invalid="ignore"):
        points_down = _attitude_says_down(data, d, positions[fm.GRAVITY], quaternion_pos) \
            if quaternion_pos and fm.GRAVITY in positions else None
        canonical_units(table, columns, positions)
        orient_gravity(table, points_down)
    return table
