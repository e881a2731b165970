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


def _static_shape(x):
    """The shape of ``x`` as a tuple, None for an unknown (symbolic) length."""
    return tuple(x.shape)


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


def _pattern_side(side, pattern):
    """The axes of one side of a rearrange pattern: a list of groups of names."""
    groups, group = [], None
    for token in side.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            if group is not None:
                raise ValueError(f"rearrange: nested parentheses in {pattern!r}.")
            group = []
        elif token == ")":
            if group is None:
                raise ValueError(f"rearrange: unbalanced parentheses in {pattern!r}.")
            groups.append(group)
            group = None
        elif token.isidentifier():
            (group if group is not None else groups).append(
                token if group is not None else [token])
        else:
            raise ValueError(f"rearrange: {token!r} in {pattern!r} is not an axis name "
                             f"(names and parentheses only).")
    if group is not None:
        raise ValueError(f"rearrange: unbalanced parentheses in {pattern!r}.")
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Axes rearranged as einops writes it: ``"b h w c -> b (h w) c"`` merges axes,
    ``"b (h h1) w -> b h h1 w"`` with ``h1=2`` splits one, and the order of names
    transposes. Split axes take their lengths from ``axes_lengths``.

    >>> from lamina import backend as K
    >>> K.int_shape(K.rearrange(K.zeros((2, 6, 4, 3)), "b (h h1) w c -> b h w (c h1)", h1=2))
    (2, 3, 4, 6)
    """
    tensor = _tensor(tensor)
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern must have one '->'; received {pattern!r}.")
    left, right = (_pattern_side(side, pattern) for side in pattern.split("->"))
    names = [n for g in left for n in g]
    if sorted(names) != sorted(n for g in right for n in g) or len(set(names)) != len(names):
        raise ValueError(f"rearrange: both sides of {pattern!r} must name the same axes, "
                         f"each once.")
    shape = _static_shape(tensor)
    if len(left) != len(shape):
        raise ValueError(f"rearrange: {pattern!r} describes {len(left)} axes; the tensor has "
                         f"shape {shape}.")
    sizes = {}
    for group, length in zip(left, shape):
        unknown = [n for n in group if n not in axes_lengths]
        known = _np.prod([axes_lengths[n] for n in group if n in axes_lengths], dtype=int)
        if len(unknown) > 1:
            raise ValueError(f"rearrange: the axis ({' '.join(group)}) of {pattern!r} needs "
                             f"the lengths of all but one of its names.")
        for n in group:
            sizes[n] = axes_lengths.get(n)
        if unknown:
            sizes[unknown[0]] = None if length is None else length // int(known)
        if length is not None and _np.prod([sizes[n] for n in group], dtype=int) != length:
            raise ValueError(f"rearrange: the axis ({' '.join(group)}) of {pattern!r} has "
                             f"length {length}, not a product of {axes_lengths}.")

    def dims(groups):
        out = [None if None in [sizes[n] for n in g] else int(_np.prod(
            [sizes[n] for n in g], dtype=int)) for g in groups]
        return tuple(-1 if d is None else d for d in out)

    split = _arrays.reshape(tensor, dims([[n] for n in names]))
    order = [names.index(n) for g in right for n in g]
    return _arrays.reshape(_arrays.transpose(split, order), dims(right))


@_op
def view(x, dtype=None):
    """The bits of ``x`` read as ``dtype`` (no conversion); a narrower dtype lengthens the
    last axis, a wider one shortens it. ``x`` itself when ``dtype`` is None.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.view(K.convert_to_tensor([1.0]), "int32")).tolist()
    [1065353216]
    """
