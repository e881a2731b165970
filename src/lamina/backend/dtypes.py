"""Dtype names and the one promotion table every engine follows.

lamina names dtypes by strings (``'float32'``, ``'int64'``, ``'bool'``, ...). The
promotion rule is JAX's type lattice, as Keras 3 uses it: Python scalars are
"weak" and take the dtype of the array they meet; an int array with a float array
gives the float array's dtype (``int32 + float32 -> float32``, unlike NumPy's
``float64``); a Python float alone, or with an int array, gives ``floatx()``.
The engines' own rules differ on a few pairs; each engine corrects its results
to this table, and the tests check every pair on every engine.

>>> result_type("int32", "float32")
'float32'
>>> result_type("int8", "uint8")
'int16'
>>> result_type("int32", 1.5)
'float32'
"""

import functools

from lamina.backend import config

FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
INT_TYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
ALL_TYPES = ("bool",) + INT_TYPES + FLOAT_TYPES

_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "int": "int32",
            "long": "int64", "bool_": "bool", "boolean": "bool"}

# Each node points to the next wider ones; "int*" and "float*" are the weak types
# of Python ints and floats.
_LATTICE = {
    "bool": ("int*",),
    "int*": ("uint8", "int8"),
    "uint8": ("uint16", "int16"),
    "uint16": ("uint32", "int32"),
    "uint32": ("uint64", "int64"),
    "uint64": ("float*",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float*",),
    "float*": ("bfloat16", "float16"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64",),
    "float64": (),
}


def _upper_set(node):
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(_LATTICE[n])
    return frozenset(seen)


_UPPER = {n: _upper_set(n) for n in _LATTICE}


@functools.lru_cache(maxsize=None)
def _join(a, b):
    common = _UPPER[a] & _UPPER[b]
    for candidate in common:
        if common <= _UPPER[candidate]:
            return candidate
    raise TypeError(f"no common dtype for {a} and {b}")


def standardize_dtype(dtype):
    """Return lamina's string name for any dtype object or name.

    Accepts strings, NumPy dtypes and scalar types, Python ``int``/``float``/``bool``,
    and the engines' dtype objects (``torch.float32``, ``jnp.float32``).

    >>> import numpy as np
    >>> standardize_dtype(np.float32), standardize_dtype("float"), standardize_dtype(bool)
    ('float32', 'float32', 'bool')
    """
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, str):
        name = dtype
    elif dtype is int:
        return "int32"
    elif dtype is float:
        return config.floatx()
    elif dtype is bool:
        return "bool"
    elif hasattr(dtype, "name") and isinstance(dtype.name, str):
        name = dtype.name  # NumPy dtypes and ml_dtypes
    elif hasattr(dtype, "dtype") and hasattr(dtype.dtype, "name"):
        name = dtype.dtype.name  # NumPy scalar types such as np.float32
    else:
        name = str(dtype)
        if name.startswith("<class 'numpy."):
            name = name[len("<class 'numpy."):-2]
    name = name.replace("torch.", "")
    name = _ALIASES.get(name, name)
    if name not in ALL_TYPES:
        raise TypeError(f"unknown dtype {dtype!r}; expected one of {', '.join(ALL_TYPES)}.")
    return name


def _lattice_node(x):
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int*"
    if isinstance(x, float):
        return "float*"
    dtype = getattr(x, "dtype", x)
    return standardize_dtype(dtype)


def result_type(*values):
    """The dtype that an element-wise operation on ``values`` returns.

    Each value is a dtype (name or object), an array, or a Python scalar (weak).

    >>> result_type("uint8", "int8", 2)
    'int16'
    >>> result_type(1, 2.0)
    'float32'
    """
    if not values:
        raise ValueError("result_type needs at least one value.")
    node = _lattice_node(values[0])
    for v in values[1:]:
        node = _join(node, _lattice_node(v))
    if node == "float*":
        return config.floatx()
    if node == "int*":
        return "int32"
    return node


def is_float(dtype):
    """True for the floating dtypes.

    >>> is_float("float16"), is_float("int32")
    (True, False)
    """
    return standardize_dtype(dtype) in FLOAT_TYPES


def is_floating_array_dtype(dtype):
    """True for a NumPy or JAX array dtype that is floating or complex, bfloat16 included
    (ml_dtypes gives it NumPy's kind 'V'); cheap enough for every element-wise call.

    >>> import numpy as np
    >>> is_floating_array_dtype(np.dtype("float16")), is_floating_array_dtype(np.dtype("int8"))
    (True, False)
    """
    return dtype.kind in "fc" or dtype.name == "bfloat16"


def is_int(dtype):
    """True for the integer dtypes (signed and unsigned), False for bool and floats.

    >>> is_int("uint8"), is_int("bool")
    (True, False)
    """
    return standardize_dtype(dtype) in INT_TYPES


def is_float_dtype(dtype):
    """True for the floating dtypes (Keras's ``backend.is_float_dtype``).

    >>> from lamina import backend as K
    >>> K.is_float_dtype("bfloat16"), K.is_float_dtype("int8")
    (True, False)
    """
    return is_float(dtype)


def is_int_dtype(dtype):
    """True for the integer dtypes, signed and unsigned (Keras's ``backend.is_int_dtype``).

    >>> from lamina import backend as K
    >>> K.is_int_dtype("uint8"), K.is_int_dtype("float32")
    (True, False)
    """
    return is_int(dtype)


def float_result(dtype):
    """The dtype of a float-valued function (sqrt, mean, sin, ...) of ``dtype``:
    floats keep theirs; ints and bool give ``floatx()``.

    >>> float_result("int64"), float_result("float16")
    ('float32', 'float16')
    """
    dtype = standardize_dtype(dtype)
    return dtype if dtype in FLOAT_TYPES else config.floatx()


def numpy_dtype(dtype):
    """The NumPy dtype for a lamina dtype; bfloat16 comes from the ml_dtypes package.

    >>> numpy_dtype("float16")
    dtype('float16')
    """
    name = standardize_dtype(dtype)
    if name != "bfloat16":
        import numpy as np
        return np.dtype(name)
    try:
        import ml_dtypes
    except ImportError:
        raise TypeError("bfloat16 NumPy arrays need the ml_dtypes package "
                        "(pip install ml_dtypes; jax installs it).") from None
    import numpy as np
    return np.dtype(ml_dtypes.bfloat16)
