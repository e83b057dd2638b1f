"""Retraining the activity model from a journal of 200 labelled real sets (target ≤ 5 minutes).

The journal (a SQLite file in a temporary folder) holds 200 real sets, one session each: the
158 applewatch-gym sets of codes with ≥ 2 sets (two of them, DLR and 30BP, are exercises the
shipped model does not know: new classes) and 42 barbell-metamotion lift sets, each saved with the
model's guess set to "unknown" and then corrected (every other one) or confirmed through
``journal.edits``. Then ``ml.learning.retrain`` runs as the app's Retrain button runs it:
the shipped model fine-tuned, the shipped datasets replayed and compared on, the newest 20 %
of the labelled sets held out. The clock includes reading the shared datasets once.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks import Figure
from journal import db, edits, exercises, store
from ml import datasets
from ml.analysis import DetectedSet, SessionAnalysis
from ml.learning import retrain

N_SETS = 200


def _journal_sets() -> list[datasets.LabelledSet]:
    """Every applewatch-gym set of a code with ≥ 2 sets (a code seen once would be refused:
    a new exercise needs 2 labelled sets), then barbell lifts up to 200."""
    watch = datasets.applewatch_sets()
    counts = Counter(s.label for s in watch)
    lifts = [s for s in datasets.barbell_sets() if s.exercise_id != exercises.REST_ID]
    return ([s for s in watch if counts[s.label] >= 2] + lifts)[:N_SETS]


def build_journal(url: str) -> int:
    """Save the 200 real sets into the journal at ``url`` and label them; returns the count."""
    engine = db.open_journal(url)
    labelled = _journal_sets()
    for i, item in enumerate(labelled):
        recording = datasets.load(item)
        edge = 3.0 if item.dataset == datasets.APPLEWATCH else 0.5
        detected = DetectedSet(start_s=edge, end_s=recording.duration_s - edge,
                               exercise=exercises.UNKNOWN_ID, exercise_name="Unknown exercise",
                               confidence=0.3, reps=item.reps or 0)
        analysis = SessionAnalysis(recording=recording, sets=(detected,))

        def work(session: db.Session, analysis: SessionAnalysis = analysis,
                 exercise: str = item.exercise_id, confirm_only: bool = i % 2 == 1) -> None:
            saved = store.save_analysis(session, analysis)
            if confirm_only:  # the user picks the right exercise and confirms it
                edits.update_set(session, saved.set_ids[0], exercise=exercise, confirmed=True)
            else:
                edits.update_set(session, saved.set_ids[0], exercise=exercise)

        db.write_transaction(engine, work)
    engine.dispose()
    return len(labelled)


def run() -> Iterator[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'journal.sqlite3'}"
        started = time.monotonic()
        n_sets = build_journal(url)
        built = time.monotonic() - started
        engine = db.open_journal(url)
        phases: dict[str, float] = {}
        clock = time.monotonic()

        def progress(fraction: float, message: str) -> None:
            phases.setdefault(message.split(":")[0], time.monotonic() - clock)

        result = retrain(engine, root=Path(folder) / "models", progress=progress)
        seconds = time.monotonic() - clock
        engine.dispose()
    protocol = (f"journal of {n_sets} real labelled sets (158 applewatch-gym, "
                f"{n_sets - 158} barbell-metamotion), SQLite; ml.learning.retrain with default "
                f"options ({result.n_train_sets} sets trained on, {result.n_held_out_sets} held "
                f"out, new classes {list(result.new_classes)}), fine-tuning the shipped model; "
                f"2-core machine shared with other jobs; "
                f"includes reading the shared datasets; {result.reason}")
    yield Figure("retrain from a 200-set journal", seconds, "s", protocol)
    training_start = phases.get("training", 0.0)
    comparing = phases.get("comparing the new model with the one in use", seconds)
    yield Figure("  of which reading journal + shipped datasets", training_start, "s", protocol)
    yield Figure("  of which fine-tuning", comparing - training_start, "s", protocol)
    yield Figure("building the 200-set journal (not part of the target)", built, "s",
                 "save_analysis + update_set per real set, one transaction each")
