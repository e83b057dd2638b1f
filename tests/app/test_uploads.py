"""Grouping uploaded files into recordings: a sensor pair is one recording, a zip of several
is one of each, anything else alone."""

from __future__ import annotations

from dataclasses import dataclass

from ml.recordings import Part
from ui.uploads import group_uploads, recording_label, recordings_on_page


@dataclass
class Upload:
    name: str


GYRO = "A-bench-heavy2_MetaWear_2019-01-14T14.27.00.784_C42732BE255C_Gyroscope_25.000Hz_1.4.4.csv"
ACCEL = GYRO.replace("Gyroscope_25.000Hz", "Accelerometer_12.500Hz")
OTHER_GYRO = GYRO.replace("heavy2", "heavy3")


def _names(groups: list[list[Upload]]) -> list[list[str]]:
    return [[u.name for u in group] for group in groups]


def test_metamotion_gyroscope_and_accelerometer_files_are_one_recording():
    groups = group_uploads([Upload(ACCEL), Upload("session.csv.gz"), Upload(GYRO)])
    assert _names(groups) == [[ACCEL, GYRO], ["session.csv.gz"]]
    assert recording_label(groups[0]) == f"{ACCEL} + {GYRO}"


def test_files_of_different_recordings_are_not_paired():
    groups = group_uploads([Upload(GYRO), Upload(OTHER_GYRO), Upload(ACCEL)])
    assert _names(groups) == [[GYRO, ACCEL], [OTHER_GYRO]]


def test_two_gyroscope_files_of_one_name_stay_apart():
    groups = group_uploads([Upload("Gyroscope.csv"), Upload("gyroscope.csv")])
    assert _names(groups) == [["Gyroscope.csv"], ["gyroscope.csv"]]


def test_sensor_logger_phone_pair_and_zip_files():
    groups = group_uploads(
        [Upload("Gyroscope.csv"), Upload("export.zip"), Upload("Accelerometer.csv")]
    )
    assert _names(groups) == [["Gyroscope.csv", "Accelerometer.csv"], ["export.zip"]]


@dataclass
class Uploaded:
    name: str
    file_id: str

    def getvalue(self) -> bytes:
        return b""


def test_each_recording_in_a_zip_of_several_is_one_on_the_page_named_after_its_file():
    week = Uploaded("week.zip", "f1")
    pair = [Uploaded(GYRO, "f2"), Uploaded(ACCEL, "f3")]
    parts = {"f1": [Part("monday.csv", ("week.zip/monday.csv",)),
                    Part("tuesday.csv", ("week.zip/tuesday.csv",))]}
    recordings = recordings_on_page([week, *pair], lambda f: parts.get(f.file_id, []))
    assert [(r.label, r.inside) for r in recordings] == [
        ("week.zip: monday.csv", ("week.zip/monday.csv",)),
        ("week.zip: tuesday.csv", ("week.zip/tuesday.csv",)),
        (f"{GYRO} + {ACCEL}", ()),
    ]
    # Each has a key of its own, the same on every rerun (it names the recording's widgets).
    assert len({r.key for r in recordings}) == 3
    again = recordings_on_page([week, *pair], lambda f: parts.get(f.file_id, []))
    assert [r.key for r in again] == [r.key for r in recordings]
