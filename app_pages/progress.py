"""Progress page: reps and volume per week (per month over years) for each exercise, personal
records, training days."""

from __future__ import annotations

import streamlit as st

from journal.db import session_factory
from journal.exercises import is_assisted
from journal.progress import (
    monthly_progress,
    most_trained,
    personal_records,
    training_days,
    weekly_progress,
)
from journal.store import list_exercises
from ui import clock
from ui.charts import calendar_figure, calendar_span, monthly_figure, weekly_figure
from ui.device import on_phone
from ui.lifter import current_lifter, lifter_params
from ui.progress_tables import (
    monthly_frame,
    progress_period,
    records_frame,
    training_days_caption,
    weekly_frame,
)
from ui.resources import journal_engine
from ui.widgets import SESSION_PAGE, stop_when_nothing_to_show

#: Session-state copy of the chosen exercises, kept while the user is on other pages.
KEPT_CHOICE = "progress_exercises_kept"

st.title(":material/trending_up: Progress")

lifter = current_lifter()  # one lifter's progress: athlete=None would mix everyone's sets
stop_when_nothing_to_show("progress_load_sample", lifter)

engine = journal_engine()
with session_factory(engine)() as db:
    used = [e for e in list_exercises(db, used_only=True, athlete=lifter) if e.family != "rest"]
    days = training_days(db, athlete=lifter)
    ranked = most_trained(db, athlete=lifter)
names = {e.id: e.name for e in used}

st.subheader("Training days", anchor=False)
sets_per_day = {d.day: d.sets for d in days}
# Up to today: the days since the last session show as a gap.
today = clock.today()
st.plotly_chart(
    calendar_figure(sets_per_day, today, phone=on_phone()),
    key="progress_calendar",
    config={"displaylogo": False},
)
st.caption(training_days_caption(days, calendar_span(sets_per_day.keys(), today)))



def _keep_choice() -> None:
    # Widget state is dropped when the user visits another page; this copy is not.
    st.session_state[KEPT_CHOICE] = st.session_state["progress_exercises"]


kept = st.session_state.get(KEPT_CHOICE)
chosen = st.multiselect(
    "Exercises",
    list(names),
    # What the user picked last, else the three exercises with the most sets.
    default=[e for e in kept if e in names] if kept is not None
    else [e for e in ranked if e in names][:3],
    format_func=lambda exercise_id: names[exercise_id],
    key="progress_exercises",
    on_change=_keep_choice,
    placeholder="Pick the exercises to follow",
)
if not chosen:
    st.info("Pick at least one exercise to see its weeks and records.")
    st.stop()

with session_factory(engine)() as db:
    weeks = {e: weekly_progress(db, e, athlete=lifter) for e in chosen}
    period = progress_period(weeks)
    if period == "month":
        totals = monthly_frame({e: monthly_progress(db, e, athlete=lifter) for e in chosen})
        figure = monthly_figure(totals, names, phone=on_phone())
    else:
        totals = weekly_frame(weeks)
        figure = weekly_figure(totals, names, phone=on_phone())
    records = records_frame([personal_records(db, e, athlete=lifter) for e in chosen], names)

st.subheader(f"Reps and volume per {period}", anchor=False)
st.plotly_chart(figure, key="progress_weekly", config={"displaylogo": False})
if period == "month":
    st.caption("Your training spans more than a year: each bar is a month.")
assisted = [e for e in chosen if is_assisted(e)]
if assisted:
    st.caption(
        f"Volume leaves out {', '.join(names[e] for e in assisted)}: an assisted exercise's "
        "weight is the machine's help, so fewer kg are more work, and its records are the least "
        "assistance."
    )
loaded = totals[~totals["exercise"].isin(assisted)]
if len(assisted) < len(chosen) and loaded["volume_kg"].sum() == 0:
    st.caption("Volume is weight × reps: add the weights of your sets to see it.")

st.subheader("Personal records", anchor=False)
if records.empty:
    st.info("No records yet for these exercises.")
else:
    event = st.dataframe(
        records,
        placeholder="–",
        key="progress_records",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        # The value beside the exercise: on a phone the table shows two or three columns.
        column_order=["exercise", "value", "record", "date"],
        column_config={
            "exercise": "Exercise",
            "record": "Record",
            "value": "Value",
            "date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD"),
        },
    )
    st.caption("Pick a row to open the session that holds the record.")
    if event is not None and event.selection.rows:
        session_id = int(records.iloc[event.selection.rows[0]]["session_id"])
        st.switch_page(SESSION_PAGE, query_params=lifter_params(session=str(session_id)))
