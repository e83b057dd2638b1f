"""Saving analysed recordings: everything kept, once, all or nothing, and readable later."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from journal import edits, store
from journal.models import ExerciseSet, Recording, WorkoutSession
from journal.views import NotFoundError
from ml.analysis import SessionAnalysis
from ml.recordings import Recording as MlRecording
from ml.recordings import read_recording


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_saved_session_keeps_sets_model_values_and_recording_facts(session, make_analysis):
    analysis = make_analysis([("assisted_pull_up", 12, 0.93), ("barbell_row", 8, 0.71)])
    result = store.save_analysis(session, analysis, title="Back day", notes="felt strong")
    session.commit()

    assert result.created and len(result.set_ids) == 2
    view = store.load_session(session, result.session_id)
    assert (view.title, view.notes, view.athlete) == ("Back day", "felt strong", "Me")
    # The recording started 18:00 UTC; sessions are dated in local wall-clock time.
    assert view.performed_at == datetime(2024, 3, 5, 18, 0, tzinfo=UTC).astimezone().replace(
        tzinfo=None)
    first, second = view.sets
    assert (first.position, first.exercise, first.reps, first.model_confidence) == (
        1, "assisted_pull_up", 12, pytest.approx(0.93))
    assert first.exercise_name == "Assisted pull-up" and first.family == "pull-up"
    assert first.rep_times_s == analysis.sets[0].rep_times_s
    assert (first.start_s, first.end_s) == (analysis.sets[0].start_s, analysis.sets[0].end_s)
    assert first.model_alternatives == (("unknown", pytest.approx(0.05)),)
    assert (second.exercise, second.model_exercise, second.corrected) == (
        "barbell_row", "barbell_row", False)
    (recording,) = view.recordings
    assert recording.sha256 == analysis.recording.sha256
    assert recording.file_names == ("synthetic.csv",)
    assert (recording.source_format, recording.original_rate_hz) == ("synthetic", 100.0)
    assert recording.duration_s == pytest.approx(analysis.recording.duration_s)
    assert recording.start_time == datetime(2024, 3, 5, 18, 0, tzinfo=UTC)


def test_stored_signal_plots_without_the_original_file(session, make_analysis):
    analysis = make_analysis()
    result = store.save_analysis(session, analysis)
    session.commit()
    session.expunge_all()

    signal = store.load_session(session, result.session_id).recordings[0].signal
    assert signal is not None and signal.gyro.shape == analysis.recording.gyro.shape
    # float16 storage: about three significant digits, far below sensor noise.
    np.testing.assert_allclose(signal.gyro, analysis.recording.gyro, atol=1e-3)
    np.testing.assert_allclose(signal.accel, analysis.recording.accel, atol=1e-3)
    assert signal.gravity is None
    assert signal.times_s[-1] == pytest.approx((len(signal.times_s) - 1) / 50)


def test_listing_and_search_views_do_not_decode_signals(session, make_analysis):
    result = store.save_analysis(session, make_analysis())
    session.commit()
    view = store.load_session(session, result.session_id, with_signal=False)
    assert view.recordings[0].signal is None and view.sets


def test_load_recording_rebuilds_the_canonical_recording_for_recounting(session, make_analysis):
    analysis = make_analysis()
    result = store.save_analysis(session, analysis)
    session.commit()
    recording_id = store.load_session(session, result.session_id).recordings[0].id

    rebuilt = store.load_recording(session, recording_id)
    assert rebuilt.sha256 == analysis.recording.sha256
    assert rebuilt.n_samples == analysis.recording.n_samples
    assert rebuilt.sample_rate_hz == 50.0
    np.testing.assert_allclose(rebuilt.gyro, analysis.recording.gyro, atol=1e-3)


def test_reupload_returns_existing_session_and_when_it_was_saved(session, make_analysis):
    analysis = make_analysis()
    first = store.save_analysis(session, analysis)
    session.commit()

    again = store.save_analysis(session, analysis, title="another title")
    session.commit()
    assert not again.created
    assert again.session_id == first.session_id
    assert again.already_saved_at is not None
    assert again.already_saved_at <= datetime.now(UTC).replace(tzinfo=None)
    assert _count(session, WorkoutSession) == 1 and _count(session, ExerciseSet) == 1
    assert store.find_recording(session, analysis.recording) == again


def test_one_start_and_length_is_one_recording_whatever_its_bytes(session, make_analysis):
    start = datetime(2024, 3, 5, 18, 0, tzinfo=UTC)
    first = store.save_analysis(session, make_analysis(start=start))
    session.commit()
    # Other bytes, a start a millisecond off (a clock written to the millisecond): the same.
    same = store.save_analysis(session, make_analysis(start=start + timedelta(milliseconds=1)))
    assert (same.created, same.session_id) == (False, first.session_id)
    assert same.same_file is False  # said so: its bytes were never saved
    # A start 5 ms off (a quarter of a 50 Hz sample), a longer recording, or one without a
    # start (found by its bytes alone): other recordings, saved.
    others = [make_analysis(start=start + timedelta(milliseconds=5)),
              make_analysis([("assisted_pull_up", 10)] * 2, start=start),
              make_analysis(start=None), make_analysis(start=None)]
    assert all(store.save_analysis(session, other).created for other in others)
    session.commit()
    assert _count(session, WorkoutSession) == 5 and _count(session, Recording) == 5


def test_user_edits_before_saving_are_kept_beside_the_model_values(session, make_analysis):
    analysis = make_analysis([("assisted_pull_up", 12), ("barbell_row", 8), ("preacher_curl", 10)])
    result = store.save_analysis(session, analysis, set_overrides={
        0: {"weight_kg": 40.0, "rpe": 8.5, "notes": "slow negatives"},
        1: {"exercise": "dumbbell_row", "reps": 9},
        2: {"exercise": "Cable crossover"},
    })
    session.commit()

    first, second, third = store.load_session(session, result.session_id).sets
    assert (first.weight_kg, first.rpe, first.notes, first.corrected) == (
        40.0, 8.5, "slow negatives", False)
    assert (second.exercise, second.reps) == ("dumbbell_row", 9)
    assert (second.model_exercise, second.model_reps) == ("barbell_row", 8)
    assert second.corrected and second.confirmed
    # An exercise the catalog lacks becomes a custom exercise, not an error.
    assert third.exercise.startswith("custom:") and third.exercise_name == "Cable crossover"
    assert third.model_exercise == "preacher_curl" and third.corrected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({5: {"reps": 3}}, "index 5"),
        ({0: {"reps": -1}}, "reps"),
        ({0: {"weight_kg": -5.0}}, "weight"),
        ({0: {"rpe": 11}}, "RPE"),
        ({0: {"colour": "red"}}, "unknown field"),
    ],
)
def test_bad_user_edits_are_refused_before_anything_is_written(
    session, make_analysis, overrides, message
):
    with pytest.raises(ValueError, match=message):
        store.save_analysis(session, make_analysis(), set_overrides=overrides)
    session.commit()
    assert _count(session, WorkoutSession) == 0


def test_crash_in_the_middle_of_a_save_leaves_no_half_session(session, make_analysis):
    analysis = make_analysis([("assisted_pull_up", 12), ("barbell_row", 8), ("preacher_curl", 9)])
    inserted = []

    def crash_on_second_set(mapper, connection, target):
        inserted.append(target)
        # By now the session and recording rows are INSERTed in the database.
        assert connection.scalar(select(func.count()).select_from(Recording)) == 1
        if len(inserted) == 2:
            raise RuntimeError("disk unplugged")

    event.listen(ExerciseSet, "before_insert", crash_on_second_set)
    try:
        with pytest.raises(RuntimeError, match="disk unplugged"):
            store.save_analysis(session, analysis)
    finally:
        event.remove(ExerciseSet, "before_insert", crash_on_second_set)
    session.commit()  # even a caller that commits after the failure keeps nothing of it

    for model in (WorkoutSession, Recording, ExerciseSet):
        assert _count(session, model) == 0, model.__name__
    assert store.save_analysis(session, analysis).created  # and the file can be saved later


@pytest.mark.parametrize(
    "notes",
    [
        "'); DROP TABLE exercise_sets; --",
        "<script>alert('x')</script> <b>bold</b> &amp;",
        "# Heading\n\n* **bold** _it_ [link](javascript:alert(1)) `code`\n| a | b |",
        "100% of 1RM_max \\ back\\slash \"quoted\" ñ 💪",
    ],
)
def test_notes_with_sql_html_markdown_are_stored_verbatim(session, make_analysis, notes):
    result = store.save_analysis(session, make_analysis(), notes=notes,
                                 set_overrides={0: {"notes": notes}})
    session.commit()
    session.expunge_all()
    view = store.load_session(session, result.session_id, with_signal=False)
    assert view.notes == notes and view.sets[0].notes == notes
    assert _count(session, ExerciseSet) == 1  # the tables are all still there


def test_delete_session_removes_its_sets_and_recording(session, make_analysis):
    keep = store.save_analysis(session, make_analysis())
    gone = store.save_analysis(session, make_analysis([("preacher_curl", 10)] * 3))
    session.commit()

    store.delete_session(session, gone.session_id)
    session.commit()
    assert _count(session, WorkoutSession) == 1
    assert _count(session, ExerciseSet) == 1 and _count(session, Recording) == 1
    with pytest.raises(NotFoundError, match=str(gone.session_id)):
        store.load_session(session, gone.session_id)
    assert store.load_session(session, keep.session_id).sets


def test_a_deleted_sessions_number_is_never_given_to_another(session, make_analysis):
    # A bookmark to a deleted session must not open the next workout saved (SQLite would hand
    # out the newest row's id again).
    first = store.save_analysis(session, make_analysis()).session_id
    newest = store.save_analysis(session, make_analysis()).session_id
    session.commit()
    store.delete_session(session, newest)
    session.commit()
    uploaded = store.save_analysis(session, make_analysis()).session_id
    typed_in = store.create_session(session, performed_at=datetime(2025, 3, 1, 9))
    session.commit()
    assert first < newest < uploaded < typed_in


def test_a_deleted_sets_id_is_never_given_to_another(session, make_analysis):
    # A page opened before the delete still holds the set's id: saving its table must not
    # change whichever set is added next (SQLite hands out the newest row's id again).
    saved = store.save_analysis(session, make_analysis([("assisted_pull_up", 10)] * 3))
    session.commit()
    newest = max(saved.set_ids)
    edits.delete_set(session, newest)
    session.commit()
    added = edits.add_set(session, saved.session_id, exercise="barbell_row", reps=8)
    session.commit()
    first = min(saved.set_ids)
    halves = edits.split_set(session, first, 10.0, first_reps=3, second_reps=5)
    uploaded = store.save_analysis(session, make_analysis()).set_ids
    session.commit()
    given = [added.id, halves[1].id, *uploaded]
    assert all(set_id > newest for set_id in given), (newest, given)
    assert len(set(given)) == len(given)
    with pytest.raises(NotFoundError):
        edits.update_set(session, newest, reps=12)


def test_list_sessions_newest_first_with_set_and_rep_counts(session, make_analysis):
    for day, reps in ((1, 10), (3, 12), (2, 8)):
        store.save_analysis(
            session, make_analysis([("barbell_row", reps)] * 2,
                                   start=datetime(2024, 4, day, 12, 0, tzinfo=UTC)))
    session.commit()

    listed = store.list_sessions(session)
    assert [s.performed_at.day for s in listed] == [3, 2, 1]
    assert [s.total_reps for s in listed] == [24, 16, 20]
    assert listed[0].n_sets == 2 and listed[0].exercise_names == ("Barbell row",)
    assert listed[0].title == "Row" and listed[0].has_recording
    assert [s.performed_at.day for s in store.list_sessions(session, limit=1, offset=1)] == [2]
    assert store.count_sessions(session) == 3


def test_update_session_changes_title_notes_and_date(session, make_analysis):
    result = store.save_analysis(session, make_analysis())
    store.update_session(session, result.session_id, title="Pull day", notes="new gym",
                         performed_at=datetime(2024, 5, 1, 7, 30))
    session.commit()
    view = store.load_session(session, result.session_id, with_signal=False)
    assert (view.title, view.notes, view.performed_at) == (
        "Pull day", "new gym", datetime(2024, 5, 1, 7, 30))


def test_sessions_belong_to_athletes_and_a_single_user_gets_a_default_one(
    session, make_analysis
):
    store.save_analysis(session, make_analysis())
    store.save_analysis(session, make_analysis(), athlete="Sam")
    session.commit()
    assert store.list_athletes(session) == ["Me", "Sam"]
    assert [s.athlete for s in store.list_sessions(session, athlete="Sam")] == ["Sam"]


def test_recording_named_with_a_day_only_is_dated_that_day(session, make_analysis):
    analysis = make_analysis(start=None)
    named = dataclasses.replace(analysis, recording=dataclasses.replace(
        analysis.recording, recorded_on=date(2024, 12, 1)))
    result = store.save_analysis(session, named)
    view = store.load_session(session, result.session_id, with_signal=False)
    assert view.performed_at == datetime(2024, 12, 1, 12, 0)
    # The user's date and time win over the file name's day.
    chosen = datetime(2024, 11, 30, 18, 5)
    again = dataclasses.replace(named, recording=dataclasses.replace(
        named.recording, sha256="f" * 64))
    result = store.save_analysis(session, again, performed_at=chosen)
    assert store.load_session(session, result.session_id, with_signal=False).performed_at == chosen


def test_recording_without_start_time_is_dated_now(session, make_analysis):
    before = datetime.now()
    result = store.save_analysis(session, make_analysis(start=None))
    view = store.load_session(session, result.session_id, with_signal=False)
    assert before.replace(microsecond=0) <= view.performed_at.replace(microsecond=0)
    assert view.recordings[0].start_time is None


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_session_starts_at_the_recordings_own_clock_in_any_time_zone(
    session, datasets_dir, time_zone, zone
):
    time_zone(zone)

    def saved_at(recording: MlRecording) -> datetime:
        analysis = SessionAnalysis(recording=recording, sets=())
        return store.load_session(session, store.save_analysis(session, analysis).session_id,
                                  with_signal=False).performed_at

    # MetaBase's "time (01:00)" column (and the file name) say 17:09:32 of the wearer's clock.
    pair = sorted((datasets_dir / "barbell-metamotion").glob("B-squat-medium1-*.csv"))
    assert saved_at(read_recording(pair)) == datetime(2019, 1, 11, 17, 9, 32, 748000)
    # Unix times (UTC) in a file named by its local start, as Sensor Logger names its exports:
    # the name gives the wearer's offset (+01:00 here), to the second of the first sample.
    t = np.arange(0.0, 5.0, 0.02)
    frame = pd.DataFrame({"time": ((1733034990.0 + t) * 1000).round().astype("int64"),
                          "gx": np.sin(t), "gy": np.cos(t), "gz": 0.1 * t})
    data = frame.to_csv(index=False).encode()  # first sample 2024-12-01 06:36:30 UTC
    named = read_recording(data, name="2024-12-01_07-36-28.csv")
    assert saved_at(named) == datetime(2024, 12, 1, 7, 36, 30)
    # Nothing says the wearer's zone: this machine's clock, as before. (An hour later: the same
    # start and length would be the recording just saved, whatever the file.)
    later = frame.assign(time=frame["time"] + 3_600_000).to_csv(index=False).encode()
    unnamed = read_recording(later, name="workout.csv")
    assert saved_at(unnamed) == datetime(2024, 12, 1, 7, 36, 30, tzinfo=UTC).astimezone(
        ).replace(tzinfo=None)
    # The Upload page knows the user's zone from the browser: that clock, whatever the server's.
    assert store.recorded_at(unnamed, ZoneInfo("Pacific/Kiritimati")) == datetime(
        2024, 12, 1, 21, 36, 30)
    assert store.recorded_at(named, ZoneInfo("Pacific/Kiritimati")) == datetime(
        2024, 12, 1, 7, 36, 30)  # the file's own clock wins


def test_a_sessions_default_title_names_the_exercises_as_corrected(session, make_analysis):
    # The model said wrist curl; the user corrected both sets to his own "Machine fly" and a
    # row before saving: the journal names the session after what was saved, not the guess.
    from journal.catalog import name_exercise

    fly, _ = name_exercise(session, "Machine fly")
    analysis = make_analysis([("dumbbell_wrist_curl", 12), ("dumbbell_wrist_curl", 10)])
    result = store.save_analysis(session, analysis, set_overrides={
        0: {"exercise": fly}, 1: {"exercise": "barbell_row"}})
    session.commit()
    assert store.load_session(session, result.session_id).title == "Machine fly · Row"
    # Uncorrected sets keep their family's name; an unknown exercise adds nothing.
    plain = store.save_analysis(session, make_analysis([("unknown", 8), ("preacher_curl", 9)]))
    assert store.load_session(session, plain.session_id).title == "Curl"
