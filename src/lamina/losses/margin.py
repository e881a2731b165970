"""Hinge losses ("maximum-margin" classification): functions
``(y_true, y_pred) -> per-sample loss``, as in Keras 3.

``hinge`` and ``squared_hinge`` expect labels -1 or 1; when every label of the batch is
0 or 1 they are mapped to -1 or 1 first (a data-dependent choice made with
``K.where``, so it runs inside a compiled step).

>>> from lamina import backend as K
>>> from lamina.losses import margin
>>> K.convert_to_numpy(margin.hinge([[0.0, 1.0]], [[-0.5, 0.5]])).tolist()
[0.5]
"""

from lamina import backend as K
from lamina.losses._inputs import prepare


def _signed_labels(y_true):
    is_binary = K.all(K.logical_or(K.equal(y_true, 0.0), K.equal(y_true, 1.0)))
    return K.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _margins(fname, y_true, y_pred):
    y_true, y_pred = prepare(fname, y_true, y_pred)
    return K.maximum(1.0 - _signed_labels(y_true) * y_pred, 0.0)


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(hinge([[-1.0, 1.0]], [[0.5, 2.0]])).tolist()
    [0.75]
    """
    return K.mean(_margins("hinge", y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(squared_hinge([[-1.0, 1.0]], [[0.5, 2.0]])).tolist()
    [1.125]
    """
    return K.mean(K.square(_margins("squared_hinge", y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred, axis=-1)`` and
    ``neg = max((1 - y_true) * y_pred, axis=-1)``, for one-hot ``y_true``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(categorical_hinge([[0.0, 1.0, 0.0]], [[0.5, 0.25, 0.0]])).tolist()
    [1.25]
    """
    y_true, y_pred = prepare("categorical_hinge", y_true, y_pred, broadcast=False)
    positive = K.sum(y_true * y_pred, axis=-1)
    negative = K.max((1.0 - y_true) * y_pred, axis=-1)
    return K.maximum(negative - positive + 1.0, 0.0)
