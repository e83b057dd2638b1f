"""Model page: what the exercise model knows, its measured accuracy and how it was measured."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ml.counting_card import counter_fingerprint
from ui.colors import family_color
from ui.lifter import current_lifter
from ui.model_card import (
    card_facts,
    classes_frame,
    counting_frame,
    evaluation_frame,
    exercise_counting_frame,
    measured_caption,
    protocol_text,
    segmentation_frame,
    training_frame,
)
from ui.resources import counter_card, model_card

st.title(":material/model_training: What the model knows")
st.caption(
    "The exercise of every set is named by small neural networks trained on real wrist "
    "recordings. Its card says what it was trained on and how well it did on data it had "
    "never seen, so you can trust it (or doubt it) knowingly."
)

lifter = current_lifter()
card = model_card(lifter)  # the lifter's active version, else the shipped model
if card is None:
    st.error(
        "No model card found beside the model file. Train the model with `python -m ml.train` "
        "or set ACTIVITY_MODEL_PATH to a trained model."
    )
    st.stop()

facts = card_facts(card)
numbers = {k: v for k, v in facts.items() if k in ("Trained", "Classes", "Training sets")}
for column, (label, value) in zip(st.columns(len(numbers)), numbers.items(), strict=True):
    column.metric(label, value)
st.caption(" · ".join(f"{k}: {v}" for k, v in facts.items() if k not in numbers))

st.subheader("Measured accuracy")
evaluation = evaluation_frame(card)
if evaluation.empty:
    st.info(str(card.get("evaluation_note") or "The card holds no evaluation yet."))
else:
    st.dataframe(
        evaluation,
        placeholder="–",
        hide_index=True,
        key="model_evaluation",
        column_config={
            "Set accuracy": st.column_config.NumberColumn(format="%.3f"),
            "± sd": st.column_config.NumberColumn(format="%.3f"),
            "Set macro-F1": st.column_config.NumberColumn(format="%.3f"),
            "Window accuracy": st.column_config.NumberColumn(format="%.3f"),
            "With a personal model": st.column_config.NumberColumn(format="%.3f"),
        },
    )
    st.caption(
        "Set accuracy: share of held-out sets whose exercise (or family) was named right. "
        "Baselines are the original seed network and a scikit-learn model on the same split. "
        "With a personal model: the same held-out days of one person, once the model has "
        "learnt from his other days (retrain on the Model page after correcting a few sets)."
    )

protocol = protocol_text(card)
if protocol:
    st.subheader("How it was measured")
    st.text(protocol)

st.subheader("Exercises it recognises")
classes = classes_frame(card)
st.dataframe(
    classes.style.map(lambda family: f"color: {family_color(family)}", subset=["Family"]),
    placeholder="–",
    hide_index=True,
    key="model_classes",
)
st.caption(
    "Any other exercise in the catalog can still be chosen by hand for a set; reps are "
    "counted without knowing the exercise."
)



def _figure_columns(frame: pd.DataFrame, label: str) -> dict[str, Any]:
    """Shares to 0.1 %, errors to 0.01; the label column kept narrow enough that a phone
    shows the first figures beside it."""
    config: dict[str, Any] = {label: st.column_config.TextColumn(width="medium")}
    for column in frame.columns:
        if column.endswith("(%)"):
            config[column] = st.column_config.NumberColumn(format="%.1f")
        elif "MAE" in column or column.endswith("(s)"):
            config[column] = st.column_config.NumberColumn(format="%.2f")
        elif column.startswith("Mean signed"):  # the sign says under- or overcounting
            config[column] = st.column_config.NumberColumn(format="%+.2f")
    return config


counter = counter_card()
if counter is not None:
    st.subheader("How well reps are counted")
    st.caption(
        "Reps are counted from the rhythm of the motion, without knowing the exercise, so "
        "exercises the model has never seen are counted too. These figures come from real sets "
        "with known counts, most of them on recording days and people the counter was not "
        "tuned on. A count is never final: fix it on the Session page and yours is kept."
    )
    try:
        current: bool | None = counter_fingerprint() == counter["reps"].get("fingerprint")
    except (OSError, KeyError, AttributeError):  # code not beside the app, or no reps section
        current = None
    counting = counting_frame(counter)
    if not counting.empty:
        st.dataframe(counting, hide_index=True, key="model_counting", placeholder="–",
                     column_config=_figure_columns(counting, "Sets of"))
        st.caption(measured_caption(counter, "reps", current=current))
    finding = segmentation_frame(counter)
    if not finding.empty:
        st.markdown("**Finding the sets in a whole session**")
        st.dataframe(finding, hide_index=True, key="model_segmentation", placeholder="–",
                     column_config=_figure_columns(finding, "Sessions of"))
        st.caption(measured_caption(counter, "segmentation", current=current))
    by_exercise = exercise_counting_frame(counter)
    if not by_exercise.empty:
        st.markdown("**By exercise**")
        st.dataframe(by_exercise, hide_index=True, key="model_counting_by_exercise",
                     placeholder="–", column_config=_figure_columns(by_exercise, "Exercise"))
        # Measured by the same command as the reps table, so its fingerprint tells for both.
        st.caption(
            "Find your exercise: the higher its MAE, the further its counts tend to be off; a "
            "negative mean signed error means it counts too few reps. "
            f"{counter['reps_by_exercise'].get('protocol', '')} "
            f"{measured_caption(counter, 'reps_by_exercise', current=current)}"
        )
    with st.expander("How the counter was measured"):
        for section in ("reps", "segmentation", "reps_by_exercise"):
            part = counter.get(section)
            if isinstance(part, dict) and part.get("protocol"):
                st.text(str(part["protocol"]))

training = training_frame(card)
if not training.empty:
    with st.expander(f"What it was trained on ({int(training['Sets'].sum())} real sets)"):
        st.dataframe(training, hide_index=True, key="model_training", placeholder="–")

with st.expander("The full model card (JSON)"):
    st.json(card, expanded=False)

# Learning from the user's corrections (issue 9; ui/retrain.py owns the panel).
from ui.resources import journal_engine  # noqa: E402
from ui.retrain import retrain_panel  # noqa: E402

retrain_panel(journal_engine(), lifter)
