"""Activity model: load time, and time to classify one hour of 50 Hz recording."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

import appconfig
from benchmarks import Figure
from ml.recordings import Recording


def _hour_of_real_sets() -> Recording:
    """One hour made by repeating real applewatch-gym sets end to end (real motion, real rate)."""
    from ml import datasets

    sets = [datasets.load(s) for s in datasets.applewatch_sets()[:40:4]]
    gyro = np.concatenate([r.gyro for r in sets])
    accel = np.concatenate([r.accel for r in sets if r.accel is not None])
    repeats = int(np.ceil(3600 * 50 / gyro.shape[0]))
    n = 3600 * 50
    return Recording(gyro=np.tile(gyro, (repeats, 1))[:n], accel=np.tile(accel, (repeats, 1))[:n],
                     gravity=None, source_format="applewatch-gym", original_rate_hz=100.0)


def run() -> Iterator[Figure]:
    start = time.perf_counter()
    from ml.model import import_keras, load_model

    import_keras()
    yield Figure("import keras (first model use in a process)", time.perf_counter() - start, "s",
                 "cold `import keras` (TensorFlow CPU) on this machine, paid once per process")
    start = time.perf_counter()
    model = load_model()
    yield Figure("load activity model", time.perf_counter() - start, "s",
                 f"load_model({appconfig.MODEL_PATH.name}) + card check, Keras already imported "
                 "(target <= 2 s)")
    hour = _hour_of_real_sets()
    start = time.perf_counter()
    model.window_probabilities(hour)
    yield Figure("first classification in a process, one hour", time.perf_counter() - start, "s",
                 "traces Keras's predict function once, then classifies (the app pays it on "
                 "its first analysis)")
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        centres, _ = model.window_probabilities(hour)
        timings.append(time.perf_counter() - start)
    yield Figure("classify one hour", min(timings), "s",
                 f"window_probabilities on 60 min at 50 Hz ({centres.size} windows of "
                 f"{model.spec.window_s:g} s, hop {model.spec.hop_s:g} s), best of 3 after a "
                 "warm-up call (target <= 1 s)")
    yield Figure("model file size", appconfig.MODEL_PATH.stat().st_size / 1024, "KiB",
                 f"{appconfig.MODEL_PATH.name} on disk")
