"""Keras 3's functional helpers: ``map``, ``associative_scan`` and ``vectorize``
(written from ``K.scan`` and ``K.vectorized_map``, so one definition runs on every
engine) and ``custom_gradient`` (each
engine's own mechanism: ``jax.custom_vjp``, a ``torch.autograd.Function``; NumPy has no
gradients and just computes the value).

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.map(lambda row: K.sum(row), K.ones((3, 2)))).tolist()
[2.0, 2.0, 2.0]
"""

import re as _re

import numpy as _np

from lamina.backend import symbolic as _symbolic
from lamina.backend import tree as _tree
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core


def _static_shape(x):
    """The shape of ``x`` as a tuple, None for an unknown (symbolic) length."""
    return tuple(x.shape)


def map(f, xs):
    """``f`` applied to each slice of ``xs`` (a tensor or a structure of tensors) along
    axis 0, one after the other; the results stacked.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.map(lambda x: x * 2.0, K.arange(3, dtype="float32"))).tolist()
    [0.0, 2.0, 4.0]
    """
    return _core.scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of the associative ``f`` along ``axis`` of ``elems`` (a tensor or a
    structure of tensors): ``out[i] = f(out[i - 1], elems[i])`` (from the end when
    ``reverse``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.associative_scan(K.add, K.convert_to_tensor([1, 2, 3, 4]))).tolist()
    [1, 3, 6, 10]
    """
    moved = _tree.map_structure(lambda x: _arrays.moveaxis(x, axis, 0), elems)
    leaves = _tree.flatten(moved)[0]
    if not leaves or _static_shape(leaves[0])[0] == 0:
        return elems
    edge = -1 if reverse else 0
    first = _tree.map_structure(lambda x: x[edge], moved)
    rest = _tree.map_structure(lambda x: x[:-1] if reverse else x[1:], moved)

    def step(carry, x):
        combined = f(x, carry) if reverse else f(carry, x)
        return combined, combined

    _, scanned = _core.scan(step, first, rest, reverse=reverse)

    def join(head, tail):
        head = _arrays.expand_dims(head, 0)
        joined = _arrays.concatenate([tail, head] if reverse else [head, tail], axis=0)
        return _arrays.moveaxis(joined, 0, axis)

    first_leaves, rebuild = _tree.flatten(first)
    scanned_leaves = _tree.flatten(scanned)[0]
    return rebuild([join(h, t) for h, t in zip(first_leaves, scanned_leaves)])


def custom_gradient(f):
    """Decorator: ``f(*tensors)`` returns ``(value, grad_fn)``; gradients through the
    decorated function are ``grad_fn(upstream)`` (one gradient per input, a tuple when
    there are several) instead of the derivative of ``value``'s computation.

    >>> from lamina import backend as K
    >>> @K.custom_gradient
    ... def clipped_identity(x):
    ...     return x, lambda upstream: K.clip(upstream, -1.0, 1.0)
    >>> K.convert_to_numpy(clipped_identity(K.convert_to_tensor([5.0]))).tolist()
    [5.0]
    """
    from lamina.backend import engine
    run = engine.custom_gradient(f)

    def wrapper(*args):
        if _tree.any_leaf(lambda v: isinstance(v, _symbolic.SymbolicTensor), args):
            return _symbolic.record(wrapper, args, {}, name=getattr(f, "__name__", "custom"))
        return run(*args)

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


def _core_dims(signature, count):
    """The number of core axes of each of ``count`` inputs and of the output, from a
    NumPy-style ``signature`` like ``"(m,n),(n)->(m)"`` (None: all zero)."""
    if signature is None:
        return [0] * count, 0
    match = _re.fullmatch(r"\s*((?:\([^()]*\)\s*,?\s*)*)->\s*(\([^()]*\))\s*", signature)
    if match is None:
        raise ValueError(f"vectorize: signature must look like '(m,n),(n)->(m)'; "
                         f"received {signature!r}.")
    inputs = _re.findall(r"\(([^()]*)\)", match.group(1))
    if len(inputs) != count:
        raise ValueError(f"vectorize: the signature {signature!r} names {len(inputs)} inputs; "
                         f"the function received {count}.")
    names = [[d for d in part.replace(" ", "").split(",") if d] for part in inputs]
    output = [d for d in match.group(2)[1:-1].replace(" ", "").split(",") if d]
    return [len(n) for n in names], len(output)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` made to loop over the leading (batch) axes of its tensor arguments,
    which are broadcast together. Without ``signature`` it sees one element (a 0-d
    tensor) at a time; with a NumPy-style ``signature`` such as ``"(n),(n)->()"`` it sees
    the named core axes. Arguments whose positions or names are in ``excluded`` are
    passed as they are.

    >>> from lamina import backend as K
    >>> dot = K.vectorize(lambda a, b: K.sum(a * b), signature="(n),(n)->()")
    >>> K.convert_to_numpy(dot(K.ones((3, 2)), K.ones(2))).tolist()
    [2.0, 2.0, 2.0]
    """
    excluded = set(excluded or ())

    def wrapper(*args, **kwargs):
        positions = [i for i in range(len(args)) if i not in excluded]
        keywords = [k for k in kwargs if k not in excluded]
        tensors = [_core.convert_to_tensor(args[i]) if not hasattr(args[i], "shape")
                   else args[i] for i in positions] + \
            [_core.convert_to_tensor(kwargs[k]) if not hasattr(kwargs[k], "shape")
             else kwargs[k] for k in keywords]
        core, out_core = _core_dims(signature, len(tensors))
        shapes = [tuple(_static_shape(t)) for t in tensors]
        batch = _np.broadcast_shapes(*[s[:len(s) - c] for s, c in zip(shapes, core)])
        flat = [_arrays.reshape(_arrays.broadcast_to(t, batch + s[len(s) - c:]),
                                (-1,) + s[len(s) - c:]) for t, s, c in zip(tensors, shapes, core)]

        def call(slices):
            a, k = list(args), dict(kwargs)
            for i, v in zip(positions, slices[:len(positions)]):
                a[i] = v
            for name, v in zip(keywords, slices[len(positions):]):
                k[name] = v
            return pyfunc(*a, **k)

        out = _core.vectorized_map(call, tuple(flat))
        return _tree.map_structure(
            lambda o: _arrays.reshape(o, batch + tuple(_static_shape(o))[1:]), out)

    wrapper.__name__ = getattr(pyfunc, "__name__", "vectorized")
    wrapper.__doc__ = pyfunc.__doc__
    return wrapper
