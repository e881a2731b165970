"""The NumPy engine's storage, shape inference, control flow and scatter."""

import builtins
import contextlib

import numpy as np

from lamina.backend import dtypes as _dtypes

# Sizes for unknown dimensions in shape inference: small arrays first, larger ones
# when the function cannot run on the small ones (a kernel longer than the input).
probe_fills = ((4, 9), (83, 157))
tensor_types = (np.ndarray, np.generic)


def is_array(x):
    return isinstance(x, (np.ndarray, np.generic))


def probe_array(shape, dtype):
    return np.zeros(shape, dtype=_dtypes.standardize_dtype(dtype))


def probe_variable(value):
    return value


probing = [False]  # True while abstract_eval runs (linalg then accepts singular zero probes)


def abstract_eval(fn, args, kwargs):
    """``fn`` on the zero probes; NumPy's warnings about them (log of zero) are silenced."""
    outer = probing[0]
    probing[0] = True
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    finally:
        probing[0] = outer


def concrete_scope():
    """A block whose operations compute values: NumPy always does."""
    return contextlib.nullcontext()


def make_variable(value, dtype, trainable):
    return np.array(value, dtype=dtype)


def assign_variable(storage, value):
    storage[...] = value
    return storage


def set_trainable(storage, trainable):
    return None


def stop_gradient(variable):
    return variable


def cond(pred, true_fn, false_fn):
    return true_fn() if bool(pred) else false_fn()


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)
    count = 0
    while bool(cond(*state)) and (maximum_iterations is None or count < maximum_iterations):
        state = body(*state)
        state = tuple(state) if isinstance(state, (list, tuple)) else (state,)
        count += 1
    return state if is_sequence else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    from lamina.backend import tree
    n = length if xs is None else len(tree.flatten(xs)[0][0])
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, []
    for i in order:
        x = None if xs is None else tree.map_structure(lambda a: a[i], xs)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    leaves = [tree.flatten(y)[0] for y in ys]
    stacked = [np.stack([leaf[j] for leaf in leaves]) for j in range(len(leaves[0]))]
    return carry, tree.flatten(ys[0])[1](stacked)


def vectorized_map(function, elements):
    from lamina.backend import tree
    leaves = tree.flatten(elements)[0]
    results = [function(tree.map_structure(lambda a: a[i], elements))
               for i in range(len(leaves[0]))]
    flat = [tree.flatten(r) for r in results]
    stacked = [np.stack([f[0][j] for f in flat]) for j in range(len(flat[0][0]))]
    return flat[0][1](stacked)


def slice(inputs, start_indices, shape):
    index = tuple(builtins.slice(int(s), int(s) + int(d)) for s, d in zip(start_indices, shape))
    return np.asarray(inputs)[index]


def slice_update(inputs, start_indices, updates):
    out = np.array(inputs, copy=True)
    updates = np.asarray(updates)
    index = tuple(builtins.slice(int(s), int(s) + d) for s, d in zip(start_indices, updates.shape))
    out[index] = updates
    return out


def scatter(indices, values, shape):
    values = np.asarray(values)
    out = np.zeros(tuple(shape), dtype=values.dtype)
    indices = np.asarray(indices)
    np.add.at(out, tuple(indices[..., i] for i in range(indices.shape[-1])), values)
    return out


def scatter_update(inputs, indices, updates):
    out = np.array(inputs, copy=True)
    indices = np.asarray(indices)
    out[tuple(indices[..., i] for i in range(indices.shape[-1]))] = updates
    return out


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data, segment_ids = np.asarray(data), np.asarray(segment_ids)
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1 if segment_ids.size else 0
    out = np.zeros((num_segments,) + data.shape[1:], dtype=data.dtype)
    valid = (segment_ids >= 0) & (segment_ids < num_segments)
    np.add.at(out, segment_ids[valid], data[valid])
    return out



def custom_gradient(f):
    """NumPy computes no gradients: the value of ``f``, its ``grad_fn`` unused."""
    return lambda *args: f(*args)[0]


def jvp(fun, primals, tangents, has_aux=False):
    raise NotImplementedError(
        "jvp: the numpy engine has no automatic differentiation. Gradients and "
        "training need the jax or torch engine: set LAMINA_BACKEND=jax or LAMINA_BACKEND=torch.")
