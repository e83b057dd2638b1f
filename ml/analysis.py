"""What ``ml.pipeline.analyze`` returns: plain immutable values to store and show."""

from __future__ import annotations

from dataclasses import dataclass, field

from ml.recordings import Recording


@dataclass(frozen=True)
class DetectedSet:
    """One exercise set found in a recording.

    ``exercise`` is a catalog id (``journal.exercises``), "unknown" when the model is not
    confident enough. ``alternatives`` holds the runner-up (id, probability) pairs, best first.
    ``warnings`` say why the user should check this set (plain sentences, without the set's
    number: the app and the CLI put it in front).
    """

    start_s: float
    end_s: float
    exercise: str
    exercise_name: str
    confidence: float
    reps: int
    rep_times_s: tuple[float, ...] = ()
    family: str = "other"
    alternatives: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionAnalysis:
    """A recording with the sets found in it, in time order."""

    recording: Recording
    sets: tuple[DetectedSet, ...]
    warnings: tuple[str, ...] = ()
    model_version: str = ""
    extra: dict[str, object] = field(default_factory=dict)
