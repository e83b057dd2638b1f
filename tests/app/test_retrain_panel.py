"""The Model page's retrain panel: labelled-set counts, refusal message, one-click rollback."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

import appconfig
from journal import catalog, db, edits, exercises, store
from ml import datasets, model_registry
from ml.analysis import DetectedSet, SessionAnalysis


def panel_script(url: str) -> None:
    from journal.db import open_journal
    from ui.retrain import retrain_panel

    retrain_panel(open_journal(url))


def _panel(url: str) -> AppTest:
    at = AppTest.from_function(panel_script, args=(url,), default_timeout=60)
    return at.run()


@pytest.fixture
def roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Model versions and a card-only shipped model in a temporary folder."""
    shipped = tmp_path / "shipped" / "activity.keras"
    shipped.parent.mkdir()
    shipped.with_suffix(".json").write_text(
        json.dumps({"classes": ["incline_dumbbell_biceps_curl", exercises.REST_ID]})
    )
    monkeypatch.setattr(appconfig, "MODEL_PATH", shipped)
    monkeypatch.setattr(appconfig, "USER_MODELS_DIR", tmp_path / "models")
    return tmp_path


def _pull_up_sets(url: str, n: int) -> None:
    engine = db.open_journal(url)
    for item in [s for s in datasets.applewatch_sets() if s.label == "APULL"][:n]:
        recording = datasets.load(item)
        detected = DetectedSet(
            start_s=3.0,
            end_s=recording.duration_s - 3.0,
            exercise=exercises.UNKNOWN_ID,
            exercise_name="Unknown exercise",
            confidence=0.3,
            reps=item.reps or 0,
        )

        analysis = SessionAnalysis(recording, (detected,))

        def work(session: db.Session, analysis: SessionAnalysis = analysis) -> None:
            saved = store.save_analysis(session, analysis)
            edits.update_set(session, saved.set_ids[0], exercise="assisted_pull_up")

        db.write_transaction(engine, work)
    engine.dispose()


def test_panel_on_an_empty_journal_says_what_to_do(roots: Path, tmp_path: Path) -> None:
    at = _panel(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    assert not at.exception
    assert "No corrected or confirmed sets yet" in at.info[0].value
    assert any("No retrained versions yet" in c.value for c in at.caption)


def test_retrain_with_two_labelled_sets_is_refused_with_how_many_more(
    datasets_dir: Path, roots: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    _pull_up_sets(url, 2)
    at = _panel(url)
    counts = at.dataframe[0].value
    assert counts.iloc[0].to_dict() == {
        "Exercise": "Assisted pull-up",
        "Name corrected": 2,
        "Confirmed as named": 0,
        "Learnable": "yes",
    }
    at.button(key="retrain_start").click().run()
    for _ in range(50):  # the background thread answers at once (no model is loaded)
        if any("label 1 more" in i.value for i in at.info):
            break
        time.sleep(0.1)
        at.run()
    assert any("label 1 more" in i.value for i in at.info)
    assert not at.exception


def test_an_exercise_new_to_the_model_says_how_many_more_sets_it_needs(
    datasets_dir: Path, roots: Path, tmp_path: Path
) -> None:
    # The shipped card of `roots` knows curls and rest: assisted pull-ups are new to it and a
    # retrain needs 2 sets of them, so one labelled set is not "learnable: yes" yet.
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    _pull_up_sets(url, 1)
    counts = _panel(url).dataframe[0].value
    assert counts.iloc[0]["Learnable"] == "after 1 more set (new to the model)"


def test_rollback_button_returns_to_the_previous_version(roots: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.open_journal(url)
    for name in ("me-1", "me-2"):
        path = roots / "models" / name / model_registry.MODEL_FILE
        path.parent.mkdir(parents=True)
        path.write_bytes(b"a model file")
        with db.session_factory(engine)() as session:
            model_registry.register(session, name, path, activate=True)
            session.commit()
    at = _panel(url)
    assert any("In use: me-2" in c.value for c in at.caption)
    at.button(key="retrain_rollback").click().run()
    assert any("In use: me-1" in c.value for c in at.caption)
    with db.session_factory(engine)() as session:
        assert (
            model_registry.active_model_path(session)
            == roots / "models" / "me-1" / model_registry.MODEL_FILE
        )
    engine.dispose()


def test_own_exercises_are_shown_by_their_name_in_versions_and_held_out_tables(
    roots: Path, tmp_path: Path
) -> None:
    # The user named "Machine fly" and retrained: the tables showed its id, "machinefly".
    from ml.learning_compare import Score
    from ui.retrain import held_out_frame

    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.open_journal(url)
    fly, _ = db.write_transaction(engine, lambda s: catalog.name_exercise(s, "Machine fly"))
    path = roots / "models" / "me-1" / model_registry.MODEL_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(b"a model file")
    with db.session_factory(engine)() as session:
        model_registry.register(session, "me-1", path, activate=True,
                                metrics={"new_classes": [fly]})
        session.commit()
    at = _panel(url)
    assert not at.exception
    (versions,) = [d.value for d in at.dataframe if "New exercises" in d.value.columns]
    assert versions["New exercises"].tolist() == ["Machine fly"]
    result = SimpleNamespace(user=Score(1, 0, 1, per_exercise={fly: (1, 0, 1)}))
    frame = held_out_frame(result, {fly: "Machine fly"})  # type: ignore[arg-type]
    assert frame["Exercise"].tolist() == ["Machine fly"]
    engine.dispose()


def test_before_and_after_read_to_a_tenth_of_a_percent_as_the_sentence_above_them() -> None:
    # The sentence said "shipped sets: 98.1% → 98.6%", the table below it "98.1%" and "98.58%".
    from ml.learning_compare import Score
    from ui.retrain import comparison_frame

    result = SimpleNamespace(user=Score(1, 1, 1), shipped=Score(211, 207, 208))
    frame = comparison_frame(result)  # type: ignore[arg-type]
    assert frame["Before"].tolist() == [1.0, 0.981] and frame["After"].tolist() == [1.0, 0.986]


def test_the_decision_reads_as_a_sentence_then_the_training_time() -> None:
    # It read "…98.1% → 98.6%) (38 s)": two brackets in a row.
    from ui.retrain import result_sentence

    reason = ("adopted: it names at least as many of your held-out sets right (your 2 held-out "
              "sets: 2 → 2 named right; shipped sets: 98.1% → 98.6%)")
    sentence = result_sentence(SimpleNamespace(reason=reason, seconds=38.2))  # type: ignore[arg-type]
    assert sentence.startswith("Adopted: it names")
    assert sentence.endswith("98.6%). Trained in 38 s.")
