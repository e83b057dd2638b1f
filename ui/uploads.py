"""Which uploaded files form one recording: a gyroscope + accelerometer pair, or one file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

_SENSOR_WORD = re.compile(r"(gyroscope|accelerometer)", re.IGNORECASE)


class NamedUpload(Protocol):
    """What the grouping needs of an uploaded file (Streamlit's ``UploadedFile`` has it)."""

    @property
    def name(self) -> str: ...


U = TypeVar("U", bound=NamedUpload)


def _pair_key(name: str) -> tuple[str, str] | None:
    """(name up to the sensor word, sensor) for "..._Gyroscope_25.000Hz_1.4.4.csv"; else None."""
    found = _SENSOR_WORD.search(name)
    if found is None:
        return None
    return name[: found.start()].casefold(), found.group(1).casefold()


def group_uploads(files: Sequence[U]) -> list[list[U]]:
    """Group uploads into recordings, in upload order.

    A MetaMotion export (``X_Gyroscope_25.000Hz.csv`` + ``X_Accelerometer_12.500Hz.csv``) or a
    Sensor Logger phone pair (``Gyroscope.csv`` + ``Accelerometer.csv``) shares the name before
    the sensor word: such a pair, one of each sensor, is one recording. Everything else (zip
    files included: the importer pairs what is inside) is a recording of its own.
    """
    groups: list[list[U]] = []
    open_pairs: dict[str, list[U]] = {}
    for upload in files:
        key = _pair_key(upload.name)
        if key is None:
            groups.append([upload])
            continue
        prefix, sensor = key
        partner = open_pairs.get(prefix)
        if partner is not None and _pair_key(partner[0].name) != key:
            partner.append(upload)
            del open_pairs[prefix]
            continue
        group = [upload]
        groups.append(group)
        open_pairs[prefix] = group
    return groups


def recording_label(group: Sequence[NamedUpload]) -> str:
    """How a recording is named on the page: its file name, or both names joined with " + "."""
    return " + ".join(upload.name for upload in group)
