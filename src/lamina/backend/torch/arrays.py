"""torch implementations of the array K functions (creation, shape manipulation, indexing)
and of the core ones (shapes and dtypes, slices and scatters, control flow).

Values, shapes and dtypes follow the numpy engine (:mod:`lamina.backend.numpy_api`).
Control flow runs eagerly in Python (``cond``, ``while_loop``, ``fori_loop``, ``scan``);
``vectorized_map`` uses ``torch.vmap`` and falls back to a loop when the function
cannot be vectorized (data-dependent Python control flow, ``.item()``, random draws).

>>> import torch
>>> pad(torch.arange(3), [(2, 2)], mode="symmetric").tolist()
[1, 0, 0, 1, 2, 2, 1]
"""

import builtins

import numpy as np
import torch

from lamina.backend import tree as _tree
from lamina.backend.torch.core import target_device, to_torch_dtype
from lamina.backend.torch.math import (_NAMES, _WEAK, _Tensor, _align, _axes, _floatx,
                                       _normalize_axes, _result_dtype, _same_dtype, _t)

__all__ = [
    "shape", "ndim", "dtype", "cast", "get_item", "slice", "slice_update", "scatter",
    "scatter_update", "segment_sum", "cond", "while_loop", "fori_loop", "scan",
    "stop_gradient", "vectorized_map", "unstack",
    "append", "arange", "array", "broadcast_to", "concatenate", "copy", "diag", "diagonal",
    "empty", "expand_dims", "eye", "flip", "full", "full_like", "hstack", "identity",
    "linspace", "logspace", "meshgrid", "moveaxis", "nonzero", "ones", "ones_like", "pad",
    "ravel", "repeat", "reshape", "roll", "select", "split", "squeeze", "stack", "swapaxes",
    "take", "take_along_axis", "tile", "transpose", "tri", "tril", "triu", "vstack", "zeros",
    "zeros_like", "argsort", "sort", "top_k", "diff", "digitize", "bincount",
]


def _shape_arg(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def _float_default(dtype):
    return to_torch_dtype(dtype) if dtype is not None else _floatx()


# -- shapes and dtypes ----------------------------------------------------------------
def shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(_t(x).shape)


def ndim(x):
    return x.ndim if hasattr(x, "ndim") else _t(x).ndim


def dtype(x):
    d = getattr(x, "dtype", None)
    if d.__class__ is torch.dtype:
        return _NAMES[d]
    return _NAMES[_t(x).dtype]


def cast(x, dtype):
    return _t(x, dtype)


def array(x, dtype=None):
    return _t(x, dtype)


def copy(x):
    return _t(x).clone()


# -- creation -----------------------------------------------------------------------------
def zeros(shape, dtype=None):
    return torch.zeros(_shape_arg(shape), dtype=_float_default(dtype), device=target_device())


def ones(shape, dtype=None):
    return torch.ones(_shape_arg(shape), dtype=_float_default(dtype), device=target_device())


empty = zeros


def full(shape, fill_value, dtype=None):
    target = to_torch_dtype(dtype) if dtype is not None else _result_dtype(fill_value)
    if fill_value.__class__ in _WEAK:
        return torch.full(_shape_arg(shape), fill_value, dtype=target, device=target_device())
    return torch.broadcast_to(_t(fill_value).to(target), _shape_arg(shape)).clone()


def zeros_like(x, dtype=None):
    x = _t(x)
    return torch.zeros_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def ones_like(x, dtype=None):
    x = _t(x)
    return torch.ones_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = _t(x)
    target = x.dtype if dtype is None else to_torch_dtype(dtype)
    if fill_value.__class__ in _WEAK:
        return torch.full_like(x, fill_value, dtype=target)
    return torch.broadcast_to(_t(fill_value).to(target), x.shape).clone()


def _diagonal_mask(N, M, k):
    M = N if M is None else M
    rows = torch.arange(int(N), device=target_device()).reshape(-1, 1)
    cols = torch.arange(int(M), device=target_device()).reshape(1, -1)
    return rows, cols, int(k)


def eye(N, M=None, k=0, dtype=None):
    rows, cols, k = _diagonal_mask(N, M, k)
    return (cols - rows == k).to(_float_default(dtype))


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    rows, cols, k = _diagonal_mask(N, M, k)
    return (cols <= rows + k).to(_float_default(dtype))


def _number(v):
    if isinstance(v, (_Tensor, np.ndarray, np.generic)):
        return v.item()
    return v


def arange(start, stop=None, step=1, dtype=None):
    if dtype is None:
        target = _result_dtype(*(v for v in (start, stop, step) if v is not None))
    else:
        target = to_torch_dtype(dtype)
    start, step = _number(start), _number(step)
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, _number(stop), step, dtype=target, device=target_device())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative; received {num}.")
    target = _float_default(dtype)
    scalar = start.__class__ in _WEAK and stop.__class__ in _WEAK
    start64, stop64 = _align(_t(start, "float64"), _t(stop, "float64"))
    div = (num - 1) if endpoint else num
    delta = stop64 - start64
    y = torch.arange(num, dtype=torch.float64, device=delta.device).reshape(
        (-1,) + (1,) * delta.ndim)
    step = delta / div if div > 0 else torch.full_like(delta, float("nan"))
    if div > 0:
        y = torch.where(step == 0, y / div * delta, y * step)
    else:
        y = y * delta
    y = y + start64
    if endpoint and num > 1:
        y[-1, ...] = stop64
    if axis != 0:
        y = torch.movedim(y, 0, axis)
    if not target.is_floating_point:
        y = torch.floor(y)
    y = y.to(target)
    if retstep:
        return y, (step.item() if scalar and step.device.type != "meta" else step)
    return y


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    exponents = linspace(start, stop, num, endpoint=endpoint, dtype="float64", axis=axis)
    return torch.pow(_t(base, "float64") if base.__class__ not in _WEAK else base,
                     exponents).to(_float_default(dtype))


def meshgrid(*x, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij'; received {indexing!r}.")
    if not x:
        return []
    vectors = [_t(v).reshape(-1) for v in x]
    shape = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for i, v in enumerate(vectors):
        d = (1 - i if i < 2 else i) if indexing == "xy" and len(vectors) > 1 else i
        view = [1] * len(vectors)
        view[d] = -1
        grids.append(v.reshape(view).expand(shape).clone())
    return grids


# -- shape manipulation ----------------------------------------------------------------------
def reshape(x, newshape):
    return torch.reshape(_t(x), _shape_arg(newshape))


def transpose(x, axes=None):
    x = _t(x)
    if axes is None:
        return x.permute(tuple(range(x.ndim - 1, -1, -1)))
    return x.permute(tuple(axes))


def moveaxis(x, source, destination):
    return torch.movedim(_t(x), _axes(source), _axes(destination))


def swapaxes(x, axis1, axis2):
    return torch.swapaxes(_t(x), axis1, axis2)


def expand_dims(x, axis):
    x = _t(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in sorted(_normalize_axes(axes, x.ndim + len(axes))):
        x = x.unsqueeze(a)
    return x


def squeeze(x, axis=None):
    x = _t(x)
    if axis is None:
        return torch.squeeze(x)
    axes = _normalize_axes(axis, x.ndim)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze: cannot squeeze axis {a} of size {x.shape[a]} "
                             f"(shape {tuple(x.shape)}); only size-1 axes can be removed.")
    return torch.squeeze(x, dim=axes)


def ravel(x):
    return torch.reshape(_t(x), (-1,))


def broadcast_to(x, shape):
    return torch.broadcast_to(_t(x), _shape_arg(shape))


def flip(x, axis=None):
    x = _t(x)
    dims = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else tuple(axis))
    return torch.flip(x, dims)


def roll(x, shift, axis=None):
    x = _t(x)
    shifts = (shift,) if isinstance(shift, int) else tuple(int(s) for s in shift)
    if axis is None:
        return torch.roll(x.reshape(-1), builtins.sum(shifts), 0).reshape(x.shape)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    elif len(axes) == 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift and axis must have the same length; received "
                         f"{shift!r} and {axis!r}.")
    return torch.roll(x, shifts, axes)


def tile(x, repeats):
    reps = (repeats,) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return torch.tile(_t(x), reps)


def repeat(x, repeats, axis=None):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if isinstance(repeats, int):
        return torch.repeat_interleave(x, repeats, dim=axis)
    total = None
    if isinstance(repeats, (list, tuple)) and builtins.all(isinstance(r, int) for r in repeats):
        total = builtins.sum(repeats) if len(repeats) > 1 else None
    repeats = _t(repeats).reshape(-1).to(torch.int64)
    if repeats.shape[0] == 1:
        return torch.repeat_interleave(x, int(repeats[0]), dim=axis)
    if repeats.device != x.device:
        repeats = repeats.to(x.device)
    return torch.repeat_interleave(x, repeats, dim=axis, output_size=total)


def _pad_indices(n, before, after, mode, device):
    i = torch.arange(-before, n + after, device=device)
    if mode == "edge":
        return i.clamp(0, n - 1)
    if mode == "wrap":
        return i.remainder(n)
    if mode == "reflect":
        if n == 1:
            return torch.zeros_like(i)
        r = i.remainder(2 * (n - 1))
        return torch.where(r >= n, 2 * (n - 1) - r, r)
    r = i.remainder(2 * n)  # symmetric
    return torch.where(r >= n, 2 * n - 1 - r, r)


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _t(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(_PAD_MODES)}; "
                         f"received {mode!r}.")
    if mode != "constant" and constant_values is not None:
        raise ValueError(f"pad: constant_values is only used with mode='constant'; "
                         f"received mode={mode!r}.")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2)).tolist()
    if builtins.any(w < 0 for pair in widths for w in pair):
        raise ValueError(f"pad: pad_width must be non-negative; received {pad_width!r}.")
    if mode == "constant":
        values = 0 if constant_values is None else constant_values
        if isinstance(values, (int, float, bool)):
            flat = [w for pair in reversed(widths) for w in pair]
            if x.dtype is torch.bool:
                return torch.nn.functional.pad(x.to(torch.uint8), flat,
                                               value=values).to(torch.bool)
            return torch.nn.functional.pad(x, flat, value=values)
        values = np.broadcast_to(np.asarray(values), (x.ndim, 2)).tolist()
        for d, ((b, a), (vb, va)) in enumerate(zip(widths, values)):
            size_b = list(x.shape)
            size_b[d] = b
            size_a = list(x.shape)
            size_a[d] = a
            x = torch.cat([torch.full(size_b, vb, dtype=x.dtype, device=x.device), x,
                           torch.full(size_a, va, dtype=x.dtype, device=x.device)], dim=d)
        return x
    for d, (b, a) in enumerate(widths):
        if b == 0 and a == 0:
            continue
        if x.shape[d] == 0:
            raise ValueError(f"pad: cannot pad an empty axis ({d}) in mode {mode!r}.")
        x = torch.index_select(x, d, _pad_indices(x.shape[d], b, a, mode, x.device))
    return x


def tril(x, k=0):
    return torch.tril(_t(x), k)


def triu(x, k=0):
    return torch.triu(_t(x), k)


def diag(x, k=0):
    x = _t(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag: input must be 1-D or 2-D; received shape {tuple(x.shape)}.")
    return torch.diag(x, k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(_t(x), offset, axis1, axis2)


def _joined(xs):
    xs = _align(*[_t(x) for x in xs])
    first = xs[0].dtype if xs else None
    if builtins.all(x.dtype is first for x in xs):
        return xs
    return _same_dtype(*xs)


def concatenate(xs, axis=0):
    xs = _joined(xs)
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs], 0)
    return torch.cat(xs, axis)


def stack(x, axis=0):
    if isinstance(x, _Tensor):
        return torch.movedim(x, 0, axis % x.ndim)
    return torch.stack(_joined(x), axis)


def hstack(xs):
    return torch.hstack(_joined(xs))


def vstack(xs):
    return torch.vstack(_joined(xs))


def append(x1, x2, axis=None):
    x1, x2 = _joined([x1, x2])
    if axis is None:
        return torch.cat([x1.reshape(-1), x2.reshape(-1)], 0)
    return torch.cat([x1, x2], axis)


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        n = x.shape[axis]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(f"split: an axis of length {n} cannot be split into "
                             f"{indices_or_sections} equal sections.")
        # torch.split's gradient is one concatenation; tensor_split's a zero-filled
        # full-size tensor per section. Sections of an inner axis are made contiguous:
        # element-wise work on them (LSTM gates: forward and gradient) ran about twice
        # as fast as on the strided views, which is more than the copy costs.
        sections = torch.split(x, n // indices_or_sections, dim=axis)
        if axis % x.ndim == 0:
            return list(sections)
        return [section.contiguous() for section in sections]
    indices = [int(i) for i in indices_or_sections]
    return list(torch.tensor_split(x, indices, dim=axis))


def unstack(x, num=None, axis=0):
    x = _t(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"unstack: num={num} differs from the length {x.shape[axis]} of "
                         f"axis {axis} (shape {tuple(x.shape)}).")
    return list(torch.unbind(x, axis))


# -- sorting, searching, counting --------------------------------------------------------
def argsort(x, axis=-1):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def sort(x, axis=-1):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def top_k(x, k, sorted=True):
    x = _t(x)
    if x.dtype is torch.bool:
        order = torch.argsort(x.to(torch.uint8), dim=-1, descending=True, stable=True)
    else:
        order = torch.argsort(x, dim=-1, descending=True, stable=True)
    order = order[..., :k]
    return torch.gather(x, -1, order), order.to(torch.int32)


def diff(a, n=1, axis=-1):
    a = _t(a)
    if a.dtype is torch.bool:
        for _ in range(n):
            a = torch.ne(torch.narrow(a, axis, 1, builtins.max(a.shape[axis] - 1, 0)),
                         torch.narrow(a, axis, 0, builtins.max(a.shape[axis] - 1, 0)))
        return a
    return torch.diff(a, n=n, dim=axis)


def digitize(x, bins):
    x, bins = _same_dtype(x, bins)
    if bins.ndim != 1:
        raise ValueError(f"digitize: bins must be 1-D; received shape {tuple(bins.shape)}.")
    increasing = torch.bucketize(x, bins, right=True)
    if bins.shape[0] < 2:
        return increasing.to(torch.int32)
    decreasing = bins.shape[0] - torch.searchsorted(torch.flip(bins, (0,)), x, right=True)
    return torch.where(bins[-1] < bins[0], decreasing, increasing).to(torch.int32)


def bincount(x, weights=None, minlength=0):
    x = _t(x)
    if weights is None:
        return torch.bincount(x, minlength=minlength).to(torch.int32)
    x, weights = _align(x, _t(weights))
    target = weights.dtype
    out = torch.bincount(x, weights=weights.to(torch.float64), minlength=minlength)
    return out.to(target)


# -- indexing -----------------------------------------------------------------------
def _index_part(k):
    if isinstance(k, (list, np.ndarray)):
        return _t(k)
    return k


def _negative_steps(x, key):
    """Flip the axes indexed by slices with a negative step (torch has none) and make
    those slices positive."""
    consumed = builtins.sum(k.ndim if isinstance(k, _Tensor) and k.dtype is torch.bool
                            else 1 for k in key if k is not None and k is not Ellipsis)
    d, out = 0, []
    for k in key:
        if k is None:
            out.append(k)
            continue
        if k is Ellipsis:
            d += x.ndim - consumed
            out.append(k)
            continue
        if isinstance(k, builtins.slice) and k.step is not None and k.step < 0:
            n = x.shape[d]
            start, stop, step = k.indices(n)
            length = len(range(start, stop, step))
            x = torch.flip(x, (d,))
            k = builtins.slice(n - 1 - start, n - 1 - start - length * step, -step) \
                if length else builtins.slice(0, 0)
        d += k.ndim if isinstance(k, _Tensor) and k.dtype is torch.bool else 1
        out.append(k)
    return x, tuple(out)


def get_item(x, key):
    x = _t(x)
    if key.__class__ is not tuple:
        key = (key,)
    key = tuple(_index_part(k) for k in key)
    if builtins.any(isinstance(k, builtins.slice) and k.step is not None and k.step < 0
                    for k in key):
        x, key = _negative_steps(x, key)
    return x[key]


def take(x, indices, axis=None):
    x = _t(x)
    if indices.__class__ is not int:
        x, indices = _align(x, _t(indices))
    if axis is None:
        return x.reshape(-1)[indices]
    axis = axis % x.ndim
    if axis == 0 and x.ndim == 2 and isinstance(indices, _Tensor) and \
            indices.dtype in _EMBEDDING_INDICES:
        # rows of a table (an Embedding's lookup): torch's embedding, whose gradient
        # adds rows into one dense table, where indexing's index_put is about 4x slower
        n = x.shape[0]
        return torch.nn.functional.embedding(torch.where(indices < 0, indices + n, indices), x)
    return x[(builtins.slice(None),) * axis + (indices,)]


_EMBEDDING_INDICES = (torch.int32, torch.int64)


def take_along_axis(x, indices, axis=None):
    x, indices = _align(_t(x), _t(indices).to(torch.int64))
    if axis is None:
        x, axis = x.reshape(-1), 0
    n = x.shape[axis]
    indices = torch.where(indices < 0, indices + n, indices)
    return torch.take_along_dim(x, indices, dim=axis)


def nonzero(x):
    x = _t(x)
    if x.ndim == 0:
        raise ValueError("nonzero: a 0-d tensor has no axes to index; use "
                         "nonzero(expand_dims(x, 0)) instead.")
    return tuple(i.to(torch.int32) for i in torch.nonzero(x, as_tuple=True))


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length; "
                         f"received {len(condlist)} and {len(choicelist)}.")
    if not condlist:
        raise ValueError("select: condlist must not be empty.")
    conds = _align(*[_t(c) for c in condlist], *[_t(c) for c in choicelist])
    conds, choices = conds[:len(condlist)], conds[len(condlist):]
    for i, c in enumerate(conds):
        if c.dtype is not torch.bool:
            raise TypeError(f"select: condlist[{i}] must be a bool tensor; received "
                            f"{_NAMES[c.dtype]}.")
    if default.__class__ not in _WEAK:
        default = _align(choices[0], _t(default))[1]
    target = _result_dtype(*choices, default)
    out = default.to(target) if isinstance(default, _Tensor) else torch.full(
        (), default, dtype=target, device=choices[0].device)
    for c, v in zip(reversed(conds), reversed(choices)):
        out = torch.where(c, v.to(target), out)
    return out


# -- slices and scatters -----------------------------------------------------------------
def slice(inputs, start_indices, shape):
    inputs = _t(inputs)
    index = tuple(builtins.slice(int(s), int(s) + int(d)) for s, d in zip(start_indices, shape))
    return inputs[index]


def slice_update(inputs, start_indices, updates):
    inputs, updates = _t(inputs), _t(updates)
    index = tuple(builtins.slice(int(s), int(s) + d)
                  for s, d in zip(start_indices, updates.shape))
    out = inputs.clone()
    out[index] = updates.to(inputs.dtype)
    return out


def _index_columns(indices, device):
    indices = _t(indices).to(device=device, dtype=torch.int64)
    return tuple(indices[..., i] for i in range(indices.shape[-1]))


def scatter(indices, values, shape):
    values = _t(values)
    out = torch.zeros(_shape_arg(shape), dtype=values.dtype, device=values.device)
    return out.index_put(_index_columns(indices, out.device), values, accumulate=True)


def scatter_update(inputs, indices, updates):
    inputs = _t(inputs)
    return inputs.index_put(_index_columns(indices, inputs.device),
                            _t(updates).to(device=inputs.device, dtype=inputs.dtype))


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids = _align(_t(data), _t(segment_ids).to(torch.int64))
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1 if segment_ids.numel() else 0
    valid = (segment_ids >= 0) & (segment_ids < num_segments)
    ids = torch.where(valid, segment_ids, num_segments)  # invalid ids go to a dropped row
    out = torch.zeros((num_segments + 1,) + tuple(data.shape[1:]), dtype=data.dtype,
                      device=data.device)
    return out.index_add(0, ids, data)[:num_segments]


# -- control flow ---------------------------------------------------------------------
def stop_gradient(variable):
    return _t(variable).detach()


def cond(pred, true_fn, false_fn):
    return true_fn() if bool(pred) else false_fn()


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)
    count = 0
    while (maximum_iterations is None or count < maximum_iterations) and bool(cond(*state)):
        state = body(*state)
        state = tuple(state) if isinstance(state, (list, tuple)) else (state,)
        count += 1
    return state if is_sequence else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def _stack_trees(items):
    leaves = [_tree.flatten(item)[0] for item in items]
    stacked = [torch.stack([_t(leaf[j]) for leaf in leaves]) for j in range(len(leaves[0]))]
    return _tree.flatten(items[0])[1](stacked)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    if xs is None and length is None:
        raise ValueError("scan: give xs or length.")
    if xs is not None:
        xs = _tree.map_structure(_t, xs)
        n = len(_tree.flatten(xs)[0][0])
        if length is not None and length != n:
            raise ValueError(f"scan: length={length} differs from the length {n} of xs.")
    else:
        n = int(length)
    order = range(n - 1, -1, -1) if reverse else range(n)
    if xs is not None:
        # each leaf unbound once: its gradient is one stack, where indexing it per step
        # gave each step a zero-filled gradient of the whole sequence
        leaves, rebuild = _tree.flatten(xs)
        columns = [torch.unbind(leaf) for leaf in leaves]
    carry, ys = init, []
    for i in order:
        x = None if xs is None else rebuild([column[i] for column in columns])
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    return carry, _stack_trees(ys)


def vectorized_map(function, elements):
    try:
        return torch.vmap(function)(elements)
    except Exception:  # not vectorizable (Python control flow on values, .item(), ...)
        pass
    leaves, rebuild = _tree.flatten(elements)
    leaves = [_t(leaf) for leaf in leaves]
    n = leaves[0].shape[0]
    return _stack_trees([function(rebuild([leaf[i] for leaf in leaves])) for i in range(n)])
