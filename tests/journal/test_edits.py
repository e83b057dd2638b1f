"""Correcting sets after saving: the user's values change, the model's stay beside them."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from journal import edits, store
from journal.views import JournalError, NotFoundError


@pytest.fixture
def saved(session: Session, make_analysis) -> int:
    """A session of three detected sets (synthetic signal; each set spans 5–25 s, 35–55 s...)."""
    analysis = make_analysis([("assisted_pull_up", 12), ("barbell_row", 8), ("preacher_curl", 10)])
    result = store.save_analysis(session, analysis)
    session.commit()
    return result.session_id


def _sets(session: Session, session_id: int):
    return store.load_session(session, session_id, with_signal=False).sets


def test_update_set_flags_correction_and_keeps_model_values(session, saved):
    first = _sets(session, saved)[0]
    view = edits.update_set(session, first.id, reps=11, weight_kg=42.5, rpe=9, notes="ok")
    session.commit()
    assert (view.reps, view.weight_kg, view.rpe, view.notes) == (11, 42.5, 9.0, "ok")
    assert (view.model_reps, view.corrected, view.confirmed) == (12, True, True)
    # Back to the model's count: no longer a correction, still confirmed by the user.
    again = edits.update_set(session, first.id, reps=12)
    assert (again.corrected, again.confirmed) == (False, True)


def test_weight_rpe_and_notes_alone_are_not_a_model_correction(session, saved):
    first = _sets(session, saved)[0]
    view = edits.update_set(session, first.id, weight_kg=30.0, notes="band")
    assert not view.corrected and not view.confirmed
    assert edits.update_set(session, first.id, weight_kg=None).weight_kg is None


def test_confirming_a_set_records_that_the_model_was_right(session, saved):
    first = _sets(session, saved)[0]
    view = edits.update_set(session, first.id, confirmed=True)
    assert view.confirmed and not view.corrected


def test_renaming_to_an_unknown_exercise_creates_a_custom_one(session, saved):
    first = _sets(session, saved)[0]
    view = edits.update_set(session, first.id, exercise="Band-assisted muscle-up")
    assert view.exercise.startswith("custom:") and view.exercise_name == "Band-assisted muscle-up"
    assert view.corrected
    # Typing an alias lands on the catalog entry instead.
    assert edits.update_set(session, first.id, exercise="chin ups").exercise == "chin_up"


def test_split_set_makes_two_sets_with_the_callers_recounts(session, saved):
    first = _sets(session, saved)[0]
    left, right = edits.split_set(session, first.id, 15.0, first_reps=6, second_reps=5,
                                  first_rep_times_s=[6, 8], second_rep_times_s=[16, 18])
    session.commit()
    sets = _sets(session, saved)
    assert [s.position for s in sets] == [1, 2, 3, 4]
    assert (left.start_s, left.end_s, left.reps) == (5.0, 15.0, 6)
    assert (right.start_s, right.end_s, right.reps, right.exercise) == (
        15.0, 25.0, 5, "assisted_pull_up")
    assert left.corrected and right.corrected and right.boundaries_edited
    assert sets[2].exercise == "barbell_row"


def test_split_outside_the_set_is_refused(session, saved):
    first = _sets(session, saved)[0]
    with pytest.raises(ValueError, match="not inside the set"):
        edits.split_set(session, first.id, 40.0, first_reps=1, second_reps=1)


def test_merge_sets_joins_span_and_notes(session, saved):
    first, second, _ = _sets(session, saved)
    edits.update_set(session, first.id, notes="a")
    edits.update_set(session, second.id, notes="b")
    merged = edits.merge_sets(session, first.id, second.id, reps=20)
    session.commit()
    assert (merged.start_s, merged.end_s, merged.reps, merged.notes) == (5.0, 55.0, 20, "a\nb")
    assert [s.position for s in _sets(session, saved)] == [1, 2]


def test_merge_refuses_sets_of_different_sessions(session, saved, make_analysis):
    other = store.save_analysis(session, make_analysis()).set_ids[0]
    with pytest.raises(ValueError, match="same session"):
        edits.merge_sets(session, _sets(session, saved)[0].id, other, reps=3)


def test_add_a_missed_set_between_detected_ones(session, saved):
    added = edits.add_set(session, saved, exercise="dumbbell_wrist_curl", reps=15,
                          start_s=27.0, end_s=33.0, weight_kg=10)
    session.commit()
    sets = _sets(session, saved)
    assert [s.exercise for s in sets] == [
        "assisted_pull_up", "dumbbell_wrist_curl", "barbell_row", "preacher_curl"]
    assert added.corrected and added.model_exercise is None and added.recording_id is not None


def test_adjust_set_boundaries_with_recount(session, saved):
    last = _sets(session, saved)[2]
    view = edits.adjust_set(session, last.id, start_s=70.0, end_s=80.0, reps=7)
    assert (view.start_s, view.end_s, view.reps, view.corrected) == (70.0, 80.0, 7, True)
    with pytest.raises(ValueError, match="start before it ends"):
        edits.adjust_set(session, last.id, start_s=80.0, end_s=70.0)


def test_a_set_cannot_be_moved_or_added_over_another(session, saved):
    first, second, third = _sets(session, saved)
    with pytest.raises(ValueError, match=r"set 3 moved \(30–70 s\) would overlap set 2 "
                                         r"\(35–55 s\)"):
        edits.adjust_set(session, third.id, start_s=30.0, end_s=70.0, reps=9)
    with pytest.raises(ValueError, match=r"the new set \(20–40 s\) would overlap set 1"):
        edits.add_set(session, saved, exercise="chin_up", reps=3, start_s=20.0, end_s=40.0)
    assert [(s.start_s, s.end_s, s.reps) for s in _sets(session, saved)] == [
        (s.start_s, s.end_s, s.reps) for s in (first, second, third)]
    # Sets may touch: a set added from one's end to the next one's start is no overlap.
    edits.add_set(session, saved, exercise="chin_up", reps=3, start_s=25.0, end_s=35.0)
    assert len(_sets(session, saved)) == 4


def test_moving_or_merging_keeps_the_count_the_user_typed(session, saved):
    first, second, third = _sets(session, saved)
    edits.update_set(session, third.id, reps=11)  # the counter said 10
    moved = edits.adjust_set(session, third.id, start_s=62.0, end_s=88.0, reps=9)
    assert (moved.reps, moved.model_reps, moved.corrected) == (11, 9, True)
    # A set whose reps are the counter's takes the recount.
    assert edits.adjust_set(session, first.id, start_s=4.0, end_s=26.0, reps=13).reps == 13
    # Merged: the typed count and the other set's add up; the recount is the model's.
    edits.update_set(session, second.id, reps=7)  # the counter said 8
    merged = edits.merge_sets(session, first.id, second.id, reps=19)
    assert (merged.reps, merged.model_reps) == (13 + 7, 19)


def test_delete_set_renumbers_the_rest(session, saved):
    first = _sets(session, saved)[0]
    edits.delete_set(session, first.id)
    session.commit()
    assert [(s.position, s.exercise) for s in _sets(session, saved)] == [
        (1, "barbell_row"), (2, "preacher_curl")]


def test_edits_of_missing_sets_and_bad_values_say_what_is_wrong(session, saved):
    with pytest.raises(NotFoundError, match="no set with id 9999"):
        edits.update_set(session, 9999, reps=3)
    first = _sets(session, saved)[0]
    with pytest.raises(ValueError, match="reps must be a whole number"):
        edits.update_set(session, first.id, reps=-2)
    with pytest.raises(ValueError, match="RPE"):
        edits.update_set(session, first.id, rpe=12)
    with pytest.raises(ValueError, match="increasing"):
        edits.update_set(session, first.id, rep_times_s=[3.0, 2.0])
    manual = edits.add_set(session, saved, exercise="plank", reps=0)
    with pytest.raises(JournalError, match="no time span"):
        edits.split_set(session, manual.id, 1.0, first_reps=0, second_reps=0)
    for start, end in ((20.0, 10.0), (5.0, float("inf")), (float("nan"), 10.0)):
        with pytest.raises(ValueError, match="must start before it ends"):
            edits.adjust_set(session, first.id, start_s=start, end_s=end)
    assert (_sets(session, saved)[0].start_s, _sets(session, saved)[0].end_s) == (
        first.start_s, first.end_s)


def test_naming_an_exercise_adds_it_once_or_finds_the_one_it_means(session):
    from journal import catalog

    knee_raise, created = catalog.name_exercise(session, "  Hanging   knee raise ", "other")
    assert created and knee_raise.startswith("custom:")
    assert catalog.name_exercise(session, "hanging knee raises")[0:2] == (knee_raise, False)
    # A name the catalog already knows is not added twice under another id.
    assert catalog.name_exercise(session, "Chin ups", "row") == ("chin_up", False)
    band_row, _ = catalog.name_exercise(session, "Band row", "row")
    named = {e.id: (e.name, e.family, e.is_custom) for e in store.list_exercises(session)}
    assert named[knee_raise] == ("Hanging knee raise", "other", True)
    assert named[band_row] == ("Band row", "row", True)


def test_naming_an_exercise_refuses_blank_long_or_unknown_family(session):
    from journal import catalog

    before = len(store.list_exercises(session))
    with pytest.raises(ValueError, match="needs a name"):
        catalog.name_exercise(session, "   ")
    with pytest.raises(ValueError, match="at most 80 characters, this one has 81"):
        catalog.name_exercise(session, "x" * 81)
    with pytest.raises(ValueError, match="no movement family called 'yoga'"):
        catalog.name_exercise(session, "Sun salutation", "yoga")
    assert len(store.list_exercises(session)) == before
