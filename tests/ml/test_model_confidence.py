"""Choosing the set confidence on held-out decisions (``python -m ml.evaluate confidence``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ml.eval_confidence import _raw, held_out_named, main


def _decision(group: str, score: float, right: bool, variant_right: bool = True,
              dataset: str = "applewatch-gym") -> dict[str, Any]:
    return {"dataset": dataset, "group": group, "seed": 0, "with_personal_model": False,
            "family_probability": score, "family_vote_share": score, "family_right": right,
            "variant_probability": score, "used_prior": False,
            "exercise_right": right and variant_right}


def test_each_day_meets_a_threshold_chosen_without_its_own_sets() -> None:
    # Day 1's unsure sets are all right, days 2 and 3's all wrong: day 1 is told to hide its unsure
    # sets by the others, and days 2 and 3 (seeing day 1's many right ones) to name them.
    records = ([_decision("1", 0.3, True)] * 20 + [_decision("1", 0.9, True)] * 5
               + [_decision("2", 0.3, False)] * 5 + [_decision("2", 0.9, True)] * 5
               + [_decision("3", 0.3, False)] * 5 + [_decision("3", 0.9, True)] * 5)
    _, named, chosen = held_out_named(records, "family", _raw("family_probability"), None,
                                      cost_of_wrong=3.0)
    assert chosen["applewatch-gym:1"] == pytest.approx(0.31)
    assert chosen["applewatch-gym:2"] == chosen["applewatch-gym:3"] == 0.0
    assert named.sum() == 5 + 10 + 10  # day 1's 20 unsure sets hidden


def _report(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    decisions = []
    for groups in ("abc", "AB"):  # three days, then two participants
        for group in groups:
            for score in rng.random(30):
                decisions.append({k: v for k, v in _decision(
                    group, float(score), bool(rng.random() < score), bool(rng.random() < score),
                ).items() if k != "dataset"})
    report = {"command": "python -m ml.evaluate activity --methods ours",
              "rows": [{"dataset": "applewatch-gym", "set_decisions": decisions[:90]},
                       {"dataset": "barbell-metamotion", "set_decisions": decisions[90:]}]}
    path = tmp_path / "activity.json"
    path.write_text(json.dumps(report))
    return path


def test_the_confidence_evaluation_reports_every_rule_per_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "confidence.json"
    assert main(["confidence", "--report", str(_report(tmp_path)), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "leave-one-group-out over 5 groups" in printed
    rows = json.loads(out.read_text())["rows"]
    assert {(r["dataset"], r["level"]) for r in rows} == {
        (d, lvl) for d in ("applewatch-gym", "barbell-metamotion")
        for lvl in ("family", "exercise", "shown")}
    assert any(r["rule"].startswith("calibrated") for r in rows)
    for r in rows:
        assert r["n"] > 0 and 0.0 <= r["ece"] <= 1.0
        if r["level"] != "shown":
            assert 0.0 <= r["named_share"] <= 1.0
    assert "shown confidence" in printed


def test_a_report_without_set_decisions_says_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"rows": [{"dataset": "applewatch-gym"}]}))
    with pytest.raises(SystemExit, match="python -m ml.evaluate activity"):
        main(["confidence", "--report", str(path), "--out", str(tmp_path / "c.json")])
