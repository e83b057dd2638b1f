"""``ml.pipeline``: a recording → named sets with reps; recount and name user-adjusted spans."""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import appconfig
from ml import datasets
from ml.built_sessions import SetPiece, build_sessions
from ml.model import load_model
from ml.pipeline import (
    HANDLING_WARNING,
    NO_SETS_WARNING,
    AnalysisError,
    analyze,
    analyze_span,
    recount,
)
from ml.recordings import Recording, RecordingError, read_recording
from tests.ml.fixed_model import fixed_model, naming_nothing

PULLDOWNS = ("100125_SBLP_W25_S1_R10-2025-01-10_14-51-36",
             "100125_SBLP_W32_S2_R10-2025-01-10_14-53-42")


@pytest.fixture(scope="module")
def session(datasets_dir: Path) -> tuple[Recording, tuple[tuple[float, float], ...]]:
    by_name = {s.name: s for s in datasets.applewatch_sets(datasets_dir)}
    rests = [datasets.load(s) for s in datasets.barbell_sets(datasets_dir) if s.reps is None]
    pieces = [SetPiece(n, "day", 10, datasets.load(by_name[n])) for n in PULLDOWNS]
    (built,) = build_sessions(pieces, rests, n_sessions=1, sets_per_session=(2, 2), seed=5)
    return built.recording, built.true_spans


def test_analyze_finds_names_and_counts_each_set(
    session: tuple[Recording, tuple[tuple[float, float], ...]],
) -> None:
    recording, spans = session
    analysis = analyze(recording, fixed_model(p_rest=0.05))
    assert len(analysis.sets) == 2 and analysis.model_version == "fixed-test"
    for found, (start, end) in zip(analysis.sets, spans, strict=True):
        assert found.exercise == "straight_bar_lat_pulldown"
        assert found.exercise_name == "Straight-bar lat pulldown"
        assert found.family == "lat pulldown" and 0.8 < found.confidence <= 1.0
        assert abs(found.reps - 10) <= 2 and len(found.rep_times_s) == found.reps
        assert found.start_s <= found.rep_times_s[0] and found.rep_times_s[-1] <= found.end_s
        # Mostly inside its own file: the idle at a set's edge may pass for a rep or two.
        inside = min(end, found.end_s) - max(start, found.start_s)
        assert inside >= 0.8 * (found.end_s - found.start_s)
    assert NO_SETS_WARNING not in analysis.warnings


def test_spans_the_model_calls_rest_are_not_sets(
    session: tuple[Recording, tuple[tuple[float, float], ...]],
) -> None:
    analysis = analyze(session[0], fixed_model(p_rest=0.95))
    assert analysis.sets == () and NO_SETS_WARNING in analysis.warnings


def test_a_two_rep_span_the_model_cannot_name_asks_to_be_checked(datasets_dir: Path) -> None:
    # A real bench press file that runs two minutes past its reps: re-racking and plate handling
    # in which two movements 6 s apart look like a 2-rep set of their own.
    name = "120125_30BP_W30_S1_R12-2025-01-12_07-40-23"
    labelled = {s.name: s for s in datasets.applewatch_sets(datasets_dir)}[name]
    recording = datasets.load(labelled)
    undecided = analyze(recording, naming_nothing(p_rest=0.05))
    assert [(s.exercise, s.reps > 2) for s in undecided.sets] == [("unknown", True),
                                                                    ("unknown", False)]
    the_set, handling = undecided.sets
    assert the_set.warnings == ()  # many reps: a set, named or not
    assert handling.start_s > 100 and handling.warnings == (
        HANDLING_WARNING.format(reps=f"{handling.reps} reps"),)
    # A span the model names is a set the user did, however short.
    named = analyze(recording, fixed_model(p_rest=0.05))
    assert [s.exercise for s in named.sets] == ["straight_bar_lat_pulldown"] * 2
    assert all(s.warnings == () for s in named.sets)


def test_no_movement_gives_zero_sets_and_a_warning_not_an_error() -> None:
    still = Recording(gyro=np.zeros((3000, 3), np.float32),
                      accel=np.tile(np.float32([0, 0, 1]), (3000, 1)), gravity=None,
                      source_format="test", original_rate_hz=50.0)
    analysis = analyze(still, fixed_model(p_rest=0.05))
    assert analysis.sets == () and NO_SETS_WARNING in analysis.warnings


def test_a_recording_too_short_to_window_is_a_clear_error() -> None:
    short = Recording(gyro=np.zeros((100, 3), np.float32), accel=None, gravity=None,
                      source_format="test", original_rate_hz=50.0)
    with pytest.raises(AnalysisError, match=r"too short to analyse: 2\.0 s"):
        analyze(short, fixed_model(p_rest=0.05))


@st.composite
def watch_exports(draw: st.DrawFn) -> bytes:
    """A generic-format export at any rate and length, of noise, repetition, sets between still
    stretches, spikes, a frozen sensor or a hole of empty cells, with or without accelerometer.
    A robustness input, not a recording of anybody: the real sets are tested above."""
    rate = draw(st.sampled_from([50.0, 10.0, 12.5, 25.0, 100.0, 200.0]))
    n = int(rate * draw(st.sampled_from([30.0, 9.0, 75.0, 5.2, 4.9])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t = np.arange(n) / rate
    gyro = rng.normal(0, draw(st.sampled_from([1e-4, 0.02, 0.5, 4.0])), (n, 3))
    kind = draw(st.sampled_from(["noise", "repeats", "sets", "spikes", "frozen"]))
    if kind in ("repeats", "sets"):
        period = draw(st.floats(0.3, 14.0))
        gyro += draw(st.floats(0.05, 8.0)) * np.sin(2 * np.pi * t[:, None] / period
                                                      + rng.uniform(0, 6, 3))
    if kind == "sets":
        gyro *= (np.sin(2 * np.pi * t / draw(st.floats(15.0, 90.0))) > 0)[:, None]
    if kind == "spikes":
        at = rng.integers(0, n, max(1, n // 400))
        gyro[at] = rng.uniform(-25, 25, (len(at), 3))
    if kind == "frozen":
        start = int(rng.integers(0, n))
        gyro[start: start + int(rng.integers(1, n))] = 0.01
    columns = [t, gyro]
    if draw(st.booleans()):
        columns.append(np.array([0.0, 0.0, 1.0]) + rng.normal(0, 0.01, (n, 3)) + 0.3 * np.sin(
            2 * np.pi * t[:, None] / draw(st.floats(0.5, 10.0))) * (kind != "noise"))
    rows = np.column_stack(columns)
    if draw(st.booleans()):
        start = int(rng.integers(0, n))
        rows[start: start + int(rng.integers(1, max(2, n // 3))), 1:] = np.nan
    text = io.StringIO()
    text.write("t,gx,gy,gz" + (",ax,ay,az" if len(columns) == 3 else "") + "\n")
    np.savetxt(text, rows, delimiter=",", fmt="%.6g")
    return text.getvalue().replace("nan", "").encode()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(watch_exports())
def test_any_readable_export_is_analysed_into_sets_inside_it_or_refused_with_a_message(
    data: bytes,
) -> None:
    try:
        recording = read_recording(io.BytesIO(data), name="watch.csv")
        analysis = analyze(recording, fixed_model(p_rest=0.05))
    except (RecordingError, AnalysisError) as error:
        assert str(error)
        event("refused")
        return
    event("analysed, with sets" if analysis.sets else "analysed, no set")
    for found in analysis.sets:
        assert 0.0 <= found.start_s < found.end_s <= recording.duration_s + 1e-6
        assert found.reps >= 1 and len(found.rep_times_s) == found.reps
        assert list(found.rep_times_s) == sorted(found.rep_times_s)
        assert found.start_s <= found.rep_times_s[0] and found.rep_times_s[-1] <= found.end_s
    for earlier, later in itertools.pairwise(analysis.sets):
        assert earlier.end_s <= later.start_s
    assert analysis.sets or NO_SETS_WARNING in analysis.warnings


def test_recount_follows_a_user_dragged_span(
    session: tuple[Recording, tuple[tuple[float, float], ...]],
) -> None:
    recording, _ = session
    first = analyze(recording, fixed_model(p_rest=0.05)).sets[0]
    middle = (first.start_s + first.end_s) / 2
    reps, times = recount(recording, first.start_s, middle)
    assert 0 < reps < first.reps and len(times) == reps
    assert all(first.start_s <= t <= middle for t in times)
    with pytest.raises(AnalysisError, match="start before it ends"):
        recount(recording, middle, first.start_s)
    with pytest.raises(AnalysisError, match="start before it ends"):
        recount(recording, first.start_s, math.inf)


@pytest.mark.parametrize("where", ["start", "last sample", "past the end"])
def test_a_span_shorter_than_a_rep_counts_none(
    session: tuple[Recording, tuple[tuple[float, float], ...]], where: str
) -> None:
    # A span the user typed by hand may hold a sample or none once rounded to the samples.
    recording, _ = session
    start = {"start": 0.0, "last sample": recording.duration_s - 0.01,
             "past the end": recording.duration_s - 0.005}[where]
    assert recount(recording, start, start + 0.3) == (0, ())
    named = analyze_span(recording, start, start + 0.3, fixed_model(p_rest=0.05))
    assert named.reps == 0 and named.start_s == pytest.approx(start, abs=0.01)
    assert named.start_s <= named.end_s


def test_a_user_added_span_is_named_and_counted(
    session: tuple[Recording, tuple[tuple[float, float], ...]],
) -> None:
    recording, spans = session
    added = analyze_span(recording, *spans[1], fixed_model(p_rest=0.05))
    assert added.exercise == "straight_bar_lat_pulldown" and abs(added.reps - 10) <= 2
    assert added.start_s == pytest.approx(spans[1][0], abs=0.05)


@pytest.mark.slow
def test_the_shipped_model_names_a_real_set(datasets_dir: Path) -> None:
    if not appconfig.MODEL_PATH.is_file():
        pytest.skip(f"no shipped model at {appconfig.MODEL_PATH} yet")
    labelled = {s.name: s for s in datasets.applewatch_sets(datasets_dir)}[PULLDOWNS[0]]
    analysis = analyze(datasets.load(labelled), load_model())
    assert len(analysis.sets) == 1
    assert analysis.sets[0].family in {"lat pulldown", "pull-up", "other"}
    assert abs(analysis.sets[0].reps - 10) <= 2
