"""Core K functions: conversion, shapes and dtypes, indexing, scatter, control flow.

Each function below is a specification (signature and docstring); its implementation
is the selected engine's function of the same name (see :mod:`lamina.backend.dispatch`).

>>> from lamina import backend as K
>>> K.shape(K.zeros((2, 3)))
(2, 3)
"""

from lamina.backend.dispatch import op as _op


@_op
def convert_to_tensor(x, dtype=None, sparse=None):
    """Convert ``x`` (array, nested list, scalar, Variable) to the engine's tensor type.

    Python floats become ``floatx()``, Python ints ``int32``; arrays keep their dtype
    unless ``dtype`` is given.

    >>> from lamina import backend as K
    >>> K.dtype(K.convert_to_tensor([1.0, 2.0])), K.dtype(K.convert_to_tensor(3))
    ('float32', 'int32')
    """


@_op
def convert_to_numpy(x):
    """Return ``x`` as a NumPy array.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ones(2)).tolist()
    [1.0, 1.0]
    """


@_op(convert_lists=False)
def is_tensor(x):
    """True when ``x`` is a tensor of the engine (or a symbolic tensor or a Variable).

    >>> import numpy as np
    >>> from lamina import backend as K
    >>> K.is_tensor(K.ones(2)), K.is_tensor([1, 2])
    (True, False)
    """


@_op(static=True)
def shape(x):
    """The shape of ``x`` as a tuple. On a symbolic tensor, known dimensions are ints and
    unknown ones are symbolic values that every K function taking a shape accepts.

    >>> from lamina import backend as K
    >>> K.shape(K.zeros((2, 3)))
    (2, 3)
    """


@_op(static=True)
def ndim(x):
    """The number of dimensions of ``x``.

    >>> from lamina import backend as K
    >>> K.ndim(K.zeros((2, 3)))
    2
    """


@_op(static=True)
def dtype(x):
    """The dtype of ``x`` as a name such as ``'float32'``.

    >>> from lamina import backend as K
    >>> K.dtype(K.ones(1))
    'float32'
    """


@_op
def cast(x, dtype):
    """Cast ``x`` to ``dtype``.

    >>> from lamina import backend as K
    >>> K.dtype(K.cast(K.ones(2), "int32"))
    'int32'
    """


@_op
def get_item(x, key):
    """``x[key]`` with NumPy indexing: ints, slices, None, Ellipsis, int and bool arrays.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.get_item(K.arange(6), (K.arange(2) + 1,))).tolist()
    [1, 2]
    """


@_op
def slice(inputs, start_indices, shape):
    """The block of ``inputs`` starting at ``start_indices`` with the given ``shape``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.slice(K.arange(6), (2,), (3,))).tolist()
    [2, 3, 4]
    """


@_op
def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.slice_update(K.zeros(4), (1,), K.ones(2))).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """


@_op
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (an (n, rank) array).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.scatter([[1], [3]], K.ones(2), (4,))).tolist()
    [0.0, 1.0, 0.0, 1.0]
    """


@_op
def scatter_update(inputs, indices, updates):
    """A copy of ``inputs`` with the entries at ``indices`` (an (n, rank) array) set to ``updates``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.scatter_update(K.zeros(3), [[0], [2]], K.ones(2))).tolist()
    [1.0, 0.0, 1.0]
    """


@_op
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of ``data`` rows grouped by ``segment_ids``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.segment_sum(K.ones(4), [0, 0, 1, 1], 2)).tolist()
    [2.0, 2.0]
    """


@_op(wrap_errors=False)
def cond(pred, true_fn, false_fn):
    """``true_fn()`` when ``pred`` holds, else ``false_fn()``; traceable on JAX.

    >>> from lamina import backend as K
    >>> float(K.cond(K.convert_to_tensor(True), lambda: K.ones(()), lambda: K.zeros(())))
    1.0
    """


@_op(wrap_errors=False)
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``; returns the final
    loop variables (a tuple when ``loop_vars`` is a tuple or list).

    >>> from lamina import backend as K
    >>> int(K.while_loop(lambda i: i < 5, lambda i: (i + 1,), (0,))[0])
    5
    """


@_op(wrap_errors=False)
def fori_loop(lower, upper, body_fun, init_val):
    """``init_val = body_fun(i, init_val)`` for ``i`` from ``lower`` to ``upper - 1``.

    >>> from lamina import backend as K
    >>> int(K.fori_loop(0, 4, lambda i, acc: acc + i, 0))
    6
    """


@_op(wrap_errors=False)
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns
    ``(carry, stacked ys)``.

    >>> from lamina import backend as K
    >>> carry, ys = K.scan(lambda c, x: (c + x, c + x), K.zeros(()), K.arange(4, dtype="float32"))
    >>> float(carry), K.convert_to_numpy(ys).tolist()
    (6.0, [0.0, 1.0, 3.0, 6.0])
    """


@_op
def stop_gradient(variable):
    """``variable`` itself, with no gradient flowing through it.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.stop_gradient(K.ones(2))).tolist()
    [1.0, 1.0]
    """


@_op(wrap_errors=False)
def vectorized_map(function, elements):
    """``function`` applied to each slice of ``elements`` along axis 0, results stacked.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.vectorized_map(lambda r: K.sum(r), K.ones((3, 2)))).tolist()
    [2.0, 2.0, 2.0]
    """


@_op
def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, as a list.

    >>> from lamina import backend as K
    >>> len(K.unstack(K.zeros((3, 2))))
    3
    """
