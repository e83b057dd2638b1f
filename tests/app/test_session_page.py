"""The Session page changes the journal: table edits are saved and marked, sessions deleted."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from journal.db import session_factory, write_transaction
from journal.edits import update_set
from journal.store import (
    count_sessions,
    create_session,
    delete_session,
    load_recording,
    load_session,
    recorded_at,
    save_analysis,
)
from journal.views import NotFoundError
from ml.analysis import SessionAnalysis
from ml.count_checks import miscounted_exercises
from ml.counting_card import load_card
from ml.pipeline import recount
from ml.recordings import read_recording
from ml.sample_session import SAMPLE_STARTED_AT
from ui.text import escape_markdown


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
    # The user lands on the Journal page, which says what was deleted.
    assert [s.value for s in at.success] == [
        "Session “Sample morning” deleted, with its 5 sets and its recording."]


def test_deleting_a_set_needs_confirmation(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    base = f"{saved_sample}_0"
    doomed = _stored(journal_engine, saved_sample).sets[2]
    at.selectbox(key=f"session_del_set_{base}").set_value(doomed.id).run()
    assert at.button(key=f"session_del_set_go_{base}").disabled
    at.checkbox(key=f"session_del_set_sure_{base}_{doomed.id}").check().run()
    at.button(key=f"session_del_set_go_{base}").click().run()
    assert not at.exception and not at.error
    assert [s.id for s in _stored(journal_engine, saved_sample).sets if s.id == doomed.id] == []
    assert at.toast[0].value == "Set 3 deleted (Assisted pull-up, 10 reps)"


def test_adjusting_a_set_moves_it_and_recounts_its_reps(
    app, journal_engine, saved_sample, sample_recording
):
    at = app("session", session=str(saved_sample))
    first_id = _stored(journal_engine, saved_sample).sets[0].id
    base = f"{saved_sample}_0"
    at.number_input(key=f"session_adj_start_{base}_{first_id}").set_value(20.0)
    at.number_input(key=f"session_adj_end_{base}_{first_id}").set_value(60.0)
    at.button(key=f"session_adj_go_{base}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    moved = _stored(journal_engine, saved_sample).sets[0]
    expected_reps, expected_times = recount(sample_recording, 20.0, 60.0)
    assert (moved.start_s, moved.end_s) == (20.0, 60.0)
    assert moved.reps == expected_reps and 0 < moved.reps < 12  # part of a 12-rep set
    assert all(20.0 <= t <= 60.0 for t in moved.rep_times_s)
    # The recount is what the counter says of the new span; nothing typed, so it is the count.
    assert moved.boundaries_edited and moved.model_reps == moved.reps


def test_moving_a_set_keeps_the_count_the_user_typed(
    app, journal_engine, saved_sample, sample_recording
):
    at = app("session", session=str(saved_sample))
    third = _stored(journal_engine, saved_sample).sets[2]
    at.session_state[f"session_sets_{saved_sample}_0"] = {
        "edited_rows": {2: {"reps": 9}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key=f"session_save_{saved_sample}_0").click().run()
    base = f"{saved_sample}_1"
    at.selectbox(key=f"session_adj_set_{base}").set_value(third.id).run()
    at.number_input(key=f"session_adj_start_{base}_{third.id}").set_value(172.0)
    at.number_input(key=f"session_adj_end_{base}_{third.id}").set_value(236.0)
    at.button(key=f"session_adj_go_{base}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    moved = _stored(journal_engine, saved_sample).sets[2]
    counted, times = recount(sample_recording, 172.0, 236.0)
    assert counted != 9  # the counter reads another count, so keeping the user's matters
    assert (moved.start_s, moved.end_s, moved.reps) == (172.0, 236.0, 9)
    assert (moved.model_reps, moved.rep_times_s, moved.corrected) == (counted, times, True)
    assert f"your count of 9 reps is kept (the counter reads {counted}" in at.toast[0].value
    # Said on the page too, long enough to be read.
    (said,) = [box.value for box in at.success]
    assert f"your count of 9 reps is kept (the counter reads {counted}" in said
    # The plot marks the counter's reps and its label says so beside the user's count.
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = [a["text"] for a in spec["layout"]["annotations"]]
    assert f"3. Assisted pull-up · 9 reps ({len(times)} marked)" in labels
    # The rep markers' hover says so too (a long session's plot shows set numbers only).
    markers = next(t for t in spec["data"] if t["name"] == "reps")
    assert f"set 3, rep 1 of {len(times)} marked (you counted 9)" in markers["text"]


def test_a_set_added_over_another_is_refused(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    before = _stored(journal_engine, saved_sample).sets
    base = f"{saved_sample}_0"
    at.number_input(key=f"session_add_start_{base}").set_value(20.0)
    at.number_input(key=f"session_add_end_{base}").set_value(60.0)
    at.button(key=f"session_add_go_{base}").click().run()
    assert not at.exception
    first = before[0]
    assert at.error[0].value == (
        f"Not changed: the new set (20–60 s) would overlap set 1 ({first.start_s:g}–"
        f"{first.end_s:g} s), and its reps would count twice: adjust, split or delete set 1 "
        f"instead")
    assert _stored(journal_engine, saved_sample).sets == before


def test_the_add_tool_offers_the_longest_stretch_no_set_covers_and_adds_there(
    app, journal_engine, saved_sample, sample_recording
):
    # It offered 0-30 s, over set 1 of nearly every session: "Add" as offered was refused.
    before = _stored(journal_engine, saved_sample).sets
    at = app("session", session=str(saved_sample))
    base = f"{saved_sample}_0"
    start = at.number_input(key=f"session_add_start_{base}").value
    end = at.number_input(key=f"session_add_end_{base}").value
    edges = [0.0, *[t for s in before for t in (s.start_s, s.end_s)],
             sample_recording.duration_s]
    gaps = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    widest = max(gaps, key=lambda gap: gap[1] - gap[0])
    assert widest[0] <= start < end <= widest[1] and end - start > widest[1] - widest[0] - 1
    at.button(key=f"session_add_go_{base}").click().run()
    assert not at.error, [e.value for e in at.error]
    after = _stored(journal_engine, saved_sample).sets
    assert len(after) == len(before) + 1


def test_a_set_typed_to_end_after_the_recording_ends_with_it(
    app, journal_engine, saved_sample, sample_recording
):
    at = app("session", session=str(saved_sample))
    last = _stored(journal_engine, saved_sample).sets[-1]
    base = f"{saved_sample}_0"
    at.selectbox(key=f"session_adj_set_{base}").set_value(last.id).run()
    at.number_input(key=f"session_adj_end_{base}_{last.id}").set_value(10_000.0)
    at.button(key=f"session_adj_go_{base}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    moved = _stored(journal_engine, saved_sample).sets[-1]
    assert moved.end_s == sample_recording.duration_s
    assert (moved.reps, moved.rep_times_s) == recount(
        sample_recording, last.start_s, sample_recording.duration_s)

    # A set added with an end past the recording ends with it too (the last set deleted first:
    # a set may not overlap another).
    at.selectbox(key=f"session_del_set_{saved_sample}_1").set_value(last.id).run()
    at.checkbox(key=f"session_del_set_sure_{saved_sample}_1_{last.id}").check().run()
    at.button(key=f"session_del_set_go_{saved_sample}_1").click().run()
    at.number_input(key=f"session_add_start_{saved_sample}_2").set_value(300.0)
    at.number_input(key=f"session_add_end_{saved_sample}_2").set_value(500.0)
    at.button(key=f"session_add_go_{saved_sample}_2").click().run()
    assert not at.error, [e.value for e in at.error]
    added = max(_stored(journal_engine, saved_sample).sets, key=lambda s: s.id)
    assert (added.start_s, added.end_s) == (300.0, sample_recording.duration_s)


def test_splitting_then_merging_a_set(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    first_id = _stored(journal_engine, saved_sample).sets[0].id
    at.number_input(key=f"session_split_at_{saved_sample}_0_{first_id}").set_value(45.0)
    at.button(key=f"session_split_go_{saved_sample}_0").click().run()
    assert not at.error, [e.value for e in at.error]
    sets = _stored(journal_engine, saved_sample).sets
    assert len(sets) == 6
    assert (sets[0].end_s, sets[1].start_s) == (45.0, 45.0)
    assert sets[0].reps > 0 and sets[1].reps > 0

    # The page reloaded with a new revision of its widgets; merge the halves back.
    at.button(key=f"session_merge_go_{saved_sample}_1").click().run()
    assert not at.error, [e.value for e in at.error]
    sets = _stored(journal_engine, saved_sample).sets
    assert len(sets) == 5
    assert (sets[0].start_s, sets[0].end_s) == (5.0, 81.46)


def test_a_correction_says_what_it_changed_on_the_page_it_reloads(
    app, journal_engine, saved_sample
):
    # A toast sent just before the page reloads never reaches the browser: the reloaded page
    # says what changed, in a box above the set table until the next action.
    at = app("session", session=str(saved_sample))
    first_id = _stored(journal_engine, saved_sample).sets[0].id
    at.number_input(key=f"session_split_at_{saved_sample}_0_{first_id}").set_value(45.0)
    at.button(key=f"session_split_go_{saved_sample}_0").click().run()
    assert not at.error, [e.value for e in at.error]
    assert [box.value for box in at.success] == ["Set split in two"]
    at.run()  # the next action: said once
    assert not at.success


def test_adding_a_missed_set_counts_its_reps(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    # The user deletes a wrongly found set and draws the set that was there.
    wrong = _stored(journal_engine, saved_sample).sets[1]
    at.selectbox(key=f"session_del_set_{saved_sample}_0").set_value(wrong.id).run()
    at.checkbox(key=f"session_del_set_sure_{saved_sample}_0_{wrong.id}").check().run()
    at.button(key=f"session_del_set_go_{saved_sample}_0").click().run()
    base = f"{saved_sample}_1"
    at.selectbox(key=f"session_add_exercise_{base}").set_value("chin_up")
    at.number_input(key=f"session_add_start_{base}").set_value(100.0)
    at.number_input(key=f"session_add_end_{base}").set_value(160.0)
    at.button(key=f"session_add_go_{base}").click().run()
    assert not at.error, [e.value for e in at.error]
    sets = _stored(journal_engine, saved_sample).sets
    added = [s for s in sets if s.exercise == "chin_up"]
    assert len(added) == 1 and added[0].reps > 0 and added[0].model_exercise is None
    assert [s.exercise for s in sets][:2] == ["assisted_pull_up", "chin_up"]


def test_an_impossible_adjustment_is_refused_in_plain_words(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    first_id = _stored(journal_engine, saved_sample).sets[0].id
    base = f"{saved_sample}_0"
    at.number_input(key=f"session_adj_start_{base}_{first_id}").set_value(60.0)
    at.number_input(key=f"session_adj_end_{base}_{first_id}").set_value(20.0)
    at.button(key=f"session_adj_go_{base}").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Not changed:")
    assert _stored(journal_engine, saved_sample).sets[0].start_s == 5.0


def test_a_split_outside_the_set_is_refused_as_a_split(app, journal_engine, saved_sample):
    at = app("session", session=str(saved_sample))
    first = _stored(journal_engine, saved_sample).sets[0]
    at.number_input(key=f"session_split_at_{saved_sample}_0_{first.id}").set_value(200.0)
    at.button(key=f"session_split_go_{saved_sample}_0").click().run()
    assert not at.exception
    assert at.error[0].value == (
        f"Not changed: set 1: split time 200 s is not inside the set "
        f"({first.start_s:g}–{first.end_s:g} s)")
    assert len(_stored(journal_engine, saved_sample).sets) == 5


def test_an_exercise_the_user_names_can_label_a_set(app, journal_engine, saved_sample):
    base = f"{saved_sample}_0"
    at = app("session", session=str(saved_sample))
    at.text_input(key=f"session_new_exercise_{base}_name").input("Band pull-up (blue band)")
    at.selectbox(key=f"session_new_exercise_{base}_family").set_value("pull-up")
    at.button(key=f"session_new_exercise_{base}_add").click().run()
    assert not at.exception, at.exception
    assert "“Band pull-up (blue band)” added" in at.success[0].value
    # Offered by its name wherever an exercise is picked.
    assert "Band pull-up (blue band)" in at.selectbox(key=f"session_add_exercise_{base}").options

    at.session_state[f"session_sets_{base}"] = {
        "edited_rows": {0: {"exercise": "custom:bandpullupblueband"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=f"session_save_{base}").click().run()
    assert not at.exception, at.exception
    first = _stored(journal_engine, saved_sample).sets[0]
    assert (first.exercise_name, first.corrected) == ("Band pull-up (blue band)", True)


def test_naming_an_exercise_the_catalog_has_points_to_it(app, saved_sample):
    base = f"{saved_sample}_0"
    at = app("session", session=str(saved_sample))
    at.text_input(key=f"session_new_exercise_{base}_name").input("chin ups")
    at.button(key=f"session_new_exercise_{base}_add").click().run()
    assert not at.exception, at.exception
    assert "That is “Chin-up”, already in the list." in at.info[-1].value


def test_a_short_set_the_model_could_not_name_asks_to_be_checked_until_the_user_says(
    app, journal_engine, sample_analysis
):
    sets = list(sample_analysis.sets)
    sets[2] = replace(sets[2], exercise="unknown", exercise_name="Unknown exercise", reps=2,
                      rep_times_s=sets[2].rep_times_s[:2])
    saved = write_transaction(journal_engine, lambda db: save_analysis(
        db, replace(sample_analysis, sets=tuple(sets)), title="Handling in it"))
    session_id = saved.session_id

    at = app("session", session=str(session_id))
    assert not at.exception
    (check,) = [i.value for i in at.info if i.value.startswith("Set ")]
    assert check.startswith("Set 3: Only 2 reps and an exercise the model does not recognise")

    # The user says what the set is: the page asks no more.
    at.session_state[f"session_sets_{session_id}_0"] = {
        "edited_rows": {2: {"exercise": "assisted_pull_up"}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key=f"session_save_{session_id}_0").click().run()
    assert not at.exception
    assert not [i.value for i in at.info if i.value.startswith("Set ")]


def _count_hints(at) -> list[str]:
    return [i.value for i in at.info if "in our tests its counts were off" in i.value]


def test_sets_of_an_exercise_the_counter_miscounts_get_one_hint_until_the_user_looks(
    app, journal_engine, sample_analysis
):
    # Three sets named 30° incline dumbbell bench press: on the shipped card the counter was
    # short on all its 15 sets (MAE 1.73); the sample's pull-ups, row and curls ask nothing.
    incline = "incline_30_dumbbell_bench_press"
    sets = list(sample_analysis.sets)
    for i in (0, 1, 4):
        sets[i] = replace(sets[i], exercise=incline, exercise_name="30° incline press")
    saved = write_transaction(journal_engine, lambda db: save_analysis(
        db, replace(sample_analysis, sets=tuple(sets)), title="Incline day"))
    session_id = saved.session_id

    at = app("session", session=str(session_id))
    assert not at.exception
    (hint,) = _count_hints(at)  # one box for the exercise, not one per set
    # The figures are the shipped card's (ml.evaluate reps writes them): short on its sets.
    error = miscounted_exercises(load_card())["incline_30_dumbbell_bench_press"]
    assert error.direction == "usually too few"
    assert hint.startswith(f"Sets 1, 2 and 5 (30° incline dumbbell bench press): in our tests "
                           f"its counts were off by {error.mae:.1f} reps on average, usually "
                           f"too few ({error.sets} sets")
    assert hint.endswith(": check them.")

    # The user fixes the second set's count: the box names the two sets left.
    at.session_state[f"session_sets_{session_id}_0"] = {
        "edited_rows": {1: {"reps": 14}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key=f"session_save_{session_id}_0").click().run()
    assert not at.exception
    (hint,) = _count_hints(at)
    assert hint.startswith("Sets 1 and 5 (30° incline dumbbell bench press): in our tests")

    # Confirmed as counted (the first) or corrected (the last): the page asks no more.
    first, *_, last = _stored(journal_engine, session_id).sets
    write_transaction(journal_engine, lambda db: update_set(db, first.id, confirmed=True))
    write_transaction(journal_engine, lambda db: update_set(db, last.id, reps=11))
    at = app("session", session=str(session_id))
    assert not at.exception
    assert _count_hints(at) == []


def test_sets_the_page_asks_about_are_confirmed_as_they_are_in_one_click(
    app, journal_engine, sample_analysis
):
    # Sets 1, 2 and 5 of an exercise the counter miscounts and a 2-rep set the model could not
    # name: their counts are right, so there is nothing to correct, and before this button
    # nothing on the page stopped the boxes asking.
    incline = "incline_30_dumbbell_bench_press"
    sets = list(sample_analysis.sets)
    for i in (0, 1, 4):
        sets[i] = replace(sets[i], exercise=incline, exercise_name="30° incline press")
    sets[2] = replace(sets[2], exercise="unknown", exercise_name="Unknown exercise", reps=2,
                      rep_times_s=sets[2].rep_times_s[:2])
    saved = write_transaction(journal_engine, lambda db: save_analysis(
        db, replace(sample_analysis, sets=tuple(sets)), title="Incline day"))
    session_id = saved.session_id

    at = app("session", session=str(session_id))
    assert not at.exception
    assert len([i for i in at.info if i.value.startswith(("Set ", "Sets "))]) == 2
    at.button(key=f"session_confirm_asked_{session_id}_0").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    assert not [i for i in at.info if i.value.startswith(("Set ", "Sets "))]
    assert [box.value for box in at.success] == ["Sets 1, 2, 3 and 5 confirmed as they are."]
    assert not [b for b in at.button if b.key.startswith("session_confirm_asked_")]
    stored = _stored(journal_engine, session_id).sets
    assert [s.confirmed for s in stored] == [True, True, True, False, True]
    # Confirmed as they were: nothing corrected, the counts unchanged.
    assert not any(s.corrected for s in stored)
    assert [s.reps for s in stored] == [s.reps for s in sets]


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Mobile Safari/537.36")
DESKTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Safari/537.36")


def test_phones_are_told_from_desktops_by_their_user_agent():
    from ui.device import is_phone_user_agent

    assert is_phone_user_agent(IPHONE) and is_phone_user_agent(ANDROID)
    assert not is_phone_user_agent(DESKTOP) and not is_phone_user_agent(None)


def test_on_a_phone_the_session_plot_labels_sets_by_number(app, saved_sample, monkeypatch):
    # At 390 px the sample's full labels ran into each other and past the plot's right edge.
    def labels(at):
        return [a["text"] for a in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"][
            "annotations"]]

    assert labels(app("session", session=str(saved_sample)))[0].startswith("1. Assisted pull-up")
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    assert labels(app("session", session=str(saved_sample))) == [
        f"<b>{n}</b>" for n in range(1, 6)]


def _metric_row(at, key):
    """The labels of the metrics straight inside the horizontal, wrapping block ``key``."""
    def blocks(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from blocks(child)

    for block in blocks(at._tree[0]):
        proto = getattr(block, "proto", None)
        if proto is not None and str(getattr(proto, "id", "")).endswith(key):
            flex = proto.flex_container
            assert flex.direction == flex.Direction.HORIZONTAL and flex.wrap
            return [m.label for m in block.children.values() if m.type == "metric"]
    raise AssertionError(f"no block {key}")


def test_session_and_journal_metrics_sit_in_one_wrapping_row(app, saved_sample):
    # In st.columns a phone stacked the four metrics, half a screen above the plot.
    at = app("session", session=str(saved_sample))
    assert _metric_row(at, "session_metrics") == ["Sets", "Reps", "Corrected by you", "Recording",
                                                 "Rest between sets"]
    at = app("journal", exercise="pull-up")
    assert _metric_row(at, "journal_metrics") == ["Sets", "Reps", "Volume", "Sessions"]


def test_set_exercise_reps_and_kg_fit_a_small_phone(app, saved_sample):
    # At 360 px the table is 328 px wide: the kg column was cut in half.
    at = app("session", session=str(saved_sample))
    columns = json.loads(at.data_editor[0].proto.columns)
    assert sum(columns[c]["width"] for c in ("set", "exercise", "reps", "weight_kg")) <= 328


def test_the_recording_downloads_as_a_csv_the_upload_page_reads_back(
    app, journal_engine, saved_sample, sample_recording, click_download
):
    at = app("session", session=str(saved_sample))
    assert not at.exception and not at.error
    (stored,) = _stored(journal_engine, saved_sample).recordings
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download the sets (CSV)", "Download the recording (CSV)"]

    name, data = click_download(at, f"session_download_recording_{stored.id}")
    assert name == f"session-{saved_sample}-recording-2024-12-01_07-36-28.csv"
    assert data.startswith(b"time (s),gyro_x (rad/s),gyro_y (rad/s),gyro_z (rad/s),accel_x (g),")
    back = read_recording(io.BytesIO(data), name=name)
    with session_factory(journal_engine)() as db:
        kept = load_recording(db, stored.id)
    assert back.n_samples == sample_recording.n_samples == kept.n_samples
    assert back.accel is not None and kept.accel is not None
    np.testing.assert_array_equal(back.gyro.astype(np.float16), kept.gyro.astype(np.float16))
    np.testing.assert_array_equal(back.accel.astype(np.float16), kept.accel.astype(np.float16))
    # The sample's file has no clock time: the name dates it at the session's, uploaded again.
    assert recorded_at(back) == SAMPLE_STARTED_AT
    # A typed-in session has its sets to download, and no recording.
    typed = write_transaction(journal_engine, lambda db: create_session(
        db, performed_at=datetime(2025, 3, 10, 7), title="typed"))
    at = app("session", session=str(typed))
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["Download the sets (CSV)"]


def test_a_metamotion_session_is_captioned_by_the_name_its_two_files_share(
    app, journal_engine, datasets_dir
):
    folder = datasets_dir / "barbell-metamotion"
    pair = sorted(folder.glob("A-bench-heavy2_MetaWear_*.csv"))
    recording = read_recording(pair)
    saved = write_transaction(
        journal_engine,
        lambda session: save_analysis(session, SessionAnalysis(recording=recording, sets=())),
    )
    at = app("session", session=str(saved.session_id))
    assert not at.exception, at.exception
    # Both full names made six lines on a phone; the pair is one recording, named once.
    shared = pair[0].name.split("_Accelerometer")[0]
    assert at.caption[0].value.endswith(escape_markdown(f" · {shared} (metamotion)"))


def test_a_recording_asked_for_after_its_session_was_deleted_says_so(
    app, journal_engine, saved_sample, click_download
):
    at = app("session", session=str(saved_sample))
    (stored,) = _stored(journal_engine, saved_sample).recordings
    # Deleted in another tab, or by another user, after the page was shown.
    write_transaction(journal_engine, lambda db: delete_session(db, saved_sample))
    key = f"session_download_recording_{stored.id}"
    with pytest.raises(NotFoundError):  # no file, rather than one that is not a recording
        click_download(at, key)
    # The click also reruns the page (Streamlit shows no message from the file's builder).
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    button.click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"Session {saved_sample} was deleted since this page was opened; nothing to download."]
    at.run()  # said once
    assert not at.error


def test_the_sets_table_says_the_rest_before_each_set_and_its_seconds_per_rep(
    app, saved_sample
):
    from ml.sample_session import sample_truth

    at = app("session", session=str(saved_sample))
    assert not at.exception, at.exception
    table = at.data_editor[0].value
    truth = sample_truth()
    # The fixture's sets span each true set less 5 s at both ends, its marks evenly spread
    # over all but 8 s at both ends.
    rests = [None] + [round(after.start_s + 5 - (before.end_s - 5))
                      for before, after in zip(truth, truth[1:], strict=False)]
    shown = [None if isinstance(r, float) else r for r in table["rest"]]  # none: NaN
    assert shown == [None if r is None else f"{r // 60}:{r % 60:02d}" for r in rests]
    assert list(table["seconds_per_rep"]) == pytest.approx(
        [round((t.end_s - t.start_s - 16) / (t.reps - 1), 1) for t in truth])
    (rest,) = [m for m in at.metric if m.label == "Rest between sets"]
    middle = sorted(r for r in rests if r is not None)
    assert rest.value == "{}:{:02d}".format(*divmod(round((middle[1] + middle[2]) / 2), 60))


def _typed_session(engine, when, sets, title="Typed in") -> int:
    """A session typed in (no recording) with these (exercise, reps, kg): its id."""
    from journal.edits import add_set

    def typed(db):
        session_id = create_session(db, performed_at=when, title=title)
        for exercise, reps, weight in sets:
            add_set(db, session_id, exercise=exercise, reps=reps, weight_kg=weight)
        return session_id

    return write_transaction(engine, typed)


def _record_box(at) -> list[str]:
    return [box.value for box in at.success if box.value.startswith("Records in this session")]


def test_session_records_are_said_above_the_plot_and_marked_in_the_sets_table(
    app, journal_engine, saved_sample
):
    # A week before the sample, lighter sets (more help on the pull-up machine).
    earlier = _typed_session(journal_engine, datetime(2024, 11, 24, 7), [
        ("assisted_pull_up", 12, 62.0), ("close_grip_cable_row", 12, 50.0),
        ("incline_dumbbell_biceps_curl", 10, 7.0)])
    at = app("session", session=str(saved_sample))
    assert not at.exception, at.exception
    # The sample: 61 kg of help × 12, 63.5 × 12, 66 × 10, cable row 52 × 12, curl 7.5 × 10.
    assert _record_box(at) == ["  \n".join([
        "Records in this session:",
        "Set 1, assisted pull\\-up 61 kg × 12: least assistance (was 62 kg × 12 on 24 Nov 2024)",
        "Set 4, close\\-grip cable row 52 kg × 12: heaviest (was 50 kg × 12 on 24 Nov 2024)",
        "Set 5, incline dumbbell biceps curl 7.5 kg × 10: heaviest (was 7 kg × 10 on 24 Nov "
        "2024), best estimated 1RM 10.0 kg (was 9.3 kg)",
    ])]
    table = at.data_editor[0].value
    assert list(table["pr"]) == ["PR", "", "", "PR", "PR"]
    # After the editable columns: set, exercise, reps and kg still lead a phone's table.
    assert list(table.columns)[:7] == ["set", "exercise", "reps", "weight_kg", "rpe", "notes",
                                       "pr"]

    # The cable row was 49 kg, not 52: corrected, the page reloads without its record.
    at.session_state[f"session_sets_{saved_sample}_0"] = {
        "edited_rows": {3: {"weight_kg": 49.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key=f"session_save_{saved_sample}_0").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (box,) = _record_box(at)
    assert "Set 4" not in box and "Set 1" in box and "Set 5" in box
    assert list(at.data_editor[0].value["pr"]) == ["PR", "", "", "", "PR"]

    # The session before it beat nothing: no box, no mark.
    at = app("session", session=str(earlier))
    assert not at.exception, at.exception
    assert _record_box(at) == []
    assert list(at.data_editor[0].value["pr"]) == ["", "", ""]


def test_a_typed_in_session_shows_no_empty_time_columns(app, journal_engine, saved_sample):
    # Start, end, rest and s/rep come from a recording: a typed-in session showed four columns
    # of dashes. A recorded session keeps them.
    typed = _typed_session(journal_engine, datetime(2024, 11, 24, 7),
                           [("assisted_pull_up", 12, 62.0)])
    at = app("session", session=str(typed))
    assert not at.exception, at.exception
    shown = list(at.data_editor[0].proto.column_order)
    assert shown[:4] == ["set", "exercise", "reps", "weight_kg"]
    assert not {"start_s", "end_s", "rest", "seconds_per_rep"} & set(shown)
    # Its sets are still edited and saved.
    at.session_state[f"session_sets_{typed}_0"] = {
        "edited_rows": {0: {"reps": 11}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key=f"session_save_{typed}_0").click().run()
    assert not at.exception, at.exception
    assert _stored(journal_engine, typed).sets[0].reps == 11
    at = app("session", session=str(saved_sample))
    assert list(at.data_editor[0].proto.column_order) == []  # every column, in the frame's order
