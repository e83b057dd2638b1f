"""Export: a canonical ``Recording`` → a CSV in the generic format that ``read_recording`` reads.

What the journal's "Download the recording (CSV)" and ``python -m journal export recording``
write (``docs/import-formats.md``, "What the journal writes"). One row per 50 Hz sample:

    time (s),timestamp,gyro_x (rad/s),…,accel_x (g),…,gravity_x (g),…

``timestamp`` (ISO 8601, to the microsecond) is there when the recording has an absolute start;
it carries the wearer's UTC offset when the recording knows their clock (``local_start``), else
it is in UTC (``Z``). The importer prefers it to ``time (s)``, so the start comes back; ``time
(s)`` is for people and spreadsheets. ``accel`` is the total acceleration (gravity included) and
``gravity`` appears where the recording separates it. Samples inside a gap (``gaps_s``: held,
not measured) are left out, so the importer finds the gap again rather than taking the held
values for a sensor that froze.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import numpy as np

from ml.recordings import Recording

#: Offsets beyond this are no time zone's: the wearer's clock is then not written.
_MAX_UTC_OFFSET = timedelta(hours=14)


@functools.cache
def _float16_texts() -> np.ndarray:
    """The shortest text that reads back as each float16 value, indexed by its 16 bits.

    The journal keeps signals as float16 (``journal.signal``): an hour at 50 Hz is 1.6 million
    values but only 65,536 distinct ones, so formatting each once is what makes the export fast.
    """
    values = np.arange(65536, dtype=np.uint16).view(np.float16)
    return np.array([np.format_float_positional(v, unique=True, trim="-") for v in values],
                    dtype=object)


def _decimals(rate_hz: float) -> int:
    """Decimals that write every sample time exactly (2 at 50 Hz), at most 6."""
    return next((d for d in range(7) if float(10**d / rate_hz).is_integer()), 6)


def _start_utc(start: datetime) -> datetime:
    """Naive UTC; a naive start is UTC already (as the journal stores it)."""
    return start.astimezone(UTC).replace(tzinfo=None) if start.tzinfo else start


def _wearer_offset(recording: Recording, start_utc: datetime) -> timedelta | None:
    """The wearer's UTC offset, to the minute, where the recording knows their clock; None
    when it does not (or the offset is UTC's own, which says nothing about the wearer)."""
    if recording.local_start is None:
        return None
    offset = timedelta(minutes=round((recording.local_start - start_utc) / timedelta(minutes=1)))
    return offset if offset and abs(offset) <= _MAX_UTC_OFFSET else None


def _timestamps(start: datetime, recording: Recording, rows: np.ndarray) -> np.ndarray:
    """ISO 8601 times of ``rows`` (sample indices, from 0 to the last sample), to the
    microsecond, on the wearer's clock where known."""
    start_utc = _start_utc(start)
    offset = _wearer_offset(recording, start_utc)
    if offset is None:
        suffix = "Z"
    else:
        minutes = int(abs(offset) / timedelta(minutes=1))
        suffix = f"{'-' if offset < timedelta(0) else '+'}{minutes // 60:02d}:{minutes % 60:02d}"
    first = np.datetime64(start_utc + (offset or timedelta(0)), "us")
    steps = np.round(rows * (1e6 / recording.sample_rate_hz)).astype("timedelta64[us]")
    texts: np.ndarray = np.datetime_as_string(first + steps, unit="us").astype(object)
    return texts + suffix


def recording_csv(recording: Recording) -> bytes:
    """The recording as a generic-format CSV (UTF-8) that ``read_recording`` reads back.

    Values are written at the journal's precision (float16, ``journal.signal``): the shortest
    text that reads back as the stored value, so a stored recording comes back as stored and
    a fresh one as the journal would keep it. Reading the file gives the same signal, rate,
    duration, start (within a few microseconds: Unix times are read as float64 seconds) and gaps.

    Parameters
    ----------
    recording : Recording
        ``gyro`` (n_samples, 3) rad/s; ``accel`` and ``gravity`` (n_samples, 3) g or None.

    Returns
    -------
    bytes
        A header row, then one row per sample outside the gaps; "\\n" line ends.
    """
    n_samples = recording.n_samples
    rows = np.arange(n_samples)
    times = rows / recording.sample_rate_hz
    keep = np.ones(n_samples, dtype=bool)
    for start_s, end_s in recording.gaps_s:
        keep &= ~((times > start_s) & (times < end_s))
    rows, times = rows[keep], times[keep]

    decimals = _decimals(recording.sample_rate_hz)
    header = ["time (s)"]
    columns: list[np.ndarray] = [np.array([f"{t:.{decimals}f}" for t in times], dtype=object)]
    if recording.start_time is not None:
        header.append("timestamp")
        columns.append(_timestamps(recording.start_time, recording, rows))
    texts = _float16_texts()
    for stem, unit, values in (("gyro", "rad/s", recording.gyro),
                               ("accel", "g", recording.accel),
                               ("gravity", "g", recording.gravity)):
        if values is None:
            continue
        bits = np.asarray(values, dtype=np.float16)[keep].view(np.uint16)
        for axis in range(3):
            header.append(f"{stem}_{'xyz'[axis]} ({unit})")
            columns.append(texts[bits[:, axis]])
    lines = map(",".join, zip(*columns, strict=True))
    return ("\n".join([",".join(header), *lines]) + "\n").encode("utf-8")
