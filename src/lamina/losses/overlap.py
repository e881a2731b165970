"""Overlap losses for segmentation: :func:`dice` and :func:`tversky` (functions) and
:class:`Dice` and :class:`Tversky` (classes), as in Keras 3.

``y_true`` holds 0/1 masks and ``y_pred`` probabilities of the same shape. With
``axis=None`` the overlap is measured over the whole batch (one loss value); with an
``axis`` (``(1, 2, 3)`` for images) one value per sample.

>>> from lamina import backend as K
>>> from lamina.losses import overlap
>>> round(float(overlap.dice([[1.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])), 4)
0.3333
"""

from lamina import backend as K
from lamina.losses._inputs import prepare
from lamina.losses.base import BuiltinLoss


def _check_axis(fname, axis):
    if axis is None or (isinstance(axis, int) and not isinstance(axis, bool)):
        return axis
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, int) and not isinstance(a, bool) for a in axis):
        return tuple(axis)
    raise ValueError(f"{fname}: axis must be None, an int or a tuple of ints. Received "
                     f"axis={axis!r}.")


def dice(y_true, y_pred, axis=None):
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)``, the sums
    over ``axis`` (everything when None).

    >>> from lamina import backend as K
    >>> y_true = [[[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]]
    >>> y_pred = [[[0.0, 1.0], [0.0, 1.0]], [[0.4, 0.0], [0.0, 0.9]]]
    >>> [round(v, 4) for v in K.convert_to_numpy(dice(y_true, y_pred, axis=(1, 2))).tolist()]
    [0.5, 0.7576]
    """
    axis = _check_axis("dice", axis)
    y_true, y_pred = prepare("dice", y_true, y_pred, broadcast=False, align=False)
    overlap = K.sum(y_true * y_pred, axis=axis)
    total = K.sum(y_true, axis=axis) + K.sum(y_pred, axis=axis)
    return 1.0 - 2.0 * overlap / (total + K.epsilon())


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """``1 - tp / (tp + alpha * sum(y_true * (1 - y_pred)) + beta * sum((1 - y_true) *
    y_pred) + epsilon)`` with ``tp = sum(y_true * y_pred)``, the sums over ``axis``
    (everything when None). ``alpha = beta = 0.5`` is the Dice loss.

    >>> from lamina import backend as K
    >>> round(float(tversky([[1.0, 1.0, 0.0]], [[1.0, 0.0, 1.0]], alpha=0.7, beta=0.3)), 4)
    0.5
    """
    axis = _check_axis("tversky", axis)
    y_true, y_pred = prepare("tversky", y_true, y_pred, broadcast=False, align=False)
    overlap = K.sum(y_true * y_pred, axis=axis)
    missed = K.sum(y_true * (1.0 - y_pred), axis=axis)
    extra = K.sum((1.0 - y_true) * y_pred, axis=axis)
    return 1.0 - overlap / (overlap + alpha * missed + beta * extra + K.epsilon())


class Dice(BuiltinLoss):
    """The Dice loss (:func:`dice`): ``Dice(reduction="sum_over_batch_size",
    name="dice", axis=None, dtype=None)``.

    >>> round(float(Dice(axis=-1)([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]],
    ...                           [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])), 4)
    0.1667
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(BuiltinLoss):
    """The Tversky loss (:func:`tversky`): ``Tversky(alpha=0.5, beta=0.5,
    reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None)``.

    >>> round(float(Tversky(alpha=0.7, beta=0.3)([[1.0, 1.0, 0.0]], [[1.0, 0.0, 1.0]])), 4)
    0.5
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)
