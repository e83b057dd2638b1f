"""Count hints: sets of an exercise the counter is measured to miscount get one box per exercise."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from journal import edits
from journal.db import session_factory, write_transaction
from journal.store import load_session, save_analysis
from ui.count_checks import count_checks, found_count_checks, stored_count_checks

INCLINE = "incline_30_dumbbell_bench_press"
INCLINE_CHECK = ("(30° incline dumbbell bench press): in our tests its counts were off by 1.7 "
                 "reps on average, usually too few (15 sets): check")


def _row(exercise: str, sets: int, mae: float, mean_signed: float,
         labels: str = "audited") -> dict[str, Any]:
    return {"dataset": "applewatch-gym", "exercise_id": exercise, "labels": labels,
            "sets": sets, "mae": mae, "mean_signed": mean_signed}


#: A made-up card: figures chosen on either side of each rule.
CARD = {
    "reps": {"rows": []},
    "reps_by_exercise": {
        "rows": [
            _row(INCLINE, 15, 1.733, -1.733),
            _row("single_arm_cable_lateral_raise", 13, 1.2, 0.95),  # one way: too many
            _row("preacher_curl", 7, 1.0, 0.429),  # at the threshold; both ways
            _row("incline_45_dumbbell_bench_press", 3, 2.0, -2.0),  # too few sets to say
            _row("assisted_pull_up", 26, 0.99, -0.99),  # just under a rep off
            _row("barbell_back_squat", 13, 1.154, -1.0,
                 labels="approximate: planned heavy 5 / medium 10"),
            # One exercise on two datasets: 4 + 4 sets, each too few alone, pooled 8.
            _row("barbell_row", 4, 1.5, -1.5),
            {**_row("barbell_row", 4, 0.5, 0.5), "dataset": "barbell-metamotion"},
        ]
    },
}


def test_one_box_per_exercise_names_all_its_sets_in_order():
    sets = [(1, INCLINE), (2, "assisted_pull_up"), (3, INCLINE), (4, "preacher_curl"),
            (5, INCLINE)]
    assert count_checks(sets, CARD) == [
        f"Sets 1, 3 and 5 {INCLINE_CHECK} them.",
        "Set 4 (Preacher curl): in our tests its counts were off by 1.0 reps on average, in "
        "either direction (7 sets): check it.",
    ]
    assert count_checks([(2, INCLINE), (3, INCLINE)], CARD) == [
        f"Sets 2 and 3 {INCLINE_CHECK} them."]


def test_direction_says_too_many_and_approximate_counts_are_said():
    lateral, squat = count_checks(
        [(1, "single_arm_cable_lateral_raise"), (2, "barbell_back_squat")], CARD)
    assert "off by 1.2 reps on average, usually too many (13 sets)" in lateral
    # -1.0 against an MAE of 1.154 is one-sided (0.87 of it); its counts were only planned reps.
    assert squat == ("Set 2 (Barbell back squat): in our tests its counts were off by 1.2 reps on "
                     "average, usually too few (13 sets, their true counts approximate): "
                     "check it.")


def test_few_sets_or_less_than_a_rep_off_ask_nothing_and_datasets_pool():
    assert count_checks([(1, "incline_45_dumbbell_bench_press"), (2, "assisted_pull_up"),
                         (3, "close_grip_cable_row"), (4, "my_own_press")], CARD) == []
    # (4 × 1.5 + 4 × 0.5) / 8 = 1.0 over 8 sets; signed (-6 + 2) / 8 = -0.5: both ways.
    assert count_checks([(1, "barbell_row")], CARD) == [
        "Set 1 (Barbell row): in our tests its counts were off by 1.0 reps on average, in "
        "either direction (8 sets): check it."]


@pytest.mark.parametrize("card", [
    None, {}, {"reps": CARD["reps"]}, {"reps_by_exercise": "soon"},
    {"reps_by_exercise": {"rows": None}},
    {"reps_by_exercise": {"rows": ["x", {"exercise_id": INCLINE, "sets": "15", "mae": 1.7,
                                         "mean_signed": -1.7},
                                   {"exercise_id": INCLINE, "sets": 15, "mae": None}]}},
])
def test_without_the_cards_figures_there_is_no_hint(card):
    assert count_checks([(1, INCLINE)], card) == []


def test_the_upload_names_sets_by_the_models_exercise_and_table_row(sample_analysis):
    sets = list(sample_analysis.sets)
    for i in (1, 4):
        sets[i] = replace(sets[i], exercise=INCLINE)
    assert found_count_checks(replace(sample_analysis, sets=tuple(sets)), CARD) == [
        f"Sets 2 and 5 {INCLINE_CHECK} them."]
    assert found_count_checks(sample_analysis, CARD) == []  # pull-ups, a row, curls


def test_a_saved_set_asks_until_it_is_corrected_or_confirmed(journal_engine, sample_analysis):
    sets = list(sample_analysis.sets)
    for i in (0, 1, 2):
        sets[i] = replace(sets[i], exercise=INCLINE)
    saved = write_transaction(journal_engine, lambda db: save_analysis(
        db, replace(sample_analysis, sets=tuple(sets))))
    first, second, third, row, curl = _sets(journal_engine, saved.session_id)
    # The user's exercise counts: the curl renamed to the incline press (in the table it would
    # be corrected; here its name only, to show the current exercise decides).
    assert stored_count_checks([first, second, third, row, replace(curl, exercise=INCLINE)],
                               CARD) == [f"Sets 1, 2, 3 and 5 {INCLINE_CHECK} them."]
    write_transaction(journal_engine, lambda db: edits.update_set(db, second.id, reps=14))
    write_transaction(journal_engine, lambda db: edits.update_set(db, third.id, confirmed=True))
    assert stored_count_checks(_sets(journal_engine, saved.session_id), CARD) == [
        f"Set 1 {INCLINE_CHECK} it."]
    # A set the user added by hand carries the user's count, not the counter's.
    assert stored_count_checks([replace(first, model_reps=None)], CARD) == []


def _sets(engine, session_id):
    with session_factory(engine)() as db:
        return load_session(db, session_id, with_signal=False).sets
