"""The one promotion table (lamina.backend.dtypes), checked on the engine in use.

Every pair of dtypes through ``K.add``, ``K.multiply``, ``K.subtract`` and ``K.maximum``
must give ``dtypes.result_type(a, b)``; Python scalars are weak; float-valued
functions of ints give ``floatx()``; Python floats convert to float32 and ints to int32.
"""

import itertools

import numpy as np
import pytest

from lamina import backend as K
from lamina.backend import dtypes

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "float16", "float32",
          "float64", "bfloat16"]

PAIRS = list(itertools.product(DTYPES, DTYPES))


def tensor(dtype, values=(1, 0, 1)):
    return K.convert_to_tensor(np.array(values, "int32").astype(dtypes_np(dtype)), dtype)


def dtypes_np(dtype):
    if dtype == "bfloat16":
        import ml_dtypes
        return ml_dtypes.bfloat16
    return np.dtype(dtype)


def values(x):
    """The values of ``x`` as float64 (bools as 0/1)."""
    return np.asarray(K.convert_to_numpy(x)).astype("float64")


def reference(name, x, y, dtype):
    """NumPy's ``name`` on the float64 values, read back in ``dtype`` (bool: nonzero)."""
    out = getattr(np, name)(np.asarray(x, "float64"), np.asarray(y, "float64"))
    return (out != 0).astype("float64") if dtype == "bool" else out


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@pytest.mark.parametrize("name", ["add", "multiply", "subtract", "maximum"])
def test_binary_functions_follow_the_promotion_table(name, a, b):
    if name == "subtract" and a == b == "bool":
        pytest.skip("subtracting booleans is not defined (as in NumPy)")
    result = getattr(K, name)(tensor(a), tensor(b))
    expected = dtypes.result_type(a, b)
    assert K.dtype(result) == expected
    np.testing.assert_allclose(values(result), reference(name, [1, 0, 1], [1, 0, 1], expected))


def test_table_examples():
    assert dtypes.result_type("int32", "float32") == "float32"
    assert dtypes.result_type("int8", "uint8") == "int16"
    assert dtypes.result_type("bfloat16", "float16") == "float32"
    assert dtypes.result_type("int64", "float16") == "float16"
    assert dtypes.result_type("bool", "bool") == "bool"
    assert dtypes.result_type("uint8", "int32") == "int32"


@pytest.mark.parametrize("dtype,scalar,expected", [
    ("float32", 2.0, "float32"), ("float16", 2.0, "float16"), ("float64", 2, "float64"),
    ("int32", 1.5, "float32"), ("int32", 2, "int32"), ("int8", 2, "int8"),
    ("uint8", 2, "uint8"), ("int64", 2, "int64"), ("bool", 2, "int32"),
    ("bool", 1.5, "float32"), ("bool", True, "bool"), ("int16", 2.5, "float32"),
])
@pytest.mark.parametrize("name", ["add", "multiply", "subtract"])
def test_python_scalars_are_weak(name, dtype, scalar, expected):
    if name == "subtract" and dtype == "bool" and scalar is True:
        pytest.skip("subtracting booleans is not defined (as in NumPy)")
    start = (1, 0, 1) if dtype == "bool" else (3, 2, 5)
    x = tensor(dtype, start)
    assert K.dtype(getattr(K, name)(x, scalar)) == expected
    assert K.dtype(getattr(K, name)(scalar, x)) == expected
    np.testing.assert_allclose(values(getattr(K, name)(x, scalar)),
                               reference(name, start, scalar, expected))


def test_scalar_results_keep_values():
    x = K.convert_to_tensor(np.array([1, 2], "int32"))
    np.testing.assert_allclose(K.convert_to_numpy(K.add(x, 1.5)), [2.5, 3.5])
    np.testing.assert_array_equal(K.convert_to_numpy(K.multiply(x, 3)), [3, 6])


@pytest.mark.parametrize("name", ["sqrt", "exp", "log", "sin", "tanh", "mean", "std",
                                  "var", "reciprocal"])
@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "bool"])
def test_float_functions_of_ints_give_floatx(name, dtype):
    result = getattr(K, name)(tensor(dtype, (1, 2, 3) if dtype != "bool" else (1, 1, 0)))
    assert K.dtype(result) == K.floatx() == "float32"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", ["sqrt", "exp", "mean"])
def test_float_functions_keep_float_dtypes(name, dtype):
    assert K.dtype(getattr(K, name)(tensor(dtype))) == dtype


def test_divide_of_ints_gives_floatx():
    x = tensor("int32", (1, 2, 3))
    assert K.dtype(K.divide(x, x)) == "float32"
    assert K.dtype(K.true_divide(x, 2)) == "float32"
    np.testing.assert_allclose(K.convert_to_numpy(K.divide(x, 2)), [0.5, 1.0, 1.5])


def test_convert_to_tensor_of_python_values():
    assert K.dtype(K.convert_to_tensor(1.5)) == "float32"
    assert K.dtype(K.convert_to_tensor([1.0, 2.0])) == "float32"
    assert K.dtype(K.convert_to_tensor([[1.0], [2.5]])) == "float32"
    assert K.dtype(K.convert_to_tensor(3)) == "int32"
    assert K.dtype(K.convert_to_tensor([1, 2])) == "int32"
    assert K.dtype(K.convert_to_tensor(True)) == "bool"
    assert K.dtype(K.convert_to_tensor([1, 2.5])) == "float32"
    assert K.dtype(K.convert_to_tensor(2, dtype="float16")) == "float16"


def test_convert_to_tensor_keeps_array_dtypes():
    for dtype in ["int8", "int64", "uint8", "float16", "float64", "bool"]:
        assert K.dtype(K.convert_to_tensor(np.zeros(2, dtype))) == dtype
    np.testing.assert_array_equal(
        K.convert_to_numpy(K.convert_to_tensor(np.array([1.5, 2.5]), dtype="int32")), [1, 2])


def test_lists_given_to_functions_follow_the_same_rules():
    assert K.dtype(K.add([1, 2], [3, 4])) == "int32"
    assert K.dtype(K.add([1.0, 2.0], 1)) == "float32"
    assert K.dtype(K.add(tensor("int8"), [1, 2, 3])) == "int32"


def test_floatx_governs_python_floats():
    K.set_floatx("float64")
    try:
        assert K.dtype(K.convert_to_tensor(1.5)) == "float64"
        assert K.dtype(K.sqrt(tensor("int32"))) == "float64"
        assert K.dtype(K.add(tensor("int32"), 1.5)) == "float64"
        assert K.dtype(K.add(tensor("float32"), 1.5)) == "float32"
    finally:
        K.set_floatx("float32")


def test_standardize_dtype_names():
    assert dtypes.standardize_dtype(np.float32) == "float32"
    assert dtypes.standardize_dtype("float") == "float32"
    assert dtypes.standardize_dtype(int) == "int32"
    assert dtypes.standardize_dtype(np.dtype("uint8")) == "uint8"
    with pytest.raises(TypeError, match="unknown dtype"):
        dtypes.standardize_dtype("complex7")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", ["tanh", "exp", "sigmoid", "sin", "log", "sqrt", "softplus",
                                  "erf", "erfinv", "square", "relu"])
def test_element_wise_functions_keep_half_precision(name, dtype):
    """Under mixed_bfloat16 an LSTM's tanh runs on bfloat16 tensors: computing it in
    float32 would change the layer's output dtype (NumPy sees bfloat16 as kind 'V')."""
    x = K.cast(K.convert_to_tensor([0.25, 0.5]), dtype)
    assert K.dtype(getattr(K, name)(x)) == dtype
