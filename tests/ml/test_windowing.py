"""Windowing: the shapes the model sees, short recordings, missing accelerometer, set edges."""

from __future__ import annotations

import numpy as np
import pytest

from ml.activity_data import IGNORED, centre_crop, wide_windows, window_labels
from ml.recordings import Recording
from ml.windowing import (
    MissingAccelerometerError,
    WindowSpec,
    window_recording,
    windows_in_span,
)


def _recording(seconds: float, *, accel: bool = True) -> Recording:
    n = int(seconds * 50)
    t = np.arange(n, dtype=np.float32)[:, None]
    gyro = np.hstack([t, -t, t * 0]).astype(np.float32)
    acc = np.tile(np.float32([0, 0, 1]), (n, 1)) if accel else None
    return Recording(gyro=gyro, accel=acc, gravity=None, source_format="generic-csv",
                     original_rate_hz=50.0)


def test_windows_have_model_shape_and_centre_times() -> None:
    spec = WindowSpec(window_s=4.0, hop_s=0.5)
    windows, centres = window_recording(_recording(10.0), spec)
    # (500 - 200) / 25 + 1 windows of 200 samples, gyro then accel channels.
    assert windows.shape == (13, 200, 6)
    np.testing.assert_allclose(centres[:3], [2.0, 2.5, 3.0])
    assert windows[1, 0, 0] == 25.0  # the second window starts one hop (25 samples) in
    np.testing.assert_array_equal(windows[0, :, 5], 1.0)


def test_recording_shorter_than_one_window_gives_no_windows() -> None:
    windows, centres = window_recording(_recording(3.9), WindowSpec(window_s=4.0))
    assert windows.shape == (0, 200, 6)
    assert centres.shape == (0,)


def test_recording_without_accelerometer_is_refused_with_a_reason() -> None:
    with pytest.raises(MissingAccelerometerError, match="no accelerometer"):
        window_recording(_recording(10.0, accel=False), WindowSpec())


def test_bad_window_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        WindowSpec(window_s=0.0)


def test_a_span_between_window_centres_still_gets_the_nearest_window() -> None:
    centres = np.array([2.0, 2.5, 3.0, 3.5])
    np.testing.assert_array_equal(windows_in_span(centres, 2.4, 3.1), [1, 2])
    np.testing.assert_array_equal(windows_in_span(centres, 3.1, 3.2), [2])
    assert windows_in_span(np.zeros(0), 0.0, 5.0).size == 0


def test_idle_edges_of_a_set_are_rest_and_the_middle_is_the_exercise() -> None:
    spec = WindowSpec(window_s=4.0, hop_s=0.5)
    labels = window_labels(30 * 50, spec, exercise_index=3, rest_index=9, idle_edges=True)
    # Windows [0, 4] and [0.5, 4.5] lie in the first 4.5 s; the mixed ones up to 2 s are left out.
    assert labels[:2].tolist() == [9, 9]
    assert labels[2:4].tolist() == [IGNORED, IGNORED]
    assert labels[4] == 3 and labels[-1] == 9
    trimmed = window_labels(30 * 50, spec, exercise_index=3, rest_index=9, idle_edges=False)
    assert set(trimmed.tolist()) == {3}


def test_wide_training_windows_are_centred_on_the_model_windows() -> None:
    spec = WindowSpec(window_s=4.0, hop_s=0.5)
    signal = np.arange(600 * 6, dtype=np.float32).reshape(600, 6)
    wide = wide_windows(signal, spec, wide_samples=230)
    windows, _ = window_recording(
        Recording(gyro=signal[:, :3], accel=signal[:, 3:], gravity=None,
                  source_format="generic-csv", original_rate_hz=50.0), spec)
    assert wide.shape == (windows.shape[0], 230, 6)
    np.testing.assert_array_equal(centre_crop(wide, 200), windows)
