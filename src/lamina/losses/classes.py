"""The ``Loss`` classes of Keras 3, one per loss function: each computes its function's
per-sample losses and weights and reduces them (``reduction``, ``sample_weight``).

Every class takes ``reduction="sum_over_batch_size"``, ``name`` (the function's name
by default) and ``dtype=None`` besides the function's own keyword arguments, which it
keeps as attributes and in its config.

>>> from lamina import backend as K
>>> from lamina import losses
>>> round(float(losses.CategoricalCrossentropy()([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
...                                              [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 3)
1.177
"""

from lamina.losses import margin, probabilistic, regression
from lamina.losses.base import BuiltinLoss

_DEFAULT = "sum_over_batch_size"


class MeanSquaredError(BuiltinLoss):
    """Mean of ``square(y_true - y_pred)``.

    >>> float(MeanSquaredError()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, -1.0]]))
    1.25
    """

    def __init__(self, reduction=_DEFAULT, name="mean_squared_error", dtype=None):
        super().__init__(regression.mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(BuiltinLoss):
    """Mean of ``abs(y_true - y_pred)``.

    >>> float(MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 3.0]]))
    1.5
    """

    def __init__(self, reduction=_DEFAULT, name="mean_absolute_error", dtype=None):
        super().__init__(regression.mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(BuiltinLoss):
    """``100 *`` mean of ``abs((y_true - y_pred) / y_true)``.

    >>> float(MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]]))
    37.5
    """

    def __init__(self, reduction=_DEFAULT, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(regression.mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(BuiltinLoss):
    """Mean of ``square(log(y_true + 1) - log(y_pred + 1))``.

    >>> round(float(MeanSquaredLogarithmicError()([[0.0]], [[1.0]])), 4)
    0.4805
    """

    def __init__(self, reduction=_DEFAULT, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(regression.mean_squared_logarithmic_error, reduction, name, dtype)


class Huber(BuiltinLoss):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond.

    >>> float(Huber(delta=1.0)([[0.0, 0.0]], [[0.5, 3.0]]))
    1.3125
    """

    def __init__(self, delta=1.0, reduction=_DEFAULT, name="huber_loss", dtype=None):
        super().__init__(regression.huber, reduction, name, dtype, delta=delta)


class LogCosh(BuiltinLoss):
    """Mean of ``log(cosh(y_pred - y_true))``.

    >>> round(float(LogCosh()([[0.0, 0.0]], [[1.0, 0.0]])), 4)
    0.2169
    """

    def __init__(self, reduction=_DEFAULT, name="log_cosh", dtype=None):
        super().__init__(regression.log_cosh, reduction, name, dtype)


class CosineSimilarity(BuiltinLoss):
    """Minus the cosine similarity of ``y_true`` and ``y_pred`` along ``axis``.

    >>> round(float(CosineSimilarity()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [2.0, 2.0]])), 4)
    -0.5
    """

    def __init__(self, axis=-1, reduction=_DEFAULT, name="cosine_similarity", dtype=None):
        super().__init__(regression.cosine_similarity, reduction, name, dtype, axis=axis)


class Hinge(BuiltinLoss):
    """Mean of ``maximum(1 - y_true * y_pred, 0)``; labels 0/1 become -1/1.

    >>> float(Hinge()([[-1.0, 1.0]], [[0.5, 2.0]]))
    0.75
    """

    def __init__(self, reduction=_DEFAULT, name="hinge", dtype=None):
        super().__init__(margin.hinge, reduction, name, dtype)


class SquaredHinge(BuiltinLoss):
    """Mean of ``square(maximum(1 - y_true * y_pred, 0))``; labels 0/1 become -1/1.

    >>> float(SquaredHinge()([[-1.0, 1.0]], [[0.5, 2.0]]))
    1.125
    """

    def __init__(self, reduction=_DEFAULT, name="squared_hinge", dtype=None):
        super().__init__(margin.squared_hinge, reduction, name, dtype)


class CategoricalHinge(BuiltinLoss):
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``.

    >>> float(CategoricalHinge()([[0.0, 1.0, 0.0]], [[0.5, 0.25, 0.0]]))
    1.25
    """

    def __init__(self, reduction=_DEFAULT, name="categorical_hinge", dtype=None):
        super().__init__(margin.categorical_hinge, reduction, name, dtype)


class KLDivergence(BuiltinLoss):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``.

    >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 4)
    0.1438
    """

    def __init__(self, reduction=_DEFAULT, name="kl_divergence", dtype=None):
        super().__init__(probabilistic.kl_divergence, reduction, name, dtype)


class Poisson(BuiltinLoss):
    """Mean of ``y_pred - y_true * log(y_pred)``.

    >>> round(float(Poisson()([[1.0, 0.0]], [[1.0, 2.0]])), 4)
    1.5
    """

    def __init__(self, reduction=_DEFAULT, name="poisson", dtype=None):
        super().__init__(probabilistic.poisson, reduction, name, dtype)


class BinaryCrossentropy(BuiltinLoss):
    """Binary cross-entropy of labels 0/1 and probabilities (or logits, with
    ``from_logits=True``), labels smoothed towards 0.5 by ``label_smoothing``.

    >>> loss = BinaryCrossentropy(from_logits=True)
    >>> round(float(loss([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]])), 3)
    0.865
    >>> round(float(loss([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]],
    ...                  sample_weight=[0.8, 0.2])), 2)
    0.24
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="binary_crossentropy", dtype=None):
        super().__init__(probabilistic.binary_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(BuiltinLoss):
    """Binary cross-entropy scaled by the focal factor ``(1 - p_t) ** gamma``, and with
    ``apply_class_balancing`` by ``alpha`` (class 1) or ``1 - alpha`` (class 0).

    >>> loss = BinaryFocalCrossentropy(gamma=2.0, from_logits=True)
    >>> round(float(loss([[0.0, 1.0, 0.0, 0.0]], [[-18.6, 0.51, 2.94, -12.8]])), 3)
    0.691
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(probabilistic.binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha,
                         gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(BuiltinLoss):
    """Cross-entropy of one-hot labels and class probabilities (or logits).

    >>> loss = CategoricalCrossentropy(reduction="sum")
    >>> round(float(loss([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 3)
    2.354
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(probabilistic.categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(BuiltinLoss):
    """Categorical cross-entropy with each class's term scaled by
    ``alpha * (1 - p) ** gamma``.

    >>> loss = CategoricalFocalCrossentropy()
    >>> round(float(loss([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 4)
    0.2332
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction=_DEFAULT, name="categorical_focal_crossentropy", dtype=None):
        super().__init__(probabilistic.categorical_focal_crossentropy, reduction, name, dtype,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(BuiltinLoss):
    """Cross-entropy of integer labels and class probabilities (or logits). Samples
    labelled ``ignore_class`` are left out: their loss is 0 and, for
    ``"sum_over_batch_size"``, they do not count in the number divided by.

    >>> loss = SparseCategoricalCrossentropy()
    >>> round(float(loss([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 3)
    1.177
    >>> loss = SparseCategoricalCrossentropy(ignore_class=-1)
    >>> round(float(loss([1, -1], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 4)
    0.0513
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction=_DEFAULT,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(probabilistic.sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class)

    def _loss_mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        labels = probabilistic.sparse_labels("SparseCategoricalCrossentropy", y_true, y_pred,
                                             -1)
        return probabilistic.valid_labels(labels, self.ignore_class)
