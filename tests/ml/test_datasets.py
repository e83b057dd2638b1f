"""The shared datasets listed as labelled sets, with the counts their README states."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from journal import exercises
from ml import datasets

README_SETS_PER_CODE = {
    "APULL": 26, "IDBC": 16, "SAOCTE": 15, "30DBP": 15, "SACLR": 13, "NGCR": 10, "MTE": 10,
    "SBLP": 7, "PREC": 7, "DSP": 7, "CGCR": 7, "DWC": 5, "MGTBR": 4, "SAODTE": 3, "MSP": 3,
    "MIBP": 3, "45DBP": 3, "DLR": 2, "30BP": 2, "CGOCTE": 1, "AIDBC": 1,
}


def test_applewatch_sets_match_the_readme(datasets_dir: Path) -> None:
    sets = datasets.applewatch_sets(datasets_dir)
    assert len(sets) == 160
    assert Counter(s.label for s in sets) == README_SETS_PER_CODE
    assert sum(s.reps or 0 for s in sets) == 1840
    assert all(s.reps_exact and s.participant == "AW" for s in sets)
    assert {s.day for s in sets} >= {date(2024, 11, 23), date(2025, 1, 10)}
    assert min(s.day for s in sets) == date(2024, 11, 23)
    for labelled in sets:
        assert exercises.get(labelled.exercise_id).dataset_labels == (
            f"applewatch-gym:{labelled.label}",
        )


def test_applewatch_labels_come_from_name_and_columns(datasets_dir: Path) -> None:
    by_name = {s.name: s for s in datasets.applewatch_sets(datasets_dir)}
    pull = by_name["011224_APULL_W63_5_S2_R12-2024-12-01_07-41-19"]
    assert (pull.weight_kg, pull.set_number, pull.reps, pull.day) == (
        63.5, 2, 12, date(2024, 12, 1))
    assert pull.exercise_id == "assisted_pull_up"
    # The three files with an empty reps column and the count without "R" in the name.
    for name, reps in (("011224_CGCR_W52_S2_12-2024-12-01_07-57-14", 12),
                       ("261124_30DBP_W17_5_S2_17-2024-11-26_13-22-15", 17),
                       ("291124_DLR_W4_S2_12-2024-11-29_15-40-18", 12)):
        assert by_name[name].reps == reps


def test_barbell_pairs_gyroscope_with_accelerometer(datasets_dir: Path) -> None:
    sets = datasets.barbell_sets(datasets_dir)
    assert len(sets) == 59 and datasets.barbell_unpaired(datasets_dir) == []
    assert {s.participant for s in sets} == {"A", "B", "C", "D"}
    for labelled in sets:
        gyro, accel = labelled.paths
        assert "_Gyroscope_" in gyro.name and "_Accelerometer_" in accel.name
        assert gyro.name.split("_MetaWear_")[0] == accel.name.split("_MetaWear_")[0]
        assert not labelled.reps_exact
    reps = Counter((s.label, s.reps) for s in sets)
    assert reps[("rest", None)] == 2
    assert {r for (label, r) in reps if label != "rest"} == {5, 10}
    heavy = next(s for s in sets if s.name.startswith("A-bench-heavy2-rpe8"))
    assert (heavy.reps, heavy.set_number, heavy.exercise_id, heavy.day) == (
        5, 2, "barbell_bench_press", date(2019, 1, 11))


def test_barbell_pairing_tolerates_slightly_different_start_times(tmp_path: Path,
                                                                 datasets_dir: Path) -> None:
    source = datasets_dir / "barbell-metamotion"
    folder = tmp_path / "barbell-metamotion"
    folder.mkdir()
    prefix = "A-bench-heavy2-rpe8_MetaWear_2019-01-11T16.10.08.270_C42732BE255C"
    gyro = next(source.glob(f"{prefix}_Gyroscope_*"))
    accel = next(source.glob(f"{prefix}_Accelerometer_*"))
    (folder / gyro.name).symlink_to(gyro)
    (folder / accel.name.replace("16.10.08.270", "16.10.09.950")).symlink_to(accel)
    lone = "B-row-medium_MetaWear_2019-01-14T15.01.39.689_C42732BE255C_Gyroscope_25.000Hz_1.4.4.csv"
    (folder / lone).symlink_to(gyro)
    (folder / "A-bench-heavy2-rpe8_MetaWear_2019-01-11T16.10.30.000_C42732BE255C_Accelerometer_"
              "12.500Hz_1.4.4.csv").symlink_to(accel)  # 21 s later: a different recording
    sets = datasets.barbell_sets(tmp_path)
    assert len(sets) == 1 and sets[0].paths[1].name.count("16.10.09.950") == 1
    assert sorted(p.name[:12] for p in datasets.barbell_unpaired(tmp_path)) == [
        "A-bench-heav", "B-row-medium"]


def test_missing_dataset_folder_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(datasets.DatasetNotFoundError, match="set WRIST_DATASETS_DIR") as caught:
        datasets.applewatch_sets(tmp_path)
    assert str(tmp_path / "applewatch-gym") in str(caught.value)
    with pytest.raises(FileNotFoundError, match="barbell-metamotion recordings are not at"):
        datasets.barbell_sets(tmp_path)


def test_load_reads_once_and_gives_canonical_recordings(datasets_dir: Path) -> None:
    apple = datasets.applewatch_sets(datasets_dir)[0]
    barbell = datasets.barbell_sets(datasets_dir)[0]
    first = datasets.load(apple)
    assert datasets.load(apple) is first
    for recording in (first, datasets.load(barbell)):
        assert recording.sample_rate_hz == 50.0 and recording.accel is not None
        assert np.median(np.linalg.norm(recording.accel, axis=1)) == pytest.approx(1.0, abs=0.1)


def test_label_corrections_name_real_sets_and_their_current_labels(datasets_dir: Path) -> None:
    # A typo in a corrected name would silently drop the correction from the audited figures.
    from ml.eval_counting import CORRECTIONS_PATH, load_corrections

    by_name = {s.name: s for s in datasets.applewatch_sets(datasets_dir)}
    with CORRECTIONS_PATH.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and len(load_corrections()) == len(rows)
    for row in rows:
        assert row["name"] in by_name, row["name"]
        assert by_name[row["name"]].reps == int(row["original_reps"]), row["name"]
        assert int(row["audited_reps"]) != int(row["original_reps"]) and row["reason"].strip()


def test_exercise_label_corrections_name_real_sets_and_their_current_labels(
        datasets_dir: Path) -> None:
    # A typo in a corrected name or code would silently drop the correction from the audit.
    from ml.exercise_audit import load_corrections

    by_name = {s.name: s for s in datasets.applewatch_sets(datasets_dir)}
    corrections = load_corrections()
    assert corrections
    for (dataset, name), correction in corrections.items():
        assert dataset == datasets.APPLEWATCH and name in by_name, name
        assert by_name[name].exercise_id == correction.original, name
        assert correction.audited != correction.original and correction.reason.strip()
