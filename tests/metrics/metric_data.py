"""Shared data for the metric tests: three batches of one shape (JAX compiles each new
shape), with per-sample weights."""

import numpy as np

from lamina import backend as K

BATCH, CLASSES = 6, 4


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def make_batches(seed=0):
    """Three batches: binary labels, probabilities, integer labels, their one-hot form
    and per-sample weights (one weight 0)."""
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(3):
        labels = rng.integers(0, CLASSES, size=BATCH)
        batches.append({
            "binary": rng.integers(0, 2, size=(BATCH, CLASSES)).astype("float32"),
            "probs": rng.uniform(size=(BATCH, CLASSES)).astype("float32"),
            "labels": labels.astype("int32"),
            "onehot": np.eye(CLASSES, dtype="float32")[labels],
            "weights": np.append(rng.uniform(0.5, 2.0, size=BATCH - 1), 0.0).astype("float32"),
        })
    return batches


BATCHES = make_batches()
