"""``python -m ml.evaluate activity``: held-out accuracy of our network, the seed's and sklearn's.

Protocols (printed beside every number):

* applewatch-gym, leave-one-recording-day-out: codes with >= 3 sets (+ rest from the idle edges
  of every file); exercise-level set accuracy is counted over codes recorded on >= 2 days, since a
  code recorded on a single day is never seen in training when that day is held out. Mean +/- sd
  over 3 seeds (seeds 0-2 named 0.974-0.980 of the families right, the seed network 0.954-0.960,
  on the card's processor: one seed is one draw). A held-out day's sets are named with the
  user's last-used variants of the earlier days as the tie-breaker; ``tie_breaker_rows`` also
  scores the tie-breaker's margin chosen per held-out day on the other days.
* barbell-metamotion, leave-one-participant-out: five lifts + rest recordings; mean +/- sd over
  seeds.

Every fold trains like the shipped model: with the recipe of the shipped model, on the sets of
both datasets except the held-out day or participant (the shipped model is trained on both, so a
new user meets a network that has seen the other dataset too). ``--training dataset`` trains on
the evaluated dataset only (the protocol of the baseline study in the issue) for comparison; the
baselines always train on what ours trains on.

A dataset of one person (applewatch-gym) also scores ours with that person's personal model
(``ml.personal``: statistics of his own labelled sets, fitted on the other days, as his journal
would hold them) mixed in, with the network's weight w of every held-out day chosen on the other
days (``held_out_choice``). A new user (a held-out barbell participant) has no personal model.

Four applewatch-gym sets carry an exercise label their signal contradicts
(``data/exercise_label_corrections.csv``, ``ml.exercise_audit``). Every row also scores the same
predictions against the audited labels (``audited_labels``); ``--labels audited`` trains, breaks
ties and scores with them throughout.

``--first-seed`` runs seeds no choice was made on (the card's are from 0). ``--ensemble K`` scores
ours as the mean of K networks per seed (``member_seeds``), each member's folds replayable on
their own; it describes, and updates the card of, a model built by ``python -m ml.train
--ensemble K``.

Writes ``reports/activity_evaluation.json``, confusion-matrix PNGs under ``reports/``, and the
card's ``evaluation`` list when the shipped card was trained with the same recipe.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import appconfig
from journal.exercises import family_of
from ml import datasets
from ml.activity_data import SetSignal, WindowTable, build_table, wide_samples_for
from ml.activity_decision import DecisionThresholds, exercise_distribution
from ml.activity_fit import NETWORKS, member_seeds
from ml.activity_metrics import (
    HeldOut,
    confusion_png,
    decision_coverage,
    history_priors,
    score,
    set_decisions,
    set_misses,
    set_predictions,
)
from ml.activity_sets import SHIPPED_DATASETS, training_data
from ml.exercise_audit import CORRECTIONS_PATH, audited, load_corrections
from ml.model import card_networks, card_path_for
from ml.provenance import library_versions, machine
from ml.windowing import WindowSpec

REPORTS = appconfig.REPO_ROOT / "reports"
METHODS = ("ours", "seed_network", "sklearn")
PROTOCOLS = {
    "applewatch-lodo": (datasets.APPLEWATCH, "leave-one-recording-day-out"),
    "barbell-lopo": (datasets.BARBELL, "leave-one-participant-out"),
}
#: Datasets whose groups (days) are one person: the other days are that person's journal.
ONE_PERSON = {datasets.APPLEWATCH}
#: Days of journal behind a young user's personal model (the evaluation's young-journal curve).
YOUNG_JOURNAL_DAYS = 2
#: Network weights tried when the personal model's w is chosen without the held-out group.
WEIGHT_GRID = tuple(float(w) for w in np.round(np.arange(0.0, 1.0001, 0.05), 2))
#: Margins of the last-used-variant tie-breaker tried when it is chosen without the held-out day
#: (``DecisionThresholds.prior_margin``; 0 lets the last-used variant win only when it is the
#: network's best already).
MARGIN_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)


@dataclass(frozen=True)
class SetOutcome:
    """How one held-out set fares at one w: exercise and family right, and the log-probability
    the set's mean distribution over exercises gives its true exercise."""

    exercise_right: bool
    family_right: bool
    log_p_true: float


#: w -> set key (e.g. (dataset, set name)) -> its outcome.
SetOutcomes = dict[float, dict[tuple[Any, ...], SetOutcome]]
#: --training: what a fold trains on besides the evaluated dataset's other days or participants.
TRAINING = {
    "shipped": "trained as shipped: both datasets, the held-out day or participant left out",
    "dataset": "trained on the evaluated dataset only",
}
LABELS = {
    "dataset": "the datasets' exercise labels",
    "audited": f"exercise labels audited ({CORRECTIONS_PATH.name}) in training and scoring",
}


#: The code that turns a window table into held-out probabilities; a replayed fold's key holds
#: its text, so an edit to training never replays predictions of the code before it.
TRAINING_SOURCES = ("activity_fit.py", "activity_network.py", "activity_baseline.py")


def replay_key(table: WindowTable, groups: np.ndarray, method: str, seed: int) -> str:
    """What decides a fold's held-out probabilities, hashed: every window, label and set's group,
    the classes, the method, seed and recipe, the training code and the library versions."""
    import hashlib

    from ml.activity_fit import RECIPE

    digest = hashlib.sha256()
    for array in (table.wide, table.labels, table.set_index, groups.astype(str)):
        digest.update(np.ascontiguousarray(array).tobytes())
    here = Path(__file__).parent
    digest.update(json.dumps({
        "classes": table.classes, "method": method, "seed": seed, "recipe": RECIPE,
        "sources": [(here / f).read_text() for f in TRAINING_SOURCES],
        "versions": library_versions(),
    }, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:24]


def _fold_predictions(
    table: WindowTable, groups: np.ndarray, held_groups: Sequence[str], method: str, seed: int,
    log: Callable[[str], None], replay: Path | None = None,
) -> HeldOut:
    """Train ``method`` once per held-out group and gather its held-out window probabilities.

    With ``replay`` (a folder) a fold whose key (``replay_key``) was trained before is read back
    instead of trained again (training is seeded and deterministic: the same key gave the same
    probabilities in two processes), and every trained fold is stored there."""
    from ml.activity_baseline import fit_baseline, predict_baseline
    from ml.activity_fit import fit_network, predict

    key = replay_key(table, groups, method, seed) if replay else ""
    probs, labels, owners, truth = [], [], [], {}
    for group in held_groups:
        start = time.perf_counter()
        test_sets = groups == group
        test_windows = table.in_sets(test_sets)
        stored = replay / f"{method}-{seed}-{group}-{key}.npy" if replay else None
        earlier = _replayed(stored, (int(test_windows.sum()), len(table.classes)))
        if earlier is not None:
            p, note = earlier, ", replayed"
        elif method == "sklearn":
            model = fit_baseline(table, ~test_sets, seed=seed)
            p = predict_baseline(model, table, test_windows)
            note = ""
        else:
            fitted = fit_network(table, ~test_sets, seed=seed, require_all_classes=False,
                                 kind="seed" if method == "seed_network" else "ours")
            p = predict(fitted.network, table, test_windows)
            note = f", {fitted.info['epochs_run']} epochs"
        if stored is not None and earlier is None:
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial = stored.with_suffix(".partial.npy")
            np.save(partial, p)
            partial.replace(stored)  # a run stopped mid-write leaves no half file to replay
        probs.append(p)
        labels.append(table.labels[test_windows])
        owners.append(table.set_index[test_windows])
        truth.update({int(i): table.sets[i].exercise for i in np.flatnonzero(test_sets)})
        log(f"    {method} seed {seed} held-out {group}: {test_sets.sum()} sets, "
            f"{time.perf_counter() - start:.0f} s{note}")
    return HeldOut(np.concatenate(probs), np.concatenate(labels), np.concatenate(owners), truth)


def _ensemble_predictions(
    table: WindowTable, groups: np.ndarray, held_groups: Sequence[str], members: Sequence[int],
    log: Callable[[str], None], replay: Path | None = None,
) -> HeldOut:
    """Our networks trained with each of the ``members`` seeds, their held-out window
    probabilities averaged (each member's folds trained or replayed as one seed's)."""
    held = [_fold_predictions(table, groups, held_groups, "ours", seed, log, replay)
            for seed in members]
    first = held[0]
    return HeldOut(np.mean([h.probs for h in held], axis=0), first.window_labels,
                   first.window_set, first.set_truth)


def _replayed(stored: Path | None, shape: tuple[int, int]) -> np.ndarray | None:
    """A stored fold's probabilities, or None when there is none of that shape to read back."""
    if stored is None or not stored.is_file():
        return None
    try:
        probs = np.load(stored)
    except (OSError, ValueError):
        return None
    return probs if probs.shape == shape else None


def _personal_predictions(
    table: WindowTable, groups: np.ndarray, held_groups: Sequence[str], own_sets: np.ndarray,
    log: Callable[[str], None], journal_days: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per held-out window (in ``_fold_predictions``' order): the personal model's probabilities,
    fitted on the person's sets (``own_sets``) of the other groups, shape (n, n_classes), and the
    classes it knows, shape (n, n_classes) bool.

    With ``journal_days`` the model is fitted on the ``journal_days`` groups just before the
    held-out one instead (``held_groups`` in time order: a young journal); a group with fewer
    before it gets no personal model (zeros, nothing known)."""
    from ml.activity_data import centre_crop
    from ml.personal import fit_personal

    probs, known = [], []
    for index, group in enumerate(held_groups):
        start = time.perf_counter()
        test_sets = groups == group
        test_windows = np.flatnonzero(table.in_sets(test_sets))
        if journal_days is None:
            journal = own_sets & ~test_sets
        elif index < journal_days:
            journal = np.zeros_like(own_sets)  # too early for a journal of that many days
        else:
            journal = own_sets & np.isin(groups, held_groups[index - journal_days:index])
        personal = fit_personal(table, journal)
        if personal is None:
            probs.append(np.zeros((test_windows.size, len(table.classes)), np.float32))
            known.append(np.zeros((test_windows.size, len(table.classes)), bool))
            continue
        p, k = personal.class_probabilities(
            centre_crop(table.wide[test_windows], table.spec.window_samples), table.classes)
        probs.append(p)
        known.append(np.broadcast_to(k, p.shape))
        log(f"    personal model held-out {group}: {len(personal.exercises)} exercises, "
            f"{time.perf_counter() - start:.0f} s")
    return np.concatenate(probs), np.concatenate(known)


def with_personal(ours: HeldOut, personal: np.ndarray, known: np.ndarray,
                  network_weight: float | np.ndarray) -> HeldOut:
    """Our held-out predictions with the personal model mixed in as the app mixes it
    (``ml.personal.mix_probabilities``); ``network_weight`` may be one per window, (n, 1)."""
    from ml.personal import mix_probabilities

    if personal.shape != ours.probs.shape:
        raise ValueError("the personal model was scored on other windows than the network")
    return HeldOut(mix_probabilities(ours.probs, personal, known, network_weight),
                   ours.window_labels, ours.window_set, ours.set_truth)


def held_out_choice(
    outcomes: SetOutcomes, group: Mapping[tuple[Any, ...], str]
) -> tuple[dict[tuple[Any, ...], SetOutcome], dict[str, float]]:
    """Score every group's sets with the w under which the *other* groups' sets are most likely
    (the summed log-probability of their true exercises; ties: the larger w, nearer our network
    alone), so no group helps choose its own w.

    The likelihood, not the count of sets named right: a count moves only when a set crosses a
    decision boundary, so a few sets decide it (counting, single sets swung one day's w between
    0.3 and 0.8 and cost 1.5 points of exercise accuracy on a plateau where every w of 0.2-0.8
    names 0.907-0.914 right on the AMD machine of the README).

    Returns each set's outcome under its group's w, and each group's w.
    """
    keys = list(next(iter(outcomes.values())))
    chosen_outcome: dict[tuple[Any, ...], SetOutcome] = {}
    chosen: dict[str, float] = {}
    for g in sorted(set(group[k] for k in keys)):
        others = [k for k in keys if group[k] != g]
        best = max(outcomes, key=lambda w: (sum(outcomes[w][k].log_p_true for k in others), w))
        chosen[g] = best
        chosen_outcome.update({k: outcomes[best][k] for k in keys if group[k] == g})
    return chosen_outcome, chosen


def _personal_outcomes(
    ours: HeldOut, personal: np.ndarray, known: np.ndarray, sets: Sequence[SetSignal],
    classes: Sequence[str], counted: Callable[[str], bool],
) -> SetOutcomes:
    """How each counted held-out set fares with the personal model mixed in at network weight w,
    for every w of ``WEIGHT_GRID``, named as the app names it for a user with a personal model
    (no last-used-variant tie-breaker)."""
    outcomes: SetOutcomes = {}
    for weight in WEIGHT_GRID:
        mixed = with_personal(ours, personal, known, weight)
        predicted = set_predictions(mixed, classes, {})
        outcomes[weight] = {}
        for i, truth in ours.set_truth.items():
            if not counted(truth):
                continue
            exercises, distribution, _ = exercise_distribution(
                mixed.probs[mixed.window_set == i], classes)
            p_true = float(distribution[exercises.index(truth)]) if truth in exercises else 0.0
            outcomes[weight][(sets[i].dataset, sets[i].name)] = SetOutcome(
                predicted[i] == truth, family_of(predicted[i]) == family_of(truth),
                float(np.log(max(p_true, 1e-9))))
    return outcomes


def _pooled(by_seed: Sequence[SetOutcomes],
            keep: Callable[[tuple[Any, ...]], bool] = lambda key: True) -> SetOutcomes:
    """Every seed's outcomes in one, keyed (seed, *set key); only the sets ``keep`` accepts."""
    return {w: {(seed, *key): v for seed, outcomes in enumerate(by_seed)
                for key, v in outcomes[w].items() if keep(key)}
            for w in WEIGHT_GRID}


def _accuracy_by_weight(pooled: SetOutcomes) -> dict[str, dict[str, float]]:
    """Share of sets named right at every w, per level ("exercise", "family")."""
    def share(values: list[bool]) -> float:
        return float(np.mean(values)) if values else float("nan")

    return {f"{w:g}": {"exercise": share([v.exercise_right for v in by_set.values()]),
                       "family": share([v.family_right for v in by_set.values()])}
            for w, by_set in pooled.items()}


def _curve_text(by_weight: Mapping[str, Mapping[str, float]]) -> str:
    """"w exercise/family" for every w, for the log."""
    return ", ".join(f"{w} {v['exercise']:.3f}/{v['family']:.3f}" for w, v in by_weight.items())


def _personal_rows(
    name: str, table: WindowTable, groups: np.ndarray, held_groups: Sequence[str], data: Any,
    ours_by_seed: Sequence[HeldOut], counted: Callable[[str], bool], log: Callable[[str], None],
    audit: Callable[[HeldOut], HeldOut] | None = None,
) -> dict[str, dict[str, Any]]:
    """Ours with the person's personal model, per level: w of each held-out day chosen on the
    other days; also every w's accuracy over all days, the shipped w's among them. With
    ``audit`` the same predictions are also scored against the audited labels."""
    from ml.personal import NETWORK_WEIGHT

    dataset = PROTOCOLS[name][0]
    own_sets = np.array([s.dataset == dataset for s in data.sets])
    personal, known = _personal_predictions(table, groups, held_groups, own_sets, log)
    group_of = {(s.dataset, s.name): s.group for s in data.sets}
    # With a personal model the app drops the last-used-variant tie-breaker (ActivityModel.decide).
    by_seed = [_personal_outcomes(ours, personal, known, data.sets, data.classes, counted)
               for ours in ours_by_seed]
    # One w per held-out day for every seed, chosen on the other days of all seeds together.
    pooled = _pooled(by_seed)
    _, chosen = held_out_choice(pooled, {k: group_of[k[1:]] for k in pooled[WEIGHT_GRID[0]]})
    everywhere = max(WEIGHT_GRID, key=lambda w: (sum(v.log_p_true for v in pooled[w].values()), w))
    by_weight = _accuracy_by_weight(pooled)
    # A young journal: the personal model of only the YOUNG_JOURNAL_DAYS days before each held-out
    # day, scored on the days that have them (what w suits a user who has just begun).
    young, young_known = _personal_predictions(table, groups, held_groups, own_sets, log,
                                               journal_days=YOUNG_JOURNAL_DAYS)
    eligible = set(held_groups[YOUNG_JOURNAL_DAYS:])
    young_pooled = _pooled([_personal_outcomes(ours, young, young_known, data.sets,
                                               data.classes, counted) for ours in ours_by_seed],
                           keep=lambda key: group_of[key] in eligible)
    young_by_weight = _accuracy_by_weight(young_pooled)
    log(f"   ours+personal, young journal ({YOUNG_JOURNAL_DAYS} days before each held-out day), "
        f"exercise / family right by w: {_curve_text(young_by_weight)}  [{name}]")
    runs: dict[str, list[dict[str, Any]]] = {"family": [], "exercise": []}
    shipped: dict[str, list[dict[str, Any]]] = {"family": [], "exercise": []}
    audited_runs: dict[str, list[dict[str, Any]]] = {"family": [], "exercise": []}
    audited_shipped: dict[str, list[dict[str, Any]]] = {"family": [], "exercise": []}
    decisions: list[dict[str, Any]] = []
    names = [s.name for s in data.sets]
    for seed, ours in enumerate(ours_by_seed):
        weights = np.array([chosen.get(g, 1.0) for g in groups[ours.window_set]])[:, None]
        mixed = with_personal(ours, personal, known, weights)
        at_shipped = with_personal(ours, personal, known, NETWORK_WEIGHT)
        decisions += [{"seed": seed, "with_personal_model": True, **d} for d in set_decisions(
            mixed, data.classes, names, groups, counted, {})]
        for level in ("family", "exercise"):
            result = score(mixed, data.classes, level=level, sets_counted=counted, priors={})
            runs[level].append(result)
            shipped[level].append(score(at_shipped, data.classes, level=level,
                                        sets_counted=counted, priors={}))
            if audit is not None:
                audited_runs[level].append(score(audit(mixed), data.classes, level=level,
                                                 sets_counted=counted, priors={}))
                audited_shipped[level].append(score(audit(at_shipped), data.classes,
                                                    level=level, sets_counted=counted, priors={}))
            log(f"   ours+personal seed {seed} {level:8s}: set acc {result['set_accuracy']:.3f} "
                f"(w of each held-out day chosen on the other days: "
                f"{sorted(set(chosen.values()))}); at the shipped w {NETWORK_WEIGHT:g}: "
                f"{shipped[level][-1]['set_accuracy']:.3f}  [{name}]")
    log(f"   ours+personal, every day and seed, exercise / family right by w: "
        f"{_curve_text(by_weight)}; most likely w: {everywhere:g}  [{name}]")
    out = {}
    for level, results in runs.items():
        mean, sd = _summary(results, "set_accuracy")
        out[level] = {
            "set_accuracy": mean, "set_accuracy_sd": sd,
            "set_macro_f1": _summary(results, "set_macro_f1")[0],
            "window_accuracy": _summary(results, "window_accuracy")[0],
            "network_weights_chosen": dict(sorted(chosen.items())),
            "network_weight_everywhere": everywhere,
            "at_shipped_network_weight": {
                "network_weight": NETWORK_WEIGHT,
                "set_accuracy": _summary(shipped[level], "set_accuracy")[0],
                "set_accuracy_sd": _summary(shipped[level], "set_accuracy")[1]},
            "set_accuracy_by_network_weight": {w: v[level] for w, v in by_weight.items()},
            "set_misses": set_misses(results, names),
            "young_journal": {
                "days": YOUNG_JOURNAL_DAYS,
                "n_sets": len(young_pooled[WEIGHT_GRID[0]]) // max(1, len(ours_by_seed)),
                "set_accuracy_by_network_weight": {w: v[level]
                                                   for w, v in young_by_weight.items()}},
            "description": "the same folds and seeds, with the person's personal model "
                           "(ml.personal: gradient boosting on window statistics of his own "
                           "sets of the other days, no rest) mixed into the network's window "
                           "probabilities; w of each held-out day chosen on the other days "
                           "of every seed, by the likelihood of their true exercises; no "
                           "last-used-variant tie-breaker (the app drops it for a user with a "
                           "personal model)",
            **{k: _summary(results, k)[0] for k in ("pull_up_set_recall",
                                                     "pull_up_window_precision")
               if k in results[0]},
        }
        if audited_runs[level]:
            mean, sd = _summary(audited_runs[level], "set_accuracy")
            out[level]["audited_labels"] = {
                "n_sets": audited_runs[level][0]["n_sets"],
                "set_accuracy": mean, "set_accuracy_sd": sd,
                "at_shipped_network_weight": _summary(audited_shipped[level], "set_accuracy")[0]}
    out["exercise"]["set_decisions"] = decisions
    return out


def tie_breaker_rows(
    held_by_seed: Sequence[HeldOut], classes: Sequence[str],
    priors: Mapping[int, Mapping[str, str]], groups: np.ndarray, counted: Callable[[str], bool],
) -> dict[str, dict[str, Any]]:
    """Per level, our sets named with the last-used-variant tie-breaker's margin of each held-out
    day chosen on the other days (most sets of all seeds named right; ties: the smaller margin,
    fewer overrides of the network), mean and sd over seeds; and every margin's accuracy over all
    days and seeds, the shipped margin's among them.

    The margin decides how far the user's last-used variant may trail the best variant and still
    win; it was set when the network named variants worse, so it is re-chosen here without the
    day it is scored on, as the personal model's w is (``held_out_choice``)."""
    right: dict[float, dict[tuple[int, int], tuple[bool, bool]]] = {}
    for margin in MARGIN_GRID:
        right[margin] = {}
        for seed, held in enumerate(held_by_seed):
            named = set_predictions(held, classes, priors, prior_margin=margin)
            right[margin].update({
                (seed, s): (named[s] == truth, family_of(named[s]) == family_of(truth))
                for s, truth in held.set_truth.items() if counted(truth)})
    keys = list(right[MARGIN_GRID[0]])
    chosen: dict[str, float] = {}
    for day in sorted({str(groups[s]) for _, s in keys}):
        others = [k for k in keys if groups[k[1]] != day]
        chosen[day] = max(MARGIN_GRID, key=lambda m: (sum(right[m][k][0] for k in others), -m))
    out: dict[str, dict[str, Any]] = {}
    for index, level in enumerate(("exercise", "family")):
        per_seed = [float(np.mean([right[chosen[str(groups[s])]][(seed, s)][index]
                                   for sd, s in keys if sd == seed]))
                    for seed in range(len(held_by_seed))]
        out[level] = {
            "set_accuracy": float(np.mean(per_seed)),
            "set_accuracy_sd": float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else None,
            "margins_chosen": dict(sorted(chosen.items())),
            "shipped_margin": DecisionThresholds().prior_margin,
            "set_accuracy_by_margin": {f"{m:g}": float(np.mean([v[index] for v in
                                                                 right[m].values()]))
                                       for m in MARGIN_GRID},
            "description": "ours, the last-used-variant tie-breaker's margin of each held-out day "
                           "chosen on the other days (the count of sets named right, all seeds)",
        }
    return out


def _summary(runs: list[dict[str, Any]], key: str) -> tuple[float, float | None]:
    values = [r[key] for r in runs if key in r]
    if not values:
        return float("nan"), None
    return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else None)


def evaluate_protocol(
    name: str, *, seeds: Sequence[int], folds: int | None, spec: WindowSpec,
    methods: Sequence[str], log: Callable[[str], None], training: str = "shipped",
    replay: Path | None = None, labels: str = "dataset", ensemble: int = 1,
) -> list[dict[str, Any]]:
    """Run one protocol for every method and seed; one result row per level.

    With ``ensemble`` > 1 ours is the mean of that many networks per evaluation seed
    (``member_seeds``); the baselines stay one model per seed, as published.

    On a dataset of one person (``ONE_PERSON``) the rows also hold ``with_personal_model``: ours
    with his personal model, w chosen per held-out day on the other days. With the dataset's
    ``labels`` the rows also hold ``audited_labels``: the same predictions scored against the
    audited labels (``ml.exercise_audit``); with ``labels="audited"`` training, history and
    scoring all take the audited labels."""
    dataset, protocol_name = PROTOCOLS[name]
    audit_file = load_corrections()
    data = training_data(SHIPPED_DATASETS if training == "shipped" else [dataset],
                         corrections=audit_file if labels == "audited" else None)
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
    blocks = [member_seeds(seed, ensemble) for seed in seeds]
    protocol = (f"{dataset}, {protocol_name} ({len(held_groups)} folds: {', '.join(held_groups)}), "
                f"{TRAINING[training]}, {LABELS[labels]}, "
                f"{spec.window_s:g} s windows / {spec.hop_s:g} s hop, seeds {list(seeds)}"
                + (f" (ours: the mean window probabilities of {ensemble} networks per seed, "
                   f"trained with seeds {blocks}"
                   f"; the baselines one model per seed)" if ensemble > 1 else "") + "; "
                f"sets scored: {scope}; set decision {decision}; "
                f"excluded (< 3 sets): {data.excluded or 'none'}")
    log(f"== {name}: {protocol}")
    log(f"   {len(data.sets)} sets, {table.labels.size} windows, classes {list(data.classes)}")
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {m: {"family": [], "exercise": []}
                                                          for m in methods}
    corrections = ({key: c for key, c in audit_file.items() if key[0] == dataset}
                   if labels == "dataset" else {})

    def audit(held: HeldOut) -> HeldOut:
        return audited(held, data.sets, data.classes, corrections)

    audited_by: dict[str, dict[str, list[dict[str, Any]]]] = {
        m: {"family": [], "exercise": []} for m in methods}
    extras: dict[str, Any] = {}
    held_by: dict[str, list[HeldOut]] = {m: [] for m in methods}
    names = [s.name for s in data.sets]
    # Our sets as the app decides them, for choosing the set confidence (ml.eval_confidence).
    decisions: list[dict[str, Any]] = []
    for method in methods:
        for seed in seeds if method != "sklearn" else seeds[:1]:
            if method == "ours" and ensemble > 1:
                held = _ensemble_predictions(table, groups, held_groups,
                                             member_seeds(seed, ensemble), log, replay)
            else:
                held = _fold_predictions(table, groups, held_groups, method, seed, log, replay)
            held_by[method].append(held)
            for level in ("family", "exercise"):
                result = score(held, data.classes, level=level, sets_counted=counted,
                               priors=priors)
                runs[method][level].append(result)
                if corrections:
                    audited_by[method][level].append(score(
                        audit(held), data.classes, level=level, sets_counted=counted,
                        priors=priors))
                log(f"   {method:12s} seed {seed} {level:8s}: set acc {result['set_accuracy']:.3f}"
                    f" (best single class, no history: "
                    f"{result['set_accuracy_without_history']:.3f})"
                    f" macro-F1 {result['set_macro_f1']:.3f} window acc "
                    f"{result['window_accuracy']:.3f}  [{name}]")
            if method == "ours":
                decisions += [{"seed": seed, "with_personal_model": False, **d} for d in
                              set_decisions(held, data.classes, names, groups, counted, priors)]
            if method == "ours" and seed == seeds[0]:
                extras["decision_with_thresholds"] = decision_coverage(
                    held, data.classes, DecisionThresholds(), counted, priors)
    margin_rows = (tie_breaker_rows(held_by["ours"], data.classes, priors, groups, counted)
                   if held_by.get("ours") and priors else {})
    personal_rows = (_personal_rows(name, table, groups, held_groups, data, held_by["ours"],
                                    counted, log, audit if corrections else None)
                     if held_by.get("ours") and dataset in ONE_PERSON else {})
    if "exercise" in personal_rows:
        decisions += personal_rows["exercise"].pop("set_decisions")
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
        row["set_misses"] = {m: set_misses(runs[m][level], names) for m in methods}
        if level in margin_rows:
            row["tie_breaker_margin"] = margin_rows[level]
        if level in personal_rows:
            row["with_personal_model"] = personal_rows[level]
            row["set_misses"]["ours_with_personal_model"] = personal_rows[level].pop(
                "set_misses")
        if corrections:
            row["audited_labels"] = _audited_row(audited_by, level, personal_rows.get(level),
                                                 corrections)
        if level == "exercise" and extras:
            row.update(extras)
        if level == "exercise" and decisions:
            row["set_decisions"] = decisions
        if first:
            png = REPORTS / f"activity_confusion_{dataset}_{level}.png"
            confusion_png(first["set_truth"], first["set_pred"],
                          f"{dataset} {protocol_name}, {level} level, seed {seeds[0]} (sets)", png)
            row["confusion_matrix_png"] = str(png.relative_to(appconfig.REPO_ROOT))
        rows.append(row)
    return rows


def _audited_row(
    audited_by: Mapping[str, Mapping[str, list[dict[str, Any]]]], level: str,
    personal: Mapping[str, Any] | None, corrections: Mapping[tuple[str, str], Any],
) -> dict[str, Any]:
    """The same predictions scored against the audited labels (``ml.exercise_audit``)."""
    ours = audited_by.get("ours", {}).get(level, [])
    mean, sd = _summary(ours, "set_accuracy")
    row: dict[str, Any] = {
        "corrections": str(CORRECTIONS_PATH.relative_to(appconfig.REPO_ROOT)),
        "sets_corrected": sorted(name for _, name in corrections),
        "n_sets": ours[0]["n_sets"] if ours else None,
        "set_accuracy": mean, "set_accuracy_sd": sd,
        "baselines": {m: _summary(by_level[level], "set_accuracy")[0]
                      for m, by_level in audited_by.items() if m != "ours"},
        "description": "the same held-out predictions scored against the audited labels; "
                       "training, personal models and the last-used-variant history saw the "
                       "dataset's labels",
    }
    for key in ("pull_up_set_recall", "pull_up_window_precision"):
        if ours and key in ours[0]:
            row[key] = _summary(ours, key)[0]
    if ours:
        row["per_class_set_recall"] = ours[0]["set_recall"]
    if personal and "audited_labels" in personal:
        row["with_personal_model"] = personal["audited_labels"]
    return row


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


def misses_text(row: Mapping[str, Any]) -> str:
    """Which sets each method named wrong (seeds that did / seeds run), and those every method
    named wrong: where the methods differ, and where they all stop."""
    misses = row.get("set_misses", {})
    if not misses:
        return ""
    corrected = set(row.get("audited_labels", {}).get("sets_corrected", []))
    lines = [f"  [{row['dataset']} {row['level']}] sets named wrong (dataset labels; * = label "
             "corrected by the audit):"]
    for method, wrong in misses.items():
        listed = "; ".join(f"{m['set']}{'*' if m['set'] in corrected else ''} {m['truth']} -> "
                           f"{m['predicted']} ({m['seeds']}/{m['of_seeds']})" for m in wrong)
        lines.append(f"    {method}: {len({m['set'] for m in wrong})} sets: {listed or 'none'}")
    if len(misses) > 1:
        shared = set.intersection(*({m["set"] for m in wrong} for wrong in misses.values()))
        lines.append(f"    named wrong by every method: {sorted(shared) or 'none'}")
    return "\n".join(lines)


def card_entries(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The card's ``evaluation`` list: the issue's schema plus a few named extras."""
    keep = ("dataset", "protocol", "level", "n_sets", "set_accuracy", "set_accuracy_sd",
            "set_macro_f1", "window_accuracy", "baselines", "n_seeds", "description",
            "set_accuracy_without_history",
            "pull_up_set_recall", "pull_up_window_precision", "per_class_set_recall",
            "decision_with_thresholds", "confusion_matrix_png", "with_personal_model",
            "audited_labels", "tie_breaker_margin")
    return [{k: r[k] for k in keep if k in r} for r in rows]


def card_of_recipe(card_path: Path, report: Mapping[str, Any]) -> dict[str, Any] | None:
    """The model card at ``card_path`` when it was trained with the report's recipe and window
    (an evaluation describes only such a model), else None."""
    if not card_path.is_file():
        return None
    card: dict[str, Any] = json.loads(card_path.read_text())
    if card.get("recipe") != report.get("recipe") or card.get("window") != report.get("window"):
        return None
    if card_networks(card) != report.get("ensemble", 1):
        return None
    return card


def update_card(card_path: Path, report: dict[str, Any]) -> bool:
    """Write the evaluation into the card when it was trained with the evaluated recipe.

    The report's rows replace the card's rows of the same dataset, protocol and level; rows of
    protocols the report did not run stay (an evaluation of one protocol updates that one)."""
    card = card_of_recipe(card_path, report)
    if card is None:
        return False
    new = [{**r, "command": report["command"]} for r in card_entries(report["rows"])]

    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return row["dataset"], row["protocol"], row["level"]

    fresh = {key(r) for r in new}
    kept = [{"command": card.get("evaluation_command"), **r}
            for r in card.get("evaluation", []) if key(r) not in fresh]
    card["evaluation"] = kept + new
    # Each row names the command that produced it; the card lists them all.
    card["evaluation_command"] = "; ".join(dict.fromkeys(r["command"] for r in kept + new))
    card["evaluation_machine"] = report.get("machine")
    card.pop("evaluation_note", None)  # written by ml.train while no evaluation existed yet
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    from ml.activity_fit import RECIPE

    parser = argparse.ArgumentParser(prog="python -m ml.evaluate activity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="activity")
    parser.add_argument("--protocols", default=",".join(PROTOCOLS),
                        help=f"comma-separated subset of {list(PROTOCOLS)}")
    parser.add_argument("--seeds", type=int, default=3,
                        help="seeds on barbell-lopo (>= 3; for one network 3 cannot tell 3 "
                             "points from noise: use 6)")
    parser.add_argument("--applewatch-seeds", type=int, default=3,
                        help="seeds on applewatch-lodo (~14 trainings each; one is not enough)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds from this one on (fresh seeds check a result chosen on others)")
    parser.add_argument("--ensemble", type=int, default=NETWORKS, metavar="K",
                        help="ours as the mean of K networks per seed, trained with K consecutive "
                             "seeds (as python -m ml.train --ensemble K builds the model)")
    parser.add_argument("--folds", type=int, default=None, help="only the first N folds (quick)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--window-s", type=float, default=None)
    parser.add_argument("--training", choices=list(TRAINING), default="shipped",
                        help="; ".join(f"{k}: {v}" for k, v in TRAINING.items()))
    parser.add_argument("--labels", choices=list(LABELS), default="dataset",
                        help="; ".join(f"{k}: {v}" for k, v in LABELS.items()))
    parser.add_argument("--out", type=Path, default=REPORTS / "activity_evaluation.json")
    parser.add_argument("--replay", type=Path, default=None, metavar="DIR",
                        help="store every fold's held-out probabilities in DIR and read back "
                             "those whose data, seed, recipe, training code and library "
                             "versions are unchanged (re-scoring without re-training)")
    args = parser.parse_args(argv)
    if args.ensemble < 1 or args.first_seed < 0:
        parser.error("--ensemble must be >= 1 and --first-seed >= 0")
    os.nice(10)  # a shared machine: evaluation yields to interactive work
    spec = WindowSpec(args.window_s) if args.window_s else WindowSpec()
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(METHODS)) + sorted(
        set(args.protocols.split(",")) - set(PROTOCOLS))
    if unknown:
        parser.error(f"unknown method/protocol {unknown}")
    REPORTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    # Seeded folds repeat exactly on one machine type; other CPU kernels round differently.
    print(f"machine: {machine()}", flush=True)
    rows: list[dict[str, Any]] = []
    for name in args.protocols.split(","):
        n_seeds = args.applewatch_seeds if name == "applewatch-lodo" else args.seeds
        seeds = list(range(args.first_seed, args.first_seed + n_seeds))
        rows += evaluate_protocol(name, seeds=seeds, folds=args.folds, spec=spec,
                                  methods=methods, log=lambda line: print(line, flush=True),
                                  training=args.training, replay=args.replay,
                                  labels=args.labels, ensemble=args.ensemble)
    print(table_text(rows))
    for r in rows:
        print(f"  [{r['dataset']} {r['level']}] protocol: {r['description']}")
    for r in rows:
        if "with_personal_model" in r:
            mix = r["with_personal_model"]
            at = mix["at_shipped_network_weight"]
            print(f"  [{r['dataset']} {r['level']}] with the user's personal model: "
                  f"{_fmt(mix['set_accuracy'], mix['set_accuracy_sd'])} (network weight w of "
                  f"each held-out day, chosen on the other days of every seed: "
                  f"{mix['network_weights_chosen']}; all days together are likeliest at "
                  f"{mix['network_weight_everywhere']:g}); at the shipped w "
                  f"{at['network_weight']:g}: {_fmt(at['set_accuracy'], at['set_accuracy_sd'])}")
    for r in rows:
        if "tie_breaker_margin" in r:
            tie = r["tie_breaker_margin"]
            curve = ", ".join(f"{m} {a:.3f}" for m, a in tie["set_accuracy_by_margin"].items())
            print(f"  [{r['dataset']} {r['level']}] the last-used-variant tie-breaker's margin "
                  f"of each held-out day chosen on the other days: "
                  f"{_fmt(tie['set_accuracy'], tie['set_accuracy_sd'])} (margins chosen: "
                  f"{sorted(set(tie['margins_chosen'].values()))}); every day by margin: "
                  f"{curve}; shipped margin {tie['shipped_margin']:g}")
    for text in filter(None, map(misses_text, rows)):
        print(text)
    for r in rows:
        if "audited_labels" in r:
            a = r["audited_labels"]
            mix = a.get("with_personal_model", {})
            print(f"  [{r['dataset']} {r['level']}] AUDITED labels ({a['corrections']}: "
                  f"{len(a['sets_corrected'])} sets; same predictions): ours "
                  f"{_fmt(a['set_accuracy'], a['set_accuracy_sd'])} over {a['n_sets']} sets, "
                  f"seed net {_fmt(a['baselines'].get('seed_network'))}, sklearn "
                  f"{_fmt(a['baselines'].get('sklearn'))}; with the personal model "
                  f"{_fmt(mix.get('set_accuracy'), mix.get('set_accuracy_sd'))} "
                  f"(at the shipped w: {_fmt(mix.get('at_shipped_network_weight'))})")
    # Every fold, method and the shipped model's training and labels: the card's rows of the
    # protocols run can be replaced.
    as_shipped = (args.folds is None and set(methods) == set(METHODS) and args.first_seed == 0
                  and args.training == "shipped" and args.labels == "dataset")
    report = {"rows": rows, "recipe": RECIPE, "window": spec.to_dict(), "ensemble": args.ensemble,
              "command": "python -m ml.evaluate activity " + " ".join(argv[1:] if argv else []),
              "minutes": round((time.perf_counter() - started) / 60, 1),
              "replayed_from": str(args.replay) if args.replay else None,
              "machine": machine(),
              # What ``ml.train`` copies into a new card, which must not lose a protocol.
              "complete": as_shipped and set(args.protocols.split(",")) == set(PROTOCOLS)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {args.out} ({report['minutes']} min)")
    if as_shipped and update_card(card_path_for(appconfig.MODEL_PATH), report):
        print(f"updated the evaluation in {card_path_for(appconfig.MODEL_PATH)}")
    return 0
