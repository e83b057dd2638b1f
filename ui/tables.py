"""Sets as editable tables and back: analysis or stored sets → DataFrame, edited rows → edits.

Pure pandas (no Streamlit), so what the set editors save is tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from journal import exercises
from journal.progress import estimated_one_rep_max
from journal.store import SetEdit
from journal.timing import SetTiming, minutes_seconds, set_timings
from journal.views import SessionView, SetView
from ml.analysis import DetectedSet, SessionAnalysis
from ui.charts import ChartSet, set_label
from ui.count_checks import awaits_check, stored_handling_warnings

#: Columns the user edits, in table order.
EDITABLE = ("exercise", "reps", "weight_kg", "rpe", "notes")


def exercise_options(extra: Sequence[str] = ()) -> list[str]:
    """Catalog ids offered in the exercise column (rest excluded), plus ids already in use."""
    ids = [e.id for e in exercises.CATALOG if e.id != exercises.REST_ID]
    return ids + [i for i in dict.fromkeys(extra) if i not in ids]


def exercise_name(exercise_id: str, names: Mapping[str, str] | None = None) -> str:
    """Display name of a catalog id, or of the user's own exercise from ``names``."""
    return exercises.display_name(exercise_id, names)


def clean_number(value: Any) -> float | None:
    """A table cell as a float, or None for an empty (NaN/None) cell."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def clean_reps(value: Any) -> int:
    """A reps cell as a plain int (empty cells count as 0)."""
    number = clean_number(value)
    return 0 if number is None else round(number)


def detected_frame(analysis: SessionAnalysis) -> pd.DataFrame:
    """The sets found in an upload, one row each (index = position in ``analysis.sets``)."""
    rows = [
        {
            "set": number,
            "exercise": s.exercise,
            "reps": int(s.reps),
            "weight_kg": None,
            "rpe": None,
            "notes": "",
            "start_s": round(s.start_s, 1),
            "end_s": round(s.end_s, 1),
            "confidence": round(float(s.confidence), 2),
        }
        for number, s in enumerate(analysis.sets, start=1)
    ]
    columns = ["set", *EDITABLE, "confidence", "start_s", "end_s"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"weight_kg": "float64", "rpe": "float64", "notes": "object"})


def set_checks(analysis: SessionAnalysis) -> list[str]:
    """What the user should check before saving: each found set's warnings, led by its number
    in the upload table ("Set 2: ...")."""
    return [f"Set {number}: {warning}"
            for number, s in enumerate(analysis.sets, start=1) for warning in s.warnings]


def stored_set_checks(sets: Sequence[SetView]) -> list[str]:
    """The same checks for saved sets the user has neither corrected nor confirmed, led by
    their number in the session: once the user has said what a set is, it asks no more."""
    return [f"Set {s.position}: {warning}" for s in sets if awaits_check(s)
            for warning in stored_handling_warnings(s)]


def analysis_with_edits(
    analysis: SessionAnalysis, edited: pd.DataFrame
) -> tuple[SessionAnalysis, dict[int, SetEdit]]:
    """The analysis to save (rows deleted in the editor dropped) and the user's edits per set.

    ``edited`` is the editor's frame: its index is the position of each kept row in
    ``analysis.sets``. Exercise and reps count as edits only where they differ from the model;
    weight, RPE and notes are the user's alone.
    """
    kept = [int(i) for i in edited.index]
    trimmed = replace(analysis, sets=tuple(analysis.sets[i] for i in kept))
    overrides: dict[int, SetEdit] = {}
    for position, (index, row) in enumerate(zip(kept, edited.to_dict("records"), strict=True)):
        detected = analysis.sets[index]
        edit: SetEdit = {}
        if str(row["exercise"]) != detected.exercise:
            edit["exercise"] = str(row["exercise"])
        if clean_reps(row["reps"]) != detected.reps:
            edit["reps"] = clean_reps(row["reps"])
        weight, rpe = clean_number(row["weight_kg"]), clean_number(row["rpe"])
        if weight is not None:
            edit["weight_kg"] = weight
        if rpe is not None:
            edit["rpe"] = rpe
        notes = "" if pd.isna(row["notes"]) else str(row["notes"])
        if notes:
            edit["notes"] = notes
        if edit:
            overrides[position] = edit
    return trimmed, overrides


def stored_frame(sets: Sequence[SetView], records: Collection[int] = ()) -> pd.DataFrame:
    """A session's stored sets, one row each, indexed by set id; beside the values, ``pr``
    (``RECORD_MARK`` on the sets of ``records``, ids of sets holding a personal record set in
    the session), the rest before each set ("1:45") and its seconds per rep, read off the
    recording."""
    timings = set_timings(sets)
    rows = [
        {
            "set": s.position,
            "exercise": s.exercise,
            "reps": s.reps,
            "weight_kg": s.weight_kg,
            "rpe": s.rpe,
            "notes": s.notes,
            "pr": RECORD_MARK if s.id in records else "",  # blank, not the placeholder dash
            "start_s": None if s.start_s is None else round(s.start_s, 1),
            "end_s": None if s.end_s is None else round(s.end_s, 1),
            "rest": _rest_shown(timings[s.id]),
            "seconds_per_rep": _rounded(timings[s.id].seconds_per_rep),
            "corrected": s.corrected,
            "model_said": _model_said(s),
        }
        for s in sets
    ]
    # The record mark after the editable columns: set, exercise, reps and kg must fit a phone.
    columns = ["set", *EDITABLE, "pr", "start_s", "end_s", *TIMING_COLUMNS, "corrected",
               "model_said"]
    frame = pd.DataFrame(rows, columns=columns, index=pd.Index([s.id for s in sets], name="id"))
    return frame.astype({"weight_kg": "float64", "rpe": "float64", "notes": "object",
                         "pr": "object"})


#: What the ``pr`` column of ``stored_frame`` shows on a set holding a record: words, as
#: Strong's badge (a trophy emoji was a blank box where the browser has no emoji font).
RECORD_MARK = "PR"

#: Columns of ``stored_frame`` read off the recording, shown and never edited.
TIMING_COLUMNS = ("rest", "seconds_per_rep")


def _rest_shown(timing: SetTiming) -> str | None:
    return None if timing.rest_before_s is None else minutes_seconds(timing.rest_before_s)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _model_said(stored: SetView) -> str:
    if stored.model_exercise is None:
        return "added by hand"
    confidence = f" ({stored.model_confidence:.0%})" if stored.model_confidence is not None else ""
    reps = f", {stored.model_reps} reps" if stored.model_reps is not None else ""
    return f"{exercise_name(stored.model_exercise)}{confidence}{reps}"


def stored_changes(original: pd.DataFrame, edited: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """Per set id, the editable fields whose value the user changed (as ``update_set`` kwargs)."""
    changes: dict[int, dict[str, Any]] = {}
    originals = dict(zip(original.index, original.to_dict("records"), strict=True))
    for set_id, row in zip(edited.index, edited.to_dict("records"), strict=True):
        before = originals[set_id]
        changed: dict[str, Any] = {}
        if str(row["exercise"]) != str(before["exercise"]):
            changed["exercise"] = str(row["exercise"])
        if clean_reps(row["reps"]) != clean_reps(before["reps"]):
            changed["reps"] = clean_reps(row["reps"])
        for key in ("weight_kg", "rpe"):
            if clean_number(row[key]) != clean_number(before[key]):
                changed[key] = clean_number(row[key])
        notes = "" if pd.isna(row["notes"]) else str(row["notes"])
        if notes != ("" if pd.isna(before["notes"]) else str(before["notes"])):
            changed["notes"] = notes
        if changed:
            changes[int(set_id)] = changed
    return changes


def detected_chart_sets(sets: Sequence[DetectedSet]) -> list[ChartSet]:
    """Sets found by the pipeline, as the charts draw them."""
    return [
        ChartSet(s.start_s, s.end_s, s.exercise, set_label(s.exercise_name, s.reps), s.rep_times_s)
        for s in sets
    ]


def stored_chart_sets(sets: Sequence[SetView]) -> list[ChartSet]:
    """Stored sets that have a place in the recording, as the charts draw them (a count the
    user typed is not marked in time: the label says how many reps are)."""
    return [
        ChartSet(s.start_s, s.end_s, s.exercise,
                 set_label(s.exercise_name, s.reps, len(s.rep_times_s)), s.rep_times_s,
                 typed_reps=None if s.reps == len(s.rep_times_s) else s.reps)
        for s in sets
        if s.start_s is not None and s.end_s is not None
    ]


def _e1rm(exercise_id: str, weight_kg: float | None, reps: int) -> float | None:
    estimate = (None if exercises.is_assisted(exercise_id)
                else estimated_one_rep_max(weight_kg, reps))
    return None if estimate is None else round(estimate, 1)


def sets_csv(session: SessionView) -> bytes:
    """The session's sets as CSV (UTF-8), one row per set, for download; ``rep_times_s`` are the
    counter's marks (``reps_marked`` of them), ``reps`` the count the journal keeps;
    ``rest_before_s`` and ``seconds_per_rep`` as ``journal.timing`` reads them."""
    timings = set_timings(session.sets)
    rows = [
        {
            "date": session.performed_at.isoformat(sep=" ", timespec="minutes"),
            "session": session.title,
            "set": s.position,
            "exercise": s.exercise_name,
            "exercise_id": s.exercise,
            "family": s.family,
            "reps": s.reps,
            "weight_kg": s.weight_kg,
            # As the Journal's download says it: to 0.1 kg, none for assisted exercises.
            "e1rm_kg": _e1rm(s.exercise, s.weight_kg, s.reps),
            "rpe": s.rpe,
            "start_s": s.start_s,
            "end_s": s.end_s,
            "rest_before_s": _rounded(timings[s.id].rest_before_s),
            "seconds_per_rep": _rounded(timings[s.id].seconds_per_rep),
            "corrected": s.corrected,
            "notes": s.notes,
            # A typed count can differ from the marks: say how many times follow.
            "reps_marked": len(s.rep_times_s),
            "rep_times_s": " ".join(f"{t:.2f}" for t in s.rep_times_s),
        }
        for s in session.sets
    ]
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")
