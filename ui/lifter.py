"""Who is lifting: the lifter whose sessions every page shows, saves and learns from.

A journal shared by a team or a gym keeps each lifter's sessions apart (``journal.models.Athlete``).
The lifter is, in this order:

1. ``JOURNAL_ATHLETE`` (``appconfig.journal_athlete``): the instance is pinned to one lifter and
   offers no choice;
2. the URL's ``?lifter=Ann``, so a bookmark and the app's own links keep it (``lifter_params``);
   a name the journal does not know gets a message and creates nobody;
3. the default lifter "Me": a single user never has to think about lifters, and the URL stays
   clean (no ``lifter`` parameter for the default).

The router calls ``choose_lifter`` on every run before the page; pages read ``current_lifter``.
A page switch from the sidebar's navigation drops the URL's parameters, so the choice is also
kept in the session state and put back into the URL.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import appconfig
from journal.catalog import MAX_ATHLETE_CHARS, athlete_named, check_athlete_name
from journal.db import session_factory, write_transaction
from journal.models import DEFAULT_ATHLETE
from journal.store import list_athletes
from ui.resources import journal_engine
from ui.text import escape_markdown, explain

#: The URL query parameter naming the lifter (absent for the default lifter).
LIFTER_PARAM = "lifter"
#: The sidebar's lifter picker (shown once the journal has two or more lifters).
CHOICE_KEY = "lifter_choice"
#: The new lifter's name field and its button.
NEW_NAME_KEY = "lifter_new"
ADD_KEY = "lifter_add"
#: The lifter of this browser session, kept across page switches (which empty the URL).
_KEPT = "lifter_kept"
#: What adding a lifter said, shown once under the form.
_ADD_MESSAGE = "lifter_add_message"
#: Whether the journal has two or more lifters (or the instance is pinned to one), this run.
_SHARED = "lifter_shared"


def current_lifter() -> str:
    """The lifter the pages show and save for (``choose_lifter`` decided it this run)."""
    return appconfig.journal_athlete() or st.session_state.get(_KEPT) or DEFAULT_ATHLETE


def journal_is_shared() -> bool:
    """Whether the lifter matters on this run's pages: the journal has two or more lifters, or
    the instance is pinned to one. A single user's pages need not name "Me"."""
    return bool(appconfig.journal_athlete() or st.session_state.get(_SHARED))


def lifter_params(**params: str) -> dict[str, str]:
    """Query parameters of a link to another page, with the lifter when it is not the default
    (a pinned instance needs none)."""
    lifter = current_lifter()
    if lifter != DEFAULT_ATHLETE and not appconfig.journal_athlete():
        params[LIFTER_PARAM] = lifter
    return params


def known_lifter(name: str, lifters: Sequence[str]) -> str | None:
    """The journal's lifter a typed or linked name denotes ("ann " is Ann), or None."""
    clean = name.strip()
    if clean in lifters:
        return clean
    return next((known for known in lifters if known.casefold() == clean.casefold()), None)


def use_lifter(lifter: str) -> None:
    """Make ``lifter`` the chosen one, in the URL (none for the default) and the session."""
    st.session_state[_KEPT] = lifter
    if lifter == DEFAULT_ATHLETE:
        st.query_params.pop(LIFTER_PARAM, None)
    else:
        st.query_params[LIFTER_PARAM] = lifter


def _picked() -> None:
    picked = st.session_state.get(CHOICE_KEY)
    if picked:
        use_lifter(picked)


def _add(lifters: Sequence[str]) -> None:
    """The "Add" button: a valid new name becomes a lifter (a known one is chosen)."""
    typed = st.session_state.get(NEW_NAME_KEY, "")
    try:
        name = check_athlete_name(typed)
    except ValueError as error:
        st.session_state[_ADD_MESSAGE] = ("error", f"Not added: {explain(error)}.")
        return
    known = known_lifter(name, lifters)
    if known is None:
        try:
            known = write_transaction(journal_engine(), lambda db: athlete_named(db, name).name)
        except Exception as error:  # noqa: BLE001 - every failure becomes a sentence
            st.session_state[_ADD_MESSAGE] = ("error", f"Not added: {explain(error)}.")
            return
        said = f"{escape_markdown(known)} added: uploads are now saved as theirs."
    else:
        said = f"{escape_markdown(known)} was already in the journal: now chosen."
    st.session_state[_ADD_MESSAGE] = ("success", said)
    st.session_state[NEW_NAME_KEY] = ""
    use_lifter(known)


def _add_form(lifters: Sequence[str]) -> None:
    # No max_chars: the browser would cut a pasted name without a word; the check says why.
    st.text_input("New lifter's name", key=NEW_NAME_KEY, placeholder="e.g. Ann",
                  help=f"At most {MAX_ATHLETE_CHARS} characters.")
    st.button("Add", key=ADD_KEY, icon=":material/person_add:", on_click=_add, args=(lifters,))
    if said := st.session_state.pop(_ADD_MESSAGE, None):
        kind, text = said
        (st.error if kind == "error" else st.success)(text)


def _sidebar(lifters: Sequence[str], lifter: str | None) -> None:
    """The choice: a small "Lifter: Me" popover while the journal has one lifter, a picker
    (and "Add a lifter") once it has two or more. ``lifter`` None: the URL's is unknown."""
    with st.sidebar:
        if len(lifters) <= 1:
            shown = escape_markdown(lifter or DEFAULT_ATHLETE)
            with st.popover(f"Lifter: {shown}", icon=":material/person:"):
                st.caption(
                    f"Uploads are saved as {shown}'s. Sharing the journal (a team, a gym)? Add "
                    "each lifter: each then sees only their own sessions, records and model."
                )
                _add_form(lifters)
            return
        # Set before the picker is drawn: a page switch or a link may have changed the lifter.
        st.session_state[CHOICE_KEY] = lifter
        st.selectbox(
            # index 0: no "clear" cross (the value comes from the state set above); None: an
            # unknown lifter shows none chosen.
            "Lifter", lifters, index=None if lifter is None else 0, key=CHOICE_KEY,
            on_change=_picked,
            placeholder="Choose a lifter",
            help="Whose sessions, records and model the pages show; uploads are saved as theirs.",
        )
        with st.popover("Add a lifter", icon=":material/person_add:"):
            _add_form(lifters)


def _pinned(name: str) -> str:
    try:
        lifter = check_athlete_name(name)
    except ValueError as error:
        st.error(f"`JOURNAL_ATHLETE` cannot name a lifter: {explain(error)}. Change it and "
                 "restart the app.", icon=":material/person_off:")
        st.stop()
    st.sidebar.caption(f":material/person: Lifter: **{escape_markdown(lifter)}**")
    return lifter


def choose_lifter() -> str:
    """Decide this run's lifter and draw the choice in the sidebar; returns the lifter.

    An unknown name in the URL stops the page with a message (nothing is created).
    """
    pinned = appconfig.journal_athlete()
    if pinned:
        return _pinned(pinned)
    with session_factory(journal_engine())() as db:
        lifters = list_athletes(db)
    st.session_state[_SHARED] = len(lifters) > 1
    linked = st.query_params.get(LIFTER_PARAM)
    if linked is None:  # a page switch emptied the URL; or a link to the default lifter
        kept = st.session_state.get(_KEPT)
        lifter: str | None = kept if kept in lifters else DEFAULT_ATHLETE
    else:
        lifter = known_lifter(linked, lifters)
    if lifter is not None:
        if linked != (None if lifter == DEFAULT_ATHLETE else lifter):
            use_lifter(lifter)  # the URL says it as the journal spells it (or not at all for "Me")
        st.session_state[_KEPT] = lifter
    _sidebar(lifters, lifter)
    if lifter is None:
        _unknown(str(linked), lifters)
    assert lifter is not None  # _unknown stops the page
    return lifter


def _unknown(name: str, lifters: Sequence[str]) -> None:
    shown = escape_markdown(name.strip()) or "(empty)"
    st.error(
        f"There is no lifter “{shown}” in this journal (the link may be mistyped); nothing was "
        f"created. Lifters: {escape_markdown(', '.join(lifters))}. Choose one under “Lifter” in "
        "the sidebar, or add a new one there.",
        icon=":material/person_off:",
    )
    st.button(f"Open {escape_markdown(DEFAULT_ATHLETE)}'s journal", key="lifter_unknown_default",
              on_click=use_lifter, args=(DEFAULT_ATHLETE,))
    st.stop()
