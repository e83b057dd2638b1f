"""Things loaded once per server process (``st.cache_resource``): the journal engine, the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine

import appconfig
from journal.db import open_journal
from ml.model import ActivityModel, card_path_for, load_model


@st.cache_resource(show_spinner="Opening the journal…")
def _engine_for(url: str) -> Engine:
    return open_journal(url)


def journal_engine() -> Engine:
    """The migrated journal at ``appconfig.database_url()`` (one engine per URL and process)."""
    return _engine_for(appconfig.database_url())


@st.cache_resource(show_spinner="Loading the exercise model (once)…")
def _model_at(path: str) -> ActivityModel:
    return load_model(Path(path))


def activity_model() -> ActivityModel:
    """The shipped activity model, loaded once per process."""
    return _model_at(str(appconfig.MODEL_PATH))


@st.cache_data(show_spinner=False)
def _card_at(path: str, modified_ns: int) -> dict[str, Any]:
    card: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return card


def model_card() -> dict[str, Any] | None:
    """The model card JSON beside the shipped model (read without Keras); None when missing."""
    path = card_path_for(appconfig.MODEL_PATH)
    if not path.is_file():
        return None
    return _card_at(str(path), path.stat().st_mtime_ns)
