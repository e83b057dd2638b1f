"""Set tables: what the user edits before and after saving becomes exactly the journal's edits."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import pytest

from journal import edits
from journal.db import session_factory, write_transaction
from journal.store import load_session, save_analysis
from ui.tables import (
    analysis_with_edits,
    detected_frame,
    set_checks,
    sets_csv,
    stored_changes,
    stored_frame,
    stored_set_checks,
)
from ui.upload_flow import last_used_variants


def test_upload_table_lists_every_detected_set(sample_analysis):
    frame = detected_frame(sample_analysis)
    assert list(frame["reps"]) == [12, 12, 10, 12, 10]
    assert frame["weight_kg"].isna().all() and (frame["notes"] == "").all()


def test_a_set_to_check_is_named_by_its_row_number(sample_analysis):
    sets = list(sample_analysis.sets)
    sets[3] = replace(sets[3], warnings=("Only 2 reps and an exercise the model does not know",))
    assert set_checks(replace(sample_analysis, sets=tuple(sets))) == [
        "Set 4: Only 2 reps and an exercise the model does not know"]
    assert set_checks(sample_analysis) == []


def test_a_saved_set_asks_to_be_checked_until_it_is_corrected_or_confirmed(
    journal_engine, sample_analysis
):
    sets = list(sample_analysis.sets)
    sets[1] = replace(sets[1], exercise="unknown", reps=2)
    saved = write_transaction(journal_engine, lambda db: save_analysis(
        db, replace(sample_analysis, sets=tuple(sets))))
    with session_factory(journal_engine)() as db:
        stored = load_session(db, saved.session_id, with_signal=False).sets
    (check,) = stored_set_checks(stored)
    assert check.startswith("Set 2: Only 2 reps and an exercise the model does not recognise")
    assert stored_set_checks([replace(stored[1], confirmed=True)]) == []
    assert stored_set_checks([replace(stored[1], exercise="pull_up", corrected=True)]) == []


def test_only_real_changes_become_edits_and_deleted_rows_are_not_saved(sample_analysis):
    edited = detected_frame(sample_analysis)
    edited.loc[1, "reps"] = 13  # a miscount fixed
    edited.loc[3, "exercise"] = "neutral_grip_cable_row"  # a variant fixed
    edited.loc[0, "weight_kg"] = 61.0
    edited.loc[4, "notes"] = "  "
    edited = edited.drop(index=2)  # not a set: deleted in the editor

    trimmed, overrides = analysis_with_edits(sample_analysis, edited)

    assert [s.reps for s in trimmed.sets] == [12, 12, 12, 10]
    assert overrides == {
        0: {"weight_kg": 61.0},
        1: {"reps": 13},
        2: {"exercise": "neutral_grip_cable_row"},  # position 2 after the deletion
        3: {"notes": "  "},
    }


def test_session_table_changes_are_per_set_id_and_only_what_changed(journal_engine, saved_sample):
    with session_factory(journal_engine)() as db:
        view = load_session(db, saved_sample, with_signal=False)
    original = stored_frame(view.sets)
    edited = original.copy()
    first, last = original.index[0], original.index[-1]
    edited.loc[first, "weight_kg"] = None  # weight cleared
    edited.loc[last, "rpe"] = 7.0
    edited.loc[last, "reps"] = 9
    assert stored_changes(original, edited) == {
        int(first): {"weight_kg": None},
        int(last): {"reps": 9, "rpe": 7.0},
    }
    assert stored_changes(original, original.copy()) == {}


def test_sets_csv_has_one_row_per_set_with_rep_times(journal_engine, saved_sample):
    with session_factory(journal_engine)() as db:
        view = load_session(db, saved_sample, with_signal=False)
    table = pd.read_csv(io.BytesIO(sets_csv(view)))
    assert list(table["exercise"])[:3] == ["Assisted pull-up"] * 3
    assert list(table["reps"]) == [12, 12, 10, 12, 10]
    assert list(table["weight_kg"]) == [61.0, 63.5, 66.0, 52.0, 7.5]
    # The estimated 1RM as the Journal's download gives it: none for the assisted pull-ups
    # (their kg are help) nor the 12 rows (too many reps), 7.5 kg × 10 for the curls.
    assert table["e1rm_kg"].isna().tolist() == [True] * 4 + [False]
    assert table.loc[4, "e1rm_kg"] == 10.0
    assert len(table.loc[0, "rep_times_s"].split()) == table.loc[0, "reps_marked"] == 12
    assert table.loc[2, "notes"] == "last one slow, <b>shoulder</b> ok"
    # The pace the recording shows, in seconds: none before the first set.
    assert pd.isna(table.loc[0, "rest_before_s"])
    assert table.loc[1, "rest_before_s"] == pytest.approx(
        table.loc[1, "start_s"] - table.loc[0, "end_s"], abs=0.05)
    marks = [float(t) for t in table.loc[0, "rep_times_s"].split()]
    assert table.loc[0, "seconds_per_rep"] == pytest.approx(
        (marks[-1] - marks[0]) / (len(marks) - 1), abs=0.05)  # evenly spread in the fixture


def test_sets_csv_says_how_many_rep_times_follow_a_typed_count(journal_engine, saved_sample):
    with session_factory(journal_engine)() as db:
        first = load_session(db, saved_sample, with_signal=False).sets[0]
    write_transaction(journal_engine, lambda s: edits.update_set(s, first.id, reps=13))
    with session_factory(journal_engine)() as db:
        view = load_session(db, saved_sample, with_signal=False)
    row = pd.read_csv(io.BytesIO(sets_csv(view))).iloc[0]
    assert (row["reps"], row["reps_marked"], len(row["rep_times_s"].split())) == (13, 12, 12)


def test_last_used_variant_per_family_is_the_models_tie_breaker(journal_engine, saved_sample):
    assert last_used_variants(journal_engine) == {
        "pull-up": "assisted_pull_up",
        "row": "close_grip_cable_row",
        "curl": "incline_dumbbell_biceps_curl",
    }
    with session_factory(journal_engine)() as db:
        row_set = load_session(db, saved_sample, with_signal=False).sets[3]
    write_transaction(
        journal_engine, lambda s: edits.update_set(s, row_set.id, exercise="neutral_grip_cable_row")
    )
    assert last_used_variants(journal_engine)["row"] == "neutral_grip_cable_row"
