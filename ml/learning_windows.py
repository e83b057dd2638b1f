"""The windows a retrain learns from: the user's sets plus replayed windows of the shipped data.

Both are cut by ``ml.activity_data.build_table`` with the model's window length. The shipped
sets are windowed once per process (hop ``replay_hop_s``, 1 s: neighbours at 0.5 s are nearly
the same window) and reused by every retrain; a class-balanced sample of them is replayed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ml.activity_data import IGNORED, SetSignal, WindowTable, build_table, wide_samples_for
from ml.windowing import WindowSpec

if TYPE_CHECKING:
    from ml.learning import RetrainOptions

_TABLES: dict[tuple[object, ...], WindowTable] = {}


@dataclass
class ReplaySource:
    """The shipped sets as windows; ``counts`` records how many of each class were replayed."""

    table: WindowTable
    counts: dict[str, int]

    @classmethod
    def of(cls, sets: Sequence[SetSignal], spec: WindowSpec, classes: Sequence[str],
           *, hop_s: float) -> ReplaySource:
        coarse = WindowSpec(window_s=spec.window_s, hop_s=hop_s, rate_hz=spec.rate_hz)
        key = (tuple(id(s) for s in sets), coarse, tuple(classes))
        if key not in _TABLES:
            if len(_TABLES) >= 4:  # a few (evaluation folds); each is tens of megabytes
                _TABLES.pop(next(iter(_TABLES)))
            _TABLES[key] = build_table(sets, classes, coarse,
                                       wide_samples=wide_samples_for(spec))
        return cls(_TABLES[key], {})


def _even_sample(rows: np.ndarray, n: int) -> np.ndarray:
    if rows.size <= n:
        return rows
    return rows[np.linspace(0, rows.size - 1, n).round().astype(np.int64)]


def training_arrays(
    user_sets: Sequence[SetSignal],
    classes: Sequence[str],
    spec: WindowSpec,
    replay: ReplaySource,
    options: RetrainOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wide windows, labels and sample weights for fine-tuning.

    Every class weighs the same in the loss (rare new exercises are not drowned by replay);
    within a class the user's own windows weigh ``options.user_weight`` times a replayed one.

    Returns
    -------
    wide : ndarray, shape (n, wide_samples, 6), float32
    labels : ndarray, shape (n,), int
    weights : ndarray, shape (n,), float32, mean 1
    """
    user = build_table(user_sets, classes, spec, wide_samples=wide_samples_for(spec))
    user_rows = _even_sample(np.flatnonzero(user.labels != IGNORED), options.max_user_windows)
    rng = np.random.default_rng(options.seed)
    replay_rows = []
    replay.counts = {}
    for index, name in enumerate(classes):
        rows = np.flatnonzero(replay.table.labels == index)
        if rows.size:
            take = rng.choice(rows, size=min(rows.size, options.replay_per_class), replace=False)
            replay_rows.append(np.sort(take))
            replay.counts[name] = int(take.size)
    picked = np.concatenate(replay_rows) if replay_rows else np.zeros(0, np.int64)
    wide = np.concatenate([user.wide[user_rows], replay.table.wide[picked]])
    labels = np.concatenate([user.labels[user_rows], replay.table.labels[picked]])
    is_user = np.arange(labels.size) < user_rows.size
    raw = np.where(is_user, options.user_weight, 1.0)
    weights = np.zeros(labels.size)
    for index in np.unique(labels):
        members = labels == index
        weights[members] = raw[members] / raw[members].sum()  # each class sums to 1
    weights *= labels.size / weights.sum()
    return wide.astype(np.float32, copy=False), labels, weights.astype(np.float32)
