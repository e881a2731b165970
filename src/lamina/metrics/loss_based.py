"""Metrics that are running means of a loss function (``Hinge``, ``Poisson``,
``KLDivergence``, ...), :class:`CosineSimilarity` (the similarity itself, not its
negative as the loss has it) and :class:`RootMeanSquaredError`.

The per-sample functions are :mod:`lamina.losses`'s; ``lamina.metrics.hinge`` and
the other function names Keras's ``keras.metrics`` has are those same functions.

>>> from lamina import metrics
>>> round(float(metrics.Hinge()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
1.3
"""

from lamina import backend as K
from lamina.losses import margin, probabilistic, regression
from lamina.metrics.base import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import Mean, MeanMetricWrapper


def _similarity(y_true, y_pred, axis=-1):
    return K.negative(regression.cosine_similarity(y_true, y_pred, axis=axis))


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The running mean of ``mean(square(log(y_true + 1) - log(y_pred + 1)), axis=-1)``:
    ``MeanSquaredLogarithmicError(name="mean_squared_logarithmic_error", dtype=None)``.

    >>> m = MeanSquaredLogarithmicError()
    >>> round(float(m([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])), 4)
    0.1201
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(regression.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """The running mean of ``mean(log(cosh(y_pred - y_true)), axis=-1)``:
    ``LogCoshError(name="logcosh", dtype=None)``.

    >>> round(float(LogCoshError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])), 4)
    0.1084
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(regression.log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The running mean of the cosine similarity of ``y_true`` and ``y_pred`` along
    ``axis`` (1 for parallel vectors, 0 when either is zero):
    ``CosineSimilarity(name="cosine_similarity", dtype=None, axis=-1)``.

    >>> m = CosineSimilarity(axis=1)
    >>> round(float(m([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])), 4)
    0.5
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_similarity, name=name, dtype=dtype, axis=axis)


class Poisson(MeanMetricWrapper):
    """The running mean of ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``:
    ``Poisson(name="poisson", dtype=None)``.

    >>> round(float(Poisson()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])), 4)
    0.5
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(probabilistic.poisson, name=name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    """The running mean of ``sum(y_true * log(y_true / y_pred), axis=-1)`` (both clipped
    to ``[epsilon, 1]``): ``KLDivergence(name="kl_divergence", dtype=None)``.

    >>> round(float(KLDivergence()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
    0.4581
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(probabilistic.kl_divergence, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """The running mean of ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)`` (labels
    0/1 become -1/1): ``Hinge(name="hinge", dtype=None)``.

    >>> round(float(Hinge()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
    1.3
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(margin.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The running mean of ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``:
    ``SquaredHinge(name="squared_hinge", dtype=None)``.

    >>> round(float(SquaredHinge()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
    1.86
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(margin.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The running mean of ``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) +
    1, 0)``: ``CategoricalHinge(name="categorical_hinge", dtype=None)``.

    >>> m = CategoricalHinge()
    >>> round(float(m([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
    1.4
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(margin.categorical_hinge, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the running mean of ``square(y_true - y_pred)``:
    ``RootMeanSquaredError(name="root_mean_squared_error", dtype=None)``.

    >>> m = RootMeanSquaredError()
    >>> float(m([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]))
    0.5
    >>> m.reset_state()
    >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]], sample_weight=[1, 0])
    >>> round(float(m.result()), 4)
    0.7071
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = K.cast(K.convert_to_tensor(y_true), self.dtype)
        y_pred = K.cast(K.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(K.square(K.subtract(y_pred, y_true)), sample_weight=sample_weight)

    def result(self):
        return K.sqrt(super().result())
