"""The Progress page's period: what each choice means, the words for it, a link's mistakes."""

from __future__ import annotations

from datetime import date

import pytest

from ui.progress_dates import (
    ALL,
    CUSTOM,
    Dates,
    dates_words,
    no_training,
    period_dates,
    url_problems,
)

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("period", "first"),
    [
        ("Last 4 weeks", date(2026, 11, 10)),  # 28 days, today the last
        ("Last 3 months", date(2026, 9, 8)),
        ("Last 12 months", date(2025, 12, 8)),
    ],
)
def test_a_preset_ends_today(period, first):
    assert period_dates(period, None, None, TODAY) == Dates(first, TODAY)


def test_last_12_months_of_a_leap_day_and_a_months_end():
    assert period_dates("Last 12 months", None, None, date(2028, 2, 29)).first == date(2027, 3, 1)
    assert period_dates("Last 3 months", None, None, date(2026, 5, 31)).first == date(2026, 3, 1)


def test_custom_dates_may_be_open_and_must_be_in_order():
    since_march = period_dates(CUSTOM, date(2026, 3, 1), None, TODAY)
    assert since_march == Dates(date(2026, 3, 1), None)
    journal = (date(2024, 1, 1), date(2026, 11, 30))
    assert since_march.closed(journal, TODAY) == (date(2026, 3, 1), TODAY)
    until_may = period_dates(CUSTOM, None, date(2026, 5, 31), TODAY)
    assert until_may.closed(journal, TODAY) == (date(2024, 1, 1), date(2026, 5, 31))
    assert period_dates(CUSTOM, None, None, TODAY).all_time
    assert period_dates("All time", date(2026, 3, 1), None, TODAY) == ALL
    with pytest.raises(ValueError, match="From 1 May 2026 is after To 1 Mar 2026"):
        period_dates(CUSTOM, date(2026, 5, 1), date(2026, 3, 1), TODAY)


def test_dates_in_words_name_the_year_and_month_once():
    assert dates_words(date(2026, 3, 1), TODAY) == "1 Mar – 7 Dec 2026"
    assert dates_words(date(2019, 1, 1), date(2019, 1, 31)) == "1 – 31 Jan 2019"
    assert dates_words(date(2024, 11, 25), date(2025, 3, 10)) == "25 Nov 2024 – 10 Mar 2025"
    assert dates_words(TODAY, TODAY) == "7 Dec 2026"
    journal = (date(2019, 1, 14), date(2025, 3, 10))
    assert no_training(Dates(date(2025, 4, 1), None), journal).startswith(
        "No training since 1 Apr 2025. The journal's sessions are from 14 Jan 2019 to 10 Mar 2025")


def test_a_links_mistakes_are_named_with_the_parameter_and_value():
    assert url_problems({"period": "Dates…", "since": "2026-03-01", "until": None}) == []
    assert url_problems({"period": "Last 3 months"}) == []
    assert url_problems({"period": CUSTOM, "since": "2026-3-1"}) == []  # Streamlit reads it
    assert url_problems({"period": "3m"})[0].startswith(
        "The link's period “3m” is not one of “Last 4 weeks”, “Last 3 months”")
    problems = url_problems({"period": CUSTOM, "since": "March", "until": "1890-01-01"})
    assert problems == [
        "The link's start date (since=March) is not a date: write it as YYYY-MM-DD.",
        "The link's end date (until=1890-01-01) is not between 1970 and 2099.",
    ]
    # Dates of another period do not count (Streamlit leaves them a run after "Dates…").
    assert url_problems({"period": "Last 3 months", "since": "March"}) == []
