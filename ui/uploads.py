"""Which uploaded files form one recording: a gyroscope + accelerometer pair, one file, or each
recording inside a zip of several; and which are, or hold, a workout app's export instead."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from journal.transfer import ExportFile, exports_in
from ml.recordings import Part, RecordingError, recordings_in, sensor_files_in
from ml.recordings_files import group_by_name, recording_name


class NamedUpload(Protocol):
    """What the grouping needs of an uploaded file (Streamlit's ``UploadedFile`` has it)."""

    @property
    def name(self) -> str: ...


class UploadedFile(NamedUpload, Protocol):
    """An uploaded file as the page has it: a name, an id for this upload, its bytes."""

    @property
    def file_id(self) -> str: ...

    def getvalue(self) -> bytes: ...


U = TypeVar("U", bound=NamedUpload)
F = TypeVar("F", bound=UploadedFile)


def group_uploads(files: Sequence[U]) -> list[list[U]]:
    """Group uploads into recordings, in upload order.

    A MetaMotion export (``X_Gyroscope_25.000Hz.csv`` + ``X_Accelerometer_12.500Hz.csv``) or a
    Sensor Logger phone pair (``Gyroscope.csv`` + ``Accelerometer.csv``) shares the name before
    the sensor word: such a pair, one of each sensor, is one recording. Everything else (zip
    files included: ``recordings_on_page`` looks inside) is a recording of its own.
    """
    return group_by_name(files, lambda upload: upload.name)


def recording_label(group: Sequence[NamedUpload]) -> str:
    """How a recording is named on the page (``ml.recordings_files.recording_name``)."""
    return recording_name([upload.name for upload in group])


@dataclass(frozen=True)
class PageRecording(Generic[F]):
    """One recording on the Upload page, to check and save on its own."""

    key: str  # stable while its files stay uploaded: names its widgets
    label: str  # "export.zip: monday.csv" for one of several recordings inside a zip
    files: tuple[F, ...]
    inside: tuple[str, ...] = ()  # in a zip of several: its files there (read_recording(inside=))
    #: In a zip of several: the zip's name ("export.zip") and the recording's own ("monday.csv"),
    #: for a phone, which names the zip once above its recordings ("" and the label elsewhere).
    archive: str = ""
    name: str = ""


def archive_parts(file: UploadedFile) -> list[Part]:
    """The recordings in a zip of several; [] for any other file, and for a zip that cannot be
    opened (reading it as one recording then says what is wrong)."""
    try:
        return recordings_in(file.getvalue(), file.name)
    except RecordingError:
        return []


@dataclass(frozen=True)
class UploadKind:
    """What an uploaded file is: the Strong or Hevy exports it is or holds, and whether it is
    (also) read as a recording."""

    exports: tuple[ExportFile, ...] = ()
    recording: bool = True


def upload_kind(file: UploadedFile) -> UploadKind:
    """A Strong or Hevy export (plain, .csv.gz or zipped: told by its header, as the importer
    tells them) is no recording; a zip holding exports is one too when it also holds sensor
    files. Anything else is a recording, or a file to be refused as one: a zip that cannot be
    opened among them (reading it as a recording says what is wrong)."""
    data = file.getvalue()
    try:
        exports = tuple(exports_in(data, file.name))
    except RecordingError:
        return UploadKind()
    if not exports:
        return UploadKind()
    if any(export.inside is None for export in exports):  # the file itself is the export
        return UploadKind(exports, recording=False)
    try:
        return UploadKind(exports, recording=bool(sensor_files_in(data, file.name)))
    except RecordingError:  # over the upload limit: the export's box says so
        return UploadKind(exports, recording=False)


@dataclass(frozen=True)
class PageExport(Generic[F]):
    """One Strong or Hevy export on the Upload page, to preview and import on its own."""

    key: str  # stable while its file stays uploaded: names its widgets
    label: str  # "workouts.zip: strong.csv" for an export inside a zip
    file: F
    inside: str | None = None  # its name inside the zip (``prepare_export(inside=...)``)


def exports_on_page(files: Sequence[F], kind_of: Callable[[F], UploadKind]) -> list[PageExport[F]]:
    """The exports of an upload, in upload order: a file that is one, and each export inside a
    zip, named "workouts.zip: strong.csv" as a recording in a zip of several is."""
    exports: list[PageExport[F]] = []
    for file in files:
        for number, export in enumerate(kind_of(file).exports):
            if export.inside is None:
                exports.append(PageExport(file.file_id, file.name, file))
            else:
                inner = export.inside.removeprefix(file.name + "/")
                exports.append(PageExport(f"{file.file_id}-{number}", f"{file.name}: {inner}",
                                          file, export.inside))
    return exports


def recordings_on_page(
    files: Sequence[F], parts_of: Callable[[F], list[Part]] = archive_parts
) -> list[PageRecording[F]]:
    """The recordings of an upload, in upload order: pairs and single files (``group_uploads``),
    and a zip of several recordings as one of each, named "export.zip: monday.csv"."""
    recordings: list[PageRecording[F]] = []
    for group in group_uploads(files):
        parts = parts_of(group[0]) if len(group) == 1 else []
        if not parts:
            key = "+".join(upload.file_id for upload in group)
            label = recording_label(group)
            recordings.append(PageRecording(key, label, tuple(group), name=label))
        for number, part in enumerate(parts):
            recordings.append(PageRecording(f"{group[0].file_id}-{number}",
                                            f"{group[0].name}: {part.name}", (group[0],),
                                            part.files, archive=group[0].name, name=part.name))
    return recordings
