"""The shipped activity model: loading it with its card, window probabilities, set decisions.

Public API (what the pipeline and the app use)::

    model = load_model()                      # appconfig.MODEL_PATH + its card (.json beside it)
    model.classes                             # catalog ids, includes "rest"
    model.version                             # e.g. "activity-20261125-3f2a9c1e"
    centres_s, probs = model.window_probabilities(recording)  # (n_windows,), (n_windows, n_classes)
    decisions = model.classify_spans(recording, [(start_s, end_s), ...], prior={"row": "..."})
    model.input_warning(recording)            # a message when exercises cannot be named (no accel)
    # or, on probabilities already computed (pure, no Keras):
    decision = model.decide(probs[windows_in_span(centres_s, start_s, end_s)], prior=...)
    decision = classify_span(probs_of_span, model.classes, thresholds=model.thresholds)

Keras is imported lazily (only when a model is loaded or built): importing this module is cheap.
The network builders live in ``ml.activity_network``; ``make_model`` is re-exported here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import appconfig
from journal import exercises
from journal.exercises import UNKNOWN_ID, is_custom_id, is_known
from ml.activity_decision import DecisionThresholds, SpanDecision, classify_span
from ml.personal import PersonalModel, load_personal, save_personal
from ml.recordings import Recording
from ml.windowing import (
    MissingAccelerometerError,
    WindowSpec,
    window_recording,
    windows_in_span,
)

__all__ = [
    "ActivityModel",
    "DecisionThresholds",
    "ModelError",
    "SpanDecision",
    "card_path_for",
    "classify_span",
    "file_sha256",
    "load_model",
    "make_model",
]

#: Windows per forward pass: bounds memory on hour-long recordings.
_BATCH = 1024


def predict_in_batches(network: Any, windows: np.ndarray) -> np.ndarray:
    """Class probabilities of windows through a Keras network, in batches of ``_BATCH``.

    Keras's compiled predict function, not an eager call: it is traced once per network and
    process (0.3-0.45 s), then classifies the 7,556 windows of an hour in 0.17 s against 0.8 s
    eagerly (2-core AMD EPYC). The last batch is padded to full size so that its shape never
    traces the function again.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, window_samples, n_channels)

    Returns
    -------
    ndarray, shape (n_windows, n_classes), float32
    """
    out = []
    for start in range(0, windows.shape[0], _BATCH):
        batch = np.ascontiguousarray(windows[start : start + _BATCH], np.float32)
        n_real = batch.shape[0]
        if n_real < _BATCH:
            batch = np.concatenate([batch, np.zeros((_BATCH - n_real, *batch.shape[1:]),
                                                    np.float32)])
        out.append(np.asarray(network.predict_on_batch(batch))[:n_real])
    return np.concatenate(out).astype(np.float32)


class ModelError(ValueError):
    """A model file or card that cannot be used; the message says which file and what is wrong."""


def import_keras() -> Any:
    """Import Keras quietly (TensorFlow's C++ start-up logs are not for users)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with native_stderr_silenced():
        import keras

    return keras


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration.

    TensorFlow 2.21 prints its oneDNN notice from C++ before its logging is set up, so
    ``TF_CPP_MIN_LOG_LEVEL`` cannot hide it; an import error still reaches the caller as an
    exception.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all (a detached service): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@contextlib.contextmanager
def quiet_keras() -> Iterator[None]:
    """Silence TensorFlow's own NumPy 2 deprecation warning (its code, not ours; harmless)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="__array__ implementation doesn't accept a copy",
            category=DeprecationWarning,
        )
        yield


def make_model(**hyperparameters: Any) -> Any:
    """Build the activity network (see ``ml.activity_network.make_model``)."""
    from ml.activity_network import make_model as build

    return build(**hyperparameters)


def card_networks(card: Mapping[str, Any]) -> int:
    """How many networks the carded model averages (``ml.train --ensemble``; 1 without the key)."""
    return int(card.get("ensemble", {}).get("networks", 1))


def card_path_for(model_path: Path) -> Path:
    """The card lives beside the model: ``activity.keras`` → ``activity.json``."""
    return model_path.with_suffix(".json")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(eq=False)
class ActivityModel:
    """A Keras window classifier with its card (classes, window spec, thresholds), and for a
    user's retrained version their personal model (``ml.personal``) mixed into its output."""

    network: Any
    classes: tuple[str, ...]
    spec: WindowSpec
    thresholds: DecisionThresholds = field(default_factory=DecisionThresholds)
    version: str = "unsaved"
    card: dict[str, Any] = field(default_factory=dict)
    personal: PersonalModel | None = None

    def predict_windows(self, windows: np.ndarray) -> np.ndarray:
        """Class probabilities of windows.

        Parameters
        ----------
        windows : ndarray, shape (n_windows, window_samples, 6)

        Returns
        -------
        ndarray, shape (n_windows, n_classes), float32; rows sum to 1.
        """
        expected = (self.spec.window_samples, 6)
        if windows.ndim != 3 or windows.shape[1:] != expected:
            raise ValueError(
                f"expected windows of shape (n, {expected[0]}, 6), got {windows.shape}"
            )
        if windows.shape[0] == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        probs = predict_in_batches(self.network, windows)
        return probs if self.personal is None else self.personal.mix(probs, windows, self.classes)

    def window_probabilities(self, recording: Recording) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities of every window of a recording.

        Returns
        -------
        centres_s : ndarray, shape (n_windows,)
            Window centre times in seconds from the recording start.
        probs : ndarray, shape (n_windows, n_classes)
            Empty (n_windows = 0) when the recording is shorter than one window or has no
            accelerometer (see ``ml.windowing``; ``classify_spans`` then says "unknown").
        """
        try:
            windows, centres = window_recording(recording, self.spec)
        except MissingAccelerometerError:
            return np.zeros(0), np.zeros((0, len(self.classes)), np.float32)
        return centres, self.predict_windows(windows)

    @staticmethod
    def input_warning(recording: Recording) -> str | None:
        """Why exercises cannot be named in this recording (no accelerometer), else None."""
        if recording.accel is None:
            return (
                "no accelerometer in this recording: exercises cannot be named from the "
                "gyroscope alone, so sets are listed as unknown (label them to keep them)"
            )
        return None

    def exercise_name(self, exercise_id: str) -> str:
        """Display name of a class or decision: the catalog's, else the card's (a user's own
        exercise learned from their journal), else the id without its ``custom:`` prefix."""
        return exercises.display_name(exercise_id, self.card.get("class_names"))

    def decide(
        self, span_probs: np.ndarray, *, prior: Mapping[str, str] | None = None
    ) -> SpanDecision:
        """The set decision on the window probabilities of one span, shape (k, n_classes).

        ``prior`` (family -> the user's last-used variant) breaks near-ties, except with a
        personal model: that already knows the user's variants from their own sets, and the
        last-used tie-breaker on top of it cost up to 2 points of exercise accuracy and 0.7 of
        family accuracy on the applewatch-gym days (``python -m ml.evaluate activity``)."""
        return classify_span(span_probs, self.classes, thresholds=self.thresholds,
                             prior=None if self.personal is not None else prior)

    def classify_spans(
        self,
        recording: Recording,
        spans: Sequence[tuple[float, float]],
        *,
        prior: Mapping[str, str] | None = None,
        probabilities: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> list[SpanDecision]:
        """One decision per (start_s, end_s) span; pass ``probabilities`` to reuse them."""
        centres, probs = probabilities or self.window_probabilities(recording)
        return [
            self.decide(probs[windows_in_span(centres, start, end)], prior=prior)
            for start, end in spans
        ]

    def save(self, path: Path, card: Mapping[str, Any]) -> None:
        """Write the ``.keras`` file and its card (with the file's SHA-256) side by side, and the
        personal model (``personal_path_for``) when there is one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.keras")
        with quiet_keras():
            self.network.save(tmp)
        personal: dict[str, Any] = {}
        if self.personal is not None:
            personal_path = personal_path_for(path)
            save_personal(self.personal, personal_path)
            personal = {"personal_model": {
                "file": personal_path.name, "sha256": file_sha256(personal_path),
                "exercises": list(self.personal.exercises),
                "network_weight": self.personal.network_weight}}
        full = {
            **card,
            "classes": list(self.classes),
            "class_names": {c: self.exercise_name(c) for c in self.classes},
            "window": self.spec.to_dict(),
            "thresholds": self.thresholds.to_dict(),
            "model_file": path.name,
            "model_sha256": file_sha256(tmp),
            **personal,
        }
        full.setdefault("version", f"activity-{full['model_sha256'][:8]}")
        card_tmp = card_path_for(tmp)
        card_tmp.write_text(json.dumps(full, indent=2, sort_keys=False) + "\n")
        tmp.replace(path)  # model first: a card never describes a file that is not there
        card_tmp.replace(card_path_for(path))
        self.card, self.version = full, str(full["version"])


def personal_path_for(model_path: Path) -> Path:
    """Where a user's personal model lives: beside the ``.keras`` file of their version."""
    return model_path.with_name(model_path.stem + ".personal.joblib")


def load_personal_for(card: Mapping[str, Any], model_path: Path) -> PersonalModel | None:
    """The personal model the card names, after checking its hash; None when it names none."""
    entry = card.get("personal_model")
    if entry is None:
        return None
    path = model_path.with_name(str(entry["file"]))
    if not path.is_file():
        raise ModelError(f"card of {model_path.name} names a personal model {path.name} that "
                         "is not there")
    if file_sha256(path) != entry["sha256"]:
        raise ModelError(f"personal model {path.name} is not the file the card of "
                         f"{model_path.name} was written for")
    try:
        personal = load_personal(path)
    except Exception as exc:  # joblib raises many types for a corrupt or foreign file
        raise ModelError(f"cannot load personal model {path.name}: {exc}") from None
    if set(personal.exercises) - set(card["classes"]):
        raise ModelError(f"personal model {path.name} knows exercises the card of "
                         f"{model_path.name} does not list")
    return personal


def _read_card(model_path: Path) -> dict[str, Any]:
    card_path = card_path_for(model_path)
    if not model_path.is_file():
        raise ModelError(f"no activity model at {model_path} (run `python -m ml.train`)")
    if not card_path.is_file():
        raise ModelError(f"model {model_path} has no card {card_path.name} beside it")
    try:
        card = json.loads(card_path.read_text())
    except json.JSONDecodeError as exc:
        raise ModelError(f"card {card_path} is not valid JSON: {exc}") from None
    for key in ("classes", "window", "model_sha256"):
        if key not in card:
            raise ModelError(f"card {card_path} has no {key!r}")
    return dict(card)


def check_card(card: Mapping[str, Any], model_path: Path, n_outputs: int) -> None:
    """Refuse a card that does not describe this model file; ``ModelError`` naming the mismatch."""
    classes = list(card["classes"])
    if len(classes) != n_outputs:
        raise ModelError(
            f"card of {model_path.name} lists {len(classes)} classes but the network has "
            f"{n_outputs} outputs"
        )
    unknown = [c for c in classes if not (is_known(c) or is_custom_id(c)) or c == UNKNOWN_ID]
    if unknown:
        raise ModelError(
            f"card of {model_path.name} has classes that are neither catalog exercises nor "
            f"a user's own (custom:...): {unknown}"
        )
    if len(set(classes)) != len(classes):
        raise ModelError(f"card of {model_path.name} lists a class twice: {classes}")
    actual = file_sha256(model_path)
    if card["model_sha256"] != actual:
        raise ModelError(
            f"card of {model_path.name} was written for another model file "
            f"(sha256 {str(card['model_sha256'])[:12]}…, file has {actual[:12]}…)"
        )


_CACHE: dict[tuple[str, float], ActivityModel] = {}


def load_model(path: Path | str | None = None) -> ActivityModel:
    """Load a ``.keras`` activity model and its card, once per file version.

    Raises
    ------
    ModelError
        Missing file or card, or a card that does not match the model (class count, catalog ids,
        file hash).
    """
    model_path = Path(path) if path is not None else appconfig.MODEL_PATH
    card = _read_card(model_path)
    key = (str(model_path.resolve()), model_path.stat().st_mtime)
    if key in _CACHE:
        return _CACHE[key]
    keras = import_keras()
    try:
        with quiet_keras():
            network = keras.models.load_model(model_path, compile=False)
    except Exception as exc:  # Keras raises many types for a corrupt or foreign file
        raise ModelError(f"cannot load activity model {model_path}: {exc}") from None
    check_card(card, model_path, int(network.output_shape[-1]))
    personal = load_personal_for(card, model_path)
    model = ActivityModel(
        network=network,
        classes=tuple(card["classes"]),
        spec=WindowSpec.from_dict(card["window"]),
        thresholds=DecisionThresholds.from_dict(card.get("thresholds", {})),
        version=str(card.get("version", model_path.stem)),
        card=card,
        personal=personal,
    )
    _CACHE[key] = model
    return model
