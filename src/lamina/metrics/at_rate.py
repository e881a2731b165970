"""One rate at a fixed value of another: :class:`SensitivityAtSpecificity`,
:class:`SpecificityAtSensitivity`, :class:`PrecisionAtRecall` and
:class:`RecallAtPrecision`.

Each keeps the four confusion counts at ``num_thresholds`` thresholds evenly spaced
over [0, 1] (0.5 alone when ``num_thresholds`` is 1); its result is the largest value
of the first rate among the thresholds where the second one reaches the given value
(0 when none does). ``class_id`` restricts the counts to one class of a
``(batch, num_classes)`` output.

>>> from lamina import metrics
>>> m = metrics.SensitivityAtSpecificity(0.5)
>>> float(m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]))
0.5
"""

import numbers

from lamina import backend as K
from lamina.metrics.base import Metric
from lamina.metrics.confusion import _check_optional_int, confusion_counts

_COUNTS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


class _RateAtRate(Metric):
    """The counts at evenly spaced thresholds and the constrained maximum."""

    _value_name = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(dtype=dtype, name=name)
        owner = type(self).__name__
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                not 0.0 <= value <= 1.0:
            raise ValueError(f"{owner}: {self._value_name} must be a float in [0, 1]. "
                             f"Received {self._value_name}={value!r}.")
        if isinstance(num_thresholds, bool) or \
                not isinstance(num_thresholds, numbers.Integral) or num_thresholds < 1:
            raise ValueError(f"{owner}: num_thresholds must be an int >= 1. Received "
                             f"num_thresholds={num_thresholds!r}.")
        self.value = float(value)
        self.num_thresholds = int(num_thresholds)
        self.class_id = _check_optional_int(owner, "class_id", class_id, 0)
        if self.num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            last = self.num_thresholds - 1
            self.thresholds = [i / last for i in range(self.num_thresholds)]
        for count in _COUNTS:
            setattr(self, count, self.add_variable((self.num_thresholds,), name=count))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(type(self).__name__, y_true, y_pred, self.thresholds,
                                  sample_weight=sample_weight, class_id=self.class_id,
                                  dtype=self.dtype)
        for count in _COUNTS:
            getattr(self, count).assign_add(counts[count])

    def _rates(self):
        tp, fp, tn, fn = (getattr(self, count).value for count in _COUNTS)
        return {"sensitivity": K.divide_no_nan(tp, K.add(tp, fn)),
                "specificity": K.divide_no_nan(tn, K.add(tn, fp)),
                "precision": K.divide_no_nan(tp, K.add(tp, fp))}

    def _best(self, wanted, constrained):
        rates = self._rates()
        feasible = K.greater_equal(rates[constrained], K.cast(self.value, self.dtype))
        return K.max(K.where(feasible, rates[wanted], K.zeros_like(rates[wanted])))

    def get_config(self):
        return {**super().get_config(), self._value_name: self.value,
                "num_thresholds": self.num_thresholds, "class_id": self.class_id}


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall, ``tp / (tp + fn)``) where the specificity
    (``tn / (tn + fp)``) is at least ``specificity``:
    ``SensitivityAtSpecificity(specificity, num_thresholds=200, class_id=None, name=None,
    dtype=None)``.

    >>> m = SensitivityAtSpecificity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8], sample_weight=[1, 1, 2, 2, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    _value_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("sensitivity", "specificity")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity where the sensitivity is at least ``sensitivity``:
    ``SpecificityAtSensitivity(sensitivity, num_thresholds=200, class_id=None, name=None,
    dtype=None)``.

    >>> m = SpecificityAtSensitivity(0.5)
    >>> round(float(m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])), 4)
    0.6667
    """

    _value_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("specificity", "sensitivity")


class PrecisionAtRecall(_RateAtRate):
    """The best precision (``tp / (tp + fp)``) where the recall is at least ``recall``:
    ``PrecisionAtRecall(recall, num_thresholds=200, class_id=None, name=None,
    dtype=None)``.

    >>> m = PrecisionAtRecall(0.5)
    >>> float(m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]))
    0.5
    """

    _value_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("precision", "sensitivity")


class RecallAtPrecision(_RateAtRate):
    """The best recall where the precision is at least ``precision``:
    ``RecallAtPrecision(precision, num_thresholds=200, class_id=None, name=None,
    dtype=None)``.

    >>> m = RecallAtPrecision(0.8)
    >>> float(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]))
    0.5
    """

    _value_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(precision, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("sensitivity", "precision")
