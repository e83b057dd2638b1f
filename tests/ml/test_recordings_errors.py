"""Bad uploads: one RecordingError whose message says what is wrong and where, nothing else."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import appconfig
from ml.recordings import RecordingError, read_recording


def good_csv(seconds: float = 5.0, rate: float = 50.0) -> str:
    t = np.arange(0, seconds, 1 / rate)
    frame = pd.DataFrame({"time": t, "gx": np.sin(t), "gy": np.cos(t), "gz": 0.1 * t})
    return frame.to_csv(index=False, float_format="%.5f")


def read_text(text: str | bytes, name: str = "upload.csv") -> None:
    data = text.encode() if isinstance(text, str) else text
    read_recording(io.BytesIO(data), name=name)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "upload.csv: the file is empty"),
        ("\n \r\n", "upload.csv: the file is empty"),
        ("time,gx,gy,gz\n",
         "upload.csv: has a header but no data rows (columns: time, gx, gy, gz)"),
        ("when,gx,gy,gz\n1,2,3,4\n",
         "upload.csv: no time column; columns seen: 'when', 'gx', 'gy', 'gz'"),
        ("time,heart_rate,steps\n0,60,1\n0.02,61,1\n",
         "upload.csv: no gyroscope columns; columns seen: 'time', 'heart_rate', 'steps'"),
        (good_csv(seconds=1.5), "upload.csv: only 1.5 s of data; at least 2 s are needed"),
        # A workout app's log (FitNotes' layout) has a date and even a time, but no motion.
        ("Date,Exercise,Category,Weight (kgs),Reps,Time\n2024-03-01,Pull Up,Back,0,10,\n",
         "upload.csv: a table of sets (an exercise and its reps on each row), not a motion "
         "recording"),
    ],
    ids=["empty", "blank-lines", "header-only", "no-time", "no-gyro", "too-short", "set-log"],
)
def test_unreadable_csv_is_rejected_with_what_and_where(content: str, message: str) -> None:
    with pytest.raises(RecordingError, match="^.*$") as caught:
        read_text(content)
    assert message in str(caught.value)


def test_non_numeric_value_names_its_line_and_column() -> None:
    lines = good_csv().splitlines()
    lines[7] = lines[7].split(",")[0] + ",0.1,oops,0.3"
    with pytest.raises(RecordingError) as caught:
        read_text("\n".join(lines) + "\n")
    assert "upload.csv: line 8, column 'gy': 'oops' is not a number" in str(caught.value)


def test_bad_date_time_names_its_line() -> None:
    text = "timestamp,gx,gy,gz\n2024-05-01T10:00:00,1,2,3\nyesterday,1,2,3\n"
    with pytest.raises(RecordingError, match="line 3, column 'timestamp': 'yesterday' is neither"):
        read_text(text)


def test_constant_sensor_is_rejected() -> None:
    t = np.arange(0, 5, 0.02)
    frame = pd.DataFrame({"t": t, "gx": 0.0, "gy": 0.0, "gz": 0.0})
    with pytest.raises(RecordingError, match=r"the gyroscope \(upload.csv\) never changes"):
        read_text(frame.to_csv(index=False))
    frame = pd.DataFrame({"t": t, "gx": np.sin(t), "gy": 0.0, "gz": 0.0, "ax": 0.0, "ay": 0.0,
                          "az": 1.0})
    with pytest.raises(RecordingError, match=r"the accelerometer \(upload.csv\) never changes"):
        read_text(frame.to_csv(index=False))


def test_binary_and_non_utf8_files_are_rejected() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(RecordingError, match="photo.png: this is a binary file, not a CSV"):
        read_text(png, name="photo.png")
    latin1 = good_csv().replace("time", "tim\u00e9 (s)").encode("latin-1")
    with pytest.raises(RecordingError, match="upload.csv: not UTF-8 text .*byte 0xe9 at byte 3"):
        read_text(latin1)
    with pytest.raises(RecordingError, match="upload.csv.gz: not a valid gzip file"):
        read_text(b"\x1f\x8b\x08garbage", name="upload.csv.gz")


def test_cut_off_gzip_keeps_its_complete_lines_and_says_so() -> None:
    text = good_csv(seconds=60.0)
    whole = read_recording(io.BytesIO(text.encode()), name="whole.csv")
    packed = gzip.compress(text.encode())
    cut = read_recording(io.BytesIO(packed[: len(packed) // 2]), name="session.csv.gz")
    assert 5.0 < cut.duration_s < 55.0
    assert any(w.startswith("session.csv.gz: the file is cut off") and "copy or download it again"
               in w for w in cut.warnings)
    # What was read is the start of the recording, to the sample: the cut line is left out.
    np.testing.assert_array_equal(cut.gyro, whole.gyro[: len(cut.gyro)])
    assert not any("cut off" in w for w in whole.warnings)
    with pytest.raises(RecordingError, match="tiny.csv.gz: the file is cut off before its first "
                                             "complete line"):
        read_text(packed[:20], name="tiny.csv.gz")


def test_csv_cut_off_inside_a_row_says_where() -> None:
    text = good_csv(seconds=10.0)  # 500 rows after the header, each ending in a line end
    cut = read_recording(io.BytesIO(text.encode() + b"10.00000,0.5"), name="session.csv")
    assert "session.csv: line 502 has 2 of the 4 columns and no line end: the file looks cut " \
           "off, so the recording stops there" in cut.warnings
    complete = read_recording(io.BytesIO(text.rstrip("\n").encode()), name="session.csv")
    assert not any("cut off" in w for w in complete.warnings)
    np.testing.assert_array_equal(cut.gyro, complete.gyro)  # the short row is left out


@pytest.mark.parametrize("cut", ["10.00000,0.5,-", "10.00000,0.5,0.2,-", "10.00000,0.5,0.2,1e",
                                 "10.00000,0.5,0.2,.", '10.00000,0.5,0.2,"', "10.0000,0.5,-0.2,+"])
def test_csv_cut_off_inside_a_value_is_read_up_to_the_cut(cut: str) -> None:
    # Cut mid-number ("-" of "-0.061") or in an opened quote: read like any cut-off file.
    text = good_csv(seconds=10.0)
    complete = read_recording(io.BytesIO(text.encode()), name="session.csv")
    read = read_recording(io.BytesIO(text.encode() + cut.encode()), name="session.csv")
    assert any(w.startswith("session.csv: line 502 ") and w.endswith(
        "and no line end: the file looks cut off, so the recording stops there")
        for w in read.warnings), read.warnings
    np.testing.assert_array_equal(read.gyro, complete.gyro)
    # The same value on a complete line is a bad value, named by line and column.
    with pytest.raises(RecordingError, match="upload.csv: line 502, column 'g.': .* is not a "
                                             "number|upload.csv: cannot be read as CSV"):
        read_text(text + cut + "\n" + "10.02000,0.1,0.2,0.3\n")


def test_real_metamotion_file_cut_after_a_minus_sign_is_read_up_to_the_cut(
    datasets_dir: Path,
) -> None:
    gyro = next((datasets_dir / "barbell-metamotion").glob("B-squat-medium1-*_Gyroscope_*.csv"))
    data = gyro.read_bytes()[:20_000]
    assert data.endswith(b",7.195,-")
    read = read_recording(io.BytesIO(data), name=gyro.name)
    assert f"{gyro.name}: line 310 has 5 of the 6 columns and no line end: the file looks cut " \
           "off, so the recording stops there" in read.warnings
    assert read.duration_s > 12.0


def test_warnings_and_errors_name_the_gz_file_as_uploaded(datasets_dir: Path) -> None:
    # The user has "….csv.gz": that is the name to look for, not the "….csv" inside it.
    name = "040125_SAOCTE_W11_S2_R10-2025-01-04_15-25-10.csv.gz"  # gravity in m/s²: warned
    path = datasets_dir / "applewatch-gym" / name
    with path.open("rb") as handle:
        read = read_recording(handle, name)
    assert any(w.startswith(f"{name}: ") and "m/s2" in w for w in read.warnings), read.warnings
    assert not any(w.startswith(f"{name.removesuffix('.gz')}:") for w in read.warnings)
    lines = good_csv().splitlines()
    lines[7] = lines[7].split(",")[0] + ",0.1,oops,0.3"
    with pytest.raises(RecordingError, match=r"^legs.csv.gz: line 8, column 'gy': 'oops'"):
        read_text(gzip.compress("\n".join(lines).encode() + b"\n"), name="legs.csv.gz")
    # Inside a zip too, and a .csv.gz there is still read as a CSV.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("day/legs.csv.gz", gzip.compress(good_csv().encode() + b"5.0,0.5"))
    zipped_read = read_recording(io.BytesIO(archive.getvalue()), name="export.zip")
    assert any(w.startswith("legs.csv.gz: line 252 has 2 of the 4 columns")
               for w in zipped_read.warnings), zipped_read.warnings


def test_cut_off_zip_is_refused_as_cut_off() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Gyroscope.csv", good_csv())
    data = archive.getvalue()
    with pytest.raises(RecordingError, match="export.zip: the zip file is cut off or damaged"):
        read_text(data[: len(data) - 30], name="export.zip")


def test_zip_without_a_recording_lists_what_it_holds() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("notes.txt", "leg day\n")
        zipped.writestr("Metadata.csv", "device,version\nwatch,1\n")
        zipped.writestr("photo.jpg", b"\xff\xd8\xff\xe0")
    with pytest.raises(RecordingError) as caught:
        read_text(archive.getvalue(), name="export.zip")
    message = str(caught.value)
    assert message.startswith("export.zip: nothing recognisable inside:")
    assert "photo.jpg (not a CSV file)" in message
    assert "Metadata.csv (no time column" in message
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(RecordingError, match="empty.zip: nothing recognisable inside: it is empty"):
        read_text(empty.getvalue(), name="empty.zip")


def test_upload_over_the_size_limit_is_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(appconfig, "MAX_UPLOAD_MB", 0.01)
    garbage = b"\x00" * 20_000  # would be "a binary file" if it were parsed at all
    with pytest.raises(RecordingError, match=r"big.csv is 0.0 MB, over the 0.01 MB upload limit"):
        read_text(garbage, name="big.csv")
    path = tmp_path / "big.csv"
    path.write_bytes(garbage)
    with pytest.raises(RecordingError, match="over the 0.01 MB upload limit"):
        read_recording(path)
    # A small .gz that unpacks to far more than the limit is refused too.
    bomb = gzip.compress(good_csv().encode() + b"9,0,0,0\n" * 20_000)
    assert len(bomb) < 10_000
    with pytest.raises(RecordingError, match="bomb.csv.gz: unpacks to more than"):
        read_text(bomb, name="bomb.csv.gz")


def test_missing_path_and_wrong_source_types() -> None:
    with pytest.raises(RecordingError, match="no-such-file.csv: no such file"):
        read_recording("no-such-file.csv")
    with pytest.raises(RecordingError, match="open the file in binary mode"):
        read_recording(io.StringIO(good_csv()), name="text.csv")  # type: ignore[arg-type]
    with pytest.raises(RecordingError, match="no file given"):
        read_recording([])


def test_two_recordings_in_one_upload_are_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("monday.csv", good_csv())
        zipped.writestr("tuesday.csv", good_csv())
    with pytest.raises(RecordingError, match=r"several gyroscope recordings in one upload "
                                             r"\(monday.csv, tuesday.csv\): one upload is one "
                                             r"recording. .*unzip an archive of several first"
                                             r".*the Upload page takes such a zip as it is"):
        read_text(archive.getvalue(), name="week.zip")


def test_sensors_that_never_overlap_are_refused() -> None:
    t = np.arange(0, 5, 0.02)
    gyro = pd.DataFrame({"time": 1_700_000_000 + t, "x (rad/s)": np.sin(t), "y (rad/s)": t,
                         "z (rad/s)": t})
    accel = pd.DataFrame({"time": 1_700_000_100 + t, "x (g)": np.sin(t), "y (g)": t, "z (g)": t})
    files = [io.BytesIO(f.to_csv(index=False).encode()) for f in (gyro, accel)]
    for file, name in zip(files, ("gyro.csv", "accel.csv"), strict=True):
        file.name = name
    with pytest.raises(RecordingError, match="the sensors' files do not overlap in time"):
        read_recording(files)


CELLS = st.sampled_from(["", "nan", "1", "-0.5", "1e300", "inf", "abc", "1,5", "NaT", " 3 ",
                         "2024-01-01T00:00:00", "12345678901234567890", '"q"', "1.0.0"])
HEADERS = st.sampled_from(["time", "t", "timestamp", "seconds_elapsed", "gx", "gy", "gz", "ax",
                           "ay", "az", "x", "y", "z", "gravityX", "gravityY", "gravityZ",
                           "accelerationX", "quaternionW", "epoch (ms)", "x-axis (deg/s)",
                           "y-axis (deg/s)", "z-axis (deg/s)", "notes"])


@st.composite
def messy_files(draw: st.DrawFn) -> tuple[bytes, str]:
    if draw(st.booleans()):
        return draw(st.binary(max_size=200)), draw(st.sampled_from(["a.csv", "b.zip", "c.gz"]))
    columns = draw(st.lists(HEADERS, min_size=1, max_size=8, unique=True))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    rows = []
    for r in range(draw(st.sampled_from([0, 1, 5, 150]))):
        cells = [f"{r * 0.02:.2f}" if c in ("time", "t") else f"{np.sin(r + i):.3f}"
                 for i, c in enumerate(columns)]
        if draw(st.integers(0, 9)) == 0:
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
        rows.append(sep.join(cells[: draw(st.integers(len(cells) - 1, len(cells)))]))
    text = "\n".join([sep.join(columns), *rows])
    return text.encode(), draw(st.sampled_from(["a.csv", "Gyroscope.csv", "WristMotion.csv"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_files())
def test_any_messy_upload_gives_a_recording_or_a_recording_error(file: tuple[bytes, str]) -> None:
    data, name = file
    try:
        recording = read_recording(io.BytesIO(data), name=name)
    except RecordingError as error:
        assert str(error)
    else:
        assert recording.duration_s >= 2.0 and np.isfinite(recording.gyro).all()


def test_values_no_wrist_can_produce_are_refused() -> None:
    t = np.arange(0, 5, 0.02)
    frame = pd.DataFrame({"t": t, "gx (rad/s)": 500 * np.sin(t), "gy (rad/s)": t,
                          "gz (rad/s)": t})
    with pytest.raises(RecordingError, match=r"the gyroscope \(upload.csv\) reaches 500 rad/s, "
                                             "far beyond any wrist motion"):
        read_text(frame.to_csv(index=False))
