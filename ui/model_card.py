"""The model card (``data/models/activity.json``) as tables for the Model page, without Keras."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from journal import exercises
from ml.model import card_networks

#: The accuracy right after what it measures: a phone shows the first three columns.
_EVALUATION_COLUMNS = {
    "dataset": "Dataset",
    "level": "Level",
    "set_accuracy": "Set accuracy",
    "set_accuracy_sd": "± sd",
    "n_sets": "Sets",
    "protocol": "Protocol",
    "set_macro_f1": "Set macro-F1",
    "window_accuracy": "Window accuracy",
}


def classes_frame(card: Mapping[str, Any]) -> pd.DataFrame:
    """One row per class of the model: catalog name, family and id, in family order."""
    rows = []
    for class_id in card.get("classes", []):
        known = exercises.is_known(str(class_id))
        entry = exercises.get(str(class_id)) if known else None
        rows.append(
            {
                # A user's own exercise: its name comes from the card the retrain wrote.
                "Exercise": exercises.display_name(str(class_id), card.get("class_names")),
                "Family": entry.family if entry else "your own",
                "Id": str(class_id),
            }
        )
    frame = pd.DataFrame(rows, columns=["Exercise", "Family", "Id"])
    return frame.sort_values(["Family", "Exercise"], kind="stable").reset_index(drop=True)


def evaluation_frame(card: Mapping[str, Any]) -> pd.DataFrame:
    """The card's ``evaluation`` list as a table, with the baselines in their own columns."""
    rows = []
    for item in card.get("evaluation", []):
        if not isinstance(item, Mapping):
            continue
        row = {label: item.get(key) for key, label in _EVALUATION_COLUMNS.items()}
        # Measured where the held-out person has other days in the journal (ml.personal).
        row["With a personal model"] = _headline(item.get("with_personal_model"))
        baselines = item.get("baselines") or {}
        if isinstance(baselines, Mapping):
            for name, value in baselines.items():
                row[f"Baseline: {str(name).replace('_', ' ')}"] = _headline(value)
        rows.append(row)
    return pd.DataFrame(rows)


def _headline(value: Any) -> Any:
    """A baseline may be a number or a dict of metrics: show its set accuracy where nested."""
    if isinstance(value, Mapping):
        return value.get("set_accuracy", value.get("accuracy"))
    return value


def card_facts(card: Mapping[str, Any]) -> dict[str, str]:
    """Short facts for the header: version, training date, classes, training sets, networks
    averaged (``ml.train --ensemble``), window."""
    facts: dict[str, str] = {}
    if "version" in card:
        facts["Version"] = str(card["version"])
    trained = next((card[k] for k in ("created_utc", "created", "date") if k in card), None)
    if trained is not None:
        facts["Trained"] = str(trained)[:10]
    facts["Classes"] = str(len(card.get("classes", [])))
    if isinstance(card.get("training_data"), list):
        facts["Training sets"] = str(len(card["training_data"]))
    networks = card_networks(card)
    if networks > 1:
        facts["Networks"] = f"{networks}, their window probabilities averaged"
    window = card.get("window")
    if isinstance(window, Mapping) and "window_s" in window:
        facts["Window"] = f"{window['window_s']:g} s, hop {window.get('hop_s', '?')} s"
    return facts


def training_frame(card: Mapping[str, Any]) -> pd.DataFrame:
    """Sets the model was trained on, counted per dataset and exercise."""
    rows = [
        {"Dataset": str(item.get("dataset", "")), "Exercise": str(item.get("exercise", ""))}
        for item in card.get("training_data", [])
        if isinstance(item, Mapping)
    ]
    frame = pd.DataFrame(rows, columns=["Dataset", "Exercise"])
    counted = frame.value_counts().rename("Sets").reset_index()
    counted["Exercise"] = [
        exercises.get(e).name if exercises.is_known(e) else e for e in counted["Exercise"]
    ]
    return counted.sort_values(["Dataset", "Sets"], ascending=[True, False], ignore_index=True)


def protocol_text(card: Mapping[str, Any]) -> str:
    """The protocol as plain text: a string as is, a dict as "key: value" lines."""
    protocol = card.get("protocol", "")
    if isinstance(protocol, Mapping):
        return "\n".join(f"{key}: {value}" for key, value in protocol.items())
    if isinstance(protocol, list):
        return "\n".join(str(line) for line in protocol)
    return str(protocol)


def _share(value: Any) -> float | None:
    return float(value) * 100 if isinstance(value, int | float) else None


def _figures_frame(
    card: Mapping[str, Any], section: str, row_of: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> pd.DataFrame:
    """One row per item of a counter card section, held-out rows first: they are the figures
    that count; tuning rows follow for context."""
    part = card.get(section)
    items = part.get("rows", []) if isinstance(part, Mapping) else []
    rows = [{**row_of(item), "_tuning": item.get("part") == "tuning"}
            for item in items if isinstance(item, Mapping)]
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows).sort_values("_tuning", kind="stable")
    return frame.drop(columns="_tuning").reset_index(drop=True)


def counting_frame(card: Mapping[str, Any]) -> pd.DataFrame:
    """The counter card's rep figures (``ml.counting_card``), held-out rows first; shares in %."""
    return _figures_frame(card, "reps", lambda item: {
        "Sets of": f"{item.get('dataset')}, {item.get('sets_from')}",
        "Within ±1 (%)": _share(item.get("within_1")),
        "MAE (reps)": item.get("mae"),
        "Exact (%)": _share(item.get("exact")),
        "Within ±2 (%)": _share(item.get("within_2")),
        "Counted": item.get("counted"),
        "Labels": item.get("labels"),
        "Sets": item.get("sets"),
    })


def exercise_counting_frame(card: Mapping[str, Any]) -> pd.DataFrame:
    """The counter card's rep figures per exercise, as the app counts a set file: the least
    reliable exercise (highest MAE) first, with its number of sets beside the error so that a
    figure from 1-3 sets reads as the guess it is."""

    def row_of(item: Mapping[str, Any]) -> dict[str, Any]:
        exercise_id = str(item.get("exercise_id"))
        # The catalog's name as the journal shows it, else the one the card was written with.
        name = exercises.display_name(exercise_id, {exercise_id: str(item.get("exercise"))})
        return {
            "Exercise": name,
            "MAE (reps)": item.get("mae"),
            "Sets": item.get("sets"),
            "Mean signed (reps)": item.get("mean_signed"),
            "Within ±1 (%)": _share(item.get("within_1")),
            "Held-out sets": item.get("held_out_sets"),
            "Tuning sets": item.get("tuning_sets"),
            "Labels": item.get("labels"),
            "Dataset": item.get("dataset"),
        }

    frame = _figures_frame(card, "reps_by_exercise", row_of)
    if frame.empty:
        return frame
    # Equal errors: the one more sets stand behind first.
    return frame.sort_values(
        ["MAE (reps)", "Sets", "Exercise"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def segmentation_frame(card: Mapping[str, Any]) -> pd.DataFrame:
    """The counter card's set-finding figures on built sessions, held-out rows first."""

    def row_of(item: Mapping[str, Any]) -> dict[str, Any]:
        reps = item.get("end_to_end_reps")
        reps = reps if isinstance(reps, Mapping) else {}
        return {
            "Sessions of": f"{item.get('dataset')}, {item.get('sets_from')}",
            "Set count right (%)": _share(item.get("set_count_right")),
            "Median boundary error (s)": item.get("boundary_median_s"),
            "Reps within ±1 (%)": _share(reps.get("within_1")),
            "Reps MAE": reps.get("mae"),
            "Boundary to": item.get("boundary_to"),
            "Sessions": item.get("sessions"),
        }

    return _figures_frame(card, "segmentation", row_of)


def measured_caption(card: Mapping[str, Any], section: str, *, current: bool | None) -> str:
    """When and how a section of the counter card was measured, and whether it still describes
    the counter (``current`` None: the code could not be read to tell)."""
    part = card.get(section)
    if not isinstance(part, Mapping):
        return ""
    words = [f"Measured on {part.get('measured_on', 'an unknown day')}."]
    targets = card.get("targets")
    if isinstance(targets, Mapping) and targets.get(section):
        words.append(f"Targets: {targets[section]}.")
    if current is False:
        words.append("The counter has changed since: these figures describe an earlier one.")
    return " ".join(words)
