"""NumPy re-computations of Keras 3's loss formulas (float64), the reference the loss
tests compare lamina's losses against; and the shared test data."""

import numpy as np

EPS = 1e-7
RNG = np.random.default_rng(7)

# One batch shape for everything (JAX compiles per shape): 4 samples, 3 classes/features.
LABELS = np.array([0, 2, 1, 2])
ONE_HOT = np.eye(3)[LABELS]
LOGITS = RNG.normal(size=(4, 3))
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)
BINARY = np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 1, 0]], dtype="float64")
BINARY_PROBS = RNG.uniform(0.05, 0.95, size=(4, 3))
REG_TRUE = RNG.normal(size=(4, 3))
REG_PRED = RNG.normal(size=(4, 3))
POSITIVE_TRUE = RNG.uniform(0.1, 2.0, size=(4, 3))
POSITIVE_PRED = RNG.uniform(0.1, 2.0, size=(4, 3))
SIGNS = 2 * BINARY - 1


def mse(t, p):
    return np.mean((t - p) ** 2, -1)


def mae(t, p):
    return np.mean(np.abs(t - p), -1)


def mape(t, p):
    return 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1)


def msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, -1)


def huber(t, p, delta=1.0):
    error = np.abs(p - t)
    return np.mean(np.where(error <= delta, 0.5 * error ** 2, delta * error - 0.5 * delta ** 2),
                   -1)


def log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), -1)


def cosine_similarity(t, p, axis=-1):
    def unit(x):
        return x / np.maximum(np.linalg.norm(x, axis=axis, keepdims=True), EPS)
    return -np.sum(unit(t) * unit(p), axis)


def _signed(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def hinge(t, p):
    return np.mean(np.maximum(1 - _signed(t) * p, 0), -1)


def squared_hinge(t, p):
    return np.mean(np.maximum(1 - _signed(t) * p, 0) ** 2, -1)


def categorical_hinge(t, p):
    return np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)


def kl_divergence(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), -1)


def poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), -1)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _class_probs(p, from_logits, axis):
    if from_logits:
        return _softmax(p, axis)
    return np.clip(p / p.sum(axis, keepdims=True), EPS, 1 - EPS)


def _smooth(t, label_smoothing, axis):
    return t * (1 - label_smoothing) + label_smoothing / t.shape[axis]


def categorical_crossentropy(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = _smooth(t, label_smoothing, axis)
    return -np.sum(t * np.log(_class_probs(p, from_logits, axis)), axis)


def categorical_focal_crossentropy(t, p, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    t = _smooth(t, label_smoothing, axis)
    out = np.clip(_class_probs(p, from_logits, axis), EPS, 1 - EPS)
    return np.sum(np.asarray(alpha) * (1 - out) ** gamma * -t * np.log(out), axis)


def sparse_categorical_crossentropy(labels, p, from_logits=False, ignore_class=None):
    labels = np.asarray(labels).reshape(p.shape[:-1])
    valid = labels != ignore_class
    safe = np.where(valid, labels, 0)
    log_probs = np.log(_class_probs(p, from_logits, -1))
    loss = -np.take_along_axis(log_probs, safe[..., None], -1)[..., 0]
    return np.where(valid, loss, 0.0)


def _elementwise_bce(t, p, from_logits):
    if from_logits:
        return t * np.logaddexp(0, -p) + (1 - t) * np.logaddexp(0, p)
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def binary_crossentropy(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    return np.mean(_elementwise_bce(t, p, from_logits), axis)


def binary_focal_crossentropy(t, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    p_t = t * p + (1 - t) * (1 - p)
    focal = (1 - p_t) ** gamma * _elementwise_bce(t, p, False)
    if apply_class_balancing:
        focal = (t * alpha + (1 - t) * (1 - alpha)) * focal
    return np.mean(focal, axis)
