"""``python -m ml.evaluate activity``: held-out accuracy of our network, the seed's and sklearn's.

Protocols (printed beside every number):

* applewatch-gym, leave-one-recording-day-out: codes with >= 3 sets (+ rest from the idle edges
  of every file); exercise-level set accuracy is counted over codes recorded on >= 2 days, since a
  code recorded on a single day is never seen in training when that day is held out. Mean +/- sd
  over 3 seeds (seeds 0-2 named 0.927-0.940 of the families right, the seed network 0.914-0.967:
  one seed is one draw).
* barbell-metamotion, leave-one-participant-out: five lifts + rest recordings; mean +/- sd over
  seeds.

Every fold trains like the shipped model: with the recipe of the shipped model, on the sets of
both datasets except the held-out day or participant (the shipped model is trained on both, so a
new user meets a network that has seen the other dataset too). ``--training dataset`` trains on
the evaluated dataset only (the protocol of the baseline study in the issue) for comparison; the
baselines always train on what ours trains on.

When both our network and scikit-learn run, their window probabilities are also mixed
(``mixed``, weights ``MIXTURE_WEIGHTS``) and scored on the same folds, and scored once more with
the weight of every held-out group chosen on the other groups of all protocols run
(``held_out_choice``): measured, not shipped.

Writes ``reports/activity_evaluation.json``, confusion-matrix PNGs under ``reports/``, and the
card's ``evaluation`` list when the shipped card was trained with the same recipe.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import appconfig
from journal.exercises import family_of
from ml import datasets
from ml.activity_data import SetSignal, WindowTable, build_table, wide_samples_for
from ml.activity_decision import DecisionThresholds
from ml.activity_metrics import (
    HeldOut,
    confusion_png,
    decision_coverage,
    history_priors,
    score,
    set_predictions,
)
from ml.activity_sets import SHIPPED_DATASETS, training_data
from ml.windowing import WindowSpec

REPORTS = appconfig.REPO_ROOT / "reports"
METHODS = ("ours", "seed_network", "sklearn")
PROTOCOLS = {
    "applewatch-lodo": (datasets.APPLEWATCH, "leave-one-recording-day-out"),
    "barbell-lopo": (datasets.BARBELL, "leave-one-participant-out"),
}
#: Weights w of our network in w * ours + (1 - w) * scikit-learn (window probabilities), scored
#: on the same held-out folds when both methods run. A sweep on the held-out folds themselves,
#: so not a tuned figure: measured, not shipped (see ``mixed``).
MIXTURE_WEIGHTS = (0.75, 0.6, 0.5)
#: Weights tried when w is chosen without the held-out group (``held_out_choice``).
WEIGHT_GRID = tuple(float(w) for w in np.round(np.arange(0.3, 1.0001, 0.05), 2))
#: Per seed: w -> (dataset, set name) -> (exercise right, family right); and each set's group.
SetOutcomes = dict[float, dict[tuple[str, str], tuple[bool, bool]]]
#: --training: what a fold trains on besides the evaluated dataset's other days or participants.
TRAINING = {
    "shipped": "trained as shipped: both datasets, the held-out day or participant left out",
    "dataset": "trained on the evaluated dataset only",
}


def _fold_predictions(
    table: WindowTable, groups: np.ndarray, held_groups: Sequence[str], method: str, seed: int,
    log: Callable[[str], None],
) -> HeldOut:
    """Train ``method`` once per held-out group and gather its held-out window probabilities."""
    from ml.activity_baseline import fit_baseline, predict_baseline
    from ml.activity_fit import fit_network, predict

    probs, labels, owners, truth = [], [], [], {}
    for group in held_groups:
        start = time.perf_counter()
        test_sets = groups == group
        test_windows = table.in_sets(test_sets)
        if method == "sklearn":
            model = fit_baseline(table, ~test_sets, seed=seed)
            p = predict_baseline(model, table, test_windows)
            note = ""
        else:
            fitted = fit_network(table, ~test_sets, seed=seed, require_all_classes=False,
                                 kind="seed" if method == "seed_network" else "ours")
            p = predict(fitted.network, table, test_windows)
            note = f", {fitted.info['epochs_run']} epochs"
        probs.append(p)
        labels.append(table.labels[test_windows])
        owners.append(table.set_index[test_windows])
        truth.update({int(i): table.sets[i].exercise for i in np.flatnonzero(test_sets)})
        log(f"    {method} seed {seed} held-out {group}: {test_sets.sum()} sets, "
            f"{time.perf_counter() - start:.0f} s{note}")
    return HeldOut(np.concatenate(probs), np.concatenate(labels), np.concatenate(owners), truth)


def mixed(ours: HeldOut, sklearn: HeldOut, weight: float) -> HeldOut:
    """``weight`` x our window probabilities + (1 - ``weight``) x scikit-learn's, same windows.

    The network sees the shape of the motion; the gradient boosting on per-window statistics
    (``ml.activity_baseline``) sees the wrist's angles and spreads, which separate the
    applewatch-gym variants (bench angle, grip) better.
    """
    if not np.array_equal(ours.window_set, sklearn.window_set):
        raise ValueError("the two methods were scored on different held-out windows")
    return HeldOut(weight * ours.probs + (1 - weight) * sklearn.probs, ours.window_labels,
                   ours.window_set, ours.set_truth)


def held_out_choice(
    right: SetOutcomes, group: dict[tuple[str, str], str]
) -> tuple[dict[tuple[str, str], tuple[bool, bool]], dict[str, float]]:
    """Score every group's sets with the w that names most exercises right on the *other* groups'
    sets (ties: the larger w, nearer our network alone), so no group helps choose its own w.

    Returns each set's (exercise right, family right) under its group's w, and each group's w.
    """
    keys = list(next(iter(right.values())))
    outcome: dict[tuple[str, str], tuple[bool, bool]] = {}
    chosen: dict[str, float] = {}
    for g in sorted(set(group[k] for k in keys)):
        others = [k for k in keys if group[k] != g]
        best = max(right, key=lambda w: (sum(right[w][k][0] for k in others), w))
        chosen[g] = best
        outcome.update({k: right[best][k] for k in keys if group[k] == g})
    return outcome, chosen


def _mixture_outcomes(
    ours: HeldOut, sklearn: HeldOut, sets: Sequence[SetSignal], classes: Sequence[str],
    counted: Callable[[str], bool], priors: Mapping[int, Mapping[str, str]],
) -> SetOutcomes:
    """Whether the app would name each counted held-out set's exercise and family right under
    w x ours + (1 - w) x sklearn, for every w of ``WEIGHT_GRID`` and ``MIXTURE_WEIGHTS``."""
    right: SetOutcomes = {}
    for weight in sorted(set(WEIGHT_GRID) | set(MIXTURE_WEIGHTS)):
        predicted = set_predictions(mixed(ours, sklearn, weight), classes, priors)
        right[weight] = {
            (sets[i].dataset, sets[i].name): (predicted[i] == truth,
                                              family_of(predicted[i]) == family_of(truth))
            for i, truth in ours.set_truth.items() if counted(truth)}
    return right


def _summary(runs: list[dict[str, Any]], key: str) -> tuple[float, float | None]:
    values = [r[key] for r in runs if key in r]
    if not values:
        return float("nan"), None
    return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else None)


def evaluate_protocol(
    name: str, *, seeds: Sequence[int], folds: int | None, spec: WindowSpec,
    methods: Sequence[str], log: Callable[[str], None], training: str = "shipped",
    mixture_outcomes: dict[int, tuple[SetOutcomes, dict[tuple[str, str], str]]] | None = None,
) -> list[dict[str, Any]]:
    """Run one protocol for every method and seed; one result row per level.

    With ``mixture_outcomes`` (seed -> outcomes, groups), the per-set outcomes of the mixture of
    ours and scikit-learn (``_mixture_outcomes``) are added to it, for ``main`` to choose w across
    protocols without the held-out group."""
    dataset, protocol_name = PROTOCOLS[name]
    data = training_data(SHIPPED_DATASETS if training == "shipped" else [dataset])
    table = build_table(data.sets, data.classes, spec, wide_samples=wide_samples_for(spec))
    # Groups (recording days, participants) never coincide across the two datasets.
    groups = np.array([s.group for s in data.sets])
    evaluated = sorted({s.group for s in data.sets if s.dataset == dataset})
    held_groups = evaluated[:folds] if folds else evaluated
    days_of: dict[str, set[str]] = {}
    for s in data.sets:
        if s.dataset == dataset:
            days_of.setdefault(s.exercise, set()).add(s.group)
    if dataset == datasets.APPLEWATCH:
        multi_day = {e for e, d in days_of.items() if len(d) >= 2}
        single_day = sorted(e for e, d in days_of.items() if len(d) < 2)
        counted: Callable[[str], bool] = lambda e: e in multi_day and e != "rest"  # noqa: E731
        scope = (f"{len(multi_day - {'rest'})} codes recorded on >=2 days; single-day codes "
                 f"{single_day} cannot be learned under this protocol and are not counted")
    else:
        single_day = []
        counted = lambda e: e != "rest"  # noqa: E731
        scope = "the five lifts (rest recordings are trained on, not counted)"
    # The app's decision: the family of the most probable exercise, then the variant, the user's
    # last-used variant of the family winning near-ties. An applewatch-gym day has its earlier
    # days as the journal; a held-out barbell participant is a new user, with no history.
    own = [i for i, s in enumerate(data.sets) if s.dataset == dataset]
    decision = "as the app decides: the family of the most probable exercise, then the variant"
    if dataset == datasets.APPLEWATCH:
        priors = history_priors(
            [i for i in own if data.sets[i].group in held_groups],
            day={i: data.sets[i].group for i in own},
            start={i: datasets.start_key(data.sets[i].name) for i in own},
            exercise={i: data.sets[i].exercise for i in own}, history=own)
        decision += (", the user's last-used variant of the family (from the earlier days) "
                     "winning near-ties")
    else:
        priors = {}
        decision += " (a new user: no history to break ties)"
    protocol = (f"{dataset}, {protocol_name} ({len(held_groups)} folds: {', '.join(held_groups)}), "
                f"{TRAINING[training]}, "
                f"{spec.window_s:g} s windows / {spec.hop_s:g} s hop, seeds {list(seeds)}; "
                f"sets scored: {scope}; set decision {decision}; "
                f"excluded (< 3 sets): {data.excluded or 'none'}")
    log(f"== {name}: {protocol}")
    log(f"   {len(data.sets)} sets, {table.labels.size} windows, classes {list(data.classes)}")
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {m: {"family": [], "exercise": []}
                                                          for m in methods}
    extras: dict[str, Any] = {}
    held_by: dict[str, list[HeldOut]] = {m: [] for m in methods}
    for method in methods:
        for seed in seeds if method != "sklearn" else seeds[:1]:
            held = _fold_predictions(table, groups, held_groups, method, seed, log)
            held_by[method].append(held)
            for level in ("family", "exercise"):
                result = score(held, data.classes, level=level, sets_counted=counted,
                               priors=priors)
                runs[method][level].append(result)
                log(f"   {method:12s} seed {seed} {level:8s}: set acc {result['set_accuracy']:.3f}"
                    f" (best single class, no history: "
                    f"{result['set_accuracy_without_history']:.3f})"
                    f" macro-F1 {result['set_macro_f1']:.3f} window acc "
                    f"{result['window_accuracy']:.3f}  [{name}]")
            if method == "ours" and seed == seeds[0]:
                extras["decision_with_thresholds"] = decision_coverage(
                    held, data.classes, DecisionThresholds(), counted, priors)
    mixtures: dict[str, dict[str, dict[str, float | None]]] = {"family": {}, "exercise": {}}
    # One scikit-learn run serves every seed: without early stopping or subsampling (< 200,000
    # windows) its gradient boosting draws no random numbers.
    if held_by.get("ours") and held_by.get("sklearn"):
        set_group = {(s.dataset, s.name): s.group for s in data.sets}
        per_seed = [_mixture_outcomes(h, held_by["sklearn"][0], data.sets, data.classes,
                                      counted, priors) for h in held_by["ours"]]
        for weight in MIXTURE_WEIGHTS:
            for level, i in (("family", 1), ("exercise", 0)):
                scored = [{"set_accuracy": float(np.mean([v[i] for v in right[weight].values()]))}
                          for right in per_seed]
                mean, sd = _summary(scored, "set_accuracy")
                mixtures[level][f"{weight:g}"] = {"set_accuracy": mean, "set_accuracy_sd": sd}
                log(f"   ours+sklearn w={weight:g} {level:8s}: set acc {_fmt(mean, sd)} over "
                    f"{len(scored)} seeds  [{name}]")
        if mixture_outcomes is not None:
            for seed, right in zip(seeds, per_seed, strict=True):
                pooled, pooled_group = mixture_outcomes.setdefault(seed, ({}, {}))
                for weight, outcome in right.items():
                    pooled.setdefault(weight, {}).update(outcome)
                pooled_group.update({k: set_group[k] for k in right[MIXTURE_WEIGHTS[0]]})
    rows = []
    for level in ("family", "exercise"):
        ours = runs["ours"][level] if "ours" in runs else []
        first = ours[0] if ours else {}
        mean, sd = _summary(ours, "set_accuracy")
        row: dict[str, Any] = {
            "dataset": dataset, "protocol": protocol_name, "level": level,
            "n_sets": first.get("n_sets"), "set_accuracy": mean, "set_accuracy_sd": sd,
            "set_macro_f1": _summary(ours, "set_macro_f1")[0],
            "set_accuracy_without_history": _summary(ours, "set_accuracy_without_history")[0],
            "window_accuracy": _summary(ours, "window_accuracy")[0],
            "baselines": {m: _summary(runs[m][level], "set_accuracy")[0]
                          for m in methods if m != "ours"},
            "n_seeds": len(ours), "description": protocol,
            "per_class_set_recall": first.get("set_recall"),
        }
        for key in ("pull_up_set_recall", "pull_up_window_precision"):
            if key in first:
                row[key] = _summary(ours, key)[0]
        if mixtures[level]:
            row["ours_with_sklearn"] = mixtures[level]
        if level == "exercise" and extras:
            row.update(extras)
        if first:
            png = REPORTS / f"activity_confusion_{dataset}_{level}.png"
            confusion_png(first["set_truth"], first["set_pred"],
                          f"{dataset} {protocol_name}, {level} level, seed {seeds[0]} (sets)", png)
            row["confusion_matrix_png"] = str(png.relative_to(appconfig.REPO_ROOT))
        rows.append(row)
    return rows


def _fmt(value: Any, sd: Any = None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value:.3f}" + (f" ± {sd:.3f}" if sd is not None else "")


def table_text(rows: Sequence[dict[str, Any]]) -> str:
    """The comparison table, one line per dataset and level, protocol beside the numbers."""
    lines = ["| dataset / protocol | level | sets | ours per-set | seed net | sklearn | "
             "ours macro-F1 | ours per-window | pull-up recall / window precision |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        pull = (f"{_fmt(r['pull_up_set_recall'])} / {_fmt(r['pull_up_window_precision'])}"
                if "pull_up_set_recall" in r else "")
        lines.append(
            f"| {r['dataset']} {r['protocol']} | {r['level']} | {r['n_sets']} | "
            f"{_fmt(r['set_accuracy'], r['set_accuracy_sd'])} | "
            f"{_fmt(r['baselines'].get('seed_network'))} | {_fmt(r['baselines'].get('sklearn'))} "
            f"| {_fmt(r['set_macro_f1'])} | {_fmt(r['window_accuracy'])} | {pull} |")
    return "\n".join(lines)


def card_entries(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The card's ``evaluation`` list: the issue's schema plus a few named extras."""
    keep = ("dataset", "protocol", "level", "n_sets", "set_accuracy", "set_accuracy_sd",
            "set_macro_f1", "window_accuracy", "baselines", "n_seeds", "description",
            "set_accuracy_without_history",
            "pull_up_set_recall", "pull_up_window_precision", "per_class_set_recall",
            "decision_with_thresholds", "confusion_matrix_png")
    return [{k: r[k] for k in keep if k in r} for r in rows]


def update_card(card_path: Path, report: dict[str, Any]) -> bool:
    """Write the evaluation into the card when it was trained with the evaluated recipe."""
    if not card_path.is_file():
        return False
    card = json.loads(card_path.read_text())
    if card.get("recipe") != report["recipe"] or card.get("window") != report["window"]:
        return False
    card["evaluation"] = card_entries(report["rows"])
    card["evaluation_command"] = report["command"]
    card.pop("evaluation_note", None)  # written by ml.train while no evaluation existed yet
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return True


def _mixture_chosen_elsewhere(
    outcomes: dict[int, tuple[SetOutcomes, dict[tuple[str, str], str]]], n_protocols: int
) -> dict[str, Any]:
    """Per seed that every protocol ran: the mixture scored with w chosen per held-out group on
    the other groups of all protocols (``held_out_choice``); printed and returned."""
    per_seed: dict[str, list[float]] = {}
    for seed, (right, group) in sorted(outcomes.items()):
        if len({dataset for dataset, _ in group}) < n_protocols:
            continue  # a seed only one protocol ran (barbell runs more seeds)
        result, chosen = held_out_choice(right, group)
        line = []
        for dataset in sorted({d for d, _ in result}):
            mine = [v for (d, _), v in result.items() if d == dataset]
            for level, i in (("exercise", 0), ("family", 1)):
                accuracy = float(np.mean([v[i] for v in mine]))
                per_seed.setdefault(f"{dataset} {level}", []).append(accuracy)
                line.append(f"{dataset} {level} {accuracy:.3f}")
        print(f"   ours+sklearn, w chosen per held-out group on the other groups' held-out sets "
              f"of every protocol run (w from {sorted(set(chosen.values()))}), seed {seed}: "
              + ", ".join(line), flush=True)
    summary = {k: {"set_accuracy": float(np.mean(v)), "n_seeds": len(v),
                   "set_accuracy_sd": float(np.std(v, ddof=1)) if len(v) > 1 else None}
               for k, v in per_seed.items()}
    for key, value in summary.items():
        print(f"  [{key}] measured, not shipped: ours+sklearn with w chosen without the held-out "
              f"group: {_fmt(value['set_accuracy'], value['set_accuracy_sd'])} over "
              f"{value['n_seeds']} seeds")
    return summary


def main(argv: list[str] | None = None) -> int:
    from ml.activity_fit import RECIPE

    parser = argparse.ArgumentParser(prog="python -m ml.evaluate activity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="activity")
    parser.add_argument("--protocols", default=",".join(PROTOCOLS),
                        help=f"comma-separated subset of {list(PROTOCOLS)}")
    parser.add_argument("--seeds", type=int, default=6,
                        help="seeds on barbell-lopo (>= 3; 3 cannot tell 3 points from noise)")
    parser.add_argument("--applewatch-seeds", type=int, default=3,
                        help="seeds on applewatch-lodo (~14 trainings each; one is not enough)")
    parser.add_argument("--folds", type=int, default=None, help="only the first N folds (quick)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--window-s", type=float, default=None)
    parser.add_argument("--training", choices=list(TRAINING), default="shipped",
                        help="; ".join(f"{k}: {v}" for k, v in TRAINING.items()))
    parser.add_argument("--out", type=Path, default=REPORTS / "activity_evaluation.json")
    args = parser.parse_args(argv)
    os.nice(10)  # a shared machine: evaluation yields to interactive work
    spec = WindowSpec(args.window_s) if args.window_s else WindowSpec()
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(METHODS)) + sorted(
        set(args.protocols.split(",")) - set(PROTOCOLS))
    if unknown:
        parser.error(f"unknown method/protocol {unknown}")
    REPORTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    outcomes: dict[int, tuple[SetOutcomes, dict[tuple[str, str], str]]] = {}
    for name in args.protocols.split(","):
        n_seeds = args.applewatch_seeds if name == "applewatch-lodo" else args.seeds
        rows += evaluate_protocol(name, seeds=list(range(n_seeds)), folds=args.folds, spec=spec,
                                  methods=methods, log=lambda line: print(line, flush=True),
                                  training=args.training, mixture_outcomes=outcomes)
    print(table_text(rows))
    for r in rows:
        print(f"  [{r['dataset']} {r['level']}] protocol: {r['description']}")
    for r in rows:
        for weight, mix in r.get("ours_with_sklearn", {}).items():
            print(f"  [{r['dataset']} {r['level']}] measured, not shipped: w={weight} x ours + "
                  f"(1 - w) x sklearn window probabilities, same folds and seeds: "
                  f"{_fmt(mix['set_accuracy'], mix['set_accuracy_sd'])} (w swept on these folds)")
    chosen_elsewhere = _mixture_chosen_elsewhere(outcomes, len(args.protocols.split(",")))
    report = {"rows": rows, "recipe": RECIPE, "window": spec.to_dict(),
              "mixture_w_chosen_elsewhere": chosen_elsewhere,
              "command": "python -m ml.evaluate activity " + " ".join(argv[1:] if argv else []),
              "minutes": round((time.perf_counter() - started) / 60, 1),
              "complete": args.folds is None and set(methods) == set(METHODS)
              and args.training == "shipped"
              and set(args.protocols.split(",")) == set(PROTOCOLS)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {args.out} ({report['minutes']} min)")
    from ml.model import card_path_for

    if report["complete"] and update_card(card_path_for(appconfig.MODEL_PATH), report):
        print(f"updated the evaluation in {card_path_for(appconfig.MODEL_PATH)}")
    return 0
