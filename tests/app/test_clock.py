"""Today is the user's: the date in their browser's time zone, not the server's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ui import clock


def test_today_is_the_date_in_the_browsers_time_zone(monkeypatch: pytest.MonkeyPatch):
    # UTC+14 and UTC-11 are 25 hours apart: at any moment their dates differ by one day, and
    # at least one of them differs from a server's on UTC.
    monkeypatch.setattr(clock, "browser_zone_name", lambda: "Pacific/Kiritimati")
    ahead = clock.today()
    monkeypatch.setattr(clock, "browser_zone_name", lambda: "Pacific/Pago_Pago")
    behind = clock.today()
    assert ahead - behind == timedelta(days=1)
    assert ahead == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    # The wall-clock time the Upload page offers for a recording without its own clock.
    assert clock.now().tzinfo is None
    assert abs(clock.now() - datetime.now(ZoneInfo("Pacific/Pago_Pago")).replace(tzinfo=None)) \
        < timedelta(minutes=1)


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_without_a_zone_the_browser_names_today_is_this_machines(
    monkeypatch: pytest.MonkeyPatch, zone: str | None
):
    monkeypatch.setattr(clock, "browser_zone_name", lambda: zone)
    assert clock.today() in {date.today(), (datetime.now() - timedelta(seconds=5)).date()}
