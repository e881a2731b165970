"""torch implementations of the K functions of :mod:`~lamina.backend.ops.elementwise`,
:mod:`~lamina.backend.ops.arrays_extra` and :mod:`~lamina.backend.ops.nn_extra`, with
the numpy engine's values and dtypes (:mod:`lamina.backend.numpy_extra_api`).

>>> import torch
>>> cbrt(torch.tensor([-8, 27])).tolist()
[-2.0, 3.0]
"""

import builtins

import torch

from lamina.backend.numpy_extra_api import _depth_to_space, _space_to_depth
from lamina.backend.torch.core import to_torch_dtype
from lamina.backend.torch.math import (_WEAK, _align, _axes, _float_pair, _floatify,
                                       _moved_to_end, _promote, _same_dtype, _t)
from lamina.backend.torch.math import max as _max
from lamina.backend.torch.math import min as _min
from lamina.backend.torch.math import prod as _prod
from lamina.backend.torch.math import sum as _sum

__all__ = [
    "erf", "erfinv", "cbrt", "trunc", "exp2", "deg2rad", "rad2deg", "sinc", "signbit",
    "isposinf", "isneginf", "isreal", "fmod", "hypot", "logaddexp2", "heaviside",
    "nextafter", "ldexp", "gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_invert", "left_shift", "right_shift", "bitwise_left_shift",
    "bitwise_right_shift", "nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax",
    "nanmin", "rot90", "kron", "array_split", "dstack", "diagflat", "vander", "trapezoid",
    "histogram", "corrcoef", "correlate", "isin", "searchsorted", "unique", "unravel_index",
    "segment_max", "segment_min", "segment_prod", "depth_to_space", "space_to_depth",
    "nanquantile", "i0", "angle", "argpartition", "view",
]


# -- element-wise ---------------------------------------------------------------------
def _float_unary(fn):
    return lambda x: fn(_floatify(x))


erf = _float_unary(torch.special.erf)
erfinv = _float_unary(torch.special.erfinv)
exp2 = _float_unary(torch.exp2)
deg2rad = _float_unary(torch.deg2rad)
rad2deg = _float_unary(torch.rad2deg)
sinc = _float_unary(torch.sinc)


def cbrt(x):
    x = _floatify(x)
    y = torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)
    safe = torch.where(y == 0, torch.ones_like(y), y)
    return torch.where(y == 0, y, safe - (safe ** 3 - x) / (3 * safe ** 2))  # one Newton step


def trunc(x):
    x = _t(x)
    return torch.trunc(x) if x.is_floating_point() else x


def signbit(x):
    x = _t(x)
    return torch.signbit(x) if x.dtype is not torch.bool else torch.zeros_like(x)


def isposinf(x):
    return torch.isposinf(_t(x))


def isneginf(x):
    return torch.isneginf(_t(x))


def isreal(x):
    return torch.isreal(_t(x))


def _same(fn):
    return lambda x1, x2: _promote(fn, x1, x2)


gcd, lcm = _same(torch.gcd), _same(torch.lcm)
bitwise_and, bitwise_or = _same(torch.bitwise_and), _same(torch.bitwise_or)
bitwise_xor = _same(torch.bitwise_xor)
left_shift = bitwise_left_shift = _same(torch.bitwise_left_shift)
right_shift = bitwise_right_shift = _same(torch.bitwise_right_shift)


def fmod(x1, x2):
    if x1.__class__ not in _WEAK and _t(x1).dtype is torch.bool:
        x1 = _t(x1).to(torch.int32)
    return _promote(torch.fmod, x1, x2)


def _float_binary(fn):
    return lambda x1, x2: fn(*_float_pair(x1, x2))


hypot = _float_binary(torch.hypot)
logaddexp2 = _float_binary(torch.logaddexp2)
nextafter = _float_binary(torch.nextafter)
heaviside = _float_binary(torch.heaviside)


def ldexp(x1, x2):
    x1 = _floatify(x1)
    x1, x2 = _align(x1, _t(x2))
    return torch.ldexp(x1, x2).to(x1.dtype)


def bitwise_not(x):
    return torch.bitwise_not(_t(x))


bitwise_invert = bitwise_not


# -- NaN-ignoring reductions -------------------------------------------------------------
def _filled(x, value):
    return torch.where(torch.isnan(x), torch.full_like(x, value), x) \
        if x.is_floating_point() else x


def nansum(x, axis=None, keepdims=False):
    return _sum(_filled(_t(x), 0), axis=axis, keepdims=keepdims)


def nanprod(x, axis=None, keepdims=False):
    return _prod(_filled(_t(x), 1), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    return torch.nanmean(_floatify(x), dim=_axes(axis), keepdim=keepdims)


def nanvar(x, axis=None, keepdims=False):
    x = _floatify(x)
    mean = torch.nanmean(x, dim=_axes(axis), keepdim=True)
    return torch.nanmean((x - mean) ** 2, dim=_axes(axis), keepdim=keepdims)


def nanstd(x, axis=None, keepdims=False):
    return torch.sqrt(nanvar(x, axis, keepdims))


def _nan_extremum(reduce, fill):
    def op(x, axis=None, keepdims=False):
        x = _t(x)
        if not x.is_floating_point():
            return reduce(x, axis=axis, keepdims=keepdims)
        out = reduce(_filled(x, fill), axis=axis, keepdims=keepdims)
        all_nan = torch.all(torch.isnan(x)) if axis is None else torch.all(
            torch.isnan(x), dim=_axes(axis), keepdim=keepdims)
        return torch.where(all_nan.reshape(out.shape), torch.full_like(out, float("nan")), out)
    return op


nanmax = _nan_extremum(_max, float("-inf"))
nanmin = _nan_extremum(_min, float("inf"))


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    x = _floatify(x)
    flat, kept = _moved_to_end(x, axis)
    q = _t(q).to(device=x.device, dtype=x.dtype)
    out = torch.nanquantile(flat, q, dim=-1, interpolation=method)
    return out.reshape(tuple(q.shape) + kept) if keepdims else out


i0 = _float_unary(torch.special.i0)


def angle(x):
    x = _t(x)
    if x.is_complex():
        return torch.angle(x)
    x = _floatify(x)
    return torch.atan2(torch.zeros_like(x), x)  # NumPy's sign: pi for -0.0


def argpartition(x, kth, axis=-1):
    return torch.argsort(_t(x), dim=axis, stable=True).to(torch.int32)  # a full sort partitions


def view(x, dtype=None):
    x = _t(x)
    return x if dtype is None else x.contiguous().view(to_torch_dtype(dtype))


# -- arrays ---------------------------------------------------------------------------
def rot90(array, k=1, axes=(0, 1)):
    return torch.rot90(_t(array), k, list(axes))


def kron(x1, x2):
    x1, x2 = _same_dtype(x1, x2)
    if x1.dtype is torch.bool:
        return torch.kron(x1.to(torch.int32), x2.to(torch.int32)) != 0
    return torch.kron(x1, x2)


def array_split(x, indices_or_sections, axis=0):
    sections = indices_or_sections if isinstance(indices_or_sections, int) \
        else [int(i) for i in indices_or_sections]
    return list(torch.tensor_split(_t(x), sections, dim=axis))


def dstack(xs):
    return torch.dstack(_same_dtype(*xs))


def diagflat(x, k=0):
    return torch.diagflat(_t(x), k)


def vander(x, N=None, increasing=False):
    x = _t(x)
    out = torch.linalg.vander(x, N=N).to(x.dtype)
    return out if increasing else out.flip(-1)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = _floatify(y)
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, _t(x).to(y.dtype), dim=axis)


def histogram(x, bins=10, range=None):
    x = _floatify(x).reshape(-1)
    lo, hi = (x.min(), x.max()) if range is None else (
        torch.tensor(float(range[0]), dtype=x.dtype, device=x.device),
        torch.tensor(float(range[1]), dtype=x.dtype, device=x.device))
    hi = torch.where(hi == lo, hi + 0.5, hi)
    lo = torch.where(hi - 0.5 == lo, lo - 0.5, lo) if range is None else lo
    edges = torch.linspace(0, 1, bins + 1, dtype=torch.float64, device=x.device)
    edges = (lo.double() + edges * (hi.double() - lo.double())).to(x.dtype)
    index = torch.searchsorted(edges, x, right=True) - 1
    index = torch.where(x == edges[-1], bins - 1, index)
    inside = (index >= 0) & (index < bins)
    counts = torch.zeros(bins + 1, dtype=torch.int32, device=x.device)
    counts = counts.index_add(0, torch.where(inside, index, bins),
                              torch.ones_like(index, dtype=torch.int32))
    return counts[:bins], edges


def corrcoef(x):
    return torch.corrcoef(_floatify(x))


def correlate(x1, x2, mode="valid"):
    x1, x2 = _same_dtype(_floatify(x1), _floatify(x2))
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full'; received {mode!r}.")
    n, m = x1.shape[0], x2.shape[0]
    full = torch.nn.functional.conv1d(x1[None, None], x2[None, None], padding=m - 1)[0, 0]
    if mode == "full":
        return full
    size = builtins.max(n, m) if mode == "same" else builtins.max(n, m) - builtins.min(n, m) + 1
    start = (full.shape[0] - size) // 2 if mode == "same" else builtins.min(n, m) - 1
    return full[start:start + size]


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _same_dtype(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def searchsorted(sorted_sequence, values, side="left"):
    sequence, values = _same_dtype(sorted_sequence, values)
    return torch.searchsorted(sequence, values, side=side).to(torch.int32)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    x = _t(x)
    flat = x.reshape(-1) if axis is None else x
    values, inverse, counts = torch.unique(flat, sorted=True, return_inverse=True,
                                           return_counts=True, dim=axis)
    parts = [values]
    if return_index:
        positions = torch.arange(flat.shape[0 if axis is None else axis], device=x.device)
        first = torch.full((values.shape[0 if axis is None else axis],), positions.numel(),
                           dtype=positions.dtype, device=x.device)
        parts.append(first.scatter_reduce(0, inverse, positions, "amin").to(torch.int32))
    if return_inverse:
        parts.append(inverse.to(torch.int32))
    if return_counts:
        parts.append(counts.to(torch.int32))
    if size is not None:
        parts = [_sized(p, size, fill_value if i == 0 else None) for i, p in enumerate(parts)]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _sized(values, size, fill_value):
    if values.shape[0] >= size:
        return values[:size]
    fill = values.min() if fill_value is None and values.numel() else (fill_value or 0)
    pad = torch.full((size - values.shape[0],) + tuple(values.shape[1:]), fill,
                     dtype=values.dtype, device=values.device)
    return torch.cat([values, pad])


def unravel_index(indices, shape):
    indices = _t(indices)
    return tuple(i.to(indices.dtype) for i in torch.unravel_index(
        indices.to(torch.int64), tuple(int(d) for d in shape)))


_SEGMENT = {"segment_max": "amax", "segment_min": "amin", "segment_prod": "prod"}


def _identity(name, dtype):
    if name == "segment_prod":
        return 1
    if dtype.is_floating_point:
        return float("-inf") if name == "segment_max" else float("inf")
    if dtype is torch.bool:
        return name == "segment_min"
    info = torch.iinfo(dtype)
    return info.min if name == "segment_max" else info.max


def _segment(name):
    def segment(data, segment_ids, num_segments=None, sorted=False):
        data, segment_ids = _align(_t(data), _t(segment_ids).to(torch.int64))
        if num_segments is None:
            num_segments = int(segment_ids.max()) + 1 if segment_ids.numel() else 0
        valid = (segment_ids >= 0) & (segment_ids < num_segments)
        ids = torch.where(valid, segment_ids, num_segments)  # invalid ids go to a dropped row
        ids = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand(data.shape)
        out = torch.full((num_segments + 1,) + tuple(data.shape[1:]),
                         _identity(name, data.dtype), dtype=data.dtype, device=data.device)
        return out.scatter_reduce(0, ids, data, _SEGMENT[name], include_self=True)[
            :num_segments]
    return segment


segment_max, segment_min = _segment("segment_max"), _segment("segment_min")
segment_prod = _segment("segment_prod")


# -- nn -------------------------------------------------------------------------------
def depth_to_space(x, block_size, data_format="channels_last"):
    return _depth_to_space(_t(x), int(block_size), data_format, lambda v, a: v.permute(a))


def space_to_depth(x, block_size, data_format="channels_last"):
    return _space_to_depth(_t(x), int(block_size), data_format, lambda v, a: v.permute(a))

