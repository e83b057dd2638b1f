"""The stored signal: small, quick, and close enough to the recording to plot and recount."""

from __future__ import annotations

import numpy as np
import pytest

from journal import signal


def test_real_recording_round_trips_within_float16_precision(datasets_dir):
    from ml.recordings import read_recording

    path = sorted((datasets_dir / "applewatch-gym").glob("*APULL*.csv.gz"))[0]
    recording = read_recording(path)
    blob = signal.encode(recording.gyro, recording.accel, recording.gravity, 50.0)
    decoded = signal.decode(blob)

    assert decoded.gyro.shape == recording.gyro.shape and decoded.gyro.dtype == np.float32
    for stored, original in ((decoded.gyro, recording.gyro), (decoded.accel, recording.accel),
                             (decoded.gravity, recording.gravity)):
        assert original is not None and stored is not None
        np.testing.assert_allclose(stored, original, rtol=1e-3, atol=1e-4)
    raw_bytes = sum(a.nbytes for a in (recording.gyro, recording.accel, recording.gravity)
                    if a is not None)
    assert len(blob) < 0.4 * raw_bytes  # float32 in memory -> well under half in the journal


def test_signal_without_accelerometer_or_samples_round_trips():
    decoded = signal.decode(signal.encode(np.zeros((0, 3), np.float32), None, None, 50.0))
    assert decoded.gyro.shape == (0, 3) and decoded.accel is None and decoded.gravity is None


@pytest.mark.parametrize(
    ("gyro", "accel", "message"),
    [
        (np.zeros((10, 3)), np.zeros((9, 3)), "accel has shape"),
        (np.zeros((10, 2)), None, "gyro has shape"),
    ],
)
def test_mismatched_channels_are_refused(gyro, accel, message):
    with pytest.raises(ValueError, match=message):
        signal.encode(gyro, accel, None, 50.0)


def test_unknown_codec_is_a_clear_error():
    with pytest.raises(ValueError, match="not in the"):
        signal.decode(b"something else", "gzip-json")
