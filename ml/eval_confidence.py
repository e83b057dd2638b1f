"""``python -m ml.evaluate confidence``: the confidence the app shows beside a set's exercise, and
where it says "unknown" instead.

Nothing is trained here. It reads the held-out set decisions that ``python -m ml.evaluate
activity`` writes into its report (``set_decisions``): every counted set of every held-out
applewatch-gym day and barbell-metamotion participant, every seed, decided as the app decides
(the network alone, and on applewatch-gym also with the person's personal model).

Protocol, printed beside every figure: leave-one-group-out over the groups of both datasets (a
recording day or a participant). The calibration or threshold that a group's sets meet is fitted
on the other groups' sets only (all seeds), so no set helps choose its own rule.

What is compared, at the family level:

* the mean family probability against a threshold (the rule shipped before, 0.6; and with the
  threshold chosen on the other groups);
* the share of the set's windows that vote for the family, against a chosen threshold;
* ``ml.activity_decision.ConfidenceCalibration``: a logistic fit of "the family is right" on the
  mean family probability (the shipped confidence), and on it and the vote share. It is a
  probability the user can read ("of sets shown at 90%, 9 in 10 were right"). A set is named when
  naming it costs less than asking: a wrong name costs ``--cost-of-wrong`` times an unknown (the
  user must notice it, and until then the journal's search is wrong), so the calibrated
  threshold is 1 - 1/cost.

At the variant level, over the sets whose family is right: the variant's share within its
family against 0.4 (shipped) and against a chosen threshold. And the confidence the app shows
(calibrated family x variant share) against "the exercise is right": mean, calibration error.
The card's ``confidence`` records the shipped rule's figures (when the report's recipe is the
card's).

Chosen thresholds minimise (unknown sets + cost x wrongly named sets) on the other groups.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import appconfig
from ml.activity_decision import (
    COST_OF_WRONG,
    SHIPPED_FAMILY_CALIBRATION,
    ConfidenceCalibration,
    DecisionThresholds,
    calibration_features,
    fit_calibration,
    logit,
)
from ml.eval_activity import REPORTS, card_of_recipe
from ml.model import card_path_for

Record = Mapping[str, Any]
#: A score of a set decision; higher means surer.
Score = Callable[[Sequence[Record], Sequence[Record]], np.ndarray]
GRID = np.round(np.arange(0.0, 1.0001, 0.01), 2)
CONFIDENCE_REPORT = REPORTS / "confidence_evaluation.json"


def decisions_of(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The held-out set decisions of an activity report, each with its dataset."""
    out = []
    for row in report["rows"]:
        for d in row.get("set_decisions", []):
            out.append({"dataset": row["dataset"], **d})
    if not out:
        raise SystemExit("the report holds no set decisions: run `python -m ml.evaluate activity "
                         "--methods ours` (with --replay DIR to reuse trained folds) first")
    return out


def _level_features(records: Sequence[Record], level: str,
                    with_vote_share: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Calibration inputs (n, k) and the outcome "right" (n,) of ``records`` at ``level``: the
    logit of the mean family probability (and of the vote share), or of the variant's share."""
    if level == "family":
        return (calibration_features(
                    np.array([r["family_probability"] for r in records]),
                    np.array([r["family_vote_share"] for r in records]) if with_vote_share
                    else None),
                np.array([r["family_right"] for r in records]))
    return (logit(np.array([r["variant_probability"] for r in records]))[:, None],
            np.array([r["exercise_right"] for r in records]))


def _raw(key: str) -> Score:
    return lambda fit_on, scored: np.array([r[key] for r in scored])


def _calibrated(with_vote_share: bool = False, floor: float = 0.0) -> Score:
    """The family's calibrated probability, fitted on ``fit_on``; below ``floor`` of mean family
    probability that probability itself (``DecisionThresholds.family_floor``)."""
    def score(fit_on: Sequence[Record], scored: Sequence[Record]) -> np.ndarray:
        calibration = fit_calibration(*_level_features(fit_on, "family", with_vote_share))
        calibrated = calibration.probability(
            _level_features(scored, "family", with_vote_share)[0])
        raw = np.array([r["family_probability"] for r in scored])
        return np.where(raw >= floor, calibrated, raw)
    return score


def cost(right: np.ndarray, named: np.ndarray, cost_of_wrong: float) -> float:
    """What the user pays per set: 1 per unknown set, ``cost_of_wrong`` per wrong name."""
    return float(((~named).sum() + cost_of_wrong * (named & ~right).sum()) / max(1, right.size))


def best_threshold(scores: np.ndarray, right: np.ndarray, cost_of_wrong: float) -> float:
    """The threshold of ``GRID`` with the least cost (ties: the lowest, naming more)."""
    costs = [cost(right, scores >= t, cost_of_wrong) for t in GRID]
    return float(GRID[int(np.argmin(costs))])


def held_out_named(
    records: Sequence[Record], level: str, score: Score, threshold: float | None,
    cost_of_wrong: float,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Every record's score and whether it is named, each group's from a rule fitted on the
    other groups: the score's fit, and the threshold (``None``: chosen there too).

    Returns scores (n,), named (n,) and the threshold each group got."""
    groups = np.array([f"{r['dataset']}:{r['group']}" for r in records])
    right = _level_features(records, level)[1]
    scores = np.zeros(len(records))
    named = np.zeros(len(records), bool)
    chosen: dict[str, float] = {}
    for g in sorted(set(groups)):
        inside = groups == g
        others = [r for r, keep in zip(records, ~inside, strict=True) if keep]
        own = [r for r, keep in zip(records, inside, strict=True) if keep]
        scores[inside] = score(others, own)
        if threshold is None:
            chosen[g] = best_threshold(score(others, others), right[~inside], cost_of_wrong)
        else:
            chosen[g] = threshold
        named[inside] = scores[inside] >= chosen[g]
    return scores, named, chosen


def reliability(scores: np.ndarray, right: np.ndarray, bins: int = 10) -> tuple[float, float]:
    """Brier score and expected calibration error (equal-width bins) of a confidence."""
    brier = float(np.mean((scores - right) ** 2))
    edges = np.minimum((scores * bins).astype(int), bins - 1)
    ece = sum(abs(scores[edges == b].mean() - right[edges == b].mean()) * (edges == b).mean()
              for b in range(bins) if (edges == b).any())
    return brier, float(ece)


def summary(right: np.ndarray, named: np.ndarray, cost_of_wrong: float) -> dict[str, float]:
    wrong = ~right
    return {
        "n": int(right.size),
        "named_share": float(named.mean()),
        "named_accuracy": float(right[named].mean()) if named.any() else float("nan"),
        "wrong_caught": float((~named & wrong).sum() / max(1, wrong.sum())),
        "n_wrong": int(wrong.sum()),
        "right_hidden": float((~named & right).sum() / max(1, right.sum())),
        "cost_per_set": cost(right, named, cost_of_wrong),
    }


def shipped_family_rule(cost_of_wrong: float) -> str:
    """The name of the app's family rule in ``rules``: the calibrated confidence against
    1 - 1/cost, uncalibrated below ``DecisionThresholds.family_floor``."""
    return (f"calibrated >= {1 - 1 / cost_of_wrong:.2f}, floor "
            f"{DecisionThresholds().family_floor:g} (shipped)")


def rules(level: str, cost_of_wrong: float) -> dict[str, tuple[Score, float | None]]:
    """Rule name -> (score, threshold or None to choose it on the other groups)."""
    if level == "exercise":
        return {"variant share >= 0.4 (shipped)": (_raw("variant_probability"), 0.4),
                "variant share >= chosen": (_raw("variant_probability"), None)}
    calibrated = 1 - 1 / cost_of_wrong
    floor = DecisionThresholds().family_floor
    return {
        "mean probability >= 0.6 (shipped before)": (_raw("family_probability"), 0.6),
        "mean probability >= chosen": (_raw("family_probability"), None),
        "vote share >= chosen": (_raw("family_vote_share"), None),
        f"calibrated >= {calibrated:.2f} (1 - 1/cost)": (_calibrated(), calibrated),
        shipped_family_rule(cost_of_wrong): (_calibrated(floor=floor), calibrated),
        f"calibrated with vote share >= {calibrated:.2f}": (_calibrated(True), calibrated),
    }


def shown_confidence(records: Sequence[Record]) -> np.ndarray:
    """What the app shows beside each set (the family's calibrated probability, fitted on the
    other groups, times the variant's share), per record (n,)."""
    family, _, _ = held_out_named(records, "family",
                                  _calibrated(floor=DecisionThresholds().family_floor), 1.0,
                                  COST_OF_WRONG)
    return family * np.array([r["variant_probability"] for r in records])


def evaluate(records: Sequence[Record], cost_of_wrong: float) -> list[dict[str, Any]]:
    """One row per level, rule, model (network alone / with personal model) and dataset."""
    rows = []
    for personal in (False, True):
        chosen_records = [r for r in records if r["with_personal_model"] == personal]
        if not chosen_records:
            continue
        for level in ("family", "exercise"):
            # The variant is asked about only where the family is right.
            level_records = (chosen_records if level == "family"
                             else [r for r in chosen_records if r["family_right"]])
            right = _level_features(level_records, level)[1]
            datasets = np.array([r["dataset"] for r in level_records])
            for rule, (score, threshold) in rules(level, cost_of_wrong).items():
                scores, named, chosen = held_out_named(level_records, level, score, threshold,
                                                       cost_of_wrong)
                for dataset in sorted(set(datasets)):
                    inside = datasets == dataset
                    brier, ece = reliability(np.clip(scores[inside], 0, 1), right[inside])
                    rows.append({
                        "model": "network + personal model" if personal else "network alone",
                        "level": level, "rule": rule, "dataset": dataset,
                        **summary(right[inside], named[inside], cost_of_wrong),
                        "brier": brier, "ece": ece,
                        "thresholds_chosen": sorted(set(chosen.values())),
                    })
        # The confidence shown beside a named exercise, against "the exercise is right".
        shown = shown_confidence(chosen_records)
        exercise_right = np.array([r["exercise_right"] for r in chosen_records])
        datasets = np.array([r["dataset"] for r in chosen_records])
        for dataset in sorted(set(datasets)):
            inside = datasets == dataset
            brier, ece = reliability(shown[inside], exercise_right[inside])
            rows.append({
                "model": "network + personal model" if personal else "network alone",
                "level": "shown", "rule": "calibrated family x variant share", "dataset": dataset,
                "n": int(inside.sum()), "brier": brier, "ece": ece,
                "mean_confidence": float(shown[inside].mean()),
                "exercise_accuracy": float(exercise_right[inside].mean())})
    return rows


def table_text(rows: Sequence[Mapping[str, Any]]) -> str:
    head = (f"{'model':24s} {'level':8s} {'dataset':18s} {'rule':44s} {'named':>6s} "
            f"{'right':>6s} {'caught':>9s} {'hidden':>7s} {'cost':>6s} {'ECE':>6s}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if r["level"] == "shown":
            continue
        caught = f"{r['wrong_caught']:.2f}/{r['n_wrong']}"
        lines.append(f"{r['model']:24s} {r['level']:8s} {r['dataset']:18s} {r['rule']:44s} "
                     f"{r['named_share']:6.3f} {r['named_accuracy']:6.3f} {caught:>9s} "
                     f"{r['right_hidden']:7.3f} {r['cost_per_set']:6.3f} {r['ece']:6.3f}")
    return "\n".join(lines)


def shipped_fit(records: Sequence[Record]) -> ConfidenceCalibration:
    """The family calibration fitted on every group (network alone): what the app ships."""
    alone = [r for r in records if not r["with_personal_model"]]
    return fit_calibration(*_level_features(alone, "family"))


def update_card(card_path: Path, report: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """Write ``entry`` as the card's ``confidence`` when the card was trained with the recipe
    whose held-out decisions the report holds."""
    card = card_of_recipe(card_path, report)
    if card is None:
        return False
    card["confidence"] = dict(entry)
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate confidence", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="confidence")
    parser.add_argument("--report", type=Path, default=REPORTS / "activity_evaluation.json",
                        help="the report of `python -m ml.evaluate activity` to read")
    parser.add_argument("--cost-of-wrong", type=float, default=COST_OF_WRONG,
                        help="what a wrong name costs the user, in unknown sets")
    parser.add_argument("--out", type=Path, default=CONFIDENCE_REPORT)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        parser.error(f"no activity report at {args.report}: run `python -m ml.evaluate activity "
                     "--methods ours` first")
    report = json.loads(args.report.read_text())
    records = decisions_of(report)
    groups = sorted({f"{r['dataset']}:{r['group']}" for r in records})
    seeds = sorted({r["seed"] for r in records})
    protocol = (f"held-out set decisions of `{report.get('command')}` ({len(records)} "
                f"decisions, seeds {seeds}); leave-one-group-out over {len(groups)} groups "
                f"(recording days and participants of both datasets): each group's rule is "
                f"fitted on the others; a wrong name costs {args.cost_of_wrong:g} unknowns")
    print(f"protocol: {protocol}")
    rows = evaluate(records, args.cost_of_wrong)
    print(table_text(rows))
    for r in rows:
        if r["level"] == "shown":
            print(f"  shown confidence ({r['rule']}), {r['model']}, {r['dataset']}: mean "
                  f"{r['mean_confidence']:.3f} against {r['exercise_accuracy']:.3f} of exercises "
                  f"right, ECE {r['ece']:.3f}, Brier {r['brier']:.3f} ({r['n']} sets)")
    print("  named: share of sets named; right: of those named; caught: share of wrong names "
          "made unknown / wrong names; hidden: share of right names made unknown; cost: unknowns "
          f"+ {args.cost_of_wrong:g} x wrong, per set; ECE: expected calibration error of the "
          "score read as a probability")
    fitted = shipped_fit(records)
    print(f"  family calibration fitted on every group (network alone): {fitted.to_list()}; "
          f"shipped (ml.activity_decision): {SHIPPED_FAMILY_CALIBRATION.to_list()}")
    floor = DecisionThresholds().family_floor
    alone = [r for r in records if not r["with_personal_model"]]
    under = [r for r in alone if r["family_probability"] < floor]
    print(f"  below the family floor {floor:g} (left unknown, uncalibrated): {len(under)} of "
          f"{len(alone)} decisions of the network alone, {sum(r['family_right'] for r in under)} "
          f"of them right; lowest family probability "
          f"{min(r['family_probability'] for r in alone):.3f}")
    shipped_rule = shipped_family_rule(args.cost_of_wrong)
    entry = {
        "command": "python -m ml.evaluate confidence", "report_command": report.get("command"),
        "machine": report.get("machine"), "protocol": protocol,
        "cost_of_wrong": args.cost_of_wrong,
        "family_calibration_fitted": fitted.to_list(),
        "family_calibration_shipped": SHIPPED_FAMILY_CALIBRATION.to_list(),
        "figures": [{k: v for k, v in r.items() if k != "thresholds_chosen"} for r in rows
                    if r["rule"] in (shipped_rule, "calibrated family x variant share",
                                     "variant share >= 0.4 (shipped)")],
    }
    if args.cost_of_wrong == COST_OF_WRONG and update_card(
            card_path_for(appconfig.MODEL_PATH), report, entry):
        print(f"updated the confidence in {card_path_for(appconfig.MODEL_PATH)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "rows": rows, "fitted_family_calibration": fitted.to_list(),
        "cost_of_wrong": args.cost_of_wrong, "report": str(args.report),
        "report_command": report.get("command"), "n_decisions": len(records),
        # What ml.train copies into a new card trained with the same recipe.
        "recipe": report.get("recipe"), "window": report.get("window"),
        "ensemble": report.get("ensemble", 1), "card_entry": entry,
    }, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0
