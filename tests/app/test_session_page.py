"""The Session page changes the journal: table edits are saved and marked, sessions deleted."""

from __future__ import annotations

from journal.db import session_factory
from journal.store import count_sessions, load_session


def _stored(engine, session_id):
    with session_factory(engine)() as db:
        return load_session(db, session_id, with_signal=False)


def test_editing_a_set_in_the_table_saves_it_and_marks_it_corrected(
    app, journal_engine, saved_sample
):
    at = app("session", session=str(saved_sample))
    editor_key = f"session_sets_{saved_sample}_0"
    assert at.button(key=f"session_save_{saved_sample}_0").disabled  # nothing to save yet
    at.session_state[editor_key] = {
        "edited_rows": {
            0: {"reps": 11, "rpe": 8.5, "notes": "felt easy"},
            3: {"exercise": "mid_grip_t_bar_row"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=f"session_save_{saved_sample}_0").click().run()
    assert not at.exception, at.exception

    first, *_, row_set, curl = _stored(journal_engine, saved_sample).sets
    assert (first.reps, first.rpe, first.notes) == (11, 8.5, "felt easy")
    assert first.corrected and first.model_reps == 12
    assert (row_set.exercise, row_set.model_exercise, row_set.corrected) == (
        "mid_grip_t_bar_row",
        "close_grip_cable_row",
        True,
    )
    assert not curl.corrected
    # The page reloads from the store and shows the correction.
    table = at.data_editor[0].value
    assert list(table["corrected"]) == [True, False, False, True, False]


def test_deleting_a_session_needs_confirmation(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    delete = at.button(key=f"session_delete_{saved_sample}")
    assert delete.disabled
    at.checkbox(key=f"session_delete_confirm_{saved_sample}").check().run()
    at.button(key=f"session_delete_{saved_sample}").click().run()
    assert not at.exception
    with session_factory(journal_engine)() as db:
        assert count_sessions(db) == 0
