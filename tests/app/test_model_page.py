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
