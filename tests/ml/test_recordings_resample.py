"""Resampling to 50 Hz: anti-aliased, robust to messy timestamps, honest about gaps."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ml.recordings import read_recording

EPOCH = 1_733_040_000.0  # 2024-12-01 08:00:00 UTC


def gyro_csv(t: np.ndarray, values: np.ndarray, time_header: str = "time") -> bytes:
    frame = pd.DataFrame({time_header: t, "gx (rad/s)": values[:, 0],
                          "gy (rad/s)": values[:, 1], "gz (rad/s)": values[:, 2]})
    return frame.to_csv(index=False, float_format="%.6f").encode()


def slow_wave(t: np.ndarray) -> np.ndarray:
    """(n, 3) smooth test signal, well below the 25 Hz output Nyquist frequency."""
    return np.column_stack([np.sin(2 * np.pi * 0.5 * t), 0.5 * np.cos(2 * np.pi * 0.3 * t),
                            0.2 + 0.1 * np.sin(2 * np.pi * 0.9 * t)])


def test_fast_vibration_does_not_alias_into_the_output() -> None:
    """A 40 Hz tremor sampled at 200 Hz would fold to 10 Hz if decimated without a low-pass."""
    t = np.arange(0, 20, 1 / 200)
    values = slow_wave(t)
    values[:, 0] += 1.0 * np.sin(2 * np.pi * 40 * t)
    recording = read_recording(gyro_csv(t, values), name="tremor.csv")
    spectrum = np.abs(np.fft.rfft(recording.gyro[:, 0] - recording.gyro[:, 0].mean()))
    freqs = np.fft.rfftfreq(recording.n_samples, 1 / 50)
    at_10_hz = spectrum[np.argmin(np.abs(freqs - 10))]
    at_half_hz = spectrum[np.argmin(np.abs(freqs - 0.5))]
    assert at_10_hz < 0.01 * at_half_hz
    np.testing.assert_allclose(recording.gyro[25:-25], slow_wave(recording.times_s)[25:-25],
                               atol=0.01)


def test_jittered_timestamps_recover_the_signal() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(0, 10, 0.01) + rng.uniform(-0.003, 0.003, 1000)
    recording = read_recording(gyro_csv(t, slow_wave(t)), name="jitter.csv")
    expected = slow_wave(t[0] + recording.times_s)
    np.testing.assert_allclose(recording.gyro[10:-10], expected[10:-10], atol=0.01)
    assert recording.warnings == ()


def test_duplicates_dropped_and_stray_rows_sorted_with_warnings() -> None:
    t = np.arange(0, 6, 0.02)
    values = slow_wave(t)
    order = np.arange(len(t))
    order[[100, 101]] = order[[101, 100]]  # two rows swapped
    order = np.r_[order[:200], 199, order[200:]]  # one row repeated
    recording = read_recording(gyro_csv(t[order], values[order]), name="messy.csv")
    warnings = " | ".join(recording.warnings)
    assert "1 rows of the gyroscope (messy.csv) were out of time order" in warnings
    assert "1 repeated timestamps in the gyroscope (messy.csv): kept the first" in warnings
    np.testing.assert_allclose(recording.gyro, slow_wave(recording.times_s), atol=2e-3)


def test_gap_longer_than_a_second_is_held_and_reported_at_its_clock_time() -> None:
    t = np.r_[np.arange(0, 5, 0.02), np.arange(7.5, 12, 0.02)]
    values = slow_wave(t)
    recording = read_recording(gyro_csv(EPOCH + t, values), name="gap.csv")
    assert recording.start_time == datetime(2024, 12, 1, 8, 0, 0, tzinfo=UTC)
    assert len(recording.gaps_s) == 1
    start, end = recording.gaps_s[0]
    assert start == pytest.approx(4.98, abs=1e-6) and end == pytest.approx(7.5, abs=1e-6)
    assert "gap of 2.5 s at 08:00:04 not interpolated (last values held)" in recording.warnings
    inside = (recording.times_s > start) & (recording.times_s < end)
    held = recording.gyro[inside]
    np.testing.assert_allclose(held, np.broadcast_to(values[249], held.shape), atol=1e-5)
    # Short holes (here 0.3 s of empty rows) are interpolated, with a warning naming the line.
    text = gyro_csv(t, values).decode().splitlines()
    for line in range(40, 55):
        text[line] = text[line].split(",")[0] + ",,,"
    patched = read_recording(("\n".join(text) + "\n").encode(), name="holes.csv")
    assert "15 rows with empty or non-finite gyroscope (holes.csv) values inside the data " \
           "(first at line 41) were skipped" in patched.warnings
    assert len(patched.gaps_s) == 1


def test_sensors_started_at_different_moments_use_their_overlap() -> None:
    t_gyro = np.arange(0, 20, 0.04)
    t_accel = np.arange(3.0, 25, 0.08)
    gyro = pd.DataFrame({"epoch (ms)": ((EPOCH + t_gyro) * 1000).round().astype("int64"),
                         **{f"{a}-axis (deg/s)": np.degrees(slow_wave(t_gyro)[:, i])
                            for i, a in enumerate("xyz")}})
    accel = pd.DataFrame({"epoch (ms)": ((EPOCH + t_accel) * 1000).round().astype("int64"),
                          "x-axis (g)": 0.0 * t_accel, "y-axis (g)": 0.1 * np.sin(t_accel),
                          "z-axis (g)": 1.0 + 0.0 * t_accel})
    files = []
    for frame, name in ((gyro, "x_Gyroscope_25.000Hz.csv"), (accel, "x_Accelerometer_12.5Hz.csv")):
        file = io.BytesIO(frame.to_csv(index=False).encode())
        file.name = name
        files.append(file)
    recording = read_recording(files)
    assert recording.start_time is not None
    assert recording.start_time.timestamp() == pytest.approx(EPOCH + 3.0)
    assert recording.duration_s == pytest.approx(17.0, abs=0.05)
    assert any("started or stopped at different moments: kept the 17.0 s" in w
               for w in recording.warnings)
    assert recording.accel is not None
    np.testing.assert_allclose(recording.accel[:, 1], 0.1 * np.sin(3.0 + recording.times_s),
                               atol=2e-3)
    np.testing.assert_allclose(recording.gyro, slow_wave(3.0 + recording.times_s), atol=2e-3)


DIALECTS = st.fixed_dictionaries({
    "rate": st.floats(10, 200),
    "gyro_unit": st.sampled_from(["rad/s", "deg/s"]),
    "accel_unit": st.sampled_from(["g", "m/s2", None]),
    "unit_style": st.sampled_from(["brackets", "underscore", "none"]),
    "time_unit": st.sampled_from(["s", "ms", "us", "ns"]),
    "epoch": st.booleans(),
    "sep": st.sampled_from([",", ";", "\t"]),
    "decimal_comma": st.booleans(),
    "bom": st.booleans(),
    "crlf": st.booleans(),
    "gzip": st.booleans(),
    "amplitude": st.floats(0.5, 3.0),
    "phase": st.floats(0, 6.28),
})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DIALECTS)
def test_any_rate_unit_and_dialect_round_trips_to_the_same_50_hz_signal(
    case: dict[str, Any],
) -> None:
    rate, amplitude, phase = float(case["rate"]), float(case["amplitude"]), float(case["phase"])
    t = np.arange(0, 4.0, 1 / rate)
    signal = amplitude * np.column_stack([np.sin(2 * np.pi * 0.8 * t + phase),
                                          np.cos(2 * np.pi * 0.5 * t), 0.3 * np.sin(t + phase)])
    deg = case["gyro_unit"] == "deg/s"
    written = np.degrees(signal) if deg else signal
    suffix = {"brackets": " (deg/s)" if deg else " (rad/s)",
              "underscore": "_dps" if deg else "_rads", "none": ""}[str(case["unit_style"])]
    scale = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[str(case["time_unit"])]
    stamps = (t + (EPOCH if case["epoch"] else 0.0)) * scale
    frame = pd.DataFrame({"timestamp": np.round(stamps).astype("int64") if scale > 1 else stamps,
                          **{f"gyro_{a}{suffix}": written[:, i] for i, a in enumerate("xyz")},
                          "label": "curl"})
    # Total acceleration in g or m/s², with or without a unit: a fixed tilt, pulsing in size
    # (a tilt that turned would have to agree with the made-up gyroscope signal).
    tilt = np.array([0.3, -0.2, 0.93])
    accel_g = tilt * (1.0 + 0.05 * np.sin(2 * t))[:, None]
    accel_unit = case["accel_unit"]
    if accel_unit is not None:
        per_unit = 9.80665 if accel_unit == "m/s2" else 1.0
        label = {"brackets": f" ({'m/s^2' if accel_unit == 'm/s2' else 'g'})",
                 "underscore": f"_{'ms2' if accel_unit == 'm/s2' else 'g'}", "none": ""}
        for i, a in enumerate("xyz"):
            frame[f"acc_{a}{label[str(case['unit_style'])]}"] = accel_g[:, i] * per_unit
    sep = str(case["sep"])
    decimal = "," if case["decimal_comma"] and sep != "," else "."
    text = frame.to_csv(index=False, sep=sep, decimal=decimal, float_format="%.7f",
                        lineterminator="\r\n" if case["crlf"] else "\n")
    data = ("\ufeff" if case["bom"] else "").encode() + text.encode()
    name = "export.csv"
    if case["gzip"]:
        data, name = gzip.compress(data), "export.csv.gz"
    recording = read_recording(io.BytesIO(data), name=name)
    first = stamps[0] / scale - (EPOCH if case["epoch"] else 0.0)
    grid = first + recording.times_s
    expected = amplitude * np.column_stack([np.sin(2 * np.pi * 0.8 * grid + phase),
                                            np.cos(2 * np.pi * 0.5 * grid),
                                            0.3 * np.sin(grid + phase)])
    assert recording.units["gyro"] == case["gyro_unit"]
    if accel_unit is None:
        assert recording.accel is None
    else:
        assert recording.accel is not None and recording.units["accel"] == accel_unit
        expected_accel = tilt * (1.0 + 0.05 * np.sin(2 * grid))[:, None]
        np.testing.assert_allclose(recording.accel, expected_accel, atol=0.01)
    assert recording.duration_s == pytest.approx(t[-1] - t[0], abs=1 / 25)
    # Linear interpolation of a 0.8 Hz sine from 10 Hz samples errs by up to ~3 % of amplitude.
    np.testing.assert_allclose(recording.gyro, expected, atol=0.04 * amplitude)
    assert (recording.start_time is not None) == bool(case["epoch"])


def test_a_sensor_that_stopped_updating_is_reported_not_read_as_stillness() -> None:
    t = np.arange(0, 30, 0.01)
    values = slow_wave(t)
    values[t >= 21.5] = values[np.searchsorted(t, 21.5)]  # the watch froze 21.5 s in
    recording = read_recording(gyro_csv(t, values), name="frozen.csv")
    assert any(
        "repeats exactly the same values for 8.5 s (from 21.5 s after the first sample)" in w
        for w in recording.warnings
    ), recording.warnings


def test_a_frozen_watch_gets_one_warning_naming_all_its_sensors(datasets_dir: Path) -> None:
    # A real set whose watch stopped updating 40.8 s in (gyroscope, gravity and acceleration).
    recording = read_recording(
        datasets_dir / "applewatch-gym" / "040125_SAOCTE_W11_S1_R15-2025-01-04_15-22-32.csv.gz")
    frozen = [w for w in recording.warnings if "repeat" in w]
    assert frozen == [
        "the gyroscope, accelerometer and gravity (040125_SAOCTE_W11_S1_R15-2025-01-04_15-22-32"
        ".csv.gz) repeat exactly the same values for 27.5 s (from 40.8 s after the first sample): "
        "the sensor stopped updating there, so that span shows no motion"
    ]


def test_a_still_but_live_sensor_is_not_called_frozen() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0, 30, 0.01)
    values = 0.001 * rng.normal(size=(t.size, 3))  # a wrist at rest: sensor noise only
    recording = read_recording(gyro_csv(t, values), name="still.csv")
    assert not any("repeats exactly" in w for w in recording.warnings)
