"""A recorded session's pace: the rest before each set and the seconds each rep took."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.timing import (
    duration_words,
    median_rest_s,
    minutes_seconds,
    seconds_per_rep,
    set_timings,
)
from journal.views import SetView

BLANK = SetView(
    id=0, session_id=1, position=0, exercise="assisted_pull_up", exercise_name="Assisted pull-up",
    family="pull-up", reps=0, weight_kg=None, rpe=None, notes="", start_s=None, end_s=None,
    rep_times_s=(), recording_id=None, model_exercise=None, model_confidence=None,
    model_reps=None, model_alternatives=(), corrected=False, confirmed=False,
    boundaries_edited=False,
)


def recorded(set_id: int, start_s: float, end_s: float, *, recording: int = 7,
             rep_times_s: tuple[float, ...] = ()) -> SetView:
    return replace(BLANK, id=set_id, position=set_id, start_s=start_s, end_s=end_s,
                   recording_id=recording, rep_times_s=rep_times_s)


def test_rest_before_a_set_runs_from_the_end_of_the_set_before_it_in_its_recording() -> None:
    # Given out of order, as a split or an added set leaves positions and times apart.
    sets = [recorded(3, 200.0, 240.0), recorded(1, 10.0, 70.0), recorded(2, 160.0, 190.0)]
    timings = set_timings(sets)
    assert timings[1].rest_before_s is None  # the recording's first set
    assert timings[2].rest_before_s == pytest.approx(90.0)
    assert timings[3].rest_before_s == pytest.approx(10.0)
    assert median_rest_s(timings) == pytest.approx(50.0)


def test_no_rest_is_guessed_across_recordings_or_for_sets_typed_by_hand() -> None:
    sets = [
        recorded(1, 10.0, 70.0, recording=7),
        recorded(2, 5.0, 40.0, recording=8),  # a second file of the session: another clock
        replace(BLANK, id=3, position=3, reps=8, weight_kg=60.0),  # typed, imported from Strong
        recorded(4, 60.0, 90.0, recording=7),  # drawn by hand over set 1: no rest between
    ]
    timings = set_timings(sets)
    assert [timings[i].rest_before_s for i in (1, 2, 3, 4)] == [None, None, None, None]
    assert median_rest_s(timings) is None


def test_seconds_per_rep_is_the_median_gap_so_a_pause_mid_set_does_not_move_it() -> None:
    # Five reps 3 s apart with a 12 s breath after the third.
    marks = (1.0, 4.0, 7.0, 19.0, 22.0)
    assert seconds_per_rep(marks) == pytest.approx(3.0)
    assert set_timings([recorded(1, 0.0, 25.0, rep_times_s=marks)])[1].seconds_per_rep == (
        pytest.approx(3.0))
    assert seconds_per_rep((5.0,)) is None
    assert seconds_per_rep(()) is None


@pytest.mark.parametrize(("seconds", "shown"), [
    (0.4, "0:00"), (50.2, "0:50"), (105.0, "1:45"), (59.6, "1:00"), (723.0, "12:03")])
def test_a_rest_reads_as_a_rest_timer_does(seconds: float, shown: str) -> None:
    assert minutes_seconds(seconds) == shown


@given(st.floats(min_value=0, max_value=36_000, allow_nan=False))
def test_minutes_and_seconds_read_back_to_the_rounded_seconds(seconds: float) -> None:
    minutes, rest = minutes_seconds(seconds).split(":")
    assert len(rest) == 2 and 0 <= int(rest) < 60
    assert int(minutes) * 60 + int(rest) == round(seconds)


@pytest.mark.parametrize(("seconds", "said"), [
    (12.4, "12 s"), (59.4, "59 s"), (59.6, "1 min 00 s"), (353.0, "5 min 53 s"),
    (3780.0, "63 min 00 s")])
def test_a_recordings_length_reads_in_seconds_under_a_minute(seconds: float, said: str) -> None:
    assert duration_words(seconds) == said
