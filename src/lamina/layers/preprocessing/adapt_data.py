"""The data the preprocessing layers read: what ``adapt`` accepts, and string inputs.

``adapt(data, batch_size=None, steps=None)`` accepts, as in Keras 3:

- a NumPy array, an engine tensor, a Variable, or a (nested) list of numbers or
  strings: one array, cut into batches of ``batch_size`` rows when given;
- a ``PyDataset``: its batches in order (``steps`` of them when given);
- any other iterable of batches (a generator, a list of arrays of different
  lengths): each batch an array-like, ``steps`` of them when given.

A batch that is a tuple ``(x, y)`` or ``(x, y, sample_weight)`` contributes its
``x``. :func:`batches` yields NumPy arrays.

JAX and torch have no string tensors, so the layers that read strings
(``StringLookup``, ``TextVectorization``, ``Hashing`` of strings) work eagerly on
NumPy arrays and lists of ``str``, in the data pipeline before the model, as Keras 3
does on its non-TensorFlow backends. :func:`string_array` reads such inputs and
:func:`symbolic_string_error` is the error for a symbolic input.

>>> import numpy as np
>>> [b.tolist() for b in batches(np.arange(5), "demo", batch_size=2)]
[[0, 1], [2, 3], [4]]
>>> string_array(["a", b"b"], "demo").tolist()
['a', 'b']
"""

import numpy as np

from lamina import backend as K
from lamina.backend.symbolic import SymbolicTensor
from lamina.training.py_dataset import PyDataset


def _features(batch):
    """The ``x`` of a batch given as ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(batch, tuple) and 2 <= len(batch) <= 3:
        return batch[0]
    return batch


def _is_array_like(data):
    return (isinstance(data, (np.ndarray, np.generic, str, bytes, int, float, K.Variable))
            or K.is_tensor(data) or hasattr(data, "__array__"))


def to_numpy(data, where):
    """``data`` (an array-like, engine tensor or Variable) as a NumPy array; ``where``
    names the layer in errors.

    >>> to_numpy([[1, 2]], "demo").shape
    (1, 2)
    """
    if isinstance(data, SymbolicTensor):
        raise TypeError(f"{where}: adapt reads concrete data (NumPy arrays, lists, tensors, "
                        f"generators of batches or a PyDataset); received a symbolic tensor "
                        f"of shape {data.shape}.")
    if isinstance(data, K.Variable) or K.is_tensor(data):
        return np.asarray(K.convert_to_numpy(data))
    try:
        array = np.asarray(data)
    except ValueError as e:
        raise ValueError(f"{where}: cannot read {type(data).__name__} as an array ({e}).") from e
    if array.dtype == object and array.size and not isinstance(array.flat[0], (str, bytes)):
        raise ValueError(f"{where}: expected a rectangular array of numbers or strings; "
                         f"received a {type(data).__name__} that NumPy reads as objects.")
    return array


def _rows(array, batch_size):
    if batch_size is None or array.ndim == 0:
        yield array
        return
    for start in range(0, len(array), batch_size):
        yield array[start:start + batch_size]


def batches(data, where, batch_size=None, steps=None):
    """The batches of ``data`` as NumPy arrays (see the module docstring); ``where``
    names the layer in errors.

    >>> [b.shape for b in batches((np.ones((2, 3)) for _ in range(3)), "demo", steps=2)]
    [(2, 3), (2, 3)]
    """
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, int) or batch_size < 1):
        raise ValueError(f"{where}: batch_size must be a positive int; received {batch_size!r}.")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"{where}: steps must be a positive int; received {steps!r}.")
    if data is None:
        raise ValueError(f"{where}: adapt needs data; received None.")
    if isinstance(data, PyDataset):
        count = len(data) if steps is None else min(steps, len(data))
        source = (data[i] for i in range(count))
    elif _is_array_like(data) or (isinstance(data, (list, tuple)) and _rectangular(data)):
        source = _rows(to_numpy(data, where), batch_size)
    elif hasattr(data, "__iter__"):
        source = iter(data)
    else:
        raise TypeError(f"{where}: adapt expects a NumPy array, a list, a tensor, an iterable "
                        f"of batches or a PyDataset; received {type(data).__name__}.")
    for index, batch in enumerate(source):
        if steps is not None and index >= steps:
            return
        yield to_numpy(_features(batch), where)


def _rectangular(data):
    """True when a list or tuple reads as one array (not a list of batches)."""
    try:
        array = np.asarray(data)
    except ValueError:
        return False
    return array.dtype != object or all(isinstance(v, (str, bytes)) for v in array.flat)


def is_string_data(inputs):
    """True for strings: a ``str``, ``bytes``, a NumPy array of them, or a (nested) list
    whose first leaf is one.

    >>> is_string_data([["a"]]), is_string_data(np.array([1]))
    (True, False)
    """
    if isinstance(inputs, (str, bytes)):
        return True
    if isinstance(inputs, np.ndarray):
        return inputs.dtype.kind in "USO"
    while isinstance(inputs, (list, tuple)) and inputs:
        inputs = inputs[0]
    return isinstance(inputs, (str, bytes, np.str_, np.bytes_))


def symbolic_string_error(layer):
    """The TypeError for a string layer called on a symbolic tensor.

    >>> from lamina import layers
    >>> "data pipeline" in str(symbolic_string_error(layers.StringLookup()))
    True
    """
    return TypeError(
        f"{type(layer).__name__} layer {layer.name!r} reads strings, which {K.backend()} "
        f"tensors cannot hold, so it cannot be part of a model on this engine; it received "
        f"a symbolic tensor. Call it on NumPy arrays or lists of str in the data pipeline, "
        f"before the model (ids = layer(texts); model.fit(ids, y)), as Keras 3 does on its "
        f"JAX, torch and NumPy backends.")


def string_array(inputs, where, encoding="utf-8"):
    """``inputs`` (str, bytes, a NumPy array or nested list of them) as a NumPy array of
    ``str``, bytes decoded with ``encoding``; ``where`` names the layer in errors.

    >>> string_array([["é".encode()]], "demo").tolist()
    [['é']]
    """
    array = np.asarray(inputs, dtype=object)
    decoded = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        if isinstance(value, (bytes, np.bytes_)):
            value = bytes(value).decode(encoding)
        elif not isinstance(value, str):
            raise TypeError(f"{where} expects strings; received {value!r} of type "
                            f"{type(value).__name__} among its inputs.")
        decoded[index] = str(value)
    return decoded.astype(str) if decoded.size else np.zeros(array.shape, dtype=str)


class EagerStringCall:
    """Mixed into the layers that read strings (StringLookup, TextVectorization): they
    run ``call`` eagerly, and a symbolic input gets :func:`symbolic_string_error`.

    >>> from lamina import layers
    >>> layers.StringLookup(vocabulary=["a", "b"])(["b", "c"]).tolist()
    [2, 0]
    """

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if isinstance(inputs, SymbolicTensor):
            raise symbolic_string_error(self)
        return self.call(inputs)
