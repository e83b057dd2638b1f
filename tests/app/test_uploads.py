"""Grouping uploaded files into recordings: a sensor pair is one recording, anything else alone."""

from __future__ import annotations

from dataclasses import dataclass

from ui.uploads import group_uploads, recording_label


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
