"""One uploaded recording from bytes to a saved session: read → (already saved?) → analyse → save;
one Strong or Hevy export from bytes to imported sessions: read → preview → import.

No Streamlit here: the Upload page shows the steps, this module does them and turns every
failure into a sentence a person can act on.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from journal.db import session_factory, write_transaction
from journal.progress import session_records
from journal.search import MAX_LIMIT, SetQuery, search_sets
from journal.store import find_recording, load_session, save_analysis
from journal.timing import duration_words
from journal.transfer import ImportPreview, ImportResult, import_workouts_csv, preview_workouts_csv
from journal.views import SaveResult
from ml.analysis import SessionAnalysis
from ml.model import ActivityModel
from ml.pipeline import analyze
from ml.recordings import Recording, RecordingError, read_recording
from ml.recordings_io import read_uploads
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT, SAMPLE_TITLE, sample_weights
from ui.progress_dates import dates_words
from ui.records import record_lines
from ui.tables import analysis_with_edits
from ui.text import explain, plural

#: Steps shown per file, in order.
STEPS = ("read", "analyse", "ready")


@dataclass
class Prepared:
    """What became of one recording (one file, a gyroscope + accelerometer pair, or one of the
    recordings in a zip of several)."""

    label: str
    #: Whose recording: analysed with their model and saved under them (None: the default).
    athlete: str | None = None
    recording: Recording | None = None
    analysis: SessionAnalysis | None = None
    existing: SaveResult | None = None
    error: str | None = None
    saved: SaveResult | None = None
    #: The personal records the saved session set, one line per set (``ui.records``).
    records: tuple[str, ...] = ()


def _read(files: Sequence[BinaryIO], label: str, inside: Sequence[str]) -> Recording:
    if len(files) == 1:
        return read_recording(files[0], getattr(files[0], "name", label), inside=inside)
    return read_recording(list(files))


def last_used_variants(engine: Engine, athlete: str | None = None) -> dict[str, str]:
    """Family → the exercise the lifter logged most recently in it (the model's tie-breaker);
    ``athlete=None``: anyone in the journal."""
    with session_factory(engine)() as session:
        recent = search_sets(session, SetQuery(athlete=athlete, sort="-date",
                                               limit=MAX_LIMIT)).rows
    prior: dict[str, str] = {}
    for row in recent:
        if row.family not in ("rest", "other"):
            prior.setdefault(row.family, row.exercise)
    return prior


def prepare(
    files: Sequence[BinaryIO],
    label: str,
    engine: Engine,
    get_model: Callable[[], ActivityModel],
    on_step: Callable[[str], None] = lambda step: None,
    inside: Sequence[str] = (),
    athlete: str | None = None,
) -> Prepared:
    """Read and analyse one recording for ``athlete`` (``get_model`` gives their model); skip
    the analysis when the journal already has it, whoever's session holds it.

    ``on_step`` is called with "read", "analyse" and "ready" as each step starts. ``inside``: in
    a zip of several recordings (the one file given), the files of this one.
    Never raises for a bad file or a failing analysis: the reason is in ``Prepared.error``.
    """
    result = Prepared(label=label, athlete=athlete)
    try:
        on_step("read")
        result.recording = _read(files, label, inside)
        with session_factory(engine)() as session:
            result.existing = find_recording(session, result.recording)
        if result.existing is None:
            on_step("analyse")
            prior = last_used_variants(engine, athlete)
            result.analysis = analyze(result.recording, get_model(), prior=prior)
        on_step("ready")
    except RecordingError as error:
        result.error = str(error)
    except Exception as error:  # noqa: BLE001 - the page shows a sentence, the log keeps the trace
        result.error = f"{label} could not be analysed: {explain(error)}"
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
    """Save the analysed recording with the user's table edits as one session of
    ``prepared.athlete`` (one transaction), with the personal records it sets in
    ``prepared.records``; one the journal already holds (saved meanwhile, or another file of it
    saved first from the same drop) becomes ``prepared.existing``."""
    if prepared.analysis is None:
        raise ValueError(f"{prepared.label} has no analysis to save")
    analysis, overrides = analysis_with_edits(prepared.analysis, edited_sets)

    def save_and_find_records(session: Session) -> tuple[SaveResult, list[str]]:
        result = save_analysis(
            session,
            analysis,
            athlete=prepared.athlete,
            title=title or None,  # None: the journal names it after the families done
            notes=notes,
            performed_at=performed_at,
            set_overrides=overrides,
        )
        if not result.created:
            return result, []
        # In the same transaction: the records of exactly what was saved.
        saved_sets = load_session(session, result.session_id, with_signal=False).sets
        return result, record_lines(session_records(session, result.session_id), saved_sets)

    result, records = write_transaction(engine, save_and_find_records)
    if result.created:
        prepared.saved = result
        prepared.records = tuple(records)
    else:
        prepared.existing = result
    return result


def load_sample(engine: Engine, get_model: Callable[[], ActivityModel]) -> SaveResult:
    """Analyse the shipped real sample session and save it as the default lifter's (or find it,
    when already saved); ``get_model``: the default lifter's model."""
    with SAMPLE_PATH.open("rb") as handle:
        recording = read_recording(handle, SAMPLE_PATH.name)
    with session_factory(engine)() as session:
        existing = find_recording(session, recording)
    if existing is not None:
        return existing
    analysis = analyze(recording, get_model())
    return write_transaction(
        engine,
        lambda session: save_analysis(
            session, analysis, title=SAMPLE_TITLE, performed_at=SAMPLE_STARTED_AT,
            set_overrides=sample_weights(analysis),
        ),
    )


def describe(recording: Recording) -> str:
    """One line about a recording: format, rates, length, sensors."""
    sensors = "gyroscope + accelerometer" if recording.accel is not None else "gyroscope only"
    return (
        f"{recording.source_format} · {recording.original_rate_hz:g} Hz → "
        f"{recording.sample_rate_hz:g} Hz · {duration_words(recording.duration_s)} · {sensors}"
    )


#: How the page names the apps whose exports it imports.
APP_NAMES = {"strong": "Strong", "hevy": "Hevy"}


@dataclass
class PreparedImport:
    """A Strong or Hevy export dropped on the Upload page: what importing it would do (for
    ``weight_unit``), or why it cannot be imported, or what its import did."""

    label: str
    #: Whose workouts they become (None: the default lifter's).
    athlete: str | None = None
    data: bytes = b""
    weight_unit: str = "kg"
    #: The export's name inside a zip ("week.zip/strong.csv"); None: the upload is the export.
    inside: str | None = None
    preview: ImportPreview | None = None
    error: str | None = None
    imported: ImportResult | None = None


def _named(data: bytes, name: str) -> io.BytesIO:
    """The bytes as a file of this name: the importer's messages name the file."""
    stream = io.BytesIO(data)
    stream.name = name  # BytesIO takes attributes: the importer reads it for its messages
    return stream


def preview_export(prepared: PreparedImport, engine: Engine, weight_unit: str) -> None:
    """Fill in what importing the export with ``weight_unit`` would do (nothing is written);
    a file the importer refuses gets its message, naming the line, in ``prepared.error``."""
    prepared.weight_unit = weight_unit
    try:
        with session_factory(engine)() as session:
            prepared.preview = preview_workouts_csv(
                session, _named(prepared.data, prepared.label), athlete=prepared.athlete,
                weight_unit=weight_unit, inside=prepared.inside)
        prepared.error = None
    except ValueError as error:
        prepared.preview, prepared.error = None, str(error)
    except Exception as error:  # noqa: BLE001 - the page shows a sentence, the log keeps the trace
        prepared.preview = None
        prepared.error = f"{prepared.inside or prepared.label} could not be read: {explain(error)}"


def prepare_export(
    file: BinaryIO, label: str, engine: Engine, athlete: str | None = None,
    weight_unit: str = "kg", inside: str | None = None,
) -> PreparedImport:
    """Read an uploaded export (within the upload size limit, as recordings are; a .csv.gz, or
    the file at ``inside`` of a zip, as ``journal.transfer.exports_in`` names it) and preview
    its import for ``athlete``. Never raises for a bad file: the reason is in ``.error``."""
    prepared = PreparedImport(label=label, athlete=athlete, inside=inside)
    try:
        (upload,) = read_uploads(file, label)
    except RecordingError as error:  # over the upload limit: worded as for a recording
        prepared.error = str(error)
        return prepared
    prepared.data = upload.data
    preview_export(prepared, engine, weight_unit)
    return prepared


def import_export(prepared: PreparedImport, engine: Engine) -> ImportResult:
    """Import the previewed export as ``prepared.athlete``'s sessions (one transaction: all or
    nothing); workouts imported before are skipped."""
    if prepared.preview is None:
        raise ValueError(f"{prepared.label} has nothing to import")
    result = write_transaction(engine, functools.partial(
        import_workouts_csv, source=_named(prepared.data, prepared.label),
        athlete=prepared.athlete, weight_unit=prepared.weight_unit, inside=prepared.inside))
    prepared.imported = result
    return result


def describe_export(preview: ImportPreview) -> str:
    """One line about an export: "Strong export: 42 workouts, 310 sets, 12 Nov 2023 – 5 Dec
    2026"."""
    app = APP_NAMES.get(preview.source_format, preview.source_format)
    if preview.first_at is None or preview.last_at is None:
        return f"{app} export without any workout"
    return (f"{app} export: {plural(preview.workouts, 'workout')}, "
            f"{plural(preview.sets, 'set')}, "
            f"{dates_words(preview.first_at.date(), preview.last_at.date())}")
