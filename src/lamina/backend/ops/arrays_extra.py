"""Array K functions that Keras 3 adds to NumPy's basics: NaN-ignoring reductions,
flips and splits, set and search functions, histograms, segment reductions.

Each ``@_op`` function is a specification (see :mod:`lamina.backend.dispatch`); the
few written from other K functions (``flipud``, ``percentile``, ``in_top_k``, ...)
run the same way on every engine and on symbolic tensors.

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.nansum([1.0, float("nan"), 2.0])).tolist()
3.0
"""

import numpy as _np

from lamina.backend import dtypes as _dtypes
from lamina.backend.dispatch import op as _op
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math


@_op
def nansum(x, axis=None, keepdims=False):
    """Sum along ``axis``, NaNs counted as zero.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nansum([1.0, float("nan"), 2.0])).tolist()
    3.0
    """


@_op
def nanprod(x, axis=None, keepdims=False):
    """Product along ``axis``, NaNs counted as one.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanprod([2.0, float("nan"), 3.0])).tolist()
    6.0
    """


@_op
def nanmean(x, axis=None, keepdims=False):
    """Mean along ``axis`` of the elements that are not NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanmean([1.0, float("nan"), 3.0])).tolist()
    2.0
    """


@_op
def nanvar(x, axis=None, keepdims=False):
    """Variance along ``axis`` of the elements that are not NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanvar([1.0, float("nan"), 3.0])).tolist()
    1.0
    """


@_op
def nanstd(x, axis=None, keepdims=False):
    """Standard deviation along ``axis`` of the elements that are not NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanstd([1.0, float("nan"), 3.0])).tolist()
    1.0
    """


@_op
def nanmax(x, axis=None, keepdims=False):
    """Maximum along ``axis``, ignoring NaNs (NaN where all are NaN).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanmax([1.0, float("nan"), 3.0])).tolist()
    3.0
    """


@_op
def nanmin(x, axis=None, keepdims=False):
    """Minimum along ``axis``, ignoring NaNs (NaN where all are NaN).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanmin([1.0, float("nan"), 3.0])).tolist()
    1.0
    """


def ptp(x, axis=None, keepdims=False):
    """Range (maximum minus minimum) along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ptp([[1, 5], [2, 9]], axis=1)).tolist()
    [4, 7]
    """
    return _math.subtract(_math.max(x, axis=axis, keepdims=keepdims),
                          _math.min(x, axis=axis, keepdims=keepdims))


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (0 to 100) of ``x`` along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50)).tolist()
    3.0
    """
    q = _math.divide(q, 100.0) if not isinstance(q, (int, float)) else q / 100.0
    return _math.quantile(x, q, axis=axis, method=method, keepdims=keepdims)


def flipud(x):
    """``x`` with its rows (axis 0) in reverse order.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.flipud([[1, 2], [3, 4]])).tolist()
    [[3, 4], [1, 2]]
    """
    return _arrays.flip(x, axis=0)


def fliplr(x):
    """``x`` with its columns (axis 1) in reverse order.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.fliplr([[1, 2], [3, 4]])).tolist()
    [[2, 1], [4, 3]]
    """
    return _arrays.flip(x, axis=1)


@_op
def rot90(array, k=1, axes=(0, 1)):
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.rot90([[1, 2], [3, 4]])).tolist()
    [[2, 4], [1, 3]]
    """


@_op
def kron(x1, x2):
    """Kronecker product of two tensors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.kron([1, 2], [1, 10])).tolist()
    [1, 10, 2, 20]
    """


def inner(x1, x2):
    """Inner product over the last axes of ``x1`` and ``x2``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.inner([1.0, 2.0], [3.0, 4.0])).tolist()
    11.0
    """
    return _math.tensordot(x1, x2, axes=[[-1], [-1]]) if _core.ndim(x1) and _core.ndim(x2) \
        else _math.multiply(x1, x2)


@_op
def array_split(x, indices_or_sections, axis=0):
    """``x`` split into ``indices_or_sections`` parts along ``axis`` (sizes may differ by one),
    or at the given indices.

    >>> from lamina import backend as K
    >>> [K.convert_to_numpy(p).tolist() for p in K.array_split(K.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
    """


def vsplit(x, indices_or_sections):
    """``x`` split along axis 0 (equal parts, or at the given indices).

    >>> from lamina import backend as K
    >>> [K.int_shape(p) for p in K.vsplit(K.zeros((4, 2)), 2)]
    [(2, 2), (2, 2)]
    """
    return _arrays.split(x, indices_or_sections, axis=0)


def hsplit(x, indices_or_sections):
    """``x`` split along axis 1 (axis 0 for 1-D tensors).

    >>> from lamina import backend as K
    >>> [K.int_shape(p) for p in K.hsplit(K.zeros((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    return _arrays.split(x, indices_or_sections, axis=1 if _core.ndim(x) > 1 else 0)


def dsplit(x, indices_or_sections):
    """``x`` split along axis 2.

    >>> from lamina import backend as K
    >>> [K.int_shape(p) for p in K.dsplit(K.zeros((1, 2, 4)), 2)]
    [(1, 2, 2), (1, 2, 2)]
    """
    return _arrays.split(x, indices_or_sections, axis=2)


@_op
def dstack(xs):
    """Tensors stacked along axis 2 (1-D and 2-D ones first made 3-D).

    >>> from lamina import backend as K
    >>> K.int_shape(K.dstack([K.zeros((2, 3)), K.zeros((2, 3))]))
    (2, 3, 2)
    """


@_op
def diagflat(x, k=0):
    """A 2-D tensor with the flattened ``x`` on its ``k``-th diagonal.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.diagflat([1, 2])).tolist()
    [[1, 0], [0, 2]]
    """


@_op
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D ``x``: columns are powers of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.vander([2, 3], 3)).tolist()
    [[4, 2, 1], [9, 3, 1]]
    """


@_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule (samples at ``x``, or
    spaced ``dx``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.trapezoid([1.0, 2.0, 3.0])).tolist()
    4.0
    """


@_op
def histogram(x, bins=10, range=None):
    """Counts of ``x`` in ``bins`` equal bins over ``range`` (default: min to max of
    ``x``), and the bin edges: ``(counts, edges)``.

    >>> from lamina import backend as K
    >>> counts, edges = K.histogram([1.0, 2.0, 2.0, 4.0], bins=3)
    >>> K.convert_to_numpy(counts).tolist(), K.convert_to_numpy(edges).tolist()
    ([1, 2, 1], [1.0, 2.0, 3.0, 4.0])
    """


@_op
def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x`` (variables in rows).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.corrcoef([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])).tolist()
    [[1.0, -1.0], [-1.0, 1.0]]
    """


@_op
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors (``mode``: "valid", "same" or "full").

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.correlate([1.0, 2.0, 3.0], [0.0, 1.0])).tolist()
    [2.0, 3.0]
    """


@_op
def isin(x1, x2, assume_unique=False, invert=False):
    """True where an element of ``x1`` is among the elements of ``x2``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isin([1, 2, 3], [2, 5])).tolist()
    [False, True, False]
    """


@_op
def searchsorted(sorted_sequence, values, side="left"):
    """Indices where ``values`` would be inserted in the 1-D ``sorted_sequence`` to keep
    it sorted (int32).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.searchsorted([1.0, 3.0, 5.0], [2.0, 5.0])).tolist()
    [1, 2]
    """


@_op
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The distinct elements of ``x`` (sorted), and optionally the index of their first
    occurrence, the inverse indices and the counts. The result's size depends on the
    values, so this runs eagerly (not inside a compiled step) unless ``size`` is given:
    then the result is cut or padded with ``fill_value`` (default: the smallest) to ``size``.

    >>> from lamina import backend as K
    >>> values, counts = K.unique([3, 1, 3, 2], return_counts=True)
    >>> K.convert_to_numpy(values).tolist(), K.convert_to_numpy(counts).tolist()
    ([1, 2, 3], [1, 1, 2])
    """


@_op
def unravel_index(indices, shape):
    """Flat ``indices`` converted to a tuple of coordinate tensors for ``shape``.

    >>> from lamina import backend as K
    >>> [K.convert_to_numpy(i).tolist() for i in K.unravel_index([5, 3], (2, 3))]
    [[1, 1], [2, 0]]
    """


@_op
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maxima of ``data`` rows grouped by ``segment_ids``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.segment_max([1.0, 5.0, 2.0], [0, 0, 1], 2)).tolist()
    [5.0, 2.0]
    """


@_op
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minima of ``data`` rows grouped by ``segment_ids``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.segment_min([1.0, 5.0, 2.0], [0, 0, 1], 2)).tolist()
    [1.0, 2.0]
    """


@_op
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Products of ``data`` rows grouped by ``segment_ids``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.segment_prod([2.0, 5.0, 3.0], [0, 0, 1], 2)).tolist()
    [10.0, 3.0]
    """


def in_top_k(targets, predictions, k):
    """True where the class ``targets[i]`` is among the ``k`` largest of ``predictions[i]``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.in_top_k([1, 0], [[0.1, 0.9], [0.2, 0.8]], 1)).tolist()
    [True, False]
    """
    targets = _core.convert_to_tensor(targets) if isinstance(targets, list) else targets
    predictions = _core.convert_to_tensor(predictions) \
        if isinstance(predictions, list) else predictions
    index = _arrays.expand_dims(_core.cast(targets, "int32"), -1)
    target_score = _arrays.take_along_axis(predictions, index, axis=-1)
    above = _math.sum(_core.cast(_math.greater(predictions, target_score), "int32"), axis=-1)
    return _math.less(above, k)


def saturate_cast(x, dtype):
    """``x`` cast to ``dtype`` with values clipped to the dtype's range first (no
    wrap-around: 300 becomes 255 in uint8).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.saturate_cast([300.0, -5.0], "uint8")).tolist()
    [255, 0]
    """
    dtype = _dtypes.standardize_dtype(dtype)
    x = _core.convert_to_tensor(x) if isinstance(x, list) else x
    source = _core.dtype(x)
    if "bool" in (dtype, source):
        return _core.cast(x, dtype)
    (lo_t, hi_t), (lo_s, hi_s) = _range(dtype), _range(source)
    if lo_t > lo_s or hi_t < hi_s:
        x = _math.clip(x, max(lo_t, lo_s), _representable(min(hi_t, hi_s), source))
    return _core.cast(x, dtype)


def _range(dtype):
    if _dtypes.is_int(dtype):
        return int(_np.iinfo(dtype).min), int(_np.iinfo(dtype).max)
    info = _np.finfo(_dtypes.numpy_dtype(dtype))
    return float(info.min), float(info.max)


def _representable(bound, dtype):
    """The largest value of the float ``dtype`` not above the int ``bound`` (float32
    rounds 2**31 - 1 up, which would overflow the cast)."""
    if not isinstance(bound, int) or _dtypes.is_int(dtype):
        return bound
    as_float = _np.asarray(bound, dtype=_dtypes.numpy_dtype(dtype))
    return bound if int(as_float) <= bound else float(_np.nextafter(as_float, 0))
