"""Strong CSV out, Strong and Hevy CSV in: names mapped onto the catalog, nothing dropped."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from journal import db, edits, store, transfer
from journal.models import Exercise, ExerciseSet, WorkoutSession
from journal.search import SetQuery, search_sets

STRONG_HEADER = ("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,"
                 "Seconds,Notes,Workout Notes,RPE")

# Hand-written files in the layout of current Strong (comma separated, kg) and Hevy exports.
FIXTURES = Path(__file__).parent / "fixtures"
STRONG_EXPORT = (FIXTURES / "strong_export.csv").read_text()

HEVY_EXPORT = (FIXTURES / "hevy_export.csv").read_text()


def _import(session: Session, text: str, **kwargs) -> transfer.ImportResult:
    result = transfer.import_workouts_csv(session, text.encode(), **kwargs)
    session.commit()
    return result


def test_strong_export_has_strongs_columns_and_one_row_per_set(session, make_analysis):
    store.save_analysis(session, make_analysis([("assisted_pull_up", 12), ("assisted_pull_up", 10),
                                                ("barbell_row", 8)]),
                        title="Back", notes="Gym A", set_overrides={2: {"weight_kg": 60.0}},
                        performed_at=datetime(2024, 3, 5, 18, 0))
    session.commit()
    assert transfer.strong_csv(session).startswith(STRONG_HEADER + "\r\n")
    rows = list(csv.DictReader(io.StringIO(transfer.strong_csv(session))))
    assert [(r["Exercise Name"], r["Set Order"], r["Reps"], r["Weight"]) for r in rows] == [
        ("Assisted pull-up", "1", "12", ""), ("Assisted pull-up", "2", "10", ""),
        ("Barbell row", "1", "8", "60.0")]
    assert rows[0]["Date"] == "2024-03-05 18:00:00" and rows[0]["Workout Notes"] == "Gym A"
    assert rows[0]["Duration"] == "2m"  # the synthetic recording is 120 s long


def test_import_strong_maps_names_onto_the_catalog_and_keeps_unknown_ones(session):
    result = _import(session, STRONG_EXPORT)
    assert (result.source_format, len(result.session_ids), result.sets_created) == (
        "strong", 2, 5)
    assert result.custom_exercises == ("Cable Crossover",)
    first = store.load_session(session, result.session_ids[0], with_signal=False)
    assert (first.title, first.notes, first.performed_at) == (
        "Pull, day", "Gym A", datetime(2024, 3, 5, 18, 2, 11))
    assert [(s.exercise, s.reps, s.weight_kg, s.rpe, s.notes) for s in first.sets] == [
        ("pull_up", 8, 0.0, None, ""),
        ("pull_up", 7, 0.0, 8.5, 'felt "heavy"'),
        ("barbell_bench_press", 5, 80.0, None, ""),
        ("custom:cablecrossover", 12, 15.5, None, ""),
    ]
    legs = store.load_session(session, result.session_ids[1], with_signal=False)
    assert [s.exercise for s in legs.sets] == ["barbell_back_squat"]
    # Imported sets are searchable like recorded ones, custom names included.
    assert len(search_sets(session, SetQuery(exercise="crossover")).rows) == 1
    assert not any(s.corrected for s in first.sets)


def test_importing_the_same_export_twice_adds_nothing(session):
    _import(session, STRONG_EXPORT)
    again = _import(session, STRONG_EXPORT)
    assert (again.session_ids, again.sessions_skipped, again.sets_created) == ((), 2, 0)
    assert store.count_sessions(session) == 2


def test_import_legacy_semicolon_strong_export_in_pounds(session):
    text = ("Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;"
            "Distance Unit;Seconds;Notes;Workout Notes\n"
            '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;225;lbs;5;;;;0;"";""\n')
    result = _import(session, text)
    (only,) = store.load_session(session, result.session_ids[0], with_signal=False).sets
    assert only.exercise == "barbell_deadlift"
    assert only.weight_kg == pytest.approx(225 * 0.45359237)


def test_import_hevy_export(session):
    result = _import(session, HEVY_EXPORT)
    assert result.source_format == "hevy" and result.custom_exercises == ("Face Pull (Cable)",)
    view = store.load_session(session, result.session_ids[0], with_signal=False)
    assert (view.title, view.notes, view.performed_at) == (
        "Upper", "easy day", datetime(2024, 3, 26, 8, 15))
    assert [(s.exercise, s.reps, s.weight_kg, s.rpe, s.notes) for s in view.sets] == [
        ("straight_bar_lat_pulldown", 10, 55.0, None, "wide grip"),
        ("straight_bar_lat_pulldown", 8, 60.0, 9.0, ""),
        ("custom:facepullcable", 15, 20.0, None, ""),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,age\nBob,3\n", "not a Strong or Hevy export"),
        (STRONG_EXPORT.replace("2024-03-07 07:30:00", "yesterday"), "line 7: cannot read the date"),
        (STRONG_EXPORT.replace(",80,5,", ",80,-5,"), "line 4: reps"),
        (STRONG_EXPORT.replace(",15.5,", ",heavy,"), "line 5: weight 'heavy' is not a number"),
        ("", "not a Strong or Hevy export"),
    ],
)
def test_bad_csv_is_refused_with_the_line_and_nothing_is_imported(session, text, message):
    with pytest.raises(ValueError, match=message):
        transfer.import_workouts_csv(session, text.encode())
    session.commit()
    assert store.count_sessions(session) == 0


def test_binary_file_is_refused_as_not_text(session):
    with pytest.raises(ValueError, match="not a UTF-8 text CSV"):
        transfer.import_workouts_csv(session, b"\x89PNG\r\n\x1a\n\xff\xfe\x00")


EXERCISE_NAMES = [
    "Assisted pull-up", "Barbell row", "Preacher curl", "Barbell back squat", "Plank",
    "Cable crossover", "Leg press", "Hip thrust", "Sled push (heavy)", "Ring dip",
]
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40)
SETS = st.lists(
    st.tuples(
        st.sampled_from(EXERCISE_NAMES),
        st.integers(min_value=0, max_value=100),
        st.none() | st.floats(min_value=0, max_value=2000, allow_nan=False),
        st.none() | st.sampled_from([6.0, 7.5, 8.0, 9.5, 10.0]),
        TEXT,
    ),
    min_size=1, max_size=5,
)
WORKOUTS = st.lists(
    st.tuples(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
            lambda d: d.replace(microsecond=0)),
        TEXT, TEXT, SETS,
    ),
    min_size=1, max_size=4, unique_by=lambda w: w[0],
)


def _wipe(session: Session) -> None:
    session.execute(delete(ExerciseSet))
    session.execute(delete(WorkoutSession))
    session.execute(delete(Exercise).where(Exercise.is_custom))
    session.commit()


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(workouts=WORKOUTS)
def test_strong_csv_round_trip_keeps_every_set(engine, workouts):
    factory = db.session_factory(engine)
    with factory() as session:
        _wipe(session)
        for when, title, notes, sets in workouts:
            session_id = store.create_session(session, performed_at=when, title=title,
                                              notes=notes)
            for name, reps, weight, rpe, set_notes in sets:
                edits.add_set(session, session_id, exercise=name, reps=reps, weight_kg=weight,
                              rpe=rpe, notes=set_notes)
        session.commit()
        exported = transfer.strong_csv(session)

        _wipe(session)
        result = _import(session, exported)
        assert len(result.session_ids) == len(workouts)
        assert session.scalar(select(func.count(ExerciseSet.id))) == sum(
            len(w[3]) for w in workouts)
        assert transfer.strong_csv(session) == exported

        rows = list(csv.DictReader(io.StringIO(exported, newline="")))
        expected = [
            (when.strftime("%Y-%m-%d %H:%M:%S"), title, notes, name, reps, weight, rpe, set_notes)
            for when, title, notes, sets in sorted(workouts, key=lambda w: w[0])
            for name, reps, weight, rpe, set_notes in sets
        ]
        assert [
            (r["Date"], r["Workout Name"], r["Workout Notes"], r["Exercise Name"], int(r["Reps"]),
             float(r["Weight"]) if r["Weight"] else None,
             float(r["RPE"]) if r["RPE"] else None, r["Notes"])
            for r in rows
        ] == expected
