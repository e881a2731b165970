"""The arguments ``Layer.__call__`` hands to ``call``: engine tensors of the right dtype.

Keras 3's rule, on every engine:

- NumPy arrays and scalars, Variables and other array-likes become engine tensors,
  and so do Python numbers and (nested) lists of numbers given as the inputs (the
  first argument); they keep their dtype (a Python float becomes ``floatx()``, a
  Python int ``int32``, as with ``K.convert_to_tensor``).
- A floating input whose dtype is not the layer's ``input_dtype`` is cast to it
  (a float64 array into a float32 layer gives float32), unless the layer's
  ``autocast`` is False (Embedding: its float indices are cast to int32 by itself).
- bool and integer inputs are kept: indices stay indices. Layers whose computation
  is floating (``_floating_inputs``: Dense, the convolutions, the recurrent and the
  normalization layers) cast them to ``input_dtype`` too, which is the dtype Keras's
  type promotion gives their results, so that their ``call`` (and the engines' fused
  kernels) see floats.
- Symbolic inputs that need it are cast with ``K.cast``, a node of the graph; masks
  (``mask`` and ``*_mask`` arguments) and ``training`` are left as given.

>>> import numpy as np
>>> from lamina import backend as K, layers
>>> args, kwargs, symbolic = convert_arguments(layers.Dense(2), (np.ones((1, 3)),), {})
>>> K.is_tensor(args[0]), K.dtype(args[0]), symbolic
(True, 'float32', False)
"""

import numpy as np

from lamina import backend as K
from lamina.backend import tree
from lamina.backend.dtypes import FLOAT_TYPES
from lamina.backend.symbolic import SymbolicTensor

# Engine tensor classes met so far (a class check admits them on the fast path) and
# the engine's dtype object for each dtype name met on such a tensor.
TENSOR_CLASSES = set()
NATIVE_DTYPES = {}
_NAMES = {}  # engine dtype object -> dtype name
_NUMBERS = (bool, int, float, np.number, np.bool_)


def cast_target(layer, dtype):
    """The dtype an input of dtype ``dtype`` (a name) is cast to, or None to keep it.

    >>> from lamina import layers
    >>> cast_target(layers.Dense(2), "float64"), cast_target(layers.Embedding(4, 2), "int64")
    ('float32', None)
    """
    target = layer.input_dtype
    if dtype == target:
        return None
    if dtype in FLOAT_TYPES:
        return target if layer.autocast else None
    if layer._floating_inputs and target in FLOAT_TYPES and (
            dtype == "bool" or dtype.startswith(("int", "uint"))):
        return target
    return None


def cast_inputs(values, dtypes):
    """``values`` (a list) with each one cast to the dtype named at its position in
    ``dtypes`` where its own differs: a model's data cast to the dtypes of its
    ``Input`` tensors, as Keras does (bool or int data for a float32 input gives
    float32). The same list when nothing needs a cast; an engine tensor of the right
    dtype costs one class test and one identity test.

    >>> import numpy as np
    >>> from lamina import backend as K
    >>> [K.dtype(v) for v in cast_inputs([np.array([True]), K.ones(1)], ["float32", "float32"])]
    ['float32', 'float32']
    """
    cast = None
    for i, (value, dtype) in enumerate(zip(values, dtypes)):
        cls = value.__class__
        if cls in TENSOR_CLASSES and value.dtype is NATIVE_DTYPES.get(dtype):
            continue
        if not hasattr(value, "dtype"):
            continue
        if cls in TENSOR_CLASSES or isinstance(value, K.engine.tensor_types):
            TENSOR_CLASSES.add(cls)
            name = _dtype_name(value.dtype)
        else:
            name = K.standardize_dtype(value.dtype)
        if name != dtype:
            cast = cast or list(values)
            cast[i] = K.cast(value, dtype)
    return values if cast is None else cast


def _dtype_name(native):
    name = _NAMES.get(native)
    if name is None:
        name = _NAMES[native] = K.standardize_dtype(native)
        NATIVE_DTYPES.setdefault(name, native)
    return name


def _is_number_list(value):
    """True for a non-empty (nested) list or tuple of Python or NumPy numbers."""
    return bool(value) and all(
        _is_number_list(v) if v.__class__ is list or v.__class__ is tuple
        else isinstance(v, _NUMBERS) for v in value)


class _Converter:
    """Converts the arguments of one call; records whether a symbolic tensor was met."""

    __slots__ = ("layer", "native", "symbolic")

    def __init__(self, layer):
        self.layer = layer
        self.native = NATIVE_DTYPES.get(layer.input_dtype)
        self.symbolic = False

    def structure(self, value, literals):
        """``value`` with its leaves converted; ``literals``: numbers and lists of
        numbers are tensors too (the inputs)."""
        cls = value.__class__
        if cls in TENSOR_CLASSES and value.dtype is self.native:
            return value
        if cls is list or cls is tuple:
            if literals and _is_number_list(value):
                return self.leaf(self.to_tensor(value), False)
            items = [self.structure(v, literals) for v in value]
            return value if all(a is b for a, b in zip(items, value)) else cls(items)
        if cls is dict:
            return {k: self.structure(v, literals) for k, v in value.items()}
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return cls(*(self.structure(v, literals) for v in value))
        return self.leaf(value, literals)

    def leaf(self, value, literals):
        cls = value.__class__
        if cls in TENSOR_CLASSES:
            return value if value.dtype is self.native else self.cast(value)
        if cls is SymbolicTensor:
            self.symbolic = True
            if not isinstance(value.dtype, str):
                return value
            target = cast_target(self.layer, value.dtype)
            if target is None:
                return value
            cast = K.cast(value, target)
            mask = getattr(value, "_keras_mask", None)
            if mask is not None:
                cast._keras_mask = mask
            return cast
        if isinstance(value, K.engine.tensor_types):
            TENSOR_CLASSES.add(cls)
            return self.cast(value)
        if isinstance(value, K.Variable) or hasattr(value, "__array__") or (
                literals and isinstance(value, _NUMBERS)):
            return self.leaf(self.to_tensor(value), False)
        return value

    def cast(self, tensor):
        try:
            dtype = _dtype_name(tensor.dtype)
        except TypeError as e:
            raise self.error(tensor, e) from e
        target = cast_target(self.layer, dtype)
        return tensor if target is None else K.cast(tensor, target)

    def to_tensor(self, value):
        try:
            return K.convert_to_tensor(value)
        except (TypeError, ValueError) as e:
            raise self.error(value, e) from e

    def error(self, value, cause):
        if hasattr(value, "dtype") and hasattr(value, "shape"):
            received = (f"{type(value).__name__} of dtype {value.dtype} and shape "
                        f"{tuple(value.shape)}")
        else:
            received = f"the {type(value).__name__} {value!r:.60}"
        return TypeError(f"{type(self.layer).__name__} layer {self.layer.name!r} expects "
                         f"numeric inputs (tensors, arrays, numbers or rectangular lists of "
                         f"numbers); received {received} ({cause}).")


def _is_mask_or_flag(key):
    return key == "training" or key == "mask" or key.endswith("_mask")


def convert_arguments(layer, args, kwargs):
    """``(args, kwargs, symbolic)``: the call's arguments as ``call`` receives them (see
    the module docstring) and whether any of them is symbolic."""
    converter = _Converter(layer)
    args = (converter.structure(args[0], True),) + tuple(
        converter.structure(a, False) for a in args[1:])
    converted, symbolic = {}, False
    for key, value in kwargs.items():
        if _is_mask_or_flag(key):
            converted[key] = value
            if value is not None and value.__class__ is not bool and not symbolic:
                symbolic = tree.any_leaf(lambda v: isinstance(v, SymbolicTensor), value)
        else:
            converted[key] = converter.structure(value, False)
    return args, converted, symbolic or converter.symbolic
