"""Streamlit pieces several pages share: set-table columns, session links, the sample button."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from journal.catalog import MAX_NAME_CHARS
from journal.db import session_factory
from journal.exercises import FAMILIES, REST_ID
from journal.models import DEFAULT_ATHLETE
from journal.queries import SessionSummary
from journal.store import count_sessions, list_sessions
from ml.learning import MIN_SETS_NEW_EXERCISE
from ui.lifter import lifter_params
from ui.resources import activity_model, journal_engine
from ui.session_edits import name_exercise, own_exercises
from ui.tables import exercise_name, exercise_options
from ui.text import escape_markdown, explain, plural
from ui.upload_flow import load_sample

SESSION_PAGE = "app_pages/session.py"
UPLOAD_PAGE = "app_pages/upload.py"
JOURNAL_PAGE = "app_pages/journal.py"
#: Session-state key of the "session deleted" notice the Journal page shows once.
DELETED_NOTICE = "journal_deleted_notice"
#: Session-state key of what the download button clicked asked for (``note_download``).
DOWNLOAD_CLICKED = "download_clicked"
#: Families a user's own exercise can join (so a search for "row" finds their row variant).
MOVEMENT_FAMILIES = [f for f in FAMILIES if f not in (REST_ID, "other")]


def set_columns(in_use: Sequence[str] = (), compact: bool = False) -> dict[str, Any]:
    """Column config of a set editor: exercise picked by name from the catalog and the user's
    own exercises, numbers bounded.

    ``compact`` narrows set, exercise and kg for a phone's table whose rows can be deleted (the
    Upload page): its row handles take 33 px of the 326 a 360 px phone gives the grid, and set,
    exercise, reps and kg must fit the other 293 ("Reps" beside its edit icon needs 60).
    """
    own = own_exercises(journal_engine())
    # Pixel widths and short labels: beside the Upload page's plot, every editable column and
    # the confidence fit a 1400 px window without a horizontal scroll (a browser test checks);
    # set, exercise, reps and kg fit a 360 px phone's table (328 px), or with row handles in
    # compact widths.
    width = dict(set=36, exercise=146, reps=60, weight_kg=50) if compact else dict(
        set=40, exercise=165, reps=60, weight_kg=60)
    return {
        "set": st.column_config.NumberColumn("Set", disabled=True, width=width["set"]),
        "exercise": st.column_config.SelectboxColumn(
            "Exercise",
            options=exercise_options([*in_use, *own]),
            format_func=lambda exercise_id: exercise_name(str(exercise_id), own),
            required=True,
            width=width["exercise"],
        ),
        "reps": st.column_config.NumberColumn(
            "Reps", min_value=0, max_value=500, step=1, width=width["reps"]
        ),
        "weight_kg": st.column_config.NumberColumn(
            "kg", help="Weight in kg", min_value=0.0, max_value=2000.0, step=0.5, format="%.1f",
            width=width["weight_kg"],
        ),
        "rpe": st.column_config.NumberColumn(
            "RPE", help="Rate of perceived exertion, 0-10", min_value=0.0, max_value=10.0,
            step=0.5, format="%.1f", width=60,
        ),
        "notes": st.column_config.TextColumn("Notes", max_chars=2000, width=100),
        "pr": st.column_config.TextColumn(
            "PR", help="A personal record set by this session (the box under the session's "
            "figures says which, and what it beat)", disabled=True, width=40),
        "start_s": st.column_config.NumberColumn("Start (s)", disabled=True, format="%.1f"),
        "end_s": st.column_config.NumberColumn("End (s)", disabled=True, format="%.1f"),
        "rest": st.column_config.TextColumn(
            "Rest", help="Rest before the set (min:s): from the end of the set before it in "
            "the recording", disabled=True, width=60),
        "seconds_per_rep": st.column_config.NumberColumn(
            "s/rep", help="Seconds per rep: the median time between its rep marks",
            disabled=True, format="%.1f", width=60),
        "confidence": st.column_config.ProgressColumn(
            "Confidence", help="How sure the model is of the exercise", min_value=0.0,
            max_value=1.0, format="percent", width=90,
        ),
        "corrected": st.column_config.CheckboxColumn("Corrected", disabled=True),
        "model_said": st.column_config.TextColumn("Model said", disabled=True),
    }


def new_exercise_box(key: str) -> None:
    """Name an exercise the list lacks; from then on every exercise picker offers it.

    Shown above a set table, so an exercise added here is in the table's list in the same run.
    """
    with st.popover("Exercise not in the list?", icon=":material/add_circle:"):
        st.caption(
            "Name it once, then pick it in the Exercise column. Once "
            f"{MIN_SETS_NEW_EXERCISE} or more sets carry it, the model can learn to recognise "
            "it (Model page → Retrain). A name with "
            "“assisted” in it (“Assisted dip”) takes its kg as the machine's help: less is "
            "the record, and it adds no volume."
        )
        name = st.text_input(
            "Name", key=f"{key}_name", max_chars=MAX_NAME_CHARS,
            placeholder="e.g. Hanging knee raise",
        )
        family = st.selectbox(
            "Closest movement", ["other", *MOVEMENT_FAMILIES], key=f"{key}_family",
            format_func=lambda f: "none of these" if f == "other" else f,
        )
        if st.button("Add to the list", key=f"{key}_add", icon=":material/add:"):
            try:
                exercise_id, created = name_exercise(journal_engine(), name, family)
            except Exception as error:  # noqa: BLE001 - every failure becomes a sentence
                st.error(f"Not added: {explain(error)}")
                return
            label = exercise_name(exercise_id, own_exercises(journal_engine()))
            if created:
                st.success(f"“{label}” added: pick it in the Exercise column.")
            else:
                st.info(f"That is “{label}”, already in the list.")


def session_link(session_id: int, label: str) -> None:
    """A link to the Session page showing this session (id and lifter in the URL)."""
    st.page_link(
        SESSION_PAGE,
        label=label,
        icon=":material/open_in_new:",
        query_params=lifter_params(session=str(session_id)),
    )


def session_title(summary: SessionSummary) -> str:
    """How a session is named in pickers and links: "2024-12-01 07:36 · Pull-up · Row · 5 sets"."""
    return (f"{summary.performed_at:%Y-%m-%d %H:%M} · {summary.title or 'Workout'} · "
            f"{plural(summary.n_sets, 'set')}")


def newest_sessions(limit: int, athlete: str) -> list[SessionSummary]:
    """The lifter's newest ``limit`` sessions, newest first (none yet: empty)."""
    with session_factory(journal_engine())() as db:
        return list_sessions(db, athlete=athlete, limit=limit)


def session_links(heading: str, summaries: Sequence[SessionSummary]) -> None:
    """One-click links to these sessions under a heading."""
    st.caption(heading)
    for summary in summaries:
        session_link(summary.id, session_title(summary))


def journal_is_empty() -> bool:
    """Whether the journal holds no session yet."""
    with session_factory(journal_engine())() as session:
        return count_sessions(session) == 0


def note_download(what: str) -> None:
    """A download button's ``on_click``: keep what it asked for, for the rerun the click starts.

    A file built on the click (``data`` a callable) is built on a thread of Streamlit's where
    nothing a page says is shown: when it fails (the session deleted meanwhile) the browser
    gets no file and, under the button, only Streamlit's "Failed to generate file for download"
    (gone with the button when the page reruns). The rerun is where the page can say why.
    """
    st.session_state[DOWNLOAD_CLICKED] = what


def clicked_download() -> str | None:
    """What the download clicked asked for (``note_download``) on the run the click started;
    None on any other run (read once: a later run must not repeat its message)."""
    return st.session_state.pop(DOWNLOAD_CLICKED, None)


def stop_when_nothing_to_show(sample_key: str, lifter: str, emptied: str | None = None) -> None:
    """An empty journal: offer the sample session; a journal with others' sessions only: say
    the lifter has none yet. Either stops the page; otherwise nothing happens.

    ``emptied`` is said first when the page stops: what a click asked for is gone since the
    page was shown (a download of sessions deleted meanwhile)."""
    with session_factory(journal_engine())() as session:
        if count_sessions(session, athlete=lifter):
            return
        others = count_sessions(session)
    if emptied:
        st.warning(emptied, icon=":material/delete:")
    if not others:
        sample_offer(sample_key)
    else:
        name = escape_markdown(lifter)
        st.info(
            f"{name} has no sessions in the journal yet. Upload a recording: it is saved as "
            f"{name}'s (the lifter is chosen in the sidebar).",
            icon=":material/person:",
        )
    st.page_link(UPLOAD_PAGE, label="Upload a recording", icon=":material/upload_file:",
                 query_params=lifter_params())
    st.stop()


def sample_offer(key: str) -> None:
    """On an empty journal: one click analyses and saves the real sample session as the default
    lifter's, then opens it."""
    st.info(
        "Your journal is empty. Upload a recording below, or look around first with a real "
        "sample: five sets (assisted pull-ups, a cable row, curls) recorded with an Apple Watch.",
        icon=":material/waving_hand:",
    )
    if st.button("Load the sample session", key=key, type="primary", icon=":material/bolt:"):
        try:
            with st.spinner("Reading and analysing the sample session…"):
                result = load_sample(journal_engine(), lambda: activity_model(DEFAULT_ATHLETE))
        except Exception as error:  # noqa: BLE001 - every failure becomes a sentence
            st.error(f"The sample session could not be loaded: {explain(error)}")
            return
        st.switch_page(SESSION_PAGE, query_params=lifter_params(session=str(result.session_id)))
