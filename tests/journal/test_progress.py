"""The progress page: weekly volume, personal records, training days."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from journal import catalog, edits, progress, store


def _session(session: Session, when: datetime, sets: list[tuple[str, int, float | None]]) -> int:
    session_id = store.create_session(session, performed_at=when, title="lifting")
    for exercise, reps, weight in sets:
        edits.add_set(session, session_id, exercise=exercise, reps=reps, weight_kg=weight)
    return session_id


@pytest.fixture
def rows_journal(session: Session) -> Session:
    # ISO week 10 of 2024 is 4–10 March; week 11 is 11–17 March.
    row, curl = "barbell_row", "preacher_curl"
    _session(session, datetime(2024, 3, 4, 18), [(row, 10, 50.0), (row, 8, 60.0)])
    _session(session, datetime(2024, 3, 7, 18), [(row, 10, 55.0), (curl, 12, 20.0)])
    _session(session, datetime(2024, 3, 7, 20), [(row, 5, 70.0)])
    _session(session, datetime(2024, 3, 14, 18), [(row, 10, 55.0), (row, 12, None)])
    session.commit()
    return session


def test_weekly_sets_reps_and_volume_per_iso_week(rows_journal):
    weeks = progress.weekly_progress(rows_journal, "barbell_row")
    assert [(w.iso_year, w.iso_week, w.week_start) for w in weeks] == [
        (2024, 10, date(2024, 3, 4)), (2024, 11, date(2024, 3, 11))]
    first, second = weeks
    assert (first.sets, first.reps) == (4, 33)
    assert first.volume_kg == pytest.approx(10 * 50 + 8 * 60 + 10 * 55 + 5 * 70)
    assert first.heaviest_kg == 70.0
    assert (second.sets, second.reps, second.volume_kg) == (2, 22, pytest.approx(550.0))


def test_monthly_progress_counts_each_set_in_its_calendar_month(session):
    # Thursday 29 February and Friday 1 March 2024 are in one ISO week, not in one month.
    _session(session, datetime(2024, 2, 29, 18), [("barbell_row", 10, 50.0)])
    _session(session, datetime(2024, 3, 1, 18),
             [("barbell_row", 8, 60.0), ("barbell_row", 8, None)])
    _session(session, datetime(2019, 1, 14, 18), [("barbell_row", 5, 70.0)])
    session.commit()
    months = progress.monthly_progress(session, "barbell_row")
    assert [(m.month_start, m.sets, m.reps, m.volume_kg, m.heaviest_kg) for m in months] == [
        (date(2019, 1, 1), 1, 5, 350.0, 70.0),
        (date(2024, 2, 1), 1, 10, 500.0, 50.0),
        (date(2024, 3, 1), 2, 16, 480.0, 60.0),
    ]
    assert len(progress.weekly_progress(session, "barbell_row")) == 2


def test_weekly_progress_within_a_date_range(rows_journal):
    weeks = progress.weekly_progress(rows_journal, "barbell_row", date_from=date(2024, 3, 7),
                                     date_to=date(2024, 3, 7))
    assert [(w.sets, w.reps) for w in weeks] == [(2, 15)]
    with pytest.raises(ValueError, match="after"):
        progress.weekly_progress(rows_journal, "barbell_row", date_from=date(2024, 4, 1),
                                 date_to=date(2024, 3, 1))


def test_personal_records_heaviest_for_each_rep_count_and_most_reps(rows_journal):
    records = progress.personal_records(rows_journal, "barbell_row")
    assert {reps: r.weight_kg for reps, r in records.best_by_reps.items()} == {
        5: 70.0, 8: 60.0, 10: 55.0}
    # Two sets of 10 at 55 kg: the first one to lift it holds the record.
    assert records.best_by_reps[10].performed_at == datetime(2024, 3, 7, 18)
    assert records.most_reps is not None and records.most_reps.reps == 12
    assert records.best is not None and records.best.weight_kg == 70.0


def test_personal_records_within_dates_are_the_best_sets_of_those_days(rows_journal):
    # 5-13 March: the sets of 7 March (18:00 and 20:00), not the 60 kg × 8 of 4 March nor the
    # 12 reps of 14 March.
    records = progress.personal_records(rows_journal, "barbell_row", date_from=date(2024, 3, 5),
                                        date_to=date(2024, 3, 13))
    assert {reps: r.weight_kg for reps, r in records.best_by_reps.items()} == {5: 70.0, 10: 55.0}
    assert records.most_reps is not None and records.most_reps.reps == 10
    assert records.best is not None and records.best.performed_at == datetime(2024, 3, 7, 20)
    # Both days count whole: 14 March alone holds its own 10 × 55 kg (all time it is 7 March's).
    last_day = progress.personal_records(rows_journal, "barbell_row",
                                         date_from=date(2024, 3, 14), date_to=date(2024, 3, 14))
    assert last_day.best_by_reps[10].performed_at == datetime(2024, 3, 14, 18)
    assert last_day.most_reps is not None and last_day.most_reps.reps == 12
    # One end only: since 7 March, and until 6 March.
    since = progress.personal_records(rows_journal, "barbell_row", date_from=date(2024, 3, 7))
    assert 8 not in since.best_by_reps and since.best_by_reps[10].weight_kg == 55.0
    until = progress.personal_records(rows_journal, "barbell_row", date_to=date(2024, 3, 6))
    assert {reps: r.weight_kg for reps, r in until.best_by_reps.items()} == {8: 60.0, 10: 50.0}
    nothing = progress.personal_records(rows_journal, "barbell_row", date_from=date(2024, 4, 1))
    assert nothing.best_by_reps == {} and nothing.most_reps is None and nothing.best is None
    with pytest.raises(ValueError, match="after"):
        progress.personal_records(rows_journal, "barbell_row", date_from=date(2024, 3, 14),
                                  date_to=date(2024, 3, 4))


def test_exercise_progress_within_dates_gives_the_records_of_those_dates(rows_journal):
    dates = {"date_from": date(2024, 3, 11), "date_to": date(2024, 3, 17)}
    both = progress.exercise_progress(rows_journal, "barbell_row", **dates)
    assert both.records == progress.personal_records(rows_journal, "barbell_row", **dates)
    assert [w.iso_week for w in both.weeks] == [11]


def test_most_trained_within_dates_lists_the_exercises_of_those_days(rows_journal):
    assert progress.most_trained(rows_journal) == ["barbell_row", "preacher_curl"]
    # The curl was trained on 7 March only.
    assert progress.most_trained(rows_journal, date_from=date(2024, 3, 8)) == ["barbell_row"]
    assert progress.most_trained(rows_journal, date_from=date(2024, 3, 7),
                                 date_to=date(2024, 3, 7)) == ["barbell_row", "preacher_curl"]
    assert progress.most_trained(rows_journal, date_to=date(2024, 3, 1)) == []

@pytest.mark.parametrize("name", ["Assisted pull-up", "Assisted dip"])  # catalog, user's own
def test_assisted_pull_up_records_are_the_least_assistance(session, name):
    # The weight of an assisted pull-up is the machine's help: 45 kg is harder than 66 kg.
    pull_up, _ = catalog.name_exercise(session, name)
    _session(session, datetime(2024, 11, 25, 7), [(pull_up, 8, 66.0), (pull_up, 10, 66.0)])
    _session(session, datetime(2024, 12, 1, 7), [(pull_up, 8, 59.0), (pull_up, 10, 59.0),
                                                 (pull_up, 12, None)])
    _session(session, datetime(2025, 3, 10, 7), [(pull_up, 8, 45.0), (pull_up, 8, 45.0)])
    session.commit()
    records = progress.personal_records(session, pull_up)
    assert records.assisted
    assert {reps: r.weight_kg for reps, r in records.best_by_reps.items()} == {8: 45.0, 10: 59.0}
    assert records.best_by_reps[8].performed_at == datetime(2025, 3, 10, 7)  # the first 45 kg
    assert records.best is not None and (records.best.weight_kg, records.best.reps) == (45.0, 8)
    assert records.most_reps is not None and records.most_reps.reps == 12


@pytest.mark.parametrize(
    ("exercise", "best_weight", "other_weight"),
    [("barbell_bench_press", 100.0, 90.0), ("assisted_pull_up", 61.0, 66.0)],
)
def test_the_best_set_at_the_record_weight_is_the_one_of_most_reps(
    session, exercise, best_weight, other_weight
):
    # 61 kg × 6 of assistance in November, then 61 kg × 11 in December: the record is the 11
    # (as 100 kg × 5 beats an earlier 100 kg × 3), not the first set to reach the weight.
    _session(session, datetime(2024, 11, 24, 7), [(exercise, 6, best_weight)])
    _session(session, datetime(2024, 12, 1, 7), [(exercise, 11, best_weight),
                                                 (exercise, 12, other_weight)])
    _session(session, datetime(2024, 12, 23, 7), [(exercise, 9, best_weight)])
    session.commit()
    best = progress.personal_records(session, exercise).best
    assert best is not None
    assert (best.weight_kg, best.reps, best.performed_at) == (
        best_weight, 11, datetime(2024, 12, 1, 7))


@pytest.mark.parametrize("name", ["Assisted pull-up", "Assisted dip"])  # catalog, user's own
def test_assisted_sets_add_reps_but_no_volume_per_week_or_month(session, name):
    # 66 kg of help × 8 reps is no 528 kg lifted: the Journal shows no volume for these sets,
    # and Progress's weeks and months agree (a row beside them still counts its kg).
    assisted, _ = catalog.name_exercise(session, name)
    _session(session, datetime(2024, 11, 25, 7), [(assisted, 8, 66.0), (assisted, 10, None),
                                                  ("barbell_row", 8, 60.0)])
    _session(session, datetime(2024, 12, 2, 7), [(assisted, 8, 0.0)])  # done unassisted
    session.commit()
    weeks = progress.weekly_progress(session, assisted)
    assert [(w.week_start, w.sets, w.reps, w.volume_kg) for w in weeks] == [
        (date(2024, 11, 25), 2, 18, 0.0), (date(2024, 12, 2), 1, 8, 0.0)]
    assert [(m.month_start, m.sets, m.reps, m.volume_kg)
            for m in progress.exercise_progress(session, assisted).months] == [
        (date(2024, 11, 1), 2, 18, 0.0), (date(2024, 12, 1), 1, 8, 0.0)]
    (row_week,) = progress.weekly_progress(session, "barbell_row")
    assert row_week.volume_kg == 480.0
    # One rule for a set's volume, the Journal's column and these totals.
    assert progress.set_volume_kg(assisted, 66.0, 8) is None
    assert progress.set_volume_kg("barbell_row", 60.0, 8) == 480.0
    assert progress.set_volume_kg("barbell_row", None, 8) is None


def test_personal_records_of_an_exercise_never_done_are_empty(rows_journal):
    records = progress.personal_records(rows_journal, "barbell_deadlift")
    assert records.best_by_reps == {} and records.most_reps is None


def test_training_days_for_the_calendar(rows_journal):
    days = progress.training_days(rows_journal)
    assert [(d.day, d.sessions, d.sets, d.reps) for d in days] == [
        (date(2024, 3, 4), 1, 2, 18),
        (date(2024, 3, 7), 2, 3, 27),
        (date(2024, 3, 14), 1, 2, 22),
    ]
    march_7 = progress.training_days(rows_journal, date_from=date(2024, 3, 5),
                                     date_to=date(2024, 3, 10))
    assert [d.day for d in march_7] == [date(2024, 3, 7)]


def test_exercise_progress_gives_weeks_and_records_in_one_call(rows_journal):
    both = progress.exercise_progress(rows_journal, "barbell_row")
    assert both.weeks == progress.weekly_progress(rows_journal, "barbell_row")
    assert both.records == progress.personal_records(rows_journal, "barbell_row")


def test_exercise_progress_months_and_records_are_those_of_their_own_calls(
    engine, session, years_of_training
):
    # The Progress page over a year reads each exercise once: its months and records from that
    # read must be what monthly_progress and personal_records give, within dates too.
    years_of_training(engine)  # January 2019, then November 2024 to March 2025
    for exercise_id in progress.most_trained(session):
        for dates in ({}, {"date_from": date(2019, 1, 16), "date_to": date(2024, 12, 1)}):
            both = progress.exercise_progress(session, exercise_id, **dates)
            assert both.months == progress.monthly_progress(session, exercise_id, **dates)
            assert both.records == progress.personal_records(session, exercise_id, **dates)
            assert both.weeks == progress.weekly_progress(session, exercise_id, **dates)


def test_one_lifters_exercises_and_most_trained_leave_the_others_out(rows_journal):
    # A shared journal: Sam's deadlifts are not in the default lifter's lists, nor the reverse.
    sam = store.create_session(rows_journal, performed_at=datetime(2024, 3, 8, 9), title="Sam",
                               athlete="Sam")
    for _ in range(7):
        edits.add_set(rows_journal, sam, exercise="barbell_deadlift", reps=5, weight_kg=100.0)
    rows_journal.commit()
    assert progress.most_trained(rows_journal, athlete="Me") == ["barbell_row", "preacher_curl"]
    assert progress.most_trained(rows_journal, athlete="Sam") == ["barbell_deadlift"]
    assert progress.most_trained(rows_journal)[0] == "barbell_deadlift"  # everyone's
    assert [e.id for e in store.list_exercises(rows_journal, used_only=True, athlete="Sam")] == [
        "barbell_deadlift"]
    assert {e.id for e in store.list_exercises(rows_journal, used_only=True, athlete="Me")} == {
        "barbell_row", "preacher_curl"}
    assert store.list_exercises(rows_journal, used_only=True, athlete="Nobody") == []


def test_a_new_lifters_name_is_refused_blank_or_too_long_with_what_is_wrong(session):
    for name, said in (("  ", "the name is empty"), ("x" * 81, "at most 80 characters")):
        with pytest.raises(ValueError, match=said):
            catalog.athlete_named(session, name)
    assert catalog.check_athlete_name("  Ann ") == "Ann"
    assert store.list_athletes(session) == ["Me"]


def test_estimated_one_rep_max_weighs_sets_of_different_reps(rows_journal):
    # 70 kg × 5 is the strongest set of March (Epley 81.7 kg), though 60 kg × 8 moved more.
    records = progress.personal_records(rows_journal, "barbell_row")
    assert records.best_e1rm is not None
    assert (records.best_e1rm.weight_kg, records.best_e1rm.reps) == (70.0, 5)
    assert records.best_e1rm.e1rm_kg == pytest.approx(70 * (1 + 5 / 30))
    weeks = progress.weekly_progress(rows_journal, "barbell_row")
    assert [w.best_e1rm_kg for w in weeks] == [pytest.approx(81.667, abs=1e-3),
                                               pytest.approx(55 * (1 + 10 / 30))]
    months = progress.monthly_progress(rows_journal, "barbell_row")
    assert [m.best_e1rm_kg for m in months] == [pytest.approx(81.667, abs=1e-3)]


@pytest.mark.parametrize(("weight", "reps", "expected"), [
    (100.0, 1, 100.0),  # a single is its own weight
    (100.0, 10, pytest.approx(133.33, abs=0.01)),
    (100.0, 11, None),  # too many reps for the formula to hold
    (None, 5, None), (0.0, 5, None), (100.0, 0, None),
])
def test_estimated_one_rep_max_of_a_set(weight, reps, expected):
    assert progress.estimated_one_rep_max(weight, reps) == expected


def test_no_estimated_one_rep_max_for_assisted_or_unweighted_sets(session):
    pull_up, _ = catalog.name_exercise(session, "Assisted pull-up")
    _session(session, datetime(2024, 12, 1, 7), [(pull_up, 8, 59.0), ("preacher_curl", 12, 20.0),
                                                 ("barbell_row", 8, None)])
    session.commit()
    for exercise in (pull_up, "preacher_curl", "barbell_row"):
        assert progress.personal_records(session, exercise).best_e1rm is None
        assert [w.best_e1rm_kg for w in progress.weekly_progress(session, exercise)] == [None]


@pytest.mark.parametrize("name", ["Assisted pull-up", "Assisted dip"])  # catalog, user's own
def test_an_assisted_exercises_strength_is_its_least_assistance_per_week_and_month(
    session, name
):
    # The machine's help going down week after week is an assisted lifter's progress: each
    # week's least help and the reps of that set, 0 kg (done unassisted) the best of all.
    assisted, _ = catalog.name_exercise(session, name)
    _session(session, datetime(2024, 11, 25, 7), [(assisted, 10, 66.0), (assisted, 6, 61.0),
                                                  ("barbell_row", 8, 60.0)])
    _session(session, datetime(2024, 11, 28, 7), [(assisted, 11, 61.0), (assisted, 0, 40.0)])
    _session(session, datetime(2024, 12, 2, 7), [(assisted, 12, None)])  # no weight that week
    _session(session, datetime(2024, 12, 9, 7), [(assisted, 5, 0.0), (assisted, 9, 20.0)])
    session.commit()
    weeks = progress.weekly_progress(session, assisted)
    # 61 kg × 11 beats the earlier 61 kg × 6; a set of 0 reps at 40 kg is no set done.
    assert [(w.week_start, w.least_assistance_kg, w.least_assistance_reps) for w in weeks] == [
        (date(2024, 11, 25), 61.0, 11),
        (date(2024, 12, 2), None, None),
        (date(2024, 12, 9), 0.0, 5),
    ]
    assert [w.best_e1rm_kg for w in weeks] == [None] * 3
    months = progress.exercise_progress(session, assisted).months
    assert [(m.month_start, m.least_assistance_kg, m.least_assistance_reps)
            for m in months] == [(date(2024, 11, 1), 61.0, 11), (date(2024, 12, 1), 0.0, 5)]
    assert months == progress.monthly_progress(session, assisted)
    # A loaded exercise has its e1RM and no assistance.
    (row_week,) = progress.weekly_progress(session, "barbell_row")
    assert row_week.least_assistance_kg is None and row_week.least_assistance_reps is None
    assert row_week.best_e1rm_kg == pytest.approx(60 * (1 + 8 / 30))


def _saved(session: Session, make_analysis, when: datetime,
           sets: list[tuple[str, int, float | None]],
           athlete: str | None = None) -> tuple[int, list[int]]:
    """A recording saved as a session at ``when`` with these (exercise, reps, kg): its id and
    its set ids."""
    # The user's own exercises are named in the table: the model named a catalog one.
    analysis = make_analysis([(exercise if ":" not in exercise else "barbell_row", reps)
                              for exercise, reps, _ in sets])
    saved = store.save_analysis(session, analysis, athlete=athlete, performed_at=when,
                                set_overrides={i: {"exercise": exercise, "weight_kg": kg}
                                               for i, (exercise, _, kg) in enumerate(sets)})
    session.commit()
    return saved.session_id, list(saved.set_ids)


def _said(records: list[progress.SessionRecord]) -> list[tuple[int, str, float, int]]:
    return [(r.set_id, r.kind, r.weight_kg, r.reps) for r in records]


def test_session_records_are_the_sets_that_beat_the_lifters_best_before_the_session(
    session, make_analysis
):
    row, curl = "close_grip_cable_row", "preacher_curl"
    first_id, first = _saved(session, make_analysis, datetime(2024, 12, 1, 7),
                             [(row, 12, 52.0), (row, 10, 50.0), (curl, 10, 17.5)])
    # The first time nothing is beaten: no record, however heavy.
    assert progress.session_records(session, first_id) == []

    second_id, second = _saved(session, make_analysis, datetime(2024, 12, 8, 7),
                               [(row, 10, 52.0), (row, 12, 55.0), (row, 10, 54.0),
                                (curl, 10, 20.0), (row, 20, None)])
    records = progress.session_records(session, second_id)
    # 55 kg × 12 is the heaviest; 54 kg × 10 the best e1RM (72.0 kg), which beat the 52 kg × 10
    # (69.3 kg) set earlier the same session: that one is no record. The curl beat both.
    assert _said(records) == [
        (second[1], "heaviest", 55.0, 12), (second[2], "e1rm", 54.0, 10),
        (second[3], "heaviest", 20.0, 10), (second[3], "e1rm", 20.0, 10)]
    heaviest, e1rm, *_ = records
    assert (heaviest.previous.set_id, heaviest.previous.weight_kg, heaviest.previous.reps,
            heaviest.previous.performed_at) == (first[0], 52.0, 12, datetime(2024, 12, 1, 7))
    assert e1rm.e1rm_kg == pytest.approx(72.0)
    assert e1rm.previous.set_id == first[1]
    assert e1rm.previous.e1rm_kg == pytest.approx(50 * (1 + 10 / 30))
    # The Progress page's records agree: the sets it names are these.
    now = progress.personal_records(session, row)
    assert (now.best and now.best.set_id, now.best_e1rm and now.best_e1rm.set_id) == (
        second[1], second[2])

    # As heavy, not more reps, and a weaker e1RM: no record.
    third_id, _ = _saved(session, make_analysis, datetime(2024, 12, 15, 7),
                         [(row, 12, 55.0), (row, 10, 53.0), (curl, 9, 20.0)])
    assert progress.session_records(session, third_id) == []


@pytest.mark.parametrize("name", ["Assisted pull-up", "Assisted dip"])  # catalog, user's own
def test_session_records_of_an_assisted_exercise_are_less_help_and_never_an_e1rm(
    session, make_analysis, name
):
    assisted, _ = catalog.name_exercise(session, name)
    session.commit()
    _saved(session, make_analysis, datetime(2024, 12, 1, 7), [(assisted, 12, 61.0)])
    later_id, later = _saved(session, make_analysis, datetime(2024, 12, 8, 7),
                             [(assisted, 10, 66.0), (assisted, 10, 59.0), (assisted, 8, 59.0)])
    records = progress.session_records(session, later_id)
    # 59 kg of help × 10 is the least assistance (66 kg is more help, a weaker set).
    assert _said(records) == [(later[1], "least_assistance", 59.0, 10)]
    assert (records[0].previous.weight_kg, records[0].previous.reps) == (61.0, 12)


def test_session_records_count_the_lifters_own_sets_only(session, make_analysis):
    row = "close_grip_cable_row"
    _saved(session, make_analysis, datetime(2024, 11, 1, 7), [(row, 12, 80.0)], athlete="Sam")
    _saved(session, make_analysis, datetime(2024, 12, 1, 7), [(row, 12, 52.0)])
    mine_id, mine = _saved(session, make_analysis, datetime(2024, 12, 8, 7), [(row, 12, 55.0)])
    # Sam's 80 kg is not the default lifter's to beat.
    assert _said(progress.session_records(session, mine_id)) == [
        (mine[0], "heaviest", 55.0, 12)]  # 12 reps: no e1RM
    # Nor is the default lifter's 55 kg Sam's: 70 kg is less than Sam's own 80.
    sams_id, _ = _saved(session, make_analysis, datetime(2024, 12, 15, 7), [(row, 12, 70.0)],
                        athlete="Sam")
    assert progress.session_records(session, sams_id) == []


def test_session_records_are_not_taken_away_by_a_later_session(session, make_analysis):
    row = "close_grip_cable_row"
    # The later session is saved first (an old recording uploaded afterwards).
    late_id, _ = _saved(session, make_analysis, datetime(2025, 1, 10, 7), [(row, 8, 70.0)])
    _saved(session, make_analysis, datetime(2024, 12, 1, 7), [(row, 8, 52.0)])
    early_id, early = _saved(session, make_analysis, datetime(2024, 12, 8, 7), [(row, 8, 55.0)])
    assert _said(progress.session_records(session, early_id)) == [
        (early[0], "heaviest", 55.0, 8), (early[0], "e1rm", 55.0, 8)]
    records = progress.session_records(session, late_id)
    assert [(r.kind, r.previous.weight_kg) for r in records] == [("heaviest", 55.0),
                                                                  ("e1rm", 55.0)]
