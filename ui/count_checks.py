"""Hints to check the counts of exercises the rep counter is measured to get wrong.

The counter's card (``ml.counting_card``, section ``reps_by_exercise``) says how far off its
counts were for each exercise. Sets of an exercise it often miscounts get one hint per exercise,
not one per set, naming the sets, how far off and which way its counts went
(``ml.count_checks``: which exercises, and the words). Pure (no Streamlit): the pages pass the
card in.

    count_checks(numbered_sets, card) -> list[str]   # numbered_sets: (set number, exercise id)
    found_count_checks(analysis, card) -> list[str]  # Upload page, before saving
    stored_count_checks(sets, card) -> list[str]     # Session page, sets not yet looked at
    sets_asked_about(sets, card) -> list[SetView]    # the sets the Session page's boxes name
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from journal import exercises
from journal.views import SetView
from ml.analysis import SessionAnalysis
from ml.count_checks import miscounted_exercises
from ml.pipeline import handling_warnings


def awaits_check(stored: SetView) -> bool:
    """Whether a saved set still holds the counter's count unchecked: counted by the counter
    (a set added by hand carries the user's count), neither corrected nor confirmed since."""
    return not (stored.corrected or stored.confirmed) and stored.model_reps is not None


def stored_handling_warnings(stored: SetView) -> Sequence[str]:
    """``ml.pipeline.handling_warnings`` of a saved set, from what the model said of it."""
    if stored.model_exercise is None or stored.model_reps is None:
        return ()
    return handling_warnings(stored.model_exercise, stored.model_reps)


def set_numbers(numbers: Sequence[int]) -> str:
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
        checks.append(
            f"{set_numbers(its_sets)} ({exercises.display_name(exercise)}): in our tests its "
            f"counts were {miscounted[exercise].described}: "
            f"check {'it' if len(its_sets) == 1 else 'them'}."
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
    return count_checks(((s.position, s.exercise) for s in sets if awaits_check(s)), card)


def sets_asked_about(sets: Sequence[SetView], card: Mapping[str, Any] | None) -> list[SetView]:
    """The saved sets the Session page's boxes ask to check, in session order: those of
    ``stored_count_checks`` and of the handling check (``ui.tables.stored_set_checks``). The
    ones the lifter confirms as they are with one click, so the boxes stop asking."""
    miscounted = miscounted_exercises(card)
    return [s for s in sets
            if awaits_check(s) and (s.exercise in miscounted or stored_handling_warnings(s))]
