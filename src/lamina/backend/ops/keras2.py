"""Keras 2 backend names (``K.variable``, ``K.batch_dot``, ``K.random_binomial``, ``K.rnn``, ...).

Written only with the K catalogue, so each runs on every engine and, applied to a
symbolic tensor, records graph nodes like any K function. Signatures follow Keras 2's
``keras.backend``. Where Keras 2 and Keras 3 disagree, ``K`` (this module) takes
Keras 2's side and :mod:`lamina.ops` Keras 3's: ``K.concatenate`` joins on ``axis=-1``,
``K.argmax`` reduces ``axis=-1``, ``K.clip(x, min_value, max_value)``,
``K.reshape(x, shape)``, ``K.relu(x, alpha, max_value, threshold)``.

Deliberate differences from Keras 2 (no TensorFlow graph underneath):

- ``K.zeros``, ``K.ones``, ``K.eye`` return tensors, not variables; wrap them in
  ``K.variable`` to make a weight.
- ``K.shape(x)`` is a tuple (unknown sizes are symbolic values every K function taking a
  shape accepts), not a 1-D tensor.
- ``K.gradients(loss, variables)`` takes a zero-argument callable returning the loss, or a
  symbolic loss (then the gradients are symbolic tensors of the same graph).
- ``K.name_scope`` is a no-op context manager (lamina names nodes itself).
- ``K.learning_phase()`` is a Python int (0 unless ``K.set_learning_phase(1)``).

>>> from lamina import backend as K
>>> K.int_shape(K.Input((3,)))
(None, 3)
"""

import contextlib as _contextlib
import math as _pymath

import numpy as _np

from lamina.backend import config as _config
from lamina.backend import symbolic as _symbolic
from lamina.backend import tree as _tree
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math
from lamina.backend.ops import nn as _nn
from lamina.backend.ops import random as _random
from lamina.backend.variables import Variable as _Variable


def _floatx(dtype):
    return _config.floatx() if dtype is None else dtype


def _has_symbolic(structure):
    return _tree.any_leaf(lambda v: isinstance(v, _symbolic.SymbolicTensor), structure)


def _data_format(data_format, name):
    data_format = _config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"{name}: data_format must be 'channels_first' or 'channels_last'; "
                         f"received {data_format!r}.")
    return data_format


# -- variables and values -------------------------------------------------------------

def variable(value, dtype=None, name=None, constraint=None, trainable=True, regularizer=None):
    """A Variable holding ``value`` (Keras 2); ``dtype`` defaults to ``floatx()`` and, unlike
    Keras 2, ``trainable=False`` makes a non-trainable weight.

    >>> from lamina import backend as K
    >>> v = K.variable([[1, 2]]); v.dtype, v.trainable
    ('float32', True)
    """
    return _Variable(value, trainable=trainable, name=name, dtype=_floatx(dtype),
                     regularizer=regularizer, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor: ``value`` (a scalar is repeated to fill ``shape``, an array of the
    same size is reshaped to it); ``dtype`` defaults to ``floatx()``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.constant(2, shape=(2, 2))).tolist()
    [[2.0, 2.0], [2.0, 2.0]]
    """
    tensor = _core.convert_to_tensor(value, _floatx(dtype))
    if shape is None:
        return tensor
    shape = tuple(shape)
    if _pymath.prod(int_shape(tensor)) == 1 and _pymath.prod(shape) != 1:
        return _arrays.broadcast_to(_arrays.reshape(tensor, ()), shape)
    return _arrays.reshape(tensor, shape)


def is_tensor(x):
    """True for a tensor of the engine, a Variable or a symbolic tensor (not for lists or
    Python numbers).

    >>> from lamina import backend as K
    >>> K.is_tensor(K.ones(2)), K.is_tensor(K.variable(1.0)), K.is_tensor([1.0, 2.0])
    (True, True, False)
    """
    from lamina.backend import engine
    return isinstance(x, (_Variable, _symbolic.SymbolicTensor) + tuple(engine.tensor_types))


def is_variable(x):
    """True for a Variable.

    >>> from lamina import backend as K
    >>> K.is_variable(K.variable(1.0)), K.is_variable(K.ones(1))
    (True, False)
    """
    return isinstance(x, _Variable)


def is_placeholder(x):
    """True for a model input made by ``K.placeholder`` or ``K.Input``.

    >>> from lamina import backend as K
    >>> K.is_placeholder(K.placeholder((None, 3))), K.is_placeholder(K.ones(3))
    (True, False)
    """
    return isinstance(x, _symbolic.SymbolicTensor) and x.node is None and not x.static


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A symbolic input of the full ``shape`` (batch included; None for unknown sizes), or of
    ``ndim`` unknown dimensions. ``dtype`` defaults to ``floatx()``; sparse and ragged
    placeholders are not supported.

    >>> from lamina import backend as K
    >>> K.placeholder(shape=(None, 4)).shape, K.placeholder(ndim=3).shape
    ((None, 4), (None, None, None))
    """
    if sparse or ragged:
        raise NotImplementedError("placeholder: sparse and ragged placeholders are not supported.")
    if shape is None:
        if ndim is None:
            raise ValueError("placeholder: give `shape` or `ndim`.")
        shape = (None,) * int(ndim)
    return _symbolic.Input(batch_shape=tuple(shape), dtype=_floatx(dtype), name=name)


def int_shape(x):
    """The shape of ``x`` as a tuple of ints, with None for unknown dimensions.

    >>> from lamina import backend as K
    >>> K.int_shape(K.zeros((2, 3)))
    (2, 3)
    """
    return tuple(x.shape)


def count_params(x):
    """The number of elements of ``x`` (a weight), whose shape must be known.

    >>> from lamina import backend as K
    >>> K.count_params(K.variable(K.zeros((3, 4))))
    12
    """
    shape = int_shape(x)
    if any(d is None for d in shape):
        raise ValueError(f"count_params: the shape {shape} has unknown dimensions.")
    return int(_pymath.prod(shape))


def eval(x):
    """The value of ``x`` (a tensor, a Variable, or a symbolic tensor of no inputs) as a
    NumPy array.

    >>> from lamina import backend as K
    >>> K.eval(K.variable([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """
    if isinstance(x, _symbolic.SymbolicTensor):
        missing = _symbolic.graph_inputs(x)
        if missing:
            raise ValueError(f"eval: {x.name} depends on the inputs "
                             f"{[t.name for t in missing]}; use K.function to feed them.")
        x = _symbolic.evaluate(x, {})
    return _np.asarray(_core.convert_to_numpy(x))


def get_value(x):
    """The value of the Variable ``x`` as a NumPy array.

    >>> from lamina import backend as K
    >>> K.get_value(K.variable(3.0)).item()
    3.0
    """
    return eval(x)


def batch_get_value(tensors):
    """The values of several tensors, as a list of NumPy arrays.

    >>> from lamina import backend as K
    >>> [a.tolist() for a in K.batch_get_value([K.variable(1.0), K.ones(2)])]
    [1.0, [1.0, 1.0]]
    """
    return [get_value(x) for x in tensors]


def set_value(x, value):
    """Set the Variable ``x`` to ``value`` (same shape).

    >>> from lamina import backend as K
    >>> v = K.variable([0.0, 0.0]); K.set_value(v, [1.0, 2.0]); K.get_value(v).tolist()
    [1.0, 2.0]
    """
    x.assign(value)


def batch_set_value(tuples):
    """Set several Variables: ``tuples`` is a list of ``(variable, value)``.

    >>> from lamina import backend as K
    >>> v = K.variable(0.0); K.batch_set_value([(v, 5.0)]); K.get_value(v).item()
    5.0
    """
    for x, value in tuples:
        x.assign(value)


def update(x, new_x):
    """Assign ``new_x`` to the Variable ``x``; returns ``x``.

    >>> from lamina import backend as K
    >>> K.get_value(K.update(K.variable([1.0]), [4.0])).tolist()
    [4.0]
    """
    return x.assign(new_x)


def update_add(x, increment):
    """Add ``increment`` to the Variable ``x``; returns ``x``.

    >>> from lamina import backend as K
    >>> K.get_value(K.update_add(K.variable([1.0]), [4.0])).tolist()
    [5.0]
    """
    return x.assign_add(increment)


def update_sub(x, decrement):
    """Subtract ``decrement`` from the Variable ``x``; returns ``x``.

    >>> from lamina import backend as K
    >>> K.get_value(K.update_sub(K.variable([1.0]), [4.0])).tolist()
    [-3.0]
    """
    return x.assign_sub(decrement)


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A Python function computing ``outputs`` (symbolic tensors) from values for the
    symbolic ``inputs``; it takes a list of values and returns a list of NumPy arrays.
    ``updates`` (pairs ``(variable, new_value)``) are applied after each call.

    >>> import numpy as np
    >>> from lamina import backend as K
    >>> x = K.placeholder((None, 2)); f = K.function([x], [x * 2.0])
    >>> f([np.ones((1, 2), "float32")])[0].tolist()
    [[2.0, 2.0]]
    """
    inputs, outputs = list(inputs), outputs
    single = not isinstance(outputs, (list, tuple))
    wanted = [outputs] if single else list(outputs)
    updates = list(updates or [])

    def run(values):
        if len(values) != len(inputs):
            raise ValueError(f"function: expected {len(inputs)} input values; received {len(values)}.")
        feed = {t: _core.convert_to_tensor(v, t.dtype) for t, v in zip(inputs, values)}
        results, new_values = _symbolic.evaluate(
            (wanted, [u for _, u in updates]), feed)
        for (v, _), value in zip(updates, new_values):
            v.assign(value)
        results = [_np.asarray(_core.convert_to_numpy(r)) for r in results]
        return results[0] if single else results
    return run


@_contextlib.contextmanager
def name_scope(name):
    """A no-op context manager (Keras 2's graph name scopes have no meaning in lamina, which
    names graph nodes itself); yields ``name``.

    >>> from lamina import backend as K
    >>> with K.name_scope("block") as scope:
    ...     scope
    'block'
    """
    yield name


_learning_phase = [0]


def learning_phase():
    """The learning phase: 0 (test) unless ``K.set_learning_phase(1)`` was called.

    lamina's layers take ``training=`` instead; this global only serves Keras 2 code that
    reads it, such as ``K.in_train_phase(x, alt)``.

    >>> from lamina import backend as K
    >>> K.learning_phase()
    0
    """
    return _learning_phase[0]


def set_learning_phase(value):
    """Set the global learning phase to 0 (test) or 1 (train).

    >>> from lamina import backend as K
    >>> K.set_learning_phase(1); K.learning_phase()
    1
    >>> K.set_learning_phase(0)
    """
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: expected 0 or 1; received {value!r}.")
    _learning_phase[0] = int(value)


# -- creation ---------------------------------------------------------------------------

def zeros(shape, dtype=None, name=None):
    """A tensor of zeros (``floatx()`` unless ``dtype``); Keras 2 returned a variable.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.zeros((2,))).tolist()
    [0.0, 0.0]
    """
    return _arrays.zeros(shape, dtype=_floatx(dtype))


def ones(shape, dtype=None, name=None):
    """A tensor of ones (``floatx()`` unless ``dtype``); Keras 2 returned a variable.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ones((2,), dtype="int32")).tolist()
    [1, 1]
    """
    return _arrays.ones(shape, dtype=_floatx(dtype))


def eye(size, dtype=None, name=None):
    """An identity matrix of ``size`` (an int, or ``(rows, columns)``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.eye((2, 3))).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    n, m = (size, size) if isinstance(size, int) else tuple(size)
    return _arrays.eye(n, m, dtype=_floatx(dtype))


def zeros_like(x, dtype=None, name=None):
    """Zeros with the shape of ``x`` (and its dtype unless ``dtype``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.zeros_like(K.ones((1, 2)))).tolist()
    [[0.0, 0.0]]
    """
    return _arrays.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None, name=None):
    """Ones with the shape of ``x`` (and its dtype unless ``dtype``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ones_like(K.zeros((1, 2)))).tolist()
    [[1.0, 1.0]]
    """
    return _arrays.ones_like(x, dtype=dtype)


def cast_to_floatx(x):
    """``x`` cast to ``floatx()``: a NumPy array for Python and NumPy values, a tensor for
    tensors.

    >>> from lamina import backend as K
    >>> K.cast_to_floatx([1, 2]).dtype
    dtype('float32')
    """
    if isinstance(x, (list, tuple, int, float, _np.ndarray, _np.generic)):
        return _np.asarray(x, dtype=_config.floatx())
    return _core.cast(x, _config.floatx())


# -- shapes ------------------------------------------------------------------------------

def reshape(x, shape):
    """``x`` with a new ``shape`` (one entry may be -1).

    >>> from lamina import backend as K
    >>> K.int_shape(K.reshape(K.Input((28, 28)), (-1, 784)))
    (None, 784)
    """
    return _arrays.reshape(x, shape)


def permute_dimensions(x, pattern):
    """``x`` with its axes reordered as ``pattern`` (a tuple such as ``(0, 2, 1)``).

    >>> from lamina import backend as K
    >>> K.int_shape(K.permute_dimensions(K.zeros((2, 3, 4)), (0, 2, 1)))
    (2, 4, 3)
    """
    return _arrays.transpose(x, tuple(pattern))


def batch_flatten(x):
    """``x`` reshaped to (batch, everything else).

    >>> from lamina import backend as K
    >>> K.int_shape(K.batch_flatten(K.Input((3, 4))))
    (None, 12)
    """
    rest = _core.shape(x)[1:]
    if all(isinstance(d, int) for d in rest):
        return _arrays.reshape(x, (-1, _pymath.prod(rest)))
    return _arrays.reshape(x, (_core.shape(x)[0], -1))


def flatten(x):
    """``x`` as a 1-D tensor.

    >>> from lamina import backend as K
    >>> K.int_shape(K.flatten(K.zeros((2, 3))))
    (6,)
    """
    return _arrays.reshape(x, (-1,))


def expand_dims(x, axis=-1):
    """``x`` with a new axis of size 1 at ``axis`` (Keras 2's default: the end).

    >>> from lamina import backend as K
    >>> K.int_shape(K.expand_dims(K.zeros((2, 3))))
    (2, 3, 1)
    """
    return _arrays.expand_dims(x, axis)


def concatenate(tensors, axis=-1):
    """Tensors joined along ``axis`` (Keras 2's default -1; ``lamina.ops.concatenate`` keeps
    Keras 3's 0).

    >>> from lamina import backend as K
    >>> K.int_shape(K.concatenate([K.zeros((2, 3)), K.zeros((2, 5))]))
    (2, 8)
    """
    return _arrays.concatenate(list(tensors), axis=axis)


def repeat_elements(x, rep, axis):
    """Each slice of ``x`` along ``axis`` repeated ``rep`` times (like ``np.repeat``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.repeat_elements(K.constant([1, 2]), 2, axis=0)).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    return _arrays.repeat(x, rep, axis=axis)


def gather(reference, indices):
    """The rows of ``reference`` at ``indices`` (integers, any shape).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.gather(K.constant([[1, 2], [3, 4]]), [1, 1])).tolist()
    [[3.0, 4.0], [3.0, 4.0]]
    """
    if isinstance(indices, (list, tuple)) and not _has_symbolic(indices):
        indices = _core.convert_to_tensor(indices, "int32")
    return _arrays.take(reference, indices, axis=0)


def _resize_linear(x, axis, factor):
    size = x.shape[axis]
    source = _np.maximum((_np.arange(size * factor) + 0.5) / factor - 0.5, 0.0)
    low = _np.floor(source).astype("int32")
    high = _np.minimum(low + 1, size - 1)
    weight_shape = [1] * len(x.shape)
    weight_shape[axis] = size * factor
    weight = _core.convert_to_tensor((source - low).reshape(weight_shape), _core.dtype(x))
    low_values = _arrays.take(x, _core.convert_to_tensor(low), axis=axis)
    high_values = _arrays.take(x, _core.convert_to_tensor(high), axis=axis)
    return low_values + (high_values - low_values) * weight


def _resize_bilinear(x, height_factor, width_factor, axes):
    if _has_symbolic(x):
        return _symbolic.record(_resize_bilinear, (x, height_factor, width_factor, axes), {},
                                name="resize_images")
    if not _core.dtype(x).startswith(("float", "bfloat")):
        x = _core.cast(x, _config.floatx())
    x = _resize_linear(x, axes[0], height_factor)
    return _resize_linear(x, axes[1], width_factor)


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """A 4-D batch of images scaled by integer factors; ``interpolation`` is ``'nearest'``
    (repeated pixels) or ``'bilinear'`` (half-pixel centres, as TensorFlow's resize;
    integer images give ``floatx()`` values, as there).

    >>> from lamina import backend as K
    >>> K.int_shape(K.resize_images(K.Input((4, 5, 3)), 2, 3, "channels_last"))
    (None, 8, 15, 3)
    """
    data_format = _data_format(data_format, "resize_images")
    axes = (2, 3) if data_format == "channels_first" else (1, 2)
    if interpolation == "nearest":
        x = _arrays.repeat(x, height_factor, axis=axes[0])
        return _arrays.repeat(x, width_factor, axis=axes[1])
    if interpolation == "bilinear":
        return _resize_bilinear(x, int(height_factor), int(width_factor), axes)
    raise ValueError(f"resize_images: interpolation must be 'nearest' or 'bilinear'; "
                     f"received {interpolation!r}.")


# -- linear algebra ------------------------------------------------------------------------

def dot(x, y):
    """Keras 2's ``dot``: the matrix product for 2-D tensors; for more dimensions, the sum
    over the last axis of ``x`` and the second-to-last of ``y`` (as ``np.dot``).

    >>> from lamina import backend as K
    >>> K.int_shape(K.dot(K.Input((3, 4)), K.ones((4, 5))))
    (None, 3, 5)
    """
    return _math.dot(x, y)


def batch_dot(x, y, axes=None):
    """Keras 2's batch-wise dot product of ``x`` and ``y`` (each at least 2-D, sharing the
    batch axis 0): contracts ``x``'s axis ``axes[0]`` with ``y``'s axis ``axes[1]`` (an int
    uses it for both; None means the last axis of ``x`` and the last of ``y`` when ``y`` is
    2-D, else its second-to-last). The result has the batch, then ``x``'s remaining axes,
    then ``y``'s; when both are 2-D it is (batch, 1).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.batch_dot(K.constant([[1, 2], [3, 4]]),
    ...                                K.constant([[5, 6], [7, 8]]), axes=1)).tolist()
    [[17.0], [53.0]]
    >>> K.int_shape(K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)), axes=(1, 2)))
    (32, 1, 30)
    """
    x_shape, y_shape = int_shape(x), int_shape(y)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"batch_dot: both inputs need at least 2 dimensions; received shapes "
                         f"{x_shape} and {y_shape}.")
    if None not in (x_shape[0], y_shape[0]) and x_shape[0] != y_shape[0]:
        raise ValueError(f"batch_dot: the batch sizes differ: shapes {x_shape} and {y_shape}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    elif axes is None:
        axes = (x_ndim - 1, y_ndim - 1 if y_ndim == 2 else y_ndim - 2)
    if any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(f"batch_dot: multiple target dimensions are not supported; received "
                         f"axes={axes!r}.")
    a0 = axes[0] + x_ndim if axes[0] < 0 else axes[0]
    a1 = axes[1] + y_ndim if axes[1] < 0 else axes[1]
    if a0 == 0 or a1 == 0:
        raise ValueError(f"batch_dot: cannot contract over the batch axis 0; received axes={axes!r}.")
    if None not in (x_shape[a0], y_shape[a1]) and x_shape[a0] != y_shape[a1]:
        raise ValueError(f"batch_dot: cannot contract axis {a0} of shape {x_shape} with axis {a1} "
                         f"of shape {y_shape}: sizes {x_shape[a0]} and {y_shape[a1]} differ.")
    letters = iter("cdefghijklmnopqrstuvwxyz")
    x_sub = ["a"] + ["b" if i == a0 else next(letters) for i in range(1, x_ndim)]
    y_sub = ["a"] + ["b" if i == a1 else next(letters) for i in range(1, y_ndim)]
    out = "a" + "".join(c for c in x_sub[1:] + y_sub[1:] if c != "b")
    result = _math.einsum(f"{''.join(x_sub)},{''.join(y_sub)}->{out}", x, y)
    if x_ndim == 2 and y_ndim == 2:
        result = _arrays.expand_dims(result, 1)
    return result


def bias_add(x, bias, data_format=None):
    """``x`` plus ``bias``: a 1-D bias is added along the channel axis; a bias of
    ``ndim(x) - 1`` dimensions (given channels last) to every sample.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bias_add(K.zeros((1, 2, 2)), K.constant([1, 2]),
    ...                               "channels_first"))[0].tolist()
    [[1.0, 1.0], [2.0, 2.0]]
    """
    data_format = _data_format(data_format, "bias_add")
    bias_shape, rank = int_shape(bias), _core.ndim(x)
    if len(bias_shape) not in (1, rank - 1):
        raise ValueError(f"bias_add: the bias must have 1 or {rank - 1} dimensions for an input "
                         f"of shape {int_shape(x)}; received bias shape {bias_shape}.")
    if len(bias_shape) == 1:
        if data_format == "channels_first" and rank > 2:
            return x + _arrays.reshape(bias, (1, bias_shape[0]) + (1,) * (rank - 2))
        return x + bias
    if data_format == "channels_first" and rank in (3, 4, 5):
        return x + _arrays.reshape(bias, (1, bias_shape[-1]) + tuple(bias_shape[:-1]))
    return x + _arrays.reshape(bias, (1,) + tuple(bias_shape))


def l2_normalize(x, axis=None):
    """``x`` divided by its L2 norm along ``axis`` (all axes when None), the squared norm
    bounded below by 1e-12.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.l2_normalize(K.constant([3, 4]))).tolist()
    [0.6000000238418579, 0.800000011920929]
    """
    square_sum = _math.sum(_math.square(x), axis=axis, keepdims=True)
    return x * _math.rsqrt(_math.maximum(square_sum, 1e-12))


# -- element-wise and reductions with Keras 2 signatures -----------------------------------

def clip(x, min_value, max_value):
    """``x`` limited to [min_value, max_value]; None means no bound, and a ``max_value``
    below ``min_value`` is raised to it (Keras 2).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.clip(K.constant([-2, 0.5, 3]), 0, 1)).tolist()
    [0.0, 0.5, 1.0]
    """
    if min_value is None and max_value is None:
        return x
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)) \
            and max_value < min_value:
        max_value = min_value
    if min_value is None:
        return _math.minimum(x, max_value)
    if max_value is None:
        return _math.maximum(x, min_value)
    return _math.clip(x, min_value, max_value)


def pow(x, a):
    """``x`` to the power ``a``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.pow(K.constant([2, 3]), 2)).tolist()
    [4.0, 9.0]
    """
    return _math.power(x, a)


def argmax(x, axis=-1):
    """Index of the maximum along ``axis`` (Keras 2's default: the last axis).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.argmax(K.constant([[1, 3], [4, 2]]))).tolist()
    [1, 0]
    """
    return _math.argmax(x, axis=axis)


def argmin(x, axis=-1):
    """Index of the minimum along ``axis`` (Keras 2's default: the last axis).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.argmin(K.constant([[1, 3], [4, 2]]))).tolist()
    [0, 1]
    """
    return _math.argmin(x, axis=axis)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's rectifier: ``x`` for ``threshold <= x < max_value``, ``max_value`` above it,
    ``alpha * (x - threshold)`` below the threshold.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.relu(K.constant([-2, 1, 8]), alpha=0.5, max_value=6)).tolist()
    [-1.0, 1.0, 6.0]
    """
    if alpha == 0 and max_value is None and threshold == 0:
        return _nn.relu(x)
    if alpha != 0:
        negative = _nn.relu(threshold - x) if threshold != 0 else _nn.relu(-x)
    if threshold != 0:
        x = x * _core.cast(_math.greater(x, threshold), _core.dtype(x))
    else:
        x = _nn.relu(x)
    if max_value is not None:
        x = _math.clip(x, 0.0, max_value)
    if alpha != 0:
        x = x - alpha * negative
    return x


def stop_gradient(variables):
    """``variables`` (a tensor or a list of tensors) with no gradient flowing through.

    >>> from lamina import backend as K
    >>> [K.int_shape(t) for t in K.stop_gradient([K.ones(2), K.ones(3)])]
    [(2,), (3,)]
    """
    if isinstance(variables, (list, tuple)):
        return [_core.stop_gradient(v) for v in variables]
    return _core.stop_gradient(variables)


# -- control flow ---------------------------------------------------------------------------

def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression``. A scalar
    condition picks a whole branch (callables are called lazily, through ``K.cond``); a
    condition of lower rank than the expressions applies to their leading axes.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.switch(K.constant([True, False], "bool"),
    ...                             K.ones((2, 2)), K.zeros((2, 2)))).tolist()
    [[1.0, 1.0], [0.0, 0.0]]
    """
    if isinstance(condition, (bool, int, _np.bool_)):
        chosen = then_expression if condition else else_expression
        return chosen() if callable(chosen) else chosen
    if _core.dtype(condition) != "bool":
        condition = _core.cast(condition, "bool")
    cond_ndim = _core.ndim(condition)
    if cond_ndim == 0 and (callable(then_expression) or callable(else_expression)):
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return _core.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    expr_ndim = _core.ndim(then_expression)
    if cond_ndim > expr_ndim:
        raise ValueError(f"switch: the condition has rank {cond_ndim}, more than the "
                         f"expressions' rank {expr_ndim}.")
    if 0 < cond_ndim < expr_ndim:
        condition = _arrays.reshape(condition, _core.shape(condition) + (1,) * (expr_ndim - cond_ndim))
    return _math.where(condition, then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    """``x`` in the training phase, else ``alt`` (either may be a callable). ``training``
    defaults to ``K.learning_phase()`` and may be a Python bool or a boolean tensor.

    >>> from lamina import backend as K
    >>> K.in_train_phase(lambda: "train", lambda: "test", training=True)
    'train'
    """
    if training is None:
        training = learning_phase()
    if training is True or (isinstance(training, int) and not isinstance(training, bool)
                            and training == 1):
        return x() if callable(x) else x
    if training is False or (isinstance(training, int) and training == 0):
        return alt() if callable(alt) else alt
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """``x`` in the test phase, else ``alt`` (the mirror of ``in_train_phase``).

    >>> from lamina import backend as K
    >>> K.in_test_phase("test", "train", training=False)
    'test'
    """
    return in_train_phase(alt, x, training=training)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution (``floatx()`` unless ``dtype``).

    >>> from lamina import backend as K
    >>> K.int_shape(K.random_normal((2, 3), seed=1))
    (2, 3)
    """
    return _random.normal(shape, mean, stddev, dtype=_floatx(dtype), seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from a uniform distribution on [minval, maxval).

    >>> from lamina import backend as K
    >>> 2.0 <= float(K.min(K.random_uniform((100,), 2.0, 3.0))) < 3.0
    True
    """
    return _random.uniform(shape, minval, maxval, dtype=_floatx(dtype), seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean.

    >>> from lamina import backend as K
    >>> float(K.max(K.abs(K.truncated_normal((1000,))))) <= 2.0
    True
    """
    return _random.truncated_normal(shape, mean, stddev, dtype=_floatx(dtype), seed=seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p``, else 0 (Keras 2's ``random_binomial``, a Bernoulli draw).
    ``shape`` may be ``K.shape(x)`` of a symbolic tensor.

    >>> from lamina import backend as K
    >>> x = K.Input((784,)); (x * K.random_binomial(K.shape(x), 0.5) * 2).shape
    (None, 784)
    """
    return _random.bernoulli(shape, p, dtype=_floatx(dtype), seed=seed)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p``, else 0.

    >>> from lamina import backend as K
    >>> sorted(set(K.convert_to_numpy(K.random_bernoulli((100,), 0.5)).tolist()))
    [0.0, 1.0]
    """
    return _random.bernoulli(shape, p, dtype=_floatx(dtype), seed=seed)


__all__ = [
    "variable", "constant", "is_tensor", "is_variable", "is_placeholder", "placeholder", "int_shape",
    "count_params", "eval", "get_value", "batch_get_value", "set_value", "batch_set_value",
    "update", "update_add", "update_sub", "function", "name_scope", "learning_phase",
    "set_learning_phase", "zeros", "ones", "eye", "zeros_like", "ones_like", "cast_to_floatx",
    "reshape", "permute_dimensions", "batch_flatten", "flatten", "expand_dims", "concatenate",
    "repeat_elements", "gather", "resize_images", "dot", "batch_dot", "bias_add",
    "l2_normalize", "clip", "pow", "argmax", "argmin", "relu",
    "stop_gradient", "switch", "in_train_phase", "in_test_phase", "random_normal",
    "random_uniform", "truncated_normal", "random_binomial", "random_bernoulli",
   
]

from lamina.backend.ops import keras2_nn as _keras2_nn  # noqa: E402
from lamina.backend.ops.keras2_nn import *  # noqa: E402,F401,F403  (rnn, conv2d, ...)

__all__ += _keras2_nn.__all__
