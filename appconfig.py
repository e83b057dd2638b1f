"""Every setting read from the environment, with defaults that work on a fresh clone.

This is the one place that reads environment variables; everything else imports from here.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (this file lives there).
REPO_ROOT = Path(__file__).resolve().parent

#: Data that ships with the repo: the trained model and its card, the sample session.
DATA_DIR = REPO_ROOT / "data"

#: Where the journal keeps its SQLite file and user-trained models when no URL is given.
JOURNAL_DIR = Path(os.environ.get("JOURNAL_DIR", str(DATA_DIR / "journal")))


def database_url() -> str:
    """SQLAlchemy URL of the journal: ``JOURNAL_DATABASE_URL`` or a SQLite file in JOURNAL_DIR."""
    url = os.environ.get("JOURNAL_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{JOURNAL_DIR / 'journal.sqlite3'}"


#: The shipped activity model and its card.
MODEL_PATH = Path(
    os.environ.get("ACTIVITY_MODEL_PATH", str(DATA_DIR / "models" / "activity.keras"))
)

#: Activity-model versions trained from the user's corrections (never inside data/models/).
USER_MODELS_DIR = Path(
    os.environ.get("USER_MODELS_DIR", str(DATA_DIR / "user_models"))
)

#: Real recordings used for training, evaluation and tests (read in place, never edited).
DATASETS_DIR = Path(
    os.environ.get("WRIST_DATASETS_DIR", str(REPO_ROOT.parent / "shared" / "datasets"))
)

#: Largest upload the importer accepts, in megabytes (the app's uploader has the same limit).
MAX_UPLOAD_MB = float(os.environ.get("MAX_UPLOAD_MB", "200"))


def journal_athlete() -> str | None:
    """``JOURNAL_ATHLETE``: the one lifter this app instance is for (a gym's tablet, one person's
    instance on a shared database); None (unset or blank) lets the app's sidebar choose.

    Read on every call, like ``database_url``, so a test or a restarted server sees a change.
    """
    return os.environ.get("JOURNAL_ATHLETE", "").strip() or None
