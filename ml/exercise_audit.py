"""Audited exercise labels: dataset sets whose signal contradicts their exercise code.

``data/exercise_label_corrections.csv`` lists them, one row per set, with the reason. They were
found without any model: each applewatch-gym set's wrist angle to gravity (the median over the
middle 60% of the file) against the other sets of its code; the sets more than 30 degrees from
their own code were then compared by eye, gyroscope and accelerometer, with the sets of the codes
nearest them and with the sets recorded just before and after them. A row is kept only where the
signal names another code beyond doubt; an empty ``audited_code`` means "not what the label says,
and no code fits": such a set is left out of scoring.

The evaluation (``python -m ml.evaluate activity``) scores the same held-out predictions against
both versions of the labels. Only the answer key changes: training, the personal models and the
last-used-variant history still see the dataset's labels, as the shipped model was trained on them.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import appconfig
from journal.exercises import from_dataset_label
from ml.activity_data import IGNORED, SetSignal
from ml.activity_metrics import HeldOut

CORRECTIONS_PATH = appconfig.DATA_DIR / "exercise_label_corrections.csv"
COLUMNS = ("dataset", "name", "original_code", "audited_code", "reason")


@dataclass(frozen=True)
class ExerciseCorrection:
    """The dataset's exercise of one set and the audited one (None: no code fits it)."""

    original: str
    audited: str | None
    reason: str


def load_corrections(path: Path = CORRECTIONS_PATH) -> dict[tuple[str, str], ExerciseCorrection]:
    """Corrections by (dataset, set name), codes mapped to catalog ids.

    Raises ``ValueError`` naming the file and line of a missing column, an unknown code or a
    row without a reason.
    """
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing} (expected {list(COLUMNS)})")
        corrections = {}
        for line, row in enumerate(reader, start=2):
            try:
                original = from_dataset_label(row["dataset"], row["original_code"]).id
                audited = (from_dataset_label(row["dataset"], row["audited_code"]).id
                           if row["audited_code"] else None)
            except ValueError as error:
                raise ValueError(f"{path}, line {line}: {error}") from None
            if not row["reason"].strip():
                raise ValueError(f"{path}, line {line}: a correction needs its reason")
            corrections[(row["dataset"], row["name"])] = ExerciseCorrection(
                original, audited, row["reason"])
    return corrections


def audited(held: HeldOut, sets: Sequence[SetSignal], classes: Sequence[str],
            corrections: Mapping[tuple[str, str], ExerciseCorrection]) -> HeldOut:
    """``held`` with the audited labels as its answer key.

    A corrected set's truth and its exercise windows take the audited exercise (its rest windows
    stay rest); a set the audit could not name leaves the set scores and the window scores.
    Raises ``ValueError`` when a correction expects another exercise than the set carries (the
    dataset or the file has changed under it).
    """
    truth = dict(held.set_truth)
    labels = held.window_labels.copy()
    for index in list(truth):
        correction = corrections.get((sets[index].dataset, sets[index].name))
        if correction is None:
            continue
        if truth[index] != correction.original:
            raise ValueError(
                f"the correction of {sets[index].name} expects {correction.original!r}, "
                f"the set is labelled {truth[index]!r}")
        in_set = held.window_set == index
        if correction.audited is None:
            del truth[index]
            labels[in_set] = IGNORED
            continue
        truth[index] = correction.audited
        was_exercise = in_set & (labels == list(classes).index(correction.original))
        new = (list(classes).index(correction.audited) if correction.audited in classes
               else IGNORED)
        labels[was_exercise] = new
    return HeldOut(held.probs, np.asarray(labels), held.window_set, truth)
