"""One training run of the activity network on chosen windows (shared by train and evaluate).

A run trains on every training set: no sets are held back to stop early on
(``validation_fraction`` 0). It stops when the training loss has not improved for ``patience``
epochs, or after ``epochs``, and keeps the weights of its lowest training loss. It adapts the
normalisation on its training windows and trains on at most ``windows_per_set`` evenly spaced
exercise windows of each set plus all its rest windows: a long applewatch-gym set gives ~130
heavily overlapping windows, a short barbell set ~25, so the cap balances sets and bounds the
time of an evaluation fold (~1 min on 2 cores). 48 (it was 16) keeps every window of a barbell
set and a third of a long applewatch-gym set: those extra views of the same sets raised held-out
set accuracy on applewatch-gym sharply (the seed network's too) and left barbell-metamotion
within its seed-to-seed spread; 96 gave applewatch-gym two or three more sets for ~1.7x the time.

Until the card of 2026-12-02 a seeded 15% of each class's training sets (``validation_sets``)
was held back to stop on its loss. Those sets are few (one or two per exercise code, often from
the day that is held out next), so the stop came after 7-26 epochs on the noise of a handful of
sets, and the held-back sets were not learned from. Training on them all, to the training loss's
plateau, raised applewatch-gym leave-one-day-out for the network alone by several points at both
levels on the card's seeds and left barbell-metamotion within its seed-to-seed spread (README,
"Exercise recognition", with fresh seeds; docs/activity-model-history.md, the earlier recipe).
``validation_sets`` stays for recipes that ask for a fraction. The seed network's recipe derives
from ours, so it trains on the same windows for the same epochs.

One network, not an ensemble. Three networks from seeds s, s + 1000, s + 2000 with their
probabilities averaged (one saved model), each fold trained on the evaluated dataset only, raised
barbell-metamotion leave-one-participant-out to 0.918 +/- 0.047 (0.898 +/- 0.077 here, same 6
seeds), left applewatch-gym family at 0.967 and exercise at 0.901, and named the held-out
pull-up set (0.75). It cost 3x the training and 4.5x the evaluation. It was not shipped
because learning from corrections then lost 2.5-5 points on the other classes after 5 labelled
sets (``python -m ml.evaluate learning``; the target allows 1).
That held whether the ensemble was fine-tuned through its average or member by member, and the
app refused those retrains.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from journal.exercises import REST_ID
from ml.activity_data import IGNORED, WindowTable, centre_crop

#: Our recipe; recorded in the card so evaluation and the shipped model provably match.
RECIPE: dict[str, Any] = {
    "network": {"downsample": 4, "filters": [16, 32, 32], "kernel_size": 5, "dense_units": 64,
                "dropout": 0.3, "learning_rate": 2e-3, "label_smoothing": 0.05},
    "augmentation": {"max_rotation_deg": 15.0, "amplitude": 0.15, "speed": 0.15},
    "epochs": 30,
    "patience": 4,
    "batch_size": 64,
    "windows_per_set": 48,
    "validation_fraction": 0.0,
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


def capped_windows(table: WindowTable, window_mask: np.ndarray, per_set: int) -> np.ndarray:
    """Indices of the selected windows: every rest window, and at most ``per_set`` evenly spaced
    exercise windows of each set, shape (k,)."""
    rest = table.classes.index(REST_ID) if REST_ID in table.classes else -2
    chosen = [np.flatnonzero(window_mask & (table.labels == rest))]
    exercise = window_mask & (table.labels != rest)
    for s in np.unique(table.set_index[exercise]):
        idx = np.flatnonzero(exercise & (table.set_index == s))
        if idx.size > per_set:
            idx = idx[np.linspace(0, idx.size - 1, per_set).round().astype(np.int64)]
        chosen.append(idx)
    return np.sort(np.concatenate(chosen))


#: Networks the shipped model averages (``python -m ml.train`` and ``python -m ml.evaluate
#: activity`` by default). One network's accuracy on new barbell users moved from 0.825 to 0.982
#: with its seed; the mean of three moved far less (docs/activity-model-history.md; README).
NETWORKS = 3


def member_seeds(seed: int, networks: int) -> list[int]:
    """The training seeds of the networks averaged for ``seed``: its own block of ``networks``
    consecutive seeds, so no two seeds share a network and a seed means the same networks in
    every run (with 3: seed 0 is networks 0-2, seed 2 networks 6-8; an evaluation's seeds run on
    other cores fill one replay folder)."""
    return list(range(seed * networks, (seed + 1) * networks))


def fit_averaged(
    table: WindowTable, train_sets: np.ndarray, *, seed: int, networks: int = 1,
    log: Callable[[str], None] | None = None, require_all_classes: bool = True,
) -> tuple[Any, list[FitResult]]:
    """Our network trained on the selected sets, or with ``networks`` > 1 the mean of that many
    trained alike with ``member_seeds(seed, networks)`` (``ml.activity_network.make_ensemble``);
    and every network's fit. ``require_all_classes`` as ``fit_network``."""
    if networks < 1:
        raise ValueError(f"an ensemble of {networks} networks")
    fitted = []
    for member in member_seeds(seed, networks):
        started = time.perf_counter()
        fitted.append(fit_network(table, train_sets, seed=member,
                                  require_all_classes=require_all_classes))
        if log is not None:
            log(f"trained seed {member}: {fitted[-1].info['epochs_run']} epochs (kept epoch "
                f"{fitted[-1].info['best_epoch']}) in {time.perf_counter() - started:.0f} s")
    if networks == 1:
        return fitted[0].network, fitted
    from ml.activity_network import make_ensemble

    return make_ensemble([f.network for f in fitted]), fitted


def fit_network(
    table: WindowTable,
    train_sets: np.ndarray,
    *,
    seed: int,
    kind: str = "ours",
    recipe: dict[str, Any] | None = None,
    require_all_classes: bool = True,
) -> FitResult:
    """Train our network (``kind="ours"``) or the seed's (``"seed"``) on the selected sets.

    Parameters
    ----------
    train_sets : ndarray, shape (n_sets,), bool
        Which sets of ``table`` may be used (their windows train or validate).
    require_all_classes : bool
        Refuse to train when a class has no windows (the shipped model). An evaluation fold
        passes False: a code recorded on the held-out day only simply cannot be learned there.
    """
    import keras

    from ml.activity_network import fit, make_model, make_seed_model

    recipe = recipe or (SEED_RECIPE if kind == "seed" else RECIPE)
    window = table.spec.window_samples
    n_classes = len(table.classes)
    val = validation_sets(table, train_sets, recipe["validation_fraction"], seed)
    labelled = table.labels != IGNORED
    cap = recipe["windows_per_set"]
    train_idx = capped_windows(table, table.in_sets(train_sets & ~val) & labelled, cap)
    val_idx = capped_windows(table, table.in_sets(val) & labelled, cap)
    present = np.unique(table.labels[train_idx])
    if require_all_classes and present.size < n_classes:
        missing = sorted(set(table.classes) - {table.classes[i] for i in present})
        raise ValueError(f"no training windows for {missing}: too little data for these classes")
    # Seed before building: the initial weights must not depend on what this process trained
    # before (an evaluation trains many folds in one process; ``fit`` reseeds only afterwards).
    keras.utils.set_random_seed(seed)
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
    from ml.model import predict_in_batches  # ml.model imports this module's neighbours

    idx = np.flatnonzero(window_mask)
    # A chunk at a time: indexing the wide windows copies them, and a table holds many.
    out = [
        predict_in_batches(network, centre_crop(table.wide[idx[i : i + 1024]],
                                                table.spec.window_samples))
        for i in range(0, idx.size, 1024)
    ]
    return np.concatenate(out) if out else np.zeros((0, len(table.classes)), np.float32)
