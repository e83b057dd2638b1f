"""Compact storage of a recording's canonical 50 Hz signal inside the journal database.

Channels are stored as float16 (about 3 significant digits: far below sensor noise, enough for
plots and for re-counting reps), byte-shuffled so the high bytes compress together, then zlib
level 1 (fast: a 30-minute recording encodes in tens of milliseconds to about 1.2 MB).
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass

import numpy as np

#: Value of ``recordings.signal_codec`` for blobs written by :func:`encode`.
CODEC = "f16-shuffle-zlib-v1"

_MAGIC = b"WJS1"
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
    stacked = np.concatenate([np.asarray(arrays[c]) for c in present], axis=1).astype("<f2")
    shuffled = stacked.view(np.uint8).reshape(-1, 2).T.tobytes()
    header = json.dumps(
        {"channels": present, "n_samples": n_samples, "rate_hz": float(sample_rate_hz)}
    ).encode()
    return _MAGIC + struct.pack("<I", len(header)) + header + zlib.compress(shuffled, 1)


def decode(blob: bytes, codec: str = CODEC) -> Signal:
    """Unpack a blob written by :func:`encode`; ``ValueError`` when it is not one."""
    if codec != CODEC or blob[:4] != _MAGIC:
        raise ValueError(f"stored signal is not in the {CODEC} format (codec {codec!r})")
    (header_len,) = struct.unpack("<I", blob[4:8])
    header = json.loads(blob[8 : 8 + header_len])
    channels: list[str] = header["channels"]
    n_samples = int(header["n_samples"])
    raw = np.frombuffer(zlib.decompress(blob[8 + header_len :]), dtype=np.uint8)
    stacked = raw.reshape(2, -1).T.copy().view("<f2").reshape(n_samples, 3 * len(channels))
    values = stacked.astype(np.float32)
    parts = {c: values[:, 3 * i : 3 * i + 3] for i, c in enumerate(channels)}
    return Signal(
        gyro=np.ascontiguousarray(parts["gyro"]),
        accel=np.ascontiguousarray(parts["accel"]) if "accel" in parts else None,
        gravity=np.ascontiguousarray(parts["gravity"]) if "gravity" in parts else None,
        sample_rate_hz=float(header["rate_hz"]),
    )
