"""The Journal page's search: its URL parameters, the journal query, and plain-words descriptions.

A search such as "pull-up sets with 10+ reps" lives in the URL (``?exercise=pull-up&min_reps=10``)
so it can be bookmarked and shared: each filter widget is bound to the parameter named in
``PARAMS``. The page's downloads are built here too, when asked for. No Streamlit.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from journal import exercises
from journal.db import session_factory
from journal.phrase import FILTERS, PhraseSearch, filter_words
from journal.progress import set_volume_kg
from journal.search import SearchRow, SetQuery, all_matching_sets
from journal.transfer import write_strong_csv
from journal.views import NotFoundError

#: Sort choices offered on the page: search sort key → label.
SORTS = {
    "-date": "Newest first",
    "date": "Oldest first",
    "-reps": "Most reps",
    "-weight": "Heaviest",
    "-e1rm": "Strongest first",
    "exercise": "Exercise A–Z",
}


def sort_in_url(value: str) -> str | None:
    """The sort key (of ``SORTS``) a URL's ``sort`` names: the page's label, as its Sort box
    writes it (``?sort=Strongest+first``), or the key ``python -m journal search --sort`` takes
    (``?sort=-e1rm``); None for anything else."""
    if value in SORTS:
        return value
    return next((key for key, label in SORTS.items() if label == value), None)


def unknown_sort(value: str) -> str:
    """What the page says of a URL's ``sort`` that ``sort_in_url`` does not know."""
    choices = ", ".join(f"{label} ({key})" for key, label in SORTS.items())
    return (f"The address asks to sort by “{value}”, which this page does not offer; sorted "
            f"{SORTS['-date'].lower()}. The page's sorts: {choices}.")


#: Rows of a search the page shows (its totals count every match).
RESULT_LIMIT = 500

#: Field → URL query parameter, which is also the key of the widget bound to it.
PARAMS = {
    "exercise": "exercise",
    "date_from": "from",
    "date_to": "to",
    "min_reps": "min_reps",
    "max_reps": "max_reps",
    "min_weight_kg": "min_kg",
    "max_weight_kg": "max_kg",
    "notes": "notes",
    "sort": "sort",
}


def describe(query: SetQuery) -> dict[str, str]:
    """Each active filter (field name) in words: {"min_reps": "at least 10 reps"} (the words
    ``journal.phrase.parse_search`` reads back)."""
    return filter_words({name: getattr(query, name) for name in FILTERS})


def phrase_filters(found: PhraseSearch) -> dict[str, Any]:
    """The filter widgets' values (by key, ``PARAMS``) a search in words sets. A phrase is a new
    search: a filter it does not name is cleared; the sort changes only when it names one."""
    values: dict[str, Any] = {PARAMS[name]: getattr(found, name) for name in FILTERS}
    values[PARAMS["notes"]] = found.notes or ""  # a text box holds "" for no words
    if found.sort is not None:
        values[PARAMS["sort"]] = found.sort
    return values


def without(query: SetQuery, name: str) -> SetQuery:
    """The same search with one filter (a field named by ``describe``) removed."""
    if name not in PARAMS or name == "sort":
        raise ValueError(f"{name!r} is not a filter of the journal search")
    cleared: dict[str, Any] = {name: None}
    return replace(query, **cleared)


def exercise_suggestions(used_names: Sequence[str]) -> list[str]:
    """Options of the exercise search box: families first, then names used, then the catalog."""
    families = [f for f in exercises.FAMILIES if f not in (exercises.REST_ID, "other")]
    names = [e.name for e in exercises.CATALOG if e.family not in (exercises.REST_ID, "other")]
    return list(dict.fromkeys([*families, *used_names, *names]))


#: The results table's columns as the page shows them (the ids ride along, hidden).
#: Exercise, reps and kg first: a phone shows three or four columns of the table.
SHOWN_COLUMNS = (
    "exercise", "reps", "weight_kg", "date", "e1rm_kg", "volume_kg", "rpe", "corrected", "notes",
    "session",
)


def results_frame(rows: Sequence[SearchRow]) -> pd.DataFrame:
    """Search results as the page's table, one row per set (index = set id)."""
    frame = pd.DataFrame(
        [
            {
                "date": row.performed_at,
                "exercise": row.exercise_name,
                "reps": row.reps,
                "weight_kg": row.weight_kg,
                "e1rm_kg": row.e1rm_kg,
                "volume_kg": set_volume_kg(row.exercise, row.weight_kg, row.reps),
                "rpe": row.rpe,
                "corrected": row.corrected,
                "notes": row.notes,
                "session": row.session_title,
                "session_id": row.session_id,
                "exercise_id": row.exercise,
            }
            for row in rows
        ],
        columns=[*SHOWN_COLUMNS, "session_id", "exercise_id"],
        index=pd.Index([row.set_id for row in rows], name="set_id"),
    )
    return frame.astype(
        {"weight_kg": "float64", "e1rm_kg": "float64", "volume_kg": "float64", "rpe": "float64"}
    )


#: Columns of the search download: those of the Session page's sets CSV (``ui.tables.sets_csv``)
#: that a search row has, the estimated 1RM the table shows, and the session's id (a search
#: spans many sessions).
CSV_COLUMNS = (
    "date", "session", "set", "exercise", "exercise_id", "family", "reps", "weight_kg", "e1rm_kg",
    "rpe", "corrected", "notes", "session_id",
)


def results_csv(rows: Sequence[SearchRow]) -> bytes:
    """Search results as CSV (UTF-8), one row per set, in the order given."""
    frame = pd.DataFrame(
        {
            "date": [row.performed_at.isoformat(sep=" ", timespec="minutes") for row in rows],
            "session": [row.session_title for row in rows],
            "set": [row.position for row in rows],
            "exercise": [row.exercise_name for row in rows],
            "exercise_id": [row.exercise for row in rows],
            "family": [row.family for row in rows],
            "reps": [row.reps for row in rows],
            "weight_kg": pd.array([row.weight_kg for row in rows], dtype="Float64"),
            # An estimate: to 0.1 kg, as the page shows it (70 kg × 8 reads 88.7, not 88.666…).
            "e1rm_kg": pd.array([None if row.e1rm_kg is None else round(row.e1rm_kg, 1)
                                 for row in rows], dtype="Float64"),
            "rpe": pd.array([row.rpe for row in rows], dtype="Float64"),
            "corrected": [row.corrected for row in rows],
            "notes": [row.notes for row in rows],
            "session_id": [row.session_id for row in rows],
        },
        columns=list(CSV_COLUMNS),
    )
    return frame.to_csv(index=False).encode("utf-8")


def search_download(engine: Engine, query: SetQuery) -> bytes:
    """Every set the search matches (not one page of them) as ``results_csv``; for the page's
    download button, which calls it only when clicked.

    The page shows the button for a search that found sets: when none match on the click, they
    were deleted meanwhile, and ``NotFoundError`` gives no file rather than an empty one (the
    page says why on the run the click starts: ``ui.widgets.note_download``)."""
    with session_factory(engine)() as session:
        rows = all_matching_sets(session, query)
    if not rows:
        raise NotFoundError("no set matches the search any more (deleted since it was shown)")
    return results_csv(rows)


def strong_download(engine: Engine, athlete: str) -> bytes:
    """The lifter's whole journal as a Strong CSV export (weights in kg), UTF-8;
    ``NotFoundError`` when it holds no set any more (as ``search_download``)."""
    text = io.StringIO()
    with session_factory(engine)() as session:
        if not write_strong_csv(session, text, athlete=athlete):
            raise NotFoundError(f"{athlete} has no set in the journal any more (deleted since "
                                "the page was shown)")
    return text.getvalue().encode("utf-8")
