"""Things loaded once per server process (``st.cache_resource``): the journal engine, the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine

import appconfig
from journal.db import open_journal, session_factory
from ml.model import ActivityModel, card_path_for, load_model
from ml.model_registry import active_model_path as active_model_path_in


@st.cache_resource(show_spinner="Opening the journal…")
def _engine_for(url: str) -> Engine:
    return open_journal(url)


def journal_engine() -> Engine:
    """The migrated journal at ``appconfig.database_url()`` (one engine per URL and process)."""
    return _engine_for(appconfig.database_url())


@st.cache_resource(show_spinner="Loading the exercise model (once)…")
def _model_at(path: str) -> ActivityModel:
    return load_model(Path(path))


def active_model_path() -> Path:
    """The model uploads are analysed with: the user's active version, else the shipped one."""
    with session_factory(journal_engine())() as session:
        return active_model_path_in(session)


def activity_model() -> ActivityModel:
    """The active activity model, loaded once per process (and per version)."""
    return _model_at(str(active_model_path()))


@st.cache_data(show_spinner=False)
def _card_at(path: str, modified_ns: int) -> dict[str, Any]:
    card: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return card


def model_card() -> dict[str, Any] | None:
    """The card of the active model (read without Keras); None when missing."""
    path = card_path_for(active_model_path())
    if not path.is_file():
        return None
    return _card_at(str(path), path.stat().st_mtime_ns)
