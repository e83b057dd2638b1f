"""Analysis speed: one hour of 50 Hz session (real sets + real rest) through ``ml.pipeline``.

Protocol: a session built from the applewatch-gym sets in recorded order (idle and handling at
their edges kept) with 20-70 s of real barbell-metamotion rest between them, until it lasts one
hour. Timed: ``ml.pipeline.analyze(recording, model)`` with the model already loaded (the one-off
load is excluded, as the app caches it), median of 3 runs; and segmentation + rep counting alone
(``ml.segmentation.find_sets``), median of 3 runs. Target: <= 3 s for the whole analysis.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

from benchmarks import Figure
from ml import datasets
from ml.built_sessions import BuiltSession, SetPiece, build_sessions
from ml.model import load_model
from ml.pipeline import analyze
from ml.segmentation import find_sets

HOUR_S = 3600.0
RUNS = 3


def build_hour() -> BuiltSession:
    """One session of real applewatch-gym sets and real rest lasting at least an hour."""
    sets = sorted((s for s in datasets.applewatch_sets() if s.reps is not None),
                  key=lambda s: s.name[-19:])
    rests = [datasets.load(s) for s in datasets.barbell_sets() if s.reps is None]
    pieces, total = [], 0.0
    for labelled in sets:
        recording = datasets.load(labelled)
        pieces.append(SetPiece(labelled.name, "hour", labelled.reps or 0, recording))
        total += recording.duration_s + 45.0  # mean inserted rest
        if total >= HOUR_S:
            break
    (session,) = build_sessions(pieces, rests, n_sessions=1,
                                sets_per_session=(len(pieces), len(pieces)), seed=0)
    return session


def _median_s(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> Iterator[Figure]:
    session = build_hour()
    rec = session.recording
    minutes = rec.duration_s / 60
    where = f"{minutes:.0f} min session of {len(session.true_spans)} real sets, median of {RUNS}"
    seconds = _median_s(lambda: find_sets(rec.gyro, rec.accel, rec.sample_rate_hz))
    yield Figure("segmentation + rep counting, one hour", seconds * 60 / minutes, "s", where)
    model = load_model()
    analyze(rec, model)  # warm-up: the first Keras call traces the graph
    seconds = _median_s(lambda: analyze(rec, model))
    yield Figure("analyze one hour (model loaded once, excluded)", seconds * 60 / minutes, "s",
                 f"{where}; model {model.version}; target <= 3 s")
