"""Where the journal lives: migrations from anywhere, the catalog loaded, the right drivers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from journal import db, exercises, store
from journal.models import Base, Exercise, ExerciseAlias
from journal.search import SetQuery, search_sets


def test_migrations_create_exactly_the_models_schema(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrate_runs_from_any_directory_and_twice_is_harmless(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nowhere near alembic.ini
    engine = db.make_engine(f"sqlite:///{tmp_path / 'fresh' / 'journal.sqlite3'}")
    db.migrate(engine)
    db.migrate(engine)
    head = ScriptDirectory(str(db.MIGRATIONS_DIR)).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
        assert {"exercise_sets", "recordings", "workout_sessions", "exercises",
                "exercise_aliases", "athletes", "model_versions"} <= set(
            inspect(connection).get_table_names())
    engine.dispose()


def test_migrate_loads_the_whole_exercise_catalog_and_a_default_athlete(session):
    ids = set(session.scalars(select(Exercise.id)))
    assert {e.id for e in exercises.CATALOG} <= ids
    assert store.list_athletes(session) == ["Me"]
    keys = set(session.scalars(
        select(ExerciseAlias.key).where(ExerciseAlias.exercise_id == "assisted_pull_up")))
    assert {"assistedpullup", "pullup", "chinup"} <= keys


def test_catalog_sync_is_idempotent(engine, session):
    before = session.scalar(select(func.count(ExerciseAlias.id)))
    session.commit()  # in-memory SQLite has one connection: end this transaction first
    db.migrate(engine)
    assert session.scalar(select(func.count(ExerciseAlias.id))) == before


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_plain_postgresql_urls_use_psycopg_3(url):
    assert db.normalize_url(url).drivername == "postgresql+psycopg"


def test_only_a_missing_sqlite_file_is_refused_when_the_journal_must_exist(tmp_path: Path):
    missing = tmp_path / "nowhere" / "journal.sqlite3"
    with pytest.raises(db.MissingJournalError, match="python -m journal init"):
        db.make_engine(f"sqlite:///{missing}", create=False)
    assert not missing.parent.exists()
    # A PostgreSQL database is the server's to have: nothing is checked before connecting.
    server = db.make_engine("postgresql://u@127.0.0.1:1/db", create=False)
    assert server.url.drivername == "postgresql+psycopg"
    server.dispose()
    memory = db.make_engine("sqlite://", create=False)
    memory.dispose()


def test_default_journal_is_a_sqlite_file_under_the_journal_dir(monkeypatch, tmp_path):
    import appconfig

    monkeypatch.delenv("JOURNAL_DATABASE_URL", raising=False)
    engine = db.make_engine()
    assert engine.url.get_backend_name() == "sqlite"
    assert Path(str(engine.url.database)).parent == appconfig.JOURNAL_DIR
    engine.dispose()


def test_upgrading_an_older_journal_keeps_its_sets_and_dates_them(tmp_path: Path):
    from alembic import command
    from alembic.config import Config

    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")  # a journal from before sets carried their date
        connection.exec_driver_sql(
            "INSERT INTO athletes (id, name, created_at) VALUES (1, 'Me', '2024-01-01')")
        connection.exec_driver_sql(
            "INSERT INTO exercises (id, name, family, is_custom, created_at) "
            "VALUES ('barbell_row', 'Barbell row', 'row', 0, '2024-01-01')")
        connection.exec_driver_sql(
            "INSERT INTO workout_sessions (id, athlete_id, performed_at, title, notes, "
            "model_version, warnings, created_at) "
            "VALUES (1, 1, '2024-03-05 18:00:00.000000', 'old', '', '', '[]', '2024-03-05')")
        connection.exec_driver_sql(
            "INSERT INTO exercise_sets (session_id, position, exercise_id, reps, rep_times_s, "
            "notes, model_alternatives, boundaries_edited, corrected, confirmed, updated_at) "
            "VALUES (1, 1, 'barbell_row', 8, '[]', '', '[]', 0, 0, 0, '2024-03-05')")
    db.migrate(engine)
    with db.session_factory(engine)() as session:
        (row,) = search_sets(session, SetQuery(exercise="row", date_from=date(2024, 3, 5))).rows
        assert (row.reps, row.performed_at) == (8, datetime(2024, 3, 5, 18, 0))
        # The upgrade remembers the ids already given: the old session's is not given again.
        store.delete_session(session, 1)
        assert store.create_session(session, performed_at=datetime(2025, 1, 1)) == 2
    engine.dispose()


def test_moving_a_session_moves_its_sets_in_search(session, make_analysis):
    saved = store.save_analysis(session, make_analysis([("barbell_row", 8)] * 2))
    store.update_session(session, saved.session_id, performed_at=datetime(2023, 1, 2, 9, 0))
    session.commit()
    rows = search_sets(session, SetQuery(date_from=date(2023, 1, 2), date_to=date(2023, 1, 2))).rows
    assert len(rows) == 2 and {r.performed_at for r in rows} == {datetime(2023, 1, 2, 9, 0)}
