"""A retrain running in a background thread, readable from any page rerun (no Streamlit here).

One job per athlete per server process: the page starts it, then only reads its progress and
result, so the page stays usable while it trains. Stopping sets a flag the training checks
after every batch; the active model is untouched until a finished model is adopted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from journal.models import DEFAULT_ATHLETE
from ml.learning import NotEnoughLabels, RetrainCancelled, RetrainResult, retrain

_JOBS: dict[tuple[str, str], RetrainJob] = {}
_JOBS_LOCK = threading.Lock()


@dataclass
class RetrainJob:
    """Progress, then the result or the error message, of one retrain."""

    athlete: str | None
    fraction: float = 0.0
    message: str = "starting"
    result: RetrainResult | None = None
    error: str | None = None
    #: "refused" (too few labelled sets), "stopped" (by the user) or "failed"
    error_kind: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def _progress(self, fraction: float, message: str) -> None:
        self.fraction, self.message = max(0.0, min(1.0, fraction)), message

    def _run(self, engine: Engine) -> None:
        try:
            self.result = retrain(
                engine, athlete=self.athlete, progress=self._progress, cancelled=self.stop.is_set
            )
        except NotEnoughLabels as error:
            self.error, self.error_kind = str(error), "refused"
        except RetrainCancelled as error:
            self.error, self.error_kind = str(error), "stopped"
        except Exception as error:  # shown on the page as a message, never a traceback
            self.error, self.error_kind = str(error) or type(error).__name__, "failed"
        finally:
            self.finished = time.monotonic()


def _key(engine: Engine, athlete: str | None) -> tuple[str, str]:
    """Jobs are per journal and athlete (None is the default athlete: one job for both)."""
    return engine.url.render_as_string(hide_password=True), athlete or DEFAULT_ATHLETE


def current_job(engine: Engine, athlete: str | None) -> RetrainJob | None:
    """The athlete's running or last finished job in this process, if any."""
    with _JOBS_LOCK:
        return _JOBS.get(_key(engine, athlete))


def start_job(engine: Engine, athlete: str | None) -> RetrainJob:
    """Start retraining in a daemon thread (or return the one already running)."""
    key = _key(engine, athlete)
    with _JOBS_LOCK:
        job = _JOBS.get(key)
        if job is not None and job.running:
            return job
        job = RetrainJob(athlete=athlete)
        job.thread = threading.Thread(
            target=job._run, args=(engine,), daemon=True, name=f"retrain-{athlete or 'default'}"
        )
        _JOBS[key] = job
        job.thread.start()
        return job


def forget_job(engine: Engine, athlete: str | None) -> None:
    """Drop a finished job (the page's "dismiss")."""
    key = _key(engine, athlete)
    with _JOBS_LOCK:
        job = _JOBS.get(key)
        if job is not None and not job.running:
            del _JOBS[key]
