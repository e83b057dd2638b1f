"""Whole sessions built from real sets and real rest, with the true set boundaries kept.

Users upload a whole gym session; the datasets hold one set per file. A built session joins
several real sets of one recording day (one participant) in their recorded order with real rest
between them: slices of the barbell-metamotion rest-sitting / rest-standing recordings. The
applewatch-gym sets also keep the idle and handling at their own edges, so the gap between two
sets is that idle plus the inserted rest. A set's true span is its file's span in the session.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml.recordings import CANONICAL_RATE_HZ, Recording


@dataclass(frozen=True)
class BuiltSession:
    """A session made of real sets; ``true_spans`` (start_s, end_s) and ``true_reps`` per set."""

    name: str
    recording: Recording
    true_spans: tuple[tuple[float, float], ...]
    true_reps: tuple[int, ...]
    set_names: tuple[str, ...]


@dataclass(frozen=True)
class SetPiece:
    """One real set to build sessions from, with its group (day + participant)."""

    name: str
    group: str
    reps: int
    recording: Recording


def _rest_slice(rests: Sequence[Recording], seconds: float, rng: random.Random) -> list[Recording]:
    """About ``seconds`` of real rest: slices of the rest recordings, each used once per gap.

    Never the same recording twice in one gap, so the rest never repeats itself (a copy would
    look like a rep to a periodicity detector). Capped by the rest recorded in all.
    """
    pieces: list[Recording] = []
    remaining = int(seconds * CANONICAL_RATE_HZ)
    for rest in rng.sample(list(rests), len(rests)):
        if remaining <= 0:
            break
        take = min(remaining, rest.n_samples)
        start = rng.randrange(0, rest.n_samples - take + 1)
        pieces.append(_cut(rest, start, start + take))
        remaining -= take
    return pieces


def _cut(recording: Recording, start: int, end: int) -> Recording:
    return Recording(
        gyro=recording.gyro[start:end],
        accel=None if recording.accel is None else recording.accel[start:end],
        gravity=None,
        source_format=recording.source_format,
        original_rate_hz=recording.original_rate_hz,
    )


def concatenate(name: str, parts: Sequence[Recording]) -> Recording:
    """Join recordings end to end (gyro and accel; gravity dropped as rest slices lack it)."""
    has_accel = all(p.accel is not None for p in parts)
    accel = np.concatenate([p.accel for p in parts if p.accel is not None]) if has_accel else None
    return Recording(
        gyro=np.concatenate([p.gyro for p in parts]).astype(np.float32),
        accel=None if accel is None else accel.astype(np.float32),
        gravity=None,
        source_format="built-session",
        original_rate_hz=CANONICAL_RATE_HZ,
        file_names=(name,),
    )


def build_sessions(
    pieces: Sequence[SetPiece],
    rests: Sequence[Recording],
    *,
    n_sessions: int,
    sets_per_session: tuple[int, int] = (2, 5),
    rest_s: tuple[float, float] = (20.0, 70.0),
    seed: int = 0,
) -> list[BuiltSession]:
    """Sessions of consecutive real sets of one group with real rest between (seeded).

    Each session starts and ends with rest and takes a run of consecutive sets (recorded order)
    of a randomly chosen group that has enough of them.
    """
    if not rests:
        raise ValueError("building sessions needs at least one real rest recording")
    rng = random.Random(seed)
    groups: dict[str, list[SetPiece]] = defaultdict(list)
    for piece in pieces:
        groups[piece.group].append(piece)
    low, high = sets_per_session
    eligible = sorted(g for g, members in groups.items() if len(members) >= low)
    if not eligible:
        raise ValueError(f"no group has {low} sets to build a session from")
    sessions: list[BuiltSession] = []
    for i in range(n_sessions):
        members = groups[rng.choice(eligible)]
        k = rng.randint(low, min(high, len(members)))
        first = rng.randrange(0, len(members) - k + 1)
        chosen = members[first : first + k]
        parts: list[Recording] = _rest_slice(rests, rng.uniform(*rest_s), rng)
        spans: list[tuple[float, float]] = []
        for j, piece in enumerate(chosen):
            start = sum(p.n_samples for p in parts) / CANONICAL_RATE_HZ
            parts.append(piece.recording)
            spans.append((start, start + piece.recording.duration_s))
            gap = rng.uniform(*rest_s) if j < k - 1 else rng.uniform(10.0, 30.0)
            parts.extend(_rest_slice(rests, gap, rng))
        name = f"built-{i:03d}-{chosen[0].group}"
        sessions.append(BuiltSession(
            name=name,
            recording=concatenate(name, parts),
            true_spans=tuple(spans),
            true_reps=tuple(p.reps for p in chosen),
            set_names=tuple(p.name for p in chosen),
        ))
    return sessions
