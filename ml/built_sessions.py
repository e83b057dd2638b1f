"""Whole sessions built from real sets and real rest, with the true set boundaries kept.

Users upload a whole gym session; the datasets hold one set per file. A built session joins
several real sets of one recording day (one participant) in their recorded order with real rest
between them: slices of the barbell-metamotion rest-sitting / rest-standing recordings. The
applewatch-gym sets also keep the idle and handling at their own edges, so the gap between two
sets is that idle plus the inserted rest. A set's true span is its file's span in the session;
``true_rep_spans`` narrows it to the piece's reps where the piece says where they are.

Pieces are joined by a short bridge (``BRIDGE_S``) that turns the wrist from one piece's last
orientation to the next one's first: raw concatenation would jump gravity by up to 1 g in one
sample, a step no wrist makes, whose band-passed ringing swamps the first seconds of a set.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml.recordings import CANONICAL_RATE_HZ, Recording

#: Seconds to turn the wrist between two joined pieces (a plausible arm movement).
BRIDGE_S = 1.0


@dataclass(frozen=True)
class BuiltSession:
    """A session made of real sets; per set: ``true_spans`` (start_s, end_s) of its file,
    ``true_rep_spans`` of its reps (the file span where the piece gives none), ``true_reps``."""

    name: str
    recording: Recording
    true_spans: tuple[tuple[float, float], ...]
    true_reps: tuple[int, ...]
    set_names: tuple[str, ...]
    true_rep_spans: tuple[tuple[float, float], ...] = ()
    group: str = ""  # the day + participant its sets come from


@dataclass(frozen=True)
class SetPiece:
    """One real set to build sessions from, with its group (day + participant).

    ``rep_span`` (start_s, end_s) is where its reps are inside the file, if known.
    """

    name: str
    group: str
    reps: int
    recording: Recording
    rep_span: tuple[float, float] | None = None


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


def bridge(before: Recording, after: Recording, seconds: float = BRIDGE_S) -> Recording:
    """A steady wrist turn from ``before``'s last orientation to ``after``'s first.

    Acceleration glides along the great circle between the two end samples; the gyroscope
    holds the constant rate of that turn (a fixed world vector g in the sensor frame moves as
    dg/dt = g x omega, so omega = -angle / seconds along g1 x g2).
    """
    n = max(1, int(round(seconds * CANONICAL_RATE_HZ)))
    gyro = np.zeros((n, 3), np.float32)
    accel = None
    if before.accel is not None and after.accel is not None and len(before.accel) and len(
            after.accel):
        g1, g2 = before.accel[-1].astype(np.float64), after.accel[0].astype(np.float64)
        t = (np.arange(n) + 1.0)[:, None] / (n + 1)
        norm1, norm2 = np.linalg.norm(g1), np.linalg.norm(g2)
        direction = (1 - t) * g1 / max(norm1, 1e-9) + t * g2 / max(norm2, 1e-9)
        direction /= np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-9)
        accel = (direction * ((1 - t) * norm1 + t * norm2)).astype(np.float32)
        axis = np.cross(g1, g2)
        sine = np.linalg.norm(axis)
        if sine > 1e-9:
            angle = np.arctan2(sine, float(g1 @ g2))
            gyro[:] = -angle / seconds * axis / sine
    return Recording(gyro=gyro, accel=accel, gravity=None, source_format=after.source_format,
                     original_rate_hz=CANONICAL_RATE_HZ)


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
        parts: list[Recording] = []

        def add(part: Recording, parts: list[Recording] = parts) -> float:
            """Append (bridged to the previous part); the part's start in seconds."""
            if parts:
                parts.append(bridge(parts[-1], part))
            parts.append(part)
            return sum(p.n_samples for p in parts[:-1]) / CANONICAL_RATE_HZ

        for rest in _rest_slice(rests, rng.uniform(*rest_s), rng):
            add(rest)
        spans: list[tuple[float, float]] = []
        rep_spans: list[tuple[float, float]] = []
        for j, piece in enumerate(chosen):
            start = add(piece.recording)
            spans.append((start, start + piece.recording.duration_s))
            inner = piece.rep_span or (0.0, piece.recording.duration_s)
            rep_spans.append((start + inner[0], start + inner[1]))
            gap = rng.uniform(*rest_s) if j < k - 1 else rng.uniform(10.0, 30.0)
            for rest in _rest_slice(rests, gap, rng):
                add(rest)
        name = f"built-{i:03d}-{chosen[0].group}"
        sessions.append(BuiltSession(
            name=name,
            recording=concatenate(name, parts),
            true_spans=tuple(spans),
            true_reps=tuple(p.reps for p in chosen),
            set_names=tuple(p.name for p in chosen),
            true_rep_spans=tuple(rep_spans),
            group=chosen[0].group,
        ))
    return sessions
