""":class:`AUC`: the area under the ROC or precision-recall curve, approximated from
confusion counts at a fixed set of thresholds.

With ``num_thresholds`` n, the thresholds are ``-epsilon``, ``1/(n-1)``, ...,
``(n-2)/(n-1)``, ``1 + epsilon``, so that the curve runs from "everything positive"
to "nothing positive". The area is a Riemann sum over the points (x, y) of the curve
(ROC: false positive rate, recall; PR: recall, precision) whose heights are the mean
(``"interpolation"``), minimum (``"minoring"``) or maximum (``"majoring"``) of
neighbouring points; the PR curve with ``"interpolation"`` integrates precision
interpolated between neighbouring points as Davis & Goadrich (2006) describe.

>>> from lamina import metrics
>>> m = metrics.AUC(num_thresholds=3)
>>> float(m([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9]))
0.75
"""

import numbers

import numpy as np

from lamina import backend as K
from lamina.metrics.base import Metric
from lamina.metrics.confusion import _check_thresholds, confusion_counts

_COUNTS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


class AUC(Metric):
    """``AUC(num_thresholds=200, curve="ROC", summation_method="interpolation",
    name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
    label_weights=None, from_logits=False)``.

    ``curve``: ``"ROC"`` or ``"PR"``. ``summation_method``: ``"interpolation"``,
    ``"minoring"`` or ``"majoring"``. ``thresholds`` (floats in [0, 1]) replaces the
    evenly spaced ones; ``num_thresholds`` is then ``len(thresholds) + 2``.
    ``multi_label=True`` computes one curve per label (last axis) and averages the
    areas, weighted by ``label_weights`` when given; its counts are created at the first
    update (or by ``build``) unless ``num_labels`` is given. With
    ``multi_label=False``, ``label_weights`` weights each label's contribution to the
    counts. ``from_logits=True`` applies a sigmoid to ``y_pred`` first.

    >>> m = AUC(curve="PR", summation_method="minoring", num_thresholds=3)
    >>> float(m([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9]))
    0.25
    >>> m = AUC(multi_label=True, num_thresholds=3)
    >>> float(m([[0, 1], [1, 0], [1, 1]], [[0.2, 0.9], [0.8, 0.3], [0.6, 0.6]]))
    1.0
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(dtype=dtype, name=name)
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR'. Received curve={curve!r}.")
        methods = ("interpolation", "minoring", "majoring")
        if not isinstance(summation_method, str) or summation_method.lower() not in methods:
            raise ValueError(f"AUC: summation_method must be one of {methods}. Received "
                             f"summation_method={summation_method!r}.")
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        if thresholds is not None:
            inner = sorted(_check_thresholds("AUC", list(thresholds)))
            self._init_thresholds = inner
            num_thresholds = len(inner) + 2
        else:
            if isinstance(num_thresholds, bool) or \
                    not isinstance(num_thresholds, numbers.Integral) or num_thresholds < 2:
                raise ValueError(f"AUC: num_thresholds must be an int > 1. Received "
                                 f"num_thresholds={num_thresholds!r}.")
            self._init_thresholds = None
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = int(num_thresholds)
        self._thresholds = [0.0 - K.epsilon()] + inner + [1.0 + K.epsilon()]
        if label_weights is None:
            self.label_weights = None
        else:
            weights = np.asarray(label_weights, dtype=self.dtype)
            if weights.ndim != 1 or not np.all(weights >= 0):
                raise ValueError(f"AUC: label_weights must be a list of non-negative "
                                 f"weights, one per label. Received "
                                 f"label_weights={label_weights!r}.")
            self.label_weights = K.convert_to_tensor(weights)
        self.multi_label = bool(multi_label)
        self.num_labels = None if num_labels is None else int(num_labels)
        self._from_logits = bool(from_logits)
        if not self.multi_label:
            self._create_counts(())
        else:
            self.built = False
            if self.num_labels is not None:
                self.build(None, (None, self.num_labels))

    @property
    def thresholds(self):
        """The thresholds, ``-epsilon`` and ``1 + epsilon`` included.

        >>> [round(t, 2) for t in AUC(num_thresholds=3).thresholds]
        [-0.0, 0.5, 1.0]
        """
        return list(self._thresholds)

    def _create_counts(self, label_shape):
        for count in _COUNTS:
            setattr(self, count, self.add_variable((self.num_thresholds, *label_shape),
                                                   name=count))

    def build(self, y_true_shape, y_pred_shape):
        """With ``multi_label=True``: create the counts for the labels of ``y_pred_shape``
        (its last dimension).

        >>> m = AUC(multi_label=True, num_thresholds=4); m.build((None, 3), (None, 3))
        >>> m.true_positives.shape
        (4, 3)
        """
        if self.built:
            return
        if len(y_pred_shape) < 2 or y_pred_shape[-1] is None:
            raise ValueError(f"AUC {self.name!r}: multi_label=True needs predictions of "
                             f"shape (batch, num_labels) with a known num_labels. Received "
                             f"y_pred.shape={tuple(y_pred_shape)}.")
        if self.num_labels is not None and y_pred_shape[-1] != self.num_labels:
            raise ValueError(f"AUC {self.name!r}: expected {self.num_labels} labels "
                             f"(num_labels). Received y_pred.shape={tuple(y_pred_shape)}.")
        self.num_labels = y_pred_shape[-1]
        self._create_counts((self.num_labels,))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred)
        self._check_built(y_true, y_pred)
        if self.multi_label and K.int_shape(y_pred)[-1] != self.num_labels:
            raise ValueError(f"AUC {self.name!r}: expected {self.num_labels} labels. "
                             f"Received y_pred.shape={K.int_shape(y_pred)}.")
        if self._from_logits:
            y_pred = K.sigmoid(K.cast(y_pred, self.dtype))
        counts = confusion_counts(
            "AUC", y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label, dtype=self.dtype,
            label_weights=None if self.multi_label else self.label_weights)
        for count in _COUNTS:
            getattr(self, count).assign_add(counts[count])

    def _average_over_labels(self, increments):
        if not self.multi_label:
            return K.sum(increments)
        by_label = K.sum(increments, axis=0)
        if self.label_weights is None:
            return K.mean(by_label)
        return K.divide_no_nan(K.sum(K.multiply(by_label, self.label_weights)),
                               K.sum(self.label_weights))

    def _interpolated_pr_auc(self, tp, fp, fn):
        """Precision interpolated between thresholds i and i+1, where it is
        ``(tp_i+1 + slope * (p - p_i+1)) / p`` for p predicted positives, integrated
        over recall in closed form."""
        d_tp = K.subtract(tp[:-1], tp[1:])
        p = K.add(tp, fp)
        d_p = K.subtract(p[:-1], p[1:])
        slope = K.divide_no_nan(d_tp, K.maximum(d_p, 0.0))
        intercept = K.subtract(tp[1:], K.multiply(slope, p[1:]))
        both_positive = K.logical_and(K.greater(p[:-1], 0.0), K.greater(p[1:], 0.0))
        p_ratio = K.where(both_positive, K.divide_no_nan(p[:-1], K.maximum(p[1:], 0.0)),
                          K.ones_like(p[1:]))
        increments = K.divide_no_nan(
            K.multiply(slope, K.add(d_tp, K.multiply(intercept, K.log(p_ratio)))),
            K.maximum(K.add(tp[1:], fn[1:]), 0.0))
        return self._average_over_labels(increments)

    def result(self):
        tp, fp, tn, fn = (getattr(self, count).value for count in _COUNTS)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_auc(tp, fp, fn)
        recall = K.divide_no_nan(tp, K.add(tp, fn))
        if self.curve == "ROC":
            x, y = K.divide_no_nan(fp, K.add(fp, tn)), recall
        else:
            x, y = recall, K.divide_no_nan(tp, K.add(tp, fp))
        if self.summation_method == "interpolation":
            heights = K.multiply(K.add(y[:-1], y[1:]), 0.5)
        elif self.summation_method == "minoring":
            heights = K.minimum(y[:-1], y[1:])
        else:
            heights = K.maximum(y[:-1], y[1:])
        return self._average_over_labels(K.multiply(K.subtract(x[:-1], x[1:]), heights))

    def get_config(self):
        label_weights = None if self.label_weights is None else \
            K.convert_to_numpy(self.label_weights).tolist()
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, **super().get_config(),
                "thresholds": self._init_thresholds, "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": label_weights,
                "from_logits": self._from_logits}
