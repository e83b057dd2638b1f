"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import appconfig


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


@pytest.fixture
def time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this process's local time zone (TZ) for one test, restored after it."""

    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()
