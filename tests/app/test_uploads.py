"""Grouping uploaded files into recordings: a sensor pair is one recording, a zip of several
is one of each, anything else alone; a Strong or Hevy export is told apart and previewed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import appconfig
from journal.db import session_factory
from journal.store import count_sessions
from ml.recordings import Part
from ui.upload_flow import describe_export, prepare_export
from ui.uploads import (
    group_uploads,
    recording_label,
    recordings_on_page,
    upload_kind,
)

FIXTURES = Path(__file__).parents[1] / "journal" / "fixtures"
STRONG = (FIXTURES / "strong_export.csv").read_bytes()
HEVY = (FIXTURES / "hevy_export.csv").read_bytes()


@dataclass
class Upload:
    name: str


GYRO = "A-bench-heavy2_MetaWear_2019-01-14T14.27.00.784_C42732BE255C_Gyroscope_25.000Hz_1.4.4.csv"
ACCEL = GYRO.replace("Gyroscope_25.000Hz", "Accelerometer_12.500Hz")
OTHER_GYRO = GYRO.replace("heavy2", "heavy3")
#: What the MetaMotion pair's files share: the recording's name on the page.
PAIR = "A-bench-heavy2_MetaWear_2019-01-14T14.27.00.784_C42732BE255C"


def _names(groups: list[list[Upload]]) -> list[list[str]]:
    return [[u.name for u in group] for group in groups]


def test_metamotion_gyroscope_and_accelerometer_files_are_one_recording():
    groups = group_uploads([Upload(ACCEL), Upload("session.csv.gz"), Upload(GYRO)])
    assert _names(groups) == [[ACCEL, GYRO], ["session.csv.gz"]]
    # Named by what the two share: both full names made a heading of four lines.
    assert recording_label(groups[0]) == PAIR
    phone_pair = group_uploads([Upload("Gyroscope.csv"), Upload("Accelerometer.csv")])
    assert recording_label(phone_pair[0]) == "Gyroscope.csv + Accelerometer.csv"


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
        (PAIR, ()),
    ]
    # A phone names the zip once, above its recordings, and each by its own name.
    assert [(r.archive, r.name) for r in recordings] == [
        ("week.zip", "monday.csv"), ("week.zip", "tuesday.csv"), ("", PAIR)]
    # Each has a key of its own, the same on every rerun (it names the recording's widgets).
    assert len({r.key for r in recordings}) == 3
    again = recordings_on_page([week, *pair], lambda f: parts.get(f.file_id, []))
    assert [r.key for r in again] == [r.key for r in recordings]


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def test_an_export_is_told_from_recordings_by_its_header():
    @dataclass
    class Dropped:
        name: str
        data: bytes
        file_id: str = "1"

        def getvalue(self) -> bytes:
            return self.data

    strong, hevy = upload_kind(Dropped("strong.csv", STRONG)), upload_kind(
        Dropped("workouts.csv", HEVY))
    assert [e.name for e in strong.exports] == ["strong.csv"] and not strong.recording
    assert [e.name for e in hevy.exports] == ["workouts.csv"] and not hevy.recording
    watch = upload_kind(Dropped("watch.csv", b"time,gx,gy,gz\n0,0,0,0\n"))
    assert watch.exports == () and watch.recording


def test_an_export_is_previewed_and_described_without_writing(journal_engine):
    prepared = prepare_export(_named(STRONG, "strong.csv"), "strong.csv", journal_engine)
    assert prepared.error is None and prepared.preview is not None
    assert describe_export(prepared.preview) == (
        "Strong export: 2 workouts, 5 sets, 5 – 7 Mar 2024")
    header_only = STRONG.split(b"\n")[0]
    empty = prepare_export(_named(header_only, "s.csv"), "s.csv", journal_engine)
    assert empty.preview is not None
    assert describe_export(empty.preview) == "Strong export without any workout"
    with session_factory(journal_engine)() as db:
        assert count_sessions(db) == 0


def test_an_export_over_the_upload_limit_is_refused_as_a_recording_would_be(
    journal_engine, monkeypatch
):
    monkeypatch.setattr(appconfig, "MAX_UPLOAD_MB", 0.0001)
    prepared = prepare_export(_named(STRONG, "strong.csv"), "strong.csv", journal_engine)
    assert prepared.error == (
        "strong.csv is 0.0 MB, over the 0.0001 MB upload limit (MAX_UPLOAD_MB)")
    assert prepared.preview is None
