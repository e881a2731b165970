"""Regression scores: :class:`R2Score` (the coefficient of determination) and the
running means of the per-sample :func:`pearson_correlation` and
:func:`concordance_correlation`.

>>> from lamina import metrics
>>> round(float(metrics.R2Score()([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])), 4)
0.5714
"""

import numbers

from lamina import backend as K
from lamina.losses._inputs import check_axis
from lamina.metrics.base import Metric, squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import MeanMetricWrapper

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


def _pair(y_true, y_pred):
    y_pred = K.convert_to_tensor(y_pred)
    if not K.dtype(y_pred).startswith(("float", "bfloat")):
        y_pred = K.cast(y_pred, K.floatx())
    y_true = K.cast(K.convert_to_tensor(y_true), K.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def _centred(x, axis):
    return K.subtract(x, K.mean(x, axis=axis, keepdims=True))


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``:
    ``mean(a * b) / (std(a) * std(b))`` for the centred values ``a`` and ``b``.

    >>> from lamina import backend as K
    >>> r = pearson_correlation([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]],
    ...                         [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])
    >>> [round(v, 4) for v in K.convert_to_numpy(r).tolist()]
    [1.0, 0.9934]
    """
    check_axis("pearson_correlation", axis)
    y_true, y_pred = _pair(y_true, y_pred)
    a, b = _centred(y_true, axis), _centred(y_pred, axis)
    a = K.divide(a, K.std(a, axis=axis, keepdims=True))
    b = K.divide(b, K.std(b, axis=axis, keepdims=True))
    return K.mean(K.multiply(a, b), axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis``:
    ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p)) ** 2)``; 1 only when
    ``y_pred`` equals ``y_true``.

    >>> from lamina import backend as K
    >>> c = concordance_correlation([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]],
    ...                             [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])
    >>> [round(v, 4) for v in K.convert_to_numpy(c).tolist()]
    [0.9756, 0.9877]
    """
    check_axis("concordance_correlation", axis)
    y_true, y_pred = _pair(y_true, y_pred)
    a, b = _centred(y_true, axis), _centred(y_pred, axis)
    covariance = K.mean(K.multiply(a, b), axis=axis)
    shift = K.subtract(K.mean(y_true, axis=axis), K.mean(y_pred, axis=axis))
    spread = K.mean(K.square(a), axis=axis) + K.mean(K.square(b), axis=axis) + K.square(shift)
    return K.divide(2.0 * covariance, spread + K.epsilon())


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of :func:`pearson_correlation`:
    ``PearsonCorrelation(name="pearson_correlation", dtype=None, axis=-1)``.

    >>> m = PearsonCorrelation()
    >>> round(float(m([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])), 4)
    0.9967
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of :func:`concordance_correlation`:
    ``ConcordanceCorrelation(name="concordance_correlation", dtype=None, axis=-1)``.

    >>> m = ConcordanceCorrelation()
    >>> round(float(m([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])), 4)
    0.9816
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)


class R2Score(Metric):
    """The coefficient of determination ``1 - sum((y - y_pred) ** 2) / sum((y -
    mean(y)) ** 2)``, per output, over every sample seen: ``R2Score(
    class_aggregation="uniform_average", num_regressors=0, name="r2_score",
    dtype=None)``.

    Inputs have shape ``(batch, num_outputs)``; the state is created at the first
    update (or by ``build``). ``class_aggregation``: ``"uniform_average"`` (the mean
    over outputs), ``"variance_weighted_average"`` (weighted by each output's variance)
    or None (one score per output). ``num_regressors`` > 0 gives the adjusted score
    ``1 - (1 - r2) * (n - 1) / (n - num_regressors - 1)`` with ``n`` the number of
    values seen (the plain score while ``n - num_regressors - 1 <= 0``).

    >>> m = R2Score(class_aggregation=None)
    >>> [round(v, 4) for v in m([[1.0, 2.0], [4.0, 1.0], [3.0, 3.0]],
    ...                         [[2.0, 2.0], [4.0, 1.0], [4.0, 2.0]]).tolist()]
    [0.5714, 0.5]
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(dtype=dtype, name=name)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(f"R2Score: class_aggregation must be one of {_AGGREGATIONS}. "
                             f"Received class_aggregation={class_aggregation!r}.")
        if isinstance(num_regressors, bool) or \
                not isinstance(num_regressors, numbers.Integral) or num_regressors < 0:
            raise ValueError(f"R2Score: num_regressors must be an int >= 0. Received "
                             f"num_regressors={num_regressors!r}.")
        self.class_aggregation = class_aggregation
        self.num_regressors = int(num_regressors)
        self.num_samples = self.add_variable((), name="num_samples")
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        """Create the per-output sums for the outputs of ``y_pred_shape``
        (``(batch, num_outputs)``).

        >>> m = R2Score(); m.build((None, 3), (None, 3)); m.total_mse.shape
        (3,)
        """
        if self.built:
            return
        y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None \
                or y_true_shape[-1] not in (None, y_pred_shape[-1]):
            raise ValueError(f"R2Score {self.name!r}: expected y_true and y_pred of shape "
                             f"(batch, num_outputs) with a known num_outputs. Received "
                             f"y_true.shape={y_true_shape} and y_pred.shape={y_pred_shape}.")
        self.num_outputs = y_pred_shape[-1]
        for name in ("squared_sum", "sum", "total_mse", "count"):
            setattr(self, name, self.add_variable((self.num_outputs,), name=name))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = K.cast(K.convert_to_tensor(y_true), self.dtype)
        y_pred = K.cast(K.convert_to_tensor(y_pred), self.dtype)
        self._check_built(y_true, y_pred)
        if K.int_shape(y_pred)[1:] != (self.num_outputs,) or \
                K.int_shape(y_true)[1:] != (self.num_outputs,):
            raise ValueError(f"R2Score {self.name!r}: expected y_true and y_pred of shape "
                             f"(batch, {self.num_outputs}). Received "
                             f"y_true.shape={K.int_shape(y_true)} and "
                             f"y_pred.shape={K.int_shape(y_pred)}.")
        if sample_weight is None:
            weights = K.ones_like(y_true)
        else:
            weights = K.cast(K.convert_to_tensor(sample_weight), self.dtype)
            if K.ndim(weights) == 1:
                weights = K.expand_dims(weights, -1)
            weights = K.broadcast_to(weights, K.shape(y_true))
        weighted = K.multiply(y_true, weights)
        self.sum.assign_add(K.sum(weighted, axis=0))
        self.squared_sum.assign_add(K.sum(K.multiply(y_true, weighted), axis=0))
        self.total_mse.assign_add(K.sum(K.square(y_true - y_pred) * weights, axis=0))
        self.count.assign_add(K.sum(weights, axis=0))
        self.num_samples.assign_add(K.cast(K.size(y_true), self.dtype))

    def result(self):
        if not self.built:
            return K.zeros((), dtype=self.dtype)
        mean = K.divide_no_nan(self.sum.value, self.count.value)
        total = self.squared_sum.value - self.sum.value * mean
        scores = 1.0 - K.divide(self.total_mse.value, total)
        scores = K.where(K.isinf(scores), K.zeros_like(scores), scores)
        if self.class_aggregation == "uniform_average":
            scores = K.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            scores = K.divide(K.sum(total * scores), K.sum(total))
        if self.num_regressors:
            n = self.num_samples.value
            denominator = n - self.num_regressors - 1.0
            adjusted = 1.0 - (1.0 - scores) * K.divide_no_nan(n - 1.0, denominator)
            scores = K.where(denominator > 0, adjusted, scores)
        return scores
