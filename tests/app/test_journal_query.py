"""The journal search in words: what an empty result says and which filter can be dropped."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from journal.phrase import SORT_WORDS, parse_search
from journal.search import SearchRow, SetQuery
from ui.journal_query import (
    CSV_COLUMNS,
    SORTS,
    describe,
    exercise_suggestions,
    phrase_filters,
    results_csv,
    sort_in_url,
    without,
)


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


def test_a_url_names_a_sort_by_its_label_or_its_search_key():
    for key, label in SORTS.items():
        assert sort_in_url(label) == sort_in_url(key) == key
        SetQuery(sort=key)  # a key the search (and `python -m journal search --sort`) takes
    # The search's other keys are not on the page; a label's case is the page's own.
    assert sort_in_url("-confidence") is None and sort_in_url("most reps") is None


def test_every_sort_of_the_page_can_be_said_in_words():
    assert set(SORT_WORDS) == set(SORTS)
    for key, label in SORTS.items():
        assert parse_search(label, today=date(2026, 12, 8)).sort == key


def test_a_search_in_words_sets_every_filter_and_the_sort_only_when_named():
    found = parse_search("curls at most 12 reps 'grip' zumba", today=date(2026, 12, 8))
    assert phrase_filters(found) == {
        "exercise": "curls", "from": None, "to": None, "min_reps": None, "max_reps": 12,
        "min_kg": None, "max_kg": None, "notes": "grip"}
    assert found.understood_line() == ("Understood: exercise “curls”, at most 12 reps, notes "
                                       "containing “grip”.")
    assert found.not_understood_line() == "Not understood: “zumba” (left out)."
    strongest = parse_search("strongest", today=date(2026, 12, 8))
    assert phrase_filters(strongest)["sort"] == "-e1rm" and phrase_filters(strongest)["notes"] == ""
    assert strongest.not_understood_line() is None


def test_suggestions_start_with_families_then_used_names():
    options = exercise_suggestions(["My cable thing"])
    assert options[0] == "pull-up"
    assert options.index("My cable thing") < options.index("Assisted pull-up")
    assert "rest" not in options and len(options) == len(set(options))


def _row(set_id: int, **values) -> SearchRow:
    defaults = dict(
        set_id=set_id, session_id=7, performed_at=datetime(2024, 3, 5, 18, 2, 11),
        exercise="pull_up", exercise_name="Pull-up", family="pull_up", reps=8, weight_kg=None,
        e1rm_kg=None, rpe=None, confidence=None, model_exercise=None, corrected=False,
        confirmed=False, notes="", position=1, session_title="Pull, day", athlete="Me",
    )
    return SearchRow(**{**defaults, **values})


def test_results_csv_has_the_session_csvs_columns_and_the_estimated_1rm_one_row_per_set():
    rows = [
        _row(2, position=2, weight_kg=80.0, e1rm_kg=80 * (1 + 8 / 30), rpe=8.5,
             notes='felt "heavy", slow', corrected=True),
        _row(1),
    ]
    records = list(csv.DictReader(io.StringIO(results_csv(rows).decode("utf-8"))))
    assert [list(r.values()) for r in records] == [
        ["2024-03-05 18:02", "Pull, day", "2", "Pull-up", "pull_up", "pull_up", "8", "80.0",
         "101.3", "8.5", "True", 'felt "heavy", slow', "7"],
        ["2024-03-05 18:02", "Pull, day", "1", "Pull-up", "pull_up", "pull_up", "8", "", "", "",
         "False", "", "7"],
    ]
    assert list(records[0]) == list(CSV_COLUMNS)
    assert results_csv([]).decode().strip() == ",".join(CSV_COLUMNS)
