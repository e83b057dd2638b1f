"""The activity model file: a tiny model trained on real sets, its save/load round trip, and a
loader that refuses a card that does not describe the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ml.activity_data import build_table, wide_samples_for
from ml.activity_decision import DecisionThresholds, exercise_distribution
from ml.activity_sets import SetSignal
from ml.model import ActivityModel, ModelError, card_path_for, load_model
from ml.windowing import WindowSpec, recording_channels

pytestmark = pytest.mark.slow

SPEC = WindowSpec(window_s=2.5, hop_s=0.5)
TINY = {"recipe": {"network": {"filters": [8, 8], "dense_units": 16}, "epochs": 8,
                   "windows_per_set": 40, "patience": 8, "batch_size": 64,
                   "validation_fraction": 0.0,
                   "augmentation": {"max_rotation_deg": 10.0, "amplitude": 0.1, "speed": 0.1}}}


def _few_real_sets() -> list[SetSignal]:
    from ml import datasets

    day = [s for s in datasets.applewatch_sets() if s.day.isoformat() == "2024-12-01"]
    chosen = [s for s in day if s.label == "APULL"][:2] + [s for s in day if s.label == "IDBC"][:2]
    chosen += [s for s in datasets.barbell_sets() if s.label == "rest"][:1]
    return [SetSignal(s.name, s.dataset, s.exercise_id, s.participant,
                      recording_channels(datasets.load(s)), s.dataset == datasets.APPLEWATCH)
            for s in chosen]


@pytest.fixture(scope="module")
def tiny_model(datasets_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from ml.activity_fit import RECIPE, fit_network

    sets = _few_real_sets()
    classes = ("assisted_pull_up", "incline_dumbbell_biceps_curl", "rest")
    table = build_table(sets, classes, SPEC, wide_samples=wide_samples_for(SPEC, 0.1))
    recipe = {**RECIPE, **TINY["recipe"], "network": {**RECIPE["network"],
                                                      **TINY["recipe"]["network"]}}
    fitted = fit_network(table, np.ones(len(sets), dtype=bool), seed=0, recipe=recipe)
    model = ActivityModel(fitted.network, classes, SPEC, DecisionThresholds())
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    model.save(path, {"version": "tiny-test"})
    return {"model": model, "path": path, "sets": sets}


def test_tiny_model_learns_the_exercises_of_its_real_training_sets(tiny_model: Any) -> None:
    model: ActivityModel = tiny_model["model"]
    for s in tiny_model["sets"]:
        if s.exercise == "rest":
            continue
        probs = model.predict_windows(np.lib.stride_tricks.sliding_window_view(
            s.signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1))
        exercises, distribution, _ = exercise_distribution(probs, model.classes)
        assert exercises[int(np.argmax(distribution))] == s.exercise, s.name


def test_saved_model_loads_with_identical_predictions(tiny_model: Any) -> None:
    original: ActivityModel = tiny_model["model"]
    loaded = load_model(tiny_model["path"])
    assert loaded.classes == original.classes and loaded.version == "tiny-test"
    assert loaded.spec == SPEC
    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][0].signal, SPEC.window_samples, axis=0)[::50].transpose(0, 2, 1)
    np.testing.assert_array_equal(loaded.predict_windows(windows),
                                  original.predict_windows(windows))


def test_a_windows_probabilities_do_not_depend_on_the_windows_classified_with_it(
    tiny_model: Any,
) -> None:
    """Over a thousand windows go through the network in several batches, the last one padded:
    each window reads as it does alone."""
    model: ActivityModel = tiny_model["model"]
    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][0].signal, SPEC.window_samples, axis=0).transpose(0, 2, 1)
    assert len(windows) > 1100
    together = model.predict_windows(windows)
    assert together.shape == (len(windows), len(model.classes))
    for i in (0, 1023, 1024, len(windows) - 1):
        np.testing.assert_allclose(model.predict_windows(windows[i : i + 1])[0], together[i],
                                   atol=1e-6)


def _tamper(tiny: Any, tmp_path: Path, change: Any) -> Path:
    path = tmp_path / "copy.keras"
    path.write_bytes(tiny["path"].read_bytes())
    card = json.loads(card_path_for(tiny["path"]).read_text())
    change(card)
    card_path_for(path).write_text(json.dumps(card))
    return path


def test_loader_refuses_a_card_with_other_classes(tiny_model: Any, tmp_path: Path) -> None:
    path = _tamper(tiny_model, tmp_path, lambda c: c["classes"].pop())
    with pytest.raises(ModelError, match="lists 2 classes but the network has 3 outputs"):
        load_model(path)


def test_loader_refuses_classes_outside_the_catalog(tiny_model: Any, tmp_path: Path) -> None:
    path = _tamper(tiny_model, tmp_path, lambda c: c["classes"].__setitem__(0, "burpee"))
    with pytest.raises(ModelError, match="neither catalog exercises .*: \\['burpee'\\]"):
        load_model(path)


def test_a_users_own_exercise_is_a_class_with_its_name_from_the_card(
    tiny_model: Any, tmp_path: Path
) -> None:
    def rename(card: dict[str, Any]) -> None:
        card["classes"][0] = "custom:hangingkneeraise"
        card["class_names"] = {"custom:hangingkneeraise": "Hanging knee raise"}

    model = load_model(_tamper(tiny_model, tmp_path, rename))
    assert model.classes[0] == "custom:hangingkneeraise"
    assert model.exercise_name("custom:hangingkneeraise") == "Hanging knee raise"
    assert model.exercise_name("assisted_pull_up") == "Assisted pull-up"


def test_loader_refuses_a_card_written_for_another_file(tiny_model: Any, tmp_path: Path) -> None:
    path = _tamper(tiny_model, tmp_path, lambda c: c.__setitem__("model_sha256", "0" * 64))
    with pytest.raises(ModelError, match="written for another model file"):
        load_model(path)


def test_loader_names_the_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no activity model at .*missing.keras.*ml.train"):
        load_model(tmp_path / "missing.keras")


def test_a_gyro_only_recording_gets_unknown_sets_and_a_warning(tiny_model: Any) -> None:
    from ml.recordings import Recording

    model: ActivityModel = tiny_model["model"]
    signal = tiny_model["sets"][0].signal
    gyro_only = Recording(gyro=signal[:, :3].copy(), accel=None, gravity=None,
                          source_format="generic-csv", original_rate_hz=50.0)
    centres, probs = model.window_probabilities(gyro_only)
    assert centres.shape == (0,) and probs.shape == (0, 3)
    (decision,) = model.classify_spans(gyro_only, [(0.0, gyro_only.duration_s)])
    assert decision.exercise == "unknown"
    assert "no accelerometer" in (model.input_warning(gyro_only) or "")


@pytest.mark.parametrize("option", ["window_statistics", "gravity_frame"])
def test_network_options_save_and_load_with_identical_predictions(
    tiny_model: Any, tmp_path: Path, option: str
) -> None:
    from ml.activity_network import make_model

    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][0].signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1)
    network = make_model(window_samples=SPEC.window_samples, n_classes=3, filters=(8, 8),
                         dense_units=16, normalization_data=windows, **{option: True})
    model = ActivityModel(network, ("assisted_pull_up", "incline_dumbbell_biceps_curl", "rest"),
                          SPEC, DecisionThresholds())
    model.save(tmp_path / f"{option}.keras", {"version": f"{option}-test"})
    loaded = load_model(tmp_path / f"{option}.keras")
    np.testing.assert_array_equal(loaded.predict_windows(windows), model.predict_windows(windows))


def _personal_of(sets: list[SetSignal], classes: tuple[str, ...]) -> Any:
    from ml.personal import fit_personal

    table = build_table(sets, classes, SPEC, wide_samples=wide_samples_for(SPEC))
    return fit_personal(table, np.ones(len(sets), dtype=bool))


def test_a_personal_model_is_saved_beside_the_network_and_predicts_the_same_loaded(
    tiny_model: Any, tmp_path: Path
) -> None:
    from ml.model import personal_path_for

    network_only: ActivityModel = tiny_model["model"]
    personal = _personal_of(tiny_model["sets"], network_only.classes)
    assert personal.exercises == ("assisted_pull_up", "incline_dumbbell_biceps_curl")
    user = ActivityModel(network_only.network, network_only.classes, SPEC, personal=personal)
    path = tmp_path / "user.keras"
    user.save(path, {"version": "user-test"})
    card = json.loads(card_path_for(path).read_text())
    assert card["personal_model"]["file"] == personal_path_for(path).name
    assert card["personal_model"]["exercises"] == list(personal.exercises)

    loaded = load_model(path)
    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][2].signal, SPEC.window_samples, axis=0)[::50].transpose(0, 2, 1)
    np.testing.assert_array_equal(loaded.predict_windows(windows), user.predict_windows(windows))
    # The personal model changes the exercise probabilities, not rest's, and rows sum to one.
    mixed, alone = user.predict_windows(windows), network_only.predict_windows(windows)
    assert not np.allclose(mixed, alone)
    np.testing.assert_allclose(mixed[:, 2], alone[:, 2], rtol=1e-5)
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0, rtol=1e-5)


def test_loader_refuses_a_personal_model_the_card_was_not_written_for(
    tiny_model: Any, tmp_path: Path
) -> None:
    from ml.model import personal_path_for

    network_only: ActivityModel = tiny_model["model"]
    user = ActivityModel(network_only.network, network_only.classes, SPEC,
                         personal=_personal_of(tiny_model["sets"], network_only.classes))
    path = tmp_path / "user.keras"
    user.save(path, {"version": "user-test"})
    personal_path_for(path).write_bytes(b"not a model")
    with pytest.raises(ModelError, match="personal model user.personal.joblib is not the file"):
        load_model(path)
    personal_path_for(path).unlink()
    with pytest.raises(ModelError, match="names a personal model user.personal.joblib that is "
                                         "not there"):
        load_model(path)


def test_one_exercise_leaves_nothing_for_a_personal_model_to_rank(tiny_model: Any) -> None:
    pull_ups = [s for s in tiny_model["sets"] if s.exercise in ("assisted_pull_up", "rest")]
    assert _personal_of(pull_ups, tiny_model["model"].classes) is None


def test_an_evaluation_rerun_reads_back_the_folds_it_trained_and_trains_what_changed(
    tiny_model: Any, tmp_path: Path
) -> None:
    from ml.eval_activity import _fold_predictions, replay_key

    sets = tiny_model["sets"]
    table = build_table(sets, ("assisted_pull_up", "incline_dumbbell_biceps_curl", "rest"), SPEC,
                        wide_samples=wide_samples_for(SPEC))
    groups = np.array([s.group for s in sets])
    held = [str(groups[-1])]  # the barbell rest recording's participant
    log: list[str] = []
    first = _fold_predictions(table, groups, held, "sklearn", 0, log.append, tmp_path)
    again = _fold_predictions(table, groups, held, "sklearn", 0, log.append, tmp_path)
    np.testing.assert_array_equal(again.probs, first.probs)
    assert "replayed" not in log[0] and "replayed" in log[1]
    # Another seed, or other labels, is another training.
    _fold_predictions(table, groups, held, "sklearn", 1, log.append, tmp_path)
    relabelled = table.select(np.ones(table.labels.size, bool))
    relabelled.labels[relabelled.labels == 1] = 0  # the curls called pull-ups
    _fold_predictions(relabelled, groups, held, "sklearn", 0, log.append, tmp_path)
    assert not any("replayed" in line for line in log[2:]), log
    assert len(list(tmp_path.glob("*.npy"))) == 3
    # A fold file cut short (a run stopped while writing it) is trained again, not read.
    stored = tmp_path / f"sklearn-0-{held[0]}-{replay_key(table, groups, 'sklearn', 0)}.npy"
    stored.write_bytes(stored.read_bytes()[:100])
    log.clear()
    retrained = _fold_predictions(table, groups, held, "sklearn", 0, log.append, tmp_path)
    np.testing.assert_array_equal(retrained.probs, first.probs)
    assert "replayed" not in log[0] and stored.stat().st_size > 100


def test_an_ensemble_seed_averages_its_own_networks_and_shares_none_with_another(
    tiny_model: Any, tmp_path: Path
) -> None:
    from ml.activity_fit import member_seeds
    from ml.eval_activity import _ensemble_predictions, replay_key

    assert [member_seeds(seed, 3) for seed in (0, 1, 2)] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert [member_seeds(seed, 1) for seed in (0, 1, 2)] == [[0], [1], [2]]
    sets = tiny_model["sets"]
    classes = ("assisted_pull_up", "incline_dumbbell_biceps_curl", "rest")
    table = build_table(sets, classes, SPEC, wide_samples=wide_samples_for(SPEC))
    groups = np.array([s.group for s in sets])
    held = [str(groups[-1])]
    n_windows = int(table.in_sets(groups == held[0]).sum())
    rng = np.random.default_rng(0)
    stored = {}
    for seed in (6, 7, 8):  # each member's fold as an earlier run stored it
        stored[seed] = rng.dirichlet(np.ones(3), size=n_windows)
        key = replay_key(table, groups, "ours", seed)
        np.save(tmp_path / f"ours-{seed}-{held[0]}-{key}.npy", stored[seed])
    log: list[str] = []
    mean = _ensemble_predictions(table, groups, held, [6, 7, 8], log.append, tmp_path)
    np.testing.assert_allclose(mean.probs, np.mean(list(stored.values()), axis=0))
    assert len(log) == 3 and all("replayed" in line for line in log)


@pytest.mark.parametrize("about", ["any", "gravity"])
def test_augmentation_turns_real_windows_and_keeps_the_wrist_angle_only_about_gravity(
    tiny_model: Any, about: str
) -> None:
    from ml.activity_network import augment

    signal = tiny_model["sets"][0].signal  # a real assisted pull-up set, (n_samples, 6)
    wide = np.lib.stride_tricks.sliding_window_view(
        signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1).astype(np.float32)
    out = augment(wide, SPEC.window_samples, np.random.default_rng(0), max_rotation_deg=15.0,
                  amplitude=0.0, speed=0.0, rotation_about=about)

    def angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        cos = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
        return np.degrees(np.arccos(np.clip(cos, -1, 1)))

    gravity_before, gravity_after = wide[..., 3:].mean(axis=1), out[..., 3:].mean(axis=1)
    turned = angle_deg(wide[:, 0, :3], out[:, 0, :3])  # the gyroscope's direction
    assert turned.max() > 3.0 and turned.max() <= 15.0 + 1e-3
    if about == "gravity":
        assert angle_deg(gravity_before, gravity_after).max() < 0.1
    else:
        assert angle_deg(gravity_before, gravity_after).max() > 3.0


def test_augmentation_names_an_unknown_rotation_mode() -> None:
    from ml.activity_network import augment

    with pytest.raises(ValueError, match="rotation_about"):
        augment(np.zeros((1, 20, 6), np.float32), 20, np.random.default_rng(0),
                rotation_about="north")


def test_gravity_frame_channels_are_the_motion_along_and_across_gravity_whatever_the_strap_angle(
    tiny_model: Any,
) -> None:
    import keras

    from ml.activity_network import gravity_frame_channels, random_rotations

    signal = tiny_model["sets"][0].signal  # a real assisted pull-up set, (n_samples, 6)
    windows = np.lib.stride_tricks.sliding_window_view(
        signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1).astype(np.float32)
    inputs = keras.Input((SPEC.window_samples, 6))
    frame = keras.Model(inputs, gravity_frame_channels(inputs, SPEC.window_samples))
    got = frame.predict(windows, verbose=0)

    gravity = windows[..., 3:].mean(axis=1, keepdims=True)
    up = gravity / np.linalg.norm(gravity, axis=-1, keepdims=True)
    moving = windows[..., 3:] - gravity
    expected = []
    for v in (moving, windows[..., :3]):
        along = (v * up).sum(-1)
        expected += [along, (v * v).sum(-1) - along**2]
    np.testing.assert_allclose(got, np.stack(expected, axis=-1), atol=1e-4)

    # The watch turned on the wrist by up to 90 degrees: the channels do not change.
    rotation = random_rotations(len(windows), 90.0, np.random.default_rng(1)).astype(np.float32)
    turned = np.concatenate([np.einsum("nij,ntj->nti", rotation, windows[..., :3]),
                             np.einsum("nij,ntj->nti", rotation, windows[..., 3:])], axis=-1)
    np.testing.assert_allclose(frame.predict(turned, verbose=0), got, atol=1e-4)


def _ensemble_of(tiny_model: Any) -> Any:
    """The tiny trained network and another of its shape, untrained: two members that differ."""
    import keras

    from ml.activity_network import make_ensemble, make_model

    network = tiny_model["model"].network
    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][0].signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1)
    keras.utils.set_random_seed(1)
    other = make_model(window_samples=SPEC.window_samples, n_classes=3, filters=(8, 8),
                       dense_units=16, normalization_data=windows)
    return make_ensemble([network, other]), (network, other)


def test_an_ensemble_names_windows_by_its_networks_mean_and_loads_the_same(
    tiny_model: Any, tmp_path: Path
) -> None:
    from ml.activity_network import ensemble_members

    ensemble, (network, other) = _ensemble_of(tiny_model)
    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][0].signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1)
    classes = tiny_model["model"].classes
    one = ActivityModel(network, classes, SPEC)
    two = ActivityModel(other, classes, SPEC)
    model = ActivityModel(ensemble, classes, SPEC)
    mean = (one.predict_windows(windows) + two.predict_windows(windows)) / 2
    assert np.abs(one.predict_windows(windows) - two.predict_windows(windows)).max() > 1e-3
    np.testing.assert_allclose(model.predict_windows(windows), mean, atol=1e-6)
    model.save(tmp_path / "ensemble.keras", {"version": "ensemble-test"})
    loaded = load_model(tmp_path / "ensemble.keras")
    np.testing.assert_array_equal(loaded.predict_windows(windows), model.predict_windows(windows))
    assert len(ensemble_members(loaded.network)) == 2 and ensemble_members(network) == []


def test_an_ensemble_refuses_networks_of_other_classes(tiny_model: Any) -> None:
    from ml.activity_network import make_ensemble, make_model

    wider = make_model(window_samples=SPEC.window_samples, n_classes=4, filters=(8,),
                       dense_units=8)
    with pytest.raises(ValueError, match="differ in input or classes"):
        make_ensemble([tiny_model["model"].network, wider])
    with pytest.raises(ValueError, match="at least 2"):
        make_ensemble([wider])


def test_learning_a_new_exercise_grows_every_network_of_an_ensemble(tiny_model: Any) -> None:
    from ml.activity_network import ensemble_members
    from ml.learning_train import with_classes

    ensemble, _ = _ensemble_of(tiny_model)
    windows = np.lib.stride_tricks.sliding_window_view(
        tiny_model["sets"][0].signal, SPEC.window_samples, axis=0)[::25].transpose(0, 2, 1)
    x = windows.astype(np.float32)
    grown = with_classes(ensemble, 1, seed=0)
    after = np.asarray(grown(x))
    assert after.shape == (len(windows), 4)
    members, grown_members = ensemble_members(ensemble), ensemble_members(grown)
    assert [int(m.output_shape[-1]) for m in grown_members] == [4, 4]
    # Each network keeps what it knew (its known classes in the same proportions) and the
    # ensemble still answers with their mean.
    for member, grown_member in zip(members, grown_members, strict=True):
        old, new = np.asarray(member(x)), np.asarray(grown_member(x))
        np.testing.assert_allclose(new[:, :3] / new[:, :3].sum(axis=1, keepdims=True), old,
                                   atol=1e-5)
    mean = np.mean([np.asarray(m(x)) for m in grown_members], axis=0)
    np.testing.assert_allclose(after, mean, atol=1e-6)
