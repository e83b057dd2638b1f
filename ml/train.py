"""``python -m ml.train``: build the shipped activity model and its card from the real datasets.

Seeded and reproducible on one machine: the same data, seed and library versions give the same
file. Reads ``appconfig.DATASETS_DIR`` in place, writes ``data/models/activity.keras`` and the
card ``activity.json`` (classes, training sets with SHA-256, recipe, thresholds, versions, and the
held-out evaluation of ``python -m ml.evaluate activity`` when it was run with this recipe).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

import appconfig
from journal.exercises import family_of, get
from ml import datasets
from ml.activity_data import build_table, wide_samples_for
from ml.activity_decision import DecisionThresholds
from ml.activity_fit import NETWORKS
from ml.activity_sets import SHIPPED_DATASETS, TrainingDataError, training_data
from ml.provenance import library_versions, machine
from ml.windowing import CHANNELS, WindowSpec

#: Kept out of the shipped model so a test can check it on a real pull-up set it never saw:
#: the only assisted pull-up set of the last recording day (2025-01-13).
HELD_OUT_SETS: tuple[str, ...] = ("130125_APULL_W61_S1_R10-2025-01-13_16-22-26",)

EVALUATION_REPORT = appconfig.REPO_ROOT / "reports" / "activity_evaluation.json"


def _report_of_recipe(path: Path, recipe: dict[str, Any], spec: WindowSpec,
                      ensemble: int = 1) -> dict[str, Any]:
    """The evaluation report at ``path`` when it was run with this recipe, window and number of
    networks averaged, else {}."""
    if not path.is_file():
        return {}
    report: dict[str, Any] = json.loads(path.read_text())
    if (report.get("recipe") != recipe or report.get("window") != spec.to_dict()
            or report.get("ensemble", 1) != ensemble):
        return {}
    return report


def _stopping_text(recipe: dict[str, Any]) -> str:
    """How a training run of ``recipe`` decides when to stop, for the card's protocol."""
    if recipe["validation_fraction"]:
        return (f"{recipe['validation_fraction']:.0%} of the sets of each class (seeded) held "
                "out to stop training early.")
    return (f"no set is held out: training stops when the training loss has not fallen for "
            f"{recipe['patience']} epochs, or after {recipe['epochs']}, keeping the weights of "
            "its lowest training loss.")


def _ensemble_text(seeds: list[int]) -> str:
    """The card's sentence on averaged networks ("" for one network)."""
    if len(seeds) == 1:
        return ""
    return (f" The model is the mean of the class probabilities of {len(seeds)} networks trained "
            f"so, with seeds {seeds}.")


def _evaluation_from_report(recipe: dict[str, Any], spec: WindowSpec,
                            ensemble: int = 1) -> dict[str, Any]:
    """The card's evaluation fields from the last complete evaluation run with this recipe: its
    ``evaluation`` list (empty when there is none: the card then says so), the command that
    produced it and the machine it ran on."""
    from ml.eval_activity import card_entries

    report = _report_of_recipe(EVALUATION_REPORT, recipe, spec, ensemble)
    if not report.get("complete"):
        return {"evaluation": []}
    return {"evaluation": card_entries(report["rows"]),
            "evaluation_command": report.get("command"),
            "evaluation_machine": report.get("machine")}


def _confidence_from_report(recipe: dict[str, Any], spec: WindowSpec,
                            ensemble: int = 1) -> dict[str, Any] | None:
    """The card's ``confidence`` from the last ``python -m ml.evaluate confidence`` run on this
    recipe's held-out decisions, or None."""
    from ml.eval_confidence import CONFIDENCE_REPORT

    entry: dict[str, Any] | None = _report_of_recipe(CONFIDENCE_REPORT, recipe, spec,
                                                     ensemble).get("card_entry")
    return entry


def train(
    out: Path, *, seed: int = 0, spec: WindowSpec | None = None,
    which: tuple[str, ...] = SHIPPED_DATASETS,
    root: Path | None = None,
    log: Any = print,
    ensemble: int = NETWORKS,
) -> dict[str, Any]:
    """Train on every chosen set except ``HELD_OUT_SETS``, save model and card; return the card.

    With ``ensemble`` > 1 the model is the mean of that many networks, trained alike with the
    seeds ``ml.activity_fit.member_seeds`` gives (``seed`` 0: 0 to ``ensemble`` - 1), the networks
    ``python -m ml.evaluate activity --ensemble`` evaluates for that seed."""
    from ml.activity_fit import RECIPE, fit_averaged, member_seeds
    from ml.model import ActivityModel

    spec = spec or WindowSpec()
    started = time.perf_counter()
    data = training_data(which, root=root, exclude_names=HELD_OUT_SETS)
    log(f"{len(data.sets)} sets, classes {list(data.classes)}; left out (< 3 sets): "
        f"{data.excluded or 'none'}; held out for the test: {list(HELD_OUT_SETS)}")
    table = build_table(data.sets, data.classes, spec, wide_samples=wide_samples_for(spec))
    log(f"{table.labels.size} windows of {spec.window_s:g} s every {spec.hop_s:g} s")
    network, fitted = fit_averaged(table, np.ones(len(data.sets), dtype=bool), seed=seed,
                                   networks=ensemble, log=log)
    seeds = member_seeds(seed, ensemble)
    infos = [{k: v for k, v in f.info.items() if k != "history"} for f in fitted]
    model = ActivityModel(network, data.classes, spec, DecisionThresholds())
    by_name = {s.name: s for s in data.sets}
    card: dict[str, Any] = {
        "version": f"activity-{datetime.now(UTC):%Y%m%d}",
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "classes": list(data.classes),
        "class_names": {c: get(c).name for c in data.classes},
        "families": {c: family_of(c) for c in data.classes},
        "channels": list(CHANNELS),
        "input": "canonical 50 Hz recording: gyroscope rad/s, total acceleration g",
        "protocol": (
            "Trained on every set of the listed datasets whose exercise has at least 3 sets, "
            f"except {', '.join(HELD_OUT_SETS)} (kept unseen for the app's tests); "
            f"{_stopping_text(RECIPE)}{_ensemble_text(seeds)} Rest: the idle edges of "
            "applewatch-gym files and the barbell-metamotion rest recordings. The measured "
            "accuracy comes from python -m ml.evaluate activity, which trains afresh with each "
            "day or participant held out."
        ),
        "held_out_sets": list(HELD_OUT_SETS),
        "excluded_labels": data.excluded,
        "training_data": [
            {"name": name, "dataset": by_name[name].dataset, "exercise": by_name[name].exercise,
             "group": by_name[name].group, "sha256": sha}
            for name, sha in data.hashes
        ],
        "recipe": RECIPE,
        "seed": seed,
        **({"ensemble": {"networks": ensemble, "seeds": seeds}} if ensemble > 1 else {}),
        "training": infos[0] if ensemble == 1 else {"networks": infos},
        "training_minutes": round((time.perf_counter() - started) / 60, 1),
        "libraries": library_versions(),
        "machine": machine(),
        "command": "python -m ml.train " + " ".join(sys.argv[1:]),
        **_evaluation_from_report(RECIPE, spec, ensemble),
    }
    confidence = _confidence_from_report(RECIPE, spec, ensemble)
    if confidence is not None:
        card["confidence"] = confidence
    if not card["evaluation"]:
        card["evaluation_note"] = (
            "no complete `python -m ml.evaluate activity` run with this recipe yet; run it to fill "
            "the evaluation list"
        )
    model.save(out, card)
    log(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB) and {out.with_suffix('.json').name}")
    return model.card


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    if "--from-journal" in args_list:  # retrain from the user's corrections (ml.learning)
        from ml.learning import main_from_journal

        return main_from_journal(args_list)
    parser = argparse.ArgumentParser(prog="python -m ml.train", description=__doc__,
                                     epilog="--from-journal [--athlete NAME]: retrain from "
                                            "the sets corrected in the journal (ml.learning)")
    parser.add_argument("--out", type=Path, default=appconfig.MODEL_PATH)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ensemble", type=int, default=NETWORKS, metavar="K",
                        help="average K networks trained with seeds K*SEED..K*SEED+K-1")
    parser.add_argument("--datasets-dir", type=Path, default=None,
                        help=f"the shared datasets (default {appconfig.DATASETS_DIR})")
    parser.add_argument("--window-s", type=float, default=WindowSpec().window_s)
    parser.add_argument("--hop-s", type=float, default=WindowSpec().hop_s)
    args = parser.parse_args(argv)
    os.nice(10)  # a shared machine: training yields to interactive work
    try:
        train(args.out, seed=args.seed, spec=WindowSpec(args.window_s, args.hop_s),
              root=args.datasets_dir, ensemble=args.ensemble)
    except (TrainingDataError, datasets.DatasetNotFoundError, ValueError) as exc:
        print(f"training failed: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
