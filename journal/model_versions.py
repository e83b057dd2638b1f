"""The journal's record of user-trained model versions: register, activate, list, roll back.

Versions belong to an athlete; at most one per athlete is active and with none active the
athlete's uploads use the shipped model. The model files live outside the database (see
``ml.model_registry``); rows hold their path. The caller owns the ``Session``; nothing here
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from journal import catalog
from journal.models import DEFAULT_ATHLETE, Athlete, ModelVersion, utcnow
from journal.views import NotFoundError


@dataclass(frozen=True)
class ModelVersionInfo:
    """One registered version as plain values; ``metrics`` is the before/after comparison."""

    version: str
    athlete: str
    path: str
    created_at: datetime
    is_active: bool
    metrics: dict[str, Any]
    notes: str


def _athlete(session: Session, athlete: str | None) -> Athlete:
    return catalog.athlete_named(session, athlete) if athlete else catalog.default_athlete(session)


def _existing_athlete(session: Session, athlete: str | None) -> Athlete | None:
    """The athlete without creating one (reads must not write)."""
    name = (athlete or DEFAULT_ATHLETE).strip()
    return session.scalar(select(Athlete).where(Athlete.name == name))


def _info(row: ModelVersion, athlete: str) -> ModelVersionInfo:
    return ModelVersionInfo(
        version=row.version, athlete=athlete, path=row.path, created_at=row.created_at,
        is_active=row.is_active, metrics=dict(row.metrics or {}), notes=row.notes,
    )


def _row(session: Session, version: str, athlete: Athlete) -> ModelVersion:
    row = session.scalar(select(ModelVersion).where(
        ModelVersion.version == version, ModelVersion.athlete_id == athlete.id))
    if row is None:
        raise NotFoundError(f"no model version {version!r} for athlete {athlete.name!r}")
    return row


def register_version(
    session: Session,
    version: str,
    path: str,
    *,
    athlete: str | None = None,
    metrics: dict[str, Any] | None = None,
    notes: str = "",
    activate: bool = False,
) -> ModelVersionInfo:
    """Record a trained version (inactive unless ``activate``); ``ValueError`` if it exists."""
    owner = _athlete(session, athlete)
    if session.scalar(select(ModelVersion.id).where(ModelVersion.version == version)):
        raise ValueError(f"model version {version!r} is already registered")
    row = ModelVersion(version=version, path=path, athlete_id=owner.id,
                       metrics=dict(metrics or {}), notes=notes, is_active=False,
                       created_at=utcnow())
    session.add(row)
    session.flush()
    if activate:
        set_active(session, version, athlete=owner.name)
        session.refresh(row)
    return _info(row, owner.name)


def set_active(
    session: Session, version: str | None, *, athlete: str | None = None
) -> ModelVersionInfo | None:
    """Make ``version`` the athlete's active model; None goes back to the shipped model."""
    owner = _athlete(session, athlete)
    chosen = _row(session, version, owner) if version is not None else None
    session.execute(
        update(ModelVersion).where(ModelVersion.athlete_id == owner.id).values(is_active=False)
    )
    if chosen is None:
        session.flush()
        return None
    chosen.is_active = True
    session.flush()
    session.refresh(chosen)
    return _info(chosen, owner.name)


def active_version(session: Session, *, athlete: str | None = None) -> ModelVersionInfo | None:
    """The athlete's active version, or None when uploads use the shipped model."""
    owner = _existing_athlete(session, athlete)
    if owner is None:
        return None
    row = session.scalar(select(ModelVersion).where(
        ModelVersion.athlete_id == owner.id, ModelVersion.is_active.is_(True)
    ).order_by(ModelVersion.id.desc()))
    return _info(row, owner.name) if row is not None else None


def list_versions(session: Session, *, athlete: str | None = None) -> list[ModelVersionInfo]:
    """The athlete's versions, newest first."""
    owner = _existing_athlete(session, athlete)
    if owner is None:
        return []
    rows = session.scalars(select(ModelVersion).where(ModelVersion.athlete_id == owner.id)
                           .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc()))
    return [_info(row, owner.name) for row in rows]


def rollback(session: Session, *, athlete: str | None = None) -> ModelVersionInfo | None:
    """Activate the version registered before the active one (the shipped model when none).

    Returns the version now active (None: the shipped model). ``ValueError`` when the athlete
    already uses the shipped model: there is nothing to roll back.
    """
    owner = _athlete(session, athlete)
    current = active_version(session, athlete=owner.name)
    if current is None:
        raise ValueError(f"{owner.name} already uses the shipped model: nothing to roll back")
    older = [v for v in list_versions(session, athlete=owner.name)
             if (v.created_at, v.version) < (current.created_at, current.version)]
    return set_active(session, older[0].version if older else None, athlete=owner.name)
