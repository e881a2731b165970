""":class:`FBetaScore` and :class:`F1Score`: the harmonic mean of precision and
recall (recall weighted ``beta`` times as much), per class or averaged.

Inputs have shape ``(batch, num_classes)``; the counts (one per class, or one in all
with ``average="micro"``) are created at the first update, or by ``build``.

>>> from lamina import metrics
>>> m = metrics.F1Score(threshold=0.5)
>>> scores = m([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
...            [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
>>> [round(s, 4) for s in scores.tolist()]
[0.5, 0.8, 0.6667]
"""

import numbers

from lamina import backend as K
from lamina.metrics.base import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """``(1 + beta**2) * precision * recall / (beta**2 * precision + recall)``:
    ``FBetaScore(average=None, beta=1.0, threshold=None, name="fbeta_score",
    dtype=None)``.

    ``threshold=None`` predicts the largest score of each sample (when it is not 0);
    a float in (0, 1] predicts every score above it. ``average``: None (one score per
    class), ``"micro"`` (counts pooled over classes), ``"macro"`` (the mean of the
    class scores) or ``"weighted"`` (their mean weighted by each class's number of
    true instances).

    >>> m = FBetaScore(beta=2.0, average="macro")
    >>> round(float(m([[0, 1], [1, 0], [1, 0]], [[0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])), 4)
    0.6944
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(dtype=dtype, name=name)
        owner = type(self).__name__
        if average not in _AVERAGES:
            raise ValueError(f"{owner}: average must be one of {_AVERAGES}. Received "
                             f"average={average!r}.")
        if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not beta > 0:
            raise ValueError(f"{owner}: beta must be a float > 0. Received beta={beta!r}.")
        if threshold is not None and (isinstance(threshold, bool) or
                                      not isinstance(threshold, numbers.Real) or
                                      not 0.0 < threshold <= 1.0):
            raise ValueError(f"{owner}: threshold must be None or a float in (0, 1]. "
                             f"Received threshold={threshold!r}.")
        self.average = average
        self.beta = float(beta)
        self.threshold = None if threshold is None else float(threshold)
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        """Create the counts for the classes of ``y_pred_shape`` (``(batch, classes)``).

        >>> m = F1Score(); m.build((None, 4), (None, 4)); m.true_positives.shape
        (4,)
        """
        if self.built:
            return
        y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected y_true and "
                             f"y_pred of shape (batch, num_classes) with a known "
                             f"num_classes. Received y_true.shape={y_true_shape} and "
                             f"y_pred.shape={y_pred_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.num_classes = y_pred_shape[-1]
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = K.cast(K.convert_to_tensor(y_true), self.dtype)
        y_pred = K.cast(K.convert_to_tensor(y_pred), self.dtype)
        self._check_built(y_true, y_pred)
        if K.int_shape(y_pred)[-1] != self.num_classes or \
                K.int_shape(y_true) != K.int_shape(y_pred):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected y_true and "
                             f"y_pred of shape (batch, {self.num_classes}). Received "
                             f"y_true.shape={K.int_shape(y_true)} and "
                             f"y_pred.shape={K.int_shape(y_pred)}.")
        if self.threshold is None:
            largest = K.max(y_pred, axis=-1, keepdims=True)
            predicted = K.logical_and(K.greater_equal(y_pred, largest),
                                      K.greater(K.abs(y_pred), 1e-9))
        else:
            predicted = K.greater(y_pred, self.threshold)
        predicted = K.cast(predicted, self.dtype)
        axis = None if self.average == "micro" else 0
        if sample_weight is not None:
            weights = K.reshape(K.cast(K.convert_to_tensor(sample_weight), self.dtype),
                                (-1, 1))
        else:
            weights = None

        def weighted_sum(values):
            return K.sum(values if weights is None else K.multiply(values, weights),
                         axis=axis)

        self.true_positives.assign_add(weighted_sum(K.multiply(predicted, y_true)))
        self.false_positives.assign_add(weighted_sum(K.multiply(predicted,
                                                                K.subtract(1.0, y_true))))
        self.false_negatives.assign_add(weighted_sum(K.multiply(K.subtract(1.0, predicted),
                                                                y_true)))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        if not self.built:
            raise ValueError(f"{type(self).__name__} {self.name!r}: no result before the "
                             f"first update_state (the number of classes is unknown).")
        epsilon = K.epsilon()
        tp = self.true_positives.value
        precision = K.divide(tp, K.add(K.add(tp, self.false_positives.value), epsilon))
        recall = K.divide(tp, K.add(K.add(tp, self.false_negatives.value), epsilon))
        beta_squared = self.beta ** 2
        score = K.divide(K.multiply(precision, recall),
                         K.add(K.add(K.multiply(precision, beta_squared), recall), epsilon))
        score = K.multiply(score, 1.0 + beta_squared)
        if self.average == "weighted":
            class_weights = self.intermediate_weights.value
            class_weights = K.divide(class_weights, K.add(K.sum(class_weights), epsilon))
            return K.sum(K.multiply(score, class_weights))
        if self.average is not None:
            return K.mean(score)
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """:class:`FBetaScore` with ``beta=1``: ``F1Score(average=None, threshold=None,
    name="f1_score", dtype=None)``.

    >>> m = F1Score(average="micro", threshold=0.5)
    >>> round(float(m([[1, 0], [0, 1]], [[0.9, 0.6], [0.2, 0.7]])), 4)
    0.8
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
