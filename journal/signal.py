"""Compact storage of a recording's canonical 50 Hz signal inside the journal database.

Channels are stored as float16 (about 3 significant digits: far below sensor noise, enough for
plots and for re-counting reps), channel by channel. The low bytes of float16 values are mantissa
noise that no compressor shrinks, so they are stored as they are; only the high bytes (sign,
exponent, top of the mantissa: smooth along a channel) go through zlib level 1. On real
applewatch-gym data this is smaller than compressing everything and about three times faster:
30 minutes of 9 channels become about 1.2 MB.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass

import numpy as np

#: Value of ``recordings.signal_codec`` for blobs written by :func:`encode`.
CODEC = "f16-planes-zlib-v2"

_MAGIC = b"WJS2"
_CHANNELS = ("gyro", "accel", "gravity")


@dataclass(frozen=True, eq=False)
class Signal:
    """A decoded signal.

    Attributes
    ----------
    gyro : ndarray, shape (n_samples, 3), float32
        Angular velocity in rad/s.
    accel : ndarray, shape (n_samples, 3), float32, or None
        Total acceleration in g.
    gravity : ndarray, shape (n_samples, 3), float32, or None
        Gravity vector in g.
    sample_rate_hz : float
    """

    gyro: np.ndarray
    accel: np.ndarray | None
    gravity: np.ndarray | None
    sample_rate_hz: float

    @property
    def n_samples(self) -> int:
        return int(self.gyro.shape[0])

    @property
    def times_s(self) -> np.ndarray:
        """Sample times in seconds from the start, shape (n_samples,)."""
        return np.arange(self.n_samples, dtype=np.float64) / self.sample_rate_hz


def encode(
    gyro: np.ndarray,
    accel: np.ndarray | None,
    gravity: np.ndarray | None,
    sample_rate_hz: float,
) -> bytes:
    """Pack the (n_samples, 3) channels into one blob; ``ValueError`` on mismatched shapes."""
    arrays = {"gyro": gyro, "accel": accel, "gravity": gravity}
    n_samples = int(np.shape(gyro)[0]) if np.ndim(gyro) == 2 else -1
    present = []
    for name, array in arrays.items():
        if array is None:
            continue
        if np.ndim(array) != 2 or np.shape(array) != (n_samples, 3):
            raise ValueError(
                f"signal channel {name} has shape {np.shape(array)}; expected ({n_samples}, 3)"
            )
        present.append(name)
    if "gyro" not in present:
        raise ValueError("a signal needs a gyroscope channel")
    # Channel-major (each channel's samples contiguous), then split into byte planes.
    by_channel = np.ascontiguousarray(np.concatenate(
        [np.asarray(arrays[c], dtype=np.float32).T for c in present], axis=0
    ), dtype="<f2")
    planes = by_channel.view(np.uint8).reshape(-1, 2)
    low, high = planes[:, 0].tobytes(), zlib.compress(planes[:, 1].tobytes(), 1)
    header = json.dumps({
        "channels": present, "n_samples": n_samples, "rate_hz": float(sample_rate_hz),
        "low_bytes": len(low),
    }).encode()
    return _MAGIC + struct.pack("<I", len(header)) + header + low + high


def decode(blob: bytes, codec: str = CODEC) -> Signal:
    """Unpack a blob written by :func:`encode`; ``ValueError`` when it is not one."""
    if codec != CODEC or blob[:4] != _MAGIC:
        raise ValueError(f"stored signal is not in the {CODEC} format (codec {codec!r})")
    (header_len,) = struct.unpack("<I", blob[4:8])
    header = json.loads(blob[8 : 8 + header_len])
    channels: list[str] = header["channels"]
    n_samples = int(header["n_samples"])
    body = 8 + header_len
    planes = np.empty((int(header["low_bytes"]), 2), dtype=np.uint8)
    planes[:, 0] = np.frombuffer(blob, dtype=np.uint8, count=planes.shape[0], offset=body)
    planes[:, 1] = np.frombuffer(zlib.decompress(blob[body + planes.shape[0] :]), dtype=np.uint8)
    by_channel = planes.view("<f2").reshape(3 * len(channels), n_samples).astype(np.float32)
    parts = {c: np.ascontiguousarray(by_channel[3 * i : 3 * i + 3].T)
             for i, c in enumerate(channels)}
    return Signal(
        gyro=parts["gyro"],
        accel=parts.get("accel"),
        gravity=parts.get("gravity"),
        sample_rate_hz=float(header["rate_hz"]),
    )
