"""K's NumPy-style math (lamina/backend/ops/math.py) against NumPy as the reference.

The functions are taken from :mod:`lamina.ops` (the catalogue with Keras 3's, that is
NumPy's, signatures; ``K`` overrides a few names with Keras 2's). Every function is
checked for its values and for its exact result dtype (the one promotion table of
:mod:`lamina.backend.dtypes`: ints mixed with floats give the float, float-valued
functions of ints give ``floatx()``), on the engine chosen by ``LAMINA_BACKEND``.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lamina import backend as K
from lamina import ops as O

RTOL, ATOL = 2e-5, 1e-5

# A fixed handful of shapes: JAX compiles each operation once per shape, so drawing from
# a few shapes keeps the JAX run short while values still vary freely.
SHAPES = [(), (1,), (4,), (2, 3), (3, 1), (2, 1, 4)]
shapes = st.sampled_from(SHAPES)
nonempty_shapes = st.sampled_from(SHAPES[1:])
broadcast_pairs = st.sampled_from([((2, 3), (2, 3)), ((), (4,)), ((2, 3), (3,)), ((3, 1), (1, 4)),
                                   ((4,), ()), ((2, 1, 4), (3, 1)), ((1,), (2, 3))])


def f32(lo, hi):
    """float32 values in [lo, hi] (bounds rounded inwards to float32)."""
    lo32, hi32 = np.float32(lo), np.float32(hi)
    lo32 = lo32 if lo32 >= lo else np.nextafter(lo32, np.float32(np.inf))
    hi32 = hi32 if hi32 <= hi else np.nextafter(hi32, np.float32(-np.inf))
    return st.floats(float(lo32), float(hi32), width=32, allow_nan=False,
                     allow_infinity=False, allow_subnormal=False)


def float_arrays(lo=-10.0, hi=10.0, shape=shapes, **kw):
    return hnp.arrays(np.float32, shape, elements=f32(lo, hi), **kw)


def int_arrays(lo=-20, hi=20, shape=shapes, **kw):
    return hnp.arrays(np.int32, shape, elements=st.integers(lo, hi), **kw)


def T(x, dtype=None):
    return K.convert_to_tensor(x, dtype=dtype)


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def check(result, expected, dtype, rtol=RTOL, atol=ATOL):
    """``result`` has dtype ``dtype`` and the values of ``expected``."""
    assert K.dtype(result) == dtype, f"dtype {K.dtype(result)}, expected {dtype}"
    got = N(result)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape}"
    if dtype == "bool" or "int" in dtype:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got.astype("float64"), expected.astype("float64"),
                                   rtol=rtol, atol=atol)


# -- element-wise, one argument ------------------------------------------------
UNARY_FLOAT = [
    ("exp", np.exp, (-10, 10)), ("expm1", np.expm1, (-10, 10)),
    ("log", np.log, (1e-3, 100)), ("log10", np.log10, (1e-3, 100)),
    ("log1p", np.log1p, (-0.9, 100)), ("log2", np.log2, (1e-3, 100)),
    ("sqrt", np.sqrt, (0, 100)), ("sin", np.sin, (-10, 10)), ("cos", np.cos, (-10, 10)),
    ("tan", np.tan, (-1.4, 1.4)), ("sinh", np.sinh, (-5, 5)), ("cosh", np.cosh, (-5, 5)),
    ("tanh", np.tanh, (-10, 10)), ("arcsin", np.arcsin, (-0.99, 0.99)),
    ("arccos", np.arccos, (-0.99, 0.99)), ("arctan", np.arctan, (-10, 10)),
    ("arcsinh", np.arcsinh, (-10, 10)), ("arccosh", np.arccosh, (1, 10)),
    ("arctanh", np.arctanh, (-0.9, 0.9)),
    ("reciprocal", np.reciprocal, (0.1, 10)), ("rsqrt", lambda x: 1 / np.sqrt(x), (0.1, 10)),
]


@pytest.mark.parametrize("name,ref,domain", UNARY_FLOAT, ids=[u[0] for u in UNARY_FLOAT])
@given(data=st.data())
def test_unary_float_functions_match_numpy(name, ref, domain, data):
    x = data.draw(float_arrays(*domain))
    check(getattr(O, name)(T(x)), ref(x.astype("float64")), "float32", rtol=1e-4)


@pytest.mark.parametrize("name,ref,domain", UNARY_FLOAT, ids=[u[0] for u in UNARY_FLOAT])
def test_unary_float_functions_of_ints_give_floatx(name, ref, domain):
    x = np.array([0, 0] if name in ("arcsin", "arccos", "arctanh") else [1, 2, 3], "int32")
    check(getattr(O, name)(T(x)), ref(x.astype("float64")), "float32", rtol=1e-4)


UNARY_SAME = [("abs", np.abs), ("absolute", np.absolute), ("negative", np.negative),
              ("sign", np.sign), ("square", np.square), ("conj", np.conj),
              ("real", np.real)]


@pytest.mark.parametrize("name,ref", UNARY_SAME, ids=[u[0] for u in UNARY_SAME])
@given(x=float_arrays(), xi=int_arrays())
def test_unary_functions_keep_the_dtype(name, ref, x, xi):
    check(getattr(O, name)(T(x)), ref(x), "float32")
    check(getattr(O, name)(T(xi)), ref(xi), "int32")


def test_imag_of_real_tensors_is_zero():
    check(O.imag(T(np.array([1.5, -2.0], "float32"))), np.zeros(2), "float32")


@pytest.mark.parametrize("name", ["ceil", "floor"])
@given(x=float_arrays())
def test_rounding_functions(name, x):
    check(getattr(O, name)(T(x)), getattr(np, name)(x), "float32")


@pytest.mark.parametrize("name", ["ceil", "floor"])
def test_rounding_functions_of_ints_give_floatx(name):
    check(getattr(O, name)(T(np.array([-2, 3], "int32"))), [-2.0, 3.0], "float32")


@given(x=float_arrays(), decimals=st.integers(0, 2))
def test_round_is_half_to_even(x, decimals):
    check(O.round(T(x), decimals), np.round(x, decimals), "float32", atol=1e-4)


def test_round_of_halves_and_ints():
    check(O.round(T(np.array([0.5, 1.5, 2.5, -0.5], "float32"))), [0.0, 2.0, 2.0, -0.0],
          "float32")
    check(O.round(T(np.array([3, -4], "int32"))), [3, -4], "int32")


def test_nonfinite_predicates():
    x = np.array([1.0, np.inf, -np.inf, np.nan, 0.0], "float32")
    check(O.isfinite(T(x)), np.isfinite(x), "bool")
    check(O.isinf(T(x)), np.isinf(x), "bool")
    check(O.isnan(T(x)), np.isnan(x), "bool")
    check(O.isfinite(T(np.array([1, 2], "int32"))), [True, True], "bool")


def test_nan_to_num_replaces_nan_and_infinities():
    x = np.array([1.0, np.inf, -np.inf, np.nan], "float32")
    check(O.nan_to_num(T(x)), np.nan_to_num(x), "float32", rtol=1e-6)
    check(O.nan_to_num(T(x), nan=-1.0, posinf=9.0, neginf=-9.0), [1.0, 9.0, -9.0, -1.0],
          "float32")


@given(x=float_arrays(), bounds=st.tuples(f32(-5, 0), f32(0, 5)))
def test_clip(x, bounds):
    lo, hi = bounds
    check(O.clip(T(x), lo, hi), np.clip(x, lo, hi), "float32")


def test_clip_keeps_int_dtype():
    check(O.clip(T(np.array([-3, 0, 7], "int32")), 0, 5), [0, 0, 5], "int32")


# -- element-wise, two arguments (broadcasting) -----------------------------------
BINARY = [
    ("add", np.add, None), ("subtract", np.subtract, None), ("multiply", np.multiply, None),
    ("maximum", np.maximum, None), ("minimum", np.minimum, None),
    ("mod", np.mod, "nonzero"), ("floor_divide", np.floor_divide, "nonzero"),
    ("divide", np.true_divide, "nonzero"), ("true_divide", np.true_divide, "nonzero"),
    ("arctan2", np.arctan2, None), ("logaddexp", np.logaddexp, None),
]
FLOAT_VALUED = ("divide", "true_divide", "arctan2", "logaddexp")


def _pair(data, make, divisor_nonzero):
    s1, s2 = data.draw(broadcast_pairs)
    a = data.draw(make(shape=s1))
    b = data.draw(make(shape=s2))
    if divisor_nonzero:
        b = np.where(np.abs(b) < 0.5, np.ones_like(b), b)
    return a, b


@pytest.mark.parametrize("name,ref,domain", BINARY, ids=[b[0] for b in BINARY])
@given(data=st.data())
def test_binary_float_functions_broadcast_like_numpy(name, ref, domain, data):
    a, b = _pair(data, float_arrays, domain == "nonzero")
    expected = ref(a.astype("float64"), b.astype("float64"))
    result = getattr(O, name)(T(a), T(b))
    if name in ("mod", "floor_divide"):
        # float32 rounding may move a quotient across an integer; compare with float32 NumPy
        expected = ref(a, b)
    check(result, expected, "float32", rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name,ref,domain", BINARY, ids=[b[0] for b in BINARY])
@given(data=st.data())
def test_binary_int_functions(name, ref, domain, data):
    a, b = _pair(data, int_arrays, domain == "nonzero")
    dtype = "float32" if name in FLOAT_VALUED else "int32"
    check(getattr(O, name)(T(a), T(b)), ref(a.astype("float64"), b.astype("float64")),
          dtype, rtol=1e-4)


@pytest.mark.parametrize("name,ref,domain", BINARY, ids=[b[0] for b in BINARY])
def test_binary_int_with_float_gives_float(name, ref, domain):
    a = np.array([[3, -4, 5]], "int32")
    b = np.array([[2.5], [-1.5]], "float32")
    check(getattr(O, name)(T(a), T(b)), ref(a.astype("float64"), b.astype("float64")),
          "float32", rtol=1e-5)
    check(getattr(O, name)(T(b), T(a)), ref(b.astype("float64"), a.astype("float64")),
          "float32", rtol=1e-5)


def test_mod_and_floor_divide_follow_the_divisor_sign():
    a, b = T(np.array([5, -5, 5, -5], "int32")), T(np.array([3, 3, -3, -3], "int32"))
    check(O.mod(a, b), [2, 1, -1, -2], "int32")
    check(O.floor_divide(a, b), [1, -2, -2, 1], "int32")


@given(data=st.data())
def test_power_float(data):
    x, y = _pair(data, lambda shape: float_arrays(0.1, 5, shape=shape), False)
    y = np.clip(y, -2, 2)
    check(O.power(T(x), T(y)), np.power(x.astype("float64"), y.astype("float64")),
          "float32", rtol=1e-4)


def test_power_dtypes():
    xi = np.array([-3, 2, 5], "int32")
    check(O.power(T(xi), T(np.array([0, 3, 2], "int32"))), [1, 8, 25], "int32")
    check(O.power(T(xi), 2), [9, 4, 25], "int32")
    check(O.power(T(xi), 2.0), [9.0, 4.0, 25.0], "float32")
    check(O.power(T(np.array([4.0], "float32")), 0.5), [2.0], "float32")


def test_divide_no_nan_gives_zero_where_the_divisor_is_zero():
    a = T(np.array([1.0, 2.0, -3.0], "float32"))
    b = T(np.array([0.0, 4.0, 0.0], "float32"))
    check(O.divide_no_nan(a, b), [0.0, 0.5, 0.0], "float32")
    check(O.divide_no_nan(T(np.array([3, 1], "int32")), T(np.array([0, 2], "int32"))),
          [0.0, 0.5], "float32")


COMPARE = [("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
           ("greater_equal", np.greater_equal), ("less", np.less),
           ("less_equal", np.less_equal)]


@pytest.mark.parametrize("name,ref", COMPARE, ids=[c[0] for c in COMPARE])
@given(data=st.data())
def test_comparisons_give_bool(name, ref, data):
    a, b = _pair(data, lambda shape: int_arrays(-3, 3, shape=shape), False)
    check(getattr(O, name)(T(a), T(b)), ref(a, b), "bool")
    check(getattr(O, name)(T(a.astype("float32")), T(b)), ref(a, b), "bool")
    check(getattr(O, name)(T(a), 1), ref(a, 1), "bool")


LOGICAL = [("logical_and", np.logical_and), ("logical_or", np.logical_or),
           ("logical_xor", np.logical_xor)]


@pytest.mark.parametrize("name,ref", LOGICAL, ids=[c[0] for c in LOGICAL])
@given(data=st.data())
def test_logical_functions(name, ref, data):
    s1, s2 = data.draw(broadcast_pairs)
    a = data.draw(hnp.arrays(np.bool_, s1))
    b = data.draw(hnp.arrays(np.bool_, s2))
    check(getattr(O, name)(T(a), T(b)), ref(a, b), "bool")


def test_logical_functions_of_numbers_treat_nonzero_as_true():
    x = T(np.array([0.0, 2.0, -1.0], "float32"))
    check(O.logical_not(x), [True, False, False], "bool")
    check(O.logical_and(x, T(np.array([1, 0, 3], "int32"))), [False, False, True], "bool")
    check(O.logical_not(T(np.array([True, False]))), [False, True], "bool")


@given(data=st.data())
def test_isclose(data):
    x = data.draw(float_arrays())
    y = data.draw(float_arrays(shape=st.just(x.shape)))
    check(O.isclose(T(x), T(x)), np.ones(x.shape, bool), "bool")
    check(O.isclose(T(x), T(y), atol=0.5), np.isclose(x, y, atol=0.5), "bool")


def test_isclose_equal_nan():
    x = T(np.array([np.nan, 1.0], "float32"))
    check(O.isclose(x, x), [False, True], "bool")
    check(O.isclose(x, x, equal_nan=True), [True, True], "bool")


@given(data=st.data())
def test_where_selects_and_promotes(data):
    s1, s2 = data.draw(broadcast_pairs)
    s3 = data.draw(st.sampled_from([(), s1, s2]))
    c = data.draw(hnp.arrays(np.bool_, s1))
    a = data.draw(float_arrays(shape=s2))
    b = data.draw(int_arrays(shape=s3))
    check(O.where(T(c), T(a), T(b)), np.where(c, a, b.astype("float32")), "float32")
    check(O.where(T(c), T(b), T(b + 1)), np.where(c, b, b + 1), "int32")


def test_where_with_scalars_and_one_argument():
    c = T(np.array([True, False, True]))
    check(O.where(c, 1.0, 0.0), [1.0, 0.0, 1.0], "float32")
    check(O.where(c, 1, 0), [1, 0, 1], "int32")
    check(O.where(c, T(np.array([1, 2, 3], "int32")), 0.5), [1.0, 0.5, 3.0], "float32")
    (idx,) = O.where(c)
    check(idx, [0, 2], "int32")


# -- reductions -----------------------------------------------------------------
@st.composite
def array_and_axis(draw, make=float_arrays, allow_none=True, allow_tuple=True):
    x = draw(make(shape=nonempty_shapes))
    choices = [st.integers(-x.ndim, x.ndim - 1)]
    if allow_none:
        choices.append(st.none())
    if allow_tuple and x.ndim >= 2:
        choices.append(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim,
                                unique=True).map(tuple))
    axis = draw(st.one_of(*choices))
    return x, axis


REDUCE_FLOAT = [("sum", np.sum), ("mean", np.mean), ("std", np.std), ("var", np.var),
                ("max", np.max), ("amax", np.amax), ("min", np.min), ("amin", np.amin),
                ("logsumexp", None)]


def _logsumexp(x, axis=None, keepdims=False):
    x = x.astype("float64")
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


@pytest.mark.parametrize("name,ref", REDUCE_FLOAT, ids=[r[0] for r in REDUCE_FLOAT])
@given(xa=array_and_axis(), keepdims=st.booleans())
def test_float_reductions(name, ref, xa, keepdims):
    x, axis = xa
    ref = ref or _logsumexp
    expected = ref(x.astype("float64"), axis=axis, keepdims=keepdims)
    check(getattr(O, name)(T(x), axis=axis, keepdims=keepdims), expected, "float32",
          rtol=1e-4, atol=1e-4)


@given(xa=array_and_axis(lambda shape: float_arrays(-2, 2, shape=shape)), keepdims=st.booleans())
def test_prod(xa, keepdims):
    x, axis = xa
    check(O.prod(T(x), axis=axis, keepdims=keepdims),
          np.prod(x.astype("float64"), axis=axis, keepdims=keepdims), "float32",
          rtol=1e-4, atol=1e-5)


@given(xa=array_and_axis(allow_tuple=False), keepdims=st.booleans())
def test_median(xa, keepdims):
    x, axis = xa
    check(O.median(T(x), axis=axis, keepdims=keepdims),
          np.median(x, axis=axis, keepdims=keepdims), "float32")


INT_REDUCTIONS = [("sum", np.sum, "int32"), ("prod", np.prod, "int32"),
                  ("max", np.max, "int32"), ("min", np.min, "int32"),
                  ("mean", np.mean, "float32"), ("std", np.std, "float32"),
                  ("var", np.var, "float32"), ("median", np.median, "float32")]


@pytest.mark.parametrize("name,ref,dtype", INT_REDUCTIONS, ids=[r[0] for r in INT_REDUCTIONS])
@given(xa=array_and_axis(lambda shape: int_arrays(-3, 3, shape=shape), allow_tuple=False))
def test_int_reductions(name, ref, dtype, xa):
    x, axis = xa
    if name == "prod":
        x = np.clip(x, -1, 1)  # no int32 overflow
    check(getattr(O, name)(T(x), axis=axis), ref(x.astype("float64"), axis=axis), dtype,
          rtol=1e-5)


def test_sums_of_bool_and_narrow_ints_count_in_int32():
    b = np.array([[True, False, True], [True, True, True]])
    check(O.sum(T(b)), 5, "int32")
    check(O.sum(T(b), axis=1), [2, 3], "int32")
    check(O.sum(T(np.full(300, 1, "int8"))), 300, "int32")
    check(O.mean(T(b)), 5 / 6, "float32")
    check(O.max(T(b)), True, "bool")


def test_max_min_with_initial():
    x = T(np.array([1.0, 5.0], "float32"))
    check(O.max(x, initial=10.0), 10.0, "float32")
    check(O.min(x, initial=-1.0), -1.0, "float32")


@pytest.mark.parametrize("name", ["all", "any"])
@given(data=st.data(), keepdims=st.booleans())
def test_all_any(name, data, keepdims):
    x, axis = data.draw(array_and_axis(lambda shape: hnp.arrays(np.bool_, shape)))
    check(getattr(O, name)(T(x), axis=axis, keepdims=keepdims),
          getattr(np, name)(x, axis=axis, keepdims=keepdims), "bool")
    xf = x.astype("float32") * 2.5
    check(getattr(O, name)(T(xf), axis=axis), getattr(np, name)(xf, axis=axis), "bool")


unique_floats = lambda shape: float_arrays(shape=shape, unique=True)  # noqa: E731


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(xa=array_and_axis(unique_floats, allow_tuple=False), keepdims=st.booleans())
def test_argmax_argmin(name, xa, keepdims):
    x, axis = xa
    check(getattr(O, name)(T(x), axis=axis, keepdims=keepdims),
          getattr(np, name)(x, axis=axis, keepdims=keepdims), "int32")


@given(xa=array_and_axis(unique_floats, allow_none=False, allow_tuple=False))
def test_sort_and_argsort(xa):
    x, axis = xa
    check(O.sort(T(x), axis=axis), np.sort(x, axis=axis), "float32")
    check(O.argsort(T(x), axis=axis), np.argsort(x, axis=axis), "int32")


def test_sort_ints():
    check(O.sort(T(np.array([3, -1, 2], "int32"))), [-1, 2, 3], "int32")


@given(xa=array_and_axis(lambda shape: int_arrays(-1, 1, shape=shape)))
def test_count_nonzero(xa):
    x, axis = xa
    check(O.count_nonzero(T(x), axis=axis), np.count_nonzero(x, axis=axis), "int32")


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@given(xa=array_and_axis(lambda shape: float_arrays(-2, 2, shape=shape), allow_tuple=False))
def test_cumulative_float(name, xa):
    x, axis = xa
    check(getattr(O, name)(T(x), axis=axis), getattr(np, name)(x.astype("float64"), axis=axis),
          "float32", rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_cumulative_ints_and_bools(name):
    xi = np.array([[1, -2, 3], [2, 2, 2]], "int32")
    check(getattr(O, name)(T(xi), axis=1), getattr(np, name)(xi, axis=1), "int32")
    check(getattr(O, name)(T(xi)), getattr(np, name)(xi), "int32")
    xb = np.array([True, True, False, True])
    check(getattr(O, name)(T(xb)), getattr(np, name)(xb.astype("int32")), "int32")
    check(getattr(O, name)(T(xi), axis=0, dtype="float32"),
          getattr(np, name)(xi, axis=0).astype("float32"), "float32")


@given(xa=array_and_axis(allow_tuple=False))
def test_average(xa):
    x, axis = xa
    check(O.average(T(x), axis=axis), np.average(x, axis=axis), "float32", rtol=1e-4, atol=1e-4)
    n = x.size if axis is None else x.shape[axis]
    w = np.arange(1, n + 1, dtype="float32")
    if axis is None:
        w = w.reshape(x.shape)
    check(O.average(T(x), axis=axis, weights=T(w)),
          np.average(x.astype("float64"), axis=axis, weights=w), "float32",
          rtol=1e-4, atol=1e-4)


@given(xa=array_and_axis(allow_tuple=False), q=f32(0, 1))
def test_quantile(xa, q):
    x, axis = xa
    check(O.quantile(T(x), q, axis=axis), np.quantile(x.astype("float64"), q, axis=axis),
          "float32", rtol=1e-4, atol=1e-4)


def test_quantile_of_several_q_and_ints():
    x = np.array([[1.0, 2.0, 10.0], [4.0, 4.0, 5.0]], "float32")
    q = np.array([0.25, 0.5], "float32")
    check(O.quantile(T(x), T(q), axis=1), np.quantile(x, q, axis=1), "float32")
    check(O.quantile(T(x), 0.5, axis=1, keepdims=True),
          np.quantile(x, 0.5, axis=1, keepdims=True), "float32")
    check(O.quantile(T(np.array([1, 2, 3, 4], "int32")), 0.5), 2.5, "float32")


@pytest.mark.parametrize("ord", [None, 1, 2, np.inf])
@given(x=float_arrays(shape=st.sampled_from([(1,), (5,)])))
def test_vector_norms(ord, x):
    check(O.norm(T(x), ord=ord), np.linalg.norm(x.astype("float64"), ord=ord), "float32",
          rtol=1e-4, atol=1e-4)


def test_matrix_norms_and_axes():
    x = np.array([[3.0, -4.0], [1.0, 2.0]], "float32")
    check(O.norm(T(x)), np.linalg.norm(x), "float32")
    check(O.norm(T(x), ord="fro"), np.linalg.norm(x, "fro"), "float32")
    check(O.norm(T(x), axis=1), np.linalg.norm(x, axis=1), "float32")
    check(O.norm(T(x), axis=0, keepdims=True), np.linalg.norm(x, axis=0, keepdims=True),
          "float32")
    check(O.norm(T(np.array([3, 4], "int32"))), 5.0, "float32")


# -- linear algebra -------------------------------------------------------------
@given(data=st.data())
def test_matmul_broadcasts_batch_dimensions(data):
    n, k, m = data.draw(st.sampled_from([(1, 1, 1), (2, 3, 4), (3, 2, 1)]))
    b1, b2 = data.draw(st.sampled_from([((), ()), ((2,), ()), ((2, 1), (3,)), ((), (2,))]))
    a = data.draw(float_arrays(-3, 3, shape=b1 + (n, k)))
    b = data.draw(float_arrays(-3, 3, shape=b2 + (k, m)))
    check(O.matmul(T(a), T(b)), np.matmul(a.astype("float64"), b.astype("float64")),
          "float32", rtol=1e-4, atol=1e-4)


def test_matmul_vectors_and_dtypes():
    a = np.array([[1, 2], [3, 4]], "int32")
    v = np.array([1.5, -1.0], "float32")
    check(O.matmul(T(a), T(a)), a @ a, "int32")
    check(O.matmul(T(a), T(v)), a @ v, "float32")
    check(O.matmul(T(v), T(v)), v @ v, "float32")


@given(data=st.data())
def test_dot(data):
    shape1 = data.draw(st.sampled_from([(3,), (2, 3), (2, 1, 3)]))
    k = shape1[-1]
    rest = data.draw(st.sampled_from([(), (4,), (3, 2)]))
    shape2 = (k,) if not rest else rest[:-1] + (k,) + rest[-1:]
    a = data.draw(float_arrays(-3, 3, shape=shape1))
    b = data.draw(float_arrays(-3, 3, shape=shape2))
    check(O.dot(T(a), T(b)), np.dot(a.astype("float64"), b.astype("float64")), "float32",
          rtol=1e-4, atol=1e-4)


def test_dot_with_scalar_and_mixed_dtypes():
    a = np.array([[1, 2], [3, 4]], "int32")
    check(O.dot(T(a), T(a)), a @ a, "int32")
    check(O.dot(T(a), T(np.array([0.5, 1.0], "float32"))), a @ [0.5, 1.0], "float32")


def test_vdot_outer_tensordot_cross_trace():
    a = np.arange(6, dtype="float32").reshape(2, 3)
    b = np.arange(6, 12, dtype="float32").reshape(2, 3)
    check(O.vdot(T(a), T(b)), np.vdot(a, b), "float32")
    check(O.outer(T(a[0]), T(b[1])), np.outer(a[0], b[1]), "float32")
    check(O.outer(T(a), T(b)), np.outer(a, b), "float32")
    check(O.outer(T(np.array([1, 2], "int32")), T(np.array([3, 4], "int32"))),
          [[3, 4], [6, 8]], "int32")
    check(O.tensordot(T(a), T(b.T), axes=1), np.tensordot(a, b.T, axes=1), "float32")
    check(O.tensordot(T(a), T(b), axes=2), np.tensordot(a, b, axes=2), "float32")
    check(O.tensordot(T(a), T(b), axes=([0], [0])), np.tensordot(a, b, axes=([0], [0])),
          "float32")
    check(O.cross(T(a), T(b)), np.cross(a, b), "float32")
    check(O.cross(T(np.array([1, 0, 0], "int32")), T(np.array([0, 1, 0], "int32"))),
          [0, 0, 1], "int32")
    m = np.arange(12, dtype="float32").reshape(3, 4)
    check(O.trace(T(m)), np.trace(m), "float32")
    check(O.trace(T(m), offset=1), np.trace(m, offset=1), "float32")
    check(O.trace(T(m), offset=-1), np.trace(m, offset=-1), "float32")
    m3 = np.arange(24, dtype="float32").reshape(2, 3, 4)
    check(O.trace(T(m3), axis1=1, axis2=2), np.trace(m3, axis1=1, axis2=2), "float32")
    check(O.trace(T(m.astype("int32"))), np.trace(m).astype("int32"), "int32")


@pytest.mark.parametrize("subscripts,shapes_", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(4,), (4,)]), ("ij->ji", [(2, 3)]), ("ii->i", [(3, 3)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]), ("...ij,...j->...i", [(2, 3, 4), (2, 4)]),
])
def test_einsum(subscripts, shapes_):
    rng = np.random.default_rng(0)
    ops = [rng.normal(size=s).astype("float32") for s in shapes_]
    check(O.einsum(subscripts, *[T(o) for o in ops]), np.einsum(subscripts, *ops), "float32",
          rtol=1e-4, atol=1e-5)


def test_einsum_int_and_mixed():
    a = np.arange(6, dtype="int32").reshape(2, 3)
    check(O.einsum("ij,kj->ik", T(a), T(a)), np.einsum("ij,kj->ik", a, a), "int32")
    check(O.einsum("ij,kj->ik", T(a), T(a.astype("float32"))),
          np.einsum("ij,kj->ik", a, a).astype("float32"), "float32")


# -- counting, binning, differences, top-k ----------------------------------------
@given(x=hnp.arrays(np.int32, st.sampled_from([5, 8]), elements=st.integers(0, 6)),
       minlength=st.sampled_from([0, 9]))
def test_bincount(x, minlength):
    check(O.bincount(T(x), minlength=minlength), np.bincount(x, minlength=minlength), "int32")
    w = np.linspace(0.5, 2.0, x.size).astype("float32")
    check(O.bincount(T(x), weights=T(w), minlength=minlength),
          np.bincount(x, weights=w, minlength=minlength), "float32", rtol=1e-5)


@given(x=float_arrays(), bins=hnp.arrays(np.float32, 3, elements=f32(-10, 10),
                                          unique=True))
def test_digitize(x, bins):
    bins = np.sort(bins)
    check(O.digitize(T(x), T(bins)), np.digitize(x, bins), "int32")


@given(xa=array_and_axis(allow_none=False, allow_tuple=False), n=st.integers(1, 2))
def test_diff(xa, n):
    x, axis = xa
    check(O.diff(T(x), n=n, axis=axis), np.diff(x.astype("float64"), n=n, axis=axis),
          "float32", rtol=1e-4, atol=1e-4)


def test_diff_of_ints():
    check(O.diff(T(np.array([1, 4, 9, 16], "int32"))), [3, 5, 7], "int32")


@given(data=st.data())
def test_top_k(data):
    x = data.draw(float_arrays(shape=nonempty_shapes, unique=True))
    k = data.draw(st.integers(1, x.shape[-1]))
    values, indices = O.top_k(T(x), k)
    order = np.argsort(-x, axis=-1)[..., :k]
    check(values, np.take_along_axis(x, order, axis=-1), "float32")
    check(indices, order, "int32")


def test_top_k_of_ints():
    values, indices = O.top_k(T(np.array([[3, 9, 1, 7]], "int32")), 2)
    check(values, [[9, 7]], "int32")
    check(indices, [[1, 3]], "int32")


def test_size():
    assert int(O.size(O.zeros((2, 3, 4)))) == 24
    assert int(O.size(O.zeros(()))) == 1
