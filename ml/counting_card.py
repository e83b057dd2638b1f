"""The rep counter's card: how well reps are counted and sets found, as last measured.

``python -m ml.evaluate reps`` (per dataset and part, and per exercise) and ``python -m
ml.evaluate segmentation`` (with their default options) write their figures here, beside the
protocol, so that the Model page can show them without running anything. The card also keeps
a fingerprint of what decides those figures (the counter's and segmenter's code, the gate's
weights, the audited labels); a counter changed without measuring it again no longer matches its
card, and a test says so.

    error_stats(errors) -> dict                    # exact, ±1, ±2 (shares), MAE, mean signed
    figures(errors) -> dict                        # the same, rounded as the card keeps them
    record(section, rows, protocol)  # one section, with its date and the fingerprint
    load_card() -> dict | None
    counter_fingerprint() -> str
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

import appconfig

CARD_PATH = appconfig.DATA_DIR / "rep_counter_card.json"

#: What the figures depend on besides the data (this module among them: it computes them):
#: change one and they must be measured again.
#: The card's figures find sets without the exercise model, with ``ml.segmentation`` alone
#: (``ml.pipeline`` adds the model's rest and names); ``ml/built_sessions.py`` builds the
#: sessions the segmentation figures come from.
MEASURED_FILES = (
    "ml/counting_card.py",
    "ml/reps.py",
    "ml/segmentation.py",
    "ml/built_sessions.py",
    "ml/eval_counting.py",
    "data/rep_counter.json",
    "data/label_corrections.csv",
)

#: The targets of the rep-counting issue, shown beside the figures.
TARGETS = {
    "reps": "within ±1 in at least 95% of sets and MAE at most 0.5 on the held-out "
            "applewatch-gym days; within ±1 in at least 92% of barbell-metamotion sets",
    "segmentation": "set count exactly right in at least 95% of built sessions; median "
                    "boundary error at most 1.5 s",
}


def counter_fingerprint(root: Path = appconfig.REPO_ROOT) -> str:
    """SHA-256 over ``MEASURED_FILES`` (names and bytes, line endings as stored)."""
    digest = hashlib.sha256()
    for name in MEASURED_FILES:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def error_stats(errors: Sequence[int]) -> dict[str, float | int]:
    """Per-set count errors (counted - labelled) summarised: ``sets``, the shares ``exact``,
    ``within_1`` and ``within_2``, ``mae`` and ``mean_signed``, unrounded.

    Parameters
    ----------
    errors : (n_sets,) whole numbers
    """
    e = np.asarray(errors, dtype=float)
    if e.size == 0:
        raise ValueError("no sets to summarise")
    return {
        "sets": int(e.size),
        "exact": float(np.mean(e == 0)),
        "within_1": float(np.mean(abs(e) <= 1)),
        "within_2": float(np.mean(abs(e) <= 2)),
        "mae": float(np.mean(abs(e))),
        "mean_signed": float(np.mean(e)),
    }


#: Decimals the card keeps of each figure.
_KEPT_DECIMALS = {"exact": 4, "within_1": 4, "within_2": 4, "mae": 3, "mean_signed": 3}


def figures(errors: Sequence[int]) -> dict[str, float | int]:
    """``error_stats`` as the card keeps them: shares to 4 decimals, errors to 3."""
    return {name: round(value, _KEPT_DECIMALS[name]) if name in _KEPT_DECIMALS else value
            for name, value in error_stats(errors).items()}


def load_card(path: Path | None = None) -> dict[str, Any] | None:
    """The card (default ``CARD_PATH``), or None when it is missing or not a JSON object."""
    try:
        card = json.loads((path or CARD_PATH).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card if isinstance(card, dict) else None


def record(section: str, rows: list[dict[str, Any]], protocol: str, *,
           path: Path | None = None, today: date | None = None) -> None:
    """Replace one section (``reps``, ``reps_by_exercise`` or ``segmentation``) of the card,
    keeping the others.

    Each section carries its own date and fingerprint: ``reps`` and ``reps_by_exercise`` are
    measured by one command, ``segmentation`` by another.
    """
    path = path or CARD_PATH
    card = load_card(path) or {}
    card["title"] = "Rep counter and set finder: measured figures"
    card["targets"] = TARGETS
    card[section] = {
        "measured_on": (today or date.today()).isoformat(),
        "fingerprint": counter_fingerprint(),
        "protocol": protocol,
        "rows": rows,
    }
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
