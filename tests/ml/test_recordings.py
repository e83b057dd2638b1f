"""Every supported export format read into the canonical recording, checked against known values.

Real signals: formats the shared datasets do not contain (Sensor Logger, phyphox, generic CSV) are
written by the test from a real applewatch-gym set, in that format's exact header, and must come
out the same as the set itself.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import signal
from scipy.spatial.transform import Rotation

from ml.recordings import CANONICAL_RATE_HZ, Recording, read_recording

APPLE_SET = "011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz"
APPLE_SET_IN_MS2 = "040125_SAOCTE_W11_S2_R10-2025-01-04_15-25-10.csv.gz"
APPLE_SET_SAME_EXERCISE_IN_G = "021224_SAOCTE_W11_S2_R15-2024-12-02_15-36-02.csv.gz"
BARBELL_PREFIX = "A-bench-heavy2-rpe8_MetaWear_2019-01-11T16.10.08.270_C42732BE255C"
AXES = ("X", "Y", "Z")


class Upload(io.BytesIO):
    """What Streamlit's uploader hands over: a binary file object with the original name."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def apple_frame(datasets_dir: Path, name: str = APPLE_SET) -> pd.DataFrame:
    """A real applewatch-gym set without its empty leading rows."""
    frame = pd.read_csv(datasets_dir / "applewatch-gym" / name)
    return frame.dropna(subset=["wristMotion_rotationRateX"]).reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame, **options: object) -> bytes:
    return frame.to_csv(index=False, **options).encode()  # type: ignore[call-overload]


def assert_same_signal(a: Recording, b: Recording, atol: float = 2e-3) -> None:
    n = min(a.n_samples, b.n_samples)
    assert abs(a.n_samples - b.n_samples) <= 1
    np.testing.assert_allclose(a.gyro[:n], b.gyro[:n], atol=atol)
    assert a.accel is not None and b.accel is not None
    np.testing.assert_allclose(a.accel[:n], b.accel[:n], atol=atol)


@pytest.fixture(scope="module")
def apple(datasets_dir: Path) -> Recording:
    return read_recording(datasets_dir / "applewatch-gym" / APPLE_SET)


def test_applewatch_gym_set_reads_at_50_hz_in_rad_s_and_g(
    apple: Recording, datasets_dir: Path
) -> None:
    raw = apple_frame(datasets_dir)
    assert apple.source_format == "applewatch-gym"
    assert apple.sample_rate_hz == CANONICAL_RATE_HZ and apple.original_rate_hz == 100.0
    assert apple.gyro.dtype == np.float32 and apple.gyro.shape == (apple.n_samples, 3)
    # Leading rows with empty sensor columns are dropped: the recording starts at the first
    # real sample and covers the rest.
    span = raw["secondsElapsed"].iloc[-1] - raw["secondsElapsed"].iloc[0]
    assert apple.duration_s == pytest.approx(span, abs=0.05)
    # It starts at the file name's clock (the wearer's, in any machine's time zone).
    first_s = float(raw["secondsElapsed"].iloc[0])
    assert apple.local_start == datetime(2024, 12, 1, 7, 36, 28) + timedelta(seconds=first_s)
    assert apple.start_time is not None
    assert apple.start_time.astimezone().replace(tzinfo=None) == apple.local_start
    # Gyroscope values kept in rad/s: close to an independent anti-aliased halving of the rows.
    rows = raw[[f"wristMotion_rotationRate{a}" for a in AXES]].to_numpy()
    halved = signal.resample_poly(rows, 1, 2, axis=0)[: apple.n_samples]
    error = apple.gyro[50:-50] - halved[50:-50]
    assert np.sqrt(np.mean(error**2)) < 0.1 * rows.std()
    assert apple.units["gyro"] == "rad/s" and apple.units["accel"] == "g"


def test_watch_gravity_points_up_as_its_attitude_says(apple: Recording, datasets_dir: Path) -> None:
    """Specific-force convention: gravity is the device-frame "up" the quaternion gives."""
    raw = apple_frame(datasets_dir)
    quaternion = raw[[f"wristMotion_quaternion{c}" for c in "XYZW"]].to_numpy()
    up = Rotation.from_quat(quaternion).inv().apply([0.0, 0.0, 1.0])
    assert apple.gravity is not None and apple.accel is not None
    np.testing.assert_allclose(apple.gravity[500:600], up[1000:1200:2], atol=0.02)
    # Total acceleration of a wrist is about 1 g, and it is gravity plus a zero-mean motion.
    assert np.median(np.linalg.norm(apple.accel, axis=1)) == pytest.approx(1.0, abs=0.05)
    np.testing.assert_allclose((apple.accel - apple.gravity).mean(axis=0), 0.0, atol=0.02)


def test_applewatch_file_in_m_s2_comes_out_in_g_like_its_siblings(datasets_dir: Path) -> None:
    in_ms2 = read_recording(datasets_dir / "applewatch-gym" / APPLE_SET_IN_MS2)
    in_g = read_recording(datasets_dir / "applewatch-gym" / APPLE_SET_SAME_EXERCISE_IN_G)
    assert in_ms2.units["accel"] == "m/s2" and in_g.units["accel"] == "g"
    assert any("read as m/s2 from the gravity magnitude" in w for w in in_ms2.warnings)
    # g is what CoreMotion documents: the sibling as documented is read without a warning.
    assert not any("accelerometer units" in w for w in in_g.warnings), in_g.warnings
    for recording in (in_ms2, in_g):
        assert recording.accel is not None and recording.gravity is not None
        assert np.median(np.linalg.norm(recording.accel, axis=1)) == pytest.approx(1.0, abs=0.05)
    # Same exercise, same wrist: the forearm is held the same way, so gravity agrees in sign.
    direction = [r.gravity.mean(axis=0) for r in (in_ms2, in_g) if r.gravity is not None]
    cosine = direction[0] @ direction[1] / np.linalg.norm(direction[0]) / np.linalg.norm(
        direction[1]
    )
    assert cosine > 0.9


def test_metamotion_pair_in_deg_s_and_g_is_aligned_by_epoch(datasets_dir: Path) -> None:
    folder = datasets_dir / "barbell-metamotion"
    gyro_path = next(folder.glob(f"{BARBELL_PREFIX}_Gyroscope_*.csv"))
    accel_path = next(folder.glob(f"{BARBELL_PREFIX}_Accelerometer_*.csv"))
    recording = read_recording([accel_path, gyro_path])
    assert recording.source_format == "metamotion" and recording.original_rate_hz == 25.0
    assert recording.units["gyro"] == "deg/s" and recording.units["accel_kind"] == "total"
    assert recording.gravity is None and recording.accel is not None
    gyro = pd.read_csv(gyro_path)
    accel = pd.read_csv(accel_path)
    start_ms = max(gyro["epoch (ms)"].iloc[0], accel["epoch (ms)"].iloc[0])
    # Local wall clock of the MetaBase export: "time (01:00)" is UTC+1.
    assert recording.start_time == datetime.fromtimestamp(
        start_ms / 1000, tz=timezone(timedelta(hours=1))
    )
    assert recording.start_time.utcoffset() == timedelta(hours=1)
    times_ms = start_ms + recording.times_s * 1000
    expected_gyro = np.radians(np.interp(times_ms, gyro["epoch (ms)"], gyro["x-axis (deg/s)"]))
    np.testing.assert_allclose(recording.gyro[:, 0], expected_gyro, atol=1e-3)
    expected_y = np.interp(times_ms, accel["epoch (ms)"], accel["y-axis (g)"])
    np.testing.assert_allclose(recording.accel[:, 1], expected_y, atol=1e-3)
    # Uploaded as one zip, or as two file objects: the same recording.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(gyro_path, gyro_path.name)
        zipped.write(accel_path, accel_path.name)
    from_zip = read_recording(Upload(archive.getvalue(), "metamotion.zip"))
    np.testing.assert_array_equal(from_zip.gyro, recording.gyro)
    as_objects = read_recording(
        [Upload(p.read_bytes(), p.name) for p in (gyro_path, accel_path)]
    )
    assert as_objects.sha256 == recording.sha256
    np.testing.assert_array_equal(as_objects.accel, recording.accel)


def _sensor_logger_watch(raw: pd.DataFrame, start: datetime, in_ms2: bool) -> bytes:
    """WristMotion.csv as Sensor Logger writes it: ns Unix time, seconds_elapsed, then sensors."""
    out = pd.DataFrame({
        "time": (start.timestamp() * 1e9 + raw["secondsElapsed"] * 1e9).astype("int64"),
        "seconds_elapsed": raw["secondsElapsed"],
    })
    # Newer exports write m/s² already in the specific-force sign; older ones CoreMotion's g.
    scale = -9.80665 if in_ms2 else 1.0
    for sensor, new in (("quaternion", "quaternion"), ("rotationRate", "rotationRate"),
                        ("acceleration", "acceleration"), ("gravity", "gravity")):
        for axis in ("W", *AXES) if sensor == "quaternion" else AXES:
            value = raw[f"wristMotion_{sensor}{axis}"]
            out[f"{new}{axis}"] = value * scale if sensor in ("acceleration", "gravity") else value
    return csv_bytes(out)


@pytest.mark.parametrize("in_ms2", [False, True], ids=["g", "m/s2"])
def test_sensor_logger_wristmotion_matches_the_same_set(
    apple: Recording, datasets_dir: Path, in_ms2: bool
) -> None:
    raw = apple_frame(datasets_dir)
    start = datetime(2024, 12, 1, 7, 36, 28, tzinfo=UTC)
    data = _sensor_logger_watch(raw, start, in_ms2)
    recording = read_recording(Upload(data, "WristMotion.csv"))
    assert recording.source_format == "sensor-logger-watch"
    assert recording.units["time"] == "ns (Unix time)"
    # Unix times are a moment, in any machine's time zone.
    assert recording.start_time == start + timedelta(seconds=float(raw["secondsElapsed"].iloc[0]))
    assert_same_signal(recording, apple)


def test_sensor_logger_phone_files_keep_x_y_z_despite_z_y_x_columns() -> None:
    t = np.arange(0, 6, 0.01)
    ns = (1_700_000_000 + t) * 1e9
    wave = np.sin(2 * np.pi * 0.5 * t)
    gyro = pd.DataFrame({"time": ns.astype("int64"), "seconds_elapsed": t,
                         "z": 3.0 + wave, "y": 2.0 + wave, "x": 1.0 + wave})
    total = pd.DataFrame({"time": ns[::2].astype("int64"), "seconds_elapsed": t[::2],
                          "z": 9.80665 + 0.1 * wave[::2], "y": 0.0 * t[::2], "x": 0.0 * t[::2]})
    recording = read_recording(
        [Upload(csv_bytes(gyro), "Gyroscope.csv"), Upload(csv_bytes(total), "Accelerometer.csv")]
    )
    assert recording.source_format == "sensor-logger-phone"
    assert recording.accel is not None
    middle = recording.gyro[50:250] - np.sin(2 * np.pi * 0.5 * recording.times_s[50:250])[:, None]
    np.testing.assert_allclose(middle, np.tile([1.0, 2.0, 3.0], (200, 1)), atol=2e-3)
    np.testing.assert_allclose(recording.accel[50:250, 2], 1.0, atol=0.02)  # m/s² → g, on z
    assert recording.units["accel"] == "m/s2" and recording.units["gyro"] == "rad/s"


def test_sensor_logger_zip_prefers_the_watch_and_adds_phone_gravity(
    apple: Recording, datasets_dir: Path
) -> None:
    raw = apple_frame(datasets_dir)
    start = datetime(2024, 12, 1, 7, 36, 28, tzinfo=UTC)
    t = raw["secondsElapsed"].to_numpy()
    phone = pd.DataFrame({"time": ((start.timestamp() + t) * 1e9).astype("int64"),
                          "seconds_elapsed": t, "z": np.sin(t), "y": np.cos(t), "x": t})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("WristMotion.csv", _sensor_logger_watch(raw, start, in_ms2=True))
        zipped.writestr("Gyroscope.csv", csv_bytes(phone))
        zipped.writestr("Metadata.csv", "version,device name\n1.30,iPhone\n")
    recording = read_recording(Upload(archive.getvalue(), "2024-12-01_07-36-28.zip"))
    assert recording.source_format == "sensor-logger-watch"
    assert any("not used: Gyroscope.csv" in w for w in recording.warnings)
    assert_same_signal(recording, apple)
    # A phone export without total acceleration: Accelerometer.csv (gravity removed) + Gravity.csv.
    wave = np.sin(2 * np.pi * 0.5 * t)
    user = pd.DataFrame({"time": phone["time"], "seconds_elapsed": t,
                         "z": 0.5 * wave, "y": 0.0 * t, "x": 0.0 * t})
    gravity = pd.DataFrame({"time": phone["time"], "seconds_elapsed": t,
                            "z": 9.80665 + 0.0 * t, "y": 0.01 * wave, "x": 0.0 * t})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, frame in (("Gyroscope.csv", phone), ("Accelerometer.csv", user),
                            ("Gravity.csv", gravity)):
            zipped.writestr(name, csv_bytes(frame))
    phone_only = read_recording(Upload(archive.getvalue(), "phone.zip"))
    assert phone_only.accel is not None and phone_only.gravity is not None
    assert phone_only.units["accel_kind"] == "gravity + user acceleration"
    expected_z = 1.0 + 0.5 / 9.80665 * np.sin(2 * np.pi * 0.5 * (t[0] + phone_only.times_s))
    np.testing.assert_allclose(phone_only.accel[100:-100, 2], expected_z[100:-100], atol=0.01)


def test_phyphox_zip_of_gyroscope_and_accelerometer(apple: Recording, datasets_dir: Path) -> None:
    raw = apple_frame(datasets_dir)
    t = raw["secondsElapsed"] - raw["secondsElapsed"].iloc[0]
    gyro = pd.DataFrame({"Time (s)": t, **{
        f"Gyroscope {a.lower()} (rad/s)": raw[f"wristMotion_rotationRate{a}"] for a in AXES}})
    total = -(raw[[f"wristMotion_gravity{a}" for a in AXES]].to_numpy()
              + raw[[f"wristMotion_acceleration{a}" for a in AXES]].to_numpy()) * 9.80665
    accel = pd.DataFrame({"Time (s)": t, **{
        f"Acceleration {a.lower()} (m/s^2)": total[:, i] for i, a in enumerate(AXES)}})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        # phyphox's "CSV (Semicolon, decimal comma)" export, with its meta folder.
        zipped.writestr("Gyroscope.csv", csv_bytes(gyro, sep=";", decimal=","))
        zipped.writestr("Accelerometer.csv", csv_bytes(accel, sep=";", decimal=","))
        zipped.writestr("meta/device.csv", '"property";"value"\n"deviceModel";"Pixel"\n')
    recording = read_recording(Upload(archive.getvalue(), "Gyroscope rotation rate.zip"))
    assert recording.source_format == "phyphox"
    assert recording.units["accel"] == "m/s2" and recording.gravity is None
    assert_same_signal(recording, apple)


def _generic(raw: pd.DataFrame) -> pd.DataFrame:
    t = raw["secondsElapsed"].to_numpy()
    total = -(raw[[f"wristMotion_gravity{a}" for a in AXES]].to_numpy()
              + raw[[f"wristMotion_acceleration{a}" for a in AXES]].to_numpy())
    gyro = raw[[f"wristMotion_rotationRate{a}" for a in AXES]].to_numpy()
    return pd.DataFrame({"t": t, "gx": gyro[:, 0], "gy": gyro[:, 1], "gz": gyro[:, 2],
                         "ax": total[:, 0], "ay": total[:, 1], "az": total[:, 2]})


@pytest.mark.parametrize("dialect", ["plain", "semicolon-decimal-comma", "bom-crlf-gzip",
                                     "gzip-of-two-members", "ms-deg-brackets",
                                     "iso-underscore-units"])
def test_generic_csv_dialects_give_the_same_recording(
    apple: Recording, datasets_dir: Path, dialect: str
) -> None:
    frame = _generic(apple_frame(datasets_dir))
    frame["comment"] = "rep"  # unknown extra columns are ignored
    name = "workout.csv"
    if dialect == "semicolon-decimal-comma":
        data = csv_bytes(frame, sep=";", decimal=",")
    elif dialect == "bom-crlf-gzip":
        data = gzip.compress(b"\xef\xbb\xbf" + csv_bytes(frame, lineterminator="\r\n"))
        name = "workout.csv.gz"
    elif dialect == "gzip-of-two-members":
        # Written in two pieces (as appending tools do): the second half is the file too.
        raw = csv_bytes(frame)
        middle = raw.index(b"\n", len(raw) // 2) + 1
        data = gzip.compress(raw[:middle]) + gzip.compress(raw[middle:])
        name = "workout.csv.gz"
    elif dialect == "ms-deg-brackets":
        frame["t"] = ((frame["t"] + 1_733_038_588) * 1000).round().astype("int64")
        for axis in "xyz":
            frame[f"g{axis}"] = np.degrees(frame[f"g{axis}"])
        frame = frame.rename(columns={"t": "timestamp", **{
            f"g{a}": f"gyro_{a} (deg/s)" for a in "xyz"}, **{
            f"a{a}": f"acc_{a} [g]" for a in "xyz"}})
        data = csv_bytes(frame)
    elif dialect == "iso-underscore-units":
        start = pd.Timestamp("2024-12-01T07:36:28+01:00")
        frame["t"] = [(start + pd.Timedelta(seconds=s)).isoformat() for s in frame["t"]]
        frame = frame.rename(columns={"t": "time", **{
            f"g{a}": f"rotation_rate_{a}_rads" for a in "xyz"}, **{
            f"a{a}": f"accelerometer_{a}_g" for a in "xyz"}})
        data = csv_bytes(frame)
    else:
        data = csv_bytes(frame)
    recording = read_recording(Upload(data, name))
    assert recording.source_format == "generic-csv"
    assert recording.units["accel_kind"] == "total" and recording.gravity is None
    assert_same_signal(recording, apple)
    if dialect == "ms-deg-brackets":
        assert recording.units == {"time": "ms (Unix time)", "gyro": "deg/s", "accel": "g",
                                   "accel_kind": "total"}
        assert recording.start_time is not None and recording.start_time.year == 2024
    if dialect == "iso-underscore-units":
        assert recording.start_time is not None
        assert recording.start_time.utcoffset() == timedelta(hours=1)
    if dialect == "plain":
        assert "read as g from the acceleration magnitude" in " ".join(recording.warnings)


def test_generic_gyro_in_deg_s_without_units_is_guessed_with_a_warning() -> None:
    t = np.arange(0, 5, 0.02)
    rad = 2.0 * np.sin(2 * np.pi * 0.8 * t)
    frame = pd.DataFrame({"seconds": t, "gyroscope_x": np.degrees(rad), "gyroscope_y": 0.1 * t,
                          "gyroscope_z": 0.0 * t})
    recording = read_recording(csv_bytes(frame), name="watch.csv")
    assert recording.units["gyro"] == "deg/s" and recording.accel is None
    assert any("read as deg/s from the size of the values" in w for w in recording.warnings)
    np.testing.assert_allclose(recording.gyro[:, 0], rad[: recording.n_samples], atol=1e-3)


def test_same_bytes_give_the_same_hash_whatever_the_source(tmp_path: Path) -> None:
    t = np.arange(0, 3, 0.01)
    data = csv_bytes(pd.DataFrame({"t": t, "gx": np.sin(t), "gy": np.cos(t), "gz": t}))
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    from_path = read_recording(path)
    from_upload = read_recording(io.BytesIO(data), name="upload.csv")
    assert from_path.sha256 == from_upload.sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert from_upload.file_names == ("upload.csv",)


def test_upload_already_read_by_the_app_is_read_from_its_start() -> None:
    t = np.arange(0, 3, 0.02)
    upload = Upload(csv_bytes(pd.DataFrame({"t": t, "gx": np.sin(t), "gy": t, "gz": t})), "a.csv")
    upload.read()  # e.g. the page showed a preview first
    assert read_recording(upload).n_samples == 150


def test_iso_times_across_a_daylight_saving_switch_stay_continuous() -> None:
    # 2024-10-27 03:00 CEST becomes 02:00 CET: the offsets change, the samples do not jump.
    start = pd.Timestamp("2024-10-27T00:59:58.5+00:00")
    stamps = [start + pd.Timedelta(seconds=i * 0.02) for i in range(200)]
    local = [s.tz_convert("Europe/Berlin").isoformat() for s in stamps]
    assert local[0].endswith("+02:00") and local[-1].endswith("+01:00")
    t = np.arange(200) * 0.02
    frame = pd.DataFrame({"time": local, "gx": np.sin(t), "gy": np.cos(t), "gz": t})
    recording = read_recording(csv_bytes(frame), name="dst.csv")
    assert recording.start_time == start.to_pydatetime()
    assert recording.gaps_s == () and recording.n_samples == 200


def test_slow_turn_in_deg_s_is_recognised_by_the_tilt_it_causes() -> None:
    """10 deg/s looks like rad/s by size alone; gravity turning at that rate says deg/s."""
    t = np.arange(0, 20, 0.02)
    rate = 0.17 * np.sin(0.5 * t)  # rad/s about the x axis
    angle = np.cumsum(rate) * 0.02
    frame = pd.DataFrame({"t": t, "gx": np.degrees(rate), "gy": 0.0 * t, "gz": 0.01 * np.sin(t),
                          "ax": 0.0 * t, "ay": np.sin(angle), "az": np.cos(angle)})
    recording = read_recording(csv_bytes(frame), name="slow.csv")
    assert recording.units["gyro"] == "deg/s"
    assert any("rotation matches the accelerometer's change of tilt" in w
               for w in recording.warnings)
    np.testing.assert_allclose(recording.gyro[:, 0], rate[: recording.n_samples], atol=1e-3)


def _relative_time_csv(seconds: float = 5.0) -> bytes:
    t = np.arange(0, seconds, 0.02)
    return csv_bytes(pd.DataFrame({"time": t, "gx": np.sin(t), "gy": np.cos(t), "gz": 0.1 * t}))


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_clock_in_a_file_name_reads_as_named_in_any_time_zone(
    time_zone: Callable[[str], None], zone: str
) -> None:
    # A watch names its files by its wearer's clock: 07:36 in the name is 07:36 in the journal,
    # whatever zone the app runs in.
    time_zone(zone)
    recording = read_recording(Upload(_relative_time_csv(), "workout-2024-12-01_07-36-28.csv"))
    assert recording.start_time is not None
    assert recording.start_time.astimezone().replace(tzinfo=None) == datetime(
        2024, 12, 1, 7, 36, 28)
    assert recording.recorded_on is None
    assert os.environ["TZ"] == zone


def test_day_in_a_file_name_without_a_time_dates_the_recording() -> None:
    recording = read_recording(Upload(_relative_time_csv(), "legs 2024-12-01.csv"))
    assert recording.start_time is None and recording.recorded_on == date(2024, 12, 1)
    for name in ("legs.csv", "legs 2024-13-45.csv", "id-12024-12-01.csv"):
        assert read_recording(Upload(_relative_time_csv(), name)).recorded_on is None


def test_a_file_of_unix_times_keeps_its_last_sample() -> None:
    # 50 Hz samples a whole number of steps apart, times in Unix seconds as watches write them:
    # read as float64, the span may read a hair short of n steps; the last sample must stay.
    rng = np.random.default_rng(0)
    lost = 0
    for start in rng.uniform(1.6e9, 1.8e9, size=40).round(2):
        n_samples = int(rng.integers(200, 2000))
        times = start + np.arange(n_samples) / 50
        wave = np.sin(np.arange(n_samples) / 10)
        table = pd.DataFrame({"timestamp": times, "gx": wave, "gy": wave, "gz": wave})
        recording = read_recording(table.to_csv(index=False).encode(), "watch.csv")
        lost += recording.n_samples != n_samples
    assert lost == 0
