"""Journal page: search every set by exercise, date, reps, weight and notes; open its session;
download the sets found, or the whole journal for Strong."""

from __future__ import annotations

import functools
from dataclasses import replace

import streamlit as st
from streamlit.errors import StreamlitAPIException

from journal.db import session_factory
from journal.phrase import EXAMPLES, MAX_PHRASE_CHARS, PhraseError, parse_search
from journal.search import SetQuery, search_sets
from journal.store import list_exercises
from ui import clock
from ui.colors import exercise_color
from ui.device import on_phone
from ui.journal_query import (
    PARAMS,
    RESULT_LIMIT,
    SHOWN_COLUMNS,
    SORTS,
    describe,
    exercise_suggestions,
    phrase_filters,
    results_frame,
    search_download,
    sort_in_url,
    strong_download,
    unknown_sort,
    without,
)
from ui.lifter import current_lifter, lifter_params
from ui.resources import journal_engine
from ui.text import plural
from ui.widgets import (
    DELETED_NOTICE,
    JOURNAL_PAGE,
    SESSION_PAGE,
    clicked_download,
    note_download,
    stop_when_nothing_to_show,
)

#: The search in words: its text box, and what the page says of the last phrase searched.
PHRASE = "journal_phrase"
PHRASE_SAID = "journal_phrase_said"

st.title(":material/search: Journal")
st.caption(
    "Find past sets: say it in words, or type an exercise, a family (“pull-up”, “row”) or an "
    "alias (“pullup”) in the filters. The search is in the address bar, so you can bookmark or "
    "share it."
)

if notice := st.session_state.pop(DELETED_NOTICE, None):
    st.success(notice, icon=":material/delete:")

lifter = current_lifter()
# A download clicked on the page shown before is built on the click; its sets deleted meanwhile,
# it gives no file, and the run the click starts says why where it finds nothing.
clicked = clicked_download()
stop_when_nothing_to_show(
    "journal_load_sample",
    lifter,
    emptied="Your sessions were deleted since this page was opened; nothing to download."
    if clicked else None,
)

engine = journal_engine()
with session_factory(engine)() as db:
    used_names = [e.name for e in list_exercises(db, used_only=True, athlete=lifter)]
options = exercise_suggestions(used_names)
typed = st.session_state.get("exercise") or st.query_params.get("exercise")
if typed and typed not in options:
    options.append(typed)  # a typed name or a shared link's value stays selectable

# The Sort box's binding reads its label from the URL and drops anything else without a word:
# a link may hold the command line's key (`?sort=-e1rm`, as `--sort -e1rm`), or a typo.
sort_asked = st.query_params.get(PARAMS["sort"])
if sort_asked and sort_asked not in SORTS.values():
    if (sort_key := sort_in_url(sort_asked)) is None:
        st.warning(unknown_sort(sort_asked), icon=":material/sort:")
    else:
        # The same search with the label in the address, as the box writes it: setting the
        # box's value alone would sort alike but leave the address (a bookmark) without a sort.
        try:
            st.switch_page(JOURNAL_PAGE, query_params=st.query_params.to_dict()
                           | {PARAMS["sort"]: SORTS[sort_key]})
        except StreamlitAPIException:
            # The filters are bound already (a link followed later in the same visit): set as
            # the box's value, which the binding then writes to the address as its label.
            st.session_state[PARAMS["sort"]] = sort_key


def search_in_words(exercise_names: list[str]) -> None:
    """Set the filters to what the phrase says (a callback: before the filters are drawn)."""
    text = st.session_state.get(PHRASE) or ""
    st.session_state.pop(PHRASE_SAID, None)
    if not text.strip():
        return
    try:
        found = parse_search(text, today=clock.today(), exercise_names=exercise_names)
    except PhraseError as error:
        st.session_state[PHRASE_SAID] = {
            "error": f"{error} Change the words; the filters are unchanged."}
        return
    if not found.understood:
        st.session_state[PHRASE_SAID] = {"warning": (
            f"Nothing in “{text.strip()}” reads as a search, so the filters are unchanged. "
            f"{EXAMPLES[0].upper()}{EXAMPLES[1:]}.")}
        return
    applied = phrase_filters(found)
    st.session_state.update(applied)
    st.session_state[PHRASE_SAID] = {
        "understood": found.understood_line(),
        "not_understood": found.not_understood_line(),
        "applied": applied,
    }


said = st.session_state.get(PHRASE_SAID)
if said and "applied" not in said:
    del st.session_state[PHRASE_SAID]  # an error or a warning: said once
elif said and any(st.session_state.get(key) != value for key, value in said["applied"].items()):
    # A filter changed by hand since (or a link followed): the phrase no longer says the search.
    del st.session_state[PHRASE_SAID]
    st.session_state[PHRASE] = ""
    said = None
st.text_input(
    "Search in words",
    key=PHRASE,
    max_chars=MAX_PHRASE_CHARS,
    placeholder="e.g. pull-up sets with 10+ reps since March",
    on_change=search_in_words,
    args=(used_names,),
    help="Exercise, reps (“10+ reps”, “under 5 reps”), weight (“over 100 kg”, “225 lb”), dates "
         "(“since March”, “last week”, “in 2025”), order (“strongest”, “most reps”) and words "
         "of the notes in quotes. Press Enter: the filters below are set to it.",
    icon=":material/search:",
)
if said:
    if "error" in said:
        st.error(said["error"], icon=":material/block:")
    elif "warning" in said:
        st.warning(said["warning"], icon=":material/help:")
    else:
        st.caption(said["understood"])
        if said["not_understood"]:
            st.caption(said["not_understood"])

phone = on_phone()
# A phrase just searched is a search too: the address holds it once the filters are drawn.
searching = bool(said and "applied" in said) or any(
    st.query_params.get(p) for name, p in PARAMS.items() if name != "sort")
# On a phone the nine filters stack two screens high: folded there once the address holds a
# search (a bookmark such as "pull-up, 10+ reps" opens on its results), open for a new one.
filters = (
    st.expander("Search filters", expanded=not searching, icon=":material/tune:")
    if phone
    else st.container(border=True, key="journal_filters")
)
with filters:
    first, second, third, fourth = st.columns([3, 2, 2, 2])
    exercise = first.selectbox(
        "Exercise",
        options,
        index=None,
        accept_new_options=True,
        key=PARAMS["exercise"],
        placeholder="Any exercise: type pull-up, row, curl…",
        bind="query-params",
    )
    date_from = second.date_input(
        "From", value=None, key=PARAMS["date_from"], bind="query-params", format="YYYY-MM-DD"
    )
    date_to = second.date_input(
        "Until", value=None, key=PARAMS["date_to"], bind="query-params", format="YYYY-MM-DD"
    )
    min_reps = third.number_input(
        "Reps at least",
        value=None,
        min_value=0,
        step=1,
        key=PARAMS["min_reps"],
        bind="query-params",
    )
    max_reps = third.number_input(
        "Reps at most", value=None, min_value=0, step=1, key=PARAMS["max_reps"], bind="query-params"
    )
    min_kg = fourth.number_input(
        "Weight at least (kg)",
        value=None,
        min_value=0.0,
        step=2.5,
        key=PARAMS["min_weight_kg"],
        bind="query-params",
    )
    max_kg = fourth.number_input(
        "Weight at most (kg)",
        value=None,
        min_value=0.0,
        step=2.5,
        key=PARAMS["max_weight_kg"],
        bind="query-params",
    )
    notes_column, sort_column = st.columns([7, 2])
    notes = notes_column.text_input(
        "Words in notes", key=PARAMS["notes"], bind="query-params", placeholder="e.g. shoulder"
    )
    sort = sort_column.selectbox(
        "Sort", list(SORTS), format_func=SORTS.__getitem__, key=PARAMS["sort"], bind="query-params"
    )

try:
    query = SetQuery(
        exercise=exercise or None,
        date_from=date_from,
        date_to=date_to,
        min_reps=None if min_reps is None else int(min_reps),
        max_reps=None if max_reps is None else int(max_reps),
        min_weight_kg=None if min_kg is None else float(min_kg),
        max_weight_kg=None if max_kg is None else float(max_kg),
        notes=notes.strip() or None,
        athlete=lifter,  # the lifter's sets only: in a shared journal others' are not theirs
        sort=sort or "-date",
        limit=RESULT_LIMIT,
    )
except ValueError as error:
    st.error(f"This search cannot match anything: {error}. Change one of the filters.")
    st.stop()
with session_factory(engine)() as db:
    page = search_sets(db, query)
# Under the folded filters, what they hold; unless the phrase's "Understood" just said it.
if phone and not (said and "applied" in said) and (active := describe(query)):
    st.caption("Searching: " + ", ".join(active.values()) + ".")


def clear_filter(name: str) -> None:
    st.session_state[PARAMS[name]] = None if name != "notes" else ""


if page.total_sets == 0:
    described = describe(query)
    # The Strong export is the whole journal: empty only if the search has no filter.
    if clicked == "journal_download_sets" or (clicked == "journal_download_strong" and
                                              not described):
        st.warning("The sets this search found were deleted since this page was opened; "
                   "nothing to download.", icon=":material/delete:")
    st.warning(
        "No sets match " + (", ".join(described.values()) if described else "this search") + ".",
        icon=":material/search_off:",
    )
    hints = []
    with session_factory(engine)() as db:
        for name, words in described.items():
            total = search_sets(db, replace(without(query, name), limit=1)).total_sets
            if total:
                hints.append((name, words, total))
    if hints:
        st.write("Loosen a filter:")
        for name, words, total in hints:
            st.button(
                f"Drop “{words}”: {plural(total, 'set')}",
                key=f"journal_loosen_{name}",
                on_click=clear_filter,
                args=(name,),
            )
    else:
        st.write("Try another exercise name, or clear the filters.")
    st.stop()

# A row that wraps: side by side on a phone too (columns would stack them, a screen's height).
with st.container(horizontal=True, gap="medium", key="journal_metrics"):
    st.metric("Sets", f"{page.total_sets:,}", width="content")
    st.metric("Reps", f"{page.total_reps:,}", width="content")
    st.metric(
        "Volume",
        f"{page.total_volume_kg:,.0f} kg" if page.total_volume_kg else "–",
        width="content",
    )
    st.metric("Sessions", f"{len({row.session_id for row in page.rows}):,}", width="content")
if page.total_sets > len(page.rows):
    st.caption(
        f"Showing the first {len(page.rows)} of {page.total_sets:,} sets; "
        "narrow the search to see the rest."
    )

frame = results_frame(page.rows)
styled = frame.style.apply(
    lambda _: [f"color: {exercise_color(i)}" for i in frame["exercise_id"]], subset=["exercise"]
)
event = st.dataframe(
    styled,
    placeholder="–",
    key="journal_results",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    column_order=SHOWN_COLUMNS,
    column_config={
        "date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm"),
        "exercise": st.column_config.TextColumn("Exercise"),
        "reps": st.column_config.NumberColumn("Reps", width=55),
        "weight_kg": st.column_config.NumberColumn(
            "kg", help="Weight in kg", format="%.1f", width=60
        ),
        "e1rm_kg": st.column_config.NumberColumn(
            "e1RM (kg)",
            help="Estimated one-rep max (Epley), from sets of 1 to 10 reps with a weight; "
                 "none for assisted exercises, whose kg are the machine's help",
            format="%.1f",
        ),
        "volume_kg": st.column_config.NumberColumn("Volume (kg)", format="%.0f"),
        "rpe": st.column_config.NumberColumn("RPE", format="%.1f"),
        "corrected": st.column_config.CheckboxColumn("Corrected"),
        "notes": st.column_config.TextColumn("Notes"),
        "session": st.column_config.TextColumn("Session"),
    },
)
st.caption("Click a column header to sort; pick a row to open its session.")
# The files are built when a button is clicked (Streamlit calls the function then, on its own
# thread): 100,000 sets take a while, and every other run of the page needs none of it.
with st.container(horizontal=True, key="journal_downloads"):
    st.download_button(
        "Download these sets (CSV)",
        functools.partial(search_download, engine, query),
        file_name="journal-sets.csv",
        mime="text/csv",
        key="journal_download_sets",
        on_click=note_download,
        args=("journal_download_sets",),
        icon=":material/download:",
        help=f"All {plural(page.total_sets, 'set')} this search finds, not only those shown; "
             "the columns of a session's sets download, with the estimated 1RM",
    )
    st.download_button(
        "Export for Strong (CSV)",
        functools.partial(strong_download, engine, lifter),
        file_name="strong-export.csv",
        mime="text/csv",
        key="journal_download_strong",
        on_click=note_download,
        args=("journal_download_strong",),
        icon=":material/ios_share:",
        help="Your whole journal (every session, whatever the search) in the layout of "
             "Strong's CSV export, weights in kg: for Strong or a spreadsheet",
    )
selected = event.selection.rows if event is not None else []
if selected:
    session_id = int(frame.iloc[selected[0]]["session_id"])
    st.switch_page(SESSION_PAGE, query_params=lifter_params(session=str(session_id)))
