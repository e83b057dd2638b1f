"""The Session page's correction tools: a selected span, set tools, deleting the session.

Each tool calls one ``ui.session_edits`` function (one transaction, reps recounted by ml); a
refused change is shown as an error, a done one reloads the page with fresh widget keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from journal.views import SessionView, SetView
from ui import session_edits
from ui.count_checks import set_numbers
from ui.lifter import lifter_params
from ui.tables import exercise_name, exercise_options
from ui.text import explain, plural
from ui.widgets import DELETED_NOTICE, JOURNAL_PAGE

#: Session-state key of what the last correction did, said by the run it reloads the page to:
#: a toast sent just before ``st.rerun`` never reaches the browser.
EDIT_NOTICE = "session_edit_notice"


def run_edit(action: Callable[[], Any], success: str | Callable[[Any], str]) -> None:
    """Run one correction; a refused one is shown as an error, a done one reloads the page,
    which says what changed (``show_edit_notice``).

    ``success``: the message, or a function of the action's result that writes it.
    """
    try:
        result = action()
    except Exception as error:  # noqa: BLE001 - every failure becomes a sentence, not a trace
        st.error(f"Not changed: {explain(error)}")
        return
    st.session_state["session_rev"] = st.session_state.get("session_rev", 0) + 1
    st.session_state[EDIT_NOTICE] = success if isinstance(success, str) else success(result)
    st.rerun()


def show_edit_notice() -> None:
    """What the correction that reloaded the page did: a toast, and a box kept above the set
    table until the next action, long enough to read a kept count's note."""
    # A slot on every run: the elements below keep their places, so an open expander of tools
    # stays open when the box comes or goes.
    slot = st.empty()
    notice = st.session_state.pop(EDIT_NOTICE, None)
    if notice:
        st.toast(notice, icon=":material/check:")
        slot.success(notice, icon=":material/check:")


def exercise_picker(where: Any, label: str, engine: Engine, key: str) -> str:
    """A selectbox (in ``where``: ``st`` or a column) of the catalog's and the user's exercises."""
    own = session_edits.own_exercises(engine)
    return str(where.selectbox(
        label,
        exercise_options(list(own)),
        format_func=lambda exercise_id: exercise_name(exercise_id, own),
        key=key,
    ))


def set_namer(view: SessionView) -> Callable[[int], str]:
    """Set id → "Set 2: Assisted pull-up, 12 reps" (for pickers)."""
    by_id = {s.id: s for s in view.sets}

    def name(set_id: int) -> str:
        chosen = by_id[set_id]
        return f"Set {chosen.position}: {chosen.exercise_name}, {chosen.reps} reps"

    return name


def confirm_asked_sets(asked: Sequence[SetView], engine: Engine, base: str) -> None:
    """Under the boxes asking to check sets: one click says they are right as they are (a
    right count has nothing to correct, and the boxes would ask on every visit)."""
    numbers = set_numbers([s.position for s in asked])
    one = len(asked) == 1
    if st.button(
        f"{numbers} {'is right as it is' if one else 'are right as they are'}",
        key=f"session_confirm_asked_{base}",
        icon=":material/done_all:",
        help=f"Confirms the exercise and reps of {numbers} as shown, so the boxes above ask no "
        "more (and retraining learns from them). A wrong count: correct it in the table.",
    ):
        run_edit(lambda: session_edits.confirm_sets(engine, [s.id for s in asked]),
                 f"{numbers} confirmed as {'it is' if one else 'they are'}.")


def span_actions(
    span: tuple[float, float],
    view: SessionView,
    recorded_sets: list[SetView],
    recording_id: int,
    engine: Engine,
    base: str,
) -> None:
    """What to do with a span selected on the plot: move a set there, or add one."""
    set_name = set_namer(view)
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
                    lambda moved: f"Set moved to {span[0]:.1f}–{span[1]:.1f} s"
                    + session_edits.kept_count_note(moved),
                )
        new_exercise = exercise_picker(
            add_column, "Exercise of a new set", engine, f"session_span_exercise_{base}"
        )
        if add_column.button("Add a set on this span", key=f"session_span_add_{base}"):
            run_edit(
                lambda: session_edits.add(engine, view.id, recording_id, new_exercise, *span),
                "Set added",
            )


def set_tools(
    view: SessionView,
    recorded_sets: list[SetView],
    recording_id: int | None,
    engine: Engine,
    base: str,
) -> None:
    """Adjust (number inputs), split, merge, add and delete sets."""
    set_name = set_namer(view)
    sets_by_id = {s.id: s for s in view.sets}
    with st.expander("Adjust, split, merge, add or delete sets", icon=":material/tune:"):
        adjust_tab, split_tab, merge_tab, add_tab, delete_tab = st.tabs(
            ["Adjust", "Split", "Merge", "Add", "Delete"]
        )
        ids = [s.id for s in recorded_sets]
        with adjust_tab:
            if ids:
                chosen = st.selectbox(
                    "Set", ids, format_func=set_name, key=f"session_adj_set_{base}"
                )
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
                        lambda: session_edits.adjust(engine, chosen, new_start, new_end),
                        lambda moved: "Set adjusted" + session_edits.kept_count_note(moved),
                    )
            else:
                st.write("No set with a place in the recording.")
        with split_tab:
            if ids:
                to_split = st.selectbox(
                    "Set", ids, format_func=set_name, key=f"session_split_{base}"
                )
                part = sets_by_id[to_split]
                middle = (float(part.start_s or 0.0) + float(part.end_s or 0.0)) / 2
                at_s = st.number_input(
                    "Split at (s)",
                    value=round(middle, 1),
                    step=0.5,
                    key=f"session_split_at_{base}_{to_split}",
                )
                if st.button("Split and recount both", key=f"session_split_go_{base}"):
                    run_edit(
                        lambda: session_edits.split(engine, to_split, at_s), "Set split in two"
                    )
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
                    run_edit(
                        lambda: session_edits.merge(engine, *pair),
                        lambda merged: "Sets merged" + session_edits.kept_count_note(merged),
                    )
            else:
                st.write("Merging needs two sets.")
        with add_tab:
            if recording_id is not None:
                add_exercise = exercise_picker(
                    st, "Exercise", engine, f"session_add_exercise_{base}"
                )
                # Offered where no set is yet: 0-30 s overlapped the first set of most sessions.
                duration_s = next(r.duration_s for r in view.recordings if r.id == recording_id)
                free_start, free_end = session_edits.free_span(
                    [(s.start_s, s.end_s) for s in recorded_sets
                     if s.recording_id == recording_id and s.start_s is not None
                     and s.end_s is not None], duration_s)
                first_column, last_column = st.columns(2)
                add_start = first_column.number_input(
                    "Start (s)", min_value=0.0, step=0.5, value=free_start,
                    key=f"session_add_start_{base}"
                )
                add_end = last_column.number_input(
                    "End (s)", min_value=0.0, step=0.5, value=free_end,
                    key=f"session_add_end_{base}"
                )
                if st.button("Add and count reps", key=f"session_add_go_{base}"):
                    run_edit(
                        lambda: session_edits.add(
                            engine, view.id, recording_id, add_exercise, add_start, add_end
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
                gone = sets_by_id[doomed]
                # A deleted set cannot be brought back (its weight, RPE and notes with it).
                sure = st.checkbox(
                    f"Yes, delete set {gone.position} for good",
                    key=f"session_del_set_sure_{base}_{doomed}",
                )
                if st.button(
                    "Delete this set", key=f"session_del_set_go_{base}", disabled=not sure
                ):
                    run_edit(
                        lambda: session_edits.delete_set(engine, doomed),
                        f"Set {gone.position} deleted ({gone.exercise_name}, "
                        f"{plural(gone.reps, 'rep')})",
                    )


def delete_session_box(view: SessionView, engine: Engine) -> None:
    """Delete the session, once the user ticked the confirmation."""
    with st.expander("Delete this session", icon=":material/delete:"):
        st.write("The session, its sets and its recording are removed from the journal for good.")
        sure = st.checkbox("Yes, delete this session", key=f"session_delete_confirm_{view.id}")
        if st.button(
            "Delete session", key=f"session_delete_{view.id}", disabled=not sure, type="primary"
        ):
            try:
                session_edits.remove_session(engine, view.id)
            except Exception as error:  # noqa: BLE001
                st.error(f"Not deleted: {explain(error)}")
            else:
                # Shown once by the Journal page, where the user lands.
                st.session_state[DELETED_NOTICE] = (
                    f"Session “{view.title}” deleted, with its {plural(len(view.sets), 'set')} "
                    f"and its recording."
                )
                del st.query_params["session"]
                st.switch_page(JOURNAL_PAGE, query_params=lifter_params())
