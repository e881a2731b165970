"""A small training run that BackupAndRestore's tests interrupt and resume, in the
test process and as a script in a subprocess:

    python resumable_training.py BACKUP_DIR MARKER OUT

trains with ``BackupAndRestore(BACKUP_DIR)``; unless MARKER exists, it writes MARKER
after batch 1 of epoch 2 (counted from 0, so epoch 2's backup is written) and then
waits to be killed; at the end it saves the weights to OUT."""

import os
import sys
import time

import numpy as np

from lamina import Input, Model, callbacks, layers, utils

EPOCHS, BATCH = 4, 8
X = np.random.default_rng(0).normal(size=(48, 3)).astype("float32")
Y = X @ np.array([[1.0], [-2.0], [0.5]], "float32")


def build(seed):
    """A small model with Dropout (its seed state matters), compiled with Adam (its slots
    matter), after seeding every random stream with ``seed``."""
    utils.set_random_seed(seed)
    inputs = Input((3,))
    hidden = layers.Dropout(0.25)(layers.Dense(8, activation="tanh")(inputs))
    model = Model(inputs, layers.Dense(1)(hidden))
    model.compile(optimizer="adam", loss="mse")
    return model


def fit(model, callback_list):
    return model.fit(X, Y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0,
                     callbacks=callback_list)


class StallMidEpoch(callbacks.Callback):
    """After batch 1 of epoch 2: write the marker file and wait to be killed."""

    def __init__(self, marker):
        super().__init__()
        self.marker, self.epoch = marker, None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == (2, 1):
            open(self.marker, "w").close()
            time.sleep(600)


def train(backup_dir=None, marker=None, out=None):
    """The run: ``build(seed=5)`` trained by ``fit``; the uninterrupted run without
    arguments."""
    model = build(seed=5)
    extra = []
    if backup_dir is not None:
        extra.append(callbacks.BackupAndRestore(backup_dir))
    if marker is not None and not os.path.exists(marker):
        extra.append(StallMidEpoch(marker))
    fit(model, extra)
    if out is not None:
        model.save_weights(out)
    return model


if __name__ == "__main__":
    train(*sys.argv[1:4])
