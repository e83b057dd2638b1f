"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import appconfig
from journal import edits, store
from journal.db import write_transaction


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The shared real recordings; CI has them beside the repo, so there a missing folder fails."""
    root = appconfig.DATASETS_DIR
    if not (root / "applewatch-gym").is_dir():
        message = f"real datasets not found at {root} (set WRIST_DATASETS_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root


#: A journal spanning years, as the Progress page audit found it: barbell sessions in January
#: 2019 (the barbell-metamotion recordings' year), then assisted pull-ups and rows from
#: November 2024 to March 2025. (performed at, [(exercise id, reps, weight kg)]).
YEARS_OF_TRAINING: tuple[tuple[datetime, list[tuple[str, int, float]]], ...] = (
    (datetime(2019, 1, 14, 10), [("barbell_back_squat", 10, 60.0)] * 3
     + [("barbell_bench_press", 10, 50.0)] * 3),
    (datetime(2019, 1, 16, 10), [("barbell_deadlift", 5, 100.0)] * 3
     + [("barbell_row", 10, 50.0)] * 3),
    (datetime(2019, 1, 21, 10), [("barbell_back_squat", 5, 80.0)] * 3
     + [("barbell_overhead_press", 10, 30.0)] * 3),
    (datetime(2024, 11, 25, 7), [("assisted_pull_up", 10, 66.0)] * 3
     + [("close_grip_cable_row", 12, 52.0)] * 3),
    (datetime(2024, 12, 1, 7), [("assisted_pull_up", 8, 66.0), ("assisted_pull_up", 12, 59.0),
                                ("assisted_pull_up", 10, 52.0)]),
    (datetime(2025, 3, 10, 7), [("assisted_pull_up", 8, 45.0)] * 3
     + [("barbell_back_squat", 8, 70.0)] * 3),
)  # fmt: skip


def save_years_of_training(engine: Engine) -> None:
    """Write ``YEARS_OF_TRAINING`` into a journal through the store, as typed-in sessions."""

    def save(session: Session) -> None:
        for performed_at, sets in YEARS_OF_TRAINING:
            session_id = store.create_session(session, performed_at=performed_at, title="lifting")
            for exercise, reps, weight in sets:
                edits.add_set(session, session_id, exercise=exercise, reps=reps, weight_kg=weight)

    write_transaction(engine, save)


@pytest.fixture(scope="session")
def years_of_training() -> Callable[[Engine], None]:
    """``save_years_of_training``, for the app and browser tests' journals."""
    return save_years_of_training


@pytest.fixture
def time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this process's local time zone (TZ) for one test, restored after it."""

    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()
