"""The one exception the importer raises for input it cannot read (re-exported by ml.recordings)."""

from __future__ import annotations


class RecordingError(ValueError):
    """A file that cannot be read as a motion recording; the message says what and where."""
