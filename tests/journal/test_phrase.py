"""Searching the journal in plain words: "all my pull-up sets with 10+ reps since March"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from journal import exercises, store
from journal.phrase import (
    FILTERS,
    SORT_WORDS,
    PhraseError,
    PhraseSearch,
    parse_search,
    phrase_of,
)
from journal.search import search_sets
from journal.transfer import LB_IN_KG

#: A Tuesday.
TODAY = date(2026, 12, 8)


def _fields(text: str, today: date = TODAY, **more) -> dict:
    found = parse_search(text, today=today, **more)
    assert found.not_understood == (), found.not_understood
    return found.fields


@pytest.mark.parametrize(("text", "fields"), [
    # reps
    ("10+ reps", {"min_reps": 10}),
    ("10 or more reps", {"min_reps": 10}),
    ("10 reps or more", {"min_reps": 10}),
    ("at least 10 reps", {"min_reps": 10}),
    ("≥10 reps", {"min_reps": 10}),
    (">=10 reps", {"min_reps": 10}),
    ("more than 9 reps", {"min_reps": 10}),
    ("over 9 reps", {"min_reps": 10}),
    ("under 5 reps", {"max_reps": 4}),
    ("fewer than 5 reps", {"max_reps": 4}),
    ("less than 5 reps", {"max_reps": 4}),
    ("at most 5 reps", {"max_reps": 5}),
    ("up to 5 reps", {"max_reps": 5}),
    ("5-8 reps", {"min_reps": 5, "max_reps": 8}),
    ("5 to 8 reps", {"min_reps": 5, "max_reps": 8}),
    ("between 5 and 8 reps", {"min_reps": 5, "max_reps": 8}),
    ("5 reps", {"min_reps": 5, "max_reps": 5}),
    ("exactly 5 reps", {"min_reps": 5, "max_reps": 5}),
    ("1 rep", {"min_reps": 1, "max_reps": 1}),
    ("ten reps", {"min_reps": 10, "max_reps": 10}),
    # weight: "over" is strictly heavier, to the 0.1 kg the page shows
    ("100 kg", {"min_weight_kg": 100, "max_weight_kg": 100}),
    ("100kg", {"min_weight_kg": 100, "max_weight_kg": 100}),
    ("62.5 kg", {"min_weight_kg": 62.5, "max_weight_kg": 62.5}),
    ("100+ kg", {"min_weight_kg": 100}),
    ("at least 100 kg", {"min_weight_kg": 100}),
    ("over 100 kg", {"min_weight_kg": 100.1}),
    ("above 100 kg", {"min_weight_kg": 100.1}),
    ("heavier than 100 kg", {"min_weight_kg": 100.1}),
    ("under 60 kg", {"max_weight_kg": 59.9}),
    ("below 60 kg", {"max_weight_kg": 59.9}),
    ("lighter than 60 kg", {"max_weight_kg": 59.9}),
    ("at most 60 kg", {"max_weight_kg": 60}),
    ("80-100 kg", {"min_weight_kg": 80, "max_weight_kg": 100}),
    ("between 80 and 100 kg", {"min_weight_kg": 80, "max_weight_kg": 100}),
    # dates, today being Tuesday 8 December 2026
    ("since March", {"date_from": date(2026, 3, 1)}),
    ("since March 2025", {"date_from": date(2025, 3, 1)}),
    ("since 3 March", {"date_from": date(2026, 3, 3)}),
    ("since March 3", {"date_from": date(2026, 3, 3)}),
    ("since 2026-03-01", {"date_from": date(2026, 3, 1)}),
    ("from mar", {"date_from": date(2026, 3, 1)}),
    ("since December 9", {"date_from": date(2025, 12, 9)}),  # the latest not after today
    ("before May", {"date_to": date(2026, 4, 30)}),
    ("until 15 June", {"date_to": date(2026, 6, 15)}),
    ("till 15 June", {"date_to": date(2026, 6, 15)}),
    ("up to 15 JUNE", {"date_to": date(2026, 6, 15)}),
    ("in March", {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}),
    ("in Feb 2024", {"date_from": date(2024, 2, 1), "date_to": date(2024, 2, 29)}),
    ("in 2025", {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}),
    ("from 3 March to 15 June", {"date_from": date(2026, 3, 3), "date_to": date(2026, 6, 15)}),
    ("between March and May 2025", {"date_from": date(2025, 3, 1), "date_to": date(2025, 5, 31)}),
    ("today", {"date_from": TODAY, "date_to": TODAY}),
    ("yesterday", {"date_from": date(2026, 12, 7), "date_to": date(2026, 12, 7)}),
    ("this week", {"date_from": date(2026, 12, 7), "date_to": date(2026, 12, 13)}),
    ("this month", {"date_from": date(2026, 12, 1), "date_to": date(2026, 12, 31)}),
    ("this year", {"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}),
    ("last week", {"date_from": date(2026, 11, 30), "date_to": date(2026, 12, 6)}),
    ("last month", {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}),
    ("last year", {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}),
    ("last 30 days", {"date_from": date(2026, 11, 9)}),
    ("in the past 2 weeks", {"date_from": date(2026, 11, 25)}),
    ("last 3 months", {"date_from": date(2026, 9, 9)}),
    # order
    ("strongest", {"sort": "-e1rm"}),
    ("heaviest", {"sort": "-weight"}),
    ("most reps", {"sort": "-reps"}),
    ("newest", {"sort": "-date"}),
    ("most recent", {"sort": "-date"}),
    ("oldest", {"sort": "date"}),
    ("first", {"sort": "date"}),
    ("strongest sets first", {"sort": "-e1rm"}),  # one order, not "strongest" and "oldest"
    ("newest first", {"sort": "-date"}),
    # notes
    ('"shoulder"', {"notes": "shoulder"}),
    ("'shoulder'", {"notes": "shoulder"}),
    ("“shoulder”", {"notes": "shoulder"}),
    ("notes: shoulder", {"notes": "shoulder"}),
    ("with note shoulder", {"notes": "shoulder"}),
    ('notes containing "since March"', {"notes": "since March"}),  # quoted: words, not dates
    # exercises: names, families, aliases, plurals
    ("lat pulldown", {"exercise": "lat pulldown"}),
    ("bench presses", {"exercise": "bench press"}),
    ("Squats", {"exercise": "Squats"}),
    ("show me my pull ups", {"exercise": "pull ups"}),
])
def test_phrase_reads_as_search_fields(text, fields):
    assert _fields(text) == pytest.approx(fields)


def test_the_readme_search_since_march_is_the_latest_march_begun():
    text = "all my pull-up sets with 10+ reps since March"
    found = parse_search(text, today=TODAY)
    assert found.fields == {"exercise": "pull-up", "min_reps": 10,
                            "date_from": date(2026, 3, 1)}
    assert found.words() == ["exercise “pull-up”", "from 01 Mar 2026", "at least 10 reps"]
    assert exercises.normalize_name(found.exercise or "") == "pullup"
    # Before March has come, "since March" is last year's.
    assert _fields(text, today=date(2026, 2, 10))["date_from"] == date(2025, 3, 1)


def test_pounds_are_searched_in_kg_and_said_in_both():
    found = parse_search("squats at least 225 lb", today=TODAY)
    assert found.min_weight_kg == 225 * LB_IN_KG  # as the Strong import stores 225 lb
    assert found.words() == ["exercise “squats”", "at least 102.1 kg (225 lb)"]
    found = parse_search("over 100 pounds under 250lbs", today=TODAY)
    assert found.min_weight_kg == pytest.approx(100 * LB_IN_KG + 0.1)
    assert found.words() == ["at least 45.5 kg (over 100 lb)", "at most 113.3 kg (under 250 lb)"]
    assert _fields("225 lbs") == {"min_weight_kg": 225 * LB_IN_KG,
                                  "max_weight_kg": 225 * LB_IN_KG}


def test_words_that_name_nothing_are_reported_not_searched_for():
    found = parse_search("pull-ups in the gym with zumba", today=TODAY)
    assert found.exercise == "pull-ups" and found.not_understood == ("in", "gym", "zumba")
    nothing = parse_search("zumba", today=TODAY)
    assert nothing.exercise is None and nothing.not_understood == ("zumba",)
    assert not nothing.understood
    for empty in ("", "   ", "show me all my sets"):
        found = parse_search(empty, today=TODAY)
        assert not found.understood and found.not_understood == ()


def test_the_lifters_own_exercises_are_understood():
    found = parse_search("sled pushes over 100 kg", today=TODAY, exercise_names=["Sled push"])
    assert (found.exercise, found.min_weight_kg) == ("sled push", 100.1)
    unknown = parse_search("sled pushes over 100 kg", today=TODAY)
    assert unknown.exercise is None and unknown.not_understood == ("sled", "pushes")


@pytest.mark.parametrize(("text", "message"), [
    ("at least 10 reps under 5 reps",
     "“at least 10 reps” and “under 5 reps” contradict each other"),
    ("since May before March",
     "“since May” (from 01 May 2026) and “before March” (until 28 Feb 2026) contradict"),
    ("8-5 reps", "“8-5 reps” is an empty range"),
    ("100 kg under 90 kg", "“100 kg” and “under 90 kg” contradict each other"),
    ("under 0 reps", "“under 0 reps” matches no set"),
    ("9.5 reps", "Reps are whole numbers"),
    ("since 31 April", "“31 April” is not a date"),
    ("strongest heaviest", "“strongest” and “heaviest” are different orders"),
    ("squats and deadlifts", "A search takes one exercise: “squats” and “deadlifts”"),
])
def test_contradictions_are_named_not_searched(text, message):
    with pytest.raises(PhraseError, match=re.escape(message)):
        parse_search(text, today=TODAY)


def test_a_phrase_becomes_a_valid_search():
    found = parse_search("heaviest bench presses 80-100 kg in 2025", today=TODAY)
    query = found.query(athlete="Me", limit=5)
    assert (query.exercise, query.sort, query.min_weight_kg, query.athlete, query.limit) == (
        "bench press", "-weight", 80, "Me", 5)
    assert PhraseSearch().query().sort == "-date"  # no order named: the search's own


_NAMES = sorted({name for e in exercises.CATALOG
                 if e.family not in (exercises.REST_ID, "other")
                 for name in (e.name, e.family, *e.aliases)})
_DAYS = st.dates(date(1970, 1, 1), date(2099, 12, 31))
_KG = st.floats(0, 2000, allow_nan=False, allow_infinity=False)
_REPS = st.integers(0, 200)


@st.composite
def _search_fields(draw) -> dict:
    fields: dict = {}
    if draw(st.booleans()):
        fields["exercise"] = draw(st.sampled_from(_NAMES) | st.from_regex(
            r"[A-Za-z0-9][A-Za-z0-9 '°-]{0,20}[A-Za-z0-9]", fullmatch=True))
    for low, high, values in (("date_from", "date_to", _DAYS), ("min_reps", "max_reps", _REPS),
                              ("min_weight_kg", "max_weight_kg", _KG)):
        chosen = sorted(draw(st.lists(values, min_size=0, max_size=2)))
        if len(chosen) == 2:
            fields[low], fields[high] = chosen
        elif chosen:
            fields[draw(st.sampled_from([low, high]))] = chosen[0]
    if draw(st.booleans()):
        fields["notes"] = draw(st.from_regex(r"[a-z0-9,.!]+( [a-z0-9,.!’]+){0,3}", fullmatch=True))
    if draw(st.booleans()):
        fields["sort"] = draw(st.sampled_from(sorted(SORT_WORDS)))
    return fields


@settings(max_examples=300, deadline=None)
@given(fields=_search_fields(), today=_DAYS)
def test_any_search_said_in_words_reads_back_as_itself(fields, today):
    text = phrase_of(**fields)
    found = parse_search(text, today=today)
    assert found.fields == fields, text
    assert found.not_understood == ()
    assert set(found.fields) <= {*FILTERS, "sort"}


@pytest.fixture
def journal(session: Session, make_analysis) -> Session:
    """Pull-ups, squats and a row between February 2025 and November 2026."""
    plan = [
        (datetime(2025, 2, 20, 18, tzinfo=UTC), [("pull_up", 12), ("barbell_back_squat", 5)],
         {1: {"weight_kg": 100.0}}),
        (datetime(2025, 4, 2, 18, tzinfo=UTC), [("assisted_pull_up", 10), ("chin_up", 8)],
         {0: {"weight_kg": 30.0}}),
        (datetime(2026, 3, 14, 18, tzinfo=UTC), [("pull_up", 11), ("barbell_row", 10)],
         {0: {"notes": "left shoulder sore"}, 1: {"weight_kg": 60.0}}),
        (datetime(2026, 11, 3, 18, tzinfo=UTC), [("chin_up", 9), ("barbell_back_squat", 3)],
         {1: {"weight_kg": 102.05828325}}),  # 225 lb
    ]
    for start, sets, overrides in plan:
        store.save_analysis(session, make_analysis(sets, start=start), set_overrides=overrides,
                            performed_at=start.replace(tzinfo=None))
    session.commit()
    return session


def _found(session: Session, text: str, today: date = TODAY) -> list[tuple[str, date, int]]:
    query = parse_search(text, today=today).query()
    return [(r.exercise, r.date, r.reps) for r in search_sets(session, query).rows]


def test_a_phrase_finds_the_sets_it_says(journal):
    text = "all my pull-up sets with 10+ reps since March"
    assert _found(journal, text) == [("pull_up", date(2026, 3, 14), 11)]
    # Early in 2026, "since March" is March 2025: the assisted pull-ups of April count too.
    assert _found(journal, text, today=date(2026, 2, 10)) == [
        ("pull_up", date(2026, 3, 14), 11), ("assisted_pull_up", date(2025, 4, 2), 10)]
    assert _found(journal, "pull-ups in 2025 oldest first") == [
        ("pull_up", date(2025, 2, 20), 12), ("assisted_pull_up", date(2025, 4, 2), 10),
        ("chin_up", date(2025, 4, 2), 8)]
    assert _found(journal, "squats over 100 kg") == [
        ("barbell_back_squat", date(2026, 11, 3), 3)]
    assert _found(journal, "squats 225 lb") == [("barbell_back_squat", date(2026, 11, 3), 3)]
    assert _found(journal, "sets with 'shoulder' last year") == []
    assert _found(journal, "'shoulder' this year") == [("pull_up", date(2026, 3, 14), 11)]
    assert _found(journal, "rows heavier than 50 kg") == [("barbell_row", date(2026, 3, 14), 10)]


def test_a_pasted_paragraph_is_read_in_runs_of_a_few_words(monkeypatch):
    # Every run of the words left was tried as an exercise's name: 200 words made 20,100
    # tries (26 s). Runs as long as a name (MAX_NAME_WORDS) keep it to a few per word.
    from journal import phrase

    tried = []
    names_exercise = phrase._names_exercise
    monkeypatch.setattr(phrase, "_names_exercise",
                        lambda said, own: tried.append(said) or names_exercise(said, own))
    words = " ".join(f"zumba{i}" for i in range(200))
    found = parse_search(f"{words} pull-ups", today=TODAY)
    assert found.exercise == "pull-ups" and len(found.not_understood) == 200
    # Once to find the name, once more for a second one (a search takes one).
    assert len(tried) <= 2 * 201 * phrase.MAX_NAME_WORDS
