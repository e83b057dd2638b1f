"""Two users writing at the same moment (PostgreSQL, several app instances on one database).

SQLite takes its write lock at BEGIN, so there writers queue and these races cannot happen;
PostgreSQL lets two transactions read the same rows before either writes. Each test holds a
first transaction open while a second writer does the same thing from another thread, then
commits the first: the second must end as if it had come after.
"""

from __future__ import annotations

import gzip
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from journal import catalog, db, edits, store, transfer
from journal.views import NotFoundError
from ml.analysis import DetectedSet, SessionAnalysis
from ml.pipeline import recount
from ml.recordings import Recording, read_recording
from ml.sample_session import SAMPLE_PATH
from ui import session_edits

#: Long enough for the second writer to reach its INSERT (and wait on the first one's row).
SECOND_WRITER_HEAD_START_S = 1.0


def _race(engine: Engine, first: Callable[[Any], Any], second: Callable[[Any], Any]) -> Any:
    """Run ``first`` in an open transaction, ``second`` in its own from another thread, then
    commit ``first``; returns what ``second`` returned, or raises what it raised."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write lock serialises writers: this race needs PostgreSQL")
    outcome: dict[str, Any] = {}

    def run_second() -> None:
        try:
            outcome["value"] = db.write_transaction(engine, second)
        except Exception as error:  # handed to the test thread
            outcome["error"] = error

    with db.session_factory(engine)() as session, session.begin():
        first(session)
        session.flush()
        thread = threading.Thread(target=run_second)
        thread.start()
        time.sleep(SECOND_WRITER_HEAD_START_S)
    thread.join(timeout=60)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_two_users_naming_the_same_new_exercise_at_once_get_the_same_one(engine):
    def name(session: Any) -> str:
        return catalog.add_custom_exercise(session, "Zottman curl")

    second = _race(engine, name, name)
    with db.session_factory(engine)() as session:
        assert catalog.find_exercise_id(session, "Zottman curl") == second


def test_of_two_users_naming_the_same_new_exercise_at_once_only_one_is_told_it_was_added(engine):
    def name(session: Any) -> tuple[str, bool]:
        return catalog.name_exercise(session, "Zottman curl", "curl")

    second_id, second_created = _race(engine, name, name)
    assert second_created is False  # the first user added it; the second one found it
    with db.session_factory(engine)() as session:
        assert catalog.find_exercise_id(session, "Zottman curl") == second_id


def test_two_imports_for_the_same_new_athlete_at_once_share_the_athlete(engine):
    def athlete(session: Any) -> int:
        return catalog.athlete_named(session, "Sam").id

    second = _race(engine, athlete, athlete)
    with db.session_factory(engine)() as session:
        assert catalog.athlete_named(session, "Sam").id == second


@pytest.fixture
def saved_session(engine, make_analysis) -> int:
    """A session with one recorded set at 5-25 s of its (synthetic) recording."""
    analysis = make_analysis([("assisted_pull_up", 10)], seconds_per_set=30.0)
    return int(db.write_transaction(
        engine, lambda s: store.save_analysis(s, analysis).session_id))


def _spans(engine: Engine, session_id: int) -> list[tuple[int, float | None, float | None]]:
    with db.session_factory(engine)() as session:
        return [(r.position, r.start_s, r.end_s)
                for r in store.get_session_row(session, session_id).sets]


def test_two_users_adding_the_same_missed_set_at_once_save_it_once(engine, saved_session):
    def add(session: Any) -> Any:
        return edits.add_set(session, saved_session, exercise="assisted_pull_up", reps=5,
                             start_s=30.0, end_s=40.0)

    with pytest.raises(ValueError, match="would overlap set 2"):
        _race(engine, add, add)
    assert _spans(engine, saved_session) == [(1, 5.0, 25.0), (2, 30.0, 40.0)]


def test_a_set_deleted_while_another_user_splits_it_is_not_found(engine, saved_session):
    with db.session_factory(engine)() as session:
        set_id = store.get_session_row(session, saved_session).sets[0].id

    def delete(session: Any) -> None:
        edits.delete_set(session, set_id)

    def split(session: Any) -> Any:
        return edits.split_set(session, set_id, 15.0, first_reps=5, second_reps=5)

    with pytest.raises(NotFoundError):
        _race(engine, delete, split)
    assert _spans(engine, saved_session) == []


@pytest.fixture
def real_set(engine) -> tuple[int, Recording]:
    """The REAL sample session's recording saved with one set on 10-40 s of its first assisted
    pull-up set (which runs to about 75 s); the set's id and the recording."""
    recording = read_recording(SAMPLE_PATH)
    reps, times = recount(recording, 10.0, 40.0)
    found = DetectedSet(start_s=10.0, end_s=40.0, exercise="assisted_pull_up",
                        exercise_name="Assisted pull-up", confidence=0.9, reps=reps,
                        rep_times_s=times, family="pull-up")
    analysis = SessionAnalysis(recording=recording, sets=(found,), model_version="test")
    set_id = db.write_transaction(
        engine, lambda s: store.save_analysis(s, analysis).set_ids[0])
    return int(set_id), recording


def test_a_split_counts_the_halves_of_the_set_as_another_user_just_moved_it(engine, real_set):
    # One user moves the set's end from 40 s to 75 s while another splits it at 25 s: the split
    # waits for the move and counts its second half on 25-75 s, not on the 25-40 s it saw first.
    set_id, recording = real_set

    def move(session: Any) -> Any:
        return edits.adjust_set(session, set_id, start_s=10.0, end_s=75.0)

    _, second = _race(engine, move, lambda s: session_edits.split_in(s, set_id, 25.0))
    assert (second.start_s, second.end_s) == (25.0, 75.0)
    assert (second.reps, second.rep_times_s) == recount(recording, 25.0, 75.0)
    assert second.reps > recount(recording, 25.0, 40.0)[0]  # the two spans count apart


def test_two_users_importing_the_same_strong_export_at_once_import_it_once(engine):
    export = (Path(__file__).parent / "fixtures" / "strong_export.csv").read_text()

    def import_it(session: Any) -> transfer.ImportResult:
        return transfer.import_workouts_csv(session, export.encode())

    second = _race(engine, import_it, import_it)
    assert second.session_ids == () and second.sessions_skipped == 2, second
    with db.session_factory(engine)() as session:
        assert len(store.list_sessions(session)) == 2


def test_two_files_of_one_recording_saved_at_once_make_one_session(engine, datasets_dir):
    # The watch's file and the same file unzipped: other bytes (no unique SHA-256 to collide
    # on), the same start and length (store.find_recording finds either as the other).
    path = datasets_dir / "applewatch-gym" / "011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz"
    files = [read_recording(path),
             read_recording(io.BytesIO(gzip.decompress(path.read_bytes())), name=path.stem)]
    assert files[0].sha256 != files[1].sha256

    def save(recording: Recording) -> Callable[[Any], store.SaveResult]:
        return lambda session: store.save_analysis(
            session, SessionAnalysis(recording=recording, sets=()))

    second = _race(engine, save(files[0]), save(files[1]))
    assert second.created is False and second.same_file is False, second
    with db.session_factory(engine)() as session:
        assert len(store.list_sessions(session)) == 1
