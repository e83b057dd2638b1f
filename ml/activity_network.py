"""The Keras networks (ours and the seed's), wrist augmentation and the seeded fit loop.

Only training code imports this module (it imports Keras at import time); serving goes through
``ml.model``, which loads the saved, self-contained ``.keras`` file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
from keras import layers  # noqa: E402

from ml.activity_data import centre_crop  # noqa: E402


def make_model(
    *,
    window_samples: int,
    n_channels: int = 6,
    n_classes: int,
    normalization_data: np.ndarray | None = None,
    downsample: int = 4,
    filters: tuple[int, ...] = (16, 32, 32),
    kernel_size: int = 5,
    dense_units: int = 64,
    dropout: float = 0.3,
    learning_rate: float = 2e-3,
    label_smoothing: float = 0.05,
    window_statistics: bool = False,
    gravity_frame: bool = False,
) -> keras.Model:
    """Our activity network, compiled with cross-entropy.

    Input (window_samples, n_channels) → Normalization (adapted on ``normalization_data``, so the
    saved file is self-contained) → Conv1D blocks with batch norm and max-pooling → global
    average + max pooling, concatenated with the window's mean normalised channels (the
    orientation against gravity, the strongest cue) → Dense → softmax over ``n_classes``.

    ``window_statistics`` adds each normalised channel's variance, maximum and minimum (batch
    normalised) beside the mean. Not in the shipped recipe: measured with the early-stopping
    recipe (before 2026-12-02), over the same seeds it lifted the
    held-out applewatch-gym days (family 0.938 -> 0.962, exercise 0.832 -> 0.852, 3 seeds) and
    cost new barbell-metamotion users 3 points (0.953 -> 0.921, 6 seeds): spread and extremes
    of one user's motion carry over between his days, not to other people.

    ``gravity_frame`` adds four channels that no turn of the watch on the wrist changes: the
    motion along the window's gravity and across it (``gravity_frame_channels``), meant for the
    bench angles (an incline press pushes the hand partly sideways to gravity, a shoulder press
    straight up). Not in the shipped recipe: measured with it (``python -m ml.evaluate activity
    --methods ours``, seeds that are not the card's, one fold per core on an AMD EPYC, against
    the shipped recipe's figures on the same seeds and processor), the held-out applewatch-gym
    days (seeds 3-5) rose from family 0.949 +/- 0.014 to 0.971 +/- 0.010 (exercise 0.890 ->
    0.894), but with the personal model it made no difference (0.967 / 0.916 -> 0.967 / 0.912;
    at the shipped w 0.969 / 0.923 -> 0.972 / 0.914), and new barbell-metamotion users (seeds
    6-11) fell from 0.930 +/- 0.060 to 0.895 +/- 0.060, more overhead presses named bench
    presses: the pattern of ``window_statistics`` and of rotating about gravity (``augment``).

    Parameters
    ----------
    normalization_data : ndarray, shape (n_windows, window_samples, n_channels), optional
        Training windows to adapt the per-channel normalisation on.
    """
    if n_classes < 2:
        raise ValueError(f"need at least 2 classes, got {n_classes}")
    inputs = keras.Input(shape=(window_samples, n_channels), name="window")
    norm = layers.Normalization(axis=-1, name="normalize")
    if normalization_data is not None:
        norm.adapt(normalization_data.reshape(-1, n_channels))
    x = norm(inputs)
    orientation = layers.GlobalAveragePooling1D(name="mean_channels")(x)
    summary = [orientation]
    if window_statistics:  # what the gradient-boosting baseline sees: spread and extremes
        square_mean = layers.GlobalAveragePooling1D(name="mean_square")(layers.Multiply()([x, x]))
        variance = layers.Subtract(name="variance")(
            [square_mean, layers.Multiply()([orientation, orientation])])
        highest = layers.GlobalMaxPooling1D(name="max_channels")(x)
        lowest = layers.GlobalMaxPooling1D(name="neg_min_channels")(layers.Rescaling(-1.0)(x))
        summary = [layers.BatchNormalization(name="bn_statistics")(
            layers.Concatenate()([orientation, variance, highest, lowest]))]
    if gravity_frame:
        x = layers.Concatenate(name="with_gravity_frame")(
            [x, layers.BatchNormalization(name="bn_gravity_frame")(
                gravity_frame_channels(inputs, window_samples))])
    if downsample > 1:  # wrist motion in the gym lives below ~5 Hz: 12.5 Hz is plenty
        x = layers.AveragePooling1D(downsample, name="downsample")(x)
    for i, width in enumerate(filters):
        x = layers.Conv1D(width, kernel_size, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.MaxPooling1D(2, name=f"pool{i}")(x)
    x = layers.Concatenate(name="features")(
        [layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x), *summary]
    )
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name="activity")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["accuracy"],
    )
    return model


def make_ensemble(members: Sequence[keras.Model], name: str = "activity") -> keras.Model:
    """One model whose output is the mean of the members' class probabilities.

    Averaging networks trained alike with other seeds takes out most of the difference between
    one training and the next (measured with ``python -m ml.evaluate activity --ensemble 3``,
    see the README). The members are kept whole inside, so the saved ``.keras`` file stays
    self-contained and ``ensemble_members`` finds them again.

    Parameters
    ----------
    members : keras models with the same input (window_samples, n_channels) and classes
    """
    if len(members) < 2:
        raise ValueError(f"an ensemble needs at least 2 networks, got {len(members)}")
    shapes = {(tuple(m.input_shape[1:]), int(m.output_shape[-1])) for m in members}
    if len(shapes) != 1:
        raise ValueError(f"the networks differ in input or classes: {sorted(shapes)}")
    inputs = keras.Input(shape=members[0].input_shape[1:], name="window")
    # Own names: every network from make_model is called "activity".
    named = [keras.Model(m.input, m.output, name=f"member_{i}") for i, m in enumerate(members)]
    outputs = layers.Average(name="mean_probabilities")([m(inputs) for m in named])
    return keras.Model(inputs, outputs, name=name)


def ensemble_members(network: keras.Model) -> list[keras.Model]:
    """The networks ``make_ensemble`` averaged in ``network``; [] for a single network."""
    if not isinstance(network.layers[-1], layers.Average):
        return []
    return [layer for layer in network.layers if isinstance(layer, keras.Model)]


def gravity_frame_channels(inputs: keras.KerasTensor, window_samples: int) -> keras.KerasTensor:
    """Motion in the frame of gravity, (batch, window_samples, 4) from raw (batch, window_samples,
    6) windows (gyro rad/s, then total acceleration g): acceleration along gravity and its square
    across it, rotation about gravity and its square across it. Gravity is the window's mean
    acceleration. Built from stock layers only (no Lambda), so the saved file loads in safe mode.
    """
    by_channel = layers.Permute((2, 1))(inputs)  # (batch, 6, time): Cropping1D cuts channels

    def channels(first: int, last: int) -> keras.KerasTensor:
        kept = layers.Cropping1D((first, 6 - last))(by_channel)
        return layers.Permute((2, 1))(kept)

    def channel_mean(v: keras.KerasTensor) -> keras.KerasTensor:  # (b, t, 3) -> (b, t, 1)
        mean = layers.GlobalAveragePooling1D()(layers.Permute((2, 1))(v))
        return layers.Reshape((window_samples, 1))(mean)

    gyro, accel = channels(0, 3), channels(3, 6)
    gravity = layers.GlobalAveragePooling1D()(accel)
    up = layers.RepeatVector(window_samples)(layers.UnitNormalization()(gravity))
    moving = layers.Subtract()([accel, layers.RepeatVector(window_samples)(gravity)])
    out = []
    for v in (moving, gyro):
        along = layers.Rescaling(3.0)(channel_mean(layers.Multiply()([v, up])))  # v . up
        total = layers.Rescaling(3.0)(channel_mean(layers.Multiply()([v, v])))  # |v|^2
        across = layers.Subtract()([total, layers.Multiply()([along, along])])
        out += [along, across]
    return layers.Concatenate(name="gravity_frame")(out)


def make_seed_model(*, window_samples: int, n_channels: int = 6, n_classes: int) -> keras.Model:
    """The blog post's network as published: no normalisation, MSE loss, RMSprop."""
    model = keras.Sequential(
        [
            keras.Input(shape=(window_samples, n_channels)),
            layers.Conv1D(32, 3, activation="relu"),
            layers.MaxPooling1D(2),
            layers.Conv1D(64, 3, activation="relu"),
            layers.GlobalMaxPooling1D(),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(n_classes, activation="softmax"),
        ],
        name="seed",
    )
    model.compile(optimizer="rmsprop", loss="mse", metrics=["accuracy"])
    return model


def random_rotations(
    n: int, max_deg: float, rng: np.random.Generator, axes: np.ndarray | None = None
) -> np.ndarray:
    """Rotation matrices by up to ``max_deg`` degrees, shape (n, 3, 3), about random axes or
    about the given ``axes`` (n, 3)."""
    axis = rng.normal(size=(n, 3)) if axes is None else np.asarray(axes, np.float64)
    axis = axis / np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-9)
    angle = np.deg2rad(rng.uniform(-max_deg, max_deg, size=n))
    k = np.zeros((n, 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -axis[:, 2], axis[:, 1], -axis[:, 0]
    k = k - k.transpose(0, 2, 1)
    s, c = np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]
    return np.eye(3) + s * k + (1 - c) * (k @ k)


def augment(
    windows: np.ndarray,
    window_samples: int,
    rng: np.random.Generator,
    *,
    max_rotation_deg: float = 15.0,
    amplitude: float = 0.15,
    speed: float = 0.15,
    rotation_about: str = "any",
) -> np.ndarray:
    """What differs between real wrists: strap angle, effort, tempo.

    ``rotation_about="gravity"`` turns each window only about its own mean acceleration (the
    direction of gravity in the watch's frame), so the wrist's angle to gravity is kept exactly.
    Not in the shipped recipe (``python -m ml.evaluate activity``, an AMD EPYC, against the
    shipped recipe on the same processor): on the held-out applewatch-gym days (3 seeds) the
    network alone rose from family 0.934 / exercise 0.823 to 0.954 / 0.852, still short of
    scikit-learn's 0.967 / 0.907; with the personal model it named fewer exercises right (0.907
    -> 0.896, family 0.967 either way); new barbell-metamotion users lost (see the README).

    Parameters
    ----------
    windows : ndarray, shape (n, wide_samples, 6)
        Windows cut wider than the model's (room to stretch time around the centre).

    Returns
    -------
    ndarray, shape (n, window_samples, 6): each window rotated (gyro and accel by the same
    small rotation), its motion scaled in amplitude and its tempo changed, centre kept.
    """
    if rotation_about not in ("any", "gravity"):
        raise ValueError(f"rotation_about must be 'any' or 'gravity', got {rotation_about!r}")
    n, wide, _ = windows.shape
    factor = rng.uniform(1 - speed, 1 + speed, size=(n, 1))
    factor = np.minimum(factor, (wide - 1) / (window_samples - 1))
    pos = (wide - 1) / 2 + (np.arange(window_samples) - (window_samples - 1) / 2) * factor
    lo = np.clip(np.floor(pos).astype(np.int64), 0, wide - 2)
    frac = (pos - lo)[..., None].astype(np.float32)
    rows = np.arange(n)[:, None]
    out = windows[rows, lo] * (1 - frac) + windows[rows, lo + 1] * frac
    # Faster tempo (factor > 1) means proportionally faster rotation.
    gyro, acc = out[..., :3] * factor[..., None].astype(np.float32), out[..., 3:]
    # Amplitude: scale the motion (gyro, and accel around its window mean = gravity part).
    scale = rng.uniform(1 - amplitude, 1 + amplitude, size=(n, 1, 1)).astype(np.float32)
    mean_acc = acc.mean(axis=1, keepdims=True)
    gyro, acc = gyro * scale, mean_acc + (acc - mean_acc) * scale
    axes = mean_acc[:, 0, :] if rotation_about == "gravity" else None
    rot = random_rotations(n, max_rotation_deg, rng, axes).astype(np.float32)
    gyro = np.einsum("nij,ntj->nti", rot, gyro)
    acc = np.einsum("nij,ntj->nti", rot, acc)
    return np.concatenate([gyro, acc], axis=-1).astype(np.float32)


def balanced_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-sample weights so every class weighs the same in the loss, shape (n,), mean 1."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    per_class = np.where(counts > 0, len(labels) / (n_classes * np.maximum(counts, 1)), 0.0)
    return per_class[labels].astype(np.float32)


def fit(
    model: keras.Model,
    wide_windows: np.ndarray,
    labels: np.ndarray,
    *,
    validation: tuple[np.ndarray, np.ndarray] | None,
    seed: int,
    epochs: int = 30,
    batch_size: int = 64,
    patience: int = 4,
    augmentation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train with class-balanced weights, fresh augmentation every epoch and early stopping.

    ``wide_windows`` (n, wide_samples, 6) are augmented (or centre-cropped when ``augmentation``
    is None) to the model's input length; ``validation`` holds model-length windows and labels.
    The epoch loop is ours rather than one ``fit(epochs=...)`` call because augmenting the whole
    array in NumPy once per epoch is ~3x faster on 2 cores than a per-batch ``PyDataset``; the
    stopping rule is Keras' EarlyStopping one (``patience``, best weights restored) on the
    validation loss, or on the training loss when there is no ``validation`` (the shipped recipe).
    Returns the history and the epoch whose weights were kept.
    """
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    n_classes = int(model.output_shape[-1])
    window_samples = int(model.input_shape[1])
    onehot = np.eye(n_classes, dtype=np.float32)[labels]
    weights = balanced_weights(labels, n_classes)
    val = None
    if validation is not None and len(validation[1]):
        vx, vy = validation
        val = (vx, np.eye(n_classes, dtype=np.float32)[vy], balanced_weights(vy, n_classes))
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best_loss, best_epoch, best_weights = np.inf, 0, model.get_weights()
    for epoch in range(epochs):
        x = (centre_crop(wide_windows, window_samples) if augmentation is None
             else augment(wide_windows, window_samples, rng, **augmentation))
        step = model.fit(np.ascontiguousarray(x), onehot, sample_weight=weights,
                         batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
        history["loss"].append(round(float(step.history["loss"][-1]), 4))
        monitored = history["loss"][-1]
        if val is not None:
            monitored = float(model.evaluate(val[0], val[1], sample_weight=val[2],
                                             batch_size=1024, verbose=0, return_dict=True)["loss"])
            history["val_loss"].append(round(monitored, 4))
        if monitored < best_loss:
            best_loss, best_epoch, best_weights = monitored, epoch + 1, model.get_weights()
        elif epoch + 1 - best_epoch >= patience:
            break
    model.set_weights(best_weights)
    return {"epochs_run": len(history["loss"]), "best_epoch": best_epoch,
            "history": {k: v for k, v in history.items() if v}}
