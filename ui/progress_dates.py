"""The Progress page's dates: the period choice, its URL parameters, the dates in words.

"My progress since March" or "the last 3 months" lives in the URL as the Journal page's search
does (``?period=Last+3+months``, ``?period=Dates…&since=2026-03-01``): each widget is bound to
the parameter named in ``PARAMS``, and Streamlit writes a choice's label there. A preset counts
back from today, so a bookmarked "last 3 months" stays the last three months. The dates count
with "Dates…" only: Streamlit drops them from the URL one run after their inputs are gone, so
a link of another period may still hold them. Pure: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from journal.progress import TrainingDay

ALL_TIME = "All time"
CUSTOM = "Dates…"
#: The presets and how far back from today each reaches, then all time and the custom dates.
#: The labels are also the URL's values (``bind="query-params"`` writes the label).
BACK: dict[str, pd.DateOffset] = {
    "Last 4 weeks": pd.DateOffset(weeks=4),
    "Last 3 months": pd.DateOffset(months=3),
    "Last 12 months": pd.DateOffset(months=12),
}
PERIODS = [*BACK, ALL_TIME, CUSTOM]

#: Field → URL query parameter, which is also the key of the widget bound to it. Not the
#: Journal page's "from"/"to": a widget's state follows its key from page to page.
PARAMS = {"period": "period", "date_from": "since", "date_to": "until"}

#: The custom dates' bounds, given to the date inputs so Streamlit keeps any plausible date of
#: a link (its default, ten years either side of today, would drop an older one unsaid).
EARLIEST = date(1970, 1, 1)
LATEST = date(2099, 12, 31)
#: The formats Streamlit reads a date of the URL in.
_URL_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


@dataclass(frozen=True)
class Dates:
    """The days the page shows, both included; an end left open (``None``) is the journal's
    first session or today."""

    first: date | None = None
    last: date | None = None

    @property
    def all_time(self) -> bool:
        return self.first is None and self.last is None

    def contains(self, day: date) -> bool:
        return (self.first is None or self.first <= day) and (self.last is None or day <= self.last)

    def closed(self, journal_span: tuple[date, date], today: date) -> tuple[date, date]:
        """Both ends as days: an open start is the journal's first session, an open end today
        (or a later session, typed in with a date to come)."""
        first = self.first or journal_span[0]
        return first, self.last or max(today, journal_span[1], first)


ALL = Dates()


def period_dates(period: str | None, since: date | None, until: date | None, today: date) -> Dates:
    """The days a period choice means: a preset ends today; the custom dates are ``since`` to
    ``until`` (either may be open); anything else is all time.

    Raises ValueError, in words for the page, when ``since`` is after ``until``.
    """
    if period in BACK:
        start = (pd.Timestamp(today) - BACK[period]).date() + timedelta(days=1)
        return Dates(start, today)
    if period == CUSTOM:
        if since is not None and until is not None and since > until:
            raise ValueError(f"From {day_words(since)} is after To {day_words(until)}")
        return Dates(since, until)
    return ALL


def url_problems(raw: Mapping[str, str | None]) -> list[str]:
    """What is wrong with the period of a link, one sentence each: a period not offered, a date
    of "Dates…" Streamlit cannot read or keep. ``raw`` maps each URL parameter of ``PARAMS`` to
    its value.

    Streamlit drops such values from the URL without a word; the page says so with these.
    """
    problems = []
    period = raw.get(PARAMS["period"])
    if period and period not in PERIODS:
        offered = ", ".join(f"“{p}”" for p in PERIODS)
        problems.append(f"The link's period “{period}” is not one of {offered}.")
    if period != CUSTOM:
        return problems  # its dates, if any, do not count
    for field, words in (("date_from", "start"), ("date_to", "end")):
        param = PARAMS[field]
        value = raw.get(param)
        if not value:
            continue
        day = _url_date(value)
        if day is None:
            problems.append(f"The link's {words} date ({param}={value}) is not a date: write "
                            "it as YYYY-MM-DD.")
        elif not EARLIEST <= day <= LATEST:
            problems.append(f"The link's {words} date ({param}={value}) is not between "
                            f"{EARLIEST.year} and {LATEST.year}.")
    return problems


def _url_date(value: str) -> date | None:
    for fmt in _URL_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def day_words(day: date) -> str:
    """"1 Mar 2026"."""
    return f"{day.day} {day:%b %Y}"


def dates_words(first: date, last: date) -> str:
    """Two days as a span, the month and year once when they share them: "1 Mar – 7 Dec
    2026", "1 – 31 Jan 2019", "25 Nov 2024 – 10 Mar 2025", "7 Dec 2026" (one day)."""
    if first == last:
        return day_words(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} – {day_words(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {day_words(last)}"
    return f"{day_words(first)} – {day_words(last)}"


def days_within(days: Sequence[TrainingDay], dates: Dates) -> list[TrainingDay]:
    """The training days within the dates."""
    return [d for d in days if dates.contains(d.day)]


def no_training(dates: Dates, journal_span: tuple[date, date]) -> str:
    """What the page says for dates without a session, and when the journal's sessions are."""
    first, last = dates.first, dates.last
    if first is not None and last is not None:
        within = (f"on {day_words(first)}" if first == last
                  else f"between {day_words(first)} and {day_words(last)}")
    elif first is not None:
        within = f"since {day_words(first)}"
    else:
        within = f"until {day_words(last or journal_span[1])}"
    sessions = (f"on {day_words(journal_span[0])}" if journal_span[0] == journal_span[1]
                else f"from {day_words(journal_span[0])} to {day_words(journal_span[1])}")
    return f"No training {within}. The journal's sessions are {sessions}: pick other dates."
