"""Cutting a canonical 50 Hz recording into fixed model windows (the same code trains and serves).

A window is ``window_s`` seconds of six channels: gyroscope x, y, z (rad/s) then total
acceleration x, y, z (g). Total acceleration carries the wrist's orientation against gravity,
which is what separates most exercises (gyroscope alone lost 20-30 points on barbell lifts).

Recordings without an accelerometer are not windowed for the activity model: ``recording_channels``
raises ``MissingAccelerometerError`` and the model reports such sets as "unknown" with a warning
instead of guessing from zero-filled channels it never saw in training.

A recording (or span) shorter than one window yields **no** windows: arrays with a leading
dimension of 0, never an error, so callers treat "too short to name" like "not confident".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ml.recordings import CANONICAL_RATE_HZ, Recording

#: Channel order of every window.
CHANNELS: tuple[str, ...] = ("gyro_x", "gyro_y", "gyro_z", "accel_x", "accel_y", "accel_z")


class MissingAccelerometerError(ValueError):
    """The recording has no accelerometer, which the activity model needs for orientation."""


@dataclass(frozen=True)
class WindowSpec:
    """Window length and hop in seconds at the canonical rate."""

    window_s: float = 4.0
    hop_s: float = 0.5
    rate_hz: float = CANONICAL_RATE_HZ

    def __post_init__(self) -> None:
        if self.window_s <= 0 or self.hop_s <= 0:
            raise ValueError(f"window and hop must be positive, got {self.window_s}, {self.hop_s}")
        if self.window_samples < 8:
            raise ValueError(f"a window of {self.window_s} s is shorter than 8 samples")

    @property
    def window_samples(self) -> int:
        return int(round(self.window_s * self.rate_hz))

    @property
    def hop_samples(self) -> int:
        return max(1, int(round(self.hop_s * self.rate_hz)))

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> WindowSpec:
        return cls(
            window_s=float(data["window_s"]),
            hop_s=float(data["hop_s"]),
            rate_hz=float(data.get("rate_hz", CANONICAL_RATE_HZ)),
        )


def recording_channels(recording: Recording) -> np.ndarray:
    """The model channels of a recording.

    Returns
    -------
    ndarray, shape (n_samples, 6), float32
        Gyroscope (rad/s) then total acceleration (g), in ``CHANNELS`` order.

    Raises
    ------
    MissingAccelerometerError
        When the recording has no accelerometer.
    """
    if recording.sample_rate_hz != CANONICAL_RATE_HZ:
        raise ValueError(
            f"expected a {CANONICAL_RATE_HZ:g} Hz recording, got {recording.sample_rate_hz:g} Hz"
        )
    if recording.accel is None:
        raise MissingAccelerometerError(
            "this recording has no accelerometer: the exercise cannot be recognised from the "
            "gyroscope alone (sets and reps can still be found)"
        )
    return np.hstack([recording.gyro, recording.accel]).astype(np.float32, copy=False)


def window_starts(n_samples: int, spec: WindowSpec) -> np.ndarray:
    """First sample of every full window, shape (n_windows,); empty when shorter than a window."""
    last = n_samples - spec.window_samples
    if last < 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(0, last + 1, spec.hop_samples, dtype=np.int64)


def sliding_windows(signal: np.ndarray, spec: WindowSpec) -> tuple[np.ndarray, np.ndarray]:
    """Cut a signal into overlapping windows.

    Parameters
    ----------
    signal : ndarray, shape (n_samples, n_channels)

    Returns
    -------
    windows : ndarray, shape (n_windows, window_samples, n_channels), float32
        A read-only strided view where possible (no copy); ``n_windows`` is 0 when the signal is
        shorter than one window.
    centres_s : ndarray, shape (n_windows,)
        Time of each window's centre in seconds from the start of the signal.
    """
    if signal.ndim != 2:
        raise ValueError(f"expected a (n_samples, n_channels) signal, got shape {signal.shape}")
    starts = window_starts(signal.shape[0], spec)
    centres = (starts + spec.window_samples / 2.0) / spec.rate_hz
    if starts.size == 0:
        return np.zeros((0, spec.window_samples, signal.shape[1]), np.float32), centres
    view = np.lib.stride_tricks.sliding_window_view(
        signal.astype(np.float32, copy=False), spec.window_samples, axis=0
    )  # (n_samples - w + 1, n_channels, w)
    windows = view[starts].transpose(0, 2, 1)
    return windows, centres


def window_recording(recording: Recording, spec: WindowSpec) -> tuple[np.ndarray, np.ndarray]:
    """Windows and their centre times for a whole recording (see ``sliding_windows``)."""
    return sliding_windows(recording_channels(recording), spec)


def windows_in_span(centres_s: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    """Indices of the windows whose centre lies in [start_s, end_s], shape (k,).

    A span shorter than the hop can fall between centres; then the one window whose centre is
    nearest the span's middle is used, so every span inside a long enough recording gets one.
    """
    inside = np.flatnonzero((centres_s >= start_s) & (centres_s <= end_s))
    if inside.size or centres_s.size == 0:
        return inside
    middle = (start_s + end_s) / 2.0
    nearest = int(np.argmin(np.abs(centres_s - middle)))
    return np.array([nearest], dtype=np.int64)
