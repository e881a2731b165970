"""Regression metrics: running means of squared, absolute and percentage errors.

Each function returns one error per sample: the mean over the last axis when the
inputs have more than one dimension (a rank-1 input holds one value per sample).
``y_true`` of shape ``(batch,)`` against ``y_pred`` of shape ``(batch, 1)`` is fine.

>>> from lamina import backend as K
>>> from lamina import metrics
>>> K.convert_to_numpy(metrics.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])).tolist()
[0.5]
>>> float(metrics.MeanAbsoluteError()([1.0, 2.0], [[2.0], [0.0]]))
1.5
"""

from lamina import backend as K
from lamina.metrics.base import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import MeanMetricWrapper


def _difference(y_true, y_pred):
    y_pred = K.convert_to_tensor(y_pred)
    if not K.dtype(y_pred).startswith(("float", "bfloat")):
        y_pred = K.cast(y_pred, K.floatx())
    y_true = K.cast(K.convert_to_tensor(y_true), K.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, K.subtract(y_true, y_pred)


def _per_sample(errors):
    return K.mean(errors, axis=-1) if K.ndim(errors) > 1 else errors


def mean_squared_error(y_true, y_pred):
    """``mean((y_true - y_pred) ** 2)`` over the last axis.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(mean_squared_error([[1.0, 2.0], [0.0, 0.0]],
    ...                                       [[1.0, 0.0], [1.0, 1.0]])).tolist()
    [2.0, 1.0]
    """
    _, difference = _difference(y_true, y_pred)
    return _per_sample(K.square(difference))


def mean_absolute_error(y_true, y_pred):
    """``mean(|y_true - y_pred|)`` over the last axis.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(mean_absolute_error([[1.0, 2.0]], [[2.0, 0.0]])).tolist()
    [1.5]
    """
    _, difference = _difference(y_true, y_pred)
    return _per_sample(K.abs(difference))


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))`` over the last axis.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]])).tolist()
    [37.5]
    """
    y_true, difference = _difference(y_true, y_pred)
    scale = K.maximum(K.abs(y_true), K.epsilon())
    return _per_sample(K.multiply(K.divide(K.abs(difference), scale), 100.0))


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of ``mean_squared_error``:
    ``MeanSquaredError(name="mean_squared_error", dtype=None)``.

    >>> float(MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]))
    0.25
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of ``mean_absolute_error``:
    ``MeanAbsoluteError(name="mean_absolute_error", dtype=None)``.

    >>> float(MeanAbsoluteError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]))
    0.25
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The running mean of ``mean_absolute_percentage_error``:
    ``MeanAbsolutePercentageError(name="mean_absolute_percentage_error", dtype=None)``.

    >>> float(MeanAbsolutePercentageError()([[1.0, 2.0]], [[1.5, 2.0]]))
    25.0
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
