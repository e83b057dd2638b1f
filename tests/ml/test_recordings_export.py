"""A recording written as CSV (the journal's "Download the recording") reads back as itself."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ml.recordings import CANONICAL_RATE_HZ, Recording, read_recording
from ml.recordings_export import recording_csv

#: A sample of the 50 Hz grid, in seconds.
SAMPLE_S = 1 / CANONICAL_RATE_HZ


@st.composite
def stored_recordings(draw: st.DrawFn) -> Recording:
    """A recording as the journal gives it back (``journal.store.load_recording``): float16
    values at 50 Hz, with or without accelerometer and gravity, an absolute start, the wearer's
    clock and a gap. Synthetic motion (turning wrist, noise), not anybody's recording."""
    n = draw(st.integers(120, 1500))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t = np.arange(n) / CANONICAL_RATE_HZ
    turning = np.sin(2 * np.pi * t[:, None] / draw(st.floats(0.5, 8.0)) + rng.uniform(0, 6, 3))
    scale = draw(st.sampled_from([1e-4, 0.05, 1.0, 30.0]))  # still to fast, in rad/s
    gyro = scale * (turning + rng.normal(0, 0.3, (n, 3)))
    accel = gravity = None
    if draw(st.booleans()):
        down = np.column_stack([0.3 * turning[:, 0], 0.3 * turning[:, 1], np.ones(n)])
        down += rng.normal(0, 0.01, (n, 3))  # a sensor's noise: no two rows the same
        gravity = down / np.linalg.norm(down, axis=1, keepdims=True)
        accel = gravity + rng.normal(0, draw(st.sampled_from([0.001, 0.1, 0.25])), (n, 3))
        gravity = gravity if draw(st.booleans()) else None
    gaps: tuple[tuple[float, float], ...] = ()
    if n > 200 and draw(st.booleans()):
        # Held, as the importer holds a hole: the last value before it repeats across it.
        start_s = draw(st.floats(0.5, (n - 120) * SAMPLE_S))
        end_s = start_s + draw(st.floats(1.05, max(1.06, (n - 10) * SAMPLE_S - start_s)))
        held = (t > start_s) & (t < end_s)
        last = int(np.floor(start_s / SAMPLE_S))
        for values in (gyro, accel, gravity):
            if values is not None:
                values[held] = values[last]
        gaps = ((start_s, end_s),)
    start_time = local_start = None
    if draw(st.booleans()):
        start_time = draw(st.datetimes(datetime(2001, 1, 1), datetime(2099, 1, 1),
                                       timezones=st.just(UTC)))
        if draw(st.booleans()):
            quarters = draw(st.integers(-48, 56).filter(bool))  # UTC-12:00 .. UTC+14:00
            local_start = start_time.replace(tzinfo=None) + quarters * timedelta(minutes=15)

    def stored(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values.astype(np.float16).astype(np.float32)

    return Recording(gyro=stored(gyro), accel=stored(accel), gravity=stored(gravity),  # type: ignore[arg-type]
                     source_format="applewatch-gym", original_rate_hz=100.0, gaps_s=gaps,
                     start_time=start_time, local_start=local_start)


def _outside(recording: Recording) -> np.ndarray:
    """Rows outside the recording's gaps (inside, values are held, not measured)."""
    keep = np.ones(recording.n_samples, dtype=bool)
    for start_s, end_s in recording.gaps_s:
        keep &= ~((recording.times_s > start_s) & (recording.times_s < end_s))
    return keep


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored_recordings())
def test_a_recording_written_as_csv_reads_back_as_itself(recording: Recording) -> None:
    back = read_recording(io.BytesIO(recording_csv(recording)), name="recording.csv")

    assert back.sample_rate_hz == CANONICAL_RATE_HZ
    assert back.n_samples == recording.n_samples and back.duration_s == recording.duration_s
    # The units are in the header: nothing guessed, nothing to say but where the gaps are.
    assert [w.split(" s at ")[0] for w in back.warnings] == [
        f"gap of {b - a:.1f}" for a, b in back.gaps_s]
    measured = _outside(recording)
    for name in ("gyro", "accel", "gravity"):
        original, read = getattr(recording, name), getattr(back, name)
        assert (read is None) == (original is None), name
        if original is None:
            continue
        # Each value is the shortest text that reads back as the stored float16: within half
        # its last bit (11 significant bits; below 6e-5, 2**-24 apart). Across a gap the
        # importer interpolates, at Unix times a few 1e-7 s off the grid: 1e-5 of the step to
        # the next sample more.
        np.testing.assert_allclose(read[measured], original[measured], rtol=2**-11,
                                   atol=2**-24 + 1e-4 * float(np.abs(original).max()),
                                   err_msg=name)
        if not recording.gaps_s:  # stored again, it is the very same signal
            np.testing.assert_array_equal(read.astype(np.float16), original.astype(np.float16),
                                          err_msg=name)
    if recording.start_time is None:
        assert back.start_time is None and back.local_start is None
    else:
        assert back.start_time is not None
        assert abs(back.start_time - recording.start_time) < timedelta(microseconds=10)
        if recording.local_start is None:
            assert back.local_start is None  # the moment, on no one's clock
        else:
            assert back.local_start is not None
            assert abs(back.local_start - recording.local_start) < timedelta(microseconds=10)
    # A gap comes back as a gap, from the last sample before it to the first after it (Unix
    # times as float64 seconds are good to a microsecond).
    assert len(back.gaps_s) == len(recording.gaps_s)
    for (start_s, end_s), (read_start, read_end) in zip(recording.gaps_s, back.gaps_s,
                                                        strict=True):
        assert start_s - SAMPLE_S - 1e-6 <= read_start <= start_s + 1e-6
        assert end_s - 1e-6 <= read_end <= end_s + SAMPLE_S + 1e-6


def test_values_that_are_not_the_journals_come_back_at_its_precision() -> None:
    rng = np.random.default_rng(7)
    n = 500
    recording = Recording(gyro=rng.normal(0, 2, (n, 3)).astype(np.float32),
                          accel=(np.array([0, 0, 1]) + rng.normal(0, 0.2, (n, 3))).astype(
                              np.float32),
                          gravity=None, source_format="generic-csv", original_rate_hz=50.0)
    back = read_recording(io.BytesIO(recording_csv(recording)), name="fresh.csv")
    assert back.accel is not None and recording.accel is not None
    # float16 keeps 11 significant bits, and its shortest text is within half of the last
    # one: within one in all.
    np.testing.assert_allclose(back.gyro, recording.gyro, rtol=2**-10)
    np.testing.assert_allclose(back.accel, recording.accel, rtol=2**-10)


def test_the_header_names_every_unit_and_the_file_reads_as_a_plain_csv() -> None:
    start = datetime(2024, 12, 1, 6, 36, 28, 243000, tzinfo=UTC)
    n = 150
    phase = np.linspace(0, 6, n, dtype=np.float32)[:, None]
    recording = Recording(gyro=np.sin(phase + [0, 1, 2]).astype(np.float32),
                          accel=np.cos(phase + [0, 1, 2]).astype(np.float32),
                          gravity=None, source_format="metamotion", original_rate_hz=100.0,
                          start_time=start, local_start=datetime(2024, 12, 1, 7, 36, 28, 243000))
    lines = recording_csv(recording).decode().splitlines()
    assert lines[0] == ("time (s),timestamp,gyro_x (rad/s),gyro_y (rad/s),gyro_z (rad/s),"
                        "accel_x (g),accel_y (g),accel_z (g)")
    assert len(lines) == 1 + n
    assert lines[1].startswith("0.00,2024-12-01T07:36:28.243000+01:00,0,0.8413,0.909,1,0.5405,")
    assert lines[-1].startswith("2.98,2024-12-01T07:36:31.223000+01:00,")
    # Without the wearer's clock the moment is written in UTC; without a start, no timestamp.
    utc = recording_csv(dataclasses.replace(recording, local_start=None)).decode()
    assert utc.splitlines()[1].startswith("0.00,2024-12-01T06:36:28.243000Z,")
    relative = recording_csv(dataclasses.replace(recording, start_time=None, local_start=None))
    assert relative.decode().splitlines()[0].startswith("time (s),gyro_x (rad/s),")


def test_the_first_sample_after_a_gap_comes_back_as_it_was_not_mixed_with_the_held_value(
) -> None:
    # Unix times read as float64 seconds are 2.4e-7 s apart: the importer held a gap's value
    # until a microsecond before the next sample, and the sample on the grid right after the
    # gap came back mixed with the held value, depending on where the start fell.
    n, after = 300, 170
    rng = np.random.default_rng(3)
    gyro = rng.normal(0, 1, (n, 3)).astype(np.float16).astype(np.float32)
    gyro[81:after] = gyro[80]  # held from 1.6 s to 3.4 s
    for second in range(0, 3_000_000_000, 99_999_989):
        start = datetime(2001, 1, 1, tzinfo=UTC) + timedelta(seconds=second, microseconds=14)
        recording = Recording(gyro=gyro, accel=None, gravity=None, source_format="x",
                              original_rate_hz=50.0, start_time=start, gaps_s=((1.61, 3.39),))
        back = read_recording(io.BytesIO(recording_csv(recording)), name="gap.csv")
        # Within its text's half-bit and the importer's 1e-5 of a step (as above).
        np.testing.assert_allclose(back.gyro[after], gyro[after], rtol=2**-11, atol=1e-4 * 4,
                                   err_msg=str(start))
