"""Finding sets: by exercise name, family or alias, dates, reps, weight, notes; sorted, paged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from journal import catalog, edits, exercises, store
from journal.progress import estimated_one_rep_max
from journal.search import (
    SetQuery,
    all_matching_sets,
    build_select,
    search_sets,
    suggest_exercises,
)


@pytest.fixture
def journal(session: Session, make_analysis) -> Session:
    """Four sessions in March–April 2024 (synthetic signals; only the sets matter here)."""
    plan = [
        (datetime(2024, 3, 1, 18, tzinfo=UTC), [("assisted_pull_up", 12), ("barbell_row", 8)],
         {0: {"weight_kg": 40.0}, 1: {"weight_kg": 60.0, "notes": "Grip failed early"}}),
        (datetime(2024, 3, 12, 18, tzinfo=UTC), [("assisted_pull_up", 9), ("preacher_curl", 10)],
         {0: {"weight_kg": 45.0}, 1: {"weight_kg": 20.0}}),
        (datetime(2024, 4, 2, 18, tzinfo=UTC), [("chin_up", 6), ("barbell_bench_press", 5)],
         {1: {"weight_kg": 80.0, "exercise": "incline_30_barbell_bench_press"}}),
        (datetime(2024, 4, 20, 18, tzinfo=UTC), [("assisted_pull_up", 15)],
         {0: {"weight_kg": 35.0, "notes": "new PR, grip strong"}}),
    ]
    for start, sets, overrides in plan:
        store.save_analysis(session, make_analysis(sets, start=start), set_overrides=overrides,
                            notes="morning" if start.month == 4 else "",
                            performed_at=start.replace(tzinfo=None))  # same day in any TZ
    session.commit()
    return session


def _exercises(session: Session, **filters) -> list[str]:
    return [row.exercise for row in search_sets(session, SetQuery(**filters)).rows]


@pytest.mark.parametrize("typed", ["pull-up", "pullup", "pull ups", "Pull Ups", "PULL-UPS"])
def test_search_finds_pullups_by_alias(journal, typed):
    found = _exercises(journal, exercise=typed)
    assert found.count("assisted_pull_up") == 3 and "chin_up" in found
    assert not {"barbell_row", "preacher_curl"} & set(found)


def test_search_finds_an_exercise_by_its_own_name_and_by_family(journal):
    assert set(_exercises(journal, exercise="Assisted pull-up")) == {"assisted_pull_up"}
    assert _exercises(journal, exercise="row") == ["barbell_row"]
    assert _exercises(journal, exercise="bench") == ["incline_30_barbell_bench_press"]
    # Part of a word matches when no key equals the text.
    assert set(_exercises(journal, exercise="preach")) == {"preacher_curl"}
    assert _exercises(journal, exercise="zumba") == []


def test_an_alias_typed_whole_also_finds_the_exercises_whose_names_hold_it(session,
                                                                          make_analysis):
    # "cable row" is the neutral-grip row's alias: it found that row alone, not the close-grip
    # cable rows of the same lifter. A name typed whole still means that exercise only.
    sets = [("neutral_grip_cable_row", 10), ("close_grip_cable_row", 12),
            ("barbell_bench_press", 5), ("incline_30_barbell_bench_press", 8)]
    store.save_analysis(session, make_analysis(sets, start=datetime(2024, 5, 1, 18, tzinfo=UTC)))
    session.commit()
    assert set(_exercises(session, exercise="cable row")) == {
        "neutral_grip_cable_row", "close_grip_cable_row"}
    assert set(_exercises(session, exercise="cable rows")) == {
        "neutral_grip_cable_row", "close_grip_cable_row"}
    assert _exercises(session, exercise="Neutral-grip cable row") == ["neutral_grip_cable_row"]
    assert _exercises(session, exercise="Barbell bench press") == ["barbell_bench_press"]
    assert set(_exercises(session, exercise="row")) == {
        "neutral_grip_cable_row", "close_grip_cable_row"}


def test_search_by_date_range_includes_both_whole_days(journal):
    found = search_sets(journal, SetQuery(date_from=date(2024, 3, 12), date_to=date(2024, 4, 2)))
    assert {r.date for r in found.rows} == {date(2024, 3, 12), date(2024, 4, 2)}
    assert found.total_sets == 4


def test_search_every_pullup_set_with_ten_or_more_reps_since_march(journal):
    rows = search_sets(journal, SetQuery(exercise="pull-up", date_from=date(2024, 3, 1),
                                         min_reps=10)).rows
    assert [(r.date, r.reps) for r in rows] == [(date(2024, 4, 20), 15), (date(2024, 3, 1), 12)]
    assert rows[0].exercise_name == "Assisted pull-up" and rows[0].weight_kg == 35.0
    assert rows[0].confidence == pytest.approx(0.9)


def test_search_by_reps_and_weight_ranges(journal):
    assert sorted(r.reps for r in search_sets(journal, SetQuery(min_reps=9, max_reps=12)).rows) \
        == [9, 10, 12]
    heavy = search_sets(journal, SetQuery(min_weight_kg=45, max_weight_kg=80)).rows
    assert sorted(r.weight_kg for r in heavy) == [45.0, 60.0, 80.0]


def test_search_by_words_in_set_or_session_notes_ignores_case(journal):
    assert _exercises(journal, notes="GRIP") == ["assisted_pull_up", "barbell_row"]
    assert _exercises(journal, notes="grip failed") == ["barbell_row"]
    assert sorted(_exercises(journal, notes="morning")) == [
        "assisted_pull_up", "chin_up", "incline_30_barbell_bench_press"]
    assert _exercises(journal, notes="100%") == []  # wildcards in the text are literal


def test_search_by_words_in_notes_ignores_the_case_of_accented_letters_too(journal):
    # SQLite's own lower() folds A-Z only; PostgreSQL's folds every letter.
    set_id = search_sets(journal, SetQuery(exercise="preacher curl")).rows[0].set_id
    edits.update_set(journal, set_id, notes="ÜBUNG mit Ärger, ÉTÉ")
    journal.commit()
    for typed in ("übung", "ärger", "été", "ÜBUNG"):
        assert _exercises(journal, notes=typed) == ["preacher_curl"], typed


def test_search_corrected_sets_only(journal):
    rows = search_sets(journal, SetQuery(corrected=True)).rows
    assert [(r.exercise, r.model_exercise) for r in rows] == [
        ("incline_30_barbell_bench_press", "barbell_bench_press")]
    assert len(search_sets(journal, SetQuery(corrected=False)).rows) == 6


def test_search_by_athlete(journal, make_analysis):
    store.save_analysis(journal, make_analysis([("preacher_curl", 7)]), athlete="Sam")
    journal.commit()
    assert [r.athlete for r in search_sets(journal, SetQuery(athlete="Sam")).rows] == ["Sam"]
    assert len(search_sets(journal, SetQuery(athlete="Me")).rows) == 7


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("reps", [5, 6, 8, 9, 10, 12, 15]), ("-reps", [15, 12, 10, 9, 8, 6, 5])],
)
def test_search_sorts_by_the_chosen_key(journal, sort, expected):
    assert [r.reps for r in search_sets(journal, SetQuery(sort=sort)).rows] == expected


def test_sorting_by_exercise_name_ignores_case_on_every_database(journal):
    # A user's own exercise typed in lower case sorts among the others, not after "Z...": the
    # same order on SQLite, and on PostgreSQL whatever its collation (C or en_US).
    set_id = search_sets(journal, SetQuery(exercise="preacher curl")).rows[0].set_id
    edits.update_set(journal, set_id, exercise="arnold press")
    journal.commit()
    names = [r.exercise_name for r in search_sets(journal, SetQuery(sort="exercise")).rows]
    assert names == sorted(names, key=str.lower), names
    assert names.index("arnold press") < names.index("Assisted pull-up"), names
    listed = [e.name for e in store.list_exercises(journal)]
    assert listed == sorted(listed, key=str.lower), listed[:5]
    catalog.athlete_named(journal, "amy")
    assert store.list_athletes(journal) == ["amy", "Me"]


def test_search_sorts_newest_first_by_default_and_sets_without_weight_last(journal):
    rows = search_sets(journal, SetQuery()).rows
    assert [r.performed_at for r in rows] == sorted((r.performed_at for r in rows), reverse=True)
    by_weight = [r.weight_kg for r in search_sets(journal, SetQuery(sort="-weight")).rows]
    assert by_weight[0] == 80.0 and by_weight[-1] is None


def test_search_lists_sessions_of_the_same_minute_newest_saved_first_each_in_set_order(
        session: Session, make_analysis):
    # Two workouts logged at the same time (a second recording of the session), and an older
    # one saved last: by date, the later saved of the two comes first, and each one's sets
    # keep their order, with or without an exercise filter, a page at a time or downloaded.
    plan = [(datetime(2024, 5, 1, 18), [("barbell_back_squat", 5), ("barbell_row", 8),
                                        ("barbell_back_squat", 3)]),
            (datetime(2024, 5, 1, 18), [("barbell_row", 10), ("barbell_back_squat", 6)]),
            (datetime(2024, 4, 1, 18), [("barbell_back_squat", 4)])]
    first, second, older = (
        store.save_analysis(session, make_analysis(sets, start=None), performed_at=when).session_id
        for when, sets in plan)
    session.commit()

    def listed(**filters) -> list[tuple[int, int]]:
        return [(r.session_id, r.reps)
                for r in search_sets(session, SetQuery(athlete="Me", **filters)).rows]

    newest = [(second, 10), (second, 6), (first, 5), (first, 8), (first, 3), (older, 4)]
    assert listed() == newest
    assert listed(limit=2, offset=1) == newest[1:3]
    assert [(r.session_id, r.reps) for r in all_matching_sets(session, SetQuery())] == newest
    oldest = [(older, 4), (second, 10), (second, 6), (first, 5), (first, 8), (first, 3)]
    assert listed(sort="date") == oldest
    assert listed(date_from=date(2024, 5, 1)) == newest[:5]
    squats = [(s, reps) for s, reps in newest if reps != 8 and reps != 10]
    assert listed(exercise="squat") == squats
    assert listed(exercise="squat", sort="date") == [squats[-1], *squats[:-1]]


def test_search_pages_keep_totals_of_every_match(journal):
    first = search_sets(journal, SetQuery(sort="reps", limit=3))
    second = search_sets(journal, SetQuery(sort="reps", limit=3, offset=3))
    assert [r.reps for r in first.rows] == [5, 6, 8]
    assert [r.reps for r in second.rows] == [9, 10, 12]
    assert (first.total_sets, first.total_reps) == (7, 65)
    # Volume is the loaded lifts' kg × reps: an assisted pull-up's kg are the machine's help.
    assert first.total_volume_kg == pytest.approx(8 * 60 + 10 * 20 + 5 * 80)
    pull_ups = search_sets(journal, SetQuery(exercise="assisted pull-up"))
    assert (pull_ups.total_reps, pull_ups.total_volume_kg) == (12 + 9 + 15, 0.0)


def test_a_users_own_assisted_exercise_has_no_volume_either(journal):
    (pull_up, *_) = search_sets(journal, SetQuery(exercise="assisted pull-up")).rows
    (row,) = search_sets(journal, SetQuery(exercise="row")).rows
    edits.update_set(journal, pull_up.set_id, exercise="Assisted dip")
    edits.update_set(journal, row.set_id, exercise="Ring row")  # named otherwise: loaded
    dips = search_sets(journal, SetQuery(exercise="assisted dip"))
    assert (dips.total_sets, dips.total_reps, dips.total_volume_kg) == (1, pull_up.reps, 0.0)
    rows = search_sets(journal, SetQuery(exercise="ring row"))
    assert rows.total_volume_kg == pytest.approx(8 * 60)


@pytest.fixture
def squats(session: Session, make_analysis) -> Session:
    """Squats of different reps over three days, and an assisted pull-up (40 kg of help)."""
    plan = [
        (datetime(2024, 5, 6, 18, tzinfo=UTC), [("barbell_back_squat", 3)], [80.0]),
        (datetime(2024, 5, 8, 18, tzinfo=UTC), [("barbell_back_squat", 12)], [60.0]),
        (datetime(2024, 5, 10, 18, tzinfo=UTC),
         [("barbell_back_squat", 8), ("assisted_pull_up", 8)], [70.0, 40.0]),
    ]
    for start, sets, weights in plan:
        store.save_analysis(session, make_analysis(sets, start=start),
                            set_overrides={i: {"weight_kg": w} for i, w in enumerate(weights)},
                            performed_at=start.replace(tzinfo=None))
    session.commit()
    return session


def _lifts(rows) -> list[tuple[str, float | None, int]]:
    return [(r.exercise_name, r.weight_kg, r.reps) for r in rows]


def test_search_strongest_sets_first_across_rep_counts(squats):
    # 70 kg × 8 (88.7 kg estimated) beats 80 kg × 3 (88.0); 12 reps are too many for an
    # estimate and an assisted pull-up's kg are help: those come last, newest first.
    rows = search_sets(squats, SetQuery(sort="-e1rm")).rows
    assert _lifts(rows) == [
        ("Barbell back squat", 70.0, 8), ("Barbell back squat", 80.0, 3),
        ("Assisted pull-up", 40.0, 8), ("Barbell back squat", 60.0, 12),
    ]
    assert [r.e1rm_kg for r in rows] == [pytest.approx(70 * (1 + 8 / 30)), 88.0, None, None]
    weakest = search_sets(squats, SetQuery(sort="e1rm")).rows
    assert _lifts(weakest[:2]) == [("Barbell back squat", 80.0, 3),
                                   ("Barbell back squat", 70.0, 8)]
    assert [r.e1rm_kg for r in weakest[2:]] == [None, None]
    # "My strongest squat sets".
    assert _lifts(search_sets(squats, SetQuery(exercise="squat", sort="-e1rm", limit=1)).rows) \
        == [("Barbell back squat", 70.0, 8)]


def test_search_pages_through_the_strongest_sets(squats):
    pages = [search_sets(squats, SetQuery(sort="-e1rm", limit=1, offset=offset))
             for offset in range(5)]
    assert [_lifts(p.rows) for p in pages] == [
        [("Barbell back squat", 70.0, 8)], [("Barbell back squat", 80.0, 3)],
        [("Assisted pull-up", 40.0, 8)], [("Barbell back squat", 60.0, 12)], [],
    ]
    assert {p.total_sets for p in pages} == {4}


def test_search_estimates_each_sets_one_rep_max_as_the_progress_page_does(squats):
    session_id = search_sets(squats, SetQuery(limit=1)).rows[0].session_id
    for exercise, reps, weight in [
        ("barbell_back_squat", 0, 62.5), ("barbell_back_squat", 1, 62.5),
        ("barbell_back_squat", 10, 62.5), ("barbell_back_squat", 11, 62.5),
        ("barbell_back_squat", 5, None), ("barbell_back_squat", 5, 0.0),
        ("barbell_back_squat", 7, 33.3), ("barbell_back_squat", 9, 101.7),
        ("Assisted dip", 5, 30.0),  # the user's own, assisted by its name
        ("Ring row", 7, 17.3),  # the user's own, loaded
    ]:
        edits.add_set(squats, session_id, exercise=exercise, reps=reps, weight_kg=weight)
    squats.commit()
    rows = search_sets(squats, SetQuery()).rows
    assert len(rows) == 14 and {r.exercise for r in rows} >= {"custom:assisteddip",
                                                              "custom:ringrow"}
    for row in rows:
        expected = (None if exercises.is_assisted(row.exercise)
                    else estimated_one_rep_max(row.weight_kg, row.reps))
        # Equal to the last bit: the database computes it in the same steps.
        assert row.e1rm_kg == expected, (row.exercise, row.weight_kg, row.reps)
    estimated = {(r.weight_kg, r.reps): r.e1rm_kg for r in rows if r.e1rm_kg is not None}
    assert estimated[(62.5, 1)] == 62.5 and (62.5, 11) not in estimated
    assert [(r.reps, r.weight_kg) for r in rows if r.exercise == "custom:ringrow"] == [(7, 17.3)]
    strongest = [r.e1rm_kg for r in search_sets(squats, SetQuery(sort="-e1rm")).rows]
    with_estimate = [e for e in strongest if e is not None]
    assert strongest == with_estimate + [None] * (len(rows) - len(with_estimate))
    assert with_estimate == sorted(with_estimate, reverse=True)


def test_search_rows_are_plain_json_ready_values(journal):
    row = search_sets(journal, SetQuery(limit=1)).rows[0]
    values = row.as_dict()
    for key in ("date", "session_id", "set_id", "exercise", "exercise_name", "reps",
                "weight_kg", "e1rm_kg", "confidence"):
        assert key in values
    assert values["date"] == "2024-04-20"


def test_search_sees_edits_made_after_saving(journal):
    row = search_sets(journal, SetQuery(exercise="curl")).rows[0]
    edits.update_set(journal, row.set_id, exercise="pull_up", reps=11)
    journal.commit()
    assert _exercises(journal, exercise="curl") == []
    assert "pull_up" in _exercises(journal, exercise="pull ups", min_reps=11)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"min_reps": -1}, "min_reps"),
        ({"max_reps": 2.5}, "max_reps"),
        ({"min_reps": 10, "max_reps": 5}, "reps range is empty"),
        ({"date_from": date(2024, 5, 1), "date_to": date(2024, 4, 1)}, "after"),
        ({"min_weight_kg": -3}, "min_weight_kg"),
        ({"min_weight_kg": 100, "max_weight_kg": 50}, "weight range is empty"),
        ({"sort": "colour"}, "unknown sort key 'colour'"),
        ({"limit": 0}, "limit"),
        ({"offset": -5}, "offset"),
        ({"date_from": "2024-01-01"}, "date_from must be a date"),
    ],
)
def test_search_refuses_bad_parameters_with_a_clear_message(filters, message):
    with pytest.raises(ValueError, match=message):
        SetQuery(**filters)


def test_search_sql_is_built_without_touching_a_database():
    sql = str(build_select(SetQuery(exercise="pull ups", min_reps=10, sort="-reps")))
    assert "exercise_aliases" in sql and "ORDER BY exercise_sets.reps DESC" in sql


def test_suggest_exercises_for_autocomplete(journal):
    names = [e.name for e in suggest_exercises(journal, "pull")]
    assert {"Pull-up", "Assisted pull-up", "Chin-up"} <= set(names)
    assert [e.id for e in suggest_exercises(journal, "preacher")] == ["preacher_curl"]
    # Nothing typed: the exercises used most come first.
    assert suggest_exercises(journal, "", limit=1)[0].id == "assisted_pull_up"
    edits.add_set(journal, store.list_sessions(journal)[0].id, exercise="Sled push", reps=4)
    assert [e.name for e in suggest_exercises(journal, "sled")] == ["Sled push"]
