"""The shipped sample session: real applewatch-gym sets, small, attributed, rebuildable."""

from __future__ import annotations

import gzip

import pandas as pd

from ml.sample_session import (
    ATTRIBUTION_PATH,
    MAX_SAMPLE_BYTES,
    SAMPLE_PATH,
    SAMPLE_SET_FILES,
    build_sample,
    sample_truth,
)


def test_sample_is_small_and_attributed_under_its_licence():
    assert SAMPLE_PATH.stat().st_size < MAX_SAMPLE_BYTES
    attribution = ATTRIBUTION_PATH.read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in attribution and "Gym Workout IMU Dataset" in attribution
    for name in SAMPLE_SET_FILES:
        assert name in attribution
    assert not any("MetaWear" in name for name in SAMPLE_SET_FILES)


def test_sample_reads_as_one_applewatch_recording_holding_every_set(sample_recording):
    assert sample_recording.source_format == "applewatch-gym"
    truth = sample_truth()
    assert [t.exercise_code for t in truth] == ["APULL", "APULL", "APULL", "CGCR", "IDBC"]
    assert sample_recording.duration_s >= truth[-1].end_s - 0.1
    starts = [t.start_s for t in truth]
    assert starts == sorted(starts)


def test_sample_is_rebuilt_identically_from_the_datasets(datasets_dir):
    frame, sets = build_sample(datasets_dir)
    with gzip.open(SAMPLE_PATH, "rt", encoding="utf-8") as handle:
        shipped = pd.read_csv(handle)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), shipped, check_dtype=False)
    assert sets == sample_truth()
    assert not {"activity", "reps", "weight", "set", "activityEncoded"} & set(shipped.columns)
    # Time runs on without a gap between the joined sets.
    steps = shipped["secondsElapsed"].diff().dropna().round(2).unique()
    assert list(steps) == [0.01]
