"""An activity model whose network answers one class distribution for every window: isolates
the pipeline and the segmentation evaluation from Keras."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ml.activity_decision import DecisionThresholds
from ml.model import ActivityModel
from ml.windowing import WindowSpec

CLASSES = ("straight_bar_lat_pulldown", "assisted_pull_up", "rest")


class _FixedNetwork:
    def __init__(self, probs: list[float]) -> None:
        self.probs = np.asarray(probs, np.float32)

    def predict_on_batch(self, windows: np.ndarray) -> np.ndarray:
        return np.tile(self.probs, (len(windows), 1))


def fixed_model(p_rest: float) -> ActivityModel:
    """Every window: rest with ``p_rest``, else mostly a straight-bar lat pulldown."""
    rest = 1.0 - p_rest
    return ActivityModel(network=_FixedNetwork([0.9 * rest, 0.1 * rest, p_rest]),
                         classes=CLASSES, spec=WindowSpec(), version="fixed-test")


def naming_nothing(p_rest: float) -> ActivityModel:
    """``fixed_model`` that never trusts itself enough to name an exercise ("unknown")."""
    return replace(fixed_model(p_rest), thresholds=DecisionThresholds(family_threshold=1.0))
