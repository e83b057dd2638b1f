"""Several processes saving into one SQLite journal at once: all saved, none lost, no lock errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import appconfig
from journal import db
from journal.models import ExerciseSet, Recording, WorkoutSession

WORKERS = 4
SESSIONS_PER_WORKER = 8

# Each worker saves sessions whose signal is a SYNTHETIC array (content does not matter here),
# 10 minutes long so that every save holds the write lock for a while.
WORKER = textwrap.dedent("""
    import sys, time, hashlib
    from pathlib import Path
    import numpy as np
    from journal import db, store
    from ml.analysis import DetectedSet, SessionAnalysis
    from ml.recordings import Recording

    url, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    engine = db.make_engine(url)
    rng = np.random.default_rng(worker)
    while not go.exists():
        time.sleep(0.005)
    for i in range(count):
        n = 50 * 600
        recording = Recording(
            gyro=rng.standard_normal((n, 3)).astype(np.float32), accel=None, gravity=None,
            source_format="synthetic", original_rate_hz=50.0,
            sha256=hashlib.sha256(f"{worker}-{i}".encode()).hexdigest())
        sets = tuple(DetectedSet(start_s=10.0 * k, end_s=10.0 * k + 8, exercise="barbell_row",
                                 exercise_name="Barbell row", confidence=0.8, reps=8)
                     for k in range(10))
        analysis = SessionAnalysis(recording=recording, sets=sets)
        db.write_transaction(engine, lambda s: store.save_analysis(s, analysis))
    print("done", worker)
""")


@pytest.mark.slow
def test_four_processes_saving_at_once_lose_nothing(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(w), str(SESSIONS_PER_WORKER), str(go)],
            cwd=appconfig.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(WORKERS)
    ]
    time.sleep(1.0)  # let every worker import and wait at the start line
    go.touch()
    outputs = [w.communicate(timeout=300) for w in workers]

    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "locked" not in err.lower() and "Traceback" not in err
        assert out.startswith("done")
    with engine.connect() as connection:
        count = lambda model: connection.scalar(select(func.count()).select_from(model))  # noqa: E731
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
