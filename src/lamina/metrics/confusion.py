"""Confusion-matrix metrics: :class:`Precision`, :class:`Recall` and :class:`AUC`.

Each keeps weighted counts of true/false positives/negatives, one per decision
threshold: a prediction is positive at threshold ``t`` when it is ``> t``; a label
is positive when it is non-zero. The counts for all thresholds come from one
comparison and one matrix product per batch.

>>> from lamina import metrics
>>> m = metrics.Precision()
>>> round(float(m([0, 1, 1, 1], [1, 0, 1, 1])), 4)
0.6667
>>> round(float(metrics.Recall()([0, 1, 1, 1], [1, 0, 1, 1])), 4)
0.6667
"""

import numbers

import numpy as np

from lamina import backend as K
from lamina.metrics.base import Metric, squeeze_or_expand_to_same_rank

NEG_INF = -1e10  # the score given to predictions outside the top k


def _check_thresholds(owner, thresholds):
    for t in thresholds:
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0.0 <= t <= 1.0:
            raise ValueError(f"{owner}: thresholds must be floats in [0, 1]. Received "
                             f"thresholds={thresholds!r}.")
    if not thresholds:
        raise ValueError(f"{owner}: thresholds must hold at least one value. Received "
                         f"thresholds={thresholds!r}.")
    return [float(t) for t in thresholds]


def _check_optional_int(owner, name, value, minimum):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{owner}: {name} must be None or an int >= {minimum}. Received "
                         f"{name}={value!r}.")
    return int(value)


def _filter_top_k(x, k):
    """``x`` with every score outside the ``k`` largest of the last axis set to NEG_INF."""
    _, indices = K.top_k(x, k)
    in_top_k = K.sum(K.one_hot(indices, K.int_shape(x)[-1], dtype=K.dtype(x)), axis=-2)
    return K.where(K.greater(in_top_k, 0), x, K.cast(NEG_INF, K.dtype(x)))


def confusion_counts(owner, y_true, y_pred, thresholds, sample_weight=None, top_k=None,
                     class_id=None, multi_label=False, label_weights=None, dtype=None):
    """Weighted ``{"true_positives", "false_positives", "false_negatives",
    "true_negatives"}`` of one batch, each of shape ``(len(thresholds),)``, or
    ``(len(thresholds), num_labels)`` with ``multi_label=True``.

    ``top_k`` keeps only the ``k`` largest scores of each sample positive;
    ``class_id`` restricts the counts to that class (after the top-k filter);
    ``label_weights`` weights each label (last axis).

    >>> from lamina import backend as K
    >>> counts = confusion_counts("demo", [1, 0, 1], [0.9, 0.6, 0.3], [0.5])
    >>> {k: K.convert_to_numpy(v).tolist() for k, v in counts.items()}
    {'true_positives': [1.0], 'false_positives': [1.0], 'false_negatives': [1.0], 'true_negatives': [0.0]}
    """
    dtype = dtype or K.floatx()
    y_pred = K.cast(K.convert_to_tensor(y_pred), dtype)
    y_true = K.cast(K.not_equal(K.convert_to_tensor(y_true), 0), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if K.int_shape(y_true) != K.int_shape(y_pred):
        raise ValueError(f"{owner}: y_true and y_pred must have the same shape. Received "
                         f"y_true.shape={K.int_shape(y_true)} and "
                         f"y_pred.shape={K.int_shape(y_pred)}.")
    if sample_weight is None:
        weights = K.ones_like(y_pred)
    else:
        weights = K.cast(K.convert_to_tensor(sample_weight), dtype)
        y_pred, weights = squeeze_or_expand_to_same_rank(y_pred, weights)
        while K.ndim(weights) < K.ndim(y_pred):
            weights = K.expand_dims(weights, -1)
        weights = K.broadcast_to(weights, K.shape(y_pred))
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        num_classes = K.int_shape(y_pred)[-1]
        if class_id >= num_classes:
            raise ValueError(f"{owner}: class_id must be smaller than the number of "
                             f"classes, y_pred's last dimension {num_classes}. Received "
                             f"class_id={class_id}.")
        y_true, y_pred, weights = (K.take(t, class_id, axis=-1)
                                   for t in (y_true, y_pred, weights))
    if label_weights is not None:
        if K.int_shape(y_pred)[-1] != K.int_shape(label_weights)[0]:
            raise ValueError(f"{owner}: label_weights must hold one weight per label, "
                             f"y_pred's last dimension {K.int_shape(y_pred)[-1]}. Received "
                             f"{K.int_shape(label_weights)[0]} weights.")
        weights = K.multiply(weights, K.cast(label_weights, dtype))
    thresholds = K.convert_to_tensor(np.asarray(thresholds, dtype=dtype))
    positives = K.multiply(y_true, weights)
    negatives = K.subtract(weights, positives)
    if multi_label:
        labels = K.int_shape(y_pred)[-1]
        y_pred, positives, negatives = (K.reshape(t, (-1, labels))
                                        for t in (y_pred, positives, negatives))
        predicted = K.cast(K.greater(K.expand_dims(y_pred, 0),
                                     K.reshape(thresholds, (-1, 1, 1))), dtype)
        true_positives = K.einsum("tnl,nl->tl", predicted, positives)
        false_positives = K.einsum("tnl,nl->tl", predicted, negatives)
        total_positives, total_negatives = K.sum(positives, axis=0), K.sum(negatives, axis=0)
    else:
        y_pred, positives, negatives = (K.reshape(t, (-1,))
                                        for t in (y_pred, positives, negatives))
        predicted = K.cast(K.greater(K.expand_dims(y_pred, 0),
                                     K.expand_dims(thresholds, -1)), dtype)
        true_positives = K.matmul(predicted, positives)
        false_positives = K.matmul(predicted, negatives)
        total_positives, total_negatives = K.sum(positives), K.sum(negatives)
    return {"true_positives": true_positives,
            "false_positives": false_positives,
            "false_negatives": K.subtract(total_positives, true_positives),
            "true_negatives": K.subtract(total_negatives, false_positives)}


class _ThresholdMetric(Metric):
    """Precision and Recall: counts at one or more thresholds, optionally restricted to
    the top ``k`` scores and to one class."""

    _counts = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(dtype=dtype, name=name)
        owner = type(self).__name__
        self.top_k = _check_optional_int(owner, "top_k", top_k, 1)
        self.class_id = _check_optional_int(owner, "class_id", class_id, 0)
        self.init_thresholds = thresholds
        if thresholds is None:
            self.thresholds = [0.5 if top_k is None else NEG_INF]
        elif isinstance(thresholds, (list, tuple)):
            self.thresholds = _check_thresholds(owner, list(thresholds))
        else:
            self.thresholds = _check_thresholds(owner, [thresholds])
        self._single = not isinstance(thresholds, (list, tuple))
        for count in self._counts:
            setattr(self, count, self.add_variable((len(self.thresholds),), name=count))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(type(self).__name__, y_true, y_pred, self.thresholds,
                                  sample_weight=sample_weight, top_k=self.top_k,
                                  class_id=self.class_id, dtype=self.dtype)
        for count in self._counts:
            getattr(self, count).assign_add(counts[count])

    def _ratio(self, other):
        true_positives = self.true_positives.value
        ratio = K.divide_no_nan(true_positives,
                                K.add(true_positives, getattr(self, other).value))
        return ratio[0] if self._single else ratio

    def get_config(self):
        return {"thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id, **super().get_config()}


class Precision(_ThresholdMetric):
    """``true_positives / (true_positives + false_positives)``:
    ``Precision(thresholds=None, top_k=None, class_id=None, name=None, dtype=None)``.

    ``thresholds`` is a float in [0, 1] (the result is a scalar) or a list of them (the
    result has one value per threshold); it defaults to 0.5, or, with ``top_k``, to
    "any score among the top k". ``class_id`` counts one class only.

    >>> m = Precision(top_k=1, class_id=2)
    >>> float(m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.2, 0.7], [0.2, 0.3, 0.5]]))
    0.5
    >>> [round(p, 4) for p in Precision(thresholds=[0.3, 0.8])([0, 1, 1], [0.4, 0.6, 0.9]).tolist()]
    [0.6667, 1.0]
    """

    _counts = ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)

    def result(self):
        return self._ratio("false_positives")


class Recall(_ThresholdMetric):
    """``true_positives / (true_positives + false_negatives)``:
    ``Recall(thresholds=None, top_k=None, class_id=None, name=None, dtype=None)``, with
    the arguments of :class:`Precision`.

    >>> m = Recall(thresholds=0.5)
    >>> float(m([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0]))
    1.0
    """

    _counts = ("true_positives", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)

    def result(self):
        return self._ratio("false_negatives")
