"""Saving an adopted retrained model: card, staging, verification, atomic publish, activation.

The model is written into a staging folder, loaded back and checked (card matches the file,
same predictions), renamed into its version folder, and only then recorded as the athlete's
active version in one journal transaction. If that transaction fails the folder is removed:
the journal never points at a half-written model, and the previous one stays active.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from journal import db
from journal.models import DEFAULT_ATHLETE
from ml import model_registry
from ml.model import ActivityModel, ModelError, check_card, load_model, load_personal_for
from ml.provenance import library_versions, machine


def _card(candidate: ActivityModel, version: str, athlete: str | None, base: ActivityModel,
          before: ActivityModel, training: dict[str, Any], comparison: dict[str, Any],
          reason: str) -> dict[str, Any]:
    user, shipped = comparison["user"], comparison["shipped"]
    evaluation = [
        {"dataset": "your journal: held-out sets", "level": "exercise",
         "protocol": "the newest 20 % of each exercise's labelled sets, not trained on",
         "n_sets": user["n_sets"], "set_accuracy": user["set_accuracy_after"],
         "baselines": {"model_in_use": user["set_accuracy_before"]}},
        {"dataset": "shipped datasets (retention)", "level": "exercise",
         "protocol": "all shipped sets of the base classes; the base model trained on them, so "
                     "this measures forgetting, not generalisation",
         "n_sets": shipped["n_sets"], "set_accuracy": shipped["set_accuracy_after"],
         "baselines": {"model_in_use": shipped["set_accuracy_before"]}},
    ]
    return {
        "version": version,
        "kind": "user",
        "athlete": athlete or DEFAULT_ATHLETE,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_version": base.version,
        "base_model_sha256": base.card.get("model_sha256"),
        "replaced_version": before.version,
        "method": ("new output classes + fine-tuning of the shipped model"
                   if training["new_classes"] else "fine-tuning of the shipped model"),
        "training": training,
        "comparison": comparison,
        "decision": reason,
        "evaluation": evaluation,
        "base_evaluation": base.card.get("evaluation", []),
        "libraries": library_versions(("keras", "tensorflow-cpu", "tensorflow", "numpy")),
        "machine": machine(),
    }


def _verify(path: Path, candidate: ActivityModel) -> None:
    """Load the written file back: its card must match and it must predict the same."""
    import json

    from ml.learning_train import load_network

    card = json.loads(path.with_suffix(".json").read_text())
    network = load_network(path)
    check_card(card, path, int(network.output_shape[-1]))
    probe = np.random.default_rng(0).normal(
        size=(4, candidate.spec.window_samples, 6)).astype(np.float32)
    reloaded = ActivityModel(network=network, classes=candidate.classes, spec=candidate.spec,
                             personal=load_personal_for(card, path))
    if not np.allclose(reloaded.predict_windows(probe), candidate.predict_windows(probe),
                       atol=1e-5):
        raise ModelError(f"the saved model {path} does not predict like the trained one")


def save_version(
    engine: Engine,
    candidate: ActivityModel,
    *,
    athlete: str | None,
    base: ActivityModel,
    before: ActivityModel,
    root: Path | None,
    training: dict[str, Any],
    comparison: dict[str, Any],
    reason: str,
) -> tuple[str, Path]:
    """Publish the candidate as the athlete's active version; returns (version, model path)."""
    version = model_registry.new_version_name(athlete)
    staging = model_registry.staging_dir(root)
    try:
        staged = staging / model_registry.MODEL_FILE
        candidate.save(staged, _card(candidate, version, athlete, base, before, training,
                                     comparison, reason))
        _verify(staged, candidate)
        path = model_registry.publish(staging, version, root)
    except BaseException:
        model_registry.discard(staging)
        raise
    metrics = {**comparison, "classes": list(candidate.classes),
               "new_classes": training["new_classes"],
               "n_train_sets": len(training["journal_set_ids"])}
    try:
        db.write_transaction(engine, lambda session: model_registry.register(
            session, version, path, athlete=athlete, metrics=metrics, notes=reason,
            activate=True, root=root))
    except BaseException:
        model_registry.discard(path.parent)
        raise
    load_model(path)  # warm the cache: the next upload uses it at once
    return version, path
