"""The Keras side of learning from corrections: new output classes, fine-tuning, stopping.

Imports Keras at import time (like ``ml.activity_network``): only the retraining code imports
this module, lazily. A new exercise gets a new output unit; every other weight starts from the
base network, so the features it learned on the shipped data carry over and a few epochs on the
user's sets mixed with replayed shipped windows are enough.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
from keras import layers  # noqa: E402

from ml.activity_network import augment, ensemble_members, make_ensemble  # noqa: E402
from ml.learning_data import RetrainCancelled  # noqa: E402

#: progress(fraction of training done in [0, 1], message)
Progress = Callable[[float, str], None]


def load_network(path: Path) -> keras.Model:
    """A fresh, trainable copy of a saved network (never the one the app is serving)."""
    return keras.models.load_model(path, compile=False)


def with_classes(network: keras.Model, n_new: int, *, seed: int) -> keras.Model:
    """The network with ``n_new`` more output classes appended after the existing ones.

    The old output weights are kept; a new class starts with small random weights and the
    lowest old bias, so before training it takes almost no probability from the others.
    """
    if n_new == 0:
        return network
    members = ensemble_members(network)
    if members:  # every member grows the same classes; their mean stays the output
        return make_ensemble([with_classes(m, n_new, seed=seed + i)
                              for i, m in enumerate(members)], name=network.name)
    head = network.layers[-1]
    if not isinstance(head, layers.Dense):
        raise ValueError(f"the network's last layer is {type(head).__name__}, not Dense")
    kernel, bias = head.get_weights()
    rng = np.random.default_rng(seed)
    new_kernel = rng.normal(0.0, kernel.std(), size=(kernel.shape[0], n_new))
    grown = layers.Dense(kernel.shape[1] + n_new, activation="softmax", name=head.name)
    outputs = grown(head.input)
    grown.set_weights([np.concatenate([kernel, new_kernel], axis=1).astype(np.float32),
                       np.concatenate([bias, np.full(n_new, bias.min())]).astype(np.float32)])
    return keras.Model(network.input, outputs, name=network.name)


class _Watch(keras.callbacks.Callback):
    """Reports progress after every batch and stops training (by raising) when cancelled."""

    def __init__(self, epochs: int, steps: int, progress: Progress | None,
                 cancelled: Callable[[], bool] | None) -> None:
        super().__init__()
        self.total, self.steps = epochs * steps, steps
        self.progress, self.cancelled = progress, cancelled
        self.epoch = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.cancelled is not None and self.cancelled():
            raise RetrainCancelled("retraining was stopped; the active model is unchanged")
        if self.progress is not None:
            done = self.epoch * self.steps + batch + 1
            self.progress(done / self.total, f"training: epoch {self.epoch + 1}, "
                          f"batch {batch + 1} of {self.steps}")


def fine_tune(
    network: keras.Model,
    wide_windows: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
    label_smoothing: float = 0.05,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Train every layer for a fixed number of epochs, freshly augmented each epoch.

    Every layer, not the output layer alone: on the learning evaluation the features of the
    base network did not separate a new exercise (assisted pull-ups) from its look-alikes
    (lat pulldown, presses), and training only the output layer recognised none of them.

    Parameters
    ----------
    wide_windows : ndarray, shape (n, wide_samples, 6)
        Windows wider than the model input (``ml.activity_data``), cropped by augmentation
        (rotation, amplitude, tempo: ``ml.activity_network.augment``).
    labels : ndarray, shape (n,), int class indices
    sample_weight : ndarray, shape (n,)

    No early stopping: the user's held-out sets judge the result afterwards and must not pick
    the epoch too. Raises ``RetrainCancelled`` when ``cancelled()`` turns true.
    """
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    n_classes = int(network.output_shape[-1])
    window_samples = int(network.input_shape[1])
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
    )
    onehot = np.eye(n_classes, dtype=np.float32)[labels]
    weights = sample_weight.astype(np.float32)
    watch = _Watch(epochs, int(np.ceil(labels.size / batch_size)), progress, cancelled)
    losses = []
    for epoch in range(epochs):
        watch.epoch = epoch
        x = np.ascontiguousarray(augment(wide_windows, window_samples, rng))
        step = network.fit(x, onehot, sample_weight=weights, batch_size=batch_size, epochs=1,
                           shuffle=True, callbacks=[watch], verbose=0)
        losses.append(round(float(step.history["loss"][-1]), 4))
    return {"epochs": epochs, "loss": losses}
