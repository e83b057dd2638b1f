"""Session page: the gyroscope of one session with its sets and reps; correct, download, delete."""

from __future__ import annotations

import numpy as np
import streamlit as st

from journal.db import session_factory
from journal.store import list_sessions, load_session
from journal.views import JournalError, SessionView, SetView
from ui import session_edits
from ui.charts import motion_figure, span_from_selection
from ui.resources import journal_engine
from ui.tables import exercise_name, exercise_options, sets_csv, stored_changes, stored_frame
from ui.tables import stored_chart_sets as chart_sets
from ui.text import escape_markdown, plural
from ui.widgets import JOURNAL_PAGE, UPLOAD_PAGE, journal_is_empty, sample_offer, set_columns

engine = journal_engine()


def pick_session() -> None:
    """No (valid) session in the URL: offer the recent ones."""
    st.title(":material/monitor_heart: Session")
    if journal_is_empty():
        sample_offer("session_load_sample")
        st.page_link(UPLOAD_PAGE, label="Upload a recording", icon=":material/upload_file:")
        st.stop()
    with session_factory(engine)() as db:
        recent = list_sessions(db, limit=100)
    labels = {
        s.id: f"{s.performed_at:%Y-%m-%d %H:%M} · {s.title or 'Workout'} · {s.n_sets} sets"
        for s in recent
    }
    choice = st.selectbox(
        "Open a session",
        list(labels),
        index=None,
        format_func=lambda i: labels[i],
        key="session_pick",
        placeholder="Pick a recent session",
    )
    st.page_link(JOURNAL_PAGE, label="Or search the journal", icon=":material/search:")
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
            return load_session(db, int(raw), with_signal=True)
    except JournalError:
        st.error(f"There is no session {raw} in the journal (it may have been deleted).")
        del st.query_params["session"]
        pick_session()
        raise  # unreachable: pick_session stops the script


def run_edit(action, success: str) -> None:
    """Run one correction; a refused one is shown as an error, a done one reloads the page."""
    try:
        action()
    except (ValueError, LookupError) as error:
        st.error(f"Not changed: {error}")
        return
    st.session_state["session_rev"] = st.session_state.get("session_rev", 0) + 1
    st.toast(success, icon=":material/check:")
    st.rerun()


view = load_view()
rev = st.session_state.get("session_rev", 0)
base = f"{view.id}_{rev}"

st.title(escape_markdown(view.title or "Workout"), anchor=False)
recording = next((r for r in view.recordings if r.signal is not None), None)
described = f"{view.performed_at:%A %d %B %Y, %H:%M}"
if recording is not None:
    described += f" · {', '.join(recording.file_names)} ({recording.source_format})"
st.caption(escape_markdown(described))
metrics = st.columns(4)
metrics[0].metric("Sets", len(view.sets))
metrics[1].metric("Reps", sum(s.reps for s in view.sets))
metrics[2].metric("Corrected by you", sum(s.corrected for s in view.sets))
if recording is not None:
    minutes, seconds = divmod(round(recording.duration_s), 60)
    metrics[3].metric("Recording", f"{minutes} min {seconds:02d} s")
if view.notes:
    st.text(view.notes)
for warning in view.warnings:
    st.warning(warning, icon=":material/warning:")

sets_by_id: dict[int, SetView] = {s.id: s for s in view.sets}
recorded_sets = [s for s in view.sets if s.start_s is not None and s.end_s is not None]


def set_name(set_id: int) -> str:
    chosen = sets_by_id[set_id]
    return f"Set {chosen.position}: {chosen.exercise_name}, {chosen.reps} reps"


span: tuple[float, float] | None = None
if recording is not None and recording.signal is not None:
    signal = recording.signal
    times = np.arange(signal.gyro.shape[0]) / signal.sample_rate_hz
    zoom_choices = [0] + [s.id for s in recorded_sets]
    zoom = st.selectbox(
        "Zoom to",
        zoom_choices,
        key=f"session_zoom_{view.id}",
        format_func=lambda i: "The whole session" if i == 0 else set_name(i),
    )
    detail = None
    if zoom:
        zoomed = sets_by_id[zoom]
        detail = (float(zoomed.start_s or 0.0), float(zoomed.end_s or 0.0))
    drawn = chart_sets(recorded_sets)
    gyro_tab, accel_tab = st.tabs(["Gyroscope", "Accelerometer"])
    with gyro_tab:
        event = st.plotly_chart(
            motion_figure(times, signal.gyro, drawn, kind="gyro", detail_span=detail),
            key=f"session_gyro_{base}",
            on_select="rerun",
            selection_mode="box",
            config={"displaylogo": False},
        )
        span = span_from_selection(event.selection if event is not None else None)
        st.caption(
            "Drag across the plot to select a span, then move a set to it or add one. "
            "Triangles mark the counted reps."
        )
    with accel_tab:
        if signal.accel is None:
            st.info("This recording has no accelerometer.")
        else:
            st.plotly_chart(
                motion_figure(times, signal.accel, drawn, kind="accel", detail_span=detail),
                key=f"session_accel_{base}",
                config={"displaylogo": False},
            )
else:
    st.info("This session has no recording (it was typed in or imported from a CSV).")

if span is not None and recording is not None:
    with st.container(border=True, key="session_span_box"):
        st.markdown(f"**Selected {span[0]:.1f} s – {span[1]:.1f} s**")
        overlapping = [
            s.id for s in recorded_sets if (s.start_s or 0) < span[1] and (s.end_s or 0) > span[0]
        ]
        move_column, add_column = st.columns(2)
        if recorded_sets:
            target = move_column.selectbox(
                "Set to move here",
                [s.id for s in recorded_sets],
                format_func=set_name,
                index=[s.id for s in recorded_sets].index(overlapping[0]) if overlapping else 0,
                key=f"session_span_target_{base}",
            )
            if move_column.button(
                "Move it to this span and recount reps", key=f"session_span_move_{base}"
            ):
                run_edit(
                    lambda: session_edits.adjust(engine, target, *span),
                    f"Set moved to {span[0]:.1f}–{span[1]:.1f} s",
                )
        new_exercise = add_column.selectbox(
            "Exercise of a new set",
            exercise_options(),
            format_func=exercise_name,
            key=f"session_span_exercise_{base}",
        )
        if add_column.button("Add a set on this span", key=f"session_span_add_{base}"):
            run_edit(
                lambda: session_edits.add(engine, view.id, recording.id, new_exercise, *span),
                "Set added",
            )

st.subheader("Sets", anchor=False)
original = stored_frame(view.sets)
edited = st.data_editor(
    original,
    key=f"session_sets_{base}",
    hide_index=True,
    column_config=set_columns([s.exercise for s in view.sets]),
    disabled=["set", "start_s", "end_s", "corrected", "model_said"],
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
download_column.download_button(
    "Download the sets (CSV)",
    sets_csv(view),
    file_name=f"session-{view.id}-sets.csv",
    mime="text/csv",
    key=f"session_download_{view.id}",
    icon=":material/download:",
)

with st.expander("Adjust, split, merge, add or delete sets", icon=":material/tune:"):
    adjust_tab, split_tab, merge_tab, add_tab, delete_tab = st.tabs(
        ["Adjust", "Split", "Merge", "Add", "Delete"]
    )
    ids = [s.id for s in recorded_sets]
    with adjust_tab:
        if ids:
            chosen = st.selectbox("Set", ids, format_func=set_name, key=f"session_adj_set_{base}")
            current = sets_by_id[chosen]
            start_column, end_column = st.columns(2)
            new_start = start_column.number_input(
                "Start (s)",
                min_value=0.0,
                value=float(current.start_s or 0.0),
                step=0.5,
                key=f"session_adj_start_{base}_{chosen}",
            )
            new_end = end_column.number_input(
                "End (s)",
                min_value=0.0,
                value=float(current.end_s or 0.0),
                step=0.5,
                key=f"session_adj_end_{base}_{chosen}",
            )
            if st.button("Apply and recount reps", key=f"session_adj_go_{base}"):
                run_edit(
                    lambda: session_edits.adjust(engine, chosen, new_start, new_end), "Set adjusted"
                )
        else:
            st.write("No set with a place in the recording.")
    with split_tab:
        if ids:
            to_split = st.selectbox("Set", ids, format_func=set_name, key=f"session_split_{base}")
            part = sets_by_id[to_split]
            middle = (float(part.start_s or 0.0) + float(part.end_s or 0.0)) / 2
            at_s = st.number_input(
                "Split at (s)",
                value=round(middle, 1),
                step=0.5,
                key=f"session_split_at_{base}_{to_split}",
            )
            if st.button("Split and recount both", key=f"session_split_go_{base}"):
                run_edit(lambda: session_edits.split(engine, to_split, at_s), "Set split in two")
    with merge_tab:
        if len(view.sets) >= 2:
            pairs = [(a.id, b.id) for a, b in zip(view.sets, view.sets[1:], strict=False)]
            pair = st.selectbox(
                "Sets",
                pairs,
                key=f"session_merge_{base}",
                format_func=lambda p: f"{set_name(p[0])}  +  {set_name(p[1])}",
            )
            if st.button("Merge and recount", key=f"session_merge_go_{base}"):
                run_edit(lambda: session_edits.merge(engine, *pair), "Sets merged")
        else:
            st.write("Merging needs two sets.")
    with add_tab:
        if recording is not None:
            add_exercise = st.selectbox(
                "Exercise",
                exercise_options(),
                format_func=exercise_name,
                key=f"session_add_exercise_{base}",
            )
            first_column, last_column = st.columns(2)
            add_start = first_column.number_input(
                "Start (s)", min_value=0.0, step=0.5, key=f"session_add_start_{base}"
            )
            add_end = last_column.number_input(
                "End (s)", min_value=0.0, step=0.5, value=30.0, key=f"session_add_end_{base}"
            )
            if st.button("Add and count reps", key=f"session_add_go_{base}"):
                run_edit(
                    lambda: session_edits.add(
                        engine, view.id, recording.id, add_exercise, add_start, add_end
                    ),
                    "Set added",
                )
    with delete_tab:
        if view.sets:
            doomed = st.selectbox(
                "Set",
                [s.id for s in view.sets],
                format_func=set_name,
                key=f"session_del_set_{base}",
            )
            if st.button("Delete this set", key=f"session_del_set_go_{base}"):
                run_edit(lambda: session_edits.delete_set(engine, doomed), "Set deleted")

with st.expander("Delete this session", icon=":material/delete:"):
    st.write("The session, its sets and its recording are removed from the journal for good.")
    sure = st.checkbox("Yes, delete this session", key=f"session_delete_confirm_{view.id}")
    if st.button(
        "Delete session", key=f"session_delete_{view.id}", disabled=not sure, type="primary"
    ):
        try:
            session_edits.remove_session(engine, view.id)
        except (ValueError, LookupError) as error:
            st.error(f"Not deleted: {error}")
        else:
            del st.query_params["session"]
            st.switch_page(JOURNAL_PAGE)
