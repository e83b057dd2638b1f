"""Training data from the user's corrections: which journal sets teach the model, and their windows.

A journal set teaches the model when the user corrected or confirmed its exercise, it lies in a
stored recording with an accelerometer, and its exercise is a catalog exercise (or "rest": "this
was no set"). Its windows are the ones the app decides on when it names that set: every model
window whose centre lies inside the set (``ml.windowing.windows_in_span``), so the signal is cut
from half a window before the set's start to half a window after its end and windowed with the
model's own ``WindowSpec`` by ``ml.activity_data`` (the code that windows the shipped datasets).
The shipped datasets come from ``ml.activity_sets.training_data``, as ``ml.train`` reads them.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from journal import exercises, store
from journal.models import DEFAULT_ATHLETE, Athlete, ExerciseSet, WorkoutSession
from ml.activity_data import SetSignal
from ml.activity_sets import training_data
from ml.windowing import MissingAccelerometerError, WindowSpec, recording_channels

#: Labelled sets the journal must hold before a retrain is worth it.
MIN_LABELLED_SETS = 3
#: Sets of an exercise the model does not know yet: one to learn from, one to check on.
MIN_SETS_NEW_EXERCISE = 2


class NotEnoughLabels(ValueError):
    """Too few labelled sets to retrain; the message says how many more are needed."""


class RetrainCancelled(RuntimeError):
    """Training was stopped before it finished; nothing was saved or activated."""


@dataclass(frozen=True)
class JournalSet:
    """A corrected or confirmed set of the journal (where its signal is and what it is)."""

    set_id: int
    exercise: str
    recording_id: int
    start_s: float
    end_s: float
    performed_at: datetime
    #: The user named another exercise than the model did, or drew the set the model missed.
    corrected: bool


def learnable(exercise_id: str) -> bool:
    """Whether sets labelled with this exercise can become a model class.

    Catalog exercises, rest and the user's own exercises (``custom:...``) can; "unknown"
    cannot: it is the absence of a label, not a movement.
    """
    if exercise_id == exercises.UNKNOWN_ID:
        return False
    return exercises.is_known(exercise_id) or exercises.is_custom_id(exercise_id)


def journal_sets(session: Session, *, athlete: str | None = None) -> list[JournalSet]:
    """The athlete's corrected or confirmed sets that lie in a stored recording, oldest first."""
    rows = session.execute(
        select(ExerciseSet.id, ExerciseSet.exercise_id, ExerciseSet.recording_id,
               ExerciseSet.start_s, ExerciseSet.end_s, WorkoutSession.performed_at,
               ExerciseSet.model_exercise_id)
        .join(WorkoutSession, ExerciseSet.session_id == WorkoutSession.id)
        .join(Athlete, WorkoutSession.athlete_id == Athlete.id)
        .where(Athlete.name == (athlete or DEFAULT_ATHLETE),
               or_(ExerciseSet.corrected.is_(True), ExerciseSet.confirmed.is_(True)),
               ExerciseSet.recording_id.is_not(None),
               ExerciseSet.start_s.is_not(None), ExerciseSet.end_s.is_not(None))
        .order_by(WorkoutSession.performed_at, WorkoutSession.id, ExerciseSet.position)
    ).all()
    # A reps or boundary correction confirms the exercise the user saw; only another name
    # (or a set the user drew) corrects it.
    return [JournalSet(r.id, r.exercise_id, r.recording_id, float(r.start_s), float(r.end_s),
                       r.performed_at, r.exercise_id != r.model_exercise_id) for r in rows]


@dataclass(frozen=True)
class LabelCount:
    """Labelled sets of one exercise in the journal, as the Model page shows them."""

    exercise: str
    name: str
    corrected: int
    confirmed: int
    learnable: bool
    #: More sets a retrain needs of this exercise (one the model does not know yet needs
    #: ``MIN_SETS_NEW_EXERCISE``); 0 when it has enough or is not learnable.
    still_needed: int = 0

    @property
    def total(self) -> int:
        return self.corrected + self.confirmed


def label_counts(session: Session, *, athlete: str | None = None,
                 known_classes: Collection[str] | None = None) -> list[LabelCount]:
    """Corrected and confirmed-as-is sets per exercise, most labelled first; with
    ``known_classes`` (the base model's), how many more sets each new exercise needs."""
    sets = journal_sets(session, athlete=athlete)
    corrected = Counter(s.exercise for s in sets if s.corrected)
    confirmed = Counter(s.exercise for s in sets if not s.corrected)
    names = exercise_names(session)
    ids = sorted(corrected.keys() | confirmed.keys(),
                 key=lambda e: (-(corrected[e] + confirmed[e]), names.get(e, e)))

    def still_needed(exercise_id: str) -> int:
        if known_classes is None or exercise_id in known_classes or not learnable(exercise_id):
            return 0
        return max(0, MIN_SETS_NEW_EXERCISE - corrected[exercise_id] - confirmed[exercise_id])

    return [LabelCount(e, exercises.display_name(e, names), corrected[e], confirmed[e],
                       learnable(e), still_needed(e)) for e in ids]


def exercise_names(session: Session) -> dict[str, str]:
    """Display name of every exercise the journal knows, catalog and custom, by id."""
    return {e.id: e.name for e in store.list_exercises(session)}


def check_enough(sets: Sequence[JournalSet], known_classes: Sequence[str],
                 names: Mapping[str, str] | None = None) -> None:
    """Refuse a retrain the labels cannot support (``names``: display names of the journal's
    exercises, for the message about a user's own exercise).

    Raises
    ------
    NotEnoughLabels
        Fewer than ``MIN_LABELLED_SETS`` learnable sets, or an exercise the model does not
        know yet with fewer than ``MIN_SETS_NEW_EXERCISE`` sets; the message says how many
        more sets of what are needed.
    """
    counts = Counter(s.exercise for s in sets if learnable(s.exercise))
    total = sum(counts.values())
    if total < MIN_LABELLED_SETS:
        missing = MIN_LABELLED_SETS - total
        raise NotEnoughLabels(
            f"the journal holds {total} corrected or confirmed set{'s' * (total != 1)}; "
            f"label {missing} more to retrain (at least {MIN_LABELLED_SETS} are needed)"
        )
    short = {e: n for e, n in counts.items()
             if e not in known_classes and n < MIN_SETS_NEW_EXERCISE}
    if short:
        needs = "; ".join(
            f"{exercises.display_name(e, names)}: {n} labelled set, label "
            f"{MIN_SETS_NEW_EXERCISE - n} more" for e, n in sorted(short.items()))
        raise NotEnoughLabels(
            f"a new exercise needs at least {MIN_SETS_NEW_EXERCISE} labelled sets (one to learn "
            f"from, one to check the new model on): {needs}"
        )


def split_holdout(
    sets: Sequence[JournalSet], *, fraction: float = 0.2
) -> tuple[list[JournalSet], list[JournalSet]]:
    """Keep the newest ``fraction`` of each exercise's sets (at least one where it has two or
    more) aside to compare the models on: (train, held_out). Oldest-first order is kept."""
    by_exercise: dict[str, list[JournalSet]] = {}
    for s in sets:
        by_exercise.setdefault(s.exercise, []).append(s)
    held: set[int] = set()
    for members in by_exercise.values():
        if len(members) >= 2:
            n = max(1, int(round(fraction * len(members))))
            held.update(s.set_id for s in members[-n:])
    return ([s for s in sets if s.set_id not in held], [s for s in sets if s.set_id in held])


def set_signals(
    session: Session, sets: Sequence[JournalSet], spec: WindowSpec
) -> tuple[list[SetSignal], list[str]]:
    """Window-ready signals of journal sets, and a note for every set that cannot be used.

    A set's signal runs from half a window before its start to half a window after its end
    (clipped to the recording): windowing it gives the windows whose centres lie in the set.
    """
    signals: list[SetSignal] = []
    notes: list[str] = []
    channels: dict[int, np.ndarray | None] = {}
    half = spec.window_samples // 2
    for s in sets:
        if s.recording_id not in channels:
            try:
                channels[s.recording_id] = recording_channels(
                    store.load_recording(session, s.recording_id))
            except MissingAccelerometerError:
                channels[s.recording_id] = None
        signal = channels[s.recording_id]
        if signal is None:
            notes.append(f"set {s.set_id}: its recording has no accelerometer")
            continue
        first = max(0, int(round(s.start_s * spec.rate_hz)) - half)
        last = min(signal.shape[0], int(round(s.end_s * spec.rate_hz)) + half)
        if last - first < spec.window_samples:
            notes.append(f"set {s.set_id}: shorter than one {spec.window_s:g} s window")
            continue
        signals.append(SetSignal(name=f"journal-set-{s.set_id}", dataset="journal",
                                 exercise=s.exercise, group=s.performed_at.date().isoformat(),
                                 signal=signal[first:last], idle_edges=False))
    return signals, notes


@functools.cache
def _shipped() -> tuple[SetSignal, ...]:
    return training_data().sets


def shipped_sets(classes: Sequence[str]) -> list[SetSignal]:
    """The shared datasets' sets of these classes, as ``ml.train`` reads them (once per process).

    Raises ``ml.datasets.DatasetNotFoundError`` when the datasets are not there: without them
    a retrain would forget what the shipped model knows.
    """
    wanted = set(classes)
    return [s for s in _shipped() if s.exercise in wanted]
