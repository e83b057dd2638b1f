"""Time columns → seconds: units from the header or inferred from the steps, Unix time, ISO text."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone, tzinfo

import numpy as np
import pandas as pd

from ml import formats as fm
from ml.recordings_errors import RecordingError


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
    """ISO date-times → Unix seconds, and the zone of the file's local clock when it says it
    (the values' offset, else the header's); times with no zone or UTC ones are read as UTC."""
    raw = raw.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore")
    try:
        stamps = pd.to_datetime(raw, format="ISO8601")
    except (ValueError, TypeError):
        try:  # offsets that change within the file (a daylight-saving switch): all to UTC
            stamps = pd.to_datetime(raw, format="ISO8601", utc=True)
        except (ValueError, TypeError):
            stamps = None
    if stamps is None:
        parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=True)
        row = int(np.argmax((parsed.isna() & raw.notna()).to_numpy()))
        raise RecordingError(
            f"{name}: line {first_line + row}, column {column!r}: {raw.iloc[row]!r} is neither "
            "a number nor a date-time"
        ) from None
    warnings: list[str] = []
    zone: tzinfo | None = stamps.dt.tz
    if zone is not None and zone.utcoffset(None) == timedelta(0):
        stamps = stamps.dt.tz_convert(UTC)
        zone = None  # "Z" or +00:00 is how loggers write UTC, not the wearer's local clock
    elif zone is None:
        if tz_unit:
            zone = zone_from_header([fm.ColumnName("", "", tz_unit)])
        else:
            warnings.append(f"the times in {column!r} carry no time zone: read as UTC")
        stamps = stamps.dt.tz_localize(zone or UTC)
    seconds = (stamps - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(seconds=1)
    return seconds.to_numpy(dtype=np.float64, na_value=np.nan), zone, warnings


def zone_from_header(columns: list[fm.ColumnName]) -> tzinfo | None:
    """MetaBase names its local-time column "time (01:00)": the offset of the wall clock."""
    for column in columns:
        if column.unit and column.unit.startswith("tz"):
            sign = -1 if column.unit[2] == "-" else 1
            hours, minutes = column.unit[3:].split(":")
            return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    return None


def time_in_seconds(
    name: str, values: pd.Series, column: fm.ColumnName, numeric: bool, first_line: int
) -> tuple[np.ndarray, bool, tzinfo | None, str, list[str]]:
    """(time in seconds, is Unix time, zone, unit label, warnings) of the time column.

    The zone is that of the wearer's local clock, None when the column does not say it
    (numbers, times without an offset or in UTC).

    ``values`` (n,) holds numbers when ``numeric``, else date-time text; ``first_line`` is the
    file line of its first value, for messages.
    """
    if not numeric:
        tz_unit = column.unit if column.unit and column.unit.startswith("tz") else None
        seconds, zone, warnings = _parse_datetimes(
            name, column.original, values, tz_unit, first_line
        )
        return seconds, True, zone, "date-time", warnings
    raw = values.to_numpy(dtype=np.float64)
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
    return seconds, epoch, None, unit + (" (Unix time)" if epoch else ""), []
