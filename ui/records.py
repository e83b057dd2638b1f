"""The personal records a session set (``journal.progress.session_records``), in words.

Pure (no Streamlit): the Session page's box and the Upload page's saved message say the same.

    record_lines(records, sets) -> list[str]   # one line per set holding a record
    records_said(lines) -> str                 # "Records in this session:" and the lines
"""

from __future__ import annotations

from collections.abc import Sequence

from journal.progress import SessionRecord
from journal.views import SetView
from ui.progress_dates import day_words
from ui.text import escape_markdown

#: What each kind of record is called (the Progress page's "Heaviest set", "Least
#: assistance", "Best estimated 1RM", in the middle of a sentence).
KIND_WORDS = {"heaviest": "heaviest", "least_assistance": "least assistance",
              "e1rm": "best estimated 1RM"}


def _in_sentence(name: str) -> str:
    """An exercise's name inside a sentence: "Close-grip cable row" → "close-grip cable row";
    a name whose first word is not a capitalised word ("DB fly", "30° incline …") as it is."""
    first = name.split(" ", 1)[0]
    return name[:1].lower() + name[1:] if first[:1].isupper() and first[1:].islower() else name


def _said(record: SessionRecord) -> str:
    before = record.previous
    if record.kind == "e1rm":
        now, was = record.e1rm_kg or 0.0, before.e1rm_kg or 0.0
        digits = 1  # more where 0.1 kg would read "70.0 kg (was 70.0 kg)"
        while f"{now:.{digits}f}" == f"{was:.{digits}f}" and digits < 3:
            digits += 1
        return f"{KIND_WORDS['e1rm']} {now:.{digits}f} kg (was {was:.{digits}f} kg)"
    return (f"{KIND_WORDS[record.kind]} (was {before.weight_kg:g} kg × {before.reps} on "
            f"{day_words(before.performed_at.date())})")


def record_lines(records: Sequence[SessionRecord], sets: Sequence[SetView]) -> list[str]:
    """One Markdown line per set of ``sets`` (the session's) holding one of ``records``, in
    session order: "Set 4, close-grip cable row 58 kg × 10: heaviest (was 55 kg × 10 on 1 Dec
    2024), best estimated 1RM 77.3 kg (was 73.3 kg)". The exercise's name is escaped."""
    by_set: dict[int, list[SessionRecord]] = {}
    for record in records:
        by_set.setdefault(record.set_id, []).append(record)
    lines = []
    for held in sets:
        its = by_set.get(held.id)
        if not its:
            continue
        name = escape_markdown(_in_sentence(held.exercise_name))
        lines.append(f"Set {held.position}, {name} {its[0].weight_kg:g} kg × {its[0].reps}: "
                     + ", ".join(_said(record) for record in its))
    return lines


def records_said(lines: Sequence[str]) -> str:
    """The lines under "Records in this session:", one per line (Markdown line breaks)."""
    return "  \n".join(["Records in this session:", *lines])
