"""Labelled training windows from real sets: which windows are the exercise and which are rest.

Every applewatch-gym file holds a few seconds of idle time (walking up, settling the grip) before
the first and after the last rep. Windows lying wholly inside the first or last ``edge_s``
seconds are labelled "rest"; windows starting within ``ignore_s`` of either end are left out
(mixed); all others carry the set's exercise. Barbell-metamotion sets are trimmed to the lift,
so all their windows are the lift, and their rest recordings are all rest.

Windows are cut wider than the model input (``wide_samples``, same centres) so augmentation can
change tempo around the centre; ``centre_crop`` gives the model windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from journal.exercises import REST_ID
from ml.windowing import WindowSpec, sliding_windows, window_starts

#: Label index of windows that are neither clearly the exercise nor clearly rest.
IGNORED = -1


@dataclass(frozen=True)
class SetSignal:
    """One real set (or rest recording) ready for windowing.

    ``signal`` is (n_samples, 6) in ``ml.windowing.CHANNELS`` order at the canonical rate;
    ``group`` is what evaluation splits on (recording day or participant).
    """

    name: str
    dataset: str
    exercise: str
    group: str
    signal: np.ndarray
    idle_edges: bool


@dataclass(frozen=True)
class WindowTable:
    """All windows of some sets, with labels and the set each came from.

    Attributes
    ----------
    wide : ndarray, shape (n_windows, wide_samples, 6), float32
    labels : ndarray, shape (n_windows,), int; index into ``classes`` or ``IGNORED``
    set_index : ndarray, shape (n_windows,), int; index into ``sets``
    """

    wide: np.ndarray
    labels: np.ndarray
    set_index: np.ndarray
    classes: tuple[str, ...]
    sets: tuple[SetSignal, ...]
    spec: WindowSpec

    def select(self, mask: np.ndarray) -> WindowTable:
        return WindowTable(self.wide[mask], self.labels[mask], self.set_index[mask],
                           self.classes, self.sets, self.spec)

    def in_sets(self, set_mask: np.ndarray) -> np.ndarray:
        """Window mask of the windows whose set is selected by ``set_mask`` (n_sets,)."""
        return np.asarray(set_mask)[self.set_index]


def wide_samples_for(spec: WindowSpec, speed: float = 0.15) -> int:
    """Input width that leaves room for a tempo change of ±``speed`` (even, ≥ window)."""
    return int(np.ceil(spec.window_samples * (1 + speed) / 2) * 2)


def window_labels(
    n_samples: int, spec: WindowSpec, exercise_index: int, rest_index: int | None,
    *, idle_edges: bool, edge_s: float = 4.5, ignore_s: float = 2.0,
) -> np.ndarray:
    """Label of every window of one set, shape (n_windows,): exercise, rest or ``IGNORED``."""
    starts = window_starts(n_samples, spec) / spec.rate_hz
    labels = np.full(starts.shape, exercise_index, dtype=np.int64)
    if not idle_edges:
        return labels
    duration = n_samples / spec.rate_hz
    ends = starts + spec.window_s
    labels[(starts < ignore_s) | (ends > duration - ignore_s)] = IGNORED
    if rest_index is not None:
        labels[(ends <= edge_s) | (starts >= duration - edge_s)] = rest_index
    return labels


def wide_windows(signal: np.ndarray, spec: WindowSpec, wide_samples: int) -> np.ndarray:
    """Windows of ``wide_samples`` centred like the model windows (edges padded by repetition).

    Returns ndarray, shape (n_windows, wide_samples, n_channels).
    """
    _, centres = sliding_windows(signal, spec)
    margin = (wide_samples - spec.window_samples) // 2
    padded = np.pad(signal, ((margin, margin), (0, 0)), mode="edge")
    wide_spec = WindowSpec(window_s=wide_samples / spec.rate_hz, hop_s=spec.hop_s,
                           rate_hz=spec.rate_hz)
    windows, _ = sliding_windows(padded, wide_spec)
    return np.ascontiguousarray(windows[: centres.size])


def build_table(
    sets: Sequence[SetSignal], classes: Sequence[str], spec: WindowSpec,
    *, wide_samples: int, edge_s: float = 4.5,
) -> WindowTable:
    """Window every set once (reused by every fold and seed of an evaluation)."""
    index = {c: i for i, c in enumerate(classes)}
    missing = sorted({s.exercise for s in sets} - set(index))
    if missing:
        raise ValueError(f"sets labelled {missing} are not among the model classes {list(classes)}")
    rest = index.get(REST_ID)
    chunks, labels, owners = [], [], []
    for i, s in enumerate(sets):
        windows = wide_windows(s.signal, spec, wide_samples)
        lab = window_labels(s.signal.shape[0], spec, index[s.exercise], rest,
                            idle_edges=s.idle_edges, edge_s=edge_s)
        chunks.append(windows)
        labels.append(lab)
        owners.append(np.full(lab.shape, i, dtype=np.int64))
    return WindowTable(
        wide=np.concatenate(chunks).astype(np.float32),
        labels=np.concatenate(labels),
        set_index=np.concatenate(owners),
        classes=tuple(classes),
        sets=tuple(sets),
        spec=spec,
    )


def centre_crop(windows: np.ndarray, window_samples: int) -> np.ndarray:
    """The middle ``window_samples`` of wider windows, shape (n, window_samples, channels)."""
    start = (windows.shape[1] - window_samples) // 2
    return windows[:, start : start + window_samples]
