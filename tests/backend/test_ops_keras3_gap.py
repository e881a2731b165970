"""Keras 3's element-wise and array functions that lamina added (ops/elementwise.py,
ops/arrays_extra.py) against NumPy/SciPy on small inputs, with their result dtypes, on
the engine chosen by ``LAMINA_BACKEND``; and one symbolic-shape check per group."""

import math

import numpy as np
import pytest

from lamina import Input
from lamina import backend as K
from lamina import ops as O

special = pytest.importorskip("scipy.special")

F = np.array([[-1.5, 0.0, 0.25], [2.0, -0.0, 3.5]], "float32")
I = np.array([[-7, 0, 4], [9, 12, -3]], "int32")
P = np.array([[6, 4, 9], [15, 8, 2]], "int32")  # positive ints
U = np.array([0.1, -0.5, 0.9], "float32")  # inside (-1, 1)
NAN = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [4.0, -2.0, np.nan]], "float32")


def value(x):
    if isinstance(x, (tuple, list)):
        return [value(v) for v in x]
    return K.convert_to_numpy(x)


def check(result, expected, dtype=None, rtol=1e-5, atol=1e-6):
    got = value(result)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    if dtype is not None:
        assert K.standardize_dtype(result.dtype) == dtype


UNARY = [
    ("erf", F, special.erf, "float32"),
    ("erf", I, lambda x: special.erf(x.astype("float32")), "float32"),
    ("erfinv", U, special.erfinv, "float32"),
    ("cbrt", F, np.cbrt, "float32"),
    ("cbrt", I, lambda x: np.cbrt(x.astype("float64")), "float32"),
    ("trunc", F * 1.3, np.trunc, "float32"),
    ("trunc", I, np.trunc, "int32"),
    ("exp2", F, np.exp2, "float32"),
    ("exp2", I % 5, lambda x: np.exp2(x.astype("float64")), "float32"),
    ("deg2rad", F * 90, np.deg2rad, "float32"),
    ("rad2deg", F, np.rad2deg, "float32"),
    ("sinc", F, np.sinc, "float32"),
    ("signbit", F, np.signbit, "bool"),
    ("isposinf", np.array([np.inf, -np.inf, 1.0], "float32"), np.isposinf, "bool"),
    ("isneginf", np.array([np.inf, -np.inf, 1.0], "float32"), np.isneginf, "bool"),
    ("isreal", F, np.isreal, "bool"),
    ("bitwise_not", I, np.invert, "int32"),
    ("bitwise_invert", np.array([True, False]), np.invert, "bool"),
]


@pytest.mark.parametrize("name,x,reference,dtype", UNARY,
                         ids=[f"{u[0]}-{u[1].dtype}" for u in UNARY])
def test_unary_matches_numpy(name, x, reference, dtype):
    check(getattr(O, name)(K.convert_to_tensor(x)), reference(x), dtype)


BINARY = [
    ("fmod", I, np.array([3, 5, -3], "int32"), np.fmod, "int32"),
    ("fmod", F, np.float32(1.25), np.fmod, "float32"),
    ("hypot", F, F[::-1], np.hypot, "float32"),
    ("hypot", I, I, lambda a, b: np.hypot(a, b).astype("float32"), "float32"),
    ("logaddexp2", F, F[::-1], np.logaddexp2, "float32"),
    ("heaviside", F, np.float32(0.5), np.heaviside, "float32"),
    ("heaviside", I, I, lambda a, b: np.heaviside(a, b).astype("float32"), "float32"),
    ("nextafter", F, np.zeros_like(F) + 10, np.nextafter, "float32"),
    ("ldexp", F, np.array([1, 2, -1], "int32"), np.ldexp, "float32"),
    ("gcd", P, np.array([4, 6, 3], "int32"), np.gcd, "int32"),
    ("lcm", P, np.array([4, 6, 3], "int32"), np.lcm, "int32"),
    ("bitwise_and", I, P, np.bitwise_and, "int32"),
    ("bitwise_or", I, P, np.bitwise_or, "int32"),
    ("bitwise_xor", I, P, np.bitwise_xor, "int32"),
    ("bitwise_and", np.array([True, False]), np.array([True, True]), np.bitwise_and, "bool"),
    ("left_shift", P, np.array([1, 2, 3], "int32"), np.left_shift, "int32"),
    ("right_shift", P, np.array([1, 2, 3], "int32"), np.right_shift, "int32"),
    ("bitwise_left_shift", P, np.array([1, 0, 2], "int32"), np.left_shift, "int32"),
    ("bitwise_right_shift", P, np.array([1, 0, 2], "int32"), np.right_shift, "int32"),
]


@pytest.mark.parametrize("name,a,b,reference,dtype", BINARY,
                         ids=[f"{b[0]}-{b[1].dtype}" for b in BINARY])
def test_binary_matches_numpy(name, a, b, reference, dtype):
    check(getattr(O, name)(K.convert_to_tensor(a), K.convert_to_tensor(b)), reference(a, b),
          dtype)


def test_int_and_float_promote_by_the_table():
    assert K.standardize_dtype(O.fmod(K.convert_to_tensor(I), 2.0).dtype) == "float32"
    assert K.standardize_dtype(O.hypot(K.convert_to_tensor(I), 1).dtype) == "float32"
    check(O.fmod(K.convert_to_tensor(I), 2.5), np.fmod(I, 2.5).astype("float32"), "float32")


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmean", "nanvar", "nanstd",
                                  "nanmax", "nanmin"])
def test_nan_reductions_match_numpy(name):
    x = NAN[[0, 2]]  # rows with numbers
    check(getattr(O, name)(K.convert_to_tensor(x)), getattr(np, name)(x), "float32")
    check(getattr(O, name)(K.convert_to_tensor(x), axis=1, keepdims=True),
          getattr(np, name)(x, axis=1, keepdims=True), "float32")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns of the all-NaN row
def test_nan_reductions_of_all_nan_rows_and_ints():
    for name in ("nanmax", "nanmin", "nanmean", "nansum"):
        check(getattr(O, name)(K.convert_to_tensor(NAN), axis=1), getattr(np, name)(NAN, axis=1))
    check(O.nansum(K.convert_to_tensor(I), axis=0), I.sum(0), "int32")
    check(O.nanmax(K.convert_to_tensor(I)), I.max(), "int32")


def test_percentile_and_ptp():
    x = np.arange(12, dtype="float32").reshape(3, 4) ** 1.5
    check(O.percentile(K.convert_to_tensor(x), 30.0, axis=1), np.percentile(x, 30.0, axis=1),
          "float32", rtol=1e-4)
    check(O.percentile(K.convert_to_tensor(x), K.convert_to_tensor([10.0, 90.0])),
          np.percentile(x, [10.0, 90.0]), rtol=1e-4)
    check(O.ptp(K.convert_to_tensor(I), axis=1), np.ptp(I, axis=1), "int32")


def test_flips_rotations_and_products():
    x = np.arange(6, dtype="int32").reshape(2, 3)
    t = K.convert_to_tensor(x)
    check(O.flipud(t), np.flipud(x), "int32")
    check(O.fliplr(t), np.fliplr(x), "int32")
    check(O.rot90(t), np.rot90(x))
    check(O.rot90(t, k=3, axes=(1, 0)), np.rot90(x, 3, (1, 0)))
    check(O.kron(t, K.convert_to_tensor(np.eye(2, dtype="float32"))),
          np.kron(x, np.eye(2)), "float32")
    check(O.inner(K.convert_to_tensor(F), K.convert_to_tensor(F)), np.inner(F, F), "float32")
    check(O.diagflat(K.convert_to_tensor([1, 2]), k=1), np.diagflat([1, 2], 1), "int32")
    check(O.vander(K.convert_to_tensor([1, 2, 3]), 4), np.vander([1, 2, 3], 4), "int32")
    check(O.vander(K.convert_to_tensor([1.0, 2.0]), increasing=True),
          np.vander([1.0, 2.0], increasing=True), "float32")


def test_splits_and_dstack():
    x = np.arange(24, dtype="float32").reshape(2, 4, 3)
    t = K.convert_to_tensor(x)
    for ours, theirs in ((O.vsplit(t, 2), np.vsplit(x, 2)),
                         (O.hsplit(t, [1, 3]), np.hsplit(x, [1, 3])),
                         (O.dsplit(t, 3), np.dsplit(x, 3)),
                         (O.array_split(t, 3, axis=1), np.array_split(x, 3, axis=1)),
                         (O.array_split(t, [1], axis=2), np.array_split(x, [1], axis=2))):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            check(a, b)
    check(O.dstack([K.convert_to_tensor([1, 2]), K.convert_to_tensor([3.0, 4.0])]),
          np.dstack([[1, 2], [3.0, 4.0]]), "float32")


def test_integration_histogram_and_correlation():
    y = np.array([[1.0, 4.0, 9.0, 16.0], [2.0, 3.0, 5.0, 7.0]], "float32")
    check(O.trapezoid(K.convert_to_tensor(y)), np.trapezoid(y), "float32")
    check(O.trapezoid(K.convert_to_tensor(y), dx=0.5, axis=0), np.trapezoid(y, dx=0.5, axis=0))
    check(O.trapezoid(K.convert_to_tensor(y[0]), K.convert_to_tensor([0.0, 1.0, 3.0, 4.0])),
          np.trapezoid(y[0], [0.0, 1.0, 3.0, 4.0]))
    data = np.array([0.5, 1.0, 1.5, 2.0, 2.0, 3.7, 4.0, 9.0], "float32")
    counts, edges = O.histogram(K.convert_to_tensor(data), bins=4)
    ref_counts, ref_edges = np.histogram(data, bins=4)
    check(counts, ref_counts, "int32")
    check(edges, ref_edges, "float32")
    counts, edges = O.histogram(K.convert_to_tensor(data), bins=3, range=(1.0, 4.0))
    check(counts, np.histogram(data, 3, (1.0, 4.0))[0])
    check(O.corrcoef(K.convert_to_tensor(y)), np.corrcoef(y), "float32", rtol=1e-4)
    a, v = np.array([1.0, 2.0, 3.0, 0.5, -1.0], "float32"), np.array([0.0, 1.0, 0.5], "float32")
    for mode in ("valid", "same", "full"):
        check(O.correlate(K.convert_to_tensor(a), K.convert_to_tensor(v), mode=mode),
              np.correlate(a, v, mode), "float32")
        check(O.correlate(K.convert_to_tensor(v), K.convert_to_tensor(a), mode=mode),
              np.correlate(v, a, mode))


def test_sets_and_searches():
    x = np.array([3, 1, 4, 1, 5, 9, 2, 6], "int32")
    t = K.convert_to_tensor(x)
    check(O.isin(t, K.convert_to_tensor([1, 9])), np.isin(x, [1, 9]), "bool")
    check(O.isin(t, K.convert_to_tensor([1, 9]), invert=True), np.isin(x, [1, 9], invert=True))
    seq = np.array([1.0, 2.0, 2.0, 5.0], "float32")
    for side in ("left", "right"):
        check(O.searchsorted(K.convert_to_tensor(seq), K.convert_to_tensor([2.0, 0.0, 6.0]),
                             side=side), np.searchsorted(seq, [2.0, 0.0, 6.0], side), "int32")
    values, index, inverse, counts = O.unique(t, return_index=True, return_inverse=True,
                                              return_counts=True)
    ref = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for ours, theirs in zip((values, index, inverse, counts), ref):
        check(ours, theirs)
    check(O.unique(t, size=8, fill_value=-1), np.concatenate([np.unique(x), [-1]]))
    rows, cols = O.unravel_index(K.convert_to_tensor([5, 3, 0]), (2, 3))
    ref_rows, ref_cols = np.unravel_index([5, 3, 0], (2, 3))
    check(rows, ref_rows, "int32")
    check(cols, ref_cols, "int32")


def test_in_top_k_and_segments():
    predictions = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.3, 0.3, 0.4]], "float32")
    check(O.in_top_k(K.convert_to_tensor([1, 2, 0]), K.convert_to_tensor(predictions), 1),
          [True, False, False], "bool")
    check(O.in_top_k(K.convert_to_tensor([1, 2, 0]), K.convert_to_tensor(predictions), 2),
          [True, False, True])
    data = np.array([[1.0, -2.0], [3.0, 5.0], [-4.0, 0.5], [2.0, 2.0]], "float32")
    ids = np.array([0, 0, 2, 2], "int32")
    for name, ufunc, fill in (("segment_max", np.maximum, -np.inf),
                              ("segment_min", np.minimum, np.inf),
                              ("segment_prod", np.multiply, 1.0)):
        expected = np.full((3, 2), fill, "float32")
        ufunc.at(expected, ids, data)
        check(getattr(O, name)(K.convert_to_tensor(data), K.convert_to_tensor(ids), 3),
              expected, "float32")
    check(O.segment_max(K.convert_to_tensor([3, 1, 2]), K.convert_to_tensor([1, 0, 1])),
          [1, 3], "int32")


def test_saturate_cast_clips_to_the_target_range():
    check(O.saturate_cast(K.convert_to_tensor([-3.0, 127.9, 400.0]), "uint8"), [0, 127, 255],
          "uint8")
    check(O.saturate_cast(K.convert_to_tensor([-300, 5, 300]), "int8"), [-128, 5, 127], "int8")
    big = O.saturate_cast(K.convert_to_tensor([3e9, -3e9]), "int32")
    check(big, [np.iinfo("int32").max - 127, np.iinfo("int32").min], "int32")
    check(O.saturate_cast(K.convert_to_tensor([1e5], "float32"), "float16"),
          [np.finfo("float16").max], "float16")


def test_erf_agrees_with_math():
    x = [0.1, -0.7, 2.0]
    check(O.erf(K.convert_to_tensor(x)), [math.erf(v) for v in x])


def test_symbolic_shapes():
    a, n = Input((3,)), Input((4,), dtype="int32")
    assert O.erf(a).shape == (None, 3)
    assert O.hypot(a, a).dtype == "float32"
    assert O.bitwise_and(n, n).shape == (None, 4)
    assert O.nanmean(a, axis=1).shape == (None,)
    assert O.percentile(a, 50.0, axis=1).shape == (None,)
    assert O.flipud(a).shape == (None, 3)
    assert O.kron(a, K.ones((2, 2))).shape == (None, 6)
    assert [p.shape for p in O.hsplit(n, 2)] == [(None, 2), (None, 2)]
    assert O.dstack([a, a]).shape == (None, 3, 2)
    assert O.in_top_k(Input((), dtype="int32"), a, 2).shape == (None,)
    rows = Input(batch_shape=(3, 5))
    assert O.segment_max(rows, K.convert_to_tensor([0, 0, 1]), 2).shape == (2, 5)
    assert O.saturate_cast(a, "uint8").dtype == "uint8"


MORE_UNARY = [
    ("erfc", F, special.erfc, "float32"),
    ("i0", F, lambda x: np.i0(x.astype("float64")), "float32"),
    ("angle", F, np.angle, "float32"),
    ("fabs", I, np.fabs, "float32"),
    ("conjugate", F, np.conjugate, "float32"),
]


@pytest.mark.parametrize("name,x,reference,dtype", MORE_UNARY, ids=[u[0] for u in MORE_UNARY])
def test_more_unary_functions_match_numpy(name, x, reference, dtype):
    check(getattr(O, name)(K.convert_to_tensor(x)), reference(x), dtype)


def test_nan_ignoring_extrema_cumulative_and_quantiles():
    a = np.array([1.0, np.nan, -2.0, np.nan], "float32")
    b = np.array([np.nan, 5.0, -3.0, np.nan], "float32")
    check(O.fmax(K.convert_to_tensor(a), K.convert_to_tensor(b)), np.fmax(a, b), "float32")
    check(O.fmin(K.convert_to_tensor(a), K.convert_to_tensor(b)), np.fmin(a, b), "float32")
    x = NAN[[0, 2]]
    t = K.convert_to_tensor(x)
    check(O.nanargmax(t, axis=1), np.nanargmax(x, axis=1), "int32")
    check(O.nanargmin(t), np.nanargmin(x), "int32")
    check(O.nancumsum(t, axis=1), np.nancumsum(x, axis=1), "float32")
    check(O.nancumprod(t), np.nancumprod(x), "float32")
    check(O.nanmedian(t, axis=1), np.nanmedian(x, axis=1), "float32")
    check(O.nanquantile(t, 0.3, axis=1, keepdims=True),
          np.nanquantile(x, 0.3, axis=1, keepdims=True), "float32")
    check(O.nanpercentile(t, 75.0), np.nanpercentile(x, 75.0), "float32")


def test_windows_geomspace_cdist_allclose_and_argpartition():
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        check(getattr(O, name)(6), getattr(np, name)(6), "float32")
    check(O.kaiser(6, 3.0), np.kaiser(6, 3.0), "float32")
    check(O.geomspace(2.0, 32.0, 5), np.geomspace(2.0, 32.0, 5), "float32")
    check(O.geomspace(-1.0, -100.0, 3, endpoint=False), np.geomspace(-1.0, -100.0, 3, False))
    x, y = F, np.array([[0.0, 1.0, 2.0]], "float32")
    expected = np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1))
    check(O.cdist(K.convert_to_tensor(x), K.convert_to_tensor(y)), expected, "float32")
    assert bool(O.allclose(K.convert_to_tensor(F), K.convert_to_tensor(F + 1e-9)))
    assert not bool(O.allclose(K.convert_to_tensor(F), K.convert_to_tensor(F + 1e-3)))
    assert K.int_shape(O.empty_like(K.convert_to_tensor(I), dtype="float16")) == (2, 3)
    v = np.array([7.0, 1.0, 5.0, 3.0, 9.0], "float32")
    index = K.convert_to_numpy(O.argpartition(K.convert_to_tensor(v), 2))
    assert index.dtype == np.int32 and sorted(index.tolist()) == list(range(5))
    assert v[index[2]] == np.sort(v)[2]
    assert (v[index[:2]] <= v[index[2]]).all() and (v[index[3:]] >= v[index[2]]).all()


def test_more_symbolic_shapes():
    a = Input((3,))
    assert O.fmax(a, a).shape == (None, 3)
    assert O.nanquantile(a, 0.5, axis=1).shape == (None,)
    assert O.nanargmax(a, axis=1).shape == (None,)
    assert O.cdist(Input((4, 3)), Input((5, 3))).shape == (None, 4, 5)
    assert O.argpartition(a, 1).shape == (None, 3)


def test_unique_inside_a_compiled_function_needs_a_size():
    if K.backend() != "jax":
        pytest.skip("only JAX compiles eager K functions")
    import jax
    x = K.convert_to_tensor([3, 1, 3])
    with pytest.raises(ValueError, match="unique: inside a compiled function"):
        jax.jit(lambda v: O.unique(v))(x)
    sized = jax.jit(lambda v: O.unique(v, size=3, fill_value=0))(x)
    np.testing.assert_array_equal(np.asarray(sized), [1, 3, 0])


@pytest.mark.parametrize("pattern,lengths,reference", [
    ("b h w c -> b c h w", {}, lambda x: x.transpose(0, 3, 1, 2)),
    ("b h w c -> (b h) w c", {}, lambda x: x.reshape(8, 2, 3)),
    ("b h w c -> b (c h w)", {}, lambda x: x.transpose(0, 3, 1, 2).reshape(2, 24)),
    ("b (h1 h) w c -> (b h1) h w c", {"h1": 2},
     lambda x: x.reshape(2, 2, 2, 2, 3).reshape(4, 2, 2, 3)),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 2, "w1": 2},
     lambda x: x.reshape(2, 2, 2, 1, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(2, 2, 1, 12)),
])
def test_rearrange_matches_numpy_reshapes(pattern, lengths, reference):
    x = np.arange(48, dtype="float32").reshape(2, 4, 2, 3)
    check(O.rearrange(K.convert_to_tensor(x), pattern, **lengths), reference(x), "float32")


def test_rearrange_symbolic_and_errors():
    assert O.rearrange(Input((4, 6)), "b t (h d) -> b h t d", h=2).shape == (None, 2, 4, 3)
    x = K.convert_to_tensor(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="must name the same axes"):
        O.rearrange(x, "a b -> a c")
    with pytest.raises(ValueError, match="needs the lengths of all but one"):
        O.rearrange(x, "a (b c) -> a b c")
    with pytest.raises(ValueError, match="describes 3 axes"):
        O.rearrange(x, "a b c -> a b c")


def test_view_reads_the_bits_as_another_dtype():
    x = np.array([[1.0, -2.5], [0.5, 3.0]], "float32")
    check(O.view(K.convert_to_tensor(x), "int32"), x.view("int32"), "int32")
    check(O.view(K.convert_to_tensor(x), "uint8"), x.view("uint8"), "uint8")
    check(O.view(K.convert_to_tensor(x), "float64"), x.view("float64"), "float64")
    check(O.view(K.convert_to_tensor(x)), x, "float32")
    assert O.view(Input((4,)), "int16").shape == (None, 8)
