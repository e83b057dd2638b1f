"""The scikit-learn baseline: gradient boosting on per-window statistics (what a CNN must beat)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ml.activity_data import IGNORED, WindowTable, centre_crop
from ml.activity_fit import RECIPE, capped_windows

#: Statistics of each channel (6 sensor axes + gyro and accel magnitudes).
STATISTICS = ("mean", "std", "min", "max", "p25", "p75")


def window_features(windows: np.ndarray) -> np.ndarray:
    """Per-window statistics.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, window_samples, 6)

    Returns
    -------
    ndarray, shape (n_windows, 8 * len(STATISTICS))
    """
    gyro_norm = np.linalg.norm(windows[..., :3], axis=-1, keepdims=True)
    accel_norm = np.linalg.norm(windows[..., 3:6], axis=-1, keepdims=True)
    x = np.concatenate([windows, gyro_norm, accel_norm], axis=-1)
    p25, p75 = np.percentile(x, [25, 75], axis=1)
    return np.concatenate(
        [x.mean(axis=1), x.std(axis=1), x.min(axis=1), x.max(axis=1), p25, p75], axis=1
    ).astype(np.float32)


def fit_baseline(table: WindowTable, train_sets: np.ndarray, *, seed: int) -> Any:
    """Fit a class-balanced ``HistGradientBoostingClassifier`` on the selected sets' windows."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    labelled = table.in_sets(train_sets) & (table.labels != IGNORED)
    idx = capped_windows(table, labelled, RECIPE["windows_per_set"])
    features = window_features(centre_crop(table.wide[idx], table.spec.window_samples))
    model = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_leaf_nodes=15, class_weight="balanced",
        early_stopping=False, random_state=seed,
    )
    model.fit(features, table.labels[idx])
    return model


def predict_baseline(model: Any, table: WindowTable, window_mask: np.ndarray) -> np.ndarray:
    """Probabilities over all of ``table.classes``, shape (n_selected, n_classes)."""
    idx = np.flatnonzero(window_mask)
    probs = np.zeros((idx.size, len(table.classes)), np.float32)
    if idx.size:
        features = window_features(centre_crop(table.wide[idx], table.spec.window_samples))
        probs[:, model.classes_] = model.predict_proba(features)
    return probs
