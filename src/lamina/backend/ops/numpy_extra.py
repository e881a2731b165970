"""More NumPy-style K functions of Keras 3: NaN-ignoring arg-extrema, cumulative
functions and quantiles, window functions, ``geomspace``, ``cdist``, ``allclose``,
``argpartition``.

``nanquantile`` and ``argpartition`` are specifications (see
:mod:`lamina.backend.dispatch`); the others are written from other K functions, so they
run the same way on every engine.

>>> from lamina import backend as K
>>> int(K.nanargmax([float("nan"), 3.0, 1.0]))
1
"""

import numpy as _np

from lamina.backend import config as _config
from lamina.backend.dispatch import op as _op
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math


def _tensor(x):
    return _core.convert_to_tensor(x) if isinstance(x, (list, tuple, int, float)) else x


def _nan_filled(x, value):
    x = _tensor(x)
    if _core.dtype(x) not in ("float16", "bfloat16", "float32", "float64"):
        return x
    return _math.where(_math.isnan(x), _arrays.full_like(x, value), x)


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum, ignoring NaNs.

    >>> from lamina import backend as K
    >>> int(K.nanargmax([float("nan"), 3.0, 1.0]))
    1
    """
    return _math.argmax(_nan_filled(x, -_np.inf), axis=axis, keepdims=keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum, ignoring NaNs.

    >>> from lamina import backend as K
    >>> int(K.nanargmin([float("nan"), 3.0, 1.0]))
    2
    """
    return _math.argmin(_nan_filled(x, _np.inf), axis=axis, keepdims=keepdims)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (flattened when None), NaNs counted as zero.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nancumsum([1.0, float("nan"), 2.0])).tolist()
    [1.0, 1.0, 3.0]
    """
    return _math.cumsum(_nan_filled(x, 0), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None), NaNs counted as one.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nancumprod([2.0, float("nan"), 3.0])).tolist()
    [2.0, 2.0, 6.0]
    """
    return _math.cumprod(_nan_filled(x, 1), axis=axis, dtype=dtype)


@_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles (0 to 1) along ``axis`` of the elements that are not NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanquantile([1.0, float("nan"), 3.0], 0.5)).tolist()
    2.0
    """


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (0 to 100) along ``axis`` of the elements that are not NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanpercentile([1.0, float("nan"), 3.0], 50)).tolist()
    2.0
    """
    q = _math.divide(q, 100.0) if not isinstance(q, (int, float)) else q / 100.0
    return nanquantile(x, q, axis=axis, method=method, keepdims=keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """Median along ``axis`` of the elements that are not NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nanmedian([1.0, float("nan"), 3.0, 10.0])).tolist()
    3.0
    """
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def _window(values):
    return _core.convert_to_tensor(_np.asarray(values, dtype=_config.floatx()))


def _length(x, name):
    if isinstance(x, bool) or not isinstance(x, (int, _np.integer)) or x < 0:
        raise ValueError(f"{name}: the window length must be a non-negative int; received {x!r}.")
    return int(x)


def bartlett(x):
    """The Bartlett (triangular) window of ``x`` points.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bartlett(5)).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return _window(_np.bartlett(_length(x, "bartlett")))


def blackman(x):
    """The Blackman window of ``x`` points.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.blackman(3)).tolist()]
    [-0.0, 1.0, -0.0]
    """
    return _window(_np.blackman(_length(x, "blackman")))


def hamming(x):
    """The Hamming window of ``x`` points.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.hamming(3)).tolist()]
    [0.08, 1.0, 0.08]
    """
    return _window(_np.hamming(_length(x, "hamming")))


def hanning(x):
    """The Hann window of ``x`` points.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hanning(3)).tolist()
    [0.0, 1.0, 0.0]
    """
    return _window(_np.hanning(_length(x, "hanning")))


def kaiser(x, beta):
    """The Kaiser window of ``x`` points with shape parameter ``beta``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.kaiser(3, 0.0)).tolist()]
    [1.0, 1.0, 1.0]
    """
    return _window(_np.kaiser(_length(x, "kaiser"), float(beta)))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` numbers spaced evenly on a log scale from ``start`` to ``stop``.

    >>> from lamina import backend as K
    >>> [round(v, 3) for v in K.convert_to_numpy(K.geomspace(1.0, 8.0, 4)).tolist()]
    [1.0, 2.0, 4.0, 8.0]
    """
    start, stop = _tensor(start), _tensor(stop)
    dtype = dtype or _config.floatx()
    start, stop = _core.cast(start, "float64"), _core.cast(stop, "float64")
    sign = _math.sign(start)
    logs = _arrays.linspace(_math.log10(_math.abs(start)), _math.log10(_math.abs(stop)), num,
                            endpoint=endpoint, dtype="float64", axis=axis)
    return _core.cast(_math.multiply(sign, _math.power(10.0, logs)), dtype)


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and of ``y`` (..., n, d):
    a (..., m, n) tensor.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cdist([[0.0, 0.0]], [[3.0, 4.0], [0.0, 1.0]])).tolist()
    [[5.0, 1.0]]
    """
    x, y = _tensor(x), _tensor(y)
    difference = _math.subtract(_arrays.expand_dims(x, -2), _arrays.expand_dims(y, -3))
    return _math.sqrt(_math.sum(_math.square(difference), axis=-1))


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of ``x1`` is close to ``x2``: ``|x1 - x2| <= atol + rtol * |x2|``.

    >>> from lamina import backend as K
    >>> bool(K.allclose([1.0, 2.0], [1.0, 2.0000001]))
    True
    """
    return _math.all(_math.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


def empty_like(x, dtype=None):
    """A tensor of the shape (and dtype, unless given) of ``x`` (filled with zeros).

    >>> from lamina import backend as K
    >>> K.int_shape(K.empty_like(K.ones((2, 3))))
    (2, 3)
    """
    return _arrays.zeros_like(x, dtype=dtype)


@_op
def argpartition(x, kth, axis=-1):
    """Indices that partition ``x`` along ``axis`` around its ``kth`` smallest element:
    that element is at position ``kth``, smaller ones before it, larger ones after (int32).

    >>> from lamina import backend as K
    >>> idx = K.argpartition([5.0, 1.0, 4.0, 2.0], 1)
    >>> int(idx[1])
    3
    """
