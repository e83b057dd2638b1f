"""Audited exercise labels: dataset sets whose signal contradicts their exercise code.

``data/exercise_label_corrections.csv`` lists them, one row per set, with the reason. They were
found without any model: each applewatch-gym set's wrist angle to gravity (the median over the
middle 60% of the file) against the other sets of its code (``python -m ml.exercise_audit`` lists
the sets more than 30 degrees from their own code, with the codes nearest them); those were then
compared by eye (gyroscope and accelerometer) with the sets of the codes nearest them and with
the sets recorded just before and after them. A row is kept only where the
signal names another code beyond doubt; an empty ``audited_code`` means "not what the label says,
and no code fits": such a set is left out of scoring. The other six sets the command lists were
kept: 30BP has two sets, each the other's only reference; two SAOCTE files freeze for their last
26-44 s (``data/label_corrections.csv``), which moves the median; a SACLR set sits near the
dumbbell lateral raise, another variant of its family; ``271124_PREC_W7_5_S2`` holds preacher curls
from 10 s to 65 s and handling after them.

The evaluation (``python -m ml.evaluate activity``) scores the same held-out predictions against
both versions of the labels (``audited``: only the answer key changes; training, the personal
models and the last-used-variant history see the dataset's labels, as the shipped model was
trained on them). ``--labels audited`` trains on the audited labels too
(``ml.activity_sets.training_data(corrections=...)``).
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import appconfig
from journal.exercises import from_dataset_label
from ml import datasets
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
    return HeldOut(held.probs, labels, held.window_set, truth)


def wrist_direction(labelled: datasets.LabelledSet) -> np.ndarray:
    """The unit direction of the acceleration's median over the middle 60% of a set's file, (3,):
    mostly gravity, so the wrist's angle during the reps (handling sits at the file's ends)."""
    accel = datasets.load(labelled).accel
    if accel is None:
        raise ValueError(f"{labelled.name} has no accelerometer")
    n = len(accel)
    median = np.median(accel[n // 5: 4 * n // 5], axis=0)
    return np.asarray(median / np.linalg.norm(median))


def _degrees(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(a @ b, -1.0, 1.0))))


def orientation_suspects(sets: Sequence[datasets.LabelledSet], threshold_deg: float = 30.0,
                         ) -> list[tuple[str, str, float, list[tuple[str, float]]]]:
    """Sets whose wrist direction is more than ``threshold_deg`` from the median direction of
    the other sets of their code: (name, code, degrees, the two nearest other codes with theirs)."""
    direction = {s.name: wrist_direction(s) for s in sets}
    codes = sorted({s.label for s in sets})

    def centre(code: str, without: str) -> np.ndarray | None:
        others = [direction[s.name] for s in sets if s.label == code and s.name != without]
        if not others:
            return None
        median = np.median(others, axis=0)
        return np.asarray(median / np.linalg.norm(median))

    suspects = []
    for s in sets:
        own = centre(s.label, s.name)
        if own is None:
            continue
        off = _degrees(direction[s.name], own)
        if off <= threshold_deg:
            continue
        nearest = sorted((_degrees(direction[s.name], c), code) for code in codes
                         if code != s.label and (c := centre(code, s.name)) is not None)[:2]
        suspects.append((s.name, s.label, off, [(code, d) for d, code in nearest]))
    return suspects


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ml.exercise_audit",
        description="List applewatch-gym sets whose wrist angle to gravity is far from the other "
                    "sets of their exercise code: the candidates of the label audit.")
    parser.add_argument("--threshold-deg", type=float, default=30.0)
    args = parser.parse_args(argv)
    corrections = load_corrections()
    suspects = orientation_suspects(datasets.applewatch_sets(), args.threshold_deg)
    for name, code, off, nearest in suspects:
        near = ", ".join(f"{c} {d:.0f}" for c, d in nearest)
        fix = corrections.get((datasets.APPLEWATCH, name))
        verdict = ("kept" if fix is None else
                   f"corrected to {fix.audited}" if fix.audited else "left out (no code fits)")
        print(f"{name}: {off:.0f} deg from the other {code} sets; nearest {near}; {verdict}")
    print(f"{len(suspects)} sets beyond {args.threshold_deg:g} deg; {len(corrections)} corrected "
          f"in {CORRECTIONS_PATH.relative_to(appconfig.REPO_ROOT)} (each with its reason)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
