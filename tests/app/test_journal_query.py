"""The journal search in words: what an empty result says and which filter can be dropped."""

from __future__ import annotations

from datetime import date

import pytest

from journal.search import SetQuery
from ui.journal_query import describe, exercise_suggestions, without


def test_active_filters_are_described_in_plain_words():
    query = SetQuery(
        exercise="pull-up",
        date_from=date(2024, 3, 1),
        min_reps=10,
        max_weight_kg=80.0,
        notes="grip",
    )
    assert list(describe(query).values()) == [
        "exercise “pull-up”",
        "from 01 Mar 2024",
        "at least 10 reps",
        "at most 80 kg",
        "notes containing “grip”",
    ]
    assert describe(without(query, "min_reps")).keys() == {
        "exercise",
        "date_from",
        "max_weight_kg",
        "notes",
    }


def test_only_filters_can_be_dropped():
    with pytest.raises(ValueError, match="not a filter"):
        without(SetQuery(), "sort")


def test_suggestions_start_with_families_then_used_names():
    options = exercise_suggestions(["My cable thing"])
    assert options[0] == "pull-up"
    assert options.index("My cable thing") < options.index("Assisted pull-up")
    assert "rest" not in options and len(options) == len(set(options))
