"""Session page: the gyroscope of one session with its sets and reps; correct, download, delete."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

import appconfig
from journal.db import session_factory
from journal.progress import SessionRecord, session_records
from journal.store import load_session
from journal.timing import duration_words, median_rest_s, minutes_seconds, set_timings
from journal.views import NotFoundError, SessionView, SetView
from ml.recordings_files import recording_name
from ui import session_edits
from ui.charts import motion_figure, span_from_selection
from ui.count_checks import sets_asked_about, stored_count_checks
from ui.device import on_phone
from ui.lifter import current_lifter, lifter_params, use_lifter
from ui.records import record_lines, records_said
from ui.resources import counter_card, journal_engine
from ui.session_files import recording_download, recording_file_name
from ui.session_tools import (
    confirm_asked_sets,
    delete_session_box,
    run_edit,
    set_namer,
    set_tools,
    show_edit_notice,
    span_actions,
)
from ui.tables import TIMING_COLUMNS, sets_csv, stored_changes, stored_frame, stored_set_checks
from ui.tables import stored_chart_sets as chart_sets
from ui.text import escape_markdown, plural
from ui.widgets import (
    JOURNAL_PAGE,
    clicked_download,
    new_exercise_box,
    newest_sessions,
    note_download,
    session_links,
    session_title,
    set_columns,
    stop_when_nothing_to_show,
)

engine = journal_engine()
lifter = current_lifter()
clicked = clicked_download()


def pick_session() -> None:
    """No (valid) session in the URL: offer the lifter's recent ones."""
    st.title(":material/monitor_heart: Session")
    recent = newest_sessions(limit=100, athlete=lifter)
    if not recent:
        stop_when_nothing_to_show("session_load_sample", lifter)
    labels = {s.id: session_title(s) for s in recent}
    choice = st.selectbox(
        "Open a session",
        list(labels),
        index=None,
        format_func=lambda i: labels[i],
        key="session_pick",
        placeholder="Pick a recent session",
    )
    st.page_link(JOURNAL_PAGE, label="Or search the journal", icon=":material/search:",
                 query_params=lifter_params())
    session_links("Latest", recent[:5])
    if choice is not None:
        st.query_params["session"] = str(choice)
        st.rerun()
    st.stop()


def load_view() -> SessionView:
    raw = st.query_params.get("session", "")
    if not raw.isdigit():
        pick_session()
    try:
        with session_factory(engine)() as db:
            try:
                return load_session(db, int(raw), with_signal=True)
            except NotFoundError:
                raise
            except ValueError as error:  # a stored signal this version cannot decode
                st.warning(f"The recording of this session cannot be shown: {error}")
                return load_session(db, int(raw), with_signal=False)
    except NotFoundError:
        if clicked == f"session {raw}":  # its recording, asked for on the page shown before
            st.error(f"Session {raw} was deleted since this page was opened; nothing to download.")
        else:
            st.error(f"There is no session {raw} in the journal (it may have been deleted).")
        del st.query_params["session"]
        pick_session()
        raise  # unreachable: pick_session stops the script


def load_records(session_id: int) -> list[SessionRecord]:
    """The personal records the session set, as the journal holds it now (read on each run:
    a corrected weight or count takes a record away, or gives one)."""
    with session_factory(engine)() as db:
        return session_records(db, session_id)


view = load_view()
records = load_records(view.id)
rev = st.session_state.get("session_rev", 0)
base = f"{view.id}_{rev}"

st.title(escape_markdown(view.title or "Workout"), anchor=False)
recording = next((r for r in view.recordings if r.signal is not None), None)
described = f"{view.performed_at:%A %d %B %Y, %H:%M}"
if recording is not None:
    described += f" · {recording_name(recording.file_names)} ({recording.source_format})"
st.caption(escape_markdown(described))
if view.athlete != lifter:  # opened by a link or a search result of another lifter
    owner = escape_markdown(view.athlete)
    st.info(
        f"This is **{owner}'s** session ({escape_markdown(lifter)} is the lifter chosen). "
        f"Changes made here change {owner}'s session; its sets count in {owner}'s journal, "
        "progress and model.",
        icon=":material/person:",
    )
    if not appconfig.journal_athlete():
        st.button(f"Switch to {owner}", key="session_switch_lifter", on_click=use_lifter,
                  args=(view.athlete,), icon=":material/switch_account:")
# A row that wraps: four across a desktop, two by two on a phone (columns would stack them).
with st.container(horizontal=True, gap="medium", key="session_metrics"):
    st.metric("Sets", len(view.sets), width="content")
    st.metric("Reps", sum(s.reps for s in view.sets), width="content")
    st.metric("Corrected by you", sum(s.corrected for s in view.sets), width="content")
    if recording is not None:
        st.metric("Recording", duration_words(recording.duration_s), width="content")
    if (rest := median_rest_s(set_timings(view.sets))) is not None:
        st.metric("Rest between sets", minutes_seconds(rest), width="content",
                  help="The median time from the end of one set to the start of the next, "
                       "as the recording shows them")
if lines := record_lines(records, view.sets):
    st.success(records_said(lines), icon=":material/trophy:")
if view.notes:
    st.text(view.notes)
for warning in view.warnings:
    st.warning(warning, icon=":material/warning:")
# Sets that may be handling; then the sets of each exercise the counter is measured
# to miscount, one box per exercise (ui.count_checks).
for check in [*stored_set_checks(view.sets), *stored_count_checks(view.sets, counter_card())]:
    st.info(check, icon=":material/help:")
if asked := sets_asked_about(view.sets, counter_card()):
    confirm_asked_sets(asked, engine, base)

sets_by_id: dict[int, SetView] = {s.id: s for s in view.sets}
recorded_sets = [s for s in view.sets if s.start_s is not None and s.end_s is not None]


set_name = set_namer(view)


span: tuple[float, float] | None = None
if recording is not None and recording.signal is not None:
    signal = recording.signal
    times = np.arange(signal.gyro.shape[0]) / signal.sample_rate_hz
    zoom_choices = [0] + [s.id for s in recorded_sets]
    zoom = st.selectbox(
        "Zoom to",
        zoom_choices,
        key=f"session_zoom_{view.id}",
        help="Long sessions are thinned for display (the peaks kept); a zoomed set shows every "
        "sample.",
        format_func=lambda i: "The whole session" if i == 0 else set_name(i),
    )
    detail = None
    if zoom:
        zoomed = sets_by_id[zoom]
        detail = (float(zoomed.start_s or 0.0), float(zoomed.end_s or 0.0))
    drawn = chart_sets(recorded_sets)
    # A phone's plot has room for set numbers only, except zoomed into a set.
    phone = on_phone()
    gyro_tab, accel_tab = st.tabs(["Gyroscope", "Accelerometer"])
    with gyro_tab:
        event = st.plotly_chart(
            motion_figure(
                times, signal.gyro, drawn, kind="gyro", detail_span=detail, phone=phone
            ),
            key=f"session_gyro_{base}",
            on_select="rerun",
            selection_mode="box",
            config={"displaylogo": False},
        )
        span = span_from_selection(event.selection if event is not None else None)
        st.caption(
            "Drag across the plot to select a span, then move a set to it or add one. "
            "Triangles mark the reps the counter found; where you typed another count, the "
            "set's label says how many are marked."
        )
    with accel_tab:
        if signal.accel is None:
            st.info("This recording has no accelerometer.")
        else:
            st.plotly_chart(
                motion_figure(
                    times, signal.accel, drawn, kind="accel", detail_span=detail, phone=phone
                ),
                key=f"session_accel_{base}",
                config={"displaylogo": False},
            )
elif not view.recordings:
    st.info("This session has no recording (it was typed in or imported from a CSV).")

if span is not None and recording is not None:
    span_actions(span, view, recorded_sets, recording.id, engine, base)

st.subheader("Sets", anchor=False)
show_edit_notice()
new_exercise_box(f"session_new_exercise_{base}")
original = stored_frame(view.sets, {record.set_id for record in records})
edited = st.data_editor(
    original,
    placeholder="–",
    key=f"session_sets_{base}",
    hide_index=True,
    column_config=set_columns([s.exercise for s in view.sets]),
    disabled=["set", "pr", "start_s", "end_s", *TIMING_COLUMNS, "corrected", "model_said"],
    # Sets typed in or imported have no place in a recording: their times would be empty.
    column_order=None if recorded_sets else [
        c for c in original.columns if c not in ("start_s", "end_s", *TIMING_COLUMNS)],
)
changes = stored_changes(original, edited)
save_column, download_column = st.columns([1, 1])
if save_column.button(
    "Save changes",
    key=f"session_save_{base}",
    type="primary",
    disabled=not changes,
    icon=":material/save:",
):
    run_edit(
        lambda: session_edits.save_table_changes(engine, changes),
        f"{plural(len(changes), 'set')} saved",
    )
# Recordings whose signal could not be decoded are shown no button (the page said why).
downloadable = [r for r in view.recordings if r.signal is not None]
several = len(downloadable) > 1
with download_column, st.container(horizontal=True, key="session_downloads"):
    st.download_button(
        "Download the sets (CSV)",
        sets_csv(view),
        file_name=f"session-{view.id}-sets.csv",
        mime="text/csv",
        key=f"session_download_{view.id}",
        icon=":material/download:",
    )
    for number, stored in enumerate(downloadable, start=1):
        # Built when clicked (as the Journal page's downloads): an hour is 180,000 rows.
        st.download_button(
            f"Download recording {number} (CSV)" if several else "Download the recording (CSV)",
            functools.partial(recording_download, engine, stored.id),
            file_name=recording_file_name(view, number if several else None),
            mime="text/csv",
            key=f"session_download_recording_{stored.id}",
            on_click=note_download,
            args=(f"session {view.id}",),
            icon=":material/download:",
            help="The motion as the journal keeps it, 50 samples a second: time in seconds "
                 "(and the clock time, where the watch gave it), gyroscope in rad/s, "
                 "accelerometer in g. The Upload page reads it back.",
        )

set_tools(view, recorded_sets, recording.id if recording else None, engine, base)
delete_session_box(view, engine)
