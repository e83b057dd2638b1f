"""Progress page: reps and volume per week (per month over years) for each exercise, its
strength (estimated 1RM, or the least assistance of an assisted exercise), personal records,
training days; of all time, the last weeks or months, or chosen dates (in the URL, so
"since March" can be bookmarked)."""

from __future__ import annotations

import streamlit as st

from journal.db import session_factory
from journal.exercises import is_assisted
from journal.progress import E1RM_MAX_REPS, exercise_progress, most_trained, training_days
from journal.store import list_exercises
from ui import clock
from ui.charts import (
    assistance_figure,
    calendar_figure,
    calendar_span,
    monthly_figure,
    strength_figure,
    weekly_figure,
)
from ui.device import on_phone
from ui.lifter import current_lifter, lifter_params
from ui.progress_dates import (
    ALL,
    ALL_TIME,
    CUSTOM,
    EARLIEST,
    LATEST,
    PARAMS,
    PERIODS,
    dates_words,
    days_within,
    no_training,
    period_dates,
    url_problems,
)
from ui.progress_tables import (
    monthly_frame,
    progress_period,
    records_frame,
    training_days_caption,
    weekly_frame,
)
from ui.resources import journal_engine
from ui.text import escape_markdown
from ui.widgets import SESSION_PAGE, stop_when_nothing_to_show

#: Session-state copy of the chosen exercises, kept while the user is on other pages.
KEPT_CHOICE = "progress_exercises_kept"
#: A date input's width on a desktop: "2026 - 03 - 01" whole beside its two buttons.
DATE_INPUT_PX = 180

st.title(":material/trending_up: Progress")

lifter = current_lifter()  # one lifter's progress: athlete=None would mix everyone's sets
stop_when_nothing_to_show("progress_load_sample", lifter)

today = clock.today()
phone = on_phone()

# The link's period, read before the widgets: Streamlit drops a value they cannot take unsaid.
raw = {param: st.query_params.get(param) for param in PARAMS.values()}
problems = url_problems(raw)
# One row on a desktop; on a phone the list of periods, then the two dates side by side.
with st.container(horizontal=not phone, vertical_alignment="bottom", key="progress_period_row"):
    # A phone's 360 px hold the five choices as a list, not side by side.
    period = (
        st.selectbox(
            "Period",
            PERIODS,
            index=PERIODS.index(ALL_TIME),
            key=PARAMS["period"],
            bind="query-params",
        )
        if phone
        else st.segmented_control(
            "Period",
            PERIODS,
            default=ALL_TIME,
            required=True,
            key=PARAMS["period"],
            bind="query-params",
        )
    )
    since = until = None
    if period == CUSTOM:
        # Side by side, also on a 360 px phone: 160 px each hold "2026 - 03 - 01" whole.
        with st.container(
            horizontal=True, gap="small", width="stretch" if phone else "content",
            key="progress_dates",
        ):
            since, until = (
                st.date_input(
                    label,
                    value=None,
                    min_value=EARLIEST,
                    max_value=LATEST,
                    key=PARAMS[field],
                    bind="query-params",
                    format="YYYY-MM-DD",
                    width="stretch" if phone else DATE_INPUT_PX,
                )
                for label, field in (("From", "date_from"), ("To", "date_to"))
            )

try:
    dates = ALL if problems else period_dates(period, since, until, today)
except ValueError as error:
    problems.append(f"{error}.")
    dates = ALL
if problems:
    st.warning(" ".join(problems) + " Showing all time.", icon=":material/event_busy:")

engine = journal_engine()
with session_factory(engine)() as db:
    used = [e for e in list_exercises(db, used_only=True, athlete=lifter) if e.family != "rest"]
    all_days = training_days(db, athlete=lifter)
    ranked = most_trained(db, athlete=lifter, date_from=dates.first, date_to=dates.last)
journal_span = (all_days[0].day, all_days[-1].day)
days = days_within(all_days, dates)
if not days:
    st.info(no_training(dates, journal_span), icon=":material/event_busy:")
    st.stop()
# The chosen dates as two days, and in words; None: all time.
chosen = None if dates.all_time else dates.closed(journal_span, today)
chosen_words = dates_words(*chosen) if chosen else None
trained = set(ranked)
names = {e.id: e.name for e in used if e.id in trained}

st.subheader("Training days", anchor=False)
sets_per_day = {d.day: d.sets for d in days}
# Up to today, or the end of the dates: the days since the last session show as a gap.
calendar_end = min(today, dates.last) if dates.last else today
shown = calendar_span(sets_per_day.keys(), calendar_end, first_day=dates.first)
calendar = calendar_figure(sets_per_day, shown, phone=phone, first_day=dates.first)
st.plotly_chart(
    calendar,
    key="progress_calendar",
    config={"displaylogo": False},
    # A calendar of a few weeks keeps its squares (calendar_figure gives it a width).
    width="content" if calendar.layout.width else "stretch",
)
st.caption(training_days_caption(days, shown, chosen_words))


def _keep_choice() -> None:
    # Widget state is dropped when the user visits another page; this copy is not.
    st.session_state[KEPT_CHOICE] = st.session_state["progress_exercises"]


kept = st.session_state.get(KEPT_CHOICE)
# What the user picked last, of the exercises trained in these dates; else (none of them
# trained then, or a first visit) the three with the most sets in them. The user's own pick is
# kept aside, so other dates bring back the exercises these left out.
picks = [e for e in kept if e in names] if kept is not None else []
if not picks and kept != []:
    picks = [e for e in ranked if e in names][:3]
st.session_state["progress_exercises"] = picks
picked = st.multiselect(
    "Exercises",
    list(names),
    format_func=lambda exercise_id: names[exercise_id],
    key="progress_exercises",
    on_change=_keep_choice,
    placeholder="Pick the exercises to follow",
)
if not picked:
    st.info("Pick at least one exercise to see its weeks and records.")
    st.stop()

# The time axis of the chosen dates, from the journal's first session to today (or a later
# session) at the most: the weeks before the journal began are not weeks without training.
span = None if chosen is None else (
    max(chosen[0], journal_span[0]), min(chosen[1], max(today, journal_span[1])))
first, last = dates.first, dates.last
with session_factory(engine)() as db:
    # One read of each exercise's sets: weeks, records and, over a year, months.
    progress = {e: exercise_progress(db, e, athlete=lifter, date_from=first, date_to=last)
                for e in picked}
weeks = {e: both.weeks for e, both in progress.items()}
per = progress_period(weeks, span)
if per == "month":
    totals = monthly_frame({e: both.months for e, both in progress.items()})
    figure = monthly_figure(totals, names, phone=phone, span=span)
else:
    totals = weekly_frame(weeks)
    figure = weekly_figure(totals, names, phone=phone, span=span)
records = records_frame([both.records for both in progress.values()], names)

st.subheader(f"Reps and volume per {per}", anchor=False)
st.plotly_chart(figure, key="progress_weekly", config={"displaylogo": False})
if per == "month":
    spans = "These dates span" if chosen else "Your training spans"
    st.caption(f"{spans} more than a year: each bar is a month.")
assisted = [e for e in picked if is_assisted(e)]
if assisted:
    st.caption(
        f"Volume leaves out {', '.join(names[e] for e in assisted)}: an assisted exercise's "
        "weight is the machine's help, so fewer kg are more work, and its records are the least "
        "assistance."
    )
loaded = totals[~totals["exercise"].isin(assisted)]
if len(assisted) < len(picked) and loaded["volume_kg"].sum() == 0:
    st.caption("Volume is weight × reps: add the weights of your sets to see it.")

# Strength, where the sets say it: the best estimated one-rep max of each week or month.
if totals["best_e1rm_kg"].notna().any():
    st.subheader(f"Estimated 1RM per {per}", anchor=False)
    st.plotly_chart(strength_figure(totals, per, names, phone=phone, span=span),
                    key="progress_strength", config={"displaylogo": False})
    st.caption(
        f"The best of each {per}'s sets: weight × (1 + reps / 30) (Epley), from sets of up to "
        f"{E1RM_MAX_REPS} reps with a weight. It compares sets of different reps: "
        "70 kg × 8 (88.7 kg) is stronger than 80 kg × 3 (88.0 kg)."
    )
# An assisted exercise's strength, where the e1RM would be: Epley does not apply to help, so
# its line is the least help of each week or month, which goes down as the lifter gets stronger.
if totals["least_assistance_kg"].notna().any():
    st.subheader(f"Least assistance per {per}", anchor=False)
    st.plotly_chart(assistance_figure(totals, per, names, phone=phone, span=span),
                    key="progress_assistance", config={"displaylogo": False})
    st.caption(
        f"The least help of each {per}'s sets with a weight (hover for that set's reps). Less "
        "help is stronger: the axis is upside down, so a line that climbs is progress, and "
        f"0 kg (done unassisted) is the best. A {per} whose sets have no weight is left out."
    )

# Records of the chosen dates are not the all-time ones: the heading says whose they are.
st.subheader(f"Records in {chosen_words}" if chosen_words else "Personal records", anchor=False)
if records.empty:
    st.info("No records yet for these exercises.")
else:
    # A phone's table shows two columns: exercise and value left what the record is off-screen
    # ("Assisted pull-up | 61 kg"). There, one table per exercise under its name, each row
    # what the record is and its value.
    tables = list(records.groupby("exercise", sort=False)) if phone else [("", records)]
    for number, (name, rows) in enumerate(tables):
        if phone:
            st.markdown(f"**{escape_markdown(str(name))}**")
        rows = rows.reset_index(drop=True)
        event = st.dataframe(
            rows,
            placeholder="–",
            key=f"progress_records_{number}" if phone else "progress_records",
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            column_order=(["record", "value", "date"] if phone
                          else ["exercise", "value", "record", "date"]),
            column_config={
                "exercise": "Exercise",
                "record": "Record",
                "value": "Value",
                "date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD"),
            },
        )
        if event is not None and event.selection.rows:
            session_id = int(rows.iloc[event.selection.rows[0]]["session_id"])
            st.switch_page(SESSION_PAGE, query_params=lifter_params(session=str(session_id)))
    st.caption("Pick a row to open the session that holds the record.")
