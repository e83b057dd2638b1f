"""Journal fixtures: a fresh, migrated database per test, on SQLite and (when set) PostgreSQL.

``JOURNAL_TEST_POSTGRES_URL`` (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) adds a
PostgreSQL run of every test using ``engine``/``session``: each test gets its own schema, which
is dropped afterwards.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from journal import db, exercises
from ml.analysis import DetectedSet, SessionAnalysis
from ml.recordings import Recording

POSTGRES_ENV = "JOURNAL_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def _migrated_sqlite_template() -> Iterator[Engine]:
    """One in-memory journal migrated by ``db.migrate``; each test starts from a copy of it."""
    engine = db.make_engine("sqlite://")
    db.migrate(engine)
    yield engine
    engine.dispose()


def _sqlite_engine(template: Engine) -> Iterator[Engine]:
    engine = db.make_engine("sqlite://")
    source, target = template.raw_connection(), engine.raw_connection()
    try:
        source.driver_connection.backup(target.driver_connection)
    finally:
        source.close()
        target.close()
    yield engine
    engine.dispose()


def _postgres_engine() -> Iterator[Engine]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL run of the journal tests is off")
    schema = f"journal_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db.normalize_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        db.migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A freshly migrated journal: in-memory SQLite (a copy of one migrated template), or a
    new schema on PostgreSQL migrated for this test."""
    if request.param == "sqlite":
        yield from _sqlite_engine(request.getfixturevalue("_migrated_sqlite_template"))
    else:
        yield from _postgres_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh journal; tests commit (or not) like the app does."""
    with db.session_factory(engine)() as s:
        yield s


_counter = itertools.count()

SetSpec = tuple[str, int] | tuple[str, int, float]
#: The start of a synthetic recording unless a test gives one.
DEFAULT_START = datetime(2024, 3, 5, 18, 0, tzinfo=UTC)
_UNSET: datetime = datetime.min  # a test gave no start


@pytest.fixture
def make_analysis() -> Callable[..., SessionAnalysis]:
    """Build a ``SessionAnalysis`` from (exercise id, reps[, confidence]) tuples.

    The signal is a small SYNTHETIC array (a sine on the gyroscope): these tests check what
    the journal stores and finds, for which the signal content does not matter. It is not
    sensor data.

    Without ``start`` the first recording of a test starts at ``DEFAULT_START`` and each next
    one a second later: two recordings of one start and length are one recording to the
    journal (``store.find_recording``), whatever their bytes.
    """
    built_without_start = itertools.count()

    def build(
        sets: Sequence[SetSpec] = (("assisted_pull_up", 10),),
        *,
        start: datetime | None = _UNSET,
        seconds_per_set: float = 30.0,
        sha256: str | None = None,
        model_version: str = "test",
    ) -> SessionAnalysis:
        n_samples = int(50 * seconds_per_set * (len(sets) + 1))
        phase = np.linspace(0, 20 * np.pi, n_samples, dtype=np.float32)
        gyro = np.stack([np.sin(phase), np.cos(phase), 0.5 * np.sin(2 * phase)], axis=1)
        accel = np.stack([np.zeros_like(phase), np.zeros_like(phase), np.ones_like(phase)], 1)
        digest = sha256 or hashlib.sha256(f"synthetic-{next(_counter)}".encode()).hexdigest()
        if start is _UNSET:
            start = DEFAULT_START + timedelta(seconds=next(built_without_start))
        recording = Recording(
            gyro=gyro.astype(np.float32), accel=accel.astype(np.float32), gravity=None,
            source_format="synthetic", original_rate_hz=100.0, start_time=start,
            file_names=("synthetic.csv",), sha256=digest, units={"gyro": "rad/s"},
        )
        detected = []
        for index, spec in enumerate(sets):
            exercise_id, reps = spec[0], spec[1]
            confidence = spec[2] if len(spec) > 2 else 0.9
            begin = index * seconds_per_set + 5.0
            end = begin + seconds_per_set - 10.0
            entry = exercises.get(exercise_id)
            detected.append(DetectedSet(
                start_s=begin, end_s=end, exercise=exercise_id, exercise_name=entry.name,
                confidence=float(confidence), reps=reps,
                rep_times_s=tuple(np.linspace(begin + 1, end - 1, reps).round(3).tolist()),
                family=entry.family, alternatives=(("unknown", 0.05),),
            ))
        return SessionAnalysis(recording=recording, sets=tuple(detected),
                               model_version=model_version)

    return build
