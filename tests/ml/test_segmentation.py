"""Finding sets in whole sessions built from real sets and real rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ml import datasets
from ml.activity_data import SetSignal, WindowTable
from ml.built_sessions import BuiltSession, SetPiece, bridge, build_sessions, concatenate
from ml.model import ActivityModel
from ml.recordings import Recording
from ml.reps import RepCount
from ml.segmentation import LONG_WINDOW_SEGMENTER, FoundSet, find_sets
from tests.ml.fixed_model import fixed_model, naming_nothing

PULL_UP_SET = "011224_APULL_W61_S1_R12-2024-12-01_07-36-28"
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


def _with_still_pause(rec: Recording, seconds: float) -> Recording:
    """The recording with the wrist held still for ``seconds`` half-way through."""
    assert rec.accel is not None
    middle, n = rec.n_samples // 2, int(seconds * 50)
    pause = _part(np.zeros((n, 3), np.float32), np.repeat(rec.accel[middle : middle + 1], n, 0))
    return concatenate("paused", [_part(rec.gyro[:middle], rec.accel[:middle]), pause,
                                  _part(rec.gyro[middle:], rec.accel[middle:])])


def test_a_pause_inside_a_set_does_not_split_it(
    applewatch: dict[str, datasets.LabelledSet],
) -> None:
    # 8 s with the wrist held still where it was (a breath at the top of a rep).
    paused = _with_still_pause(datasets.load(applewatch[TWO_SETS[0]]), 8.0)
    found = find_sets(paused.gyro, paused.accel)
    assert len(found) == 1
    assert abs(found[0].count.reps - 10) <= 2


@pytest.mark.parametrize("pause_s", [8.0, 12.0])
def test_a_breath_at_the_top_of_a_pull_up_set_does_not_split_it(
    applewatch: dict[str, datasets.LabelledSet], pause_s: float,
) -> None:
    # Reps ~5 s apart: the windows alone split this set at a pause of 8 s.
    paused = _with_still_pause(datasets.load(applewatch[PULL_UP_SET]), pause_s)
    found = find_sets(paused.gyro, paused.accel)
    assert len(found) == 1
    assert abs(found[0].count.reps - 12) <= 1


def test_a_half_minute_rest_inside_a_recording_still_splits_it(
    applewatch: dict[str, datasets.LabelledSet],
) -> None:
    paused = _with_still_pause(datasets.load(applewatch[PULL_UP_SET]), 30.0)
    found = find_sets(paused.gyro, paused.accel)
    assert len(found) == 2
    assert abs(sum(f.count.reps for f in found) - 12) <= 1


def test_real_rest_alone_has_no_sets(rests: list[Recording]) -> None:
    rest = concatenate("rest", rests)
    assert find_sets(rest.gyro, rest.accel) == []


def test_a_wrist_turn_between_stretches_of_real_rest_is_not_a_set(datasets_dir: Path) -> None:
    # Sitting, the built sessions' 1 s wrist turn, standing: the windows see repetition at a
    # rep-like period there, and a counter free to go below it found 11 "reps" 0.8 s apart.
    rest = {s.name.split("_")[0]: datasets.load(s)
            for s in datasets.barbell_sets(datasets_dir) if s.reps is None}
    sitting, standing = rest["A-rest-sitting"], rest["A-rest-standing"]
    assert standing.accel is not None
    standing = replace(standing, gyro=standing.gyro[191:], accel=standing.accel[191:])
    session = concatenate("rest", [sitting, bridge(sitting, standing), standing])
    assert find_sets(session.gyro, session.accel) == []


def test_the_still_end_of_a_set_file_before_rest_is_not_a_set(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    # The first triceps file ends with 40 s of a still wrist slowly turning: that drift kept the
    # counter's motion floor and, next to this rest, 9 "reps" 1.2 s apart made a set of it.
    names = ("241224_MTE_W13_6_S1_R12-2024-12-24_15-24-31",
             "241224_MTE_W18_1_S2_R12-2024-12-24_15-28-32")
    pieces = [_piece(applewatch[name]) for name in names]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=7)
    rec = session.recording
    found = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    assert [abs(f.count.reps - 12) <= 1 for f in found] == [True, True]


def test_a_still_wrist_after_a_set_is_not_a_second_set(
    applewatch: dict[str, datasets.LabelledSet],
) -> None:
    # Over a minute after this cable row set the wrist hangs still; gain normalisation made its
    # jiggle repeat like reps, and the file was found as two sets (15 and 5 "reps").
    rec = datasets.load(applewatch["271124_CGCR_W52_S1_R15-2024-11-27_15-06-19"])
    found = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    assert [f.count.reps for f in found] == [15] and found[0].end_s < 70
    # Without an accelerometer there is no such floor (the gyroscope alone moves too little in
    # some real sets), and the set is still found.
    assert any(abs(f.count.reps - 15) <= 2
               for f in find_sets(rec.gyro, None, rec.sample_rate_hz))


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


def test_a_set_that_ends_with_the_recording_keeps_its_last_rep(datasets_dir: Path) -> None:
    # A heavy overhead press file of 5 reps stops 0.7 s after its last rep: sliding windows a
    # whole hop apart ended short of the file, and the set lost that rep.
    (labelled,) = [s for s in datasets.barbell_sets(datasets_dir)
                   if s.name.startswith("A-ohp-heavy_2019-01-14T14.49.46")]
    rec = datasets.load(labelled)
    (found,) = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    assert found.count.reps == 5 and round(found.count.total) == 5  # the density it rounds
    assert found.end_s > rec.duration_s - 1.0


SLOW_SET = "261124_MTE_W18_S1_R12-2024-11-26_14-34-13"  # machine triceps, reps ~8 s apart


def test_a_slow_set_is_found_whole_with_all_its_reps(
    applewatch: dict[str, datasets.LabelledSet]
) -> None:
    # 12 reps about 8 s apart, beyond the 10 s and 15 s windows' lag range: they found only its
    # first 4 reps (3-26 s) and the app read 4.
    rec = datasets.load(applewatch[SLOW_SET])
    (found,) = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    assert abs(found.count.reps - 12) <= 1
    assert found.start_s < 10.0 and found.end_s > 95.0  # the whole set, not its first 26 s


def test_a_slow_set_between_rests_is_one_set(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    (session,) = build_sessions([_piece(applewatch[SLOW_SET])], rests, n_sessions=1,
                                sets_per_session=(1, 1), seed=0)
    rec = session.recording
    (found,) = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz)
    ((start, end),) = session.true_spans
    assert start - 1.0 <= found.start_s < found.end_s <= end + 1.0
    assert abs(found.count.reps - 12) <= 1


def test_segmentation_evaluation_reports_every_building_seed(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    from ml.eval_counting import score_sessions

    pieces = [_piece(applewatch[name]) for name in TWO_SETS]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=3)
    # The same session claiming a third set at its very end, in rest, where nothing is found.
    end = session.recording.duration_s
    claimed = replace(session, true_spans=(*session.true_spans, (end - 2.0, end)),
                      true_rep_spans=(*session.true_rep_spans, (end - 2.0, end)),
                      true_reps=(*session.true_reps, 10), set_names=(*session.set_names, "x"))
    text = score_sessions([[session], [claimed]])
    assert "sessions=2 sets=5" in text
    assert ("set count exactly right  50.0% (per building seed: 100.0% / 0.0%; only 1 recording "
            "day, too few to resample for an interval)") in text
    assert ("per file: 2 of 3 set files found as exactly one set in every session that holds "
            "them; 0 of 2 sessions with a set found in rest") in text
    # The failing session is put down to the set file that was not found, once.
    assert text.endswith("of 3 set files (sessions failed): x found as 0 sets (1)")


def test_reps_evaluation_counts_a_file_as_the_app_does(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    from ml.eval_counting import app_count

    # A set file alone is one set; a file holding two sets with rest between is counted as the
    # app records it, two sets whose reps add up (10 + 10 labelled).
    single = datasets.load(applewatch[TWO_SETS[0]])
    reps, n_sets = app_count(single)
    assert n_sets == 1 and abs(reps - 10) <= 1
    pieces = [_piece(applewatch[name]) for name in TWO_SETS]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=3)
    reps, n_sets = app_count(session.recording)
    assert n_sets == 2 and abs(reps - 20) <= 2


def test_segmentation_evaluation_names_split_sets_and_sets_in_rest(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    from ml.eval_counting import _failure_causes

    pieces = [_piece(applewatch[name]) for name in TWO_SETS]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=3)
    (a0, a1), (b0, b1) = session.true_spans
    count = RepCount(2, (), 2.0)
    split_first = [FoundSet(a0, (a0 + a1) / 2, count), FoundSet((a0 + a1) / 2 + 1, a1, count)]
    in_rest = FoundSet(a1 + 1, min(b0, a1 + 5), count)
    causes = _failure_causes(session, [*split_first, in_rest, FoundSet(b0, b1, count)])
    assert causes == [f"{session.set_names[0]} found as 2 sets", "a set found in rest"]


def test_segmentation_evaluation_with_a_judge_drops_the_spans_it_calls_rest(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    from ml.eval_counting import score_sessions

    pieces = [_piece(applewatch[name]) for name in TWO_SETS]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=3)
    judged: list[str] = []

    def judge(p_rest: float) -> Callable[[BuiltSession], ActivityModel]:
        def model_for(built: BuiltSession) -> ActivityModel:
            judged.append(built.name)
            return fixed_model(p_rest)
        return model_for

    assert "exactly right 100.0%" in score_sessions([[session]], judge=judge(0.05))
    text = score_sessions([[session]], judge=judge(0.95))
    assert "exactly right   0.0%" in text and "found as 0 sets (1)" in text
    assert judged == [session.name, session.name]


def _signal(group: str, exercise: str = "assisted_pull_up", *, idle_edges: bool = True
            ) -> SetSignal:
    return SetSignal(name=f"{group}-{exercise}", dataset="x", exercise=exercise, group=group,
                     signal=np.zeros((10, 6), np.float32), idle_edges=idle_edges)


def test_a_segmentation_judge_never_saw_its_day_nor_the_rest_recordings() -> None:
    from ml.eval_judges import training_mask

    sets = [_signal("2024-12-01"), _signal("2024-12-02"), _signal("A", "rest", idle_edges=False),
            _signal("C"), _signal("2024-12-01", "rest")]
    assert training_mask(sets, "2024-12-01").tolist() == [False, True, False, True, False]
    assert training_mask(sets, "C").tolist() == [True, True, False, False, True]


@pytest.mark.slow
def test_a_kept_judge_is_read_back_instead_of_trained_again(
    datasets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ml.eval_judges
    from ml.activity_network import make_model

    trained: list[int] = []

    def untrained(table: WindowTable, mask: np.ndarray, *, seed: int, networks: int,
                  require_all_classes: bool) -> tuple[object, list[object]]:
        # Training costs minutes; what is kept and read back is the point here.
        trained.append(int(mask.sum()))
        return make_model(window_samples=200, n_classes=len(table.classes)), []

    monkeypatch.setattr(ml.eval_judges, "fit_averaged", untrained)
    first = ml.eval_judges.HeldOutJudges(root=datasets_dir, cache=tmp_path, log=lambda _: None)
    judge = first.model_without("2025-01-10")
    assert len(trained) == 1 and len(list(tmp_path.glob("*.keras"))) == 1

    again = ml.eval_judges.HeldOutJudges(root=datasets_dir, cache=tmp_path, log=lambda _: None)
    kept = again.model_without("2025-01-10")
    assert len(trained) == 1  # read back, not trained
    assert kept.classes == judge.classes and kept.version == "without-2025-01-10"
    rest = next(s for s in datasets.barbell_sets(datasets_dir) if s.reps is None)
    recording = datasets.load(rest)
    np.testing.assert_allclose(kept.window_probabilities(recording)[1],
                               judge.window_probabilities(recording)[1], atol=1e-6)
    # Another held-out day is another judge: trained, and kept beside the first.
    again.model_without("2025-01-12")
    assert len(trained) == 2 and len(list(tmp_path.glob("*.keras"))) == 2


def test_segmentation_evaluation_counts_the_sets_the_handling_hint_marks(
    applewatch: dict[str, datasets.LabelledSet], rests: list[Recording]
) -> None:
    from ml.eval_counting import score_sessions

    # The bench press file that runs two minutes past its reps: its re-racking holds a 2-rep
    # "set" of its own, a second set found on the file. A judge that names nothing marks it, and
    # only it; a judge that names every span marks nothing.
    racking = applewatch["120125_30BP_W30_S1_R12-2025-01-12_07-40-23"]
    pieces = [_piece(applewatch[TWO_SETS[0]]), _piece(racking)]
    (session,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=3)
    unnamed = score_sessions([[session]], judge=lambda _: naming_nothing(p_rest=0.05))
    assert ("handling hint (at most 2 reps, exercise not named): marks 1 of the 3 sets found, "
            "1 of the 1 matched to no set (found in rest, or a second set on a set file); set "
            "count exactly right once the user deletes them 100.0%") in unnamed
    assert "set count exactly right   0.0%" in unnamed
    named = score_sessions([[session]], judge=lambda _: fixed_model(p_rest=0.05))
    assert ("marks 0 of the 3 sets found, 0 of the 1 matched to no set (found in rest, or a "
            "second set on a set file); set count exactly right once the user deletes them "
            "0.0%") in named
    assert "handling hint" not in score_sessions([[session]])
