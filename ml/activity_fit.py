"""One training run of the activity network on chosen windows (shared by train and evaluate).

A run holds out a seeded ~15% of its training *sets* (never single windows: neighbouring windows
overlap) to stop early on, adapts the normalisation on its training windows, and trains on every
``stride``-th window (windows overlap by 7/8 at the default hop, so this loses little).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ml.activity_data import IGNORED, WindowTable, centre_crop

#: Our recipe; recorded in the card so evaluation and the shipped model provably match.
RECIPE: dict[str, Any] = {
    "network": {"downsample": 4, "filters": [16, 32, 32], "kernel_size": 5, "dense_units": 64,
                "dropout": 0.3, "learning_rate": 2e-3, "label_smoothing": 0.05},
    "augmentation": {"max_rotation_deg": 15.0, "amplitude": 0.15, "speed": 0.15},
    "epochs": 25,
    "patience": 4,
    "batch_size": 256,
    "stride": 4,
    "validation_fraction": 0.15,
}

#: The seed network as published, trained on the same windows (no augmentation, MSE, RMSprop).
SEED_RECIPE: dict[str, Any] = {**RECIPE, "augmentation": None}


@dataclass
class FitResult:
    """A trained Keras network and what happened during training."""

    network: Any
    info: dict[str, Any] = field(default_factory=dict)


def validation_sets(
    table: WindowTable, train_sets: np.ndarray, fraction: float, seed: int
) -> np.ndarray:
    """Set mask (n_sets,) of a seeded ``fraction`` of the training sets, one class at a time so
    every class with at least 3 sets keeps at least 2 for training."""
    rng = np.random.default_rng(seed)
    chosen = np.zeros(len(table.sets), dtype=bool)
    by_class: dict[str, list[int]] = {}
    for i in np.flatnonzero(train_sets):
        by_class.setdefault(table.sets[i].exercise, []).append(int(i))
    for members in by_class.values():
        take = int(round(len(members) * fraction)) if len(members) >= 3 else 0
        if take:
            chosen[rng.choice(members, size=take, replace=False)] = True
    return chosen


def fit_network(
    table: WindowTable,
    train_sets: np.ndarray,
    *,
    seed: int,
    kind: str = "ours",
    recipe: dict[str, Any] | None = None,
) -> FitResult:
    """Train our network (``kind="ours"``) or the seed's (``"seed"``) on the selected sets.

    Parameters
    ----------
    train_sets : ndarray, shape (n_sets,), bool
        Which sets of ``table`` may be used (their windows train or validate).
    """
    from ml.activity_network import fit, make_model, make_seed_model

    recipe = recipe or (SEED_RECIPE if kind == "seed" else RECIPE)
    window = table.spec.window_samples
    n_classes = len(table.classes)
    val = validation_sets(table, train_sets, recipe["validation_fraction"], seed)
    labelled = table.labels != IGNORED
    train_idx = np.flatnonzero(table.in_sets(train_sets & ~val) & labelled)[:: recipe["stride"]]
    val_idx = np.flatnonzero(table.in_sets(val) & labelled)[:: max(1, recipe["stride"] // 2)]
    present = np.unique(table.labels[train_idx])
    if present.size < n_classes:
        missing = sorted(set(table.classes) - {table.classes[i] for i in present})
        raise ValueError(f"no training windows for {missing}: too little data for these classes")
    if kind == "seed":
        network = make_seed_model(window_samples=window, n_classes=n_classes)
    else:
        normalization = centre_crop(table.wide[train_idx[::5]], window)
        network = make_model(window_samples=window, n_classes=n_classes,
                             normalization_data=normalization, **recipe["network"])
    info = fit(
        network, table.wide[train_idx], table.labels[train_idx],
        validation=(centre_crop(table.wide[val_idx], window), table.labels[val_idx]),
        seed=seed, epochs=recipe["epochs"], batch_size=recipe["batch_size"],
        patience=recipe["patience"], augmentation=recipe["augmentation"],
    )
    info.update(n_train_windows=int(train_idx.size), n_val_windows=int(val_idx.size),
                n_val_sets=int(val.sum()))
    return FitResult(network, info)


def predict(network: Any, table: WindowTable, window_mask: np.ndarray) -> np.ndarray:
    """Probabilities of the selected windows, shape (n_selected, n_classes)."""
    
    idx = np.flatnonzero(window_mask)
    out = [
        np.asarray(network(centre_crop(table.wide[idx[i : i + 1024]], table.spec.window_samples),
                           training=False))
        for i in range(0, idx.size, 1024)
    ]
    return np.concatenate(out) if out else np.zeros((0, len(table.classes)), np.float32)
