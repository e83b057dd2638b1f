"""Import: any supported watch or phone motion export → one canonical 50 Hz ``Recording``.

(Contract written first so the other modules can build on it; the readers are being filled in.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

#: Every recording comes out at this rate, whatever the source.
CANONICAL_RATE_HZ = 50.0


class RecordingError(ValueError):
    """A file that cannot be read as a motion recording; the message says what and where."""


@dataclass(frozen=True, eq=False)
class Recording:
    """A motion recording resampled to ``CANONICAL_RATE_HZ``.

    Attributes
    ----------
    gyro : ndarray, shape (n_samples, 3), float32
        Angular velocity in rad/s, device axes x, y, z.
    accel : ndarray, shape (n_samples, 3), float32, or None
        Total acceleration (gravity included) in g, in the specific-force convention
        (a device lying still reads about +1 g "up"). None when the source had no accelerometer.
    gravity : ndarray, shape (n_samples, 3), float32, or None
        The gravity vector in g where the source separates it (Apple Watch, Sensor Logger);
        None where the source only gives total acceleration.
    sample_rate_hz : float
        Always ``CANONICAL_RATE_HZ``.
    source_format : str
        Detected format ("applewatch-gym", "sensor-logger-watch", "sensor-logger-phone",
        "metamotion", "phyphox", "generic-csv").
    original_rate_hz : float
        The median sampling rate of the source (of the gyroscope where sensors differ).
    units : dict[str, str]
        Units found in the source, e.g. {"gyro": "deg/s", "accel": "g"}.
    start_time : datetime or None
        Absolute, timezone-aware start of the first sample when the file carries one.
    file_names : tuple[str, ...]
        Original names of the file(s) this recording was read from.
    sha256 : str
        SHA-256 of the uploaded bytes (files in name order), the journal's de-duplication key.
    warnings : tuple[str, ...]
        What a user should know (units guessed, gaps, reordered rows...).
    gaps_s : tuple[tuple[float, float], ...]
        (start, end) in seconds of spans longer than 1 s with no data; held, not interpolated.
    """

    gyro: np.ndarray
    accel: np.ndarray | None
    gravity: np.ndarray | None
    source_format: str
    original_rate_hz: float
    units: dict[str, str] = field(default_factory=dict)
    start_time: datetime | None = None
    file_names: tuple[str, ...] = ()
    sha256: str = ""
    warnings: tuple[str, ...] = ()
    gaps_s: tuple[tuple[float, float], ...] = ()
    sample_rate_hz: float = CANONICAL_RATE_HZ

    @property
    def n_samples(self) -> int:
        return int(self.gyro.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate_hz

    @property
    def times_s(self) -> np.ndarray:
        """Sample times in seconds from the start, shape (n_samples,)."""
        return np.arange(self.n_samples, dtype=np.float64) / self.sample_rate_hz
