"""Learning from corrections: retraining on labelled journal sets, refusals, safety, rollback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

import appconfig
from journal import catalog, db, edits, exercises, store
from ml import datasets, model_registry
from ml.activity_data import SetSignal
from ml.activity_sets import TrainingData, training_data
from ml.analysis import DetectedSet, SessionAnalysis
from ml.learning import (
    NotEnoughLabels,
    RetrainCancelled,
    RetrainOptions,
    label_counts,
    main_from_journal,
    retrain,
)
from ml.learning_compare import Score, adoption
from ml.model import ActivityModel, load_model
from ml.pipeline import analyze
from ml.windowing import WindowSpec, window_recording

PULL_UP = "assisted_pull_up"
#: The tiny base model's classes: three real exercises and rest (no pull-ups).
BASE_CODES = ("IDBC", "SAOCTE", "30DBP")
FAST = RetrainOptions(epochs=14, replay_per_class=200, batch_size=64)


@dataclass(frozen=True)
class TinyBase:
    path: Path
    shipped: list[SetSignal]


def _sets(code: str) -> list[datasets.LabelledSet]:
    return [s for s in datasets.applewatch_sets() if s.label == code]


def _tiny_networks(seeds: tuple[int, ...]) -> tuple[list[Any], TrainingData, WindowSpec]:
    """Small networks trained in seconds (one per seed) on 3 real sets each of three exercises."""
    import keras

    from ml import activity_network as an
    from ml.activity_data import IGNORED, build_table, centre_crop, wide_samples_for

    ids = [exercises.from_dataset_label(datasets.APPLEWATCH, code).id for code in BASE_CODES]
    first_three = {s.name for code in BASE_CODES for s in _sets(code)[:3]}
    others = [s.name for s in datasets.applewatch_sets() if s.name not in first_three]
    data = training_data((datasets.APPLEWATCH,), classes=ids, exclude_names=others)
    spec = WindowSpec(window_s=4.0, hop_s=1.0)
    table = build_table(list(data.sets), data.classes, spec,
                        wide_samples=wide_samples_for(spec))
    rows = np.flatnonzero(table.labels != IGNORED)
    networks: list[Any] = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)  # the initial weights too (``fit`` seeds afterwards)
        network = an.make_model(window_samples=spec.window_samples,
                                n_classes=len(data.classes), filters=(16, 32), dense_units=32,
                                normalization_data=centre_crop(table.wide[rows],
                                                               spec.window_samples))
        an.fit(network, table.wide[rows], table.labels[rows], validation=None, seed=seed,
               epochs=12, augmentation={})
        networks.append(network)
    return networks, data, spec


def _saved(network: Any, data: TrainingData, spec: WindowSpec, path: Path) -> TinyBase:
    ActivityModel(network=network, classes=data.classes, spec=spec).save(
        path, {"version": "tiny"})
    return TinyBase(path, list(data.sets))


@pytest.fixture(scope="module")
def tiny_base(datasets_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TinyBase:
    """A small network trained in seconds on 3 real sets each of three exercises."""
    [network], data, spec = _tiny_networks((0,))
    return _saved(network, data, spec, tmp_path_factory.mktemp("base") / "activity.keras")


@pytest.fixture(scope="module")
def tiny_ensemble_base(datasets_dir: Path,
                       tmp_path_factory: pytest.TempPathFactory) -> TinyBase:
    """Two such networks averaged in one model, as ``python -m ml.train --ensemble 2`` ships."""
    from ml.activity_network import make_ensemble

    networks, data, spec = _tiny_networks((0, 1))
    return _saved(make_ensemble(networks), data, spec,
                  tmp_path_factory.mktemp("ensemble") / "activity.keras")


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = db.make_engine("sqlite://")
    db.migrate(engine)
    yield engine
    engine.dispose()


def label_sets(engine: Engine, labelled: list[datasets.LabelledSet], exercise: str,
               *, athlete: str | None = None) -> list[int]:
    """Save each real set as a session whose one set the model got wrong, then correct it."""
    set_ids: list[int] = []
    for item in labelled:
        recording = datasets.load(item)
        detected = DetectedSet(start_s=3.0, end_s=recording.duration_s - 3.0,
                               exercise=exercises.UNKNOWN_ID, exercise_name="Unknown exercise",
                               confidence=0.3, reps=item.reps or 0)
        analysis = SessionAnalysis(recording=recording, sets=(detected,), model_version="tiny")
        with db.session_factory(engine)() as session:
            saved = store.save_analysis(session, analysis, athlete=athlete)
            edits.update_set(session, saved.set_ids[0], exercise=exercise)
            session.commit()
        set_ids.extend(saved.set_ids)
    return set_ids


def active_path(engine: Engine, root: Path, fallback: Path, athlete: str | None = None) -> Path:
    with db.session_factory(engine)() as session:
        return model_registry.active_model_path(session, athlete, root=root, fallback=fallback)


@pytest.mark.slow
@pytest.mark.parametrize("base_fixture", ["tiny_base", "tiny_ensemble_base"],
                         ids=["one network", "two networks averaged"])
def test_retrain_learns_pull_ups_from_corrected_sets_and_activates_them(
    base_fixture: str, engine: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from ml.activity_network import ensemble_members

    base: TinyBase = request.getfixturevalue(base_fixture)
    label_sets(engine, _sets("APULL")[:5], PULL_UP)
    # reference=[]: adopting rests on the user's held-out set alone (the tiny base knows too
    # little for a shipped-set comparison to mean anything; see the adoption-rule test).
    result = retrain(engine, base_path=base.path, shipped=base.shipped,
                     reference=[], root=tmp_path, options=FAST)

    assert result.new_classes == (PULL_UP,)
    assert (result.n_train_sets, result.n_held_out_sets) == (4, 1)
    assert (result.user.right_before, result.user.right_after) == (0, 1)
    assert result.adopted, result.reason
    now = active_path(engine, tmp_path, base.path)
    assert now == result.model_path and now.parent.parent == tmp_path
    model = load_model(now)
    assert PULL_UP in model.classes and model.card["base_version"] == "tiny"
    # An assisted pull-up set the user never labelled is now named as one.
    unseen = datasets.load(_sets("APULL")[-1])
    decision = model.classify_spans(unseen, [(4.0, unseen.duration_s - 4.0)])[0]
    assert decision.exercise == PULL_UP
    # Averaged networks: every one grew the new class and names the set by itself (the mean of
    # one tuned and one untouched network could name it alone).
    members = ensemble_members(model.network)
    assert len(members) == (2 if base_fixture == "tiny_ensemble_base" else 0)
    windows, _ = window_recording(unseen, model.spec)
    for member in members:
        assert int(member.output_shape[-1]) == len(model.classes)
        votes = np.asarray(member(windows, training=False)).argmax(axis=1)
        assert np.mean(votes == model.classes.index(PULL_UP)) > 0.5


@pytest.mark.slow
def test_an_exercise_the_user_named_is_learned_and_named_back(
    tiny_base: TinyBase, engine: Engine, tmp_path: Path
) -> None:
    # The catalog has assisted pull-ups, but this user names their band variant themselves.
    with db.session_factory(engine)() as session:
        own, _ = catalog.name_exercise(session, "Band pull-up (blue band)", "pull-up")
        session.commit()
    label_sets(engine, _sets("APULL")[:5], own)
    with db.session_factory(engine)() as session:
        [count] = label_counts(session)
    assert (count.exercise, count.name, count.learnable) == (own, "Band pull-up (blue band)", True)

    result = retrain(engine, base_path=tiny_base.path, shipped=tiny_base.shipped,
                     reference=[], root=tmp_path, options=FAST)

    assert result.new_classes == (own,) and result.adopted, result.reason
    model = load_model(active_path(engine, tmp_path, tiny_base.path))
    assert model.card["class_names"][own] == "Band pull-up (blue band)"
    # A set the user never labelled comes back from the pipeline under the user's name.
    unseen = datasets.load(_sets("APULL")[-1])
    found = analyze(unseen, model=model).sets
    assert [(s.exercise, s.exercise_name) for s in found][:1] == [
        (own, "Band pull-up (blue band)")], [(s.exercise_name, s.confidence) for s in found]


@pytest.mark.slow
def test_a_users_sets_of_two_exercises_give_their_version_a_personal_model(
    tiny_base: TinyBase, engine: Engine, tmp_path: Path
) -> None:
    curl, extension = (exercises.from_dataset_label(datasets.APPLEWATCH, code).id
                       for code in ("IDBC", "SAOCTE"))
    label_sets(engine, _sets("IDBC")[3:6], curl)
    label_sets(engine, _sets("SAOCTE")[3:6], extension)

    result = retrain(engine, base_path=tiny_base.path, shipped=tiny_base.shipped,
                     reference=[], root=tmp_path, options=FAST)

    assert result.model.personal is not None
    assert result.model.personal.exercises == tuple(sorted((curl, extension)))
    assert result.adopted, result.reason
    assert "personal model: tells apart your 2 exercises" in result.summary()
    model = load_model(active_path(engine, tmp_path, tiny_base.path))
    assert model.personal is not None and model.card["personal_model"]["exercises"] == sorted(
        (curl, extension))
    # The held-out sets (one of each) are named right by the version the app now serves.
    for item in (_sets("IDBC")[5], _sets("SAOCTE")[5]):
        recording = datasets.load(item)
        decision = model.classify_spans(recording, [(3.0, recording.duration_s - 3.0)])[0]
        assert decision.exercise == exercises.from_dataset_label(
            datasets.APPLEWATCH, item.label).id, item.name


def test_a_model_that_forgets_the_shipped_sets_is_not_adopted() -> None:
    learned = Score(n_sets=2, right_before=0, right_after=2)
    adopted, reason = adoption(learned, Score(n_sets=200, right_before=180, right_after=178))
    # A small loss on the shipped sets is allowed, and the reason says so instead of "no worse".
    assert adopted and reason == (
        "adopted: it names at least as many of your held-out sets right and it stays within 1% "
        "of the model in use on the shipped sets (your 2 held-out sets: 0 → 2 named right; "
        "shipped sets: 90.0% → 89.0%)")
    adopted, reason = adoption(learned, Score(
        n_sets=200, right_before=180, right_after=176,
        per_exercise={"assisted_pull_up": (26, 20, 8), "barbell_bench_press": (30, 25, 27),
                      "close_grip_cable_row": (20, 15, 14)}))
    assert not adopted
    assert "forgets what the shipped model knows" in reason and "90.0% → 88.0%" in reason
    # It names where: the exercises the user's labels may clash with, the worst first.
    assert reason.endswith(
        "; most lost: Assisted pull-up 20 → 8 of 26, Close-grip cable row 15 → 14 of 20")
    adopted, reason = adoption(Score(n_sets=3, right_before=3, right_after=2),
                               Score(n_sets=200, right_before=180, right_after=190))
    assert not adopted and "names fewer of your held-out sets right" in reason


def test_retrain_with_too_few_sets_says_how_many_more(
    tiny_base: TinyBase, engine: Engine, tmp_path: Path
) -> None:
    label_sets(engine, _sets("APULL")[:2], PULL_UP)
    with pytest.raises(NotEnoughLabels, match="holds 2 corrected or confirmed sets; label 1 more"):
        retrain(engine, base_path=tiny_base.path, shipped=tiny_base.shipped, root=tmp_path)
    assert not any(tmp_path.iterdir())


def test_retrain_refuses_a_new_exercise_with_one_set(
    tiny_base: TinyBase, engine: Engine, tmp_path: Path
) -> None:
    label_sets(engine, _sets("IDBC")[3:5], "incline_dumbbell_biceps_curl")
    label_sets(engine, _sets("APULL")[:1], PULL_UP)
    with pytest.raises(NotEnoughLabels, match="Assisted pull-up: 1 labelled set, label 1 more"):
        retrain(engine, base_path=tiny_base.path, shipped=tiny_base.shipped, root=tmp_path)


@pytest.mark.slow
def test_stopped_or_failed_training_leaves_the_active_model(
    tiny_base: TinyBase, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_use = tmp_path / "me-0" / model_registry.MODEL_FILE
    in_use.parent.mkdir()
    for source in (tiny_base.path, tiny_base.path.with_suffix(".json")):
        shutil.copy(source, in_use.parent / source.name)
    with db.session_factory(engine)() as session:
        model_registry.register(session, "me-0", in_use, activate=True, root=tmp_path)
        session.commit()
    label_sets(engine, _sets("APULL")[:3], PULL_UP)
    batches: list[int] = []

    def stop_after_three_batches() -> bool:
        batches.append(1)
        return len(batches) > 3

    with pytest.raises(RetrainCancelled):
        retrain(engine, base_path=tiny_base.path, shipped=tiny_base.shipped, root=tmp_path,
                options=FAST, cancelled=stop_after_three_batches)

    def disk_full(*args: object, **kwargs: object) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(model_registry, "publish", disk_full)
    with pytest.raises(OSError, match="disk full"):  # reference=[]: adopted, then publishing
        retrain(engine, base_path=tiny_base.path, shipped=tiny_base.shipped, root=tmp_path,
                reference=[], options=RetrainOptions(epochs=1, replay_per_class=40))

    assert active_path(engine, tmp_path, tiny_base.path) == in_use
    assert [p.name for p in tmp_path.iterdir()] == ["me-0"]  # no version, no staging left


def _fake_version(root: Path, name: str) -> Path:
    path = root / name / model_registry.MODEL_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not read by the registry")
    return path


def test_rollback_goes_to_the_previous_version_then_the_shipped_model(
    engine: Engine, tmp_path: Path
) -> None:
    v1, v2 = _fake_version(tmp_path, "me-1"), _fake_version(tmp_path, "me-2")
    with db.session_factory(engine)() as session:
        model_registry.register(session, "me-1", v1, activate=True, root=tmp_path)
        model_registry.register(session, "me-2", v2, activate=True, root=tmp_path)
        assert model_registry.active_model_path(session, root=tmp_path) == v2
        assert model_registry.rollback(session, root=tmp_path) == v1
        assert model_registry.rollback(session, root=tmp_path) == appconfig.MODEL_PATH
        with pytest.raises(ValueError, match="already uses the shipped model"):
            model_registry.rollback(session, root=tmp_path)
        assert model_registry.activate(session, "me-2", root=tmp_path) == v2
        assert [v.version for v in model_registry.list_versions(session)] == ["me-2", "me-1"]


def test_each_athlete_has_their_own_active_model(engine: Engine, tmp_path: Path) -> None:
    ann = _fake_version(tmp_path, "ann-1")
    with db.session_factory(engine)() as session:
        model_registry.register(session, "ann-1", ann, athlete="Ann", activate=True,
                                root=tmp_path)
        assert model_registry.active_model_path(session, "Ann", root=tmp_path) == ann
        assert model_registry.active_model_path(session, "Bob", root=tmp_path) == \
            appconfig.MODEL_PATH
        assert model_registry.list_versions(session, "Bob") == []


def test_a_missing_version_folder_falls_back_to_the_shipped_model(
    engine: Engine, tmp_path: Path
) -> None:
    path = _fake_version(tmp_path, "me-1")
    with db.session_factory(engine)() as session:
        model_registry.register(session, "me-1", path, activate=True, root=tmp_path)
        path.unlink()
        assert model_registry.active_model_path(session, root=tmp_path) == appconfig.MODEL_PATH


def test_model_page_counts_corrected_and_confirmed_sets_per_exercise(
    datasets_dir: Path, engine: Engine
) -> None:
    label_sets(engine, _sets("APULL")[:2], PULL_UP)
    label_sets(engine, _sets("IDBC")[:1], "crunch")
    set_id = label_sets(engine, _sets("SACLR")[:1], "single_arm_cable_lateral_raise")[0]
    with db.session_factory(engine)() as session:
        edits.update_set(session, set_id, exercise=exercises.UNKNOWN_ID)
        edits.update_set(session, set_id, confirmed=True)
        # A set whose reps alone the user fixed: the exercise the model named is confirmed,
        # not corrected.
        curl = _sets("IDBC")[1]
        recording = datasets.load(curl)
        found = DetectedSet(start_s=3.0, end_s=recording.duration_s - 3.0,
                            exercise="incline_dumbbell_biceps_curl",
                            exercise_name="Incline dumbbell biceps curl",
                            confidence=0.9, reps=5)
        saved = store.save_analysis(session, SessionAnalysis(recording, (found,), "tiny"))
        edits.update_set(session, saved.set_ids[0], reps=10)
        session.commit()
        counts = {c.exercise: (c.corrected, c.confirmed, c.learnable)
                  for c in label_counts(session)}
    assert counts == {PULL_UP: (2, 0, True), "crunch": (1, 0, True),
                      exercises.UNKNOWN_ID: (0, 1, False),
                      "incline_dumbbell_biceps_curl": (0, 1, True)}


def test_cli_from_journal_refuses_an_empty_journal(
    tiny_base: TinyBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(appconfig, "MODEL_PATH", tiny_base.path)
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    db.open_journal(url).dispose()
    status = main_from_journal(["--from-journal", "--database-url", url])
    assert status == 2
    assert "label 3 more to retrain" in capsys.readouterr().out


def test_cli_from_journal_does_not_create_a_mistyped_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # A typo in the path must not read as "you labelled nothing" and leave an empty journal.
    missing = tmp_path / "jornal.sqlite3"
    status = main_from_journal(["--from-journal", "--database-url", f"sqlite:///{missing}"])
    assert status == 3
    assert f"no journal at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_cli_from_journal_names_the_lifters_of_a_journal_for_an_unknown_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.open_journal(url)
    with db.session_factory(engine)() as session:
        catalog.athlete_named(session, "Ann")
        session.commit()
    engine.dispose()
    status = main_from_journal(["--from-journal", "--database-url", url, "--athlete", "Anne"])
    assert status == 3
    err = capsys.readouterr().err
    assert "no lifter named 'Anne' in this journal (its lifters: Ann, Me)" in err


def test_sets_of_an_exercise_the_model_never_saw_are_counted_before_labelling(
    tiny_base: TinyBase,
) -> None:
    # Real assisted pull-up sets, which the tiny base model never saw: every one is either left
    # unknown or named as one of the model's own exercises, and the family floor only ever
    # adds unknowns.
    from ml.activity_sets import training_data as sets_of
    from ml.eval_learning import unseen_sets

    base = load_model(tiny_base.path)
    pull_ups = [s for s in sets_of((datasets.APPLEWATCH,)).sets if s.exercise == PULL_UP][:4]
    counts = unseen_sets(base, pull_ups, (*base.classes, PULL_UP))
    assert counts["n_sets"] == 4
    for version in ("shipped", "without_floor"):
        named = counts[version]["named_as"]
        assert counts[version]["unknown"] + sum(named.values()) == 4
        assert set(named) <= set(base.classes)
    assert counts["shipped"]["unknown"] >= counts["without_floor"]["unknown"]


def test_adoption_reason_says_one_held_out_set_in_the_singular() -> None:
    # It read "your 1 held-out sets: 1 → 1 named right".
    from ml.learning_compare import Score, adoption

    adopted, reason = adoption(Score(1, 1, 1), Score(0, 0, 0))
    assert adopted and "(your 1 held-out set: 1 → 1 named right)" in reason


def test_summary_names_a_new_exercise_as_the_user_named_it() -> None:
    # `ml.train --from-journal` printed "new exercises: custom:machinefly".
    from types import SimpleNamespace

    from ml.learning import RetrainResult
    from ml.learning_compare import Score

    model = SimpleNamespace(personal=None, exercise_name={"custom:machinefly": "Machine fly"}.get)
    result = RetrainResult(
        adopted=False, reason="not adopted", model=model,  # type: ignore[arg-type]
        version=None, model_path=None, before_version="shipped",
        new_classes=("custom:machinefly",), n_train_sets=4, n_held_out_sets=1,
        user=Score(1, 0, 0), shipped=Score(0, 0, 0), seconds=31.0)
    assert "trained on 4 of your sets, new exercises: Machine fly; 31 s" in result.summary()
