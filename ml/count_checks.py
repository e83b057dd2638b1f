"""Which exercises the rep counter is measured to miscount, from its card (``ml.counting_card``,
section ``reps_by_exercise``), and how to say it. The app's pages (``ui.count_checks``) and
``python -m ml analyze`` ask the user to check those counts; the card is read by the caller
(``ml.pipeline.analyze`` stays pure).

    miscounted_exercises(card) -> {exercise id: CountError}
    CountError.described -> "off by 1.7 reps on average, usually too few (15 sets)"
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Which exercises get a hint: those whose counts were off by at least a rep on average (MAE), over
#: at least 5 sets. A rep off on average is twice the counter's held-out target (MAE at most 0.5,
#: ``ml.counting_card.TARGETS``). On the card as measured 2026-12-07 it picks the 30° incline
#: dumbbell bench press (MAE 1.73 over 15 sets, short on every one), the barbell back squat (1.15
#: over 13), the barbell overhead press (1.00 over 17) and the preacher curl (1.00 over 7), and
#: leaves the single-arm cable lateral raise (0.92 over 13) to the Model page. Fewer than 5 sets say
#: little (the card's protocol: "an exercise of 1-3 sets says little"): the 45° incline press's 1.00
#: over 3 sets or a curl's one set off by one could be chance.
MIN_MAE = 1.0
MIN_SETS = 5

#: The counts went one way when the mean signed error is at least this share of the MAE: the
#: reps counted too few outweigh those counted too many (or the reverse) at least 7 to 1, as
#: (few - many) / (few + many) >= 0.75. On the card the incline press (1.00), squat (0.87) and
#: overhead press (0.88) are one-sided; the preacher curl (0.43) errs both ways.
ONE_SIDED_SHARE = 0.75


@dataclass(frozen=True)
class CountError:
    """How far the counter's counts of one exercise were off on the card's sets."""

    sets: int
    mae: float
    mean_signed: float
    #: The sets' true counts were only approximately known (barbell-metamotion's planned reps).
    approximate: bool

    @property
    def direction(self) -> str:
        """Which way its counts went: "usually too few", "usually too many" or "in either
        direction"."""
        if abs(self.mean_signed) < ONE_SIDED_SHARE * self.mae:
            return "in either direction"
        return "usually too few" if self.mean_signed < 0 else "usually too many"

    @property
    def described(self) -> str:
        """"off by 1.7 reps on average, usually too few (15 sets)": how far and which way."""
        truth = ", their true counts approximate" if self.approximate else ""
        return (f"off by {self.mae:.1f} reps on average, {self.direction} "
                f"({self.sets} sets{truth})")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _rows(card: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    section = card.get("reps_by_exercise") if isinstance(card, Mapping) else None
    rows = section.get("rows") if isinstance(section, Mapping) else None
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def miscounted_exercises(card: Mapping[str, Any] | None) -> dict[str, CountError]:
    """The exercises whose counts deserve a check (``MIN_MAE`` over ``MIN_SETS``), by catalog id.

    An exercise on the card for several datasets has its rows pooled, weighted by their sets.
    No card, no ``reps_by_exercise`` section, or rows without figures: no exercise.
    """
    pooled: dict[str, tuple[int, float, float, bool]] = {}
    for row in _rows(card):
        exercise, sets = row.get("exercise_id"), row.get("sets")
        mae, signed = _number(row.get("mae")), _number(row.get("mean_signed"))
        if (not isinstance(exercise, str) or isinstance(sets, bool) or not isinstance(sets, int)
                or sets <= 0 or mae is None or signed is None):
            continue
        approximate = row.get("labels", "audited") != "audited"
        n, abs_sum, signed_sum, approx = pooled.get(exercise, (0, 0.0, 0.0, False))
        pooled[exercise] = (n + sets, abs_sum + mae * sets, signed_sum + signed * sets,
                            approx or approximate)
    # Rounded as the card keeps them, so that an MAE of exactly 1.0 stays 1.0 once pooled.
    errors = (
        CountError(sets=n, mae=round(abs_sum / n, 3), mean_signed=round(signed_sum / n, 3),
                   approximate=approx)
        for n, abs_sum, signed_sum, approx in pooled.values()
    )
    return {exercise: error for exercise, error in zip(pooled, errors, strict=True)
            if error.sets >= MIN_SETS and error.mae >= MIN_MAE}
