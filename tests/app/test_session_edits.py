"""Where the Session page's Add tool first offers a new set: a stretch no set covers."""

from __future__ import annotations

import pytest

from ui.session_edits import free_span


@pytest.mark.parametrize(("spans", "duration_s", "offered"), [
    # The widest rest between sets, to the half second inward.
    ([(14.08, 74.98), (100.82, 158.94), (160.0, 170.0)], 180.0, (75.0, 100.5)),
    # Before the first set, and after the last.
    ([(50.0, 60.0), (65.0, 70.0)], 80.0, (0.0, 50.0)),
    ([(0.0, 10.0)], 100.0, (10.0, 100.0)),
    # Overlapping spans, given out of order, and one past the end.
    ([(40.0, 90.0), (10.0, 50.0), (95.0, 130.0)], 120.0, (0.0, 10.0)),
    # No set: the whole recording.
    ([], 42.3, (0.0, 42.0)),
])
def test_the_add_tool_offers_the_widest_stretch_no_set_covers(spans, duration_s, offered):
    assert free_span(spans, duration_s) == offered


def test_a_recording_its_sets_cover_whole_offers_its_first_30_s():
    assert free_span([(0.0, 50.0), (50.0, 100.0)], 100.0) == (0.0, 30.0)
    assert free_span([(0.0, 12.0)], 12.0) == (0.0, 12.0)
