"""Things loaded once per server process (``st.cache_resource``): the journal engine, the model;
and the cards beside them, read once per version of their file (``st.cache_data``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

import appconfig
from journal.db import (
    JournalUnavailableError,
    MissingJournalError,
    failure_reason,
    open_journal,
    session_factory,
)
from ml import counting_card
from ml.model import ActivityModel, card_path_for, load_model
from ml.model_registry import active_model_path as active_model_path_in


def keep_keras_state_between_runs() -> bool:
    """Stop Streamlit from clearing Keras's global state after every script run.

    Streamlit calls ``keras.backend.clear_session()`` when any script run ends (for apps that
    build a model per run). This app loads its model once (``st.cache_resource``) and retrains in
    a background thread; the clearing is a full garbage collection and an emptied kernel cache
    on every click, and on every one-second progress poll of a retrain, tripling its time (115 s
    against 37 s measured on a 2-core machine); each upload traced the model's predict function
    again (a set file's table 0.9-1.8 s after the drop instead of 0.35-0.5 s). Matplotlib, the
    hook's other concern, is unused.
    Returns whether the hook was found (a Streamlit upgrade may rename it; then nothing changes).
    """
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = lambda: None  # noqa: SLF001 - see the docstring
    return True


keep_keras_state_between_runs()


@st.cache_resource(show_spinner="Opening the journal…")
def _engine_for(url: str) -> Engine:
    return open_journal(url)


#: What opening or reading the journal raises when its database cannot be used (a server that is
#: down, a wrong URL, password or database name, a driver not installed, a newer schema).
UNAVAILABLE = (OperationalError, ArgumentError, NoSuchModuleError, JournalUnavailableError,
               MissingJournalError)


def _shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def show_journal_unavailable(error: BaseException) -> None:
    """Say in one red box why the journal cannot be used, and stop the page (no traceback)."""
    reason = failure_reason(error)
    if isinstance(error, ArgumentError | NoSuchModuleError):
        reason = f"the URL is not one the app can use: {reason}"
    st.error(
        f"The journal cannot be opened: {reason}\n\n"
        f"Journal: `{_shown_url(appconfig.database_url())}` (`JOURNAL_DATABASE_URL`). "
        "Nothing was saved; reload the page once the database answers.",
        icon=":material/database_off:",
    )
    st.stop()


def journal_engine() -> Engine:
    """The migrated journal at ``appconfig.database_url()`` (one engine per URL and process);
    when it cannot be opened, the page says why and stops."""
    try:
        return _engine_for(appconfig.database_url())
    except UNAVAILABLE as error:
        show_journal_unavailable(error)
        raise  # st.stop() raised already; for the type checker


@st.cache_resource(show_spinner="Loading the exercise model (once)…")
def _model_at(path: str) -> ActivityModel:
    return load_model(Path(path))


def active_model_path(athlete: str) -> Path:
    """The model this lifter's uploads are analysed with: their active version, else the
    shipped one (read on every call: a retrain or a rollback takes effect at once)."""
    with session_factory(journal_engine())() as session:
        return active_model_path_in(session, athlete)


def activity_model(athlete: str) -> ActivityModel:
    """The lifter's active activity model, loaded once per process and model file (lifters on
    the shipped model share it)."""
    return _model_at(str(active_model_path(athlete)))


@st.cache_data(show_spinner=False)
def _card_at(path: str, modified_ns: int) -> dict[str, Any]:
    card: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return card


def model_card(athlete: str) -> dict[str, Any] | None:
    """The card of the lifter's active model (read without Keras); None when missing."""
    path = card_path_for(active_model_path(athlete))
    if not path.is_file():
        return None
    return _card_at(str(path), path.stat().st_mtime_ns)


@st.cache_data(show_spinner=False)
def _counter_card_at(path: str, modified_ns: int) -> dict[str, Any] | None:
    return counting_card.load_card(Path(path))


def counter_card() -> dict[str, Any] | None:
    """The rep counter's measured card (``ml.counting_card.CARD_PATH``), read again only when
    the file changes; None when it is missing or unreadable."""
    path = counting_card.CARD_PATH
    try:
        modified_ns = path.stat().st_mtime_ns
    except OSError:
        return None
    return _counter_card_at(str(path), modified_ns)
