"""Which real sets train and evaluate the activity model, as windowable signals with their hashes.

Exercise codes with fewer than ``min_sets`` sets are left out (a class seen two or three times
cannot be learned or measured); they are listed, not silently dropped. Asking for a class that
has too little data, or a set whose label is not in the catalog, fails with a clear message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from journal.exercises import REST_ID
from ml import datasets
from ml.activity_data import SetSignal
from ml.exercise_audit import ExerciseCorrection
from ml.windowing import recording_channels

#: Fewest sets of one exercise code that make a class (the issue's protocol: at least 3).
MIN_SETS = 3


class TrainingDataError(ValueError):
    """The training data cannot make the requested model; the message says what is missing."""


@dataclass(frozen=True)
class TrainingData:
    """Signals of the chosen sets, the classes they make and what was left out (label -> sets)."""

    sets: tuple[SetSignal, ...]
    classes: tuple[str, ...]
    hashes: tuple[tuple[str, str], ...]
    excluded: dict[str, int] = field(default_factory=dict)


def _signal(labelled: datasets.LabelledSet) -> tuple[SetSignal, str]:
    recording = datasets.load(labelled)
    signal = SetSignal(
        name=labelled.name,
        dataset=labelled.dataset,
        exercise=labelled.exercise_id,
        group=labelled.group,
        signal=recording_channels(recording),
        idle_edges=labelled.dataset == datasets.APPLEWATCH,
    )
    return signal, recording.sha256


def labelled_sets(which: Iterable[str], root: Path | None = None) -> list[datasets.LabelledSet]:
    """The labelled sets of the named datasets ("applewatch-gym", "barbell-metamotion")."""
    readers = {
        datasets.APPLEWATCH: datasets.applewatch_sets,
        datasets.BARBELL: datasets.barbell_sets,
    }
    out: list[datasets.LabelledSet] = []
    for name in which:
        if name not in readers:
            raise TrainingDataError(f"unknown dataset {name!r}; known: {sorted(readers)}")
        out.extend(readers[name](root))
    return out


#: The datasets the shipped model is trained on (its evaluation trains on them too, a day or a
#: participant held out).
SHIPPED_DATASETS: tuple[str, ...] = (datasets.APPLEWATCH, datasets.BARBELL)


def training_data(
    which: Sequence[str] = SHIPPED_DATASETS,
    *,
    root: Path | None = None,
    min_sets: int = MIN_SETS,
    classes: Sequence[str] | None = None,
    exclude_names: Iterable[str] = (),
    corrections: Mapping[tuple[str, str], ExerciseCorrection] | None = None,
) -> TrainingData:
    """Load the sets of the named datasets that make classes with at least ``min_sets`` sets.

    Rest recordings are always kept. ``classes`` restricts to those catalog ids (each must have
    ``min_sets`` sets, else
    ``TrainingDataError``); ``exclude_names`` holds set names kept out (e.g. a test's held-out set).
    ``corrections`` (``ml.exercise_audit``) relabel sets and leave out those no code fits.
    """
    skip = set(exclude_names)
    chosen = [s for s in labelled_sets(which, root) if s.name not in skip]
    if corrections:
        relabelled = []
        for s in chosen:
            correction = corrections.get((s.dataset, s.name))
            if correction is None:
                relabelled.append(s)
            elif correction.audited is not None:  # None: no code fits the set, left out
                relabelled.append(replace(s, exercise_id=correction.audited))
        chosen = relabelled
    counts = Counter(s.exercise_id for s in chosen)
    if classes is not None:
        short = {c: counts.get(c, 0) for c in classes
                 if c != REST_ID and counts.get(c, 0) < min_sets}
        if short:
            raise TrainingDataError(
                f"too little data for {short} (sets found; at least {min_sets} needed)"
            )
        keep = set(classes)
    else:
        # Rest is never short of data: every applewatch-gym file contributes its idle edges.
        keep = {c for c, n in counts.items() if n >= min_sets or c == REST_ID}
    excluded = dict(sorted(Counter(
        f"{s.dataset}:{s.label}" for s in chosen if s.exercise_id not in keep
    ).items()))
    chosen = [s for s in chosen if s.exercise_id in keep]
    if not chosen:
        raise TrainingDataError(f"no sets with at least {min_sets} per class in {list(which)}")
    loaded = [_signal(s) for s in chosen]
    exercises = sorted({s.exercise_id for s in chosen} - {REST_ID})
    # Applewatch files always carry idle edges, so "rest" exists even without rest recordings.
    return TrainingData(
        sets=tuple(sig for sig, _ in loaded),
        classes=(*exercises, REST_ID),
        hashes=tuple((s.name, sha) for s, (_, sha) in zip(chosen, loaded, strict=True)),
        excluded=excluded,
    )
