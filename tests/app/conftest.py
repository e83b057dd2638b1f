"""App test fixtures: a temporary journal per test, optionally holding the real sample session.

The sessions are saved without the Keras model: the shipped sample recording (real Apple Watch
data) with its sets at their true places and labels, so AppTest stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from journal import exercises
from journal.db import open_journal, write_transaction
from journal.store import save_analysis
from ml.analysis import DetectedSet, SessionAnalysis
from ml.recordings import Recording, read_recording
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT, sample_truth

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
#: First AppTest runs import pandas, scipy, SQLAlchemy...: generous on a busy 2-core machine.
TIMEOUT_S = 60


@pytest.fixture(scope="session")
def sample_recording() -> Recording:
    with SAMPLE_PATH.open("rb") as handle:
        return read_recording(handle, SAMPLE_PATH.name)


def truth_analysis(recording: Recording) -> SessionAnalysis:
    """The sample's sets where they really are, labelled as in the dataset."""
    sets = []
    for truth in sample_truth():
        entry = exercises.from_dataset_label("applewatch-gym", truth.exercise_code)
        # The dataset gives counts, not rep times: spread them over the middle of the set.
        times = np.linspace(truth.start_s + 8, truth.end_s - 8, truth.reps)
        sets.append(
            DetectedSet(
                start_s=truth.start_s + 5,
                end_s=truth.end_s - 5,
                exercise=entry.id,
                exercise_name=entry.name,
                confidence=0.9,
                reps=truth.reps,
                rep_times_s=tuple(float(t) for t in times),
                family=entry.family,
            )
        )
    return SessionAnalysis(recording=recording, sets=tuple(sets), model_version="test-truth")


@pytest.fixture
def sample_analysis(sample_recording: Recording) -> SessionAnalysis:
    return truth_analysis(sample_recording)


@pytest.fixture
def journal_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty SQLite journal for this test, where the app will find it."""
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    monkeypatch.setenv("JOURNAL_DATABASE_URL", url)
    return url


@pytest.fixture
def journal_engine(journal_url: str) -> Iterator[Engine]:
    engine = open_journal(journal_url)
    yield engine
    engine.dispose()


@pytest.fixture
def saved_sample(journal_engine: Engine, sample_recording: Recording) -> int:
    """The journal holds the real sample session (with weights and a note); its id."""
    analysis = truth_analysis(sample_recording)
    weights = {i: {"weight_kg": t.weight_kg} for i, t in enumerate(sample_truth())}
    weights[2]["notes"] = "last one slow, <b>shoulder</b> ok"  # type: ignore[assignment]
    result = write_transaction(
        journal_engine,
        lambda session: save_analysis(
            session,
            analysis,
            title="Sample morning",
            notes="**Sample** morning",
            performed_at=SAMPLE_STARTED_AT,
            set_overrides=weights,  # type: ignore[arg-type]
        ),
    )
    return result.session_id


@pytest.fixture
def app() -> Callable[..., AppTest]:
    """Start the app (routing included) on a page, with URL query parameters."""

    def start(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        if page is None:
            for key, value in query.items():
                at.query_params[key] = value
            return at.run()
        at.run()
        at.switch_page(f"app_pages/{page}.py")
        for key, value in query.items():
            at.query_params[key] = value
        return at.run()

    return start


def _texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.title, *at.subheader, *at.markdown, *at.caption, *at.text]]
    parts += [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    parts += [str(m.value) for m in at.metric] + [m.label for m in at.metric]
    parts += [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def click_download(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest, str], tuple[str, bytes]]:
    """Click a download button of the last run: (its file name, the bytes it gives).

    A file built on the click is, on the run, only a callable Streamlit keeps
    (``MediaFileManager.add_deferred``); this keeps it too, and calls it as the click would.
    """
    kept: dict[str, tuple[Callable[[], object], str]] = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        kept[file_id] = (data_callable, file_name or "")
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)

    def click(at: AppTest, key: str) -> tuple[str, bytes]:
        (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
        build, file_name = kept[button.proto.deferred_file_id]
        data = build()
        assert isinstance(data, bytes)
        return file_name, data

    return click


@pytest.fixture
def page_text() -> Callable[[AppTest], str]:
    """Everything a user reads on the page, as one string (for "the page says ..." checks)."""
    return _texts
