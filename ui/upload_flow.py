"""One uploaded recording from bytes to a saved session: read → (already saved?) → analyse → save.

No Streamlit here: the Upload page shows the steps, this module does them and turns every
failure into a sentence a person can act on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import pandas as pd
from sqlalchemy import Engine

from journal.db import session_factory, write_transaction
from journal.store import find_recording, save_analysis
from journal.views import SaveResult
from ml.analysis import SessionAnalysis
from ml.model import ActivityModel
from ml.recordings import Recording, RecordingError, read_recording
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT, SAMPLE_TITLE
from ui.tables import analysis_with_edits

log = logging.getLogger(__name__)

#: Steps shown per file, in order.
STEPS = ("read", "analyse", "ready")


@dataclass
class Prepared:
    """What became of one recording (one file, or a gyroscope + accelerometer pair)."""

    label: str
    recording: Recording | None = None
    analysis: SessionAnalysis | None = None
    existing: SaveResult | None = None
    error: str | None = None
    saved: SaveResult | None = None


def _read(files: Sequence[BinaryIO], label: str) -> Recording:
    if len(files) == 1:
        return read_recording(files[0], getattr(files[0], "name", label))
    return read_recording(list(files))


def prepare(
    files: Sequence[BinaryIO],
    label: str,
    engine: Engine,
    get_model: Callable[[], ActivityModel],
    on_step: Callable[[str], None] = lambda step: None,
) -> Prepared:
    """Read and analyse one recording; skip the analysis when the journal already has it.

    ``on_step`` is called with "read", "analyse" and "ready" as each step starts.
    Never raises for a bad file or a failing analysis: the reason is in ``Prepared.error``.
    """
    result = Prepared(label=label)
    try:
        on_step("read")
        result.recording = _read(files, label)
        with session_factory(engine)() as session:
            result.existing = find_recording(session, result.recording.sha256)
        if result.existing is None:
            on_step("analyse")
            from ml.pipeline import analyze  # loaded on first analysis, not with the page

            result.analysis = analyze(result.recording, get_model())
        on_step("ready")
    except RecordingError as error:
        result.error = str(error)
    except (ValueError, OSError) as error:
        result.error = f"{label} could not be analysed: {error}"
    except Exception as error:  # noqa: BLE001 - the page shows a sentence, the log keeps the trace
        log.exception("analysis of %s failed", label)
        result.error = f"{label} could not be analysed ({type(error).__name__}). {error}"
    return result


def save(
    prepared: Prepared,
    engine: Engine,
    edited_sets: pd.DataFrame,
    *,
    performed_at: datetime,
    title: str,
    notes: str,
) -> SaveResult:
    """Save the analysed recording with the user's table edits as one session (one transaction)."""
    if prepared.analysis is None:
        raise ValueError(f"{prepared.label} has no analysis to save")
    analysis, overrides = analysis_with_edits(prepared.analysis, edited_sets)
    result = write_transaction(
        engine,
        lambda session: save_analysis(
            session,
            analysis,
            title=title,
            notes=notes,
            performed_at=performed_at,
            set_overrides=overrides,
        ),
    )
    prepared.saved = result
    return result


def load_sample(engine: Engine, get_model: Callable[[], ActivityModel]) -> SaveResult:
    """Analyse the shipped real sample session and save it (or find it, when already saved)."""
    from ml.pipeline import analyze

    with SAMPLE_PATH.open("rb") as handle:
        recording = read_recording(handle, SAMPLE_PATH.name)
    with session_factory(engine)() as session:
        existing = find_recording(session, recording.sha256)
    if existing is not None:
        return existing
    analysis = analyze(recording, get_model())
    return write_transaction(
        engine,
        lambda session: save_analysis(
            session, analysis, title=SAMPLE_TITLE, performed_at=SAMPLE_STARTED_AT
        ),
    )


def describe(recording: Recording) -> str:
    """One line about a recording: format, rates, length, sensors."""
    minutes, seconds = divmod(round(recording.duration_s), 60)
    sensors = "gyroscope + accelerometer" if recording.accel is not None else "gyroscope only"
    return (
        f"{recording.source_format} · {recording.original_rate_hz:g} Hz → "
        f"{recording.sample_rate_hz:g} Hz · {minutes} min {seconds:02d} s · {sensors}"
    )


def counts(prepared: Sequence[Prepared]) -> dict[str, Any]:
    """How many recordings are ready, failed, already saved and saved (for the page header)."""
    return {
        "ready": sum(p.analysis is not None and p.saved is None for p in prepared),
        "failed": sum(p.error is not None for p in prepared),
        "already": sum(p.existing is not None for p in prepared),
        "saved": sum(p.saved is not None for p in prepared),
    }
