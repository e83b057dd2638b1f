"""One CSV file's bytes → a ``SensorTable``: dialect sniffed, columns mapped, units made canonical.

Canonical here means gyro in rad/s and accelerations in g in the specific-force convention (a
device at rest reads +1 g "up"). Apple sources report gravity and user acceleration pointing the
other way, so they are negated; the three applewatch-gym files exported in m/s² already are,
which the quaternion columns reveal (see ``_apple_gravity_points_down``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo

import numpy as np
import pandas as pd

from ml import formats as fm
from ml.recordings_errors import RecordingError

STANDARD_GRAVITY = 9.80665
_SNIFF_BYTES = 64 * 1024


@dataclass
class SensorTable:
    """The samples of one file, before resampling.

    ``time_s`` (n,) float64 is Unix seconds when ``epoch`` else seconds from an arbitrary zero;
    each stream in ``streams`` is (n, 3) float32 in canonical units, NaN where a row was empty.
    """

    file_name: str
    source_format: str
    time_s: np.ndarray
    epoch: bool
    tz: tzinfo | None
    streams: dict[str, np.ndarray]
    units: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    first_line: int = 2  # file line number of the first data row, for messages
    columns_seen: tuple[str, ...] = ()


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
    if not data.strip():
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
    """Re-read as text to name the row and column of the first value that is not a number."""
    frame = pd.read_csv(
        io.BytesIO(data), sep=d.sep, header=None, skiprows=d.header_row + 1, usecols=positions,
        dtype=str, encoding=d.encoding, skipinitialspace=True, skip_blank_lines=False,
    )
    for position in positions:
        raw = frame[position]
        cleaned = raw.str.replace(",", ".", regex=False) if d.decimal == "," else raw
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
        frame = pd.read_csv(
            io.BytesIO(data), sep=d.sep, decimal=d.decimal, header=0, usecols=positions,
            engine="c", encoding="utf-8" if d.encoding == "utf-8-sig" else d.encoding,
            skip_blank_lines=True, low_memory=False,
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


def _infer_time_scale(name: str, column: str, t: np.ndarray) -> float:
    """Seconds per unit of a numeric time column whose header names no unit, from its steps."""
    head = t[: 20000]
    steps = np.diff(head[np.isfinite(head)])
    steps = steps[steps > 0]
    if steps.size == 0:
        raise RecordingError(f"{name}: the time column {column!r} never increases")
    step = float(np.median(steps))
    for unit in ("s", "ms", "us", "ns"):
        # A plausible sensor rate is 4 Hz to 2.5 kHz; the four bands do not overlap.
        if 0.0004 <= step * fm.TIME_SCALE[unit] <= 0.25:
            return fm.TIME_SCALE[unit]
    raise RecordingError(
        f"{name}: cannot tell the unit of time column {column!r} (median step {step:g}); "
        "expected seconds, milliseconds, microseconds or nanoseconds at 4 Hz to 2.5 kHz"
    )


def _is_epoch(seconds: float) -> bool:
    return 946_684_800.0 <= seconds <= 4_102_444_800.0  # 2000-01-01 .. 2100-01-01


def _parse_datetimes(name: str, column: str, raw: pd.Series, tz_unit: str | None,
                     first_line: int) -> tuple[np.ndarray, tzinfo | None, list[str]]:
    """ISO date-times → Unix seconds; zone from the values, else from the header, else UTC."""
    try:
        stamps = pd.to_datetime(raw, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
        row = int(np.argmax((parsed.isna() & raw.notna()).to_numpy()))
        raise RecordingError(
            f"{name}: line {first_line + row}, column {column!r}: {raw.iloc[row]!r} is neither "
            "a number nor a date-time"
        ) from None
    warnings: list[str] = []
    zone: tzinfo | None = stamps.dt.tz
    if zone is None:
        if tz_unit:
            zone = _zone_from_header([fm.ColumnName("", "", tz_unit)])
        else:
            zone = UTC
            warnings.append(f"the times in {column!r} carry no time zone: read as UTC")
        stamps = stamps.dt.tz_localize(zone)
    seconds = (stamps - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(seconds=1)
    return seconds.to_numpy(dtype=np.float64, na_value=np.nan), zone, warnings


def _apple_gravity_points_down(gravity: np.ndarray, quaternion: np.ndarray) -> bool | None:
    """Whether gravity follows CoreMotion (down) rather than specific force, from the attitude.

    CoreMotion's attitude quaternion (w, x, y, z) maps device axes to a z-up reference frame, so
    its gravity is the rotated (0, 0, -1). None when the quaternion does not settle it.
    """
    from scipy.spatial.transform import Rotation

    step = max(1, len(gravity) // 500)
    g, q = gravity[::step].astype(np.float64), quaternion[::step].astype(np.float64)
    ok = np.isfinite(g).all(axis=1) & np.isfinite(q).all(axis=1)
    ok &= (np.linalg.norm(q, axis=1) > 0.5) & (np.linalg.norm(g, axis=1) > 1e-3)
    if ok.sum() < 3:
        return None
    down = Rotation.from_quat(q[ok][:, [1, 2, 3, 0]]).inv().apply([0.0, 0.0, -1.0])
    g_unit = g[ok] / np.linalg.norm(g[ok], axis=1, keepdims=True)
    agreement = float(np.mean(np.sum(g_unit * down, axis=1)))
    if abs(agreement) < 0.5:
        return None
    return agreement > 0


def _median_norm(values: np.ndarray) -> float:
    norms = np.linalg.norm(values[:: max(1, len(values) // 5000)], axis=1)
    norms = norms[np.isfinite(norms)]
    return float(np.median(norms)) if norms.size else 0.0


def _header_unit(columns: list[fm.ColumnName], positions: tuple[int, int, int]) -> str | None:
    units = {columns[p].unit for p in positions} - {None}
    return units.pop() if len(units) == 1 else None


def _time_seconds(
    name: str, frame: pd.DataFrame, d: _Dialect, column: fm.ColumnName, position: int,
    numeric: bool,
) -> tuple[np.ndarray, bool, tzinfo | None, str, list[str]]:
    """(time in seconds, is Unix time, zone, unit label, warnings) of the time column."""
    if not numeric:
        tz_unit = column.unit if column.unit and column.unit.startswith("tz") else None
        seconds, zone, warnings = _parse_datetimes(
            name, column.original, frame[position], tz_unit, d.header_row + 2
        )
        return seconds, True, zone, "date-time", warnings
    raw = frame[position].to_numpy(dtype=np.float64)
    if column.unit in fm.TIME_SCALE:
        scale, unit = fm.TIME_SCALE[column.unit], column.unit
    elif column.stem in ("secondselapsed", "elapsed", "seconds", "elapseds", "elapsedtime"):
        scale, unit = 1.0, "s"
    else:
        scale = _infer_time_scale(name, column.original, raw)
        unit = next(u for u, s in fm.TIME_SCALE.items() if s == scale)
    seconds = raw * scale if scale != 1.0 else raw
    finite = seconds[np.isfinite(seconds)]
    epoch = bool(finite.size) and _is_epoch(float(finite[0]))
    return seconds, epoch, UTC if epoch else None, unit + (" (Unix time)" if epoch else ""), []


def _zone_from_header(columns: list[fm.ColumnName]) -> tzinfo | None:
    """MetaBase names its local-time column "time (01:00)": the offset of the wall clock."""
    for column in columns:
        if column.unit and column.unit.startswith("tz"):
            sign = -1 if column.unit[2] == "-" else 1
            hours, minutes = column.unit[3:].split(":")
            return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    return None


def _canonical_units(table: SensorTable, columns: list[fm.ColumnName],
                     positions: dict[str, tuple[int, int, int]]) -> None:
    """Convert each stream in place to rad/s or g, recording units and any guess as a warning."""
    streams, fmt = table.streams, table.source_format
    if fm.GYRO in streams:
        unit = _header_unit(columns, positions[fm.GYRO])
        if unit is None and fmt in (*fm.APPLE_FORMATS, "sensor-logger-phone"):
            unit = "rad/s"  # CoreMotion and Sensor Logger document rad/s
        if unit is None:
            norms = np.linalg.norm(streams[fm.GYRO][:: max(1, len(streams[fm.GYRO]) // 20000)],
                                   axis=1)
            p99 = float(np.nanpercentile(norms, 99)) if np.isfinite(norms).any() else 0.0
            unit = "deg/s" if p99 > 20.0 else "rad/s"
            table.warnings.append(
                f"gyroscope units are not in the header: read as {unit} from the size of the "
                f"values (99th percentile {p99:.3g})"
            )
        if unit == "deg/s":
            streams[fm.GYRO] = streams[fm.GYRO] * np.float32(np.pi / 180.0)
        table.units["gyro"] = unit
    accel_kinds = [k for k in (fm.GRAVITY, fm.ACCEL, fm.USER_ACCEL) if k in streams]
    if not accel_kinds:
        return
    unit = next((u for k in accel_kinds if (u := _header_unit(columns, positions[k]))), None)
    if unit is None and fmt == "sensor-logger-phone":
        unit = "m/s2"
    if unit is None:
        # Gravity (or total acceleration) is about 1 in g and 9.81 in m/s².
        reference = streams[fm.GRAVITY if fm.GRAVITY in streams else accel_kinds[0]]
        magnitude = _median_norm(reference)
        unit = "m/s2" if magnitude > 3.0 else "g"
        which = "gravity" if fm.GRAVITY in streams else "acceleration"
        table.warnings.append(
            f"accelerometer units are not in the header: read as {unit} from the {which} "
            f"magnitude ({magnitude:.2f})"
        )
    if unit == "m/s2":
        for kind in accel_kinds:
            streams[kind] = streams[kind] * np.float32(1.0 / STANDARD_GRAVITY)
    table.units["accel"] = unit


def _orient_gravity(table: SensorTable, quaternion: np.ndarray | None) -> None:
    """Split user from total acceleration; flip Apple's down-pointing vectors to specific force."""
    streams = table.streams
    if fm.GRAVITY not in streams:
        if fm.ACCEL in streams:
            table.units["accel_kind"] = "total"
        return
    if fm.ACCEL in streams and fm.USER_ACCEL not in streams and \
            _median_norm(streams[fm.ACCEL]) < 0.5:
        streams[fm.USER_ACCEL] = streams.pop(fm.ACCEL)  # "acceleration" beside gravity: user part
    points_down = _apple_gravity_points_down(streams[fm.GRAVITY], quaternion) \
        if quaternion is not None else None
    if points_down is None:
        # Without an attitude: CoreMotion in g points down; Sensor Logger's m/s² export and
        # Android already use specific force.
        points_down = table.source_format in fm.APPLE_FORMATS and table.units.get("accel") == "g"
    if points_down:
        for kind in (fm.GRAVITY, fm.USER_ACCEL, fm.ACCEL):
            if kind in streams:
                streams[kind] = -streams[kind]
    table.units["accel_kind"] = "gravity + user acceleration"
    table.units["gravity_convention"] = "flipped from CoreMotion" if points_down else "as read"


def read_table(name: str, data: bytes) -> SensorTable:
    """Parse one CSV file; RecordingError names what is wrong and where."""
    d = _sniff(name, data)
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
    sensor_pos = [p for triple in positions.values() for p in triple] + quaternion_pos
    table = SensorTable(
        file_name=name, source_format=fm.classify_format(d.names, name),
        time_s=np.empty(0), epoch=False, tz=None, streams={}, first_line=d.header_row + 2,
    )
    table.columns_seen = tuple(d.names)
    time_numeric = _is_number(d.first_values[time_pos], d.decimal) \
        if time_pos < len(d.first_values) else True
    frame = _read_columns(name, data, d, time_pos, time_numeric, sensor_pos)
    if len(frame) == 0:
        raise RecordingError(f"{name}: has a header but no data rows")
    seconds, table.epoch, table.tz, time_unit, warnings = _time_seconds(
        name, frame, d, columns[time_pos], time_pos, time_numeric
    )
    table.warnings.extend(warnings)
    table.units["time"] = time_unit
    if table.epoch and (header_zone := _zone_from_header(columns)) is not None:
        table.tz = header_zone
    keep = np.isfinite(seconds)
    if not keep.all():
        table.warnings.append(f"{int((~keep).sum())} rows without a time value were skipped")
    table.time_s = seconds[keep]
    for kind, triple in positions.items():
        table.streams[kind] = np.column_stack(
            [frame[p].to_numpy(dtype=np.float32)[keep] for p in triple]
        )
    quaternion = np.column_stack(
        [frame[p].to_numpy(dtype=np.float32)[keep] for p in quaternion_pos]
    ) if quaternion_pos else None
    _canonical_units(table, columns, positions)
    _orient_gravity(table, quaternion)
    return table
