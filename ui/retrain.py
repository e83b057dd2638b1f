"""The Model page's "learn from your corrections" panel: labelled sets, Retrain, versions.

The retrain runs in a background thread (``ui.retrain_job``); a fragment re-runs every second
to move the progress bar while the rest of the page stays usable. The model versions table
switches the active model in one click (rollback); uploads then use it (``ui.resources``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from journal.db import session_factory, write_transaction
from journal.models import DEFAULT_ATHLETE
from ml import model_registry
from ml.learning import (
    MIN_LABELLED_SETS,
    LabelCount,
    RetrainResult,
    base_model_classes,
    label_counts,
)
from ml.learning_compare import Score
from ui.retrain_job import RetrainJob, current_job, forget_job, start_job
from ui.session_edits import own_exercises
from ui.tables import exercise_name
from ui.text import escape_markdown, plural


def _learnable_text(count: LabelCount) -> str:
    if not count.learnable:
        return "no (name the exercise first)"
    if count.still_needed:
        return f"after {plural(count.still_needed, 'more set')} (new to the model)"
    return "yes"


def counts_frame(athlete: str | None, engine: Engine) -> pd.DataFrame:
    """Sets per exercise whose name the user corrected, or confirmed as the model named them,
    with whether a retrain can learn it yet."""
    with session_factory(engine)() as session:
        counts = label_counts(session, athlete=athlete, known_classes=base_model_classes())
    return pd.DataFrame(
        [
            {
                "Exercise": c.name,
                "Name corrected": c.corrected,
                "Confirmed as named": c.confirmed,
                "Learnable": _learnable_text(c),
            }
            for c in counts
        ],
        columns=["Exercise", "Name corrected", "Confirmed as named", "Learnable"],
    )


def _to_tenth_percent(share: float | None) -> float | None:
    """A share to 0.1 %, as the sentence above the tables says it (98.6 %, not 98.58 %)."""
    return None if share is None else round(share, 3)


def comparison_frame(result: RetrainResult) -> pd.DataFrame:
    """Sets named right before and after, on the user's held-out sets and the shipped sets."""

    def row(name: str, part: Score) -> dict[str, object]:
        return {
            "Sets": name,
            "Count": part.n_sets,
            "Before": _to_tenth_percent(part.before if part.n_sets else None),
            "After": _to_tenth_percent(part.after if part.n_sets else None),
        }

    return pd.DataFrame(
        [
            row("Your held-out sets", result.user),
            row("Shipped sets (what it already knew)", result.shipped),
        ]
    )


def held_out_frame(result: RetrainResult, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per exercise of the user's held-out sets: named right before and after (``names``: the
    user's own exercises, id → name, so "Machine fly" is not shown as "machinefly")."""
    return pd.DataFrame(
        [
            {"Exercise": exercise_name(e, names), "Sets": n, "Right before": b, "Right after": a}
            for e, (n, b, a) in result.user.per_exercise.items()
        ],
        columns=["Exercise", "Sets", "Right before", "Right after"],
    )


def versions_frame(engine: Engine, athlete: str | None) -> pd.DataFrame:
    with session_factory(engine)() as session:
        versions = model_registry.list_versions(session, athlete)
    names = own_exercises(engine)
    rows = []
    for v in versions:
        user = v.metrics.get("user") or {}
        rows.append(
            {
                "Version": v.version,
                "Trained": v.created_at,
                "Active": v.is_active,
                "New exercises": ", ".join(
                    exercise_name(e, names) for e in v.metrics.get("new_classes", [])
                ),
                "Held-out before": _to_tenth_percent(user.get("set_accuracy_before")),
                "Held-out after": _to_tenth_percent(user.get("set_accuracy_after")),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Version",
            "Trained",
            "Active",
            "New exercises",
            "Held-out before",
            "Held-out after",
        ],
    )


def result_sentence(result: RetrainResult) -> str:
    """The decision and its reason as one sentence, then how long training took."""
    return f"{result.reason[0].upper()}{result.reason[1:]}. Trained in {result.seconds:.0f} s."


def _show_result(engine: Engine, job: RetrainJob) -> None:
    if job.error_kind == "refused":
        st.info(f"Not retrained: {job.error}.")
    elif job.error_kind == "stopped":
        st.info("Retraining was stopped. The model in use is unchanged.")
    elif job.error is not None:
        st.error(f"Retraining failed: {job.error}. The model in use is unchanged.")
    elif job.result is not None:
        result = job.result
        (st.success if result.adopted else st.warning)(result_sentence(result))
        st.dataframe(
            comparison_frame(result),
            hide_index=True,
            key="retrain_comparison",
            column_config={
                c: st.column_config.NumberColumn(format="percent") for c in ("Before", "After")
            },
        )
        if result.user.n_sets:
            st.dataframe(held_out_frame(result, own_exercises(engine)), hide_index=True,
                         key="retrain_held_out")
        for note in result.notes:
            st.caption(note)
    if st.button("Dismiss", key="retrain_dismiss"):
        forget_job(engine, job.athlete)
        st.rerun()


def _status(engine: Engine, athlete: str | None) -> None:
    job = current_job(engine, athlete)
    if job is None:
        return
    if job.running:
        st.progress(job.fraction, text=f"{job.message} · {job.seconds:.0f} s")
        if st.button("Stop", key="retrain_stop", icon=":material/stop:"):
            job.stop.set()
        return
    shown = st.session_state.setdefault("retrain_shown", set())
    if id(job) not in shown:  # just finished: refresh the whole page (versions, model)
        shown.add(id(job))
        st.rerun(scope="app")
    _show_result(engine, job)


def _switch(engine: Engine, athlete: str | None, version: str | None, rollback: bool) -> None:
    try:
        write_transaction(
            engine,
            lambda s: (
                model_registry.rollback(s, athlete)
                if rollback
                else model_registry.activate(s, version, athlete)
            ),
        )
    except (ValueError, FileNotFoundError) as error:
        st.session_state["retrain_switch_error"] = str(error)


def _versions(engine: Engine, athlete: str | None) -> None:
    st.markdown("**Model versions**")
    frame = versions_frame(engine, athlete)
    error = st.session_state.pop("retrain_switch_error", None)
    if error:
        st.info(error)
    if frame.empty:
        st.caption("No retrained versions yet: uploads use the shipped model.")
        return
    in_use = frame.loc[frame["Active"], "Version"].tolist()
    st.caption(f"In use: {in_use[0] if in_use else 'the shipped model'}.")
    st.dataframe(
        frame,
        hide_index=True,
        key="retrain_versions",
        column_config={
            c: st.column_config.NumberColumn(format="percent")
            for c in ("Held-out before", "Held-out after")
        },
    )
    # The version picker and its button on one row; the two one-click switches below.
    pick, use = st.columns([3, 2], vertical_alignment="bottom")
    choice = pick.selectbox("Version to use", frame["Version"].tolist(), key="retrain_choice")
    use.button(
        "Use this version",
        key="retrain_use",
        on_click=_switch,
        args=(engine, athlete, choice, False),
    )
    back, shipped = st.columns(2)
    back.button(
        "Roll back to the previous model",
        key="retrain_rollback",
        disabled=not in_use,
        on_click=_switch,
        args=(engine, athlete, None, True),
    )
    shipped.button(
        "Use the shipped model",
        key="retrain_shipped",
        disabled=not in_use,
        on_click=_switch,
        args=(engine, athlete, None, False),
    )


def retrain_panel(engine: Engine, athlete: str | None = None) -> None:
    """The whole panel for one lifter (None: the default); call it at the end of the Model
    page."""
    whose = f"{escape_markdown(athlete)}'s" if athlete and athlete != DEFAULT_ATHLETE else "your"
    st.subheader(f"Learn from {whose} corrections", anchor=False)
    st.caption(
        "Every set whose exercise you corrected or confirmed teaches the model, including "
        "exercises it has never seen (label a few sets of them first). A new model is used "
        "only if it names at least as many of your held-out sets right and has not forgotten "
        "what it knew; earlier models are kept."
    )
    counts = counts_frame(athlete, engine)
    if counts.empty:
        st.info(
            f"No corrected or confirmed sets yet. Correct or confirm the exercise of at "
            f"least {MIN_LABELLED_SETS} sets on a session page, then retrain here."
        )
    else:
        st.dataframe(counts, hide_index=True, key="retrain_counts")
    job = current_job(engine, athlete)
    running = job is not None and job.running
    if st.button(
        "Retrain",
        key="retrain_start",
        type="primary",
        disabled=running,
        icon=":material/model_training:",
    ):
        start_job(engine, athlete)
        st.rerun()
    if running:
        st.fragment(_status, run_every=1.0)(engine, athlete)
    else:
        _status(engine, athlete)
    _versions(engine, athlete)
