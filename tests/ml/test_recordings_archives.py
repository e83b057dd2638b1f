"""A zip of several recordings: each comes out as if its files had been uploaded unzipped, and a
zip of one recording stays one. Built in the test from real recordings of the shared datasets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import appconfig
from ml.recordings import RecordingError, read_recording, recordings_in
from tests.archives import zipped

#: Two real Apple Watch sets of one morning, and two real MetaMotion recordings.
APPLE_SETS = ("011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz",
              "011224_APULL_W63_5_S2_R12-2024-12-01_07-41-19.csv.gz")
METAMOTION = ("A-bench-heavy2_MetaWear_2019-01-14T14.27.00.784",
              "B-squat-medium1-rpe9_MetaWear_2019-01-11T17.09.32.694")
#: What a Mac adds to a zip, and a note: not recordings, left out.
JUNK = {"__MACOSX/._notes.csv": b"\x00\x05\x16\x07", ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "notes.txt": b"leg day\n"}


def metamotion_pair(datasets_dir: Path, prefix: str) -> list[Path]:
    """The real accelerometer and gyroscope files of one recording, in name order."""
    return sorted((datasets_dir / "barbell-metamotion").glob(f"{prefix}_*.csv"))


def sensor_logger_export(datasets_dir: Path, set_name: str) -> dict[str, bytes]:
    """A real Apple Watch set as Sensor Logger's per-sensor files (time, seconds_elapsed, z, y,
    x in rad/s and m/s²) with its metadata: one recording in four files."""
    raw = pd.read_csv(datasets_dir / "applewatch-gym" / set_name)
    raw = raw.dropna(subset=["wristMotion_rotationRateX"])
    start = datetime(2024, 12, 1, 7, 36, 28, tzinfo=UTC).timestamp()
    t = raw["secondsElapsed"].to_numpy()
    files = {}
    for file, column, scale in (("Gyroscope.csv", "rotationRate", 1.0),
                                ("Accelerometer.csv", "acceleration", -9.80665),
                                ("Gravity.csv", "gravity", -9.80665)):
        frame = pd.DataFrame({"time": ((start + t) * 1e9).astype("int64"), "seconds_elapsed": t})
        for axis in "ZYX":
            frame[axis.lower()] = raw[f"wristMotion_{column}{axis}"].to_numpy() * scale
        files[file] = frame.to_csv(index=False).encode()
    files["Metadata.csv"] = b"version,device name\n1.30,iPhone\n"
    return files


def test_a_zip_of_two_apple_watch_sets_is_two_recordings_read_as_the_files_alone(
    datasets_dir: Path,
) -> None:
    folder = datasets_dir / "applewatch-gym"
    week = zipped({**{name: (folder / name).read_bytes() for name in APPLE_SETS}, **JUNK})
    parts = recordings_in(week, "week.zip")
    assert [part.name for part in parts] == list(APPLE_SETS)
    for part, name in zip(parts, APPLE_SETS, strict=True):
        from_zip = read_recording(week, "week.zip", inside=part.files)
        alone = read_recording(folder / name)
        np.testing.assert_array_equal(from_zip.gyro, alone.gyro)
        assert from_zip.local_start == alone.local_start  # the name's clock, as alone
        # The same bytes: a set saved from the zip is "already in your journal" when given alone.
        assert from_zip.sha256 == alone.sha256
        assert from_zip.file_names == (f"week.zip/{name}",)
    # The command line and read_recording without inside= keep one upload one recording.
    with pytest.raises(RecordingError, match=r"several gyroscope recordings in one upload .*"
                                             r"On the command line give each recording as its "
                                             r"own argument \(unzip an archive of several first\)"):
        read_recording(week, "week.zip")


def test_a_zip_of_two_metamotion_pairs_pairs_each_gyroscope_with_its_accelerometer(
    datasets_dir: Path,
) -> None:
    pairs = [metamotion_pair(datasets_dir, prefix) for prefix in METAMOTION]
    # Zipped as a folder is ("zip -r pairs.zip pairs/"), the four files in another order.
    archive = zipped({f"pairs/{path.name}": path.read_bytes()
                      for path in (pairs[0][1], pairs[1][0], pairs[1][1], pairs[0][0])})
    parts = recordings_in(archive, "pairs.zip")
    # Each is named by what its two files share ("pairs/A-bench-heavy2_MetaWear_…_C42732BE255C").
    assert [part.name for part in parts] == [
        "pairs/" + gyro.name.split("_Gyroscope")[0] for _, gyro in pairs]
    for part, pair in zip(parts, pairs, strict=True):
        from_zip = read_recording(archive, "pairs.zip", inside=part.files)
        loose = read_recording(pair)
        assert from_zip.accel is not None and from_zip.source_format == "metamotion"
        np.testing.assert_array_equal(from_zip.gyro, loose.gyro)
        np.testing.assert_array_equal(from_zip.accel, loose.accel)
        assert from_zip.start_time == loose.start_time and from_zip.sha256 == loose.sha256


def test_a_zip_of_one_recording_stays_one(datasets_dir: Path) -> None:
    accel, gyro = metamotion_pair(datasets_dir, METAMOTION[0])
    pair = zipped({accel.name: accel.read_bytes(), gyro.name: gyro.read_bytes(), **JUNK})
    export = zipped(sensor_logger_export(datasets_dir, APPLE_SETS[0]))
    phyphox_like = zipped({"Gyroscope.csv": sensor_logger_export(
        datasets_dir, APPLE_SETS[0])["Gyroscope.csv"], "meta/device.csv": b"property,value\n"})
    for data, name in ((pair, "pair.zip"), (export, "2024-12-01_07-36-28.zip"),
                       (phyphox_like, "phone.zip")):
        assert recordings_in(data, name) == []
        assert read_recording(data, name).duration_s > 10
    gyro_accel_gravity = read_recording(export, "2024-12-01_07-36-28.zip")
    assert gyro_accel_gravity.gravity is not None and gyro_accel_gravity.accel is not None
    # A plain file is one recording too.
    assert recordings_in(accel) == []


def test_folders_and_zips_inside_are_each_one_recording(datasets_dir: Path) -> None:
    monday, tuesday = (sensor_logger_export(datasets_dir, name) for name in APPLE_SETS)
    folders = zipped({**{f"week/2024-12-01_07-36-28/{n}": d for n, d in monday.items()},
                      **{f"week/2024-12-01_07-41-19/{n}": d for n, d in tuesday.items()}})
    parts = recordings_in(folders, "week.zip")
    assert [part.name for part in parts] == ["week/2024-12-01_07-36-28/",
                                             "week/2024-12-01_07-41-19/"]
    # Each folder's sensor files (its Metadata.csv left out), read as one phone recording.
    assert len(parts[0].files) == 3
    first = read_recording(folders, "week.zip", inside=parts[0].files)
    assert first.source_format == "sensor-logger-phone" and first.gravity is not None
    # Sensor Logger's own zips, zipped together: each is read as the zip uploaded alone.
    exports = {"2024-12-01_07-36-28.zip": zipped(monday),
               "2024-12-01_07-41-19.zip": zipped(tuesday)}
    week = zipped(exports)
    parts = recordings_in(week, "week.zip")
    assert [part.name for part in parts] == list(exports)
    for part, (name, data) in zip(parts, exports.items(), strict=True):
        assert read_recording(week, "week.zip", inside=part.files).sha256 == \
            read_recording(data, name).sha256


def test_oversized_archives_are_refused_with_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    many = zipped({f"set-{i}.csv": b"time,gx,gy,gz\n0,0,0,0\n" for i in range(1001)})
    for read in (lambda: recordings_in(many, "many.zip"), lambda: read_recording(many, "many.zip")):
        with pytest.raises(RecordingError, match="many.zip: holds 1,001 files, more than the "
                                                 "1,000 one archive may hold"):
            read()
    monkeypatch.setattr(appconfig, "MAX_UPLOAD_MB", 0.01)
    bomb = zipped({"a.csv": b"time,gx,gy,gz\n" + b"0,0,0,0\n" * 4000,
                   "b.csv": b"time,gx,gy,gz\n" + b"0,0,0,0\n" * 4000})
    assert len(bomb) < 2_000
    with pytest.raises(RecordingError, match="bomb.zip: unpacks to more than"):
        recordings_in(bomb, "bomb.zip")
    deep = b"time,gx,gy,gz\n0,0,0,0\n"
    for level in range(5):
        deep = zipped({f"level-{level}.zip" if level else "set.csv": deep})
    with pytest.raises(RecordingError, match="archives inside archives more than 4 deep"):
        recordings_in(deep, "deep.zip")
