"""Irregular sensor samples → one uniform rate: cleaned, anti-aliased, gaps held, never bridged.

A stream faster than the target is low-passed below the target Nyquist frequency before it is
sampled onto the output grid, so 100 Hz wrist data does not fold tremor into the 0-25 Hz band:
rates near an integer multiple of 50 Hz go through a polyphase FIR decimator
(``scipy.signal.resample_poly``, cheap), any other rate through a zero-phase Butterworth filter
on a uniform grid at its own rate. Slower streams are interpolated linearly. Spans longer than
``MAX_GAP_S`` without samples hold the last value and are reported; they are never interpolated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from ml.recordings_errors import RecordingError

#: Longest hole in the data that is interpolated; longer ones are held and reported.
MAX_GAP_S = 1.0
#: Identical readings on all axes for this long mean a frozen sensor, not a still wrist.
FROZEN_S = 2.0
#: Low-pass corner as a fraction of the output Nyquist frequency.
_CUTOFF_FRACTION = 0.8


@dataclass
class Series:
    """One sensor's samples after cleaning: ``t`` (n,) float64 strictly increasing seconds,
    ``values`` (n, 3) float32, with what the cleaning did in ``warnings`` and the longest span
    the sensor stopped updating (``longest_frozen_run``) in ``frozen``."""

    t: np.ndarray
    values: np.ndarray
    rate_hz: float
    warnings: list[str] = field(default_factory=list)
    frozen: tuple[float, float] | None = None


def _all_finite_rows(values: np.ndarray) -> np.ndarray:
    # Column by column: numpy reduces a (n, 3) array along its short axis slowly.
    present: np.ndarray = np.isfinite(values[:, 0])
    for k in range(1, values.shape[1]):
        present &= np.isfinite(values[:, k])
    return present


def clean(t: np.ndarray, values: np.ndarray, what: str, first_line: int = 2) -> Series:
    """Drop empty rows, sort stray out-of-order rows, drop repeated timestamps.

    Parameters
    ----------
    t : ndarray, shape (n_samples,)
        Sample times in seconds.
    values : ndarray, shape (n_samples, 3)
    what : str
        "gyroscope in Gyroscope.csv", used in messages.
    first_line : int
        File line number of row 0, so messages can point at a line.
    """
    warnings: list[str] = []
    present = _all_finite_rows(values)
    if not present.any():
        raise RecordingError(f"the {what} columns are empty")
    first = int(np.argmax(present))
    last = len(present) - 1 - int(np.argmax(present[::-1]))
    holes = ~present[first : last + 1]
    if holes.any():
        # Leading and trailing empty rows are normal (the watch starts its sensors late);
        # empty rows inside are treated as missing samples and bridged only when short.
        warnings.append(
            f"{int(holes.sum())} rows with empty or non-finite {what} values inside the data "
            f"(first at line {first_line + first + int(np.argmax(holes))}) were skipped"
        )
    if not present.all():
        t, values = t[present], values[present]
    backwards = np.diff(t) < 0
    if backwards.any():
        warnings.append(
            f"{int(backwards.sum())} rows of the {what} were out of time order "
            f"(first near line {first_line + first + int(np.argmax(backwards)) + 1}): sorted"
        )
        order = np.argsort(t, kind="stable")
        t, values = t[order], values[order]
    repeated = np.diff(t) == 0
    if repeated.any():
        warnings.append(
            f"{int(repeated.sum())} repeated timestamps in the {what}: kept the first of each"
        )
        keep = np.concatenate([[True], ~repeated])
        t, values = t[keep], values[keep]
    if len(t) < 2:
        raise RecordingError(f"the {what} has fewer than 2 samples")
    if all(values[:, k].max() == values[:, k].min() for k in range(values.shape[1])):
        constant = ", ".join(f"{axis}={v:g}" for axis, v in zip("xyz", values[0], strict=True))
        raise RecordingError(
            f"the {what} never changes ({constant} throughout): the sensor was off or the "
            "export is broken"
        )
    return Series(t=t, values=values, rate_hz=float(1.0 / np.median(np.diff(t))),
                  warnings=warnings, frozen=longest_frozen_run(t, values))


def frozen_warning(sensors: list[str], file_name: str, frozen: tuple[float, float]) -> str:
    """One message for the sensors of a file that froze over the same span."""
    start_s, length_s = frozen
    names = sensors[0] if len(sensors) == 1 else f"{', '.join(sensors[:-1])} and {sensors[-1]}"
    verb = "repeats" if len(sensors) == 1 else "repeat"
    return (f"the {names} ({file_name}) {verb} exactly the same values for {length_s:.1f} s "
            f"(from {start_s:.1f} s after the first sample): the sensor stopped updating there, "
            "so that span shows no motion")


def longest_frozen_run(t: np.ndarray, values: np.ndarray) -> tuple[float, float] | None:
    """(start, length) in seconds from the first sample of the longest span of identical rows
    lasting at least ``FROZEN_S``, else None.

    A live motion sensor never repeats all three axes exactly for seconds (its noise alone
    changes the last digit); a frozen one does, and reads as perfect stillness.

    Parameters
    ----------
    t : ndarray, shape (n_samples,), increasing seconds
    values : ndarray, shape (n_samples, 3)
    """
    same = values[1:, 0] == values[:-1, 0]
    for k in range(1, values.shape[1]):
        same &= values[1:, k] == values[:-1, k]
    if not same.any():
        return None
    edges = np.diff(np.concatenate([[0], same.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = t[ends] - t[starts]  # run of k equal steps spans rows starts..ends
    best = int(np.argmax(lengths))
    if lengths[best] < FROZEN_S:
        return None
    return float(t[starts[best]] - t[0]), float(lengths[best])


def gaps(t: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) times of the spans longer than ``MAX_GAP_S`` without a sample."""
    steps = np.diff(t)
    return [(float(t[i]), float(t[i + 1])) for i in np.flatnonzero(steps > MAX_GAP_S)]


def _low_pass(u_values: np.ndarray, rate_hz: float, target_hz: float) -> np.ndarray:
    sos = signal.butter(8, _CUTOFF_FRACTION * target_hz / 2.0, fs=rate_hz, output="sos")
    padlen = 3 * (2 * len(sos) + 1)
    if len(u_values) <= padlen:
        return u_values
    filtered: np.ndarray = signal.sosfiltfilt(sos, u_values, axis=0)
    return filtered


def _same_times(a: np.ndarray, b: np.ndarray, rate: float) -> bool:
    return len(a) == len(b) > 0 and float(np.abs(a - b).max()) <= 0.01 / rate


def _on_grid(seg_t: np.ndarray, seg_v: np.ndarray, fine: np.ndarray, rate: float) -> np.ndarray:
    """Values at the uniform times ``fine``: the samples themselves when they already sit there."""
    if _same_times(seg_t, fine, rate):
        return seg_v
    return np.column_stack([np.interp(fine, seg_t, seg_v[:, k]) for k in range(3)])


def _decimate(seg_t: np.ndarray, seg_v: np.ndarray, anchor: float, factor: int,
              target_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Polyphase FIR decimation by an integer factor onto the output grid's own instants."""
    fine_rate = factor * target_hz
    first = int(np.ceil((seg_t[0] - anchor) * fine_rate - 1e-6))
    last = int(np.floor((seg_t[-1] - anchor) * fine_rate + 1e-6))
    fine = anchor + np.arange(first, last + 1) / fine_rate
    phase = (-first) % factor  # keep the fine samples that are output grid points
    if len(fine) - phase < 2 * factor:
        return seg_t, seg_v
    values = np.ascontiguousarray(_on_grid(seg_t, seg_v, fine, fine_rate)[phase:].T)
    decimated: np.ndarray = signal.resample_poly(values, 1, factor, axis=1, padtype="line").T
    return fine[phase::factor][: len(decimated)], decimated


def _filter_then_sample(seg_t: np.ndarray, seg_v: np.ndarray, rate: float,
                        target_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Any other rate: uniform grid at the source rate, zero-phase Butterworth low-pass."""
    span = seg_t[-1] - seg_t[0]
    n_uniform = max(2, int(round(span * rate)) + 1)
    uniform = np.linspace(seg_t[0], seg_t[-1], n_uniform)
    values = _on_grid(seg_t, seg_v, uniform, rate)
    return uniform, _low_pass(values, (n_uniform - 1) / span, target_hz)


def resample(series: Series, grid: np.ndarray, target_hz: float) -> np.ndarray:
    """Values of a cleaned series on ``grid``, anti-aliased, holding across long gaps.

    Parameters
    ----------
    series : Series
    grid : ndarray, shape (n_out,)
        Output times in the series' time base, uniformly spaced at ``target_hz``.

    Returns
    -------
    ndarray, shape (n_out, 3), float32
    """
    t, values = series.t, series.values
    rate = series.rate_hz
    breaks = np.flatnonzero(np.diff(t) > MAX_GAP_S) + 1
    times: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    for start, stop in zip(np.r_[0, breaks], np.r_[breaks, len(t)], strict=True):
        seg_t, seg_v = t[start:stop], values[start:stop]
        factor = round(rate / target_hz)
        if factor >= 2 and abs(rate - factor * target_hz) <= 0.02 * rate:
            # 100, 200, 400 Hz...: jittered samples → a uniform grid at factor × 50 Hz that
            # includes the output instants → FIR low-pass and keep every factor-th sample.
            seg_t, seg_v = _decimate(seg_t, seg_v, float(grid[0]), factor, target_hz)
        elif rate > 1.05 * target_hz and len(seg_t) > 1:
            seg_t, seg_v = _filter_then_sample(seg_t, seg_v, rate, target_hz)
        if parts:
            # Hold the previous value up to this segment: interpolation then cannot bridge the gap.
            # Held until half an output sample before it: a microsecond is within the error of
            # Unix times as float64 seconds, and the first sample after a gap, on the grid
            # (the journal's own exports), came out mixed with the held value.
            seg_t = np.r_[seg_t[0] - 0.5 / target_hz, seg_t]
            seg_v = np.vstack([parts[-1][-1:], seg_v])
        times.append(seg_t)
        parts.append(seg_v)
    if len(parts) == 1 and _same_times(times[0], grid, target_hz):
        return parts[0].astype(np.float32)  # already on the output grid (decimated in place)
    all_t, all_v = np.concatenate(times), np.vstack(parts)
    out = np.empty((len(grid), 3), dtype=np.float32)
    for k in range(3):
        out[:, k] = np.interp(grid, all_t, all_v[:, k])
    return out
