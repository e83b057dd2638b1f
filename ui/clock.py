"""The user's date and time, in one place the tests can set (the figures take them as arguments).

The journal dates sessions by local wall-clock time. "Local" is the user's: the browser says its
time zone when the page connects (``st.context.timezone``), and a server in another zone (a
gym's machine, a container on UTC) must not put "today" a day off. Without a zone from the
browser (a script run, a zone this machine's database does not know) it is this machine's.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def browser_zone_name() -> str | None:
    """The IANA name of the browser's time zone ("Europe/Berlin"), None when not known."""
    try:
        return st.context.timezone
    except Exception:  # noqa: BLE001 - outside a page run there is no browser to ask
        return None


def zone_named(name: str | None) -> tzinfo | None:
    """The time zone of an IANA name; None for no name or one this machine does not know."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def user_zone() -> tzinfo | None:
    """The browser's time zone; None when not known (then this machine's is the user's)."""
    return zone_named(browser_zone_name())


def now() -> datetime:
    """The user's local wall-clock time, without a zone (as the journal stores times)."""
    zone = user_zone()
    if zone is None:
        return datetime.now()
    return datetime.now(zone).replace(tzinfo=None)


def today() -> date:
    """The user's local date (tests replace this function to fix the day)."""
    return now().date()
