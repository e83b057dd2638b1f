"""The rep counter's card: its figures describe the counter as it is, and say what they mean."""

from __future__ import annotations

import json
from datetime import date

import pytest

from journal import exercises
from ml import counting_card


def test_the_counter_card_was_measured_on_the_counter_as_it_is():
    card = counting_card.load_card()
    assert card is not None, f"{counting_card.CARD_PATH} is missing"
    fingerprint = counting_card.counter_fingerprint()
    for section, command in (("reps", "reps"), ("reps_by_exercise", "reps"),
                             ("segmentation", "segmentation")):
        assert card[section]["fingerprint"] == fingerprint, (
            f"the counter changed since its {section} figures were measured: run "
            f"`python -m ml.evaluate {command}` and commit {counting_card.CARD_PATH.name}")


def test_the_card_says_how_well_each_exercise_is_counted_and_on_which_sets():
    card = counting_card.load_card()
    assert card is not None, f"{counting_card.CARD_PATH} is missing"
    section = card["reps_by_exercise"]
    rows = {(row["dataset"], row["exercise_id"]): row for row in section["rows"]}
    # Every exercise the datasets label with a rep count (rest has none) has its row.
    assert set(rows) == {(label.split(":")[0], entry.id) for entry in exercises.CATALOG
                         for label in entry.dataset_labels if entry.id != exercises.REST_ID}
    # Each set file, as the app counts it, is in exactly one exercise's row, and each row says
    # how many of its sets tuned the counter's gate.
    as_app = [row for row in card["reps"]["rows"] if row["counted"] == "as the app counts"]
    assert sum(row["sets"] for row in rows.values()) == sum(row["sets"] for row in as_app) > 200
    for part, key in (("tuning", "tuning_sets"), ("held out", "held_out_sets")):
        assert sum(row[key] for row in rows.values()) == sum(
            row["sets"] for row in as_app if row["part"] == part)
    assert all(row["tuning_sets"] + row["held_out_sets"] == row["sets"] for row in rows.values())
    # The incline dumbbell press is counted short, the close-grip cable row nearly right.
    incline, cable_row = (
        rows["applewatch-gym", exercises.from_dataset_label("applewatch-gym", code).id]
        for code in ("30DBP", "CGCR"))
    assert incline["mean_signed"] < 0 and incline["mae"] > cable_row["mae"]
    assert set(counting_card.figures([0])) <= set(incline)  # the card's figures, all of them
    # barbell-metamotion counts are the planned ones: its rows say so.
    for (dataset, _), row in rows.items():
        assert ("approximate" in row["labels"]) == (dataset == "barbell-metamotion"), row
    assert "gate was fitted on the tuning sets" in section["protocol"]
    # The least reliable exercises first.
    errors = [row["mae"] for row in section["rows"]]
    assert errors == sorted(errors, reverse=True)


def test_card_figures_of_count_errors():
    assert counting_card.figures([0, 1, -2, 3]) == {
        "sets": 4, "exact": 0.25, "within_1": 0.5, "within_2": 0.75, "mae": 1.5,
        "mean_signed": 0.5,
    }
    with pytest.raises(ValueError, match="no sets"):
        counting_card.figures([])


def test_recording_one_section_keeps_the_other(tmp_path):
    path = tmp_path / "card.json"
    counting_card.record("reps", [{"dataset": "d", **counting_card.figures([0])}], "p1",
                         path=path, today=date(2026, 12, 7))
    counting_card.record("segmentation", [{"dataset": "d", "sessions": 3}], "p2", path=path)
    card = json.loads(path.read_text(encoding="utf-8"))
    assert card["reps"]["measured_on"] == "2026-12-07" and card["reps"]["protocol"] == "p1"
    assert card["segmentation"]["rows"] == [{"dataset": "d", "sessions": 3}]
    assert card["reps"]["fingerprint"] == counting_card.counter_fingerprint()


def test_a_missing_or_broken_card_reads_as_none(tmp_path):
    assert counting_card.load_card(tmp_path / "missing.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2", encoding="utf-8")
    assert counting_card.load_card(broken) is None
