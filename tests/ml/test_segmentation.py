"""Finding sets in whole sessions built from real sets and real rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml import datasets
from ml.built_sessions import SetPiece, build_sessions, concatenate
from ml.recordings import Recording
from ml.segmentation import LONG_WINDOW_SEGMENTER, find_sets

TWO_SETS = ("100125_SBLP_W25_S1_R10-2025-01-10_14-51-36",
            "100125_SBLP_W32_S2_R10-2025-01-10_14-53-42")


@pytest.fixture(scope="module")
def rests(datasets_dir: Path) -> list[Recording]:
    return [datasets.load(s) for s in datasets.barbell_sets(datasets_dir) if s.reps is None]


@pytest.fixture(scope="module")
def applewatch(datasets_dir: Path) -> dict[str, datasets.LabelledSet]:
    return {s.name: s for s in datasets.applewatch_sets(datasets_dir)}


def _piece(labelled: datasets.LabelledSet) -> SetPiece:
    assert labelled.reps is not None
    return SetPiece(labelled.name, "day", labelled.reps, datasets.load(labelled))


def test_two_sets_with_rest_between_are_found_as_two_sets(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    pieces = [_piece(applewatch[name]) for name in TWO_SETS]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=3)
    rec = session.recording
    found = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    assert len(found) == 2
    for f, (start, end), reps in zip(found, session.true_spans, session.true_reps, strict=True):
        assert start - 1.0 <= f.start_s < f.end_s <= end + 1.0  # inside its own file's span
        assert abs(f.count.reps - reps) <= 2
        assert all(f.start_s <= t <= f.end_s for t in f.count.rep_times_s)


def _part(gyro: np.ndarray, accel: np.ndarray) -> Recording:
    return Recording(gyro=gyro, accel=accel, gravity=None, source_format="test",
                     original_rate_hz=50.0)


def test_a_pause_inside_a_set_does_not_split_it(
    applewatch: dict[str, datasets.LabelledSet],
) -> None:
    rec = datasets.load(applewatch[TWO_SETS[0]])
    assert rec.accel is not None
    middle = rec.n_samples // 2
    # 8 s with the wrist held still where it was (a breath at the top of a rep).
    pause = _part(np.zeros((400, 3), np.float32), np.repeat(rec.accel[middle : middle + 1], 400, 0))
    paused = concatenate("paused", [_part(rec.gyro[:middle], rec.accel[:middle]), pause,
                                    _part(rec.gyro[middle:], rec.accel[middle:])])
    found = find_sets(paused.gyro, paused.accel)
    assert len(found) == 1
    assert abs(found[0].count.reps - 10) <= 2


def test_real_rest_alone_has_no_sets(rests: list[Recording]) -> None:
    rest = concatenate("rest", rests)
    assert find_sets(rest.gyro, rest.accel) == []


def test_two_short_heavy_barbell_sets_are_found_as_two_sets(
    datasets_dir: Path, rests: list[Recording]
) -> None:
    # 5 heavy reps in ~12 s each: the 15 s windows alone miss at least one of them.
    heavy = {s.name: s for s in datasets.barbell_sets(datasets_dir)
             if s.name.startswith("A-ohp-heavy") and s.day.isoformat() == "2019-01-11"}
    pieces = [_piece(heavy[name]) for name in sorted(heavy)[:2]]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=1)
    rec = session.recording
    assert len(find_sets(rec.gyro, rec.accel, rec.sample_rate_hz, cfg=LONG_WINDOW_SEGMENTER)) < 2
    found = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    assert len(found) == 2
    for f, (start, end) in zip(found, session.true_spans, strict=True):
        assert start - 1.0 <= f.start_s < f.end_s <= end + 1.0
