"""How a recorded session was paced: the rest before each set and the seconds each rep took.

What a lifter cannot type into Strong or Hevy without a stopwatch, read off the recording: a
set's span (``start_s``/``end_s``) and the counter's rep marks (``rep_times_s``). Sets typed by
hand or imported from another app have neither, and get no figure rather than a guess.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from journal.views import SetView


@dataclass(frozen=True)
class SetTiming:
    """``rest_before_s``: from the end of the set before it in the same recording to its start
    (None for a recording's first set); ``seconds_per_rep``: the median time between its rep
    marks (None with fewer than two)."""

    rest_before_s: float | None
    seconds_per_rep: float | None


def set_timings(sets: Sequence[SetView]) -> dict[int, SetTiming]:
    """Each set's timing, by set id.

    The rest is measured within one recording only: two files of a session share no clock.
    Sets whose spans overlap (drawn by hand over another) have no rest between them.
    """
    rest: dict[int, float] = {}
    by_recording: dict[int, list[SetView]] = {}
    for item in sets:
        if item.recording_id is not None and item.start_s is not None and item.end_s is not None:
            by_recording.setdefault(item.recording_id, []).append(item)
    for recorded in by_recording.values():
        recorded.sort(key=lambda s: (s.start_s, s.end_s))
        for before, after in zip(recorded, recorded[1:], strict=False):
            assert before.end_s is not None and after.start_s is not None  # kept above
            if after.start_s >= before.end_s:
                rest[after.id] = after.start_s - before.end_s
    return {item.id: SetTiming(rest.get(item.id), seconds_per_rep(item.rep_times_s))
            for item in sets}


def seconds_per_rep(rep_times_s: Sequence[float]) -> float | None:
    """The median time between consecutive rep marks: one slow rep or a pause mid-set does not
    move it. None with fewer than two marks."""
    if len(rep_times_s) < 2:
        return None
    ordered = sorted(rep_times_s)
    return statistics.median(b - a for a, b in zip(ordered, ordered[1:], strict=False))


def median_rest_s(timings: dict[int, SetTiming]) -> float | None:
    """The session's typical rest between sets (median), None without two sets recorded."""
    rests = [t.rest_before_s for t in timings.values() if t.rest_before_s is not None]
    return statistics.median(rests) if rests else None


def minutes_seconds(seconds: float) -> str:
    """A duration as a lifter reads a rest timer: "1:45", "0:50", "12:03"."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def duration_words(seconds: float) -> str:
    """A recording's length as the pages and the command line say it: "5 min 53 s", "12 s"
    (not "0 min 12 s")."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
