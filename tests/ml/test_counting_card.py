"""The rep counter's card: its figures describe the counter as it is, and say what they mean."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ml import counting_card


def test_the_counter_card_was_measured_on_the_counter_as_it_is():
    card = counting_card.load_card()
    assert card is not None, f"{counting_card.CARD_PATH} is missing"
    fingerprint = counting_card.counter_fingerprint()
    for section, command in (("reps", "reps"), ("segmentation", "segmentation")):
        assert card[section]["fingerprint"] == fingerprint, (
            f"the counter changed since its {section} figures were measured: run "
            f"`python -m ml.evaluate {command}` and commit {counting_card.CARD_PATH.name}")


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
