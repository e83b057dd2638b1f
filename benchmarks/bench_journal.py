"""Journal speed: search, progress and saving in a GENERATED SQLite journal of 100,000 sets.

Protocol: a SQLite file (WAL, the app's settings) migrated with ``journal.db.migrate`` and filled
with GENERATED sessions: 10,000 sessions of 10 sets over three years (2022–2024), exercises drawn
from the catalog, reps 1–20, weights 5–150 kg, a note on one set in ten. The sessions have no
recording rows: search and progress never read signals. Timings are wall-clock per call in this
process, after 10 warm-up calls (warm cache), reported as p50/p95 of N calls:
- search: ``search.search_sets`` (a page of 50 rows plus the totals over every match) with a
  typical filter: exercise text + a random 90-day window + min reps 5–12 (N=200); the same
  strongest first (``sort="-e1rm"``, estimated one-rep max computed by the database, N=200); and
  "my strongest squat sets": exercise text alone over all three years, strongest first beside
  newest first (the default sort), N=50 each;
- Journal page, no filter: what ``app_pages/journal.py`` asks when it opens (the lifter's sets,
  newest first, a page of ``RESULT_LIMIT`` rows plus the totals over all 100,000; the page
  counts the sessions of the rows shown), N=50; and the page's other sorts, no filter, N=20
  each;
- progress: ``progress.exercise_progress`` (weekly totals + personal records, what the progress
  page shows) for one exercise over all three years (N=50);
- save: ``store.save_analysis`` + commit through ``db.write_transaction`` of a 30-minute
  recording made of REAL applewatch-gym sets back to back, its sets taken from the labels —
  no ml (N=20).
The machine's load average is printed with the figures: other jobs share its two cores.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, insert

from benchmarks import Figure
from journal import db, exercises, progress, search, store
from journal.models import DEFAULT_ATHLETE, ExerciseSet, WorkoutSession
from ml.analysis import DetectedSet, SessionAnalysis
from ml.recordings import CANONICAL_RATE_HZ, Recording
from ui.journal_query import RESULT_LIMIT, SORTS

SESSIONS = 10_000
SAVE_MINUTES = 30.0
SETS_PER_SESSION = 10
TYPED = ["pull-up", "bench", "row", "curl", "squat", "triceps", "lateral raise", "deadlift"]


def generate_journal(engine: Engine, seed: int = 7) -> int:
    """Fill a migrated journal with GENERATED sessions; returns the number of sets."""
    rng = random.Random(seed)
    choices = [e.id for e in exercises.CATALOG if e.family not in ("rest", "other")]
    start = datetime(2022, 1, 1, 7, 0)
    words = ["grip", "slow", "paused", "belt", "felt easy", "shoulder tight", "PR"]
    with engine.begin() as connection:
        sessions = [
            {"id": i + 1, "athlete_id": 1, "title": "Generated workout", "notes": "",
             "performed_at": start + timedelta(days=i * 1096 / SESSIONS, hours=rng.random() * 12),
             "model_version": "generated", "warnings": [], "created_at": start}
            for i in range(SESSIONS)
        ]
        connection.execute(insert(WorkoutSession), sessions)
        sets = []
        for session_id in range(1, SESSIONS + 1):
            performed_at = sessions[session_id - 1]["performed_at"]
            for position in range(1, SETS_PER_SESSION + 1):
                exercise_id = rng.choice(choices)
                reps = rng.randint(1, 20)
                sets.append({
                    "session_id": session_id, "position": position, "exercise_id": exercise_id,
                    "performed_at": performed_at,
                    "reps": reps, "rep_times_s": [], "weight_kg": round(rng.uniform(5, 150), 1),
                    "notes": rng.choice(words) if rng.random() < 0.1 else "",
                    "model_exercise_id": exercise_id, "model_confidence": rng.random(),
                    "model_reps": reps, "model_alternatives": [], "corrected": False,
                    "confirmed": False, "boundaries_edited": False, "updated_at": start,
                })
        connection.execute(insert(ExerciseSet), sets)
    with engine.connect() as connection:
        # Setup ends with the bulk load checkpointed, as in a journal filled over months.
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(sets)


def real_session(minutes: float = SAVE_MINUTES) -> SessionAnalysis:
    """Real applewatch-gym sets back to back (idle edges included) until ``minutes`` long.

    The sets are the files' spans with their labelled exercise and reps: an "analysis" as the
    pipeline would return it, without running ml.
    """
    from ml import datasets

    gyro: list[np.ndarray] = []
    accel: list[np.ndarray] = []
    gravity: list[np.ndarray] = []
    sets: list[DetectedSet] = []
    samples = 0
    for labelled in datasets.applewatch_sets():
        part = datasets.load(labelled)
        if part.accel is None or part.gravity is None:
            continue
        entry = exercises.get(labelled.exercise_id)
        begin = samples / CANONICAL_RATE_HZ
        sets.append(DetectedSet(
            start_s=begin, end_s=begin + part.duration_s, exercise=entry.id,
            exercise_name=entry.name, confidence=0.9, reps=labelled.reps or 0,
            family=entry.family,
        ))
        gyro.append(part.gyro)
        accel.append(part.accel)
        gravity.append(part.gravity)
        samples += part.n_samples
        if samples >= minutes * 60 * CANONICAL_RATE_HZ:
            break
    recording = Recording(
        gyro=np.concatenate(gyro), accel=np.concatenate(accel), gravity=np.concatenate(gravity),
        source_format="applewatch-gym", original_rate_hz=100.0,
    )
    return SessionAnalysis(recording=recording, sets=tuple(sets), model_version="bench")


def _timed(call: Callable[[], object], runs: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        call()
        times.append((time.perf_counter() - begin) * 1000)
    return times


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def cpu_calibration_ms() -> float:
    """Best of 5 timings of a 1,000,000-step pure-Python loop: higher means a busier machine."""
    best = float("inf")
    for _ in range(5):
        begin = time.perf_counter()
        total = 0
        for step in range(1_000_000):
            total += step
        best = min(best, (time.perf_counter() - begin) * 1000)
    return best


def run() -> Iterator[Figure]:
    yield Figure("cpu_calibration_loop_ms", cpu_calibration_ms(), "ms",
                 "best of 5 runs of a 1M-step Python loop: how busy the machine was")
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        db.migrate(engine)
        n_sets = generate_journal(engine)
        rng = random.Random(1)
        factory = db.session_factory(engine)
        load = os.getloadavg()[0]
        size = (f"GENERATED journal of {n_sets:,} sets in {SESSIONS:,} sessions, SQLite file; "
                f"load average {load:.1f} on {os.cpu_count()} cores")

        def one_search(sort: str = "-date") -> object:
            first = datetime(2022, 1, 1) + timedelta(days=rng.randint(0, 1000))
            query = search.SetQuery(exercise=rng.choice(TYPED), date_from=first.date(),
                                    date_to=(first + timedelta(days=90)).date(),
                                    min_reps=rng.randint(5, 12), athlete=DEFAULT_ATHLETE,
                                    sort=sort)
            with factory() as session:
                return search.search_sets(session, query)

        times = _timed(one_search, 200)
        protocol = (f"{size}; one lifter's sets (as the app asks) by exercise + 90-day window + "
                    "min reps, page of 50 + totals; N=200")
        yield Figure("journal_search_p50_ms", _p(times, 50), "ms", protocol)
        yield Figure("journal_search_p95_ms", _p(times, 95), "ms (target <= 20)", protocol)
        times = _timed(lambda: one_search("-e1rm"), 200)
        yield Figure("journal_search_strongest_p95_ms", _p(times, 95), "ms (target <= 20)",
                     f"{protocol}; strongest first (sort -e1rm)")

        def all_time(sort: str) -> object:
            query = search.SetQuery(exercise=rng.choice(TYPED), athlete=DEFAULT_ATHLETE,
                                    sort=sort)
            with factory() as session:
                return search.search_sets(session, query)

        for sort, name in (("-date", "newest"), ("-e1rm", "strongest")):
            times = _timed(functools.partial(all_time, sort), 50)
            yield Figure(f"journal_search_all_time_{name}_p95_ms", _p(times, 95), "ms",
                         f"{size}; one lifter's sets of one exercise text, all time, "
                         f"sort {sort}, page of 50 + totals; N=50")

        def journal_page(sort: str = "-date") -> object:
            # The Journal page with no filter: its query, and the sessions it counts.
            query = search.SetQuery(athlete=DEFAULT_ATHLETE, sort=sort, limit=RESULT_LIMIT)
            with factory() as session:
                page = search.search_sets(session, query)
            return len({row.session_id for row in page.rows})

        times = _timed(journal_page, 50)
        protocol = (f"{size}; the Journal page opened with no filter: one lifter's sets newest "
                    f"first, page of {RESULT_LIMIT} + totals over every set; N=50")
        yield Figure("journal_page_unfiltered_p50_ms", _p(times, 50), "ms", protocol)
        yield Figure("journal_page_unfiltered_p95_ms", _p(times, 95), "ms (target <= 50)",
                     protocol)
        for sort, label in SORTS.items():
            if sort == "-date":
                continue
            times = _timed(functools.partial(journal_page, sort), 20, warmup=3)
            name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
            yield Figure(f"journal_page_unfiltered_{name}_p95_ms", _p(times, 95), "ms",
                         f"{size}; the Journal page with no filter, sorted {label!r} "
                         f"(sort {sort}), page of {RESULT_LIMIT} + totals; N=20")

        def one_progress() -> object:
            with factory() as session:
                return progress.exercise_progress(session, "assisted_pull_up",
                                                  athlete=DEFAULT_ATHLETE)

        times = _timed(one_progress, 50)
        protocol = (f"{size}; exercise_progress (weekly sets/reps/volume + personal records) of "
                    "one exercise, one lifter (as the app asks), all time; N=50")
        yield Figure("journal_progress_p50_ms", _p(times, 50), "ms", protocol)
        yield Figure("journal_progress_p95_ms", _p(times, 95), "ms (target <= 50)", protocol)

        session = real_session()
        uploads = iter(range(10_000))

        def one_save() -> object:
            digest = hashlib.sha256(f"bench-{next(uploads)}".encode()).hexdigest()
            upload = replace(session, recording=replace(session.recording, sha256=digest))
            return db.write_transaction(engine, lambda s: store.save_analysis(s, upload))

        times = _timed(one_save, 20, warmup=5)
        protocol = (f"{size}; save_analysis + commit of {session.recording.duration_s / 60:.0f} "
                    f"min of REAL applewatch-gym sets back to back "
                    f"({session.recording.n_samples:,} samples x 9 channels, "
                    f"{len(session.sets)} sets), ml excluded; N=20")
        yield Figure("journal_save_p50_ms", _p(times, 50), "ms", protocol)
        yield Figure("journal_save_p95_ms", _p(times, 95), "ms (target <= 100)", protocol)
        engine.dispose()


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
