"""Hints to check the counts of exercises the rep counter is measured to get wrong.

The counter's card (``ml.counting_card``, section ``reps_by_exercise``) says how far off its
counts were for each exercise. Sets of an exercise it often miscounts get one hint per exercise,
not one per set, naming the sets, how far off and which way its counts went. Pure (no Streamlit):
the pages pass the card in.

    miscounted_exercises(card) -> {exercise id: CountError}
    count_checks(numbered_sets, card) -> list[str]   # numbered_sets: (set number, exercise id)
    found_count_checks(analysis, card) -> list[str]  # Upload page, before saving
    stored_count_checks(sets, card) -> list[str]     # Session page, sets not yet looked at
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal import exercises
from journal.views import SetView
from ml.analysis import SessionAnalysis

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


def _set_numbers(numbers: Sequence[int]) -> str:
    """Set numbers as a hint says them: "Set 2", "Sets 2 and 3", "Sets 2, 3 and 5"."""
    if len(numbers) == 1:
        return f"Set {numbers[0]}"
    return f"Sets {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}"


def count_checks(numbered_sets: Iterable[tuple[int, str]],
                 card: Mapping[str, Any] | None) -> list[str]:
    """One hint per exercise of ``numbered_sets`` (set number, exercise id) that the card says is
    often miscounted, naming its sets; in the order of each exercise's first set."""
    miscounted = miscounted_exercises(card)
    numbers: dict[str, list[int]] = {}
    for number, exercise in numbered_sets:
        if exercise in miscounted:
            numbers.setdefault(exercise, []).append(number)
    checks = []
    for exercise, its_sets in numbers.items():
        error = miscounted[exercise]
        truth = ", their true counts approximate" if error.approximate else ""
        checks.append(
            f"{_set_numbers(its_sets)} ({exercises.display_name(exercise)}): in our tests its "
            f"counts were off by {error.mae:.1f} reps on average, {error.direction} "
            f"({error.sets} sets{truth}): check {'it' if len(its_sets) == 1 else 'them'}."
        )
    return checks


def found_count_checks(analysis: SessionAnalysis, card: Mapping[str, Any] | None) -> list[str]:
    """``count_checks`` of an upload's sets before saving, by the exercise the model named and
    their number in the upload table."""
    return count_checks(((number, s.exercise) for number, s in enumerate(analysis.sets, start=1)),
                        card)


def stored_count_checks(sets: Sequence[SetView], card: Mapping[str, Any] | None) -> list[str]:
    """``count_checks`` of saved sets counted by the counter that the user has neither corrected
    nor confirmed (as ``ui.tables.stored_set_checks``), by their current exercise and number in
    the session. Sets added by hand carry the user's count, not the counter's."""
    return count_checks(((s.position, s.exercise) for s in sets
                         if not (s.corrected or s.confirmed) and s.model_reps is not None), card)
