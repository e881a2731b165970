"""Model inputs with Keras 3's signatures: ``Input(...)``, a symbolic tensor, and
``InputLayer``, the layer that stands for it in ``model.layers`` (and that a
Sequential model may start with).

Keras 2's ``InputLayer(input_shape=...)`` and ``batch_input_shape=`` still work.
Sparse, ragged and optional inputs are not supported; asking for one raises.

>>> from lamina import layers, Sequential
>>> layers.Input(shape=(28, 28), batch_size=16).shape
(16, 28, 28)
>>> model = Sequential([layers.InputLayer(shape=(4,)), layers.Dense(2)])
>>> model.output.shape
(None, 2)
"""

from lamina.backend import symbolic
from lamina.backend.dtypes import standardize_dtype
from lamina.backend.symbolic import SymbolicTensor
from lamina.layers.layer import Layer


def _check_supported(what, sparse, optional, ragged=False):
    for argument, value in (("sparse", sparse), ("optional", optional), ("ragged", ragged)):
        if value:
            raise ValueError(f"{what}: {argument} inputs are not supported by lamina; inputs "
                             f"are dense arrays that are always given. Received {argument}=True.")


def _wrap_tensor(what, tensor, batch_shape, dtype):
    """``tensor`` checked against the shape and dtype asked for, if any."""
    if not isinstance(tensor, SymbolicTensor) or tensor.node is not None:
        raise ValueError(f"{what}: `tensor` must be a tensor made by Input(); received "
                         f"{tensor!r}.")
    if batch_shape is not None and tuple(batch_shape) != tuple(tensor.shape):
        raise ValueError(f"{what}: `tensor` has the shape {tuple(tensor.shape)} but the shape "
                         f"asked for is {tuple(batch_shape)}.")
    if dtype is not None and standardize_dtype(dtype) != tensor.dtype:
        raise ValueError(f"{what}: `tensor` has the dtype {tensor.dtype!r} but "
                         f"dtype={dtype!r} was asked for.")
    return tensor


def _batch_shape(shape, batch_size, batch_shape):
    if batch_shape is not None or shape is None:
        return None if batch_shape is None else tuple(batch_shape)
    return (batch_size,) + ((shape,) if isinstance(shape, int) else tuple(shape))


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic model input: ``shape`` excludes the batch axis, ``batch_shape`` includes
    it; unknown sizes are None. ``tensor`` returns that existing Input tensor instead of
    a new one (after checking it against ``shape`` and ``dtype`` when given).

    >>> from lamina import layers
    >>> x = layers.Input(shape=(None, 3), dtype="float64", name="sequence")
    >>> x.shape, x.dtype, x.name
    ((None, None, 3), 'float64', 'sequence')
    >>> layers.Input(tensor=x) is x
    True
    """
    _check_supported("Input", sparse, optional)
    full_shape = _batch_shape(shape, batch_size, batch_shape)
    if tensor is not None:
        return _wrap_tensor("Input", tensor, full_shape, dtype)
    if full_shape is None:
        raise ValueError("Input: give `shape` (without the batch axis) or `batch_shape`; "
                         "received neither.")
    return symbolic.Input(batch_shape=full_shape, dtype=dtype, name=name)


class InputLayer(Layer):
    """The layer standing for a model input: ``InputLayer(shape=None, batch_size=None,
    dtype=None, sparse=None, batch_shape=None, input_tensor=None, optional=False,
    name=None)``; ``layer.output`` is its Input tensor.

    Models list one per input in ``model.layers`` and ``summary()``; a Sequential model
    may start with one instead of an ``Input``.

    >>> from lamina import Input
    >>> InputLayer(input_tensor=Input((3,), name="features")).name
    'features'
    >>> InputLayer(input_shape=(5,)).output.shape  # Keras 2's argument name
    (None, 5)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        ragged = kwargs.pop("ragged", False)
        if kwargs:
            raise TypeError(f"InputLayer: unexpected arguments {sorted(kwargs)}. It takes "
                            f"shape, batch_size, dtype, sparse, batch_shape, input_tensor, "
                            f"optional and name.")
        _check_supported("InputLayer", sparse, optional, ragged)
        full_shape = _batch_shape(shape, batch_size, batch_shape)
        if input_tensor is not None:
            tensor = _wrap_tensor("InputLayer", input_tensor, full_shape, dtype)
        elif full_shape is None:
            raise ValueError("InputLayer: give `shape` (without the batch axis), `batch_shape` "
                             "or `input_tensor`; received none of them.")
        else:
            tensor = symbolic.Input(batch_shape=full_shape, dtype=dtype, name=name)
        super().__init__(name=name or tensor.name, dtype=tensor.dtype)
        self.input_tensor = tensor
        self.batch_shape = tuple(tensor.shape)
        self.built = True

    @property
    def input(self):
        return self.input_tensor

    @property
    def output(self):
        return self.input_tensor

    def get_config(self):
        return {"name": self.name, "batch_shape": self.batch_shape, "dtype": self.dtype}
