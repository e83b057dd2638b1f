"""The Model page reads the model card (no Keras) and says plainly when there is none."""

from __future__ import annotations

import json

import pytest

import appconfig

CARD = {
    "version": "activity-test-1",
    "classes": ["assisted_pull_up", "close_grip_cable_row", "rest"],
    "protocol": {"split": "leave one recording day out", "windows": "2.5 s, hop 0.5 s"},
    "ensemble": {"networks": 3, "seeds": [0, 1, 2]},
    "evaluation": [
        {
            "dataset": "applewatch-gym",
            "protocol": "leave-one-day-out",
            "level": "family",
            "n_sets": 150,
            "set_accuracy": 0.973,
            "set_accuracy_sd": 0.01,
            "set_macro_f1": 0.95,
            "window_accuracy": 0.9,
            "baselines": {"seed_network": 0.79, "sklearn": {"set_accuracy": 0.86}},
            "with_personal_model": {"set_accuracy": 0.981, "set_accuracy_sd": 0.004},
        }
    ],
}


@pytest.fixture
def card_model(tmp_path, monkeypatch):
    model_path = tmp_path / "activity.keras"
    model_path.with_suffix(".json").write_text(json.dumps(CARD), encoding="utf-8")
    monkeypatch.setattr(appconfig, "MODEL_PATH", model_path)
    return model_path


def test_model_page_shows_classes_accuracy_and_protocol(app, journal_url, card_model, page_text):
    at = app("model")
    assert not at.exception and not at.error
    evaluation = at.dataframe[0].value
    row = evaluation.iloc[0]
    assert (row["Dataset"], row["Level"], row["Set accuracy"]) == (
        "applewatch-gym",
        "family",
        0.973,
    )
    # A phone shows three columns: the accuracy is among them, not past the protocol.
    assert list(evaluation.columns[:3]) == ["Dataset", "Level", "Set accuracy"]
    assert (row["Baseline: seed network"], row["Baseline: sklearn"]) == (0.79, 0.86)
    assert row["With a personal model"] == 0.981
    classes = at.dataframe[1].value
    assert set(classes["Exercise"]) == {"Assisted pull-up", "Close-grip cable row", "Rest"}
    assert "split: leave one recording day out" in page_text(at)
    assert {m.label: m.value for m in at.metric}["Classes"] == "3"
    assert "Version: activity-test-1" in page_text(at)
    assert "Networks: 3, their window probabilities averaged" in page_text(at)


def test_model_page_without_a_card_says_how_to_get_one(app, journal_url, tmp_path, monkeypatch):
    monkeypatch.setattr(appconfig, "MODEL_PATH", tmp_path / "missing.keras")
    at = app("model")
    assert not at.exception
    assert "No model card found" in at.error[0].value


@pytest.mark.skipif(
    not appconfig.MODEL_PATH.with_suffix(".json").is_file(), reason="model not trained yet"
)
def test_model_page_reads_the_shipped_card(app, journal_url):
    at = app("model")
    assert not at.exception and not at.error
    assert len(at.dataframe[1].value) >= 10


def test_model_page_says_how_well_reps_are_counted_held_out_first(app, journal_url, page_text):
    # The shipped counter card (written by python -m ml.evaluate reps / segmentation).
    at = app("model")
    assert not at.exception and not at.error
    counting = at.dataframe[2].value  # after the accuracy and the classes
    first = counting.iloc[0]
    assert first["Sets of"].startswith("applewatch-gym, days after")  # held out, not tuning
    assert 0 < first["Within ±1 (%)"] <= 100 and first["MAE (reps)"] >= 0
    assert set(counting["Counted"]) == {"per set file", "as the app counts"}
    finding = at.dataframe[3].value
    assert finding.iloc[0]["Sessions of"].startswith("applewatch-gym, days after")
    text = page_text(at)
    assert "Targets: within ±1 in at least 95% of sets" in text
    assert "The counter has changed since" not in text
    # "How the counter was measured" gives each table's protocol, the by-exercise one too.
    protocols = [t.value for t in at.text][-3:]  # after the activity model's own
    assert [p.split(" ", 4)[:4] for p in protocols] == [
        ["Reps", "per", "set", "on"], ["Whole", "sessions", "built", "from"],
        ["Reps", "per", "set", "by"]]


def test_model_page_says_when_the_counter_changed_since_its_figures(
    app, journal_url, page_text, tmp_path, monkeypatch
):
    from ml import counting_card

    card = json.loads(counting_card.CARD_PATH.read_text(encoding="utf-8"))
    card["reps"]["fingerprint"] = "0" * 64  # measured on another counter
    stale = tmp_path / "rep_counter_card.json"
    stale.write_text(json.dumps(card), encoding="utf-8")
    monkeypatch.setattr(counting_card, "CARD_PATH", stale)
    at = app("model")
    assert not at.exception and not at.error
    assert "The counter has changed since: these figures describe an earlier one." in page_text(at)


def test_model_page_says_how_well_each_exercise_is_counted(app, journal_url, page_text):
    # The shipped counter card: the count error of each exercise, as the app counts a set file.
    from ml import counting_card

    at = app("model")
    assert not at.exception and not at.error
    by_exercise = next(
        frame.value for frame in at.dataframe if "Held-out sets" in frame.value.columns
    )
    # A phone shows the exercise, its error and how many sets that error stands on.
    assert list(by_exercise.columns[:3]) == ["Exercise", "MAE (reps)", "Sets"]
    # The least reliable first: the incline dumbbell press, counted short.
    worst = by_exercise.iloc[0]
    assert worst["Exercise"] == "30° incline dumbbell bench press"
    assert worst["Mean signed (reps)"] < 0
    assert list(by_exercise["MAE (reps)"]) == sorted(by_exercise["MAE (reps)"], reverse=True)
    cable_row = by_exercise.set_index("Exercise").loc["Close-grip cable row"]
    assert cable_row["MAE (reps)"] < worst["MAE (reps)"]
    # Every set file counted, each in one row, with how many of them tuned the counter.
    card = counting_card.load_card()
    assert card is not None
    files = sum(
        row["sets"] for row in card["reps"]["rows"] if row["counted"] == "as the app counts"
    )
    assert by_exercise["Sets"].sum() == files
    assert (by_exercise["Held-out sets"] + by_exercise["Tuning sets"] == by_exercise["Sets"]).all()
    assert (by_exercise["Sets"] <= 3).any()  # a reader sees where a figure stands on few sets
    barbell = by_exercise[by_exercise["Dataset"] == "barbell-metamotion"]
    assert len(barbell) == 5 and barbell["Labels"].str.contains("approximate").all()
    text = page_text(at)
    assert "By exercise" in text
    assert "the counter's gate was fitted on the tuning sets" in text
    assert "a negative mean signed error means it counts too few reps" in text


def test_by_exercise_table_puts_the_larger_error_first_and_on_more_sets_at_a_tie():
    from ui.model_card import exercise_counting_frame

    def row(exercise_id: str, name: str, mae: float, sets: int) -> dict[str, object]:
        return {"dataset": "applewatch-gym", "exercise_id": exercise_id, "exercise": name,
                "labels": "audited", "tuning_sets": sets, "held_out_sets": 0, "sets": sets,
                "within_1": 1.0, "mae": mae, "mean_signed": -mae}

    card = {"reps_by_exercise": {"rows": [
        row("close_grip_cable_row", "old name", 0.1, 7),
        row("custom:my_row", "My row", 1.0, 1),
        row("preacher_curl", "Preacher curl", 1.0, 7),
    ]}}
    frame = exercise_counting_frame(card)
    # The catalog's name wins over the one the card was written with; a name not in the
    # catalog is the card's.
    assert list(frame["Exercise"]) == ["Preacher curl", "My row", "Close-grip cable row"]
    assert exercise_counting_frame({"reps": {"rows": []}}).empty  # a card from before
