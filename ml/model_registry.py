"""User-trained model versions on disk and in the journal: staging, publishing, the active one.

Every version is a folder ``<USER_MODELS_DIR>/<version>/`` holding ``activity.keras`` and its
card ``activity.json``; the shipped model in ``data/models/`` is never written. Training writes
into a hidden staging folder; only a finished, verified model is renamed into place (one atomic
``os.replace``) and then recorded in the journal's ``model_versions`` table, active or not. A
crash or a stop at any point before that leaves the athlete's active model as it was.

The app loads ``active_model_path(session, athlete)``: the athlete's active version, or the
shipped model when there is none (or its folder is gone).
"""

from __future__ import annotations

import logging
import re
import shutil
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import appconfig
from journal import model_versions
from journal.model_versions import ModelVersionInfo

log = logging.getLogger(__name__)

#: File name of the network inside a version folder (its card is ``activity.json``).
MODEL_FILE = "activity.keras"
_STAGING_PREFIX = ".staging-"
#: Staging folders older than this are leftovers of a crashed run and are removed.
_STALE_STAGING_S = 6 * 3600


def models_root(root: Path | None = None) -> Path:
    return Path(root) if root is not None else appconfig.USER_MODELS_DIR


def new_version_name(athlete: str | None, now: datetime | None = None) -> str:
    """A readable, unique version name: ``<athlete>-<UTC date-time>-<random>``."""
    slug = re.sub(r"[^a-z0-9]+", "-", (athlete or "me").casefold()).strip("-")[:40] or "athlete"
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{slug}-{stamp}-{uuid.uuid4().hex[:6]}"


def staging_dir(root: Path | None = None) -> Path:
    """A fresh hidden folder to train into (removes stale ones left by crashed runs)."""
    base = models_root(root)
    base.mkdir(parents=True, exist_ok=True)
    for old in base.glob(_STAGING_PREFIX + "*"):
        if time.time() - old.stat().st_mtime > _STALE_STAGING_S:
            shutil.rmtree(old, ignore_errors=True)
    folder = base / f"{_STAGING_PREFIX}{uuid.uuid4().hex}"
    folder.mkdir()
    return folder


def discard(folder: Path) -> None:
    """Remove a staging (or unregistered) folder; missing is fine."""
    shutil.rmtree(folder, ignore_errors=True)


def publish(staging: Path, version: str, root: Path | None = None) -> Path:
    """Move a finished staging folder to its version folder in one rename; returns the model
    file path. ``FileExistsError`` when the version exists (nothing is overwritten)."""
    if not (staging / MODEL_FILE).is_file():
        raise FileNotFoundError(f"no {MODEL_FILE} in {staging}: training did not finish")
    target = models_root(root) / version
    if target.exists():
        raise FileExistsError(f"model version folder {target} already exists")
    staging.replace(target)
    return target / MODEL_FILE


def _stored_path(model_path: Path, root: Path | None) -> str:
    """Paths inside the models folder are stored relative to it (the folder may move)."""
    try:
        return str(model_path.resolve().relative_to(models_root(root).resolve()))
    except ValueError:
        return str(model_path.resolve())


def resolve(info: ModelVersionInfo, root: Path | None = None) -> Path:
    """The model file of a registered version."""
    path = Path(info.path)
    return path if path.is_absolute() else models_root(root) / path


def register(
    session: Session,
    version: str,
    model_path: Path,
    *,
    athlete: str | None = None,
    metrics: dict[str, Any] | None = None,
    notes: str = "",
    activate: bool = False,
    root: Path | None = None,
) -> ModelVersionInfo:
    """Record a published version in the journal (the caller commits)."""
    return model_versions.register_version(
        session, version, _stored_path(model_path, root), athlete=athlete,
        metrics=metrics, notes=notes, activate=activate,
    )


def active_model_path(
    session: Session, athlete: str | None = None, *, root: Path | None = None,
    fallback: Path | None = None,
) -> Path:
    """The model file uploads of this athlete are analysed with.

    The athlete's active version, else ``fallback`` (default: the shipped model,
    ``appconfig.MODEL_PATH``), also when the active version's file has gone missing (logged).
    """
    shipped = fallback or appconfig.MODEL_PATH
    active = model_versions.active_version(session, athlete=athlete)
    if active is None:
        return shipped
    path = resolve(active, root)
    if not path.is_file():
        log.warning("active model version %s is missing at %s; using the shipped model",
                    active.version, path)
        return shipped
    return path


def list_versions(session: Session, athlete: str | None = None) -> list[ModelVersionInfo]:
    """The athlete's versions, newest first."""
    return model_versions.list_versions(session, athlete=athlete)


def activate(
    session: Session, version: str | None, athlete: str | None = None,
    *, root: Path | None = None,
) -> Path:
    """Make a version (None: the shipped model) active; returns the model now in use.

    ``FileNotFoundError`` when the version's model file is gone.
    """
    if version is not None:
        info = next((v for v in list_versions(session, athlete) if v.version == version), None)
        if info is not None and not resolve(info, root).is_file():
            raise FileNotFoundError(
                f"model version {version} is missing its file {resolve(info, root)}")
    model_versions.set_active(session, version, athlete=athlete)
    return active_model_path(session, athlete, root=root)


def rollback(session: Session, athlete: str | None = None, *, root: Path | None = None) -> Path:
    """Go back to the version before the active one (or the shipped model); returns it."""
    model_versions.rollback(session, athlete=athlete)
    return active_model_path(session, athlete, root=root)
