"""A file's samples before resampling (``SensorTable``) and making them canonical.

Canonical means gyro in rad/s and accelerations in g in the specific-force convention (a device at
rest reads +1 g "up"). Apple sources report gravity and user acceleration pointing the other way,
so they are negated; the three applewatch-gym files exported in m/s² already are, which their
quaternion columns reveal (see ``apple_gravity_points_down``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

import numpy as np

from ml import formats as fm

STANDARD_GRAVITY = 9.80665


@dataclass
class SensorTable:
    """The samples of one file, before resampling.

    ``time_s`` (n,) float64 is Unix seconds when ``epoch`` else seconds from an arbitrary zero;
    each stream in ``streams`` is (n, 3) float32 in canonical units, NaN where a row was empty.
    ``tz`` is the zone of the wearer's local clock where the file says it (MetaBase's
    "time (01:00)" header, ISO times with an offset), else None.
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


def apple_gravity_points_down(gravity: np.ndarray, quaternion: np.ndarray) -> bool | None:
    """Whether gravity follows CoreMotion (down) rather than specific force, from the attitude.

    CoreMotion's attitude quaternion (w, x, y, z) maps device axes to a z-up reference frame, so
    its gravity is the rotated (0, 0, -1). None when the quaternion does not settle it.
    """
    from scipy.spatial.transform import Rotation

    step = max(1, len(gravity) // 500)
    g, q = gravity[::step], quaternion[::step]
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


def median_norm(values: np.ndarray) -> float:
    norms = np.linalg.norm(values[:: max(1, len(values) // 5000)], axis=1)
    norms = norms[np.isfinite(norms)]
    return float(np.median(norms)) if norms.size else 0.0


def _header_unit(columns: list[fm.ColumnName], positions: tuple[int, int, int]) -> str | None:
    units = {columns[p].unit for p in positions} - {None}
    return units.pop() if len(units) == 1 else None


def tilt_rate_ratio(t: np.ndarray, gyro: np.ndarray, accel: np.ndarray) -> float | None:
    """How fast the accelerometer's gravity direction turns, over what the gyroscope says.

    A gyroscope in rad/s gives about 1 (gravity's direction turns at the rotation rate across
    it); the same numbers in deg/s give about pi/180. None when the wrist hardly turns.

    Parameters
    ----------
    t : ndarray, shape (n_samples,)
    gyro, accel : ndarray, shape (n_samples, 3)
        Gyroscope as read (unit unknown); gravity or total acceleration (any unit).
    """
    from scipy.ndimage import uniform_filter1d

    t, gyro, accel = t[:100_000], gyro[:100_000], accel[:100_000]
    ok = np.isfinite(gyro).all(axis=1) & np.isfinite(accel).all(axis=1) & np.isfinite(t)
    t, w, a = t[ok], gyro[ok].astype(np.float64), accel[ok].astype(np.float64)
    if len(t) < 50:
        return None
    steps = np.diff(t)
    if not (steps > 0).all():
        return None
    lag = max(1, int(round(0.2 / float(np.median(steps)))))  # compare directions 0.2 s apart
    a = uniform_filter1d(a, lag, axis=0)
    w = uniform_filter1d(w, lag, axis=0)
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    if (norms == 0).any():
        return None
    up = a / norms
    turn = np.linalg.norm(up[lag:] - up[:-lag], axis=1) / (t[lag:] - t[:-lag])
    middle = 0.5 * (up[lag:] + up[:-lag])
    across = np.linalg.norm(np.cross(w[lag // 2 : lag // 2 + len(turn)], middle), axis=1)
    moving = turn > np.median(turn)
    if moving.sum() < 10 or np.median(turn[moving]) < 0.05 or np.median(across[moving]) == 0:
        return None
    return float(np.median(turn[moving]) / np.median(across[moving]))


def _guess_gyro_unit(table: SensorTable) -> tuple[str, str]:
    """(unit, why) for a gyroscope whose header names no unit."""
    gyro = table.streams[fm.GYRO]
    tilt = table.streams.get(fm.GRAVITY, table.streams.get(fm.ACCEL))
    ratio = None if tilt is None else tilt_rate_ratio(table.time_s, gyro, tilt)
    if ratio is not None and (ratio < 0.1 or 0.3 < ratio < 5.0):
        # The physics check: only the right unit makes the turning of gravity agree.
        unit = "deg/s" if ratio < 0.1 else "rad/s"
        return unit, f"(in it the rotation matches the accelerometer's change of tilt: {ratio:.2g})"
    norms = np.linalg.norm(gyro[:: max(1, len(gyro) // 20000)], axis=1)
    norms = norms[np.isfinite(norms)]
    p99 = float(np.percentile(norms, 99)) if norms.size else 0.0
    # No wrist turns at 20 rad/s (1,150 deg/s); in deg/s, exercise easily exceeds 20.
    unit = "deg/s" if p99 > 20.0 else "rad/s"
    return unit, f"from the size of the values (99th percentile {p99:.3g})"


def canonical_units(table: SensorTable, columns: list[fm.ColumnName],
                     positions: dict[str, tuple[int, int, int]]) -> None:
    """Convert each stream in place to rad/s or g, recording units and any guess as a warning."""
    streams, fmt = table.streams, table.source_format
    if fm.GYRO in streams:
        unit = _header_unit(columns, positions[fm.GYRO])
        if unit is None and fmt in (*fm.APPLE_FORMATS, "sensor-logger-phone"):
            unit = "rad/s"  # CoreMotion and Sensor Logger document rad/s
        if unit is None:
            unit, reason = _guess_gyro_unit(table)
            table.warnings.append(
                f"gyroscope units are not in the header: read as {unit} {reason}"
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
        magnitude = median_norm(reference)
        unit = "m/s2" if magnitude > 3.0 else "g"
        # CoreMotion documents g: an Apple export that reads as g is as documented, nothing to
        # warn about; one that reads as m/s² was converted by some app, and the user should know.
        if not (fmt in fm.APPLE_FORMATS and unit == "g"):
            which = "gravity" if fm.GRAVITY in streams else "acceleration"
            table.warnings.append(
                f"accelerometer units are not in the header: read as {unit} from the {which} "
                f"magnitude ({magnitude:.2f})"
            )
    if unit == "m/s2":
        for kind in accel_kinds:
            streams[kind] = streams[kind] * np.float32(1.0 / STANDARD_GRAVITY)
    table.units["accel"] = unit


def orient_gravity(table: SensorTable, points_down: bool | None) -> None:
    """Split user from total acceleration; flip Apple's down-pointing vectors to specific force."""
    streams = table.streams
    if fm.GRAVITY not in streams:
        if fm.ACCEL in streams:
            table.units["accel_kind"] = "total"
        return
    if fm.ACCEL in streams and fm.USER_ACCEL not in streams and \
            median_norm(streams[fm.ACCEL]) < 0.5:
        streams[fm.USER_ACCEL] = streams.pop(fm.ACCEL)  # "acceleration" beside gravity: user part
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
