"""Uploads → named byte strings: files read, size limit enforced, .gz/.zip opened; the files of
an archive listed by their first bytes, or picked out by name."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, TypeAlias

import appconfig
from ml.recordings_errors import RecordingError

#: A path, a binary file object (its ``name`` or the ``name`` argument is the original file name)
#: or raw bytes.
Source: TypeAlias = "str | os.PathLike[str] | BinaryIO | bytes"

_MB = 1024 * 1024
#: A compressed file may unpack to at most this many times the upload limit.
_UNPACK_FACTOR = 4
#: The first bytes of a zip file (a local file header, or the end record of an empty archive).
_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")
#: The first bytes of a gzip file (and of each member of one).
_GZIP_START = b"\x1f\x8b"
#: What a damaged, encrypted or unsupported zip member raises when read.
_UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)
#: The most files opened in one archive: an export holds a few per recording.
MAX_ARCHIVE_FILES = 1000
#: Archives inside archives are opened this many levels deep, no deeper (a zip may hold itself).
_MAX_NESTING = 4


@dataclass(frozen=True)
class Upload:
    """One file's original name and bytes, and what was wrong with it but could be read around."""

    name: str
    data: bytes
    warnings: tuple[str, ...] = ()


def max_upload_bytes() -> int:
    """``appconfig.MAX_UPLOAD_MB`` in bytes."""
    return int(appconfig.MAX_UPLOAD_MB * _MB)  # read at call time: tests and the app may change it


def _too_big(name: str, size: int) -> RecordingError:
    return RecordingError(
        f"{name} is {size / _MB:.1f} MB, over the {appconfig.MAX_UPLOAD_MB:g} MB upload limit "
        "(MAX_UPLOAD_MB)"
    )


def check_size(name: str, size: int) -> None:
    """``RecordingError`` when ``size`` bytes are over ``appconfig.MAX_UPLOAD_MB``."""
    if size > max_upload_bytes():
        raise _too_big(name, size)


def _read_one(source: Source, name: str | None) -> Upload:
    if isinstance(source, bytes | bytearray):
        data, label = bytes(source), name or "upload"
        if len(data) > max_upload_bytes():
            raise _too_big(label, len(data))
        return Upload(label, data)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name or path.name
        if not path.is_file():
            raise RecordingError(f"{path}: no such file")
        if path.stat().st_size > max_upload_bytes():
            raise _too_big(label, path.stat().st_size)
        return Upload(label, path.read_bytes())
    if not hasattr(source, "read"):
        raise RecordingError(f"cannot read a {type(source).__name__}: give a path or a file")
    label = name or Path(str(getattr(source, "name", "") or "upload")).name
    size = getattr(source, "size", None)  # Streamlit's UploadedFile knows its size
    if source.seekable():
        # The whole upload, even when the caller already read some of it (a preview, a hash).
        if not isinstance(size, int):
            size = source.seek(0, io.SEEK_END)
        source.seek(0)
    if isinstance(size, int) and size > max_upload_bytes():
        raise _too_big(label, size)
    data = source.read(max_upload_bytes() + 1)
    if not isinstance(data, bytes):
        raise RecordingError(f"{label}: open the file in binary mode ('rb')")
    if len(data) > max_upload_bytes():
        raise _too_big(label, len(data))
    return Upload(label, data)


def read_uploads(source: Source | Sequence[Source], name: str | None = None) -> list[Upload]:
    """The uploaded files in name order, each checked against ``appconfig.MAX_UPLOAD_MB``."""
    if isinstance(source, Sequence) and not isinstance(source, str | bytes | bytearray):
        if not source:
            raise RecordingError("no file given")
        uploads = [_read_one(item, None) for item in source]
    else:
        uploads = [_read_one(source, name)]
    total = sum(len(u.data) for u in uploads)
    if total > max_upload_bytes():
        raise _too_big("the upload", total)
    return sorted(uploads, key=lambda u: u.name)


def sha256_of(uploads: list[Upload]) -> str:
    """SHA-256 of the raw bytes, files in name order: the same upload always hashes the same."""
    digest = hashlib.sha256()
    for upload in uploads:
        digest.update(upload.data)
    return digest.hexdigest()


def _gunzip(upload: Upload) -> Upload:
    """The unpacked file; a cut-off .gz keeps its complete lines and says so in a warning."""
    limit = max_upload_bytes() * _UNPACK_FACTOR
    parts: list[bytes] = []
    rest, size = upload.data, 0
    while True:
        # Some tools write several gzip members one after another; all of them are the file.
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        try:
            parts.append(inflater.decompress(rest, limit + 1 - size))
        except zlib.error:
            raise RecordingError(f"{upload.name}: not a valid gzip file") from None
        size += len(parts[-1])
        if size > limit:
            raise RecordingError(f"{upload.name}: unpacks to more than {limit // _MB} MB")
        rest = inflater.unused_data
        if not inflater.eof or rest[:2] != _GZIP_START:
            break  # cut off, or the end (trailing padding is ignored, as gzip itself does)
    data = b"".join(parts)
    # The unpacked file keeps the uploaded name (".csv.gz"): messages name the file the user has.
    if inflater.eof:
        return Upload(upload.name, data)
    # The data ends before gzip's end marker: the copy or download was interrupted. The lines
    # before the cut are intact; the last one may stop mid-number, so it goes.
    again = "copy or download it again"
    if data[:4] in _ZIP_STARTS:
        raise RecordingError(f"{upload.name}: the file is cut off (it ends before its gzip end "
                             f"marker); {again}")
    complete = data[: data.rfind(b"\n") + 1]
    if not complete.strip():
        raise RecordingError(f"{upload.name}: the file is cut off before its first complete "
                             f"line (it ends before its gzip end marker); {again}")
    lines = complete.count(b"\n")
    return Upload(upload.name, complete, (
        f"the file is cut off (it ends before its gzip end marker): only its first {lines:,} "
        f"lines were read, so the recording stops early; {again} for the rest",))


def _is_hidden(member: str) -> bool:
    return member.startswith("__MACOSX/") or Path(member).name.startswith(".")


def _open_zip(upload: Upload) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(upload.data))
    except zipfile.BadZipFile:
        if upload.data[:4] == _ZIP_STARTS[0]:
            # It starts as a zip but its index, kept at the end of a zip file, is missing.
            raise RecordingError(f"{upload.name}: the zip file is cut off or damaged (its index, "
                                 "at the end of the file, is missing); copy or download it "
                                 "again") from None
        raise RecordingError(f"{upload.name}: not a valid zip file") from None


def _files_in(archive: zipfile.ZipFile, upload: Upload, depth: int) -> list[zipfile.ZipInfo]:
    """The archive's files (folders and macOS's hidden files left out), within the limits."""
    if depth > _MAX_NESTING:
        raise RecordingError(f"{upload.name}: archives inside archives more than {_MAX_NESTING} "
                             "deep; unzip it first")
    members = [m for m in archive.infolist() if not m.is_dir() and not _is_hidden(m.filename)]
    if len(members) > MAX_ARCHIVE_FILES:
        raise RecordingError(f"{upload.name}: holds {len(members):,} files, more than the "
                             f"{MAX_ARCHIVE_FILES:,} one archive may hold; split it into smaller "
                             "zips")
    if sum(m.file_size for m in members) > max_upload_bytes() * _UNPACK_FACTOR:
        raise RecordingError(
            f"{upload.name}: unpacks to more than {max_upload_bytes() * _UNPACK_FACTOR // _MB} MB"
        )
    return members


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, upload: Upload) -> bytes:
    try:
        return archive.read(member)
    except _UNPACK_ERRORS as error:
        raise RecordingError(f"{upload.name}: cannot unpack ({error})") from None


def _unzip(upload: Upload, depth: int) -> list[Upload]:
    with _open_zip(upload) as archive:
        return [Upload(f"{upload.name}/{m.filename}", _read_member(archive, m, upload))
                for m in _files_in(archive, upload, depth)]


def unpack(upload: Upload, depth: int = 1) -> tuple[list[Upload], bool]:
    """The files inside an upload (itself if plain) and whether it was an archive.

    Containers are recognised by their first bytes, so a renamed file is still opened.
    """
    if upload.data[:2] == _GZIP_START:
        upload = _gunzip(upload)
    if upload.data[:4] in _ZIP_STARTS:
        inner: list[Upload] = []
        for member in _unzip(upload, depth):
            inner.extend(unpack(member, depth + 1)[0])
        return inner, True
    return [upload], False


@dataclass(frozen=True)
class Entry:
    """A file inside an archive, known by its first bytes: enough to tell what it holds."""

    name: str  # "week.zip/monday/WristMotion.csv", as ``unpack`` names it
    head: bytes  # its first bytes, unpacked when it is a .gz
    inner: tuple[Entry, ...] | None = None  # when it is an archive itself: the files inside


def _head(stream: IO[bytes], size: int) -> bytes:
    """The first ``size`` bytes of a file, unpacked when it is a .gz (only as far as needed)."""
    raw = stream.read(size)
    if raw[:2] != _GZIP_START:
        return raw
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    head = b""
    try:
        while raw and len(head) < size and not inflater.eof:
            head += inflater.decompress(raw, size - len(head))
            raw = inflater.unconsumed_tail or stream.read(_MB)
    except zlib.error:
        pass  # what came before the damage, if anything; reading the file says what is wrong
    return head


def head_of(upload: Upload, size: int) -> bytes:
    """The first ``size`` bytes of an upload, unpacked when it is a .gz (only as far as needed):
    enough to tell what a file holds without unpacking all of it."""
    return _head(io.BytesIO(upload.data), size)


def leaves(entries: Sequence[Entry]) -> list[Entry]:
    """The files among ``entries``, those of archives inside included, in the order given."""
    found: list[Entry] = []
    for entry in entries:
        found.extend(leaves(entry.inner) if entry.inner is not None else [entry])
    return found


def archive_entries(upload: Upload, head_size: int, depth: int = 1) -> list[Entry] | None:
    """The files inside an archive upload, each with its first ``head_size`` bytes; None when the
    upload is not an archive. Only the heads are unpacked (archives inside are read whole), so a
    large archive is looked through quickly; the limits are those of ``unpack``."""
    if head_of(upload, len(_ZIP_STARTS[0]))[:4] not in _ZIP_STARTS:
        return None
    if upload.data[:2] == _GZIP_START:
        upload = _gunzip(upload)
    entries: list[Entry] = []
    with _open_zip(upload) as archive:
        for member in _files_in(archive, upload, depth):
            name = f"{upload.name}/{member.filename}"
            try:
                with archive.open(member) as stream:
                    head = _head(stream, head_size)
            except _UNPACK_ERRORS as error:
                raise RecordingError(f"{upload.name}: cannot unpack ({error})") from None
            if head[:4] in _ZIP_STARTS:
                inside = Upload(name, _read_member(archive, member, upload))
                entries.append(Entry(name, b"", tuple(
                    archive_entries(inside, head_size, depth + 1) or ())))
            else:
                entries.append(Entry(name, head))
    return entries


def archive_files(upload: Upload, names: Sequence[str], depth: int = 1) -> list[Upload]:
    """The files of an archive upload at these names (as ``archive_entries`` gives them), in name
    order, as they are stored: a .gz stays packed, as it would be uploaded on its own."""
    wanted = set(names)
    if upload.data[:2] == _GZIP_START:
        upload = _gunzip(upload)
    found: list[Upload] = []
    with _open_zip(upload) as archive:
        for member in _files_in(archive, upload, depth):
            name = f"{upload.name}/{member.filename}"
            within = [n for n in wanted if n.startswith(name + "/")]
            if name in wanted:
                found.append(Upload(name, _read_member(archive, member, upload)))
                wanted.discard(name)
            elif within:
                inside = Upload(name, _read_member(archive, member, upload))
                found.extend(archive_files(inside, within, depth + 1))
                wanted.difference_update(u.name for u in found)
    if wanted:
        raise RecordingError(f"{upload.name}: {', '.join(sorted(wanted))} not found inside")
    return sorted(found, key=lambda u: u.name)
