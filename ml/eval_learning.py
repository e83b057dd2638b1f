"""``python -m ml.evaluate learning``: a simulated user teaches the model an exercise it never saw.

Protocol (printed with the figures):
1. Hold one applewatch-gym exercise code out (default APULL, assisted pull-ups; or SACLR) and
   split the rest: applewatch-gym recording days 2, 5, 8, 11 in date order and barbell
   participant D are the test split of the other classes; everything else trains the base model
   with ``ml.train``'s recipe (codes with ≥ 3 sets, the barbell lifts, rest; seeded; cached
   under artifacts/learning/).
2. The held-out code's sets in recording order: the first 10 are the ones the user labels, the
   remaining ones measure recall. For k = 1, 3, 5, 10: a fresh journal; each of the first k
   sets is analysed by the base model (``ml.pipeline.analyze``), saved (``journal.store``) and
   every set found in it corrected to the exercise (``journal.edits.update_set``).
3. ``ml.learning.retrain`` runs as the app runs it (the newest 20 % of the labelled sets held
   out for its adopt-or-not decision, the base training sets replayed); where the product
   refuses (k = 1) the same training is run without the minimums, to show what one set gives.
4. Reported: before any set is labelled, how the base model names all the held-out code's sets
   (left "unknown", the right answer, or named as one of its own exercises; with the shipped
   thresholds and without the family floor); then set recall of the new exercise on its
   remaining sets, per-set accuracy on the test sets of the other classes before and after
   (change in points), the product's decision, seconds of retraining (a busy 2-core machine
   shared with other jobs).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import appconfig
from journal import db, edits, exercises, store
from ml import datasets
from ml.activity_data import SetSignal, build_table, wide_samples_for
from ml.activity_sets import training_data
from ml.learning import NotEnoughLabels, RetrainOptions, retrain
from ml.learning_compare import set_predictions
from ml.model import ActivityModel, card_networks, card_path_for, load_model
from ml.windowing import WindowSpec

TEST_DAY_INDEXES = (2, 5, 8, 11)
TEST_PARTICIPANTS = ("D",)
LABEL_POOL = 10
ARTIFACTS = appconfig.REPO_ROOT / "artifacts" / "learning"
REPORTS = appconfig.REPO_ROOT / "reports"


def _split(exercise: str) -> tuple[list[SetSignal], list[SetSignal], list[SetSignal]]:
    """(base training sets, other-class test sets, the held-out exercise's sets in recording
    order), from the sets ``ml.train`` trains on (codes with ≥ 3 sets)."""
    sets = training_data().sets
    days = sorted({s.group for s in sets if s.dataset == datasets.APPLEWATCH})
    test_groups = {days[i] for i in TEST_DAY_INDEXES if i < len(days)} | set(TEST_PARTICIPANTS)
    # applewatch-gym names end in the start time: "..._R12-2024-12-01_07-36-28"
    held = sorted((s for s in sets if s.exercise == exercise),
                  key=lambda s: s.name.split("-", 1)[1])
    others = [s for s in sets if s.exercise != exercise]
    train = [s for s in others if s.group not in test_groups]
    train_exercises = {s.exercise for s in train}
    # A code recorded only on test days cannot be named by the base model: not tested.
    test = [s for s in others if s.group in test_groups and s.exercise in train_exercises]
    return train, test, held


def _spec() -> WindowSpec:
    card = card_path_for(appconfig.MODEL_PATH)
    if card.is_file():
        return WindowSpec.from_dict(json.loads(card.read_text())["window"])
    return WindowSpec()


def _shipped_networks() -> int:
    """How many networks the shipped model averages (``ml.train --ensemble``): the base model is
    built alike."""
    card = card_path_for(appconfig.MODEL_PATH)
    return card_networks(json.loads(card.read_text())) if card.is_file() else 1


def _base_model(train: list[SetSignal], classes: tuple[str, ...], spec: WindowSpec,
                seed: int) -> Path:
    """The base model without the held-out exercise: ``ml.train``'s recipe (and number of
    networks averaged) on the training split (cached by data, recipe, networks and seed)."""
    from ml.activity_fit import RECIPE, fit_averaged

    networks = _shipped_networks()
    described: list[Any] = [sorted(s.name for s in train), classes, spec.to_dict(), seed, RECIPE]
    if networks > 1:  # the key of a single network's base stays what it was
        described.append(networks)
    key = hashlib.sha256(json.dumps(described).encode()).hexdigest()
    path = ARTIFACTS / f"base-{key[:12]}.keras"
    if not path.is_file():
        print(f"training the base model without the held-out exercise → {path}", flush=True)
        table = build_table(train, classes, spec, wide_samples=wide_samples_for(spec))
        network, fitted = fit_averaged(table, np.ones(len(train), dtype=bool), seed=seed,
                                       networks=networks)
        ActivityModel(network=network, classes=classes, spec=spec).save(
            path, {"version": path.stem, "protocol": "learning evaluation base model",
                   "recipe": RECIPE, "networks": networks,
                   "training": [{k: v for k, v in f.info.items() if k != "history"}
                                for f in fitted]})
    return path


def _label_in_journal(engine: Any, name: str, exercise: str, base: ActivityModel) -> int:
    """What a user does: upload the set, then correct every set found in it; returns sets."""
    from ml.pipeline import analyze

    labelled = next(s for s in datasets.applewatch_sets() if s.name == name)
    recording = datasets.load(labelled)
    analysis = analyze(recording, model=base)

    def work(session: Any) -> int:
        saved = store.save_analysis(session, analysis)
        for set_id in saved.set_ids:
            edits.update_set(session, set_id, exercise=exercise)
        if not saved.set_ids:  # nothing found: the user draws the set by hand
            edits.add_set(session, saved.session_id, exercise=exercise,
                          reps=labelled.reps or 0, start_s=3.0,
                          end_s=recording.duration_s - 3.0)
        return max(1, len(saved.set_ids))

    return int(db.write_transaction(engine, work))


def _recall(model: ActivityModel, sets: Sequence[SetSignal], classes: Sequence[str]) -> float:
    table = build_table(sets, classes, model.spec, wide_samples=wide_samples_for(model.spec))
    predicted = set_predictions(model, table, exercise_windows_only=True)
    return float(np.mean([predicted[i] == table.sets[i].exercise for i in predicted]))


def unseen_sets(base: ActivityModel, sets: Sequence[SetSignal],
                classes: Sequence[str]) -> dict[str, Any]:
    """How the base model names sets of an exercise it has never seen, before any is labelled:
    how many are left "unknown" (the right answer) and what the others are named, with the
    shipped thresholds and without the family floor (``DecisionThresholds.family_floor``)."""
    table = build_table(sets, classes, base.spec, wide_samples=wide_samples_for(base.spec))
    out: dict[str, Any] = {"n_sets": len(sets)}
    unfloored = dataclasses.replace(
        base, thresholds=dataclasses.replace(base.thresholds, family_floor=0.0))
    for name, model in (("shipped", base), ("without_floor", unfloored)):
        named = set_predictions(model, table, exercise_windows_only=True).values()
        out[name] = {"unknown": sum(e == exercises.UNKNOWN_ID for e in named),
                     "named_as": dict(Counter(e for e in named if e != exercises.UNKNOWN_ID))}
    return out


def run(code: str, ks: Sequence[int], options: RetrainOptions, seed: int) -> dict[str, Any]:
    exercise = exercises.from_dataset_label(datasets.APPLEWATCH, code).id
    train, test, held = _split(exercise)
    classes = tuple(sorted({s.exercise for s in train} - {exercises.REST_ID})) + (
        exercises.REST_ID,)
    spec = _spec()
    base_path = _base_model(train, classes, spec, seed)
    base = load_model(base_path)
    pool, recall_sets = held[:LABEL_POOL], held[LABEL_POOL:]
    before = unseen_sets(base, held, (*classes, exercise))
    for name, counts in (("with the shipped thresholds", before["shipped"]),
                         ("without the family floor", before["without_floor"])):
        print(f"before any is labelled, {name}: {counts['unknown']} of {len(held)} sets "
              f"unknown, named {counts['named_as'] or 'none'}", flush=True)
    rows = []
    for k in ks:
        engine = db.make_engine("sqlite://")
        db.migrate(engine)
        n_journal = sum(_label_in_journal(engine, s.name, exercise, base) for s in pool[:k])
        with tempfile.TemporaryDirectory() as root:
            kwargs: dict[str, Any] = dict(base_path=base_path, shipped=train, reference=test,
                                          root=Path(root), options=options)
            started = time.monotonic()
            try:
                result = retrain(engine, **kwargs)
                decision = result.reason
            except NotEnoughLabels as error:
                decision = f"refused: {error}"
                result = retrain(engine, enforce_minimums=False, **kwargs)
            seconds = time.monotonic() - started
        all_classes = (*classes, exercise)
        rows.append({
            "k": k, "journal_sets": n_journal, "trained_on": result.n_train_sets,
            "held_out": result.n_held_out_sets,
            "recall": round(_recall(result.model, recall_sets, all_classes), 4),
            "n_recall_sets": len(recall_sets),
            "others_before": round(result.shipped.before, 4),
            "others_after": round(result.shipped.after, 4),
            "n_other_sets": result.shipped.n_sets, "decision": decision,
            "adopted": result.adopted, "seconds": round(seconds, 1)})
        _print_row(rows[-1])
        engine.dispose()
    return {"exercise_code": code, "exercise": exercise, "base_model": str(base_path),
            "base_classes": list(classes), "options": options.__dict__,
            "before_labelling": before, "rows": rows,
            "protocol": (__doc__ or "").split("Protocol (printed with the figures):", 1)[-1]}


def _print_row(r: dict[str, Any]) -> None:
    change = 100 * (r["others_after"] - r["others_before"])
    print(f"k={r['k']:>2}  trained on {r['trained_on']:>2} sets, {r['held_out']} held out | "
          f"recall {r['recall']:.2f} on {r['n_recall_sets']} unseen sets | other classes "
          f"{r['others_before']:.3f} → {r['others_after']:.3f} on {r['n_other_sets']} sets "
          f"({change:+.1f} points) | {r['seconds']:.0f} s\n      {r['decision']}",
          flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate learning",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="learning")
    parser.add_argument("--exercise", default="APULL", choices=["APULL", "SACLR"])
    parser.add_argument("--ks", default="1,3,5,10", help="labelled sets per run")
    parser.add_argument("--epochs", type=int, default=RetrainOptions.epochs)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    ks = [int(k) for k in args.ks.split(",")]
    print("Learning a new exercise from the user's corrections\nProtocol:"
          + (__doc__ or "").split("Protocol (printed with the figures):", 1)[-1], flush=True)
    report = run(args.exercise, ks, RetrainOptions(epochs=args.epochs, seed=args.seed),
                 args.seed)
    path = REPORTS / f"learning-{args.exercise}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    five = next((r for r in report["rows"] if r["k"] == 5), None)
    if five is not None:
        change = 100 * (five["others_after"] - five["others_before"])
        print(f"target after 5 labelled sets: recall ≥ 0.90 (measured {five['recall']:.2f}), "
              f"at most 1 point lost on the other classes (measured {change:+.1f} points); "
              f"report: {path}")
    return 0
