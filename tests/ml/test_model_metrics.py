"""Evaluation scores: set votes, family level, pull-up window precision (pure, no Keras)."""

from __future__ import annotations

import numpy as np
import pytest

from ml.activity_data import IGNORED
from ml.activity_metrics import HeldOut, score

CLASSES = ("assisted_pull_up", "neutral_grip_cable_row", "close_grip_cable_row", "rest")


def _held_out() -> HeldOut:
    # Set 0: pull-up, all windows right. Set 1: neutral-grip row whose windows lean close-grip
    # (right family, wrong variant) and one of its windows is taken for a pull-up.
    probs = np.array([
        [0.9, 0.0, 0.0, 0.1], [0.8, 0.1, 0.0, 0.1], [0.1, 0.0, 0.0, 0.9],
        [0.0, 0.3, 0.6, 0.1], [0.0, 0.4, 0.5, 0.1], [0.7, 0.1, 0.1, 0.1],
    ])
    return HeldOut(probs=probs, window_labels=np.array([0, 0, 3, 1, 1, IGNORED]),
                   window_set=np.array([0, 0, 0, 1, 1, 1]),
                   set_truth={0: "assisted_pull_up", 1: "neutral_grip_cable_row"})


def test_exercise_level_counts_the_wrong_variant_as_wrong() -> None:
    result = score(_held_out(), CLASSES, level="exercise")
    assert result["set_accuracy"] == 0.5
    assert result["set_recall"] == {"assisted_pull_up": 1.0, "neutral_grip_cable_row": 0.0}
    assert result["window_accuracy"] == pytest.approx(3 / 5)  # the ignored window is not scored
    assert result["pull_up_set_recall"] == 1.0
    assert result["pull_up_window_precision"] == 1.0


def test_family_level_forgives_the_variant() -> None:
    result = score(_held_out(), CLASSES, level="family")
    assert result["set_accuracy"] == 1.0
    assert result["set_macro_f1"] == 1.0


def test_sets_outside_the_counted_codes_are_not_scored() -> None:
    result = score(_held_out(), CLASSES, level="exercise",
                   sets_counted=lambda exercise: exercise == "assisted_pull_up")
    assert result["n_sets"] == 1 and result["set_accuracy"] == 1.0
