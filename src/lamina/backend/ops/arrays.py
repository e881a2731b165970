"""NumPy-style K functions: array creation, shape manipulation and indexing.

Each function below is a specification (signature and docstring); its implementation
is the selected engine's function of the same name (see :mod:`lamina.backend.dispatch`).
Result dtypes follow :mod:`lamina.backend.dtypes` on every engine.

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.add(K.ones(2), 1.0)).tolist()
[2.0, 2.0]
"""

from lamina.backend.dispatch import op as _op


@_op
def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` (both flattened when ``axis`` is None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.append([1.0], [2.0])).tolist()
    [1.0, 2.0]
    """


@_op
def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop); ints give int32, floats floatx.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arange(3)).tolist()
    [0, 1, 2]
    """


@_op
def array(x, dtype=None):
    """A tensor holding the values of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.array([1, 2])).tolist()
    [1, 2]
    """


@_op
def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.broadcast_to([1.0], (3,))).tolist()
    [1.0, 1.0, 1.0]
    """


@_op
def concatenate(xs, axis=0):
    """Tensors joined along an existing ``axis`` (``lamina.ops.concatenate`` defaults to Keras 3's 0, ``K.concatenate`` to Keras 2's -1).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.concatenate([[1.0], [2.0]], axis=0)).tolist()
    [1.0, 2.0]
    """


@_op
def copy(x):
    """A copy of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.copy([1.0])).tolist()
    [1.0]
    """


@_op
def diag(x, k=0):
    """The ``k``-th diagonal of a matrix, or a matrix with ``x`` on its diagonal.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.diag([1.0, 2.0])).tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """


@_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of ``x`` over ``axis1`` and ``axis2``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.diagonal([[1.0, 2.0], [3.0, 4.0]])).tolist()
    [1.0, 4.0]
    """


@_op
def empty(shape, dtype=None):
    """An uninitialised tensor (lamina fills it with zeros).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.empty((2,))).tolist()
    [0.0, 0.0]
    """


@_op
def expand_dims(x, axis):
    """``x`` with a new axis of size 1 at ``axis``.

    >>> from lamina import backend as K
    >>> K.shape(K.expand_dims(K.ones(2), 0))
    (1, 2)
    """


@_op
def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the ``k``-th diagonal.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.eye(2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """


@_op
def flip(x, axis=None):
    """``x`` with the order of elements reversed along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.flip([1.0, 2.0])).tolist()
    [2.0, 1.0]
    """


@_op
def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.full((2,), 7.0)).tolist()
    [7.0, 7.0]
    """


@_op
def full_like(x, fill_value, dtype=None):
    """A tensor like ``x`` filled with ``fill_value``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.full_like([1.0, 2.0], 3.0)).tolist()
    [3.0, 3.0]
    """


@_op
def hstack(xs):
    """Tensors stacked column-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hstack([[1.0], [2.0]])).tolist()
    [1.0, 2.0]
    """


@_op
def identity(n, dtype=None):
    """The ``n`` x ``n`` identity matrix.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.identity(1)).tolist()
    [[1.0]]
    """


@_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.linspace(0.0, 1.0, 3)).tolist()
    [0.0, 0.5, 1.0]
    """


@_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``num`` values spaced evenly on a log scale.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logspace(0.0, 2.0, 3)).tolist()
    [1.0, 10.0, 100.0]
    """


@_op
def meshgrid(*x, indexing="xy"):
    """Coordinate matrices from coordinate vectors.

    >>> from lamina import backend as K
    >>> [K.shape(g) for g in K.meshgrid(K.ones(2), K.ones(3))]
    [(3, 2), (3, 2)]
    """


@_op
def moveaxis(x, source, destination):
    """``x`` with axes moved from ``source`` to ``destination``.

    >>> from lamina import backend as K
    >>> K.shape(K.moveaxis(K.zeros((2, 3, 4)), 0, -1))
    (3, 4, 2)
    """


@_op
def nonzero(x):
    """Indices of the non-zero elements, one tensor per axis.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nonzero([0.0, 3.0])[0]).tolist()
    [1]
    """


@_op
def ones(shape, dtype=None):
    """A tensor of ones (floatx unless ``dtype``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ones((2,))).tolist()
    [1.0, 1.0]
    """


@_op
def ones_like(x, dtype=None):
    """A tensor of ones shaped like ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ones_like([5.0, 6.0])).tolist()
    [1.0, 1.0]
    """


@_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """``x`` padded: ``pad_width`` is one (before, after) pair per axis.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.pad([1.0], [(1, 1)])).tolist()
    [0.0, 1.0, 0.0]
    """


@_op
def ravel(x):
    """``x`` flattened to 1-D.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ravel([[1.0], [2.0]])).tolist()
    [1.0, 2.0]
    """


@_op
def repeat(x, repeats, axis=None):
    """Each element of ``x`` repeated ``repeats`` times along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.repeat([1, 2], 2)).tolist()
    [1, 1, 2, 2]
    """


@_op
def reshape(x, newshape):
    """``x`` with a new shape (one dimension may be -1).

    >>> from lamina import backend as K
    >>> K.shape(K.reshape(K.zeros(6), (2, -1)))
    (2, 3)
    """


@_op
def roll(x, shift, axis=None):
    """Elements rolled by ``shift`` along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.roll([1, 2, 3], 1)).tolist()
    [3, 1, 2]
    """


@_op
def select(condlist, choicelist, default=0):
    """Values from ``choicelist`` where the matching condition of ``condlist`` holds first.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.select([K.array([True, False])], [K.array([1, 2])], 0)).tolist()
    [1, 0]
    """


@_op
def split(x, indices_or_sections, axis=0):
    """``x`` split into equal sections or at the given indices.

    >>> from lamina import backend as K
    >>> [K.shape(p) for p in K.split(K.zeros(4), 2)]
    [(2,), (2,)]
    """


@_op
def squeeze(x, axis=None):
    """``x`` without its size-1 axes (or only ``axis``).

    >>> from lamina import backend as K
    >>> K.shape(K.squeeze(K.zeros((1, 2, 1))))
    (2,)
    """


@_op
def stack(x, axis=0):
    """Tensors joined along a new ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.stack([[1.0], [2.0]])).tolist()
    [[1.0], [2.0]]
    """


@_op
def swapaxes(x, axis1, axis2):
    """``x`` with two axes interchanged.

    >>> from lamina import backend as K
    >>> K.shape(K.swapaxes(K.zeros((2, 3)), 0, 1))
    (3, 2)
    """


@_op
def take(x, indices, axis=None):
    """Elements of ``x`` at ``indices`` along ``axis`` (flattened when None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.take([5.0, 6.0, 7.0], [2, 0])).tolist()
    [7.0, 5.0]
    """


@_op
def take_along_axis(x, indices, axis=None):
    """Values of ``x`` at ``indices`` matched along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.take_along_axis([[5.0, 6.0]], [[1]], axis=1)).tolist()
    [[6.0]]
    """


@_op
def tile(x, repeats):
    """``x`` repeated ``repeats`` times (per axis).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.tile([1, 2], 2)).tolist()
    [1, 2, 1, 2]
    """


@_op
def transpose(x, axes=None):
    """``x`` with axes permuted (reversed by default).

    >>> from lamina import backend as K
    >>> K.shape(K.transpose(K.zeros((2, 3))))
    (3, 2)
    """


@_op
def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.tri(2)).tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """


@_op
def tril(x, k=0):
    """Lower triangle of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.tril([[1.0, 2.0], [3.0, 4.0]])).tolist()
    [[1.0, 0.0], [3.0, 4.0]]
    """


@_op
def triu(x, k=0):
    """Upper triangle of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.triu([[1.0, 2.0], [3.0, 4.0]])).tolist()
    [[1.0, 2.0], [0.0, 4.0]]
    """


@_op
def vstack(xs):
    """Tensors stacked row-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.vstack([[1.0], [2.0]])).tolist()
    [[1.0], [2.0]]
    """


@_op
def zeros(shape, dtype=None):
    """A tensor of zeros (floatx unless ``dtype``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.zeros((2,))).tolist()
    [0.0, 0.0]
    """


@_op
def zeros_like(x, dtype=None):
    """A tensor of zeros shaped like ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.zeros_like([5.0])).tolist()
    [0.0]
    """
