"""Confusion-matrix counts: :class:`TruePositives`, :class:`FalsePositives`,
:class:`TrueNegatives` and :class:`FalseNegatives`, weighted, at one or more
thresholds (a prediction is positive when it is ``> threshold``; a label when it is
non-zero), from :func:`lamina.metrics.confusion.confusion_counts`.

>>> from lamina import metrics
>>> float(metrics.TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]))
2.0
>>> metrics.FalseNegatives(thresholds=[0.05, 0.5])([0, 1, 1], [0.0, 0.1, 0.9]).tolist()
[0.0, 1.0]
"""

from lamina.metrics.base import Metric
from lamina.metrics.confusion import _check_thresholds, confusion_counts


class _Count(Metric):
    """One weighted count per threshold; the result is a scalar when there is one
    threshold."""

    _count = ""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.init_thresholds = thresholds
        if thresholds is None:
            thresholds = [0.5]
        elif not isinstance(thresholds, (list, tuple)):
            thresholds = [thresholds]
        self.thresholds = _check_thresholds(type(self).__name__, list(thresholds))
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(type(self).__name__, y_true, y_pred, self.thresholds,
                                  sample_weight=sample_weight, dtype=self.dtype)
        self.accumulator.assign_add(counts[self._count])

    def result(self):
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_Count):
    """The weighted number of positive labels predicted positive:
    ``TruePositives(thresholds=None, name=None, dtype=None)``. ``thresholds`` is a float
    in [0, 1] or a list of them (default 0.5); with more than one, the result holds one
    count per threshold.

    >>> m = TruePositives()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    >>> float(m.result())
    1.0
    """

    _count = "true_positives"


class FalsePositives(_Count):
    """The weighted number of negative labels predicted positive:
    ``FalsePositives(thresholds=None, name=None, dtype=None)``, with the arguments of
    :class:`TruePositives`.

    >>> float(FalsePositives()([0, 1, 0, 0], [0, 0, 1, 1]))
    2.0
    """

    _count = "false_positives"


class TrueNegatives(_Count):
    """The weighted number of negative labels predicted negative:
    ``TrueNegatives(thresholds=None, name=None, dtype=None)``, with the arguments of
    :class:`TruePositives`.

    >>> float(TrueNegatives()([0, 1, 0, 0], [1, 1, 0, 0]))
    2.0
    """

    _count = "true_negatives"


class FalseNegatives(_Count):
    """The weighted number of positive labels predicted negative:
    ``FalseNegatives(thresholds=None, name=None, dtype=None)``, with the arguments of
    :class:`TruePositives`.

    >>> float(FalseNegatives()([0, 1, 1, 1], [0, 1, 0, 0]))
    2.0
    """

    _count = "false_negatives"
