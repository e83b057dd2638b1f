"""Strong CSV out, Strong and Hevy CSV in: names mapped onto the catalog, nothing dropped."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

import appconfig
from journal import db, edits, progress, store, transfer
from journal.models import Exercise, ExerciseSet, WorkoutSession
from journal.search import SetQuery, search_sets
from tests.archives import MAC_JUNK, zipped

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
        ("pull_up", 8, None, None, ""),  # Strong's "0": a bodyweight set, no weight
        ("pull_up", 7, None, 8.5, 'felt "heavy"'),
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
            # 0 kg is written as no weight, as the import reads Strong's 0; not an assisted
            # exercise's, the set done unassisted.
            (when.strftime("%Y-%m-%d %H:%M:%S"), title, notes, name, reps,
             weight if weight or name == "Assisted pull-up" else None, rpe, set_notes)
            for when, title, notes, sets in sorted(workouts, key=lambda w: w[0])
            for name, reps, weight, rpe, set_notes in sets
        ]
        assert [
            (r["Date"], r["Workout Name"], r["Workout Notes"], r["Exercise Name"], int(r["Reps"]),
             float(r["Weight"]) if r["Weight"] else None,
             float(r["RPE"]) if r["RPE"] else None, r["Notes"])
            for r in rows
        ] == expected


def _counts(session: Session) -> tuple[int, int, int]:
    return (store.count_sessions(session), session.scalar(select(func.count(ExerciseSet.id))),
            session.scalar(select(func.count(Exercise.id))))


@pytest.mark.parametrize("text", [STRONG_EXPORT, HEVY_EXPORT])
def test_preview_says_what_the_import_will_do_and_writes_nothing(session, text):
    before = _counts(session)
    preview = transfer.preview_workouts_csv(session, text.encode(), athlete="Ann")
    assert not session.new and not session.dirty and _counts(session) == before
    session.commit()
    assert _counts(session) == before
    result = _import(session, text, athlete="Ann")
    assert (preview.source_format, preview.workouts_new, preview.workouts_known,
            preview.sets_new, preview.custom_exercises) == (
        result.source_format, len(result.session_ids), result.sessions_skipped,
        result.sets_created, result.custom_exercises)
    # Once imported, the same file is all known: nothing new, no exercise to add.
    again = transfer.preview_workouts_csv(session, text.encode(), athlete="Ann")
    assert (again.workouts_known, again.workouts_new, again.sets_new, again.custom_exercises) == (
        preview.workouts, 0, 0, ())
    # Another lifter's copy of the same workouts is theirs to import.
    assert transfer.preview_workouts_csv(session, text.encode()).workouts_known == 0


def test_preview_of_the_strong_fixture(session):
    preview = transfer.preview_workouts_csv(session, STRONG_EXPORT.encode(), weight_unit="lbs")
    assert (preview.workouts, preview.sets) == (2, 5)  # the rest timer row is no set
    assert (preview.first_at, preview.last_at) == (datetime(2024, 3, 5, 18, 2, 11),
                                                   datetime(2024, 3, 7, 7, 30))
    # Strong's Weight column has no unit: the one given applies (100 lbs of squat).
    assert preview.unit_needed and preview.heaviest_kg == pytest.approx(100 * transfer.LB_IN_KG)
    assert not transfer.preview_workouts_csv(session, HEVY_EXPORT.encode()).unit_needed


def test_preview_counts_an_unknown_name_once_however_it_is_spelled(session):
    text = (STRONG_HEADER + "\n"
            '2024-03-05 18:00:00,A,,Sled  Push,1,100,5,,,,,\n'
            '2024-03-05 18:00:00,A,,sled push,2,100,5,,,,,\n'
            '2024-03-05 18:00:00,A,,Push (Sled),3,100,5,,,,,\n')
    preview = transfer.preview_workouts_csv(session, text.encode())
    assert preview.custom_exercises == ("Sled Push",)
    assert _import(session, text).custom_exercises == preview.custom_exercises


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ((",80,5,", ",2500,5,"), "line 4: weight must be between 0 and 2000 kg"),
        (("Gym A", "Gym \x00A"), "line 2: the workout notes contains a NUL"),
        (("felt", "x" * 20_001), "line 3: the set notes is 20"),
        (("Legs", "L" * 301), "line 7: the workout name is 301 characters long; at most 300"),
    ],
)
def test_values_the_journal_cannot_keep_are_refused_naming_the_line(session, replace, message):
    text = STRONG_EXPORT.replace(*replace)
    for read in (transfer.preview_workouts_csv, transfer.import_workouts_csv):
        with pytest.raises(ValueError, match=f"<upload>: {message}"):
            read(session, text.encode())
    session.commit()
    assert store.count_sessions(session) == 0


def test_export_format_is_told_by_the_header():
    assert transfer.export_format(STRONG_EXPORT.encode()) == "strong"
    assert transfer.export_format(("\ufeff" + STRONG_EXPORT).encode()) == "strong"
    assert transfer.export_format(HEVY_EXPORT.encode()) == "hevy"
    assert transfer.export_format(
        b"Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps\r\n") == "strong"
    assert transfer.export_format(b"time,gyro_x,gyro_y,gyro_z\n0,1,2,3\n") is None
    assert transfer.export_format(b"\x1f\x8b\x08\x00binary") is None
    assert transfer.export_format(b"") is None


def test_the_journals_own_strong_export_dropped_back_adds_nothing(session, make_analysis):
    store.save_analysis(session, make_analysis([("assisted_pull_up", 12), ("barbell_row", 8)]),
                        title="Back", performed_at=datetime(2024, 3, 5, 18, 0, 7, 250_000))
    session.commit()
    exported = transfer.strong_csv(session)  # the recorded session: no import mark, no µs
    preview = transfer.preview_workouts_csv(session, exported.encode())
    assert (preview.workouts_known, preview.sets_new) == (1, 0)
    result = _import(session, exported)
    assert (result.session_ids, result.sessions_skipped) == ((), 1)
    assert store.count_sessions(session) == 1
    # Another lifter has no such session: for them it is new.
    assert len(_import(session, exported, athlete="Ann").session_ids) == 1


#: A watch recording: a time column and gyroscope columns.
WATCH_CSV = b"time,gx,gy,gz\n" + b"".join(f"{t / 50},0.1,0.2,0.3\n".encode() for t in range(200))


@pytest.mark.parametrize(
    ("name", "packed"),
    [
        ("strong.csv.gz", gzip.compress(STRONG_EXPORT.encode())),
        ("strong.zip", zipped({"strong.csv": STRONG_EXPORT.encode(), **MAC_JUNK})),
        ("mail.zip", zipped({"attachments/strong.zip": zipped({"strong.csv.gz": gzip.compress(
            STRONG_EXPORT.encode())})})),
    ],
)
def test_a_compressed_strong_export_is_previewed_and_imported_as_the_csv_is(
    session, tmp_path, name, packed
):
    path = tmp_path / name
    path.write_bytes(packed)
    (found,) = transfer.exports_in(path)
    assert found.name.startswith(str(path)) and found.name.endswith(("strong.csv", ".csv.gz"))
    preview = transfer.preview_workouts_csv(session, path)
    assert (preview.source_format, preview.workouts, preview.sets, preview.custom_exercises) == (
        "strong", 2, 5, ("Cable Crossover",))
    result = transfer.import_workouts_csv(session, path)
    session.commit()
    assert (len(result.session_ids), result.sets_created) == (2, 5)
    # The same workouts as from the plain CSV: dropped plain, they are all there already.
    again = transfer.preview_workouts_csv(session, STRONG_EXPORT.encode())
    assert (again.workouts_known, again.sets_new) == (2, 0)


def test_each_export_in_a_zip_beside_a_recording_is_read_by_its_name_inside(session):
    bundle = zipped({"watch.csv": WATCH_CSV, "strong.csv": STRONG_EXPORT.encode(),
                   "hevy/workouts.csv": HEVY_EXPORT.encode(), **MAC_JUNK})
    source = io.BytesIO(bundle)
    source.name = "week.zip"
    exports = transfer.exports_in(bundle, "week.zip")
    assert [e.inside for e in exports] == ["week.zip/hevy/workouts.csv", "week.zip/strong.csv"]
    # Without saying which, the import cannot choose: it names them and writes nothing.
    with pytest.raises(ValueError, match=r"week.zip: holds 2 exports \(hevy/workouts.csv, "
                                         r"strong.csv\); import them one at a time"):
        transfer.import_workouts_csv(session, source)
    assert store.count_sessions(session) == 0
    formats = []
    for export in exports:
        source.seek(0)
        formats.append(transfer.import_workouts_csv(session, source, inside=export.inside)
                       .source_format)
    session.commit()
    assert formats == ["hevy", "strong"] and store.count_sessions(session) == 3
    # An error inside names the file there and its line.
    broken = zipped({"strong.csv": STRONG_EXPORT.replace("2024-03-07 07:30:00", "soon").encode()})
    with pytest.raises(ValueError, match="^<upload>/strong.csv: line 7: cannot read the date"):
        transfer.preview_workouts_csv(session, broken)


@pytest.mark.parametrize(
    ("packed", "message"),
    [
        (gzip.compress(STRONG_EXPORT.encode())[:-30],
         "strong.csv.gz: the file is cut off (it ends before its gzip end marker)"),
        (b"\x1f\x8b\x08\x00" + b"\xff" * 200, "strong.csv.gz: not a valid gzip file"),
        (zipped({"notes.txt": b"my workouts", "watch.csv": WATCH_CSV, **MAC_JUNK}),
         "strong.csv.gz: no Strong or Hevy export inside (it holds notes.txt, watch.csv)"),
        (zipped(MAC_JUNK), "strong.csv.gz: no Strong or Hevy export inside (it is empty)"),
        (zipped({"strong.csv": STRONG_EXPORT.encode()})[:-40],
         "strong.csv.gz: the zip file is cut off or damaged"),
        # A gzip whose content is over four times the upload limit (0.25 MB here).
        (gzip.compress(STRONG_EXPORT.encode() + b"\n" * 1_100_000),
         "strong.csv.gz: unpacks to more than 1 MB"),
        (zipped({"strong.csv": STRONG_EXPORT.encode() + b"\n" * 1_100_000}),
         "strong.csv.gz: unpacks to more than 1 MB"),
    ],
    ids=["cut-off gz", "corrupt gz", "zip without export", "zip of junk", "cut-off zip",
         "huge gz", "huge zip member"],
)
def test_a_bad_compressed_export_is_refused_naming_the_file_and_nothing_is_written(
    session, tmp_path, monkeypatch, packed, message
):
    monkeypatch.setattr(appconfig, "MAX_UPLOAD_MB", 0.25)
    path = tmp_path / "strong.csv.gz"  # named as it came: what it is, is told by its bytes
    path.write_bytes(packed)
    for read in (transfer.preview_workouts_csv, transfer.import_workouts_csv):
        with pytest.raises(ValueError, match="^" + re.escape(f"{tmp_path}/{message}")):
            read(session, path)
    session.commit()
    assert store.count_sessions(session) == 0


def test_hevy_and_strong_zero_weights_are_no_weight_in_records_and_search(session):
    hevy = HEVY_EXPORT.replace(",normal,55,10,", ",normal,0,10,")  # weighted chins, or not
    assert ",normal,0,10," in hevy
    hevy_sets = store.load_session(session, _import(session, hevy).session_ids[0],
                                   with_signal=False).sets
    assert [s.weight_kg for s in hevy_sets] == [None, 60.0, 20.0]
    _import(session, STRONG_EXPORT)
    # Strong's bodyweight pull-ups are no "0 kg" record, count no volume, match no weight filter.
    records = progress.personal_records(session, "pull_up")
    assert records.best is None and records.best_by_reps == {}
    assert records.most_reps is not None and records.most_reps.reps == 8
    (week,) = progress.weekly_progress(session, "pull_up")
    assert (week.sets, week.reps, week.volume_kg, week.heaviest_kg) == (2, 15, 0.0, None)
    assert search_sets(session, SetQuery(exercise="pull up", max_weight_kg=10)).rows == []
    assert [r.weight_kg for r in search_sets(session, SetQuery(exercise="pull up")).rows] == [
        None, None]


def test_bodyweight_sets_round_trip_through_the_journals_strong_export(session):
    _import(session, STRONG_EXPORT)
    exported = transfer.strong_csv(session)
    pull_ups = [r for r in csv.DictReader(io.StringIO(exported)) if r["Exercise Name"] == "Pull-up"]
    assert [(r["Reps"], r["Weight"]) for r in pull_ups] == [("8", ""), ("7", "")]
    # Dropped back, the journal's own export is all there; another lifter's copy keeps no weight.
    again = transfer.preview_workouts_csv(session, exported.encode())
    assert (again.workouts_known, again.sets_new) == (2, 0)
    assert _import(session, exported).sessions_skipped == 2
    theirs = _import(session, exported, athlete="Ann")
    sets = store.load_session(session, theirs.session_ids[0], with_signal=False).sets
    assert [s.weight_kg for s in sets if s.exercise == "pull_up"] == [None, None]
    assert transfer.strong_csv(session, athlete="Ann") == exported


def test_an_assisted_set_done_unassisted_keeps_its_0_kg_through_import_and_export(session):
    # An assisted exercise's kg are the machine's help: 0 kg is the set done without it, a record
    # ("least assistance"), where a bodyweight exercise's 0 is no weight.
    strong = "\n".join([
        STRONG_HEADER,
        "2024-04-01 18:00:00,Back,1h,Pull Up (Assisted),1,20,8,,0,,,",
        "2024-04-01 18:00:00,Back,1h,Pull Up (Assisted),2,0,5,,0,,,",
        "2024-04-01 18:00:00,Back,1h,Pull Up (Assisted),3,,4,,0,,,",  # none written: none kept
        "2024-04-01 18:00:00,Back,1h,Pull Up,1,0,6,,0,,,",
    ])
    imported = _import(session, strong)
    sets = store.load_session(session, imported.session_ids[0], with_signal=False).sets
    assert [(s.exercise, s.weight_kg) for s in sets] == [
        ("assisted_pull_up", 20.0), ("assisted_pull_up", 0.0), ("assisted_pull_up", None),
        ("pull_up", None)]
    best = progress.personal_records(session, "assisted_pull_up").best
    assert best is not None and (best.weight_kg, best.reps) == (0.0, 5)
    # Hevy's 0 alike, its own exercise named "assisted" too.
    hevy = HEVY_EXPORT.replace("Lat Pulldown (Cable),,wide grip,0,normal,55,",
                               "Assisted Dip,,wide grip,0,normal,0,")
    hevy_sets = store.load_session(session, _import(session, hevy).session_ids[0],
                                   with_signal=False).sets
    assert [(s.exercise, s.weight_kg) for s in hevy_sets][:1] == [("custom:assisteddip", 0.0)]
    # "Export for Strong" writes the 0 kg, and reads it back the same.
    exported = transfer.strong_csv(session)
    assert [(r["Exercise Name"], r["Weight"]) for r in csv.DictReader(io.StringIO(exported))
            if r["Workout Name"] == "Back"] == [
        ("Assisted pull-up", "20.0"), ("Assisted pull-up", "0.0"), ("Assisted pull-up", ""),
        ("Pull-up", "")]
    theirs = _import(session, exported, athlete="Ann")
    (back,) = [view for view in (store.load_session(session, i, with_signal=False)
                                 for i in theirs.session_ids) if view.title == "Back"]
    assert [s.weight_kg for s in back.sets] == [20.0, 0.0, None, None]
    assert transfer.strong_csv(session, athlete="Ann") == exported


def test_strong_and_hevy_assisted_chin_ups_and_dips_import_as_assisted_exercises(session):
    # Strong's and Hevy's own names for their assisted (counterweight machine) exercises. A
    # "Chin Up (Assisted)" is no chin-up under 20 kg: its kg are help, 0 kg the set unassisted.
    strong = "\n".join([
        STRONG_HEADER,
        "2024-04-02 18:00:00,Back,1h,Chin Up (Assisted),1,20,8,,0,,,",
        "2024-04-02 18:00:00,Back,1h,Chin Up (Assisted),2,0,4,,0,,,",
        "2024-04-02 18:00:00,Back,1h,Chin Up,1,0,6,,0,,,",
        "2024-04-02 18:00:00,Back,1h,Triceps Dip (Assisted),1,0,7,,0,,,",
        "2024-04-02 18:00:00,Back,1h,Chest Dip (Assisted),1,25,9,,0,,,",
    ])
    preview = transfer.preview_workouts_csv(session, strong.encode())
    assert preview.custom_exercises == ("Chest Dip (Assisted)", "Triceps Dip (Assisted)")
    imported = _import(session, strong)
    sets = store.load_session(session, imported.session_ids[0], with_signal=False).sets
    assert [(s.exercise, s.weight_kg) for s in sets] == [
        ("assisted_chin_up", 20.0), ("assisted_chin_up", 0.0), ("chin_up", None),
        ("custom:tricepsdipassisted", 0.0), ("custom:chestdipassisted", 25.0)]
    # Its record is the least assistance, and its kg are neither strength nor volume.
    records = progress.personal_records(session, "assisted_chin_up")
    assert records.assisted and records.best is not None
    assert (records.best.weight_kg, records.best.reps, records.best_e1rm) == (0.0, 4, None)
    assert progress.personal_records(session, "chin_up").best is None
    (week,) = progress.weekly_progress(session, "assisted_chin_up")
    assert (week.sets, week.reps, week.volume_kg) == (2, 12, 0.0)
    chins = search_sets(session, SetQuery(exercise="Assisted chin-up"))
    assert [(r.weight_kg, r.e1rm_kg) for r in chins.rows] == [(20.0, None), (0.0, None)]
    assert chins.total_volume_kg == 0.0
    # Hevy's export names them alike.
    pulldown = "Lat Pulldown (Cable),,wide grip,"
    hevy = (HEVY_EXPORT.replace(f"{pulldown}0,normal,55,", "Chin Up (Assisted),,,0,normal,0,")
            .replace(f"{pulldown}1,normal,60,", "Chin Up (Assisted),,,1,normal,15,"))
    hevy_sets = store.load_session(session, _import(session, hevy).session_ids[0],
                                   with_signal=False).sets
    assert [(s.exercise, s.weight_kg) for s in hevy_sets][:2] == [
        ("assisted_chin_up", 0.0), ("assisted_chin_up", 15.0)]


@pytest.mark.parametrize("given", ["path", "binary file", "text file", "bytes"])
def test_an_export_over_the_upload_limit_is_refused_before_it_is_read_whole(
    session, tmp_path, monkeypatch, given
):
    # A 2 GB file dropped on the command line by mistake must not be read into memory first.
    monkeypatch.setattr(appconfig, "MAX_UPLOAD_MB", 0.001)
    path = tmp_path / "strong.csv"
    path.write_text(STRONG_EXPORT * 20, encoding="utf-8")
    with contextlib.ExitStack() as files:
        source = {"path": lambda: path,
                  "binary file": lambda: files.enter_context(path.open("rb")),
                  "text file": lambda: files.enter_context(path.open(encoding="utf-8")),
                  "bytes": path.read_bytes}[given]()
        with pytest.raises(ValueError,
                           match=r"MB, over the 0\.001 MB upload limit \(MAX_UPLOAD_MB\)"):
            transfer.import_workouts_csv(session, source)
    session.commit()
    assert store.count_sessions(session) == 0
