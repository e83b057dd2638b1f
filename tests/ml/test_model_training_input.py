"""Training refuses bad input with a message saying what and where (no Keras needed)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ml import train
from ml.activity_sets import TrainingDataError, training_data


def test_training_names_the_missing_dataset_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = train.main(["--datasets-dir", str(tmp_path), "--out", str(tmp_path / "m.keras")])
    assert status == 2
    err = capsys.readouterr().err
    assert "training failed" in err and str(tmp_path / "applewatch-gym") in err
    assert not (tmp_path / "m.keras").exists()


def test_training_names_a_label_outside_the_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "applewatch-gym"
    folder.mkdir()
    (tmp_path / "barbell-metamotion").mkdir()
    name = "010125_BURPEE_W0_S1_R10-2025-01-01_10-00-00.csv.gz"
    with gzip.open(folder / name, "wt") as handle:
        handle.write("secondsElapsed,reps,activity\n0.0,10,BURPEE\n")
    status = train.main(["--datasets-dir", str(tmp_path), "--out", str(tmp_path / "m.keras")])
    assert status == 2
    assert "'BURPEE'" in capsys.readouterr().err
    assert not (tmp_path / "m.keras").exists()


def test_asking_for_a_class_with_too_little_data_says_how_little(datasets_dir: Path) -> None:
    with pytest.raises(TrainingDataError, match="too little data for .*'lunge': 0.*at least 3"):
        training_data(["barbell-metamotion"], classes=["barbell_row", "lunge"])


def test_audited_labels_relabel_training_sets_and_leave_out_the_unnamed(
        datasets_dir: Path) -> None:
    from collections import Counter

    from ml.exercise_audit import load_corrections

    curls = ["dumbbell_wrist_curl", "preacher_curl"]
    as_labelled = training_data(["applewatch-gym"], classes=curls)
    audited = training_data(["applewatch-gym"], classes=curls, corrections=load_corrections())
    by_name = {s.name: s.exercise for s in audited.sets}
    assert by_name["011224_PREC_W7_5_S2_R10-2024-12-01_08-23-27"] == "dumbbell_wrist_curl"
    assert "011224_DWC_W7_5_S1_R12-2024-12-01_08-27-18" not in by_name  # no code fits it
    assert Counter(s.exercise for s in as_labelled.sets if s.exercise != "rest") == {
        "preacher_curl": 7, "dumbbell_wrist_curl": 5}
    assert Counter(s.exercise for s in audited.sets if s.exercise != "rest") == {
        "preacher_curl": 6, "dumbbell_wrist_curl": 5}
