"""Intersection over union: :class:`IoU`, :class:`MeanIoU`, :class:`BinaryIoU`,
:class:`OneHotIoU` and :class:`OneHotMeanIoU`.

Each accumulates a weighted ``(num_classes, num_classes)`` confusion matrix (rows:
true class, columns: predicted class). A class's IoU is
``tp / (tp + fp + fn)``: the diagonal entry over its row sum plus its column sum
minus the diagonal entry. The result is the mean IoU over the target classes that
have been seen (as a label or a prediction); labels outside ``[0, num_classes)``
(and those equal to ``ignore_class``) are left out.

>>> from lamina import metrics
>>> m = metrics.MeanIoU(num_classes=2)
>>> round(float(m([0, 0, 1, 1], [0, 1, 0, 1])), 4)
0.3333
"""

import numbers

import numpy as np

from lamina import backend as K
from lamina.metrics.base import Metric, squeeze_or_expand_to_same_rank


def _check_classes(owner, num_classes, target_class_ids):
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or \
            num_classes < 1:
        raise ValueError(f"{owner}: num_classes must be an int >= 1. Received "
                         f"num_classes={num_classes!r}.")
    ids = list(target_class_ids) if isinstance(target_class_ids, (list, tuple)) else None
    if not ids or any(isinstance(i, bool) or not isinstance(i, numbers.Integral) or
                      not 0 <= i < num_classes for i in ids):
        raise ValueError(f"{owner}: target_class_ids must be a non-empty list of class ids "
                         f"in [0, {num_classes}). Received "
                         f"target_class_ids={target_class_ids!r}.")
    return int(num_classes), [int(i) for i in ids]


class IoU(Metric):
    """The mean IoU of the classes ``target_class_ids``: ``IoU(num_classes,
    target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
    sparse_y_pred=True, axis=-1)``.

    With ``sparse_y_true`` (``sparse_y_pred``) the labels (predictions) are class ids;
    otherwise they are scores or one-hot vectors along ``axis`` and the class is their
    argmax. ``sample_weight`` weights each sample (or each element, when it has the
    labels' shape).

    >>> m = IoU(num_classes=2, target_class_ids=[0])
    >>> round(float(m([0, 0, 1, 1], [0, 1, 0, 1])), 4)
    0.3333
    >>> m.reset_state()
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(dtype=dtype, name=name)
        self.num_classes, self.target_class_ids = _check_classes(
            type(self).__name__, num_classes, target_class_ids)
        self.ignore_class = ignore_class
        self.sparse_y_true = bool(sparse_y_true)
        self.sparse_y_pred = bool(sparse_y_pred)
        self.axis = axis
        self.total_cm = self.add_variable((self.num_classes, self.num_classes),
                                          name="total_confusion_matrix")

    def _classes(self, y_true, y_pred):
        """Integer labels and predictions of the same shape."""
        y_true, y_pred = K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = K.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = K.argmax(y_pred, axis=self.axis)
        return K.cast(y_true, "int32"), K.cast(y_pred, "int32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self._classes(y_true, y_pred)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if K.int_shape(y_true) != K.int_shape(y_pred):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected labels and "
                             f"predictions of the same shape. Received class ids of shape "
                             f"{K.int_shape(y_true)} (y_true) and {K.int_shape(y_pred)} "
                             f"(y_pred).")
        weights = K.ones(K.shape(y_true), dtype=self.dtype)
        if sample_weight is not None:
            sample_weight = K.cast(K.convert_to_tensor(sample_weight), self.dtype)
            y_true_w, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight)
            while K.ndim(sample_weight) < K.ndim(y_true_w):
                sample_weight = K.expand_dims(sample_weight, -1)
            weights = K.reshape(K.broadcast_to(sample_weight, K.shape(y_true_w)),
                                K.shape(y_true))
        if self.ignore_class is not None:
            keep = K.not_equal(y_true, self.ignore_class)
            weights = K.where(keep, weights, K.zeros_like(weights))
        true_hot = K.one_hot(K.reshape(y_true, (-1,)), self.num_classes, dtype=self.dtype)
        pred_hot = K.one_hot(K.reshape(y_pred, (-1,)), self.num_classes, dtype=self.dtype)
        weighted = K.multiply(pred_hot, K.reshape(weights, (-1, 1)))
        self.total_cm.assign_add(K.matmul(K.transpose(true_hot), weighted))

    def result(self):
        matrix = self.total_cm.value
        true_positives = K.diagonal(matrix)
        union = K.sum(matrix, axis=0) + K.sum(matrix, axis=1) - true_positives
        ids = K.convert_to_tensor(np.asarray(self.target_class_ids, dtype="int32"))
        true_positives, union = K.take(true_positives, ids), K.take(union, ids)
        seen = K.sum(K.cast(K.greater(union, 1e-9), self.dtype))
        return K.divide_no_nan(K.sum(K.divide_no_nan(true_positives, union)), seen)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class MeanIoU(IoU):
    """The mean IoU of all ``num_classes`` classes: ``MeanIoU(num_classes, name=None,
    dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1)``.

    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    >>> round(float(m.result()), 4)
    0.2381
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)) if
                         isinstance(num_classes, numbers.Integral) else num_classes,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class BinaryIoU(IoU):
    """IoU of a binary task: predictions ``>= threshold`` are class 1, the others class
    0; the result is the mean IoU of ``target_class_ids`` (``(0, 1)``, ``[0]`` or
    ``[1]``): ``BinaryIoU(target_class_ids=(0, 1), threshold=0.5, name=None,
    dtype=None)``.

    >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], sample_weight=[0.2, 0.3, 0.4, 0.1])
    >>> round(float(m.result()), 4)
    0.1736
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = K.greater_equal(K.cast(K.convert_to_tensor(y_pred), self.dtype),
                                 K.cast(self.threshold, self.dtype))
        super().update_state(y_true, y_pred, sample_weight=sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class OneHotIoU(IoU):
    """:class:`IoU` for one-hot labels and class scores (the argmax along ``axis`` is the
    class): ``OneHotIoU(num_classes, target_class_ids, name=None, dtype=None,
    ignore_class=None, sparse_y_pred=False, axis=-1)``.

    >>> y_true = [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]
    >>> y_pred = [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]
    >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state(y_true, y_pred, sample_weight=[0.1, 0.2, 0.3, 0.4])
    >>> round(float(m.result()), 4)
    0.0714
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` for one-hot labels and class scores: ``OneHotMeanIoU(num_classes,
    name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1)``.

    >>> y_true = [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]
    >>> y_pred = [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]
    >>> m = OneHotMeanIoU(num_classes=3)
    >>> m.update_state(y_true, y_pred, sample_weight=[0.1, 0.2, 0.3, 0.4])
    >>> round(float(m.result()), 4)
    0.0476
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
