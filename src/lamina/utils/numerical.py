"""``to_categorical`` (class labels to one-hot rows) and ``normalize`` (unit-norm
vectors along an axis), as in ``keras.utils``.

>>> from lamina.utils.numerical import to_categorical, normalize
>>> to_categorical([2, 0], num_classes=3)
array([[0., 0., 1.],
       [1., 0., 0.]], dtype=float32)
>>> normalize(np.array([[3.0, 4.0]]))
array([[0.6, 0.8]])
"""

import numpy as np

from lamina import backend as K
from lamina._arguments import is_int


def to_categorical(x, num_classes=None, dtype="float32"):
    """One-hot encoding of the integer class labels ``x`` (array-like or a concrete
    tensor), as a NumPy array with a new last axis of size ``num_classes``
    (``max(x) + 1`` when None). A last axis of size 1 is replaced, so labels of shape
    ``(n, 1)`` give ``(n, num_classes)``.

    Labels must be whole numbers in ``[0, num_classes)``: the offending value is
    named otherwise. ``dtype`` (Keras 2's argument) defaults to float32, lamina's
    ``floatx``; Keras 3 always returns float64.

    >>> to_categorical([[1], [0], [3]])
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.],
           [0., 0., 0., 1.]], dtype=float32)
    >>> to_categorical([0, 5], num_classes=4)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: to_categorical: expected labels in [0, 4) ... the label 5 at index (1,).
    """
    labels = _integer_labels(x)
    if num_classes is None:
        if labels.size == 0:
            raise ValueError("to_categorical: cannot infer num_classes from an empty label "
                             "array; pass num_classes.")
        num_classes = int(labels.max()) + 1
    elif not is_int(num_classes) or num_classes < 1:
        raise ValueError(f"to_categorical: expected num_classes to be an int >= 1 or None. "
                         f"Received num_classes={num_classes!r}.")
    out_of_range = (labels < 0) | (labels >= num_classes)
    if out_of_range.any():
        where = tuple(int(i) for i in np.argwhere(out_of_range)[0])
        raise ValueError(f"to_categorical: expected labels in [0, {num_classes}) for "
                         f"num_classes={num_classes}. Received the label {labels[where]} at "
                         f"index {where}.")
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    flat = labels.reshape(-1)
    categorical = np.zeros((flat.size, int(num_classes)), dtype=dtype)
    categorical[np.arange(flat.size), flat] = 1
    return categorical.reshape(shape + (int(num_classes),))


def _integer_labels(x):
    """``x`` as an int64 NumPy array; non-integral values are refused, not truncated."""
    if K.is_keras_tensor(x):
        raise TypeError(f"to_categorical: expected concrete labels (an array or a tensor) "
                        f"and returns a NumPy array. Received the symbolic tensor {x}; "
                        f"K.one_hot(x, num_classes) builds a graph node instead.")
    values = K.convert_to_numpy(x) if K.is_tensor(x) else np.asarray(x)
    if values.dtype.kind in "biu":
        return values.astype(np.int64)
    if values.dtype.kind != "f":
        raise TypeError(f"to_categorical: expected integer class labels. Received an array "
                        f"of dtype {values.dtype}.")
    fractional = ~np.isfinite(values) | (values != np.round(values))
    if fractional.any():
        where = tuple(int(i) for i in np.argwhere(fractional)[0])
        raise ValueError(f"to_categorical: expected whole-number class labels. Received "
                         f"{values[where]} at index {where}.")
    return values.astype(np.int64)


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis``.

    A NumPy array (or a list) gives a NumPy array, where a zero vector stays zero;
    a tensor (concrete or symbolic) gives ``K.normalize(x, axis, order)``, whose norm
    is bounded below by ``K.epsilon()``. ``order`` is an int >= 1.

    >>> normalize(np.array([[1.0, -3.0], [0.0, 0.0]]), order=1)
    array([[ 0.25, -0.75],
           [ 0.  ,  0.  ]])
    >>> from lamina import backend as K
    >>> y = normalize(K.constant([[3.0, 4.0]]))
    >>> [round(v, 4) for v in K.convert_to_numpy(y).ravel().tolist()]
    [0.6, 0.8]
    """
    if not isinstance(x, (np.ndarray, list, tuple)):
        return K.normalize(x, axis=axis, order=order)
    x = np.asarray(x)
    if not is_int(order) or order < 1:
        raise ValueError(f"normalize: expected order to be an int >= 1. Received "
                         f"order={order!r}.")
    if not is_int(axis) or not -max(x.ndim, 1) <= axis < max(x.ndim, 1):
        raise ValueError(f"normalize: expected axis to be an int in [-{max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1)}) for an input of shape {x.shape}. Received "
                         f"axis={axis!r}.")
    vectors = np.atleast_1d(x)
    norm = np.linalg.norm(vectors, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return (vectors / norm).reshape(x.shape)
