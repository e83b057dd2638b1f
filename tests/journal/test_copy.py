"""``python -m journal copy --to URL``: a whole journal moved to another database, ids kept.

The source is the shipped sample session (real motion, analysed by the model) plus what a
year of use adds: a second lifter, a corrected set, a confirmed set, an own exercise, a model
version, a deleted session. Targets are files, and through the ``engine`` fixture a migrated
in-memory SQLite and (with ``JOURNAL_TEST_POSTGRES_URL``) a fresh PostgreSQL schema.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import appconfig
from journal import catalog, copying, db, edits, model_versions, search, store
from journal.__main__ import main
from journal.models import Base, ExerciseSet, Recording, WorkoutSession

MODEL_VERSION = "me-20250301-120000-abc123"
MODEL_FILE = f"{MODEL_VERSION}/activity.keras"


@pytest.fixture(scope="module")
def sample_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal file holding the shipped sample session, as `init --with-sample` makes it
    (built once: the model analyses the sample)."""
    path = tmp_path_factory.mktemp("sample") / "journal.sqlite3"
    assert main(["--database", f"sqlite:///{path}", "init", "--with-sample"]) == 0
    return path


@pytest.fixture
def source_url(sample_journal: Path, tmp_path: Path, make_analysis) -> str:
    """The sample journal after some use: Ann's session, a set corrected (reps), a set
    confirmed as the model said, a set moved to an own exercise, a model version, and a
    deleted newest session (whose id must never be given again)."""
    path = tmp_path / "source" / "journal.sqlite3"
    path.parent.mkdir()
    shutil.copy(sample_journal, path)
    url = f"sqlite:///{path}"
    engine = db.make_engine(url, create=False)

    def use(session: Session) -> None:
        sample = store.list_sessions(session)[0]
        sets = store.load_session(session, sample.id, with_signal=False).sets
        edits.update_set(session, sets[0].id, reps=sets[0].reps + 1)
        edits.update_set(session, sets[1].id, confirmed=True)
        own, created = catalog.name_exercise(session, "Landmine press", "shoulder press")
        assert created
        edits.update_set(session, sets[2].id, exercise=own)
        store.save_analysis(session, make_analysis(
            [("barbell_row", 6)], start=datetime(2025, 1, 7, 18, tzinfo=UTC)), athlete="Ann")
        model_versions.register_version(session, MODEL_VERSION, MODEL_FILE, athlete="Me",
                                        metrics={"accuracy": 0.91}, activate=True)
        deleted = store.save_analysis(session, make_analysis(
            [("barbell_row", 5)], start=datetime(2025, 2, 3, 18, tzinfo=UTC)))
        store.delete_session(session, deleted.session_id)

    db.write_transaction(engine, use)
    engine.dispose()
    return url


@pytest.fixture
def source(source_url: str) -> Iterator[Engine]:
    engine = db.make_engine(source_url, create=False)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty models folder: the model version's file is not on this machine."""
    folder = tmp_path / "user_models"
    monkeypatch.setattr(appconfig, "USER_MODELS_DIR", folder)
    return folder


def _rows(engine: Engine) -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """Every row of every table, all columns, by primary key."""
    with engine.connect() as connection:
        return {
            table.name: {
                tuple(row._mapping[column.name] for column in table.primary_key.columns):
                    tuple(row)
                for row in connection.execute(select(table))
            }
            for table in Base.metadata.sorted_tables
        }


def _count(engine: Engine, model: type[Base]) -> int:
    with db.session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _search(engine: Engine, **criteria: Any) -> search.SearchPage:
    with db.session_factory(engine)() as session:
        return search.search_sets(session, search.SetQuery(limit=search.MAX_LIMIT, **criteria))


def test_copy_keeps_every_row_of_every_table_the_motion_and_what_search_finds(source, engine):
    report = copying.copy_journal(source, engine)

    copied = _rows(engine)
    assert copied == _rows(source)
    assert len(copied["exercise_sets"]) == 6 and len(copied["athletes"]) == 2
    assert (report.lifters, report.sessions, report.sets, report.recordings,
            report.own_exercises, report.model_versions) == (2, 2, 6, 2, 1, 1)
    # The motion decodes to the same samples, and the searches give the same sets.
    with db.session_factory(source)() as before, db.session_factory(engine)() as after:
        for recording_id in before.scalars(select(Recording.id)):
            old, new = (store.load_recording(s, recording_id) for s in (before, after))
            assert np.array_equal(old.gyro, new.gyro) and np.array_equal(old.accel, new.accel)
    for criteria in ({}, {"exercise": "landmine press"}, {"athlete": "Ann"},
                     {"corrected": True}):
        assert _search(engine, **criteria) == _search(source, **criteria)
    assert len(_search(engine, exercise="landmine press").rows) == 1
    assert report.missing_model_files == (
        copying.MissingModelFile(MODEL_VERSION, appconfig.USER_MODELS_DIR / MODEL_FILE),)


def test_a_session_saved_after_the_copy_gets_an_id_no_copied_or_deleted_session_had(
        source, engine, make_analysis):
    # PostgreSQL hands out ids from sequences: unless the copy moves them past the copied ids
    # the next session saved collides with session 1. The source's deleted session 3 must
    # not come back either: its bookmark would open the new workout.
    copying.copy_journal(source, engine)
    with db.session_factory(engine)() as session:
        copied_sets = set(session.scalars(select(ExerciseSet.id)))
    saved = db.write_transaction(engine, lambda session: store.save_analysis(
        session, make_analysis([("barbell_row", 8), ("barbell_row", 7)],
                               start=datetime(2025, 3, 1, 18, tzinfo=UTC)), athlete="Ann"))
    assert saved.created and saved.session_id > 3
    with db.session_factory(engine)() as session:
        view = store.load_session(session, saved.session_id, with_signal=False)
        typed = store.create_session(session, performed_at=datetime(2025, 3, 2, 9))
        model_versions.register_version(session, "ann-2", "ann-2/activity.keras", athlete="Ann")
        session.commit()
    assert not {s.id for s in view.sets} & copied_sets
    assert typed is not None and typed > saved.session_id


def test_copy_finds_a_model_version_s_file_on_this_machine(source, engine, models_dir):
    (models_dir / MODEL_VERSION).mkdir(parents=True)
    (models_dir / MODEL_FILE).write_bytes(b"keras")
    assert copying.copy_journal(source, engine).missing_model_files == ()


def test_copy_refuses_a_target_holding_a_lifter_and_writes_nothing(source, engine):
    db.write_transaction(engine, lambda session: catalog.athlete_named(session, "Bo"))
    before = _rows(engine)
    with pytest.raises(copying.CopyRefusedError, match=r"already holds 1 lifter; copy into an "
                                                       "empty journal"):
        copying.copy_journal(source, engine)
    assert _rows(engine) == before


def test_a_copy_failing_midway_leaves_the_target_without_any_copied_row(
        source, engine, monkeypatch):
    before = _rows(engine)
    insert = copying._insert

    def disk_full_at_the_sets(target: Any, table: Any, values: Any) -> None:
        if table.name == "exercise_sets":  # athletes, sessions and recordings are in by now
            raise OperationalError("INSERT INTO exercise_sets", {},
                                   Exception("database or disk is full"))
        insert(target, table, values)

    monkeypatch.setattr(copying, "_insert", disk_full_at_the_sets)
    with pytest.raises(OperationalError, match="disk is full"):
        copying.copy_journal(source, engine)
    assert _count(engine, WorkoutSession) == 0 and _count(engine, Recording) == 0
    assert _rows(engine) == before


# The command line (SQLite files).


def test_copy_command_moves_the_journal_into_a_new_file_and_says_what_it_copied(
        source_url, source, tmp_path, capsys):
    target = tmp_path / "team" / "journal.sqlite3"
    with source.connect() as connection:
        motion = connection.scalar(select(func.sum(func.length(Recording.signal))))
    assert main(["--database", source_url, "copy", "--to", f"sqlite:///{target}"]) == 0
    out, err = capsys.readouterr()
    assert out == (f"copied into sqlite:///{target}: 2 lifters, 2 sessions, 6 sets, "
                   f"2 recordings ({motion / 1e6:.1f} MB of motion), 1 own exercise, "
                   "1 model version; every table's row count checked\n")
    assert err.count("\n") == 1 and f"model version {MODEL_VERSION}" in err
    assert str(appconfig.USER_MODELS_DIR / MODEL_FILE) in err and "not on this machine" in err
    copy = db.make_engine(f"sqlite:///{target}", create=False)
    assert _rows(copy) == _rows(source)
    copy.dispose()
    # The new journal is one the other commands read: session ids as they were.
    assert main(["--database", f"sqlite:///{target}", "sessions", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(item["session_id"], item["athlete"]) for item in listed] == [(2, "Ann"), (1, "Me")]


def test_copy_command_json_gives_the_counts(source_url, tmp_path, capsys):
    target = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    assert main(["--database", source_url, "copy", "--to", target, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {key: report[key] for key in ("lifters", "sessions", "sets", "recordings",
                                         "own_exercises", "model_versions")} == {
        "lifters": 2, "sessions": 2, "sets": 6, "recordings": 2, "own_exercises": 1,
        "model_versions": 1}
    assert report["target"] == target and report["row_counts_checked"] is True
    assert report["signal_bytes"] > 100_000 and report["rows"]["exercise_aliases"] > 100
    assert report["missing_model_files"][0]["version"] == MODEL_VERSION


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("error: ") and "Traceback" not in captured.err
    return captured.err


def test_copy_command_refuses_a_target_that_already_holds_sessions(
        source_url, tmp_path, make_analysis, capsys):
    target = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    engine = db.open_journal(target)
    with db.session_factory(engine)() as session:
        for day in (5, 6, 7):
            store.save_analysis(session, make_analysis(
                [("barbell_row", 8)], start=datetime(2024, 3, day, 12, tzinfo=UTC)))
        session.commit()
    before = _rows(engine)
    err = _refused(["--database", source_url, "copy", "--to", target], capsys)
    assert (f"the target {target} already holds 3 sessions of 1 lifter; copy into an empty "
            "journal") in err
    assert _rows(engine) == before
    engine.dispose()


def test_copy_command_refuses_to_copy_a_journal_onto_itself(source_url, source, capsys):
    before = _rows(source)
    same_file = source_url.replace("/source/", "/source/../source/")
    err = _refused(["--database", source_url, "copy", "--to", same_file], capsys)
    assert "is the journal being copied" in err
    assert _rows(source) == before


def test_copy_command_refuses_a_missing_source_file_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "no-such-folder" / "journal.sqlite3"
    target = tmp_path / "team" / "journal.sqlite3"
    err = _refused(["--database", f"sqlite:///{missing}", "copy", "--to", f"sqlite:///{target}"],
                   capsys)
    assert f"no journal at {missing}" in err
    assert sorted(tmp_path.iterdir()) == []  # neither journal, nor a folder of one


def test_copy_command_refuses_a_source_behind_the_schema_and_leaves_it_unmigrated(
        source_url, source, tmp_path, capsys):
    with source.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0005'")
    target = tmp_path / "team" / "journal.sqlite3"
    err = _refused(["--database", source_url, "copy", "--to", f"sqlite:///{target}"], capsys)
    assert f"run `python -m journal --database {source_url} init` on it first" in err
    assert "revision 0005" in err
    with source.connect() as connection:
        assert db.schema_revision(connection) == "0005"  # not migrated behind the user's back
    assert not target.parent.exists()


def test_copy_command_says_in_one_line_that_the_target_cannot_be_reached(source_url, capsys):
    # Nothing listens on port 1; the password is not shown.
    err = _refused(["--database", source_url, "copy", "--to",
                    "postgresql://team:secret@127.0.0.1:1/journal"], capsys)
    assert "the target postgresql+psycopg://team:***@127.0.0.1:1/journal cannot be opened" in err
    assert "secret" not in err


def test_copy_command_failing_midway_says_so_and_the_new_file_holds_no_session(
        source_url, tmp_path, monkeypatch, capsys):
    def disk_full(target: Any, table: Any, values: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(copying, "_insert", disk_full)
    target = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    err = _refused(["--database", source_url, "copy", "--to", target], capsys)
    assert f"the copy into {target} failed and no row was copied: database or disk is full" in err
    engine = db.make_engine(target, create=False)
    assert _count(engine, WorkoutSession) == 0
    engine.dispose()
