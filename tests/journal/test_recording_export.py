"""A saved recording exported as CSV (the Session page's download, ``export recording``) and
uploaded again is the same session: the same signal, clock time, sets and reps."""

from __future__ import annotations

import gzip
import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from journal import exercises, store
from journal.models import ExerciseSet, Recording, WorkoutSession
from ml.analysis import DetectedSet, SessionAnalysis
from ml.model import ActivityModel, load_model
from ml.pipeline import analyze
from ml.recordings import Recording as MlRecording
from ml.recordings import read_recording
from ml.recordings_export import recording_csv
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT
from ui.session_files import recording_file_name

#: A real applewatch-gym set, 12 assisted pull-ups; its name gives the watch's clock.
APPLE_SET = "011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz"


@pytest.fixture(scope="module")
def shipped_model() -> ActivityModel:
    return load_model()


@pytest.mark.parametrize("source", ["dataset set", "sample session"])
def test_a_saved_recording_exported_and_uploaded_again_gives_the_same_sets_and_reps(
    session: Session, datasets_dir: Path, shipped_model: ActivityModel, time_zone, source: str
) -> None:
    time_zone("Europe/Berlin")  # where the watch was: its file names say its clock
    path = datasets_dir / "applewatch-gym" / APPLE_SET if source == "dataset set" \
        else SAMPLE_PATH
    saved = store.save_analysis(
        session, analyze(read_recording(path), shipped_model),
        performed_at=SAMPLE_STARTED_AT if source == "sample session" else None)
    session.commit()
    view = store.load_session(session, saved.session_id, with_signal=False)
    (stored,) = view.recordings
    kept = store.load_recording(session, stored.id)

    exported = recording_csv(kept)
    time_zone("America/New_York")  # uploaded again elsewhere: the file says the clock itself
    back = read_recording(io.BytesIO(exported), name="recording.csv")

    assert (back.n_samples, back.duration_s) == (kept.n_samples, stored.duration_s)
    assert back.accel is not None and back.gravity is not None and kept.accel is not None
    np.testing.assert_array_equal(back.gyro.astype(np.float16), kept.gyro.astype(np.float16))
    np.testing.assert_array_equal(back.accel.astype(np.float16), kept.accel.astype(np.float16))
    if source == "dataset set":
        assert back.start_time is not None and kept.start_time is not None
        assert abs(back.start_time - kept.start_time) < timedelta(milliseconds=1)
        # Dated on the wearer's clock, as the journal dated it, whatever this machine's zone.
        when = store.recorded_at(back)
        assert when is not None and abs(when - view.performed_at) < timedelta(milliseconds=1)
    else:
        assert back.start_time is None  # the sample's file has no clock time: nor has this

    again = analyze(back, shipped_model)
    assert [(s.exercise, s.reps) for s in again.sets] == [
        (s.model_exercise, s.model_reps) for s in view.sets]
    assert len(view.sets) == (1 if source == "dataset set" else 5)
    for found, saved_set in zip(again.sets, view.sets, strict=True):
        assert found.start_s == pytest.approx(saved_set.start_s, abs=0.05)
        assert found.end_s == pytest.approx(saved_set.end_s, abs=0.05)


#: The next set of that morning, 12 more assisted pull-ups, five minutes later.
NEXT_APPLE_SET = "011224_APULL_W63_5_S2_R12-2024-12-01_07-41-19.csv.gz"


def _pull_ups(recording: MlRecording) -> SessionAnalysis:
    """The recording with one set of 12 assisted pull-ups over most of it (the count its file
    name gives; where the reps fall does not matter here)."""
    entry = exercises.get("assisted_pull_up")
    end = recording.duration_s - 2.0
    return SessionAnalysis(recording=recording, model_version="test", sets=(DetectedSet(
        start_s=2.0, end_s=end, exercise=entry.id, exercise_name=entry.name, confidence=0.9,
        reps=12, rep_times_s=tuple(np.linspace(3.0, end - 1.0, 12).tolist()),
        family=entry.family),))


def _rows(session: Session) -> list[int]:
    """[sessions, recordings, sets] in the journal."""
    return [int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (WorkoutSession, Recording, ExerciseSet)]


@pytest.mark.parametrize("other_file", ["the journal's CSV", "the watch's file unzipped"])
def test_another_file_of_a_saved_recording_is_found_as_it_and_nothing_is_written(
    session: Session, datasets_dir: Path, time_zone, other_file: str
) -> None:
    time_zone("Europe/Berlin")  # where the watch was: its file names say its clock
    path = datasets_dir / "applewatch-gym" / APPLE_SET
    first = store.save_analysis(session, _pull_ups(read_recording(path)))
    session.commit()
    if other_file == "the journal's CSV":
        # What "Download the recording (CSV)" gives, uploaded on another machine's clock.
        (stored,) = store.load_session(session, first.session_id, with_signal=False).recordings
        data = recording_csv(store.load_recording(session, stored.id))
        name = f"session-{first.session_id}-recording-2024-12-01_07-36-28.csv"
        time_zone("America/New_York")
    else:
        data, name = gzip.decompress(path.read_bytes()), APPLE_SET.removesuffix(".gz")
    again = read_recording(io.BytesIO(data), name=name)
    assert again.sha256 != read_recording(path).sha256  # other bytes: not found by them

    result = store.save_analysis(session, _pull_ups(again), title="twice?")
    session.commit()

    assert _rows(session) == [1, 1, 1]  # the 12 pull-ups are counted once
    assert (result.created, result.session_id, result.set_ids) == (False, first.session_id, ())
    assert result.already_saved_at is not None and result.same_file is False
    # Found before any analysis, as the Upload page and ``import`` look it up.
    assert store.find_recording(session, again) == result


def test_the_next_recording_of_the_morning_is_saved_beside_the_first(
    session: Session, datasets_dir: Path, time_zone
) -> None:
    time_zone("Europe/Berlin")
    folder = datasets_dir / "applewatch-gym"
    first, second = (read_recording(folder / name) for name in (APPLE_SET, NEXT_APPLE_SET))
    assert first.start_time is not None and second.start_time is not None
    assert second.start_time - first.start_time > timedelta(minutes=4)
    saved = store.save_analysis(session, _pull_ups(first))
    session.commit()
    assert store.find_recording(session, second) is None

    result = store.save_analysis(session, _pull_ups(second))
    session.commit()
    assert result.created and result.session_id != saved.session_id
    assert _rows(session) == [2, 2, 2]


def test_the_downloaded_sample_dropped_again_is_found_by_its_session_date_time(
    session: Session, time_zone
) -> None:
    # The sample's file has no clock: its download is named after the session's date-time,
    # which the importer reads as the start, on whatever machine it is uploaded again.
    sample = read_recording(SAMPLE_PATH)
    first = store.save_analysis(session, _pull_ups(sample), performed_at=SAMPLE_STARTED_AT)
    session.commit()
    view = store.load_session(session, first.session_id, with_signal=False)
    (stored,) = view.recordings
    data = recording_csv(store.load_recording(session, stored.id))
    time_zone("America/New_York")
    again = read_recording(io.BytesIO(data), name=recording_file_name(view))
    assert again.start_time is not None and again.sha256 != sample.sha256

    result = store.save_analysis(session, _pull_ups(again), title="twice?")
    session.commit()
    assert _rows(session) == [1, 1, 1]
    assert (result.created, result.session_id, result.same_file) == (
        False, first.session_id, False)

    # The same file named a second later is another recording (another session's date-time).
    later = f"session-9-recording-{SAMPLE_STARTED_AT + timedelta(seconds=1):%Y-%m-%d_%H-%M-%S}.csv"
    other = read_recording(io.BytesIO(data), name=later)
    assert store.save_analysis(session, _pull_ups(other)).created
