"""Probabilistic losses: cross-entropies, focal cross-entropies, Kullback-Leibler
divergence and Poisson; functions ``(y_true, y_pred, ...) -> per-sample loss``, as in
Keras 3, built on the backend's ``K.binary_crossentropy``,
``K.categorical_crossentropy`` and ``K.sparse_categorical_crossentropy``.

``y_pred`` holds probabilities, or logits with ``from_logits=True``. Labels whose
shape cannot fit the predictions raise a ValueError naming the loss and both shapes,
on symbolic tensors too, when the graph is built.

>>> from lamina import backend as K
>>> from lamina.losses import probabilistic
>>> loss = probabilistic.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
>>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
[0.6931]
"""

import warnings

from lamina import backend as K
from lamina._arguments import is_int
from lamina.losses._inputs import (as_float, as_tensor, check_axis, check_fraction,
                                   class_count, prepare, shape_of, shapes_fit)

_SPARSE_HINT = " For integer labels use sparse_categorical_crossentropy."
_ONE_HOT_HINT = " For one-hot labels use categorical_crossentropy."


def _smooth_binary(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing \
        else y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over ``axis``. ``label_smoothing`` in [0, 1] moves
    the labels towards 0.5: ``y * (1 - s) + 0.5 * s``.

    >>> from lamina import backend as K
    >>> loss = binary_crossentropy([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> [round(v, 3) for v in K.convert_to_numpy(loss).tolist()]
    [0.916, 0.714]
    """
    fname = "binary_crossentropy"
    check_axis(fname, axis)
    label_smoothing = check_fraction(fname, "label_smoothing", label_smoothing)
    y_true, y_pred = prepare(fname, y_true, y_pred, broadcast=False)
    y_true = _smooth_binary(y_true, label_smoothing)
    return K.mean(K.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by the focal factor ``(1 - p_t) ** gamma`` (``p_t``: the
    probability given to the true class), which down-weights easy examples; with
    ``apply_class_balancing`` also by ``alpha`` for class 1 and ``1 - alpha`` for class 0.
    Averaged over ``axis``.

    >>> from lamina import backend as K
    >>> loss = binary_focal_crossentropy([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> [round(v, 3) for v in K.convert_to_numpy(loss).tolist()]
    [0.33, 0.206]
    """
    fname = "binary_focal_crossentropy"
    check_axis(fname, axis)
    label_smoothing = check_fraction(fname, "label_smoothing", label_smoothing)
    alpha = check_fraction(fname, "alpha", alpha)
    y_true, y_pred = prepare(fname, y_true, y_pred, broadcast=False)
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        y_pred = K.sigmoid(y_pred)
    bce = K.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = K.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return K.mean(focal, axis=axis)


def _categorical_inputs(fname, y_true, y_pred, label_smoothing, axis):
    check_axis(fname, axis)
    label_smoothing = check_fraction(fname, "label_smoothing", label_smoothing)
    y_true, y_pred = prepare(fname, y_true, y_pred, broadcast=False, align=False,
                             hint=_SPARSE_HINT)
    if y_pred.shape and y_pred.shape[axis] == 1:
        warnings.warn(f"{fname} expects y_pred of shape (batch_size, num_classes) with "
                      f"num_classes > 1. Received y_pred shape {shape_of(y_pred)}. With two "
                      f"classes consider binary_crossentropy.", stacklevel=3)
    if label_smoothing:
        num_classes = class_count(y_true, axis, K.dtype(y_pred))
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                             axis=-1):
    """Cross-entropy between one-hot (or soft) labels and predictions along ``axis``.
    ``label_smoothing`` in [0, 1] mixes the labels with the uniform distribution:
    ``y * (1 - s) + s / num_classes``.

    >>> from lamina import backend as K
    >>> loss = categorical_crossentropy([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    ...                                 [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
    [0.0513, 2.3026]
    """
    y_true, y_pred = _categorical_inputs("categorical_crossentropy", y_true, y_pred,
                                         label_smoothing, axis)
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with each class's term scaled by
    ``alpha * (1 - p) ** gamma`` (``p``: the predicted probability of that class), which
    down-weights easy examples. ``alpha`` is a float or one float per class.

    >>> from lamina import backend as K
    >>> loss = categorical_focal_crossentropy([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    ...                                       [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])
    >>> [round(v, 5) for v in K.convert_to_numpy(loss).tolist()]
    [0.00026, 0.67591]
    """
    y_true, y_pred = _categorical_inputs("categorical_focal_crossentropy", y_true, y_pred,
                                         label_smoothing, axis)
    if from_logits:
        y_pred = K.softmax(y_pred, axis=axis)
    if isinstance(alpha, (list, tuple)):
        alpha = K.convert_to_tensor(alpha, K.dtype(y_pred))
    output = y_pred / K.sum(y_pred, axis=axis, keepdims=True)
    output = K.clip(output, K.epsilon(), 1.0 - K.epsilon())
    focal = alpha * K.power(1.0 - output, gamma) * (-y_true * K.log(output))
    return K.sum(focal, axis=axis)


def sparse_labels(fname, y_true, y_pred, axis=-1):
    """Integer labels ``y_true`` without their trailing axis of size 1, if any, checked
    against ``y_pred``'s shape without ``axis``; ``fname`` names the loss in errors.

    >>> from lamina import backend as K
    >>> labels = sparse_labels("demo", K.convert_to_tensor([[1], [0]]), K.zeros((2, 3)))
    >>> K.int_shape(labels)
    (2,)
    """
    true_shape, pred_shape = shape_of(y_true), shape_of(y_pred)
    if not pred_shape:
        raise ValueError(f"{fname} expects y_pred of rank 1 or more (the class scores along "
                         f"axis {axis}). Received y_pred shape {pred_shape}.")
    expected = list(pred_shape)
    del expected[axis]
    expected = tuple(expected)
    if len(true_shape) == len(pred_shape) and true_shape[-1] == 1:
        if shapes_fit(true_shape[:-1], expected, broadcast=False):
            return K.squeeze(y_true, -1)
    elif shapes_fit(true_shape, expected, broadcast=False):
        return y_true
    raise ValueError(f"{fname} expects integer labels y_true of shape {expected} or "
                     f"{expected + (1,)} for y_pred shape {pred_shape}. Received y_true shape "
                     f"{true_shape}.{_ONE_HOT_HINT}")


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer class labels and predictions along ``axis``. Labels
    have ``y_pred``'s shape without ``axis``, or with a trailing axis of size 1. Samples
    labelled ``ignore_class`` (an int, such as -1 or 255 for a "void" class) get a loss
    of 0; the ``SparseCategoricalCrossentropy`` class also leaves them out of its mean.

    >>> from lamina import backend as K
    >>> loss = sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
    [0.0513, 2.3026]
    >>> loss = sparse_categorical_crossentropy([1, -1], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]],
    ...                                        ignore_class=-1)
    >>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
    [0.0513, 0.0]
    """
    fname = "sparse_categorical_crossentropy"
    check_axis(fname, axis)
    if ignore_class is not None and not is_int(ignore_class):
        raise ValueError(f"{fname}: ignore_class must be an int or None. Received "
                         f"ignore_class={ignore_class!r}.")
    y_pred = as_float(y_pred)
    y_true = sparse_labels(fname, as_tensor(y_true), y_pred, axis)
    if ignore_class is None:
        return K.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                 axis=axis)
    valid = valid_labels(y_true, ignore_class)
    safe_labels = K.where(valid, y_true, K.zeros_like(y_true))
    loss = K.sparse_categorical_crossentropy(safe_labels, y_pred, from_logits=from_logits,
                                             axis=axis)
    return K.where(valid, loss, K.zeros_like(loss))


def valid_labels(y_true, ignore_class):
    """A boolean tensor: where the integer labels ``y_true`` are not ``ignore_class``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(valid_labels(K.convert_to_tensor([0, 3, 1]), 3)).tolist()
    [True, False, True]
    """
    return K.not_equal(y_true, K.cast(ignore_class, K.dtype(y_true)))


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred), axis=-1)``, both
    clipped to ``[K.epsilon(), 1]``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])).tolist()]
    [0.1438]
    """
    y_true, y_pred = prepare("kl_divergence", y_true, y_pred)
    y_true = K.clip(y_true, K.epsilon(), 1.0)
    y_pred = K.clip(y_pred, K.epsilon(), 1.0)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Poisson loss ``mean(y_pred - y_true * log(y_pred + K.epsilon()), axis=-1)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(poisson([[1.0, 0.0]], [[1.0, 2.0]])).tolist()]
    [1.5]
    """
    y_true, y_pred = prepare("poisson", y_true, y_pred)
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)
