"""Engines, migrations and transactions: where the journal lives and how writers share it.

SQLite (the default, one file) runs in WAL mode with foreign keys on and a busy timeout; writes
go through :func:`write_transaction`, which takes the write lock up front (``BEGIN IMMEDIATE``)
and retries with backoff if the file stays locked, so concurrent app instances and CLI runs
never show "database is locked". PostgreSQL (psycopg 3) works with the same code.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

import appconfig

T = TypeVar("T")

#: How long one SQLite statement waits for another writer before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 15_000

#: Bytes of the SQLite file mapped into memory, and KiB of page cache, per connection.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 32 * 1024

#: Where the Alembic scripts live, whatever the current directory is.
MIGRATIONS_DIR = Path(appconfig.REPO_ROOT) / "migrations"

# Execution option that makes the next BEGIN on a SQLite connection take the write lock.
_IMMEDIATE = "journal_sqlite_begin_immediate"

_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; plain ``postgresql://`` URLs use psycopg 3 (the driver we ship)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class JournalUnavailableError(Exception):
    """The journal's URL names something this install cannot open: a database driver that is
    not installed, or a schema migrated by a newer version of the app."""


class MissingJournalError(Exception):
    """A SQLite journal file that does not exist, opened by something that must not create it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no journal at {path}: create it with `python -m journal init`, "
                         "or give the URL of an existing one (--database or JOURNAL_DATABASE_URL)")
        self.path = path


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite journal URL; None for an in-memory SQLite and any other database."""
    if url.get_backend_name() != "sqlite" or is_memory_sqlite(url):
        return None
    return Path(str(url.database)).expanduser()


def make_engine(url: str | URL | None = None, *, create: bool = True, **kwargs: Any) -> Engine:
    """An engine for the journal at ``url`` (default ``appconfig.database_url()``).

    A SQLite file (and its folder) is created on first use, unless ``create`` is False: then a
    missing file raises :class:`MissingJournalError` and nothing is created (read-only uses must
    not leave an empty journal behind a mistyped URL). ``sqlite://`` is one in-memory database
    shared by every session of the engine (tests). Other databases are the server's to create.
    The schema is not touched: call :func:`migrate` (or :func:`open_journal`, which does both).
    """
    parsed = normalize_url(url if url is not None else appconfig.database_url())
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        try:
            return create_engine(parsed, **kwargs)
        except ImportError as error:  # e.g. postgresql+psycopg2:// without psycopg2
            raise JournalUnavailableError(
                f"the journal URL's database driver {parsed.drivername!r} is not installed "
                f"(no module {error.name!r}); for PostgreSQL write postgresql+psycopg:// "
                "(psycopg 3, which the app installs)"
            ) from error

    path = sqlite_file(parsed)
    if path is None:
        kwargs.setdefault("poolclass", StaticPool)
    elif not create and not path.is_file():
        raise MissingJournalError(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    # The driver waits this long on a lock (seconds); the PRAGMA below says the same in ms.
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    _configure_sqlite(engine, memory=is_memory_sqlite(parsed))
    return engine


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def _configure_sqlite(engine: Engine, *, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin, so that
        # BEGIN IMMEDIATE and savepoints behave (SQLAlchemy's documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds A-Z only: "ÄRGER" would not find "ärger" in notes, where
        # PostgreSQL's does. Python's folds every letter (no index is built on lower()).
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # Safe in WAL mode (a power cut may lose the last commit, never corrupt the file).
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Memory-map the file and keep a larger page cache: searches jump around the index.
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; objects stay readable after commit (``expire_on_commit=False``)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _writer(engine: Engine) -> Engine:
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_IMMEDIATE: True})
    return engine


def failure_reason(error: BaseException) -> str:
    """What the database said (the driver's error inside SQLAlchemy's wrapper, when there is
    one), for a one-line message."""
    return str(getattr(error, "orig", None) or error).strip()


def is_locked_error(error: BaseException) -> bool:
    """Whether an error is SQLite's transient "database is locked/busy"."""
    text = str(getattr(error, "orig", error)).lower()
    return isinstance(error, OperationalError) and ("locked" in text or "busy" in text)


def write_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = 8,
    first_delay_s: float = 0.05,
) -> T:
    """Run ``work(session)`` in one transaction and commit; all or nothing.

    On SQLite the write lock is taken at BEGIN, so two writers queue instead of failing
    half-way; if the lock stays busy past the busy timeout the whole unit of work is retried
    with exponential backoff and jitter, up to ``attempts`` times. Any other error rolls back
    and propagates. Returns what ``work`` returned (plain values: the session is closed).
    """
    factory = sessionmaker(bind=_writer(engine), expire_on_commit=False)
    delay = first_delay_s
    for attempt in range(1, attempts + 1):
        try:
            with factory() as session, session.begin():
                return work(session)
        except OperationalError as error:
            if not is_locked_error(error) or attempt == attempts:
                raise
            time.sleep(delay * (1 + random.random()))
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest Alembic revision these scripts know (the schema ``migrate`` brings)."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_alembic_config()).get_current_head())


def known_revisions() -> set[str]:
    """Every Alembic revision these scripts know."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def schema_revision(connection: Connection) -> str | None:
    """The Alembic revision a journal's schema is at, read without changing anything; None
    for a database that was never migrated."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision, then load the exercise catalog.

    Works from any current directory: the scripts are found beside the package. Safe to call
    from several processes at once and to call again (no-op when up to date).
    """
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from journal import catalog

    config = _alembic_config()
    with _writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as error:
            # A revision these scripts do not know: a newer app migrated this journal.
            head = ScriptDirectory.from_config(config).get_current_head()
            raise JournalUnavailableError(
                f"the journal's schema is newer than this version of the app knows "
                f"(it knows up to revision {head}: {error}); update the app to use this journal"
            ) from error
    write_transaction(engine, catalog.sync_catalog)


def open_journal(url: str | URL | None = None) -> Engine:
    """An engine with the schema migrated (once per process and URL): the app's entry point."""
    engine = make_engine(url)
    key = engine.url.render_as_string(hide_password=False)
    with _migrate_lock:
        if key not in _migrated or is_memory_sqlite(engine.url):
            migrate(engine)
            _migrated.add(key)
    return engine
