"""Audited exercise labels: the answer key of the activity evaluation (pure, no Keras)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.activity_data import IGNORED, SetSignal
from ml.activity_metrics import HeldOut, score
from ml.exercise_audit import ExerciseCorrection, audited, load_corrections

CLASSES = ("preacher_curl", "dumbbell_wrist_curl", "close_grip_cable_row", "rest")
HEADER = "dataset,name,original_code,audited_code,reason\n"


def _set(name: str, exercise: str) -> SetSignal:
    return SetSignal(name, "applewatch-gym", exercise, "2024-12-01", np.zeros((10, 6)), True)


SETS = [_set("a", "preacher_curl"), _set("b", "preacher_curl"), _set("c", "close_grip_cable_row")]


def _held_out() -> HeldOut:
    # Set 0 is a preacher curl named right; set 1 "preacher curl" is named wrist curl, as its
    # signal says; set 2 "cable row" is named preacher curl. Set 1 has a rest window at its edge.
    probs = np.array([[0.9, 0.1, 0.0, 0.0], [0.1, 0.8, 0.0, 0.1], [0.0, 0.0, 0.0, 1.0],
                      [0.7, 0.1, 0.2, 0.0]])
    return HeldOut(probs, np.array([0, 0, 3, 2]), np.array([0, 1, 1, 2]),
                   {0: "preacher_curl", 1: "preacher_curl", 2: "close_grip_cable_row"})


def test_audited_labels_change_the_answer_key_not_the_predictions() -> None:
    corrections = {
        ("applewatch-gym", "b"): ExerciseCorrection("preacher_curl", "dumbbell_wrist_curl", "r"),
        ("applewatch-gym", "c"): ExerciseCorrection("close_grip_cable_row", None, "r"),
    }
    held = _held_out()
    fixed = audited(held, SETS, CLASSES, corrections)
    assert fixed.set_truth == {0: "preacher_curl", 1: "dumbbell_wrist_curl"}
    assert fixed.window_labels.tolist() == [0, 1, 3, IGNORED]  # the rest window stays rest
    assert fixed.probs is held.probs
    assert score(held, CLASSES, level="exercise")["set_accuracy"] == pytest.approx(1 / 3)
    audited_score = score(fixed, CLASSES, level="exercise")
    assert audited_score["set_accuracy"] == 1.0 and audited_score["n_sets"] == 2
    assert held.set_truth[1] == "preacher_curl"  # the original is left as it was


def test_a_correction_of_another_label_is_refused() -> None:
    corrections = {("applewatch-gym", "a"): ExerciseCorrection("dumbbell_wrist_curl", None, "r")}
    with pytest.raises(ValueError, match="expects 'dumbbell_wrist_curl'.*'preacher_curl'"):
        audited(_held_out(), SETS, CLASSES, corrections)


def test_corrections_file_maps_codes_to_catalog_ids(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + 'applewatch-gym,x,PREC,DWC,"same angle as the wrist curls"\n'
                    "applewatch-gym,y,DWC,,like no code\n")
    assert load_corrections(path) == {
        ("applewatch-gym", "x"): ExerciseCorrection("preacher_curl", "dumbbell_wrist_curl",
                                                    "same angle as the wrist curls"),
        ("applewatch-gym", "y"): ExerciseCorrection("dumbbell_wrist_curl", None, "like no code"),
    }


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "applewatch-gym,x,PREC,CURLZ,reason\n", r"line 2: label 'CURLZ'"),
    (HEADER + "applewatch-gym,x,PREC,DWC,\n", "line 2: a correction needs its reason"),
    ("dataset,name,reason\n", r"missing columns \['original_code', 'audited_code'\]"),
])
def test_a_bad_corrections_file_says_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_corrections(path)


def test_the_audit_finds_a_wrist_curl_filed_as_a_preacher_curl(datasets_dir: Path) -> None:
    from ml import datasets
    from ml.exercise_audit import orientation_suspects

    curls = [s for s in datasets.applewatch_sets(datasets_dir) if s.label in ("PREC", "DWC")]
    suspects = {name: nearest[0][0] for name, _, _, nearest in orientation_suspects(curls)}
    # Filed as a preacher curl, held like the wrist curls of three other days.
    assert suspects["011224_PREC_W7_5_S2_R10-2024-12-01_08-23-27"] == "DWC"
    assert "241124_PREC_W7_5_S1_R14-2024-11-24_08-16-33" not in suspects
