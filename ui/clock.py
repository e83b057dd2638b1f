"""Today's date, in one place the tests can set (the figures take it as an argument).

The journal dates sessions by local wall-clock time, so today is this machine's local date, as
on the Upload page (``datetime.now()``).
"""

from __future__ import annotations

from datetime import date


def today() -> date:
    """This machine's local date (tests replace this function to fix the day)."""
    return date.today()
