"""A saved recording exported as CSV (the Session page's download, ``export recording``) and
uploaded again is the same session: the same signal, clock time, sets and reps."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from journal import store
from ml.model import ActivityModel, load_model
from ml.pipeline import analyze
from ml.recordings import read_recording
from ml.recordings_export import recording_csv
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT

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
