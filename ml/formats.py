"""Column names → sensors: which column is time, gyroscope, accelerometer, gravity; what unit.

Every supported export (applewatch-gym, Sensor Logger, MetaMotion, phyphox, generic CSV) is read
through this one vocabulary of column-name stems and unit tokens; ``docs/import-formats.md``
lists what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Unit tokens found in brackets ("x (deg/s)") or after an underscore ("gyro_x_dps").
UNIT_TOKENS: dict[str, str] = {
    **dict.fromkeys(["rad/s", "rads", "radps", "rad/sec", "rad.s-1", "rads-1", "rad s-1"], "rad/s"),
    **dict.fromkeys(["deg/s", "°/s", "dps", "degs", "degps", "deg/sec", "deg.s-1", "degs-1"],
                    "deg/s"),
    **dict.fromkeys(["g", "gs", "gee"], "g"),
    **dict.fromkeys(["m/s^2", "m/s²", "m/s2", "ms2", "mps2", "ms-2", "m.s-2", "m s-2", "ms^-2",
                     "m/s/s", "ms^2"], "m/s2"),
    **dict.fromkeys(["s", "sec", "secs", "seconds"], "s"),
    **dict.fromkeys(["ms", "msec", "millis", "milliseconds"], "ms"),
    **dict.fromkeys(["us", "µs", "μs", "usec", "micros", "microseconds"], "us"),
    **dict.fromkeys(["ns", "nsec", "nanos", "nanoseconds"], "ns"),
}

#: Seconds per time unit.
TIME_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}

# Stems (lower-case, letters and digits only) naming one sensor; the axis letter follows.
_GYRO_STEMS = {"g", "gyr", "gyro", "gyroscope", "rotationrate", "rotrate", "rotation",
               "angularvelocity", "angvel", "omega"}
_ACCEL_STEMS = {"a", "acc", "accel", "accelerometer", "acceleration", "totalacceleration",
                "totalacc", "accelerationincludinggravity", "accelerationwithg"}
_USER_ACCEL_STEMS = {"useracceleration", "useracc", "linearacceleration", "linearaccel",
                     "linacc", "linearacc"}
_GRAVITY_STEMS = {"gravity", "grav"}
_QUATERNION_STEMS = {"quaternion", "quat", "q", "orientation", "attitude"}
_DEVICE_PREFIXES = ("wristmotion", "devicemotion", "motion")
_AXIS_ONLY = {"x": "x", "y": "y", "z": "z", "xaxis": "x", "yaxis": "y", "zaxis": "z",
              "axisx": "x", "axisy": "y", "axisz": "z"}

# Time column stems, most absolute first: a Unix time gives the recording's wall-clock start.
TIME_STEMS = ("epoch", "epochms", "unixtime", "timestamp", "datetime", "time", "loggingtime",
              "secondselapsed", "elapsed", "elapsedtime", "seconds", "t", "elapseds")

#: Stream kinds a file can hold.
GYRO, ACCEL, USER_ACCEL, GRAVITY = "gyro", "accel", "user_accel", "gravity"
SENSOR_WORDS = {GYRO: "gyroscope", ACCEL: "accelerometer", USER_ACCEL: "user acceleration",
                GRAVITY: "gravity"}

_BRACKETED = re.compile(r"^(?P<base>.*?)\s*[\(\[](?P<unit>[^\)\]]*)[\)\]]\s*$")
_TZ_OFFSET = re.compile(r"^[+-]?\d{1,2}:\d{2}$")


@dataclass(frozen=True)
class ColumnName:
    """One header cell split into a normalised stem and the unit it names (if any)."""

    original: str
    stem: str
    unit: str | None


def parse_column_name(name: str) -> ColumnName:
    """Split "x-axis (deg/s)" into stem "xaxis" and unit "deg/s"; "time (01:00)" keeps "+01:00"."""
    text = name.strip().strip('"').strip()
    unit: str | None = None
    match = _BRACKETED.match(text)
    if match:
        raw_unit = match.group("unit").strip()
        text = match.group("base")
        if _TZ_OFFSET.match(raw_unit):
            unit = "tz" + (raw_unit if raw_unit[0] in "+-" else "+" + raw_unit)
        else:
            unit = UNIT_TOKENS.get(raw_unit.lower().replace(" ", ""),
                                   UNIT_TOKENS.get(raw_unit.lower()))
    elif "_" in text:
        head, tail = text.rsplit("_", 1)
        if head and tail.lower() in UNIT_TOKENS:
            text, unit = head, UNIT_TOKENS[tail.lower()]
    stem = re.sub(r"[^0-9a-z]", "", text.lower())
    for prefix in _DEVICE_PREFIXES:
        if stem.startswith(prefix) and len(stem) > len(prefix) + 1:
            stem = stem[len(prefix):]
            break
    return ColumnName(original=name, stem=stem, unit=unit)


def sensor_of(column: ColumnName, kind_from_file: str | None) -> tuple[str, str] | None:
    """(kind, axis) of a sensor column, or None; axis-only names ("x", "x-axis (g)") take the
    kind from their unit, else from the file name (Sensor Logger's Gyroscope.csv holds x,y,z)."""
    stem = column.stem
    if stem in _AXIS_ONLY:
        if column.unit in ("rad/s", "deg/s"):
            return GYRO, _AXIS_ONLY[stem]
        if column.unit in ("g", "m/s2"):
            return (kind_from_file if kind_from_file in (GRAVITY, USER_ACCEL) else ACCEL,
                    _AXIS_ONLY[stem])
        return (kind_from_file, _AXIS_ONLY[stem]) if kind_from_file else None
    if len(stem) < 2 or stem[-1] not in "xyz":
        return None
    body, axis = stem[:-1].rstrip("_"), stem[-1]
    body = body.removesuffix("axis")
    for stems, kind in ((_GYRO_STEMS, GYRO), (_USER_ACCEL_STEMS, USER_ACCEL),
                        (_GRAVITY_STEMS, GRAVITY), (_ACCEL_STEMS, ACCEL)):
        if body in stems:
            return kind, axis
    return None


def kind_from_file_name(file_name: str) -> str | None:
    """The sensor a per-sensor file holds, from its name ("Gyroscope.csv", "…_Accelerometer_…")."""
    base = re.sub(r"[^a-z]", "", file_name.rsplit("/", 1)[-1].lower())
    if "gyro" in base or "rotationrate" in base:
        return GYRO
    if "linearacc" in base or "useracc" in base:
        return USER_ACCEL
    if "gravity" in base:
        return GRAVITY
    if "acc" in base:
        return ACCEL
    return None


def is_quaternion(column: ColumnName) -> str | None:
    """The component letter ("w", "x", "y", "z") of a quaternion column, else None."""
    stem = column.stem
    if len(stem) >= 2 and stem[-1] in "wxyz" and stem[:-1] in _QUATERNION_STEMS:
        return stem[-1]
    return None


def time_rank(column: ColumnName) -> int | None:
    """Preference of a time column (lower is better), None when it is not a time column."""
    stem = column.stem
    if stem in TIME_STEMS:
        return TIME_STEMS.index(stem)
    return None


def classify_format(names: list[str], file_name: str) -> str:
    """The export's name from its header: Sensor Logger, MetaMotion, phyphox, ... or generic."""
    lowered = [n.strip().lower() for n in names]
    joined = " ".join(lowered)
    if any(n.startswith("wristmotion_") for n in lowered):
        return "applewatch-gym"
    if "epoch (ms)" in lowered and any(n.startswith("x-axis (") for n in lowered):
        return "metamotion"
    if "seconds_elapsed" in lowered:
        if "rotationratex" in joined:
            return "sensor-logger-watch"
        if {"x", "y", "z"} <= set(lowered):
            return "sensor-logger-phone"
    if "time (s)" in lowered and ("gyroscope x" in joined or "acceleration x" in joined):
        return "phyphox"
    return "generic-csv"


#: Sources whose gravity follows Apple CoreMotion (it points down: (0, 0, -1) lying face up).
APPLE_FORMATS = ("applewatch-gym", "sensor-logger-watch")
