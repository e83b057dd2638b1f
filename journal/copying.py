"""Copying a whole journal into another database (``python -m journal copy --to URL``).

A lifter's SQLite file moves to PostgreSQL (or another file) with everything a Strong export
loses: the recordings' signals, the model's values beside the user's, the corrected/confirmed
flags, rep times, set boundaries, lifters, own exercises and model versions. Ids are kept, so
a bookmarked ``/session?id=12`` opens the same session on the new database.

The source is only read (in one snapshot); it must be at the migration head. The target is
migrated first, must hold no sessions nor lifters, and receives every row in one transaction:
a failure leaves it without any copied row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import appconfig
from journal import db
from journal.models import (
    DEFAULT_ATHLETE,
    Athlete,
    Base,
    Exercise,
    IdHighWater,
    ModelVersion,
    Recording,
    WorkoutSession,
)

#: Rows read and written at a time; recordings carry their signal (megabytes each), so a
#: journal's motion never sits in memory at once.
BATCH_ROWS = 1000
RECORDING_BATCH_ROWS = 8


class CopyRefusedError(Exception):
    """The copy cannot be made (said in one line); nothing was copied."""


@dataclass(frozen=True)
class MissingModelFile:
    """A model version whose file is not on this machine (the journal holds only its path)."""

    version: str
    path: Path


@dataclass(frozen=True)
class CopyReport:
    """What was copied: rows per table (equal in source and target: checked), the bytes of
    motion, and the model versions whose files must be copied by hand."""

    source: str  # URL, password hidden
    target: str
    rows: Mapping[str, int]
    signal_bytes: int
    own_exercises: int
    missing_model_files: tuple[MissingModelFile, ...]

    @property
    def lifters(self) -> int:
        return self.rows[Athlete.__tablename__]

    @property
    def sessions(self) -> int:
        return self.rows[WorkoutSession.__tablename__]

    @property
    def sets(self) -> int:
        return self.rows["exercise_sets"]

    @property
    def recordings(self) -> int:
        return self.rows[Recording.__tablename__]

    @property
    def model_versions(self) -> int:
        return self.rows[ModelVersion.__tablename__]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "target": self.target, "lifters": self.lifters,
            "sessions": self.sessions, "sets": self.sets, "recordings": self.recordings,
            "signal_bytes": self.signal_bytes, "own_exercises": self.own_exercises,
            "model_versions": self.model_versions, "rows": dict(self.rows),
            "row_counts_checked": True,
            "missing_model_files": [{"version": m.version, "path": str(m.path)}
                                    for m in self.missing_model_files],
        }


def shown_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def plural(number: int, word: str) -> str:
    """A count and its word: "1 lifter", "2 lifters" (``ui.text.plural``'s rule; journal does
    not import the app's modules)."""
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def check_source(source: Engine) -> None:
    """``CopyRefusedError`` unless the source's schema is at the migration head (it is only
    read: migrating it is the user's call, with ``journal init``)."""
    with source.connect() as connection:
        revision = db.schema_revision(connection)
    head = db.head_revision()
    if revision == head:
        return
    if revision is not None and revision not in db.known_revisions():
        raise CopyRefusedError(
            f"the journal {shown_url(source)} was migrated by a newer version of the app "
            f"(schema revision {revision}, this one knows up to {head}): copy it with that "
            "version")
    at = f"at schema revision {revision}" if revision else "not a migrated journal"
    raise CopyRefusedError(
        f"the journal {shown_url(source)} is {at}, not {head}: run `python -m journal "
        f"--database {shown_url(source)} init` on it first (copy only reads it)")


def _identity(engine: Engine, connection: Connection) -> tuple[Any, ...]:
    """What tells two databases apart, asked of the database (two spellings of one file or
    server are one database; two schemas of one PostgreSQL database are two)."""
    if engine.dialect.name == "sqlite":
        main = next(row for row in connection.exec_driver_sql("PRAGMA database_list")
                    if row[1] == "main")
        if not main[2]:  # in memory: one database per engine
            return ("sqlite memory", id(engine))
        return ("sqlite", os.path.realpath(main[2]))
    if engine.dialect.name == "postgresql":
        row = connection.execute(text(
            "SELECT inet_server_addr()::text, inet_server_port(), current_database(), "
            "current_schema()")).one()
        return ("postgresql", row[0] or engine.url.host, row[1] or engine.url.port, *row[2:])
    return (engine.url.render_as_string(hide_password=False),)


def _user_data(connection: Connection) -> str | None:
    """What of a user's the target holds, in words; None when it holds only what ``journal
    init`` puts there (the catalog and the default lifter, unused). Reads columns every schema
    revision has, so a target is judged before it is migrated."""
    sessions = connection.scalar(select(func.count()).select_from(WorkoutSession)) or 0
    lifters = connection.scalar(select(func.count()).select_from(Athlete).where(
        (Athlete.name != DEFAULT_ATHLETE)
        | Athlete.id.in_(select(WorkoutSession.athlete_id)))) or 0
    own = connection.scalar(
        select(func.count()).select_from(Exercise).where(Exercise.is_custom)) or 0
    versions = connection.scalar(select(func.count()).select_from(ModelVersion)) or 0
    held = []
    if sessions:
        held.append(f"{plural(sessions, 'session')} of {plural(lifters, 'lifter')}")
    elif lifters:
        held.append(plural(lifters, "lifter"))
    if own:
        held.append(plural(own, "own exercise"))
    if versions:
        held.append(plural(versions, "model version"))
    return ", ".join(held) or None


def _refuse_filled(target: Engine, connection: Connection) -> None:
    held = _user_data(connection)
    if held is not None:
        raise CopyRefusedError(f"the target {shown_url(target)} already holds {held}; copy "
                               "into an empty journal")


def _copy_table(source: Connection, target: Connection, table: Table) -> tuple[int, int]:
    """Stream one table's rows, ids and all, in batches; returns (rows, bytes of signal)."""
    batch = RECORDING_BATCH_ROWS if table.name == Recording.__tablename__ else BATCH_ROWS
    result = source.execution_options(yield_per=batch).execute(
        select(table).order_by(*table.primary_key.columns))
    rows = signal_bytes = 0
    for part in result.partitions():
        values = [dict(row._mapping) for row in part]
        _insert(target, table, values)
        rows += len(values)
        if table.name == Recording.__tablename__:
            signal_bytes += sum(len(value["signal"]) for value in values)
    return rows, signal_bytes


def _insert(target: Connection, table: Table, values: list[dict[str, Any]]) -> None:
    target.execute(table.insert(), values)


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the copied ids (and past the ids SQLite's
    ``id_high_water`` says were given to rows since deleted), else the next row saved takes
    a copied id."""
    high_water = dict(connection.execute(
        select(IdHighWater.table_name, IdHighWater.max_id)).all())
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                     {"table": table.name, "column": column.name})
        if sequence is None:
            continue
        highest = max(connection.scalar(select(func.max(column))) or 0,
                      high_water.get(table.name, 0))
        # setval(.., 1, false): the next id is 1, for a table left empty.
        connection.execute(text("SELECT setval(:sequence, :value, :called)"),
                           {"sequence": sequence, "value": max(highest, 1),
                            "called": highest > 0})


def _missing_model_files(connection: Connection, models_dir: Path) -> tuple[MissingModelFile, ...]:
    missing = []
    for version, stored in connection.execute(
            select(ModelVersion.version, ModelVersion.path).order_by(ModelVersion.id)):
        path = Path(stored) if Path(stored).is_absolute() else models_dir / stored
        if not path.exists():
            missing.append(MissingModelFile(version, path))
    return tuple(missing)


def copy_journal(source: Engine, target: Engine, *,
                 models_dir: Path | None = None) -> CopyReport:
    """Copy every row of the journal at ``source`` into ``target``, ids kept.

    ``target`` is migrated to the head first (a new SQLite file is created). Refused with
    :class:`CopyRefusedError`, nothing copied, when the source is not at the head, the target
    is the source, cannot be opened, or already holds sessions, lifters, own exercises or
    model versions. All rows go in one transaction on the target, then the row counts of every
    table are compared with the source's (a difference rolls the copy back). Model files stay
    where they are (``models_dir``, default ``USER_MODELS_DIR``): the report names those not
    on this machine.
    """
    check_source(source)
    with source.connect() as probe:
        source_identity = _identity(source, probe)
    try:
        with target.connect() as probe:
            if _identity(target, probe) == source_identity:
                raise CopyRefusedError(f"the target {shown_url(target)} is the journal being "
                                       "copied; give another database")
            # Judged before migrating too: a refused target is left as it was.
            if inspect(probe).has_table(WorkoutSession.__tablename__):
                _refuse_filled(target, probe)
    except DBAPIError as error:
        # psycopg's reason spans lines ("Is the server running...?"): one line here.
        reason = " ".join(db.failure_reason(error).split())
        raise CopyRefusedError(f"the target {shown_url(target)} cannot be opened: "
                               f"{reason}") from error
    db.migrate(target)

    tables = Base.metadata.sorted_tables  # foreign-key order
    source_connection = source.connect()
    if source.dialect.name == "postgresql":  # one snapshot of every table
        source_connection = source_connection.execution_options(isolation_level="REPEATABLE READ")

    def copy(session: Session) -> CopyReport:
        connection = session.connection()
        _refuse_filled(target, connection)
        # What `journal init` put there (catalog, default lifter) gives way to the source's
        # own rows, so that every id and every catalog row is the source's.
        for table in reversed(tables):
            connection.execute(table.delete())
        rows: dict[str, int] = {}
        signal_bytes = 0
        for table in tables:
            rows[table.name], table_bytes = _copy_table(source_connection, connection, table)
            signal_bytes += table_bytes
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
        for table in tables:
            in_source = source_connection.scalar(select(func.count()).select_from(table))
            in_target = connection.scalar(select(func.count()).select_from(table))
            if not in_source == in_target == rows[table.name]:
                raise CopyRefusedError(
                    f"{table.name}: {in_source} rows in the source, {in_target} copied; "
                    "nothing was copied")
        own = connection.scalar(
            select(func.count()).select_from(Exercise).where(Exercise.is_custom)) or 0
        return CopyReport(
            source=shown_url(source), target=shown_url(target), rows=rows,
            signal_bytes=signal_bytes, own_exercises=own,
            missing_model_files=_missing_model_files(
                connection, models_dir or appconfig.USER_MODELS_DIR))

    with source_connection, source_connection.begin():
        return db.write_transaction(target, copy)
