"""Regression losses: functions ``(y_true, y_pred) -> per-sample loss``, averaged over
the last axis, as in Keras 3.

``y_true`` is cast to ``y_pred``'s dtype; where the ranks differ by one and the longer
shape ends in 1 (labels ``(batch,)`` for predictions ``(batch, 1)``) that axis is
aligned. Shapes that cannot broadcast raise a ValueError naming the loss.

>>> from lamina import backend as K
>>> from lamina.losses import regression
>>> loss = regression.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
>>> K.convert_to_numpy(loss).tolist()
[0.5]
"""

import math

from lamina import backend as K
from lamina._arguments import is_number
from lamina.losses._inputs import check_axis, prepare


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(mean_squared_error([[0.0, 1.0], [1.0, 1.0]],
    ...                                       [[1.0, 1.0], [1.0, -1.0]])).tolist()
    [0.5, 2.0]
    """
    y_true, y_pred = prepare("mean_squared_error", y_true, y_pred)
    return K.mean(K.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(mean_absolute_error([[0.0, 1.0]], [[1.0, 3.0]])).tolist()
    [1.5]
    """
    y_true, y_pred = prepare("mean_absolute_error", y_true, y_pred)
    return K.mean(K.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / y_true), axis=-1)``, dividing by at least
    ``K.epsilon()``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]])).tolist()
    [37.5]
    """
    y_true, y_pred = prepare("mean_absolute_percentage_error", y_true, y_pred)
    diff = K.abs((y_true - y_pred) / K.maximum(K.abs(y_true), K.epsilon()))
    return 100.0 * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(y_true + 1) - log(y_pred + 1)), axis=-1)``; values below
    ``K.epsilon()`` count as ``K.epsilon()``.

    >>> from lamina import backend as K
    >>> round(float(K.convert_to_numpy(mean_squared_logarithmic_error([[0.0]], [[1.0]]))[0]), 4)
    0.4805
    """
    y_true, y_pred = prepare("mean_squared_logarithmic_error", y_true, y_pred)
    first = K.log(K.maximum(y_pred, K.epsilon()) + 1.0)
    second = K.log(K.maximum(y_true, K.epsilon()) + 1.0)
    return K.mean(K.square(first - second), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss: ``0.5 * e ** 2`` where ``|e| <= delta``, else
    ``delta * |e| - 0.5 * delta ** 2``, for the error ``e = y_pred - y_true``; averaged
    over the last axis.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(huber([[0.0, 0.0]], [[0.5, 3.0]])).tolist()
    [1.3125]
    """
    if not is_number(delta) or \
            not math.isfinite(delta) or delta < 0:
        raise ValueError(f"huber: delta must be a finite float >= 0. Received delta={delta!r}.")
    y_true, y_pred = prepare("huber", y_true, y_pred)
    error = y_pred - y_true
    abs_error = K.abs(error)
    quadratic = 0.5 * K.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return K.mean(K.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as
    ``x + softplus(-2 x) - log(2)`` so that it does not overflow.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(log_cosh([[0.0, 0.0]], [[1.0, 0.0]])).tolist()]
    [0.2169]
    """
    y_true, y_pred = prepare("log_cosh", y_true, y_pred)
    error = y_pred - y_true
    return K.mean(error + K.softplus(-2.0 * error) - math.log(2.0), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine similarity along ``axis``: ``-sum(l2_normalize(y_true) *
    l2_normalize(y_pred), axis)``; -1 for parallel vectors, 0 if either is zero.

    >>> from lamina import backend as K
    >>> [round(v, 4) + 0.0 for v in K.convert_to_numpy(cosine_similarity(
    ...     [[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [2.0, 2.0]])).tolist()]
    [0.0, -1.0]
    """
    check_axis("cosine_similarity", axis)
    y_true, y_pred = prepare("cosine_similarity", y_true, y_pred)
    return -K.sum(K.normalize(y_true, axis=axis) * K.normalize(y_pred, axis=axis), axis=axis)
