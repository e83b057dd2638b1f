"""Zips as phones and computers make them, for the tests of uploads and imports."""

from __future__ import annotations

import io
import zipfile

#: What a Mac adds to a zip it makes: no file of the user's.
MAC_JUNK = {"__MACOSX/._strong.csv": b"\x00\x05\x16\x07", ".DS_Store": b"\x00\x00\x00\x01Bud1"}


def zipped(files: dict[str, bytes]) -> bytes:
    """A deflated zip of these files (name: bytes), in this order."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, data in files.items():
            packed.writestr(name, data)
    return archive.getvalue()
