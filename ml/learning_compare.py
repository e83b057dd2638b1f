"""Before/after comparison of two activity models on labelled sets, and the adoption rule.

A set counts as named right when the model's set decision (``ActivityModel.decide`` on the
set's windows, as the app decides) is its exercise; "unknown" counts as wrong. Rest recordings
are not sets and are left out. Pure numpy on top of ``ActivityModel.predict_windows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from journal import exercises
from ml.activity_data import IGNORED, WindowTable, centre_crop
from ml.model import ActivityModel

#: A model may lose at most this much per-set accuracy on the shipped sets and be adopted.
SHIPPED_TOLERANCE = 0.01


@dataclass(frozen=True)
class Score:
    """Sets named right before and after, overall and per exercise.

    ``per_exercise`` maps an exercise id to (n_sets, right_before, right_after).
    """

    n_sets: int
    right_before: int
    right_after: int
    per_exercise: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def before(self) -> float:
        return self.right_before / self.n_sets if self.n_sets else float("nan")

    @property
    def after(self) -> float:
        return self.right_after / self.n_sets if self.n_sets else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"n_sets": self.n_sets, "right_before": self.right_before,
                "right_after": self.right_after,
                "set_accuracy_before": None if not self.n_sets else round(self.before, 4),
                "set_accuracy_after": None if not self.n_sets else round(self.after, 4),
                "per_exercise": {e: list(v) for e, v in self.per_exercise.items()}}


def set_predictions(model: ActivityModel, table: WindowTable, *, exercise_windows_only: bool
                    ) -> dict[int, str]:
    """The model's exercise for every non-rest set of a table: set index → exercise id.

    ``exercise_windows_only`` keeps the windows labelled with the set's exercise (shipped sets
    with idle edges); otherwise every window of the set is used (journal sets, cut to the span).
    """
    keep = table.labels != IGNORED
    if exercise_windows_only:
        truth = np.array([table.classes.index(s.exercise) for s in table.sets])
        keep &= table.labels == truth[table.set_index]
    rows = np.flatnonzero(keep)
    probs = model.predict_windows(centre_crop(table.wide[rows], model.spec.window_samples))
    owners = table.set_index[rows]
    out: dict[int, str] = {}
    for i, s in enumerate(table.sets):
        if s.exercise == exercises.REST_ID:
            continue
        out[i] = model.decide(probs[owners == i]).exercise
    return out


def score(table: WindowTable, before: dict[int, str], after: dict[int, str]) -> Score:
    """Count the sets each model named right (the two dicts come from ``set_predictions``)."""
    per: dict[str, list[int]] = {}
    for i in before:
        truth = table.sets[i].exercise
        counts = per.setdefault(truth, [0, 0, 0])
        counts[0] += 1
        counts[1] += before[i] == truth
        counts[2] += after[i] == truth
    return Score(
        n_sets=sum(c[0] for c in per.values()),
        right_before=sum(c[1] for c in per.values()),
        right_after=sum(c[2] for c in per.values()),
        per_exercise={e: (c[0], c[1], c[2]) for e, c in sorted(per.items())},
    )


def adoption(user: Score, shipped: Score, *, tolerance: float = SHIPPED_TOLERANCE
             ) -> tuple[bool, str]:
    """Adopt only when the new model is no worse on the user's held-out sets and loses at most
    ``tolerance`` on the shipped sets; the reason says which figure decided."""
    facts = []
    if user.n_sets:
        facts.append(f"your {user.n_sets} held-out set{'s' * (user.n_sets != 1)}: "
                     f"{user.right_before} → "
                     f"{user.right_after} named right")
    if shipped.n_sets:
        facts.append(f"shipped sets: {shipped.before:.1%} → {shipped.after:.1%}")
    summary = "; ".join(facts)
    if user.n_sets and user.right_after < user.right_before:
        return False, (f"not adopted: it names fewer of your held-out sets right than the "
                       f"model in use ({summary})")
    if shipped.n_sets and shipped.after < shipped.before - tolerance:
        return False, (f"not adopted: it forgets what the shipped model knows, more than "
                       f"{tolerance:.0%} lower on the shipped sets ({summary})"
                       f"{_most_lost(shipped)}")
    # Say what was checked: "no worse" would read oddly beside a shipped figure that fell.
    checks = []
    if user.n_sets:
        checks.append("it names at least as many of your held-out sets right")
    if shipped.n_sets:
        checks.append(f"it stays within {tolerance:.0%} of the model in use on the shipped sets")
    return True, f"adopted: {' and '.join(checks) or 'nothing to compare it on'} ({summary})"


def _most_lost(shipped: Score, most: int = 2) -> str:
    """The shipped exercises the new model names right least often compared with the one in use
    ("; most lost: Assisted pull-up 20 → 8 of 26"): where the user's labels clash with the
    shipped ones (their own exercise for sets the catalog already names, say)."""
    lost = sorted(((before - after, exercise, n, before, after)
                   for exercise, (n, before, after) in shipped.per_exercise.items()
                   if after < before), reverse=True)[:most]
    if not lost:
        return ""
    return "; most lost: " + ", ".join(
        f"{exercises.display_name(exercise)} {before} → {after} of {n}"
        for _, exercise, n, before, after in lost)
