"""Learning from the user's corrections: retrain the activity model on the journal's labelled sets.

Public API::

    label_counts(session, athlete=None, known_classes=base_model_classes())  # what it can teach
    result = retrain(engine, athlete=None, progress=..., cancelled=...)  # -> RetrainResult
    result.adopted, result.reason, result.user, result.shipped   # the before/after comparison
    main_from_journal(["--athlete", "Ann"])  # `python -m ml.train --from-journal [--athlete NAME]`

How: every retrain starts from the shipped model (never from an earlier user version, so no
version inherits another's mistakes and a rollback leaves nothing depending on it) and
fine-tunes all its layers for a few epochs on the athlete's corrected and confirmed sets mixed
with replayed windows of the shipped datasets, so the old classes are not forgotten. An exercise
the shipped model does not know gets a new output unit (``ml.learning_train.with_classes``):
retraining from scratch would take the 15 minutes of ``ml.train`` instead of one or two.
The newest 20 % of each exercise's sets are held out; the new model is adopted only when it
names at least as many of them right as the model in use, and loses at most one point of
per-set accuracy on the shipped sets (``ml.learning_compare.adoption``). Adopted versions are
published atomically (``ml.model_registry``); a failure or a stop leaves the active one.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

import appconfig
from journal import db, exercises, store
from journal.views import NotFoundError
from ml import learning_data, model_registry
from ml.activity_data import SetSignal, WindowTable
from ml.learning_compare import Score, adoption, score, set_predictions
from ml.learning_data import (
    MIN_LABELLED_SETS,
    MIN_SETS_NEW_EXERCISE,
    LabelCount,
    NotEnoughLabels,
    RetrainCancelled,
    label_counts,
)
from ml.learning_versions import save_version
from ml.learning_windows import ReplaySource, training_arrays
from ml.model import ActivityModel, card_path_for, load_model
from ml.personal import PersonalModel, fit_personal
from ml.windowing import WindowSpec

__all__ = ["MIN_LABELLED_SETS", "MIN_SETS_NEW_EXERCISE", "LabelCount", "NotEnoughLabels",
           "RetrainBusy", "RetrainCancelled", "RetrainOptions", "RetrainResult",
           "base_model_classes", "label_counts", "main_from_journal", "retrain"]

#: progress(fraction done in [0, 1], what is happening)
Progress = Callable[[float, str], None]

_RUNNING = threading.Lock()


class RetrainBusy(RuntimeError):
    """Another retrain is running in this process."""


@dataclass(frozen=True)
class RetrainOptions:
    """Fine-tuning settings (recorded in the new version's card)."""

    epochs: int = 12
    batch_size: int = 128
    learning_rate: float = 2e-3
    replay_per_class: int = 300
    replay_hop_s: float = 1.0
    user_weight: float = 2.0
    max_user_windows: int = 12_000
    holdout_fraction: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class RetrainResult:
    """What a retrain did: the candidate, the comparison and whether it became active."""

    adopted: bool
    reason: str
    model: ActivityModel
    version: str | None
    model_path: Path | None
    before_version: str
    new_classes: tuple[str, ...]
    n_train_sets: int
    n_held_out_sets: int
    user: Score
    shipped: Score
    seconds: float
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        lines = [self.reason,
                 f"trained on {self.n_train_sets} of your sets"
                 + (f", new exercises: "
                    f"{', '.join(self.model.exercise_name(e) for e in self.new_classes)}"
                    if self.new_classes else "")
                 + f"; {self.seconds:.0f} s",
                 *self.notes]
        if self.model.personal is not None:
            names = [self.model.exercise_name(e) for e in self.model.personal.exercises]
            lines.append(f"personal model: tells apart your {len(names)} exercises "
                         f"({', '.join(names)}) by the angles and spreads of your own sets")
        if self.version:
            lines.append(f"active model: {self.version} ({self.model_path})")
        return "\n".join(lines)


def _noop(fraction: float, message: str) -> None:
    return None


def retrain(
    engine: Engine,
    *,
    athlete: str | None = None,
    base_path: Path | None = None,
    before_path: Path | None = None,
    shipped: Sequence[SetSignal] | None = None,
    reference: Sequence[SetSignal] | None = None,
    root: Path | None = None,
    options: RetrainOptions | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    enforce_minimums: bool = True,
) -> RetrainResult:
    """Retrain from the athlete's labelled journal sets; adopt the result only if no worse.

    Parameters
    ----------
    base_path : the model to fine-tune (default: the shipped ``appconfig.MODEL_PATH``)
    before_path : the model to compare with (default: the athlete's active model)
    shipped : sets replayed so old classes are kept (default: the shared datasets' sets of the
        base model's classes); ``reference`` are the sets of the shipped comparison (default:
        ``shipped``).
    enforce_minimums : False lets the learning evaluation measure what the product refuses
        (one labelled set; nothing held out).

    Raises
    ------
    NotEnoughLabels, RetrainBusy, RetrainCancelled
        Nothing is saved and the active model stays when any exception leaves this function.
    """
    if not _RUNNING.acquire(blocking=False):
        raise RetrainBusy("a retraining is already running; wait for it to finish")
    try:
        return _retrain(engine, athlete, base_path, before_path, shipped, reference, root,
                        options or RetrainOptions(), progress or _noop,
                        cancelled or (lambda: False), enforce_minimums)
    finally:
        _RUNNING.release()


def _retrain(
    engine: Engine, athlete: str | None, base_path: Path | None, before_path: Path | None,
    shipped: Sequence[SetSignal] | None, reference: Sequence[SetSignal] | None,
    root: Path | None, options: RetrainOptions, progress: Progress,
    cancelled: Callable[[], bool], enforce_minimums: bool,
) -> RetrainResult:
    started = time.monotonic()
    base_path = base_path or appconfig.MODEL_PATH
    progress(0.0, "reading your labelled sets from the journal")
    with db.session_factory(engine)() as session:
        labelled = learning_data.journal_sets(session, athlete=athlete)
        usable = [s for s in labelled if learning_data.learnable(s.exercise)]
        notes = [f"{len(labelled) - len(usable)} sets labelled 'unknown' were left out "
                 "(name their exercise to learn from them)"
                 ] if len(usable) < len(labelled) else []
        names = learning_data.exercise_names(session)
        if enforce_minimums:  # refuse before loading Keras: the answer comes at once
            learning_data.check_enough(usable, _card_classes(base_path), names)
        base = load_model(base_path)
        before = load_model(before_path or model_registry.active_model_path(
            session, athlete, root=root, fallback=base_path))
        if enforce_minimums:
            train_sets, held_sets = learning_data.split_holdout(
                usable, fraction=options.holdout_fraction)
        else:
            train_sets, held_sets = usable, []
        train_signals, skipped = learning_data.set_signals(session, train_sets, base.spec)
        held_signals, skipped_held = learning_data.set_signals(session, held_sets, base.spec)
    notes += skipped + skipped_held
    if not train_signals:
        raise NotEnoughLabels("none of the labelled sets has a usable signal: " + "; ".join(notes))
    new_classes = tuple(sorted({s.exercise for s in train_signals} - set(base.classes)))
    classes = (*base.classes, *new_classes)
    _check(cancelled)

    progress(0.05, "reading the shipped datasets (kept so old exercises are not forgotten)")
    shipped = (learning_data.shipped_sets(base.classes) if shipped is None
               else [s for s in shipped if s.exercise in base.classes])
    replay = ReplaySource.of(shipped, base.spec, classes, hop_s=options.replay_hop_s)
    reference = shipped if reference is None else [
        s for s in reference if s.exercise in base.classes]
    ref_table = ReplaySource.of(reference, base.spec, classes,
                                hop_s=options.replay_hop_s).table if reference else None
    _check(cancelled)

    from ml import learning_train  # Keras: imported only when training

    wide, labels, weights = training_arrays(train_signals, classes, base.spec, replay, options)
    network = learning_train.with_classes(learning_train.load_network(base_path),
                                          len(new_classes), seed=options.seed)
    history = learning_train.fine_tune(
        network, wide, labels, weights, epochs=options.epochs, batch_size=options.batch_size,
        learning_rate=options.learning_rate, seed=options.seed,
        progress=lambda f, m: progress(0.15 + 0.7 * f, m), cancelled=cancelled)
    # The card keeps the names of the user's own exercises: other journals may lack them.
    class_names = {c: exercises.display_name(c, names) for c in classes}
    progress(0.82, "fitting your personal model (the angles and spreads of your own sets)")
    personal = _fit_personal(train_signals, classes, base.spec, options.seed)
    candidate = ActivityModel(network=network, classes=classes, spec=base.spec,
                              thresholds=base.thresholds, version="candidate",
                              card={"class_names": class_names}, personal=personal)

    progress(0.85, "comparing the new model with the one in use")
    user, shipped_score = _compare(before, candidate, held_signals, ref_table, classes)
    adopted, reason = adoption(user, shipped_score)
    if not enforce_minimums:
        adopted, reason = False, "evaluation run: " + reason.split(": ", 1)[-1]
    _check(cancelled)
    version = path = None
    if adopted:
        progress(0.95, "saving and activating the new model")
        training = {"journal_set_ids": [s.set_id for s in train_sets],
                    "held_out_set_ids": [s.set_id for s in held_sets],
                    "new_classes": list(new_classes), "options": asdict(options),
                    "replay_windows": replay.counts, "history": history}
        version, path = save_version(
            engine, candidate, athlete=athlete, base=base, before=before, root=root,
            training=training, comparison={"user": user.to_dict(),
                                           "shipped": shipped_score.to_dict()}, reason=reason)
    progress(1.0, reason)
    return RetrainResult(
        adopted=adopted, reason=reason, model=candidate, version=version, model_path=path,
        before_version=before.version, new_classes=new_classes,
        n_train_sets=len(train_signals), n_held_out_sets=len(held_signals), user=user,
        shipped=shipped_score, seconds=time.monotonic() - started, notes=tuple(notes))


def _fit_personal(train: Sequence[SetSignal], classes: Sequence[str], spec: WindowSpec,
                  seed: int) -> PersonalModel | None:
    """The user's personal model (``ml.personal``) on their training sets; None with fewer than
    two exercises among them."""
    from ml.activity_data import build_table, wide_samples_for

    table = build_table(train, classes, spec, wide_samples=wide_samples_for(spec))
    return fit_personal(table, np.ones(len(table.sets), bool), seed=seed)


def base_model_classes(base_path: Path | None = None) -> tuple[str, ...]:
    """The classes of the model a retrain starts from (default: the shipped one): an exercise
    outside them is new to it and needs ``MIN_SETS_NEW_EXERCISE`` labelled sets."""
    return _card_classes(base_path or appconfig.MODEL_PATH)


def _card_classes(model_path: Path) -> tuple[str, ...]:
    """The classes of a model from its card (no Keras); the loader's error when unreadable."""
    try:
        return tuple(json.loads(card_path_for(model_path).read_text())["classes"])
    except (OSError, ValueError, KeyError, TypeError):
        return load_model(model_path).classes


def _check(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise RetrainCancelled("retraining was stopped; the active model is unchanged")


#: (model in use, reference table, its predictions): the same every retrain until either changes.
_BEFORE_CACHE: list[tuple[ActivityModel, WindowTable, dict[int, str]]] = []


def _compare(before: ActivityModel, after: ActivityModel, held: Sequence[SetSignal],
             ref_table: WindowTable | None, classes: Sequence[str]) -> tuple[Score, Score]:
    """Score both models on the user's held-out sets and on the shipped reference sets."""
    from ml.activity_data import build_table, wide_samples_for

    user = Score(0, 0, 0)
    if held:
        table = build_table(held, classes, after.spec, wide_samples=wide_samples_for(after.spec))
        user = score(table, set_predictions(before, table, exercise_windows_only=False),
                     set_predictions(after, table, exercise_windows_only=False))
    if ref_table is None:
        return user, Score(0, 0, 0)
    if not (_BEFORE_CACHE and _BEFORE_CACHE[0][0] is before and _BEFORE_CACHE[0][1] is ref_table):
        _BEFORE_CACHE[:] = [(before, ref_table, set_predictions(
            before, ref_table, exercise_windows_only=True))]
    shipped = score(ref_table, _BEFORE_CACHE[0][2],
                    set_predictions(after, ref_table, exercise_windows_only=True))
    return user, shipped


def main_from_journal(argv: Sequence[str] | None = None) -> int:
    """``python -m ml.train --from-journal [--athlete NAME]``: retrain from the journal.

    Exit status 0 when the new model was adopted, 1 when it was trained but not adopted,
    2 when the journal holds too few labelled sets (the message says how many more), 3 when
    the journal or the lifter cannot be read: a missing SQLite file is not created, and an
    ``--athlete`` the journal does not know is named, not read as a lifter without labels.
    """
    parser = argparse.ArgumentParser(
        prog="python -m ml.train --from-journal",
        description="Retrain the exercise model from the sets you corrected or confirmed.")
    parser.add_argument("--from-journal", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--athlete", default=None, help="whose sets (default: the only user)")
    parser.add_argument("--database-url", default=None,
                        help="journal URL (default: JOURNAL_DATABASE_URL or the local file)")
    parser.add_argument("--epochs", type=int, default=RetrainOptions.epochs)
    args = parser.parse_args(argv)
    last = [-1]

    def report(fraction: float, message: str) -> None:
        step = int(fraction * 10)
        if step != last[0]:
            last[0] = step
            print(f"[{fraction:4.0%}] {message}", flush=True)

    try:
        engine = db.make_engine(args.database_url, create=False)
        db.migrate(engine)
        athlete = args.athlete
        if athlete is not None:
            with db.session_factory(engine)() as session:
                athlete = store.known_athlete(session, athlete)
    except (db.MissingJournalError, db.JournalUnavailableError, NotFoundError) as error:
        print(f"not retrained: {error}", file=sys.stderr)
        return 3
    except SQLAlchemyError as error:
        print(f"not retrained: the journal database failed: {db.failure_reason(error)}",
              file=sys.stderr)
        return 3
    try:
        result = retrain(engine, athlete=athlete, progress=report,
                         options=RetrainOptions(epochs=args.epochs))
    except NotEnoughLabels as error:
        print(f"not retrained: {error}")
        return 2
    finally:
        engine.dispose()
    print(result.summary())
    for name, part in (("your held-out sets", result.user), ("shipped sets", result.shipped)):
        print(_score_line(name, part))
    return 0 if result.adopted else 1


def _score_line(name: str, part: Score) -> str:
    if not part.n_sets:
        return f"{name}: none"
    return (f"{name}: {part.n_sets} sets, named right before {part.right_before} "
            f"({part.before:.1%}), after {part.right_after} ({part.after:.1%})")
