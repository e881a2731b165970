"""The generalized cross-entropy of Zhang & Sabuncu (2018), a loss robust to noisy
labels: :func:`categorical_generalized_cross_entropy` and
:class:`CategoricalGeneralizedCrossEntropy`.

It is ``(1 - p ** q) / q`` for the probability ``p`` given to the true class: the
cross-entropy as ``q`` tends to 0, the mean absolute error at ``q = 1``.

>>> from lamina import backend as K
>>> from lamina.losses import generalized
>>> loss = generalized.categorical_generalized_cross_entropy([1], [[0.75, 0.25]], q=0.5)
>>> K.convert_to_numpy(loss).tolist()
[1.0]
"""

import numbers

from lamina import backend as K
from lamina.losses._inputs import as_float, as_tensor
from lamina.losses.base import BuiltinLoss


def _check_q(owner, q):
    if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0.0 < q <= 1.0:
        raise ValueError(f"{owner}: q must be a float in (0, 1]. Received q={q!r}.")
    return float(q)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """``(1 - p ** q) / q`` per sample, where ``p`` is the probability ``y_pred`` (shape
    ``(batch, num_classes)``) gives to the class ``y_true`` (integer labels of shape
    ``(batch,)`` or ``(batch, 1)``).

    >>> from lamina import backend as K
    >>> loss = categorical_generalized_cross_entropy([0, 1], [[0.64, 0.36], [0.5, 0.5]], q=0.5)
    >>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
    [0.4, 0.5858]
    """
    q = _check_q("categorical_generalized_cross_entropy", q)
    y_pred = as_float(y_pred)
    labels = as_tensor(y_true)
    if len(labels.shape) == len(y_pred.shape) and labels.shape[-1] == 1:
        labels = K.squeeze(labels, -1)
    if len(labels.shape) != len(y_pred.shape) - 1:
        raise ValueError(f"categorical_generalized_cross_entropy expects integer labels of "
                         f"shape (batch,) for y_pred of shape (batch, num_classes). Received "
                         f"y_true shape {tuple(as_tensor(y_true).shape)} and y_pred shape "
                         f"{tuple(y_pred.shape)}.")
    classes = y_pred.shape[-1]
    one_hot = K.one_hot(K.cast(labels, "int32"), classes, dtype=K.dtype(y_pred))
    probability = K.sum(y_pred * one_hot, axis=-1)
    return (1.0 - K.power(probability, q)) / q


class CategoricalGeneralizedCrossEntropy(BuiltinLoss):
    """The generalized cross-entropy (:func:`categorical_generalized_cross_entropy`):
    ``CategoricalGeneralizedCrossEntropy(q=0.5, reduction="sum_over_batch_size",
    name="categorical_generalized_cross_entropy", dtype=None)``.

    >>> loss = CategoricalGeneralizedCrossEntropy(q=1.0)
    >>> round(float(loss([0, 1], [[0.75, 0.25], [0.5, 0.5]])), 4)
    0.375
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype,
                         q=_check_q("CategoricalGeneralizedCrossEntropy", q))
