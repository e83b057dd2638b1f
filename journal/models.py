"""The journal's tables as typed SQLAlchemy 2.0 models (the schema Alembic migrates)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Name of the athlete a single user never has to think about.
DEFAULT_ATHLETE = "Me"

# Deterministic constraint names so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (how every *_at audit column is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Athlete(Base):
    """A person whose sessions are in the journal."""

    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    sessions: Mapped[list[WorkoutSession]] = relationship(back_populates="athlete")


class Exercise(Base):
    """A catalog exercise (id from ``journal.exercises``) or a custom one (id ``custom:<key>``)."""

    __tablename__ = "exercises"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(120))
    is_custom: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    aliases: Mapped[list[ExerciseAlias]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan"
    )


class ExerciseAlias(Base):
    """One normalised key an exercise answers to (``journal.exercises.normalize_name``).

    ``kind`` says where the key comes from: "id", "name", "alias" or "family"; imports map a
    name onto an exercise only through the first three (a family names several exercises).
    """

    __tablename__ = "exercise_aliases"
    __table_args__ = (UniqueConstraint("exercise_id", "key", name="uq_exercise_aliases_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[str] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))

    exercise: Mapped[Exercise] = relationship(back_populates="aliases")


class IdHighWater(Base):
    """The highest id ever given to a row of a table, where SQLite would give a deleted one
    again (without AUTOINCREMENT the next row gets max(id) + 1): a bookmarked session that was
    deleted must not open the next workout saved. PostgreSQL's sequences never go back."""

    __tablename__ = "id_high_water"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    max_id: Mapped[int] = mapped_column(Integer)


class WorkoutSession(Base):
    """One workout: when, who, a title and notes, its recordings and sets.

    ``performed_at`` is the local wall-clock time of the workout (what the user searches by).
    """

    __tablename__ = "workout_sessions"
    __table_args__ = (Index("ix_workout_sessions_athlete_performed", "athlete_id", "performed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"))
    performed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    model_version: Mapped[str] = mapped_column(String(120), default="")
    #: Warnings from the analysis (plain strings), shown beside the session.
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    #: Key of the imported workout (Strong/Hevy) so the same export is not imported twice.
    import_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    athlete: Mapped[Athlete] = relationship(back_populates="sessions")
    recordings: Mapped[list[Recording]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Recording.id",
    )
    sets: Mapped[list[ExerciseSet]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ExerciseSet.position",
    )


class Recording(Base):
    """An uploaded motion recording with its canonical 50 Hz signal, compressed (see signal.py)."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workout_sessions.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_names: Mapped[list[Any]] = mapped_column(default=list)
    source_format: Mapped[str] = mapped_column(String(60))
    original_rate_hz: Mapped[float] = mapped_column(Float)
    sample_rate_hz: Mapped[float] = mapped_column(Float)
    n_samples: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    #: Absolute start of the first sample as naive UTC, when the file carried one. Indexed:
    #: another file of the same recording is found by its start (``store.find_recording``).
    start_time_utc: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    units: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    gaps_s: Mapped[list[Any]] = mapped_column(default=list)
    signal_codec: Mapped[str] = mapped_column(String(40))
    # Deferred: listing and searching never read the megabytes of signal.
    signal: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    session: Mapped[WorkoutSession] = relationship(back_populates="recordings")


class ExerciseSet(Base):
    """One set: the user's values, and beside them what the model said.

    ``corrected`` is true when the user's exercise or reps differ from the model's, or the
    user drew the set's boundaries; ``confirmed`` when the user said the values are right.
    Both are the training signal for later model versions.

    ``performed_at`` repeats the session's date-time (the store keeps them equal) so that one
    index answers "this exercise in this date range, with at least N reps" without visiting
    the sessions; it also holds reps, weight and session, so totals and progress read it alone.
    Searches naming no exercise sort by the session's date-time instead, which is the same.
    """

    __tablename__ = "exercise_sets"
    __table_args__ = (
        Index("ix_exercise_sets_exercise_performed", "exercise_id", "performed_at", "reps",
              "weight_kg", "session_id"),
        Index("ix_exercise_sets_performed", "performed_at"),
        # A session's sets in order, with what totals read: a lifter's sets, reps and volume
        # come from their sessions and this index, without reading each set's row.
        Index("ix_exercise_sets_session_totals", "session_id", "position", "exercise_id", "reps",
              "weight_kg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workout_sessions.id", ondelete="CASCADE")
    )
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordings.id", ondelete="SET NULL"), index=True
    )
    #: 1-based order within the session.
    position: Mapped[int] = mapped_column(Integer)
    performed_at: Mapped[datetime] = mapped_column(DateTime)
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id"))
    reps: Mapped[int] = mapped_column(Integer, default=0)
    rep_times_s: Mapped[list[Any]] = mapped_column(default=list)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    rpe: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    model_exercise_id: Mapped[str | None] = mapped_column(String(120))
    model_confidence: Mapped[float | None] = mapped_column(Float)
    model_reps: Mapped[int | None] = mapped_column(Integer)
    #: Runner-up (exercise id, probability) pairs from the model, best first.
    model_alternatives: Mapped[list[Any]] = mapped_column(default=list)
    #: The user drew, split, merged or moved this set's boundaries (the model's were wrong).
    boundaries_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[WorkoutSession] = relationship(back_populates="sets")
    exercise: Mapped[Exercise] = relationship()
    recording: Mapped[Recording | None] = relationship()


class ModelVersion(Base):
    """A trained activity-model version kept beside the journal; one may be marked active.

    Versions are per athlete (``athlete_id``); at most one per athlete is active, and with
    none active the athlete's uploads use the shipped model. Store: ``journal.model_versions``.
    """

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(120), unique=True)
    athlete_id: Mapped[int | None] = mapped_column(
        ForeignKey("athletes.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
