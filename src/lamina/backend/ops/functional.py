"""Keras 3's functional helpers: ``map`` and ``associative_scan`` (written from
``K.scan``, so one definition runs on every engine) and ``custom_gradient`` (each
engine's own mechanism: ``jax.custom_vjp``, a ``torch.autograd.Function``; NumPy has no
gradients and just computes the value).

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.map(lambda row: K.sum(row), K.ones((3, 2)))).tolist()
[2.0, 2.0, 2.0]
"""

from lamina.backend import symbolic as _symbolic
from lamina.backend import tree as _tree
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core


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
    if not leaves or _core.shape(leaves[0])[0] == 0:
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
