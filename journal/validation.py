"""Checks on the values a user can type into the journal, each with a message saying where."""

from __future__ import annotations

import math
from enum import Enum

#: Longest note or title kept (characters); far beyond anything typed, short of abuse.
MAX_TEXT_CHARS = 20_000


class Unset(Enum):
    """Marks an argument that was not given (None is a value: "no weight")."""

    UNSET = 0


UNSET = Unset.UNSET


def check_reps(reps: object, where: str) -> int:
    """A whole, non-negative rep count."""
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 0:
        raise ValueError(f"{where}: reps must be a whole number ≥ 0, got {reps!r}")
    return reps


def check_weight(weight_kg: object, where: str) -> float | None:
    """None (no weight) or a finite, non-negative number of kilograms."""
    if weight_kg is None:
        return None
    if isinstance(weight_kg, bool) or not isinstance(weight_kg, int | float):
        raise ValueError(f"{where}: weight must be a number of kg, got {weight_kg!r}")
    value = float(weight_kg)
    if not math.isfinite(value) or value < 0 or value > 2000:
        raise ValueError(f"{where}: weight must be between 0 and 2000 kg, got {weight_kg!r}")
    return value


def check_rpe(rpe: object, where: str) -> float | None:
    """None or a rating of perceived exertion between 0 and 10."""
    if rpe is None:
        return None
    if isinstance(rpe, bool) or not isinstance(rpe, int | float) or not 0 <= float(rpe) <= 10:
        raise ValueError(f"{where}: RPE must be a number from 0 to 10, got {rpe!r}")
    return float(rpe)


def check_text(text: object, where: str) -> str:
    """Free text stored verbatim; only NUL characters (which databases refuse) are rejected."""
    if not isinstance(text, str):
        raise ValueError(f"{where} must be text, got {type(text).__name__}")
    if "\x00" in text:
        raise ValueError(f"{where} contains a NUL character, which cannot be stored")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"{where} is {len(text)} characters long; at most {MAX_TEXT_CHARS}")
    return text


def check_span(start_s: float | None, end_s: float | None, where: str) -> None:
    """A set's start and end within its recording: both or neither, start before end."""
    # ml.pipeline._span_samples refuses the same spans before a recount (why twice: see there).
    if (start_s is None) != (end_s is None):
        raise ValueError(f"{where}: give both start and end of the set, or neither")
    if start_s is not None and end_s is not None and not (
        0 <= start_s < end_s and math.isfinite(end_s)
    ):
        raise ValueError(f"{where}: the set must start before it ends (got {start_s}–{end_s} s)")
