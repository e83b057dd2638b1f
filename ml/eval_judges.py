"""Activity models that judge built sessions they have never seen (segmentation evaluation).

``analyze`` drops the spans the shipped model calls rest; the shipped model was trained on every
set, so it cannot measure that step. A judge here is trained, as the shipped model is, on both
datasets, but without the recording day (applewatch-gym) or the participant (barbell-metamotion)
of the sessions it judges, and without the barbell-metamotion rest recordings that the built
sessions' rest is cut from: it knows rest from the applewatch-gym files' idle edges only, so it
calls less of that rest rest than the shipped model would, and the figure errs on the safe side.
One judge per held-out group, trained when first asked for (about a minute per network), or read
back from ``cache`` when a judge of the same training windows, labels, held-out mask, recipe,
training code and library versions was kept there (training is seeded and deterministic, so the
judge read back is the one training would give).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from journal.exercises import REST_ID
from ml.activity_data import SetSignal, build_table, wide_samples_for
from ml.activity_decision import DecisionThresholds
from ml.activity_fit import fit_averaged
from ml.activity_sets import SHIPPED_DATASETS, training_data
from ml.eval_activity import replay_key
from ml.model import ActivityModel, load_model
from ml.windowing import WindowSpec


def is_rest_recording(signal: SetSignal) -> bool:
    """A barbell-metamotion rest recording (applewatch-gym rest is a set file's idle edges)."""
    return signal.exercise == REST_ID and not signal.idle_edges


def training_mask(sets: Sequence[SetSignal], held_out_group: str) -> np.ndarray:
    """Which sets train the judge of ``held_out_group``, shape (n_sets,), bool: every set of the
    other days and participants, no rest recording."""
    return np.array([s.group != held_out_group and not is_rest_recording(s) for s in sets])


class HeldOutJudges:
    """``model_without(group)``: an activity model that never saw ``group`` nor any rest
    recording; ``networks`` averaged networks each, trained with the shipped recipe."""

    def __init__(self, *, networks: int = 1, seed: int = 0, root: Path | None = None,
                 cache: Path | None = None, log: Callable[[str], None] = print) -> None:
        data = training_data(SHIPPED_DATASETS, root=root)
        self.classes = data.classes
        self.sets = data.sets
        self.networks, self.seed, self.cache, self._log = networks, seed, cache, log
        self._spec = WindowSpec()
        self._table = build_table(data.sets, data.classes, self._spec,
                                  wide_samples=wide_samples_for(self._spec))
        self._models: dict[str, ActivityModel] = {}

    def model_without(self, group: str) -> ActivityModel:
        if group not in self._models:
            self._models[group] = self._judge(group)
        return self._models[group]

    def _judge(self, group: str) -> ActivityModel:
        mask = training_mask(self.sets, group)
        kept = None if self.cache is None else self.cache / (
            replay_key(self._table, mask, f"held-out judge, {self.networks} networks", self.seed)
            + ".keras")
        if kept is not None and kept.is_file():
            self._log(f"  (judge without {group}: read back from {kept})")
            return load_model(kept)
        # A code recorded on the held-out day only cannot be learned without it.
        network, _ = fit_averaged(self._table, mask, seed=self.seed, networks=self.networks,
                                  require_all_classes=False)
        model = ActivityModel(network, self.classes, self._spec, DecisionThresholds(),
                              version=f"without-{group}")
        self._log(f"  (judge without {group}: trained on {int(mask.sum())} sets)")
        if kept is not None:
            model.save(kept, {"version": f"without-{group}", "held_out_group": group,
                              "networks": self.networks, "seed": self.seed})
        return model
