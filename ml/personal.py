"""A user's personal model: gradient boosting on per-window statistics of their own labelled sets,
re-ranking the network's window probabilities among the exercises that user has labelled.

Why: the network generalises to new people (it is trained with rotations, amplitude and tempo
changes), but between two exercises of one family the wrist's angle and spread in *this* user's
sets tell the variant apart better (bench at 30° or 45°, grip width). Window statistics
(``ml.activity_baseline``) capture exactly that and carry over between one person's days, not to
other people: a statistics model trained on the other people of barbell-metamotion names 0.67 of
a new participant's lifts, the network 0.95. So the statistics model is personal. It is fitted on
the user's corrected and confirmed journal sets when they retrain (``ml.learning``) and mixed in
only over the exercises it was fitted on:

    p(c) = w * p_network(c) + (1 - w) * S * p_personal(c)   for the user's exercises c,
    p(c) = p_network(c)                                       for every other class (rest too),

with S the network's mass on the user's exercises, so rows still sum to 1 and an exercise the
user never labelled keeps the network's probability. A new user has no personal model: the app
is the network alone. ``python -m ml.evaluate activity`` measures the mix on the
applewatch-gym days (one person: the other days are his journal), 3 seeds, without the
last-used-variant tie-breaker, which the app drops for a user with a personal model. With the
network of the early-stopping recipe (before 2026-12-02) it lifted family 0.938 -> 0.967 and
exercise 0.832 -> 0.909. The network trained on every set names those days by itself about as
well on seeds 0-2: family 0.978 and exercise 0.914 alone, 0.971 / 0.909 with the mix at the
shipped w, 0.967 / 0.903 with w chosen per day. On seeds 3-5 the network alone reads 0.949 /
0.890 and the mix 0.969 / 0.923 at the shipped w (README, "With a personal model"): the mix
steadies the network from one training to the next, and learns what the datasets cannot teach
it, a user's own exercises and variants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from journal.exercises import REST_ID
from ml.activity_baseline import fit_baseline, window_features
from ml.activity_data import WindowTable

#: w of the network in the mix. ``python -m ml.evaluate activity`` (the early-stopping network):
#: with a full journal (the other 13 days) every w of 0.2-0.8 named 0.907-0.918 of the exercises
#: right; with a young one (the 2 days before) 0.2 named 0.854, 0.45-0.65 0.865-0.868, the network
#: alone 0.844. With the network trained on every set: 0.65 names 0.909 (full journal) and 0.921
#: (young journal), w of 0.75-0.9 0.921-0.923, the network alone 0.914 and 0.915.
NETWORK_WEIGHT = 0.65
#: Fewer exercises than this leave nothing to re-rank: no personal model.
MIN_EXERCISES = 2


@dataclass(frozen=True)
class PersonalModel:
    """A fitted statistics classifier over ``exercises`` and the network's weight in the mix.

    ``classifier.classes_`` index ``exercises`` (its ``predict_proba`` columns follow them).
    """

    classifier: Any
    exercises: tuple[str, ...]
    network_weight: float = NETWORK_WEIGHT

    def mix(self, network_probs: np.ndarray, windows: np.ndarray,
            classes: Sequence[str]) -> np.ndarray:
        """The network's window probabilities re-ranked among the user's exercises.

        Parameters
        ----------
        network_probs : ndarray, shape (n_windows, n_classes)
        windows : ndarray, shape (n_windows, window_samples, 6)
        classes : the model's classes, ``n_classes`` long (must hold every one of ``exercises``)

        Returns
        -------
        ndarray, shape (n_windows, n_classes), float32; rows sum to 1 as the network's do.
        """
        personal, known = self.class_probabilities(windows, classes)
        return mix_probabilities(network_probs, personal, known, self.network_weight)

    def class_probabilities(self, windows: np.ndarray,
                            classes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """This model's probabilities in the network's class space, shape (n_windows, n_classes)
        (zero outside ``exercises``), and which classes it knows, shape (n_classes,) bool."""
        missing = sorted(set(self.exercises) - set(classes))
        if missing:
            raise ValueError(f"the personal model knows exercises the network lacks: {missing}")
        columns = np.array([list(classes).index(e) for e in self.exercises])
        known = np.zeros(len(classes), bool)
        known[columns] = True
        probs = np.zeros((windows.shape[0], len(classes)), np.float32)
        if windows.shape[0]:
            probs[:, columns[self.classifier.classes_]] = self.classifier.predict_proba(
                window_features(windows))
        return probs, known


def mix_probabilities(network_probs: np.ndarray, personal_probs: np.ndarray, known: np.ndarray,
                      network_weight: float | np.ndarray) -> np.ndarray:
    """w x network + (1 - w) x S x personal over the known classes, the network elsewhere.

    Parameters
    ----------
    network_probs, personal_probs : ndarray, shape (n_windows, n_classes)
    known : ndarray, shape (n_classes,) or (n_windows, n_classes), bool
        The classes the personal model was fitted on (per window when windows come from
        different personal models, as in the evaluation's folds).
    network_weight : float, or ndarray of shape (n_windows, 1)

    Returns
    -------
    ndarray, shape (n_windows, n_classes), float32
    """
    known = np.broadcast_to(known, network_probs.shape)
    mass = np.where(known, network_probs, 0.0).sum(axis=1, keepdims=True)
    w = network_weight
    return np.where(known, w * network_probs + (1 - w) * mass * personal_probs,
                    network_probs).astype(np.float32)


def fit_personal(table: WindowTable, set_mask: np.ndarray, *, seed: int = 0,
                 network_weight: float = NETWORK_WEIGHT) -> PersonalModel | None:
    """Fit a personal model on the exercise windows of the selected sets (rest left out: it is
    the network's to judge); None with fewer than ``MIN_EXERCISES`` exercises among them."""
    exercises = sorted({table.sets[i].exercise for i in np.flatnonzero(set_mask)} - {REST_ID})
    if len(exercises) < MIN_EXERCISES:
        return None
    labels = _relabel(table, exercises)
    if np.unique(labels[table.in_sets(set_mask) & (labels >= 0)]).size < MIN_EXERCISES:
        return None  # too short to give windows of two exercises
    local = WindowTable(table.wide, labels, table.set_index, tuple(exercises), table.sets,
                        table.spec)
    classifier = fit_baseline(local, np.asarray(set_mask), seed=seed)
    return PersonalModel(classifier, tuple(exercises), network_weight)


def _relabel(table: WindowTable, exercises: Sequence[str]) -> np.ndarray:
    """``table.labels`` re-indexed into ``exercises``; every other window IGNORED (-1)."""
    mapping = np.full(len(table.classes), -1, np.int64)
    for j, e in enumerate(exercises):
        if e in table.classes:
            mapping[table.classes.index(e)] = j
    return np.where(table.labels >= 0, mapping[np.maximum(table.labels, 0)], -1)


def save_personal(personal: PersonalModel, path: Path) -> None:
    """Write the classifier with joblib (scikit-learn's own format for fitted estimators)."""
    import joblib

    joblib.dump({"classifier": personal.classifier, "exercises": list(personal.exercises),
                 "network_weight": personal.network_weight}, path)


def load_personal(path: Path) -> PersonalModel:
    """Read what ``save_personal`` wrote (only ever our own files: the card holds their hash)."""
    import joblib

    data = joblib.load(path)
    return PersonalModel(data["classifier"], tuple(data["exercises"]),
                         float(data["network_weight"]))
