"""Engine-neutral gradients: ``K.grad`` and ``K.value_and_grad``.

Keras 3 has no engine-neutral gradient; lamina has one. Arguments to differentiate
may be arrays, Variables, or lists and dicts of them; a Variable read inside ``fn``
(for example a layer's weight) is differentiated through when it is passed in.
On JAX this is ``jax.value_and_grad`` with the Variables bound to traced values;
on torch it is autograd; NumPy has no autodiff and raises an error.

>>> from lamina import backend as K
>>> if K.backend() != "numpy":
...     g = K.grad(lambda x: K.sum(x * x))(K.convert_to_tensor([1.0, 2.0]))
...     print(K.convert_to_numpy(g).tolist())
... else:
...     print([2.0, 4.0])
[2.0, 4.0]
"""

from lamina.backend.dispatch import op as _op


@_op(wrap_errors=False)
def value_and_grad(fn, argnums=0, has_aux=False):
    """A function returning ``(fn(*args), gradients)`` (``((value, aux), gradients)`` with
    ``has_aux``); ``fn`` must return a scalar. ``argnums`` is an int or a tuple of ints;
    the gradients mirror the structure of the differentiated arguments.

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     value, g = K.value_and_grad(lambda w: K.sum(w ** 2))(K.Variable([3.0]))
    ...     print(float(value), K.convert_to_numpy(g).tolist())
    ... else:
    ...     print(9.0, [6.0])
    9.0 [6.0]
    """


@_op(wrap_errors=False)
def grad(fn, argnums=0, has_aux=False):
    """A function returning the gradients of the scalar ``fn(*args)`` with respect to the
    arguments at ``argnums`` (with ``has_aux``: ``(gradients, aux)``).

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     print(K.convert_to_numpy(K.grad(lambda x: K.sum(K.exp(x)))(K.zeros(2))).tolist())
    ... else:
    ...     print([1.0, 1.0])
    [1.0, 1.0]
    """


@_op(wrap_errors=False)
def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode Jacobian-vector product: ``(fun(*primals), J @ tangents)`` (with
    ``has_aux``, ``fun`` returns ``(output, aux)`` and the result is
    ``(output, tangent_out, aux)``). ``primals`` and ``tangents`` are tuples or lists
    of one structure.

    >>> from lamina import backend as K
    >>> if K.backend() != "numpy":
    ...     out, tangent = K.jvp(lambda x: x * x, (K.convert_to_tensor(3.0),),
    ...                          (K.convert_to_tensor(1.0),))
    ...     print(float(out), float(tangent))
    ... else:
    ...     print(9.0, 6.0)
    9.0 6.0
    """
