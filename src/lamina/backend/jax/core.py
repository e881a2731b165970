"""The JAX engine's storage, shape inference, control flow, scatter and gradients."""

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend import dtypes as _dtypes
from lamina.backend import tree as _tree
from lamina.backend.jax import placement as _placement

probe_fills = ((83, 157),)
abstract_probes = True  # jax.eval_shape allocates nothing, whatever the probe sizes
tensor_types = (jax.Array,)


def is_array(x):
    return isinstance(x, (jax.Array, jax.ShapeDtypeStruct, np.ndarray, np.generic))


def probe_array(shape, dtype):
    return jax.ShapeDtypeStruct(tuple(shape), jnp.dtype(_dtypes.standardize_dtype(dtype)))


def probe_variable(value):
    return value


def abstract_eval(fn, args, kwargs):
    leaves, rebuild = _tree.flatten((args, kwargs))
    positions = [i for i, v in enumerate(leaves) if isinstance(v, jax.ShapeDtypeStruct)]

    def run(*arrays):
        filled = list(leaves)
        for i, a in zip(positions, arrays):
            filled[i] = a
        a, k = rebuild(filled)
        return fn(*a, **k)

    return jax.eval_shape(run, *[leaves[i] for i in positions])


def concrete_scope():
    """A block whose array operations compute values, even inside a trace (weights
    built while a shape is inferred or a step is traced)."""
    return jax.ensure_compile_time_eval()


def make_variable(value, dtype, trainable):
    array = jnp.asarray(value, dtype=jnp.dtype(dtype))
    device = _placement.scoped_device()
    return array if device is None else jax.device_put(array, device)


def assign_variable(storage, value):
    return value


def set_trainable(storage, trainable):
    return None


def stop_gradient(variable):
    return jax.lax.stop_gradient(variable)


def _staging():
    """True while JAX stages operations into a compiled program (inside ``jax.jit``, a
    compiled train step, or the body of a ``lax`` loop); False when they run eagerly,
    also under an eager ``jax.grad`` or ``jax.vmap``.

    Outside staging, the control flow below runs as Python loops: an eager ``lax.scan``
    or ``lax.cond`` compiles its body on every call (the body is a new closure each
    time, so JAX's cache never hits), which made an eager ConvLSTM2D call take 0.6 s
    and its gradient 2 s; op by op, each operation's compiled kernel is reused.
    """
    return isinstance(jnp.zeros(()), jax.core.Tracer)


def cond(pred, true_fn, false_fn):
    if not _staging():
        return true_fn() if bool(pred) else false_fn()
    return jax.lax.cond(pred, true_fn, false_fn)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)

    def as_tuple(s):
        return tuple(s) if isinstance(s, (list, tuple)) else (s,)

    if not _staging():
        count = 0
        while (maximum_iterations is None or count < maximum_iterations) and bool(cond(*state)):
            state, count = as_tuple(body(*state)), count + 1
        out = state
    elif maximum_iterations is None:
        out = jax.lax.while_loop(lambda s: cond(*s), lambda s: as_tuple(body(*s)), state)
    else:
        out = jax.lax.while_loop(
            lambda s: jnp.logical_and(s[0] < maximum_iterations, cond(*s[1])),
            lambda s: (s[0] + 1, as_tuple(body(*s[1]))), (0, state))[1]
    return out if is_sequence else out[0]


def fori_loop(lower, upper, body_fun, init_val):
    if not _staging() and not isinstance(lower, jax.core.Tracer) \
            and not isinstance(upper, jax.core.Tracer):
        value = init_val
        for i in range(int(lower), int(upper)):
            value = body_fun(i, value)
        return value
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    steps = length if xs is None else jax.tree_util.tree_leaves(xs)[0].shape[0]
    if steps and not _staging():
        return _python_scan(f, init, xs, steps, reverse)
    return jax.lax.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)


def _python_scan(f, init, xs, steps, reverse):
    """``lax.scan``'s results, computed by a Python loop (see :func:`_staging`)."""
    carry, ys = init, []
    for i in (range(steps - 1, -1, -1) if reverse else range(steps)):
        x = None if xs is None else jax.tree_util.tree_map(lambda a: a[i], xs)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, jax.tree_util.tree_map(lambda *leaves: jnp.stack(leaves), *ys)


def vectorized_map(function, elements):
    return jax.vmap(function)(elements)


def slice(inputs, start_indices, shape):
    return jax.lax.dynamic_slice(inputs, tuple(start_indices), tuple(shape))


def slice_update(inputs, start_indices, updates):
    return jax.lax.dynamic_update_slice(inputs, jnp.asarray(updates, inputs.dtype),
                                        tuple(start_indices))


def scatter(indices, values, shape):
    values = jnp.asarray(values)
    indices = jnp.asarray(indices)
    out = jnp.zeros(tuple(shape), values.dtype)
    return out.at[tuple(indices[..., i] for i in range(indices.shape[-1]))].add(values)


def scatter_update(inputs, indices, updates):
    indices = jnp.asarray(indices)
    return jnp.asarray(inputs).at[tuple(indices[..., i] for i in range(indices.shape[-1]))].set(
        updates)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_sum(data, jnp.asarray(segment_ids), num_segments,
                               indices_are_sorted=sorted)


def value_and_grad(fn, argnums=0, has_aux=False):
    """``jax.value_and_grad`` over lamina arguments: Variables among the differentiated
    arguments are bound to the traced values while ``fn`` runs, and the gradients come
    back in the arguments' own structure (lamina's tree order, not JAX's sorted keys).

    Assignments ``fn`` makes to other Variables (batch statistics, seed state) leave
    the differentiated function as auxiliary values, so no tracer escapes: they are
    written to the enclosing VariableScope, or to the Variables when there is none."""
    from lamina.backend.variables import Variable, VariableScope, current_scope
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def wrapped(*args):
        flats = [_tree.flatten(args[i]) for i in nums]
        primals = [[v.value if isinstance(v, Variable) else v for v in leaves]
                   for leaves, _ in flats]
        outer = current_scope()
        updated = []

        def inner(*values):
            full = list(args)
            bindings = {}
            for i, (leaves, rebuild), vals in zip(nums, flats, values):
                for orig, val in zip(leaves, vals):
                    if isinstance(orig, Variable):
                        bindings[orig] = val
                full[i] = rebuild([orig if isinstance(orig, Variable) else val
                                   for orig, val in zip(leaves, vals)])
            merged = dict(outer.values) if outer is not None else {}
            merged.update(bindings)
            with VariableScope(merged, read=outer.read if outer is not None else None) as scope:
                out = fn(*full)
            updated[:] = [v for v in scope.assigned if v not in bindings]
            new_values = [scope.values[v] for v in updated]
            if has_aux:
                return out[0], (out[1], new_values)
            return out, new_values

        result, grads = jax.value_and_grad(inner, argnums=tuple(range(len(nums))),
                                           has_aux=True)(*primals)
        value, extra = result
        aux, new_values = extra if has_aux else (None, extra)
        for v, new in zip(updated, new_values):
            if outer is not None:
                outer.write(v, new)
            else:
                v.assign(new)
        grads = [rebuild(list(g)) for (_, rebuild), g in zip(flats, grads)]
        grads = grads[0] if isinstance(argnums, int) else tuple(grads)
        return ((value, aux) if has_aux else value), grads
    return wrapped


def grad(fn, argnums=0, has_aux=False):
    vg = value_and_grad(fn, argnums, has_aux)

    def wrapped(*args):
        value, grads = vg(*args)
        return (grads, value[1]) if has_aux else grads
    return wrapped


def custom_gradient(f):
    """``f(*args)`` returns ``(value, grad_fn)``: ``jax.custom_gradient``, with the result
    of ``grad_fn`` made a tuple (one entry per argument)."""
    def with_tuple_grads(*args):
        value, grad_fn = f(*args)

        def grads(upstream):
            out = grad_fn(upstream)
            return tuple(out) if isinstance(out, (tuple, list)) else (out,)
        return value, grads
    return jax.custom_gradient(with_tuple_grads)


def jvp(fun, primals, tangents, has_aux=False):
    return jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
