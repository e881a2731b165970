"""Turning a loss's arguments into tensors, aligning their ranks and checking their
static shapes, shared by every loss function and by the reduction.

Shapes are static metadata: on symbolic tensors they may hold ``None`` (the batch),
which matches any size. Every check here runs on shapes alone, so it fails at
graph-building time with the symbolic shapes, and costs no engine call in a step.

>>> from lamina import backend as K
>>> y_true, y_pred = prepare("mean_squared_error", [1.0, 2.0], [[1.5], [2.0]])
>>> K.int_shape(y_true), K.int_shape(y_pred)
((2, 1), (2, 1))
"""

from lamina import backend as K
from lamina._arguments import is_int, is_number
from lamina.backend import dtypes


def as_tensor(x, dtype=None):
    """``x`` as a tensor (symbolic tensors and Variables pass through), cast to ``dtype``
    when one is given."""
    if not K.is_tensor(x):
        return K.convert_to_tensor(x, dtype)
    if dtype is not None and K.dtype(x) != dtype:
        return K.cast(x, dtype)
    return x


def as_float(x):
    """``x`` as a tensor, cast to ``floatx`` unless it is already floating point."""
    x = as_tensor(x)
    return x if dtypes.is_float(K.dtype(x)) else K.cast(x, K.floatx())


def shape_of(x):
    """The static shape of ``x`` as a tuple (``None`` for an unknown size)."""
    return tuple(x.shape)


def align_ranks(x1, x2):
    """Keras' rule: where the ranks differ by one and the longer shape ends in 1, drop
    that axis, or (when the shorter tensor has rank 1) add it to the shorter one."""
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1:
            return x1, K.expand_dims(x2, -1)
        return K.squeeze(x1, -1), x2
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1:
            return K.expand_dims(x1, -1), x2
        return x1, K.squeeze(x2, -1)
    return x1, x2


def _dims_fit(a, b, broadcast):
    return a is None or b is None or a == b or (broadcast and (a == 1 or b == 1))


def shapes_fit(shape1, shape2, broadcast):
    """Whether two static shapes are equal (or, with ``broadcast``, broadcastable at the
    same rank, or one of them a scalar); ``None`` matches any size."""
    if broadcast and (not shape1 or not shape2):
        return True
    return len(shape1) == len(shape2) and all(
        _dims_fit(a, b, broadcast) for a, b in zip(shape1, shape2))


def check_shapes(fname, y_true, y_pred, broadcast=False, hint=""):
    """Raise a ValueError naming ``fname`` and both shapes unless they fit."""
    true_shape, pred_shape = shape_of(y_true), shape_of(y_pred)
    if not shapes_fit(true_shape, pred_shape, broadcast):
        expected = ("broadcastable shapes of the same rank (equal sizes, or 1)" if broadcast
                    else "the same shape")
        raise ValueError(f"{fname} expects y_true and y_pred of {expected}. Received y_true "
                         f"shape {true_shape} and y_pred shape {pred_shape}.{hint}")


def prepare(fname, y_true, y_pred, broadcast=True, align=True, hint=""):
    """``y_pred`` as a float tensor and ``y_true`` cast to its dtype, ranks aligned (with
    ``align``) and shapes checked."""
    y_pred = as_float(y_pred)
    y_true = as_tensor(y_true, K.dtype(y_pred))
    if align:
        y_true, y_pred = align_ranks(y_true, y_pred)
    check_shapes(fname, y_true, y_pred, broadcast, hint)
    return y_true, y_pred


def check_axis(fname, axis):
    """``axis`` must be an int (not a bool)."""
    if not is_int(axis):
        raise ValueError(f"{fname}: axis must be an int. Received axis={axis!r}.")


def check_fraction(fname, name, value):
    """``value`` must be a float in [0, 1]; returns it as a float."""
    if not is_number(value) or not 0 <= value <= 1:
        raise ValueError(f"{fname}: {name} must be a float in [0, 1]. Received "
                         f"{name}={value!r}.")
    return float(value)


def class_count(x, axis, dtype):
    """The size of ``x`` along ``axis`` as a number of ``dtype`` (static when known)."""
    size = x.shape[axis]
    if size is None:
        return K.cast(K.shape(x)[axis], dtype)
    return float(size)
