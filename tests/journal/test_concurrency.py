"""Processes saving into one SQLite journal at once: all saved, none lost, no lock errors."""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from journal import db, store
from journal.models import ExerciseSet, Recording, WorkoutSession
from ml.analysis import DetectedSet, SessionAnalysis
from ml.recordings import Recording as MlRecording

WORKERS = 4
SESSIONS_PER_WORKER = 8


def _save_sessions(url: str, worker: int, count: int, start: Any, errors: Any) -> None:
    """One writer process: ``count`` sessions, each with a 10-minute SYNTHETIC signal (content
    does not matter here; its size makes every save hold the write lock for a while)."""
    try:
        engine = db.make_engine(url)  # a fresh engine: nothing shared with the parent
        rng = np.random.default_rng(worker)
        start.wait()
        for index in range(count):
            recording = MlRecording(
                gyro=rng.standard_normal((50 * 600, 3)).astype(np.float32), accel=None,
                gravity=None, source_format="synthetic", original_rate_hz=50.0,
                sha256=hashlib.sha256(f"{worker}-{index}".encode()).hexdigest())
            sets = tuple(DetectedSet(start_s=10.0 * k, end_s=10.0 * k + 8, exercise="barbell_row",
                                     exercise_name="Barbell row", confidence=0.8, reps=8)
                         for k in range(10))
            analysis = SessionAnalysis(recording=recording, sets=sets)
            db.write_transaction(engine, lambda s, a=analysis: store.save_analysis(s, a))
        engine.dispose()
    except BaseException as error:  # reported to the test, which fails on any
        errors.put(f"worker {worker}: {type(error).__name__}: {error}")
        raise


@pytest.mark.slow
def test_four_processes_saving_at_once_lose_nothing(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    engine.dispose()
    # Forked processes start with everything imported, so all four write at the same time.
    context = multiprocessing.get_context("fork")
    start, errors = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_save_sessions,
                        args=(url, w, SESSIONS_PER_WORKER, start, errors))
        for w in range(WORKERS)
    ]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    print(f"{WORKERS} processes saved {WORKERS * SESSIONS_PER_WORKER} sessions in "
          f"{time.monotonic() - began:.2f} s")

    reported = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert reported == []  # in particular no "database is locked"
    assert [w.exitcode for w in workers] == [0] * WORKERS
    engine = db.make_engine(url)
    with engine.connect() as connection:
        def count(model: type) -> int:
            return int(connection.scalar(select(func.count()).select_from(model)) or 0)

        assert count(WorkoutSession) == WORKERS * SESSIONS_PER_WORKER
        assert count(Recording) == WORKERS * SESSIONS_PER_WORKER
        assert count(ExerciseSet) == WORKERS * SESSIONS_PER_WORKER * 10
    engine.dispose()


def test_sqlite_journal_file_runs_in_wal_mode_with_foreign_keys(tmp_path: Path):
    engine = db.open_journal(f"sqlite:///{tmp_path / 'sub' / 'j.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert (tmp_path / "sub" / "j.sqlite3").is_file()
    engine.dispose()


def test_write_transaction_retries_when_the_database_stays_locked(tmp_path: Path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    engine = db.open_journal(f"sqlite:///{tmp_path / 'j.sqlite3'}")
    attempts = []

    def work(session):
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("INSERT ...", {}, Exception("database is locked"))
        return "saved"

    assert db.write_transaction(engine, work, first_delay_s=0.001) == "saved"
    assert len(attempts) == 3

    def always_broken(session):
        raise OperationalError("INSERT ...", {}, Exception("no such table: nope"))

    with pytest.raises(OperationalError, match="no such table"):
        db.write_transaction(engine, always_broken)  # other errors are not retried
    engine.dispose()
