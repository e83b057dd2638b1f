"""The Session page's recording download: the stored signal as a CSV the Upload page reads back.

No Streamlit here: the page's download button calls ``recording_download`` when clicked.
"""

from __future__ import annotations

from sqlalchemy import Engine

from journal.db import session_factory
from journal.store import load_recording
from journal.views import SessionView
from ml.recordings_export import recording_csv


def recording_download(engine: Engine, recording_id: int) -> bytes:
    """A stored recording as ``ml.recordings_export.recording_csv`` (an hour: about 0.3 s and
    19 MB, hence built on the click, not on every run of the page).

    ``NotFoundError`` once the session is deleted: no file then, rather than one that is not a
    recording (the page says why on the run the click starts: ``ui.widgets.note_download``)."""
    with session_factory(engine)() as session:
        return recording_csv(load_recording(session, recording_id))


def recording_file_name(view: SessionView, number: int | None = None) -> str:
    """"session-12-recording-2024-12-01_07-36-28.csv": the session's date-time in the name, as
    watches name their exports, dates a recording whose file has no clock of its own when it is
    uploaded again. ``number`` tells a session's recordings apart when it has several."""
    which = "recording" if number is None else f"recording-{number}"
    return f"session-{view.id}-{which}-{view.performed_at:%Y-%m-%d_%H-%M-%S}.csv"
