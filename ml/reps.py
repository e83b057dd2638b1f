"""Rep counting inside one set: a phase counter gated by a small learned per-frame model.

How it counts (class-agnostic: nothing here depends on the exercise):

1. Six channels (gyroscope rad/s, total acceleration g scaled to comparable size), band-passed to
   the rep band and divided by their local loudness (automatic gain), so a slow gentle rep counts
   as much as a fast one and handling (picking up dumbbells) does not drown the reps.
2. The rep period is the shortest autocorrelation peak nearly as strong as the strongest one
   (multiples of the period correlate as well as the period; picking one is the usual mistake),
   in the middle of the span weighted most (a Hann taper: handling at the edges is no rep).
3. The principal direction of the signal band-passed around that period gives a phase; one rep is
   one turn of phase.
4. A per-frame gate (logistic over local periodicity, loudness and phase-speed features) says
   where reps happen. Rep density = gate x phase speed / 2 pi; the count is its sum and rep k is
   marked where the cumulative density reaches k - 0.5 (inside whole sessions, a mark standing
   far apart at either end is handling and dropped). The gate's few weights are fitted on per-set
   totals only (see ``fit_gate``; ``python -m ml.eval_counting fit`` writes them). Where the
   motion in the rep band is below a floor, the phase makes no reps: a still wrist's slow drift
   passes the wider band and made reps of sensor jitter at the still end of a set file.
5. Steps 1-4 run three times (``sensor_views``): on both sensors, the accelerometer alone and
   the acceleration along gravity (``vertical_acceleration``: a rep lifts a weight against
   gravity, whichever way the watch is worn), with the same gate; the count is the view whose
   total is the median (``median_count``). Their errors differ, and the median outvotes one
   view's slip. Per set file on the tuning sets (audited labels, MAE of both sensors /
   accelerometer / along gravity / median, measured 2026-12-07): applewatch-gym 0.91 / 0.92 /
   3.48 / 0.85, barbell A+B 0.97 / 0.88 / 0.94 / 0.91. Along gravity finds almost no reps in
   the cable rows, wrist curls and machine triceps extensions (9-11 short on average): it is a
   third voice, not a counter on its own. Without an accelerometer only the gyroscope counts.
   - The median itself, over both sensors, the gyroscope alone and the accelerometer alone, was
     chosen on the tuning sets (audited labels): applewatch-gym exact 36.0% -> 39.5%, MAE
     0.91 -> 0.87 (±1 80.2% alike), barbell-metamotion A+B exact 52.9% -> 55.9%, MAE 0.94 ->
     0.91. Held out: applewatch-gym ±1 94.6% -> 95.9%, ±2 98.6% -> 100%, MAE 0.70 -> 0.66
     (exact 39.2% -> 37.8%); barbell C+D unchanged.
   - The acceleration along gravity then replaced the gyroscope alone. Five sets of views were
     compared on the tuning sets (the gyroscope, the accelerometer or both sensors replaced,
     all four views, the new channel alone); this one won, and the gravity filter's cutoff was
     not tuned (0.15-1 Hz read alike). Per set file, tuning: applewatch-gym MAE 0.92 -> 0.85
     (9 files better, 4 worse; exact 38.4% -> 41.9%), barbell A+B 0.91 alike (1 better, 1
     worse). Where the app counts, in the tuning sessions (sets found first, seeds 0-2):
     end-to-end MAE applewatch-gym 1.15 -> 1.12 (13 set files better, 3 worse) and barbell
     1.49 -> 1.33 (16 better, 4 worse), set counts unchanged. Held out, per set file:
     applewatch-gym MAE 0.65 -> 0.68 and ±1 95.9% -> 94.6% (two files change: a bench press
     with two minutes of re-racking reads 8 of its 12 reps instead of 11, its second set 8
     instead of 7), barbell C+D 0.48 -> 0.52; in the held-out sessions, end-to-end MAE
     applewatch-gym 0.69 -> 0.68 (±1 94.5% -> 94.1%) and barbell 1.02 -> 0.94 (±1 79.7% ->
     82.2%). Kept, as the tuning sets decided; the held-out per-file ±1 now misses 95% by one
     set.

Ideas measured and left out, with their figures: ``docs/counting-history.md``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, signal, special

import appconfig

#: The fitted gate (weights + provenance); written by ``python -m ml.eval_counting fit``.
GATE_PATH = appconfig.DATA_DIR / "rep_counter.json"

FEATURE_NAMES: tuple[str, ...] = (
    "bias", "periodicity_1", "periodicity_2", "periodicity_flexible",
    "loudness", "loudness_abs", "band_share", "phase_speed_off", "edge_periods",
)


@dataclass(frozen=True)
class CounterSettings:
    """Signal-processing constants of the counter (periods in seconds, frequencies in Hz)."""

    lowpass_hz: float = 3.0
    highpass_hz: float = 0.08
    accel_scale: float = 4.0  # 1 g of acceleration weighs like 4 rad/s of rotation
    gain_window_s: float = 4.0
    gain_floor: float = 0.15
    min_period_s: float = 0.7
    max_period_s: float = 10.0
    half_period_ratio: float = 0.65  # the shortest lag with this share of the best peak wins
    motion_floor: float = 0.05  # local RMS of rep-band motion below which nothing is a rep
    #: Count on both sensors, the accelerometer alone and the acceleration along gravity, and keep
    #: the median (``sensor_views``); False counts on both sensors only.
    median_of_views: bool = True
    #: Total acceleration low-passed below this is the wrist's tilt: its direction is "up".
    gravity_lowpass_hz: float = 0.3


DEFAULT_COUNTER = CounterSettings()
#: Shorter spans than this are not filtered: the zero-phase filters' edge padding does not fit.
_MIN_FILTER_SAMPLES = 30


@dataclass(frozen=True)
class RepCount:
    """Reps found in a span: count, the time of each rep (s from the span start), the period, and
    the summed rep density the count rounds (``reps`` may differ after stray marks are dropped)."""

    reps: int
    rep_times_s: tuple[float, ...]
    period_s: float | None
    total: float = 0.0

    def span_s(self, duration_s: float) -> tuple[float, float] | None:
        """(start, end) of the reps: half a period before the first mark to half a period after
        the last, inside 0..``duration_s``; None without marks."""
        if self.period_s is None or not self.rep_times_s:
            return None
        half = self.period_s / 2
        return max(0.0, self.rep_times_s[0] - half), min(duration_s, self.rep_times_s[-1] + half)


@dataclass(frozen=True)
class FrameFeatures:
    """Per-frame inputs of the gate.

    ``features`` has shape (n_samples, len(FEATURE_NAMES)); ``phase_step`` (n_samples,) is the
    phase advance per frame in radians; ``period`` the rep period in samples.
    """

    features: np.ndarray
    phase_step: np.ndarray
    period: int


def _moving_sum(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving sum over ``width`` samples (same length, shorter sums at the edges), O(n)."""
    width = max(1, min(int(width), len(values)))
    padded = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    n = len(values)
    lo = np.clip(np.arange(n) - width // 2, 0, n)  # the alignment of np.convolve(..., "same")
    hi = np.clip(np.arange(n) + (width - 1) // 2 + 1, 0, n)
    return np.asarray(padded[hi] - padded[lo])


def _moving_mean(values: np.ndarray, width: int) -> np.ndarray:
    width = max(1, min(int(width), len(values)))
    return _moving_sum(values, width) / width


@functools.lru_cache(maxsize=512)
def _butter_design(order: int, cutoff_hz: float | tuple[float, float], btype: str,
                   rate_hz: float) -> np.ndarray:
    return np.asarray(signal.butter(order, cutoff_hz, btype, fs=rate_hz, output="sos"))


def butter_sos(order: int, cutoff_hz: float | tuple[float, float], btype: str,
               rate_hz: float) -> np.ndarray:
    """A Butterworth filter as second-order sections, (n_sections, 6), designed once per setting.

    The counter filters every span with a band set by that span's period, and a session's spans
    share a few dozen periods: designing the filter anew each time took 0.1-0.2 s of the
    segmentation of one hour. A copy is returned (scipy's filters want a writable array).
    """
    return _butter_design(order, cutoff_hz, btype, rate_hz).copy()


def motion_channels(
    gyro: np.ndarray, accel: np.ndarray | None, rate_hz: float, cfg: CounterSettings
) -> np.ndarray:
    """Band-passed motion: (n_samples, 3) gyro and (n_samples, 3) accel → (n_samples, 3 or 6)."""
    parts = [np.asarray(gyro, np.float64)]
    if accel is not None:
        parts.append(np.asarray(accel, np.float64) * cfg.accel_scale)
    x = np.concatenate(parts, axis=1)
    if len(x) <= _MIN_FILTER_SAMPLES:  # too short to filter: just centre it
        return x - x.mean(axis=0)
    sos = butter_sos(2, (cfg.highpass_hz, cfg.lowpass_hz), "bandpass", rate_hz)
    return np.asarray(signal.sosfiltfilt(sos, x, axis=0))


def gain_normalised(x: np.ndarray, rate_hz: float, cfg: CounterSettings) -> np.ndarray:
    """Divide (n_samples, n_channels) by the local RMS (with a floor so stillness stays quiet)."""
    loudness = np.sqrt(_moving_mean((x**2).sum(axis=1), int(cfg.gain_window_s * rate_hz) | 1))
    return x / np.maximum(loudness, cfg.gain_floor)[:, None]


def autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Channel-summed autocorrelation of (n, c) for lags 0..max_lag, 1 at lag 0, of the span
    under a Hann taper (unbiased: divided by the taper's own autocorrelation).

    The taper weighs the middle of the span: its edges are where a set meets handling or rest,
    whose one-off swings otherwise make half the rep period look as good as the period.
    """
    n = len(x)
    taper = signal.windows.hann(n + 2)[1:-1]  # no zero weights at the ends
    spectrum = np.fft.rfft(x * taper[:, None], 2 * n, axis=0)
    r = np.fft.irfft(spectrum * np.conj(spectrum), axis=0)[: max_lag + 1].sum(axis=1)
    taper_spectrum = np.fft.rfft(taper, 2 * n)
    overlap = np.fft.irfft(taper_spectrum * np.conj(taper_spectrum))[: max_lag + 1]
    r = r / np.maximum(overlap, 1e-9)
    return np.asarray(r / r[0]) if r[0] > 0 else np.zeros(max_lag + 1)


def estimate_period(x: np.ndarray, rate_hz: float, cfg: CounterSettings) -> int | None:
    """The rep period in samples of gain-normalised (n, c) motion, None when nothing repeats."""
    max_lag = int(min(cfg.max_period_s, len(x) / rate_hz / 2) * rate_hz)
    min_lag = int(cfg.min_period_s * rate_hz)
    if max_lag <= min_lag + 2:
        return None
    r = autocorrelation(x, max_lag)
    peaks, _ = signal.find_peaks(r)
    peaks = peaks[peaks >= min_lag]
    if len(peaks) == 0:
        return None
    # Multiples of the period correlate about as well as the period itself (the unbiased
    # estimate does not fade with lag): the shortest lag nearly as good as the best is the rep.
    best = r[peaks].max()
    if best <= 0:
        return None
    return int(peaks[r[peaks] >= cfg.half_period_ratio * best].min())


def _lag_similarity(x: np.ndarray, lag: int, width: int) -> np.ndarray:
    """Local normalised correlation of x(t) with x(t + lag), marked at both ends, (n,)."""
    n = len(x)
    out = np.full(n, -1.0)
    if lag < 1 or lag >= n - 1:
        return out
    energy = (x**2).sum(axis=1)
    width = max(1, min(width, n - lag))
    num = _moving_sum((x[:-lag] * x[lag:]).sum(axis=1), width)
    den = np.sqrt(_moving_sum(energy[:-lag], width) * _moving_sum(energy[lag:], width))
    r = num / (den + 1e-9)
    out[:-lag] = r
    out[lag:] = np.maximum(out[lag:], r)
    return out


def frame_features(
    gyro: np.ndarray,
    accel: np.ndarray | None,
    rate_hz: float = 50.0,
    cfg: CounterSettings = DEFAULT_COUNTER,
) -> FrameFeatures | None:
    """Gate inputs of a span of (n_samples, 3) gyro and accel; None when nothing repeats."""
    if len(gyro) < cfg.min_period_s * rate_hz:  # shorter than the quickest rep: none fits in it
        return None
    x = motion_channels(gyro, accel, rate_hz, cfg)
    xa = gain_normalised(x, rate_hz, cfg)
    period = estimate_period(xa, rate_hz, cfg)
    if period is None:
        return None
    f0 = rate_hz / period
    sos = butter_sos(2, (0.5 * f0, min(1.6 * f0, 0.45 * rate_hz)), "bandpass", rate_hz)
    y = np.asarray(signal.sosfiltfilt(sos, xa, axis=0)) if len(xa) > _MIN_FILTER_SAMPLES else xa
    sim1 = _lag_similarity(xa, period, period)
    sim2 = _lag_similarity(xa, period, 2 * period)
    flexible = np.max([_lag_similarity(xa, int(lag), 2 * period) for lag in
                       np.unique(np.linspace(0.6 * period, 1.7 * period, 12).astype(int))], axis=0)
    # Principal direction of the band-passed motion, weighted towards the clearly periodic part.
    weight = np.clip(sim2, 0, None) ** 2 + 1e-6
    centred = y - np.average(y, axis=0, weights=weight)
    _, vectors = np.linalg.eigh((centred * weight[:, None]).T @ centred)
    phase = np.unwrap(np.angle(signal.hilbert(y @ vectors[:, -1])))
    step = np.abs(np.diff(phase, prepend=phase[0]))
    level = _moving_mean(np.sqrt((x**2).sum(axis=1)), period)
    # A still watch makes no reps. The floor is on motion in the rep band: a slow drift of the
    # wrist's angle passes the 0.08 Hz high-pass, and there it kept the floor while the phase
    # followed sensor jitter (9 "reps" 1.2 s apart in the still end of a triceps set file).
    rep_band = (np.asarray(signal.sosfiltfilt(sos, x, axis=0)) if len(x) > _MIN_FILTER_SAMPLES
                else x)
    rep_band_level = _moving_mean(np.sqrt((rep_band**2).sum(axis=1)), period)
    step = np.where(rep_band_level >= cfg.motion_floor, step, 0.0)
    raw = np.log(level + 1e-3)
    loud = raw - np.median(raw[weight >= np.quantile(weight, 0.7)])
    share = _moving_mean((y**2).sum(axis=1), period) / (
        _moving_mean((xa**2).sum(axis=1), period) + 1e-6)
    speed = np.log(np.clip(_moving_mean(step, period) * rate_hz / (2 * np.pi) / f0, 0.05, 20))
    # Periods to the nearer end of the span (capped): similarity has no partner at the ends.
    edge = np.minimum(np.arange(len(x)), np.arange(len(x))[::-1]) / period
    feats = np.stack([np.ones(len(x)), sim1, sim2, flexible, loud, np.abs(loud), share,
                      np.abs(speed), np.minimum(edge, 2.0)], axis=1)
    return FrameFeatures(features=np.nan_to_num(feats), phase_step=np.nan_to_num(step),
                         period=period)


def rep_density(frames: FrameFeatures, weights: np.ndarray) -> np.ndarray:
    """Reps per frame, (n_samples,): gate probability x phase advance / 2 pi."""
    return np.asarray(special.expit(frames.features @ weights) * frames.phase_step / (2 * np.pi))


@functools.cache
def _gate_weights(path: Path) -> tuple[float, ...]:
    try:
        data = json.loads(path.read_text())
        weights = tuple(float(w) for w in data["weights"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(
            f"rep counter gate {path} is missing or unreadable ({exc}); "
            "run `python -m ml.eval_counting fit`"
        ) from None
    if len(weights) != len(FEATURE_NAMES):
        raise RuntimeError(f"rep counter gate {path} has {len(weights)} weights, "
                           f"expected {len(FEATURE_NAMES)}")
    return weights


def load_gate(path: Path = GATE_PATH) -> np.ndarray:
    """The fitted gate weights, shape (len(FEATURE_NAMES),)."""
    return np.array(_gate_weights(path))


def count_reps(
    gyro: np.ndarray,
    accel: np.ndarray | None,
    rate_hz: float = 50.0,
    *,
    weights: np.ndarray | None = None,
    cfg: CounterSettings = DEFAULT_COUNTER,
    stray_gap_periods: float | None = None,
) -> RepCount:
    """Count the reps of one set: the median of ``count_views``.

    Parameters
    ----------
    gyro : ndarray, shape (n_samples, 3)
        Angular velocity in rad/s.
    accel : ndarray, shape (n_samples, 3), or None
        Total acceleration in g (used when present: rows and pulls barely rotate the wrist).
    weights : ndarray, shape (len(FEATURE_NAMES),), optional
        Gate weights; default the fitted ones (``load_gate``).
    stray_gap_periods : float, optional
        Drop first/last rep marks standing more than this many periods apart from the others
        (for spans that may reach into a neighbouring rest; off by default).
    """
    return median_count(count_views(gyro, accel, rate_hz, weights=weights, cfg=cfg,
                                    stray_gap_periods=stray_gap_periods))


def count_views(
    gyro: np.ndarray,
    accel: np.ndarray | None,
    rate_hz: float = 50.0,
    *,
    weights: np.ndarray | None = None,
    cfg: CounterSettings = DEFAULT_COUNTER,
    stray_gap_periods: float | None = None,
) -> list[RepCount]:
    """The count of each sensor view (``sensor_views``), both sensors first; parameters as
    ``count_reps``."""
    weights = load_gate() if weights is None else weights
    counts = []
    for view_gyro, view_accel in sensor_views(gyro, accel, rate_hz, cfg):
        frames = frame_features(view_gyro, view_accel, rate_hz, cfg)
        if frames is None:
            counts.append(RepCount(0, (), None))
            continue
        density = rep_density(frames, weights)
        cumulative = np.cumsum(density)
        marks = np.searchsorted(cumulative, np.arange(int(round(float(cumulative[-1])))) + 0.5)
        marks = np.minimum(marks, len(density) - 1)
        if stray_gap_periods is not None:
            marks = _trim_strays(marks, frames.period, stray_gap_periods)
        counts.append(RepCount(len(marks), tuple(float(m / rate_hz) for m in marks),
                               frames.period / rate_hz, float(cumulative[-1])))
    return counts


def median_count(counts: Sequence[RepCount]) -> RepCount:
    """Of three views' counts, the one whose summed density is the median: one view's phase slip
    or leaky gate is outvoted. Views that found no period take no part; of fewer than three, the
    first (both sensors, when there are two) stands."""
    repeating = [c for c in counts if c.period_s is not None]
    if not repeating:
        return RepCount(0, (), None)
    if len(repeating) < 3:
        return repeating[0]
    return sorted(repeating, key=lambda c: c.total)[1]


def sensor_views(
    gyro: np.ndarray,
    accel: np.ndarray | None,
    rate_hz: float = 50.0,
    cfg: CounterSettings = DEFAULT_COUNTER,
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """The (gyro, accel) inputs the counter counts on: both sensors, then the accelerometer alone
    and the acceleration along gravity (``vertical_acceleration``), both scaled like rotation so
    the motion floors hold, when there is an accelerometer and ``cfg.median_of_views``.

    Each view errs where the others do not (a row barely turns the wrist; a dumbbell press
    barely turns it either but lifts the weight against gravity), so their median errs less than
    any of them on applewatch-gym and about as little as the best on barbell (figures in the
    module's description).
    """
    if accel is None or not cfg.median_of_views:
        return [(gyro, accel)]
    accel = np.asarray(accel, np.float64)
    return [(gyro, accel), (accel * cfg.accel_scale, None),
            (vertical_acceleration(accel, rate_hz, cfg) * cfg.accel_scale, None)]


def vertical_acceleration(
    accel: np.ndarray, rate_hz: float = 50.0, cfg: CounterSettings = DEFAULT_COUNTER
) -> np.ndarray:
    """Acceleration along gravity: (n_samples, 3) total acceleration in g → (n_samples, 1).

    "Up" is the direction of the total acceleration low-passed below ``cfg.gravity_lowpass_hz``
    (the wrist's slow tilt), so the channel follows the lift of a weight whatever way the watch
    is worn or turned. Its constant part (1 g) is left in: the counter's band-pass removes it.
    """
    accel = np.asarray(accel, np.float64)
    if len(accel) > _MIN_FILTER_SAMPLES:
        sos = butter_sos(2, cfg.gravity_lowpass_hz, "lowpass", rate_hz)
        up = np.asarray(signal.sosfiltfilt(sos, accel, axis=0))
    else:  # too short to filter: one "up" for the whole span
        up = accel.mean(axis=0, keepdims=True)
    up = up / np.maximum(np.linalg.norm(up, axis=1, keepdims=True), 1e-6)
    return np.asarray((accel * up).sum(axis=1, keepdims=True))


def _trim_strays(marks: np.ndarray, period: int, max_gap: float) -> np.ndarray:
    """Drop rep marks at either end that stand apart from the rest (handling, not a rep)."""
    while len(marks) > 2 and marks[1] - marks[0] > max_gap * period:
        marks = marks[1:]
    while len(marks) > 2 and marks[-1] - marks[-2] > max_gap * period:
        marks = marks[:-1]
    return marks


def fit_gate(
    frames: Sequence[FrameFeatures | None], reps: Sequence[int], *, l2: float = 1e-3
) -> np.ndarray:
    """Fit the gate weights so each set's summed density matches its labelled rep count.

    Minimises the mean pseudo-Huber error of per-set totals (robust to the odd wrong label)
    plus a small L2 penalty, by L-BFGS with the exact gradient. Powell's method, used before,
    stopped short of the minimum wherever its path led (its weights moved with any change to the
    features); from eight random starts L-BFGS lands on the same weights.
    """
    usable = [(f.features, f.phase_step / (2 * np.pi), float(y))
              for f, y in zip(frames, reps, strict=True) if f is not None]
    if not usable:
        raise ValueError("no set with a detectable period to fit the rep gate on")

    def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = 0.0, np.zeros_like(w)
        for features, turns, y in usable:
            gate = special.expit(features @ w)  # rep_density's gate, kept for the gradient
            err = float(gate @ turns) - y
            huber = np.sqrt(err**2 + 0.25)
            total += huber
            gradient += err / huber * (features.T @ (gate * (1.0 - gate) * turns))
        penalised = np.concatenate([[0.0], w[1:]])  # the bias is not shrunk
        return (total / len(usable) + l2 * float(penalised @ penalised),
                gradient / len(usable) + 2 * l2 * penalised)

    start = np.array([-2.0, 0.0, 4.0, 2.0, 0.0, -1.0, 2.0, -1.0, 0.0])
    result = optimize.minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B")
    return np.asarray(result.x)
