"""Activation functions (``keras.activations``), written with K functions.

Each function takes a tensor (concrete, symbolic or a Variable) and returns a
tensor of the same shape; names, arguments and defaults follow Keras 3
(``gelu`` is exact by default here, unlike ``K.gelu``); ``celu``, ``glu``,
``sparsemax`` and the other activations Keras 3 added are the K functions themselves,
whose signatures are Keras's. ``get`` turns a name into
the function, ``serialize`` a function into its name and ``deserialize`` back.

>>> from lamina import backend as K
>>> from lamina import activations
>>> x = K.convert_to_tensor([-1.0, 0.0, 2.0])
>>> K.convert_to_numpy(activations.get("relu")(x)).tolist()
[0.0, 0.0, 2.0]
>>> activations.serialize(activations.swish)
'silu'
"""

from lamina import backend as K
from lamina._catalogue import find_custom, unknown_name_error
from lamina.backend.variables import AutocastScope, current_scope
from lamina.backend.ops.activations_extra import (celu, glu, hard_shrink, hard_tanh,
                                                  soft_shrink, sparse_plus, sparse_sigmoid,
                                                  sparsemax, squareplus, tanh_shrink,
                                                  threshold)

_LOW_FLOATS = ("float16", "bfloat16")


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's options.

    ``max(x, 0)`` by default. Values above ``threshold`` pass (others become 0, or
    ``negative_slope * (x - threshold)`` when ``negative_slope`` is set), and
    ``max_value`` caps the result.

    >>> from lamina import backend as K
    >>> x = K.convert_to_tensor([-10.0, -5.0, 0.0, 5.0, 10.0])
    >>> K.convert_to_numpy(relu(x)).tolist()
    [0.0, 0.0, 0.0, 5.0, 10.0]
    >>> K.convert_to_numpy(relu(x, negative_slope=0.5, max_value=6.0, threshold=1.0)).tolist()
    [-5.5, -3.0, -0.5, 5.0, 6.0]
    """
    x = K.convert_to_tensor(x) if not hasattr(x, "dtype") else x
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return K.leaky_relu(x, negative_slope=negative_slope)
        negative_part = K.relu(K.add(K.negative(x), threshold)) if threshold != 0 \
            else K.relu(K.negative(x))
    clip_max = max_value is not None
    if threshold != 0:
        x = K.multiply(x, K.cast(K.greater(x, threshold), K.dtype(x)))
    elif max_value == 6:
        x = K.relu6(x)
        clip_max = False
    else:
        x = K.relu(x)
    if clip_max:
        x = K.clip(x, 0, max_value)
    if negative_slope != 0.0:
        x = K.subtract(x, K.multiply(negative_part, negative_slope))
    return x


def relu6(x):
    """``min(max(x, 0), 6)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(relu6(K.convert_to_tensor([-1.0, 3.0, 9.0]))).tolist()
    [0.0, 3.0, 6.0]
    """
    return K.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    """``x`` where ``x >= 0``, else ``negative_slope * x``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(leaky_relu(K.convert_to_tensor([-1.0, 2.0]))).tolist()]
    [-0.2, 2.0]
    """
    return K.leaky_relu(x, negative_slope=negative_slope)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(elu(K.convert_to_tensor([-1.0, 2.0]))).tolist()]
    [-0.6321, 2.0]
    """
    return K.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU: ``1.05070098 * elu(x, alpha=1.67326324)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(selu(K.convert_to_tensor([-1.0, 1.0]))).tolist()]
    [-1.1113, 1.0507]
    """
    return K.selu(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * Phi(x)``; ``approximate=True`` uses the tanh form.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(gelu(K.convert_to_tensor([1.0]))).tolist()]
    [0.8413]
    """
    return K.gelu(x, approximate=approximate)


def silu(x):
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(silu(K.convert_to_tensor([0.0, 1.0]))).tolist()]
    [0.0, 0.7311]
    """
    return K.silu(x)


swish = silu


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(sigmoid(K.convert_to_tensor([0.0]))).tolist()
    [0.5]
    """
    return K.sigmoid(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``relu6(x + 3) / 6`` (Keras 3's definition).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(hard_sigmoid(K.convert_to_tensor([-4.0, 0.0, 4.0]))).tolist()
    [0.0, 0.5, 1.0]
    """
    return K.hard_sigmoid(x)


def hard_silu(x):
    """Hard swish: ``x * hard_sigmoid(x)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(hard_silu(K.convert_to_tensor([-1.0, 1.0, 4.0]))).tolist()]
    [-0.3333, 0.6667, 4.0]
    """
    return K.hard_silu(x)


hard_swish = hard_silu


def softplus(x):
    """``log(1 + exp(x))``, computed stably.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(softplus(K.convert_to_tensor([0.0]))).tolist()]
    [0.6931]
    """
    return K.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(softsign(K.convert_to_tensor([-1.0, 3.0]))).tolist()
    [-0.5, 0.75]
    """
    return K.softsign(x)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints). Inside the
    call of a layer with a mixed precision policy the result is float32 (see
    :func:`_float32_under_mixed_precision`).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(softmax(K.convert_to_tensor([[0.0, 0.0]]))).tolist()
    [[0.5, 0.5]]
    """
    return K.softmax(_float32_under_mixed_precision(x), axis=axis)


def _float32_under_mixed_precision(x):
    """``x`` cast to float32 when it is float16 or bfloat16 and a layer with a mixed
    precision policy is running its ``call``; else ``x`` itself. Softmax outputs are
    computed this way, so that probabilities (and the losses on them) keep float32's
    range and precision.

    >>> from lamina import backend as K, layers
    >>> dense = layers.Dense(2, dtype="mixed_bfloat16")
    >>> softmax = layers.Softmax(dtype="mixed_bfloat16")
    >>> K.dtype(dense(K.ones((1, 3)))), K.dtype(softmax(K.ones((1, 3))))
    ('bfloat16', 'float32')
    """
    if type(current_scope()) is AutocastScope and K.dtype(x) in _LOW_FLOATS:
        return K.cast(x, "float32")
    return x


def log_softmax(x, axis=-1):
    """``log(softmax(x, axis))``, computed stably.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(log_softmax(K.convert_to_tensor([0.0, 0.0]))).tolist()]
    [-0.6931, -0.6931]
    """
    return K.log_softmax(x, axis=axis)


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(log_sigmoid(K.convert_to_tensor([0.0]))).tolist()]
    [-0.6931]
    """
    return K.log_sigmoid(x)


def tanh(x):
    """Hyperbolic tangent.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(tanh(K.convert_to_tensor([0.0]))).tolist()
    [0.0]
    """
    return K.tanh(x)


def exponential(x):
    """``exp(x)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(exponential(K.convert_to_tensor([0.0]))).tolist()
    [1.0]
    """
    return K.exp(x)


def linear(x):
    """The identity: returns ``x`` unchanged (the activation ``None`` stands for).

    >>> linear(3.0)
    3.0
    """
    return x


def mish(x):
    """Mish: ``x * tanh(softplus(x))``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(mish(K.convert_to_tensor([1.0]))).tolist()]
    [0.8651]
    """
    return K.multiply(x, K.tanh(K.softplus(x)))


_FUNCTIONS = (relu, relu6, leaky_relu, elu, selu, gelu, silu, sigmoid, hard_sigmoid, hard_silu,
              softplus, softsign, softmax, log_softmax, log_sigmoid, tanh, exponential, linear,
              mish, celu, glu, hard_shrink, hard_tanh, soft_shrink, sparse_plus, sparse_sigmoid,
              sparsemax, squareplus, tanh_shrink, threshold)
_BY_NAME = {fn.__name__: fn for fn in _FUNCTIONS}
_BY_NAME.update(swish=silu, hard_swish=hard_silu)
_KNOWN = ", ".join(sorted(_BY_NAME))


def _lookup(name, custom_objects=None):
    fn = find_custom(name, custom_objects)
    if fn is not None:
        return fn
    fn = _BY_NAME.get(name, _BY_NAME.get(name.lower()))
    if fn is None:
        raise unknown_name_error("lamina.activations", "activation", name, list(_BY_NAME))
    return fn


def serialize(activation):
    """The name of ``activation``: a built-in's canonical name, a registered function's
    registered name (``"Package>name"``, which ``deserialize`` finds in the registry),
    or a named function's ``__name__`` (which ``deserialize`` finds through
    ``custom_objects`` or a custom object scope).

    >>> serialize(relu), serialize(swish)
    ('relu', 'silu')
    """
    for name, fn in _BY_NAME.items():
        if fn is activation:
            return name
    name = getattr(activation, "__name__", None)
    if callable(activation) and name and name != "<lambda>":
        from lamina.saving.object_registry import get_registered_name
        return get_registered_name(activation)
    raise ValueError(f"lamina.activations.serialize: cannot serialize {activation!r}; expected "
                     f"a built-in activation ({_KNOWN}) or a named function.")


def deserialize(config, custom_objects=None):
    """The activation function named by ``config`` (a name, or a dict whose ``"config"``
    or ``"class_name"`` holds it); ``custom_objects`` maps extra names to functions.

    >>> deserialize("tanh") is tanh
    True
    >>> deserialize({"class_name": "function", "config": "relu"}) is relu
    True
    """
    if isinstance(config, dict):
        name = config.get("config")
        if not isinstance(name, str):
            name = config.get("class_name")
        config = name
    if not isinstance(config, str):
        raise ValueError(f"lamina.activations.deserialize: expected an activation name or a "
                         f"serialized dict. Received {config!r}. Known names: {_KNOWN}.")
    return _lookup(config, custom_objects)


def get(identifier):
    """An activation function from ``identifier``.

    None gives :func:`linear`; a name (``"relu"``) or a serialized dict gives the
    built-in; any callable is returned as is.

    >>> get("relu") is relu, get(None) is linear
    (True, True)
    >>> fn = lambda x: x * 2
    >>> get(fn) is fn
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"lamina.activations.get: could not interpret activation identifier "
                     f"{identifier!r}. Expected None, a name, a dict or a callable. Known "
                     f"names: {_KNOWN}.")
