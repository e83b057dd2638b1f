"""Evaluation scores: set votes, family level, pull-up window precision (pure, no Keras)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ml.activity_data import IGNORED
from ml.activity_metrics import HeldOut, history_priors, score, set_misses

CLASSES = ("assisted_pull_up", "neutral_grip_cable_row", "close_grip_cable_row", "rest")


def _held_out() -> HeldOut:
    # Set 0: pull-up, all windows right. Set 1: neutral-grip row whose windows lean close-grip
    # (right family, wrong variant) and one of its windows is taken for a pull-up.
    probs = np.array([
        [0.9, 0.0, 0.0, 0.1], [0.8, 0.1, 0.0, 0.1], [0.1, 0.0, 0.0, 0.9],
        [0.0, 0.3, 0.6, 0.1], [0.0, 0.4, 0.5, 0.1], [0.7, 0.1, 0.1, 0.1],
    ])
    return HeldOut(probs=probs, window_labels=np.array([0, 0, 3, 1, 1, IGNORED]),
                   window_set=np.array([0, 0, 0, 1, 1, 1]),
                   set_truth={0: "assisted_pull_up", 1: "neutral_grip_cable_row"})


def test_exercise_level_counts_the_wrong_variant_as_wrong() -> None:
    result = score(_held_out(), CLASSES, level="exercise")
    assert result["set_accuracy"] == 0.5
    assert result["set_recall"] == {"assisted_pull_up": 1.0, "neutral_grip_cable_row": 0.0}
    assert result["window_accuracy"] == pytest.approx(3 / 5)  # the ignored window is not scored
    assert result["pull_up_set_recall"] == 1.0
    assert result["pull_up_window_precision"] == 1.0


def test_family_level_forgives_the_variant() -> None:
    result = score(_held_out(), CLASSES, level="family")
    assert result["set_accuracy"] == 1.0
    assert result["set_macro_f1"] == 1.0


def test_sets_outside_the_counted_codes_are_not_scored() -> None:
    result = score(_held_out(), CLASSES, level="exercise",
                   sets_counted=lambda exercise: exercise == "assisted_pull_up")
    assert result["n_sets"] == 1 and result["set_accuracy"] == 1.0


def test_the_sets_named_wrong_are_listed_with_how_many_seeds_named_them_so() -> None:
    names = ["pull-up set", "neutral row set"]
    wrong_variant = score(_held_out(), CLASSES, level="exercise")
    assert set_misses([wrong_variant, wrong_variant], names) == [
        {"set": "neutral row set", "truth": "neutral_grip_cable_row",
         "predicted": "close_grip_cable_row", "seeds": 2, "of_seeds": 2}]
    assert set_misses([score(_held_out(), CLASSES, level="family")], names) == []


def test_every_methods_wrong_sets_and_those_all_share_are_printed() -> None:
    from ml.eval_activity import misses_text

    def miss(name: str, predicted: str) -> dict[str, object]:
        return {"set": name, "truth": "curl", "predicted": predicted, "seeds": 1, "of_seeds": 3}

    row = {"dataset": "applewatch-gym", "level": "family",
           "audited_labels": {"sets_corrected": ["day1_S2"]},
           "set_misses": {"ours": [miss("day1_S2", "row"), miss("day2_S1", "press")],
                          "sklearn": [miss("day1_S2", "row")]}}
    text = misses_text(row)
    assert "ours: 2 sets: day1_S2* curl -> row (1/3); day2_S1 curl -> press (1/3)" in text
    assert "sklearn: 1 sets: day1_S2* curl -> row (1/3)" in text
    assert "named wrong by every method: ['day1_S2']" in text


def test_the_users_last_used_variant_breaks_a_near_tie() -> None:
    # Set 1 leans close-grip 0.52 to 0.48 within the row family: near enough for the journal's
    # last-used neutral grip to win, as it does in the app. At 0.6 to 0.4 the network's lean wins.
    def row_set(close: float) -> HeldOut:
        probs = np.array([[0.9, 0.0, 0.0, 0.1], [0.0, 1 - close, close, 0.0]])
        return HeldOut(probs=probs, window_labels=np.array([0, 1]), window_set=np.array([0, 1]),
                       set_truth={0: "assisted_pull_up", 1: "neutral_grip_cable_row"})

    history = {1: {"row": "neutral_grip_cable_row"}}
    near = score(row_set(0.52), CLASSES, level="exercise", priors=history)
    assert near["set_accuracy"] == 1.0
    assert near["set_accuracy_without_history"] == 0.5
    assert score(row_set(0.6), CLASSES, level="exercise", priors=history)["set_accuracy"] == 0.5


def test_history_holds_the_latest_variant_of_earlier_days_only() -> None:
    day = {0: "2024-11-23", 1: "2024-11-23", 2: "2024-11-24", 3: "2024-11-24", 4: "2024-11-26"}
    start = {0: "10-00", 1: "11-00", 2: "10-00", 3: "11-00", 4: "10-00"}
    exercise = {0: "close_grip_cable_row", 1: "neutral_grip_cable_row",
                2: "close_grip_cable_row", 3: "rest", 4: "assisted_pull_up"}
    priors = history_priors([2, 4], day=day, start=start, exercise=exercise, history=range(5))
    # Set 2's own day does not count: its journal holds the 23rd, whose last row was neutral.
    assert priors[2] == {"row": "neutral_grip_cable_row"}
    assert priors[4] == {"row": "close_grip_cable_row"}
    assert priors == history_priors([2, 4], day=day, start=start, exercise=exercise,
                                    history=[4, 3, 2, 1, 0])


def test_a_personal_model_that_knows_the_grip_outvotes_the_network() -> None:
    from ml.eval_activity import with_personal

    network = _held_out()
    # The user's own sets taught a model the rows and pull-ups: it is sure set 1 is neutral grip.
    personal = np.tile([0.0, 0.9, 0.1, 0.0], (6, 1))
    known = np.array([True, True, True, False])
    assert score(with_personal(network, personal, known, 1.0), CLASSES,
                 level="exercise")["set_accuracy"] == 0.5
    combined = with_personal(network, personal, known, 0.6)
    assert score(combined, CLASSES, level="exercise")["set_recall"] == {
        "assisted_pull_up": 1.0, "neutral_grip_cable_row": 1.0}
    # Rest is the network's alone, and every window still sums to one.
    np.testing.assert_allclose(combined.probs[:, 3], network.probs[:, 3], rtol=1e-6)
    np.testing.assert_allclose(combined.probs.sum(axis=1), 1.0, rtol=1e-6)


def test_a_personal_model_scored_on_other_windows_is_refused() -> None:
    from ml.eval_activity import with_personal

    network = _held_out()
    with pytest.raises(ValueError, match="other windows"):
        with_personal(network, np.zeros((5, 4)), np.ones(4, bool), 0.5)


def test_no_group_helps_choose_its_own_personal_weight() -> None:
    from ml.eval_activity import SetOutcome, held_out_choice

    # Day A's set is likely (and right) only with w = 1.0, day B's only with w = 0.5: each day
    # gets the weight the other day prefers, so both end up wrong.
    a, b = ("applewatch-gym", "set-a"), ("applewatch-gym", "set-b")
    likely, unlikely = SetOutcome(True, True, -0.1), SetOutcome(False, True, -3.0)
    outcomes = {1.0: {a: likely, b: unlikely}, 0.5: {a: unlikely, b: likely}}
    chosen_outcome, chosen = held_out_choice(outcomes, {a: "day A", b: "day B"})
    assert chosen == {"day A": 0.5, "day B": 1.0}
    assert chosen_outcome == {a: unlikely, b: unlikely}


def test_the_personal_weight_follows_likelihood_not_a_single_boundary_set() -> None:
    from ml.eval_activity import SetOutcome, held_out_choice

    # On day B, w = 0.3 names one more set right by a hair (p 0.51 against 0.49), while w = 0.7
    # gives both of its sets far more probability: day A gets 0.7.
    b1, b2, a = ("d", "b1"), ("d", "b2"), ("d", "a")
    outcomes = {
        0.3: {b1: SetOutcome(True, True, np.log(0.51)), b2: SetOutcome(False, True, np.log(0.05)),
              a: SetOutcome(False, True, np.log(0.4))},
        0.7: {b1: SetOutcome(False, True, np.log(0.49)), b2: SetOutcome(False, True, np.log(0.45)),
              a: SetOutcome(True, True, np.log(0.6))},
    }
    _, chosen = held_out_choice(outcomes, {b1: "day B", b2: "day B", a: "day A"})
    assert chosen["day A"] == 0.7


def test_evaluating_one_protocol_updates_only_its_rows_of_the_card(tmp_path: Path) -> None:
    from ml.eval_activity import update_card

    def row(dataset: str, level: str, accuracy: float) -> dict[str, object]:
        return {"dataset": dataset, "protocol": "p", "level": level, "set_accuracy": accuracy}

    card_path = tmp_path / "activity.json"
    card_path.write_text(json.dumps({
        "recipe": {"r": 1}, "window": {"w": 4},
        "evaluation_command": "python -m ml.evaluate activity", "evaluation": [
        row("applewatch-gym", "family", 0.9), row("barbell-metamotion", "family", 0.95)]}))
    report = {"rows": [row("applewatch-gym", "family", 0.97)], "recipe": {"r": 1},
              "window": {"w": 4}, "command": "python -m ml.evaluate activity --protocols a"}
    assert update_card(card_path, report)
    evaluation = json.loads(card_path.read_text())["evaluation"]
    assert sorted((r["dataset"], r["set_accuracy"]) for r in evaluation) == [
        ("applewatch-gym", 0.97), ("barbell-metamotion", 0.95)]
    # Each row keeps the command that produced it.
    assert {r["dataset"]: r["command"] for r in evaluation} == {
        "applewatch-gym": "python -m ml.evaluate activity --protocols a",
        "barbell-metamotion": "python -m ml.evaluate activity"}
    # A card of another recipe is left alone: its model was not what was evaluated.
    assert not update_card(card_path, {**report, "recipe": {"r": 2}})
    # So is a single network's card by an evaluation of three averaged, and the other way round.
    assert not update_card(card_path, {**report, "ensemble": 3})
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "ensemble": {"networks": 3, "seeds": [0, 1, 2]}}))
    assert not update_card(card_path, report)
    assert update_card(card_path, {**report, "ensemble": 3})


def test_no_day_helps_choose_its_own_tie_breaker_margin() -> None:
    from ml.eval_activity import tie_breaker_rows

    # Both sets are neutral-grip rows whose variants stand 0.6 to 0.4. On day A the journal's
    # last-used variant is the right one (trailing): only a margin of 0.2 or more names the set.
    # On day B it is the wrong one: any margin from 0.2 names it wrong. Each day gets the margin
    # the other day prefers, so both are named wrong.
    probs = np.array([[0.0, 0.4, 0.6, 0.0], [0.0, 0.6, 0.4, 0.0]])
    held = HeldOut(probs=probs, window_labels=np.array([1, 1]), window_set=np.array([0, 1]),
                   set_truth={0: "neutral_grip_cable_row", 1: "neutral_grip_cable_row"})
    priors = {0: {"row": "neutral_grip_cable_row"}, 1: {"row": "close_grip_cable_row"}}
    rows = tie_breaker_rows([held], CLASSES, priors, np.array(["day A", "day B"]),
                            lambda exercise: True)
    assert rows["exercise"]["margins_chosen"] == {"day A": 0.0, "day B": 0.2}
    assert rows["exercise"]["set_accuracy"] == 0.0
    assert rows["family"]["set_accuracy"] == 1.0
    assert rows["exercise"]["set_accuracy_by_margin"]["0"] == 0.5
