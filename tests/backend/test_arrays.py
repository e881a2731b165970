"""K's array functions (ops/arrays.py) and core functions (ops/core.py: cast, indexing,
scatter, segment sums, control flow, vectorized_map, unstack) against NumPy.

Functions are taken from :mod:`lamina.ops` (Keras 3's, that is NumPy's, signatures);
each check covers the values and the exact result dtype.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lamina import backend as K
from lamina import ops as O

SHAPES = [(1,), (4,), (2, 3), (3, 1), (2, 1, 4), (2, 3, 4)]
shapes = st.sampled_from(SHAPES)


def float_arrays(shape=shapes):
    return hnp.arrays(np.float32, shape, elements=st.floats(-10, 10, width=32))


def T(x, dtype=None):
    return K.convert_to_tensor(x, dtype=dtype)


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def check(result, expected, dtype, rtol=1e-5, atol=1e-6):
    assert K.dtype(result) == dtype, f"dtype {K.dtype(result)}, expected {dtype}"
    got, expected = N(result), np.asarray(expected)
    assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape}"
    if dtype == "bool" or "int" in dtype:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got.astype("float64"), expected.astype("float64"),
                                   rtol=rtol, atol=atol)


A = np.arange(24, dtype="float32").reshape(2, 3, 4) - 7.5
I = np.arange(6, dtype="int32").reshape(2, 3)


# -- creation -------------------------------------------------------------------
def test_zeros_ones_empty_full():
    check(O.zeros((2, 3)), np.zeros((2, 3)), "float32")
    check(O.ones(3), np.ones(3), "float32")
    check(O.zeros((2,), dtype="int32"), [0, 0], "int32")
    check(O.ones((2, 1), dtype="bool"), [[True], [True]], "bool")
    check(O.empty((2, 2)), np.zeros((2, 2)), "float32")
    check(O.full((2,), 7.0), [7.0, 7.0], "float32")
    check(O.full((2,), 7), [7, 7], "int32")
    check(O.full((2,), True), [True, True], "bool")
    check(O.full((2, 2), 1.5, dtype="float16"), np.full((2, 2), 1.5), "float16")


def test_like_constructors_keep_shape_and_dtype():
    check(O.zeros_like(T(I)), np.zeros_like(I), "int32")
    check(O.ones_like(T(A)), np.ones_like(A), "float32")
    check(O.ones_like(T(I), dtype="float32"), np.ones(I.shape), "float32")
    check(O.full_like(T(I), 3), np.full(I.shape, 3), "int32")
    check(O.full_like(T(A), 2.5), np.full(A.shape, 2.5), "float32")


def test_eye_identity_tri():
    check(O.eye(3), np.eye(3), "float32")
    check(O.eye(2, 3, k=1), np.eye(2, 3, k=1), "float32")
    check(O.eye(3, dtype="int32"), np.eye(3), "int32")
    check(O.identity(2), np.identity(2), "float32")
    check(O.tri(3), np.tri(3), "float32")
    check(O.tri(2, 4, k=1), np.tri(2, 4, k=1), "float32")


def test_arange_dtypes():
    check(O.arange(5), np.arange(5), "int32")
    check(O.arange(2, 9, 3), np.arange(2, 9, 3), "int32")
    check(O.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25), "float32")
    check(O.arange(0, 2, 0.5), np.arange(0, 2, 0.5), "float32")
    check(O.arange(4, dtype="float32"), np.arange(4), "float32")
    check(O.arange(5, 0, -2), [5, 3, 1], "int32")


def test_array_and_convert_to_tensor():
    check(O.array([1, 2]), [1, 2], "int32")
    check(O.array([1.0, 2.0]), [1.0, 2.0], "float32")
    check(O.array([[True, False]]), [[True, False]], "bool")
    check(O.array([1, 2], dtype="float32"), [1.0, 2.0], "float32")
    check(O.array(np.ones(2, "float64")), [1.0, 1.0], "float64")


def test_linspace_logspace():
    check(O.linspace(0.0, 1.0, 5), np.linspace(0, 1, 5), "float32")
    check(O.linspace(0, 10, 4, endpoint=False), np.linspace(0, 10, 4, endpoint=False),
          "float32")
    check(O.logspace(0.0, 2.0, 3), [1.0, 10.0, 100.0], "float32", rtol=1e-5)
    check(O.logspace(0.0, 3.0, 4, base=2), [1.0, 2.0, 4.0, 8.0], "float32")


def test_meshgrid():
    x, y = np.arange(3, dtype="float32"), np.arange(2, dtype="float32")
    for indexing in ("xy", "ij"):
        got = O.meshgrid(T(x), T(y), indexing=indexing)
        want = np.meshgrid(x, y, indexing=indexing)
        assert len(got) == 2
        for g, w in zip(got, want):
            check(g, w, "float32")


# -- shape manipulation -----------------------------------------------------------
@given(x=float_arrays(), data=st.data())
def test_reshape_ravel_transpose(x, data):
    check(O.reshape(T(x), (-1,)), x.reshape(-1), "float32")
    check(O.reshape(T(x), (x.size, 1)), x.reshape(x.size, 1), "float32")
    check(O.ravel(T(x)), x.ravel(), "float32")
    check(O.transpose(T(x)), x.T, "float32")
    axes = data.draw(st.permutations(range(x.ndim)))
    check(O.transpose(T(x), axes), np.transpose(x, axes), "float32")


@given(x=float_arrays(), data=st.data())
def test_axis_moves(x, data):
    a = data.draw(st.integers(-x.ndim, x.ndim - 1))
    b = data.draw(st.integers(-x.ndim, x.ndim - 1))
    check(O.moveaxis(T(x), a, b), np.moveaxis(x, a, b), "float32")
    check(O.swapaxes(T(x), a, b), np.swapaxes(x, a, b), "float32")
    e = data.draw(st.integers(-x.ndim - 1, x.ndim))
    check(O.expand_dims(T(x), e), np.expand_dims(x, e), "float32")
    check(O.flip(T(x), a), np.flip(x, a), "float32")
    check(O.flip(T(x)), np.flip(x), "float32")
    shift = data.draw(st.integers(-5, 5))
    check(O.roll(T(x), shift, axis=a), np.roll(x, shift, axis=a), "float32")
    check(O.roll(T(x), shift), np.roll(x, shift), "float32")


def test_squeeze():
    x = np.zeros((1, 3, 1, 2), "float32")
    check(O.squeeze(T(x)), np.squeeze(x), "float32")
    check(O.squeeze(T(x), axis=2), np.squeeze(x, axis=2), "float32")
    check(O.squeeze(T(x), axis=(0, 2)), np.squeeze(x, axis=(0, 2)), "float32")
    check(O.expand_dims(T(I), (0, 3)), np.expand_dims(I, (0, 3)), "int32")


def test_broadcast_to_tile_repeat():
    x = np.array([[1.0], [2.0]], "float32")
    check(O.broadcast_to(T(x), (3, 2, 4)), np.broadcast_to(x, (3, 2, 4)), "float32")
    check(O.tile(T(I), (2, 1)), np.tile(I, (2, 1)), "int32")
    check(O.tile(T(I), 2), np.tile(I, 2), "int32")
    check(O.tile(T(I), (2, 1, 2)), np.tile(I, (2, 1, 2)), "int32")
    check(O.repeat(T(I), 2), np.repeat(I, 2), "int32")
    check(O.repeat(T(I), 3, axis=1), np.repeat(I, 3, axis=1), "int32")
    check(O.repeat(T(I), T(np.array([1, 0], "int32")), axis=0),
          np.repeat(I, [1, 0], axis=0), "int32")


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric", "edge"])
def test_pad(mode):
    widths = [(1, 2), (0, 1), (2, 0)]
    check(O.pad(T(A), widths, mode=mode), np.pad(A, widths, mode=mode), "float32")
    check(O.pad(T(I), [(1, 1), (2, 2)], mode=mode), np.pad(I, [(1, 1), (2, 2)], mode=mode),
          "int32")


def test_pad_with_constant_values():
    check(O.pad(T(I), [(1, 0), (0, 1)], constant_values=-1),
          np.pad(I, [(1, 0), (0, 1)], constant_values=-1), "int32")
    with pytest.raises(ValueError, match="constant_values"):
        O.pad(T(I), [(1, 1), (1, 1)], mode="reflect", constant_values=3)


def test_triangles_and_diagonals():
    m = np.arange(12, dtype="float32").reshape(3, 4)
    for k in (-1, 0, 2):
        check(O.tril(T(m), k), np.tril(m, k), "float32")
        check(O.triu(T(m), k), np.triu(m, k), "float32")
        check(O.diag(T(m), k), np.diag(m, k), "float32")
        check(O.diagonal(T(m), k), np.diagonal(m, k), "float32")
    check(O.diag(T(np.array([1, 2], "int32"))), np.diag([1, 2]), "int32")
    check(O.diag(T(np.array([1.0, 2.0], "float32")), 1), np.diag([1.0, 2.0], 1), "float32")
    check(O.diagonal(T(A), 0, 1, 2), np.diagonal(A, 0, 1, 2), "float32")
    check(O.tril(T(A)), np.tril(A), "float32")


def test_concatenate_stack_and_friends():
    a, b = A[:, :2], A[:, 2:]
    check(O.concatenate([T(a), T(b)], axis=1), A, "float32")
    check(O.concatenate([T(A), T(A)]), np.concatenate([A, A]), "float32")
    check(O.concatenate([T(A), T(A)], axis=-1), np.concatenate([A, A], -1), "float32")
    check(O.concatenate([T(I), T(I.astype("float32"))]),
          np.concatenate([I, I]).astype("float32"), "float32")
    check(O.stack([T(I), T(I)]), np.stack([I, I]), "int32")
    check(O.stack([T(I), T(I)], axis=-1), np.stack([I, I], -1), "int32")
    check(O.hstack([T(I), T(I)]), np.hstack([I, I]), "int32")
    check(O.vstack([T(I), T(I)]), np.vstack([I, I]), "int32")
    check(O.hstack([T(I[0]), T(I[1].astype("float32"))]),
          np.hstack([I[0], I[1]]).astype("float32"), "float32")
    check(O.append(T(I), T(I)), np.append(I, I), "int32")
    check(O.append(T(I), T(I), axis=0), np.append(I, I, axis=0), "int32")


def test_split_and_unstack():
    parts = O.split(T(A), 2)
    assert len(parts) == 2
    for got, want in zip(parts, np.split(A, 2)):
        check(got, want, "float32")
    parts = O.split(T(A), [1, 3], axis=-1)
    assert len(parts) == 3
    for got, want in zip(parts, np.split(A, [1, 3], axis=-1)):
        check(got, want, "float32")
    for axis in (0, 1, -1):
        rows = O.unstack(T(A), axis=axis)
        assert len(rows) == A.shape[axis]
        for i, row in enumerate(rows):
            check(row, np.take(A, i, axis=axis), "float32")


def test_copy_is_a_copy():
    x = np.array([1.0, 2.0], "float32")
    y = O.copy(T(x))
    check(y, x, "float32")
    x[0] = 99.0
    assert N(y)[0] == 1.0


def test_nonzero():
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 3.0]], "float32")
    got = O.nonzero(T(x))
    want = np.nonzero(x)
    assert len(got) == 2
    for g, w in zip(got, want):
        check(g, w, "int32")


def test_select():
    x = np.arange(6, dtype="int32")
    cond = [x < 2, x > 3]
    choice = [x, x * 10]
    check(O.select([T(c) for c in cond], [T(c) for c in choice]), np.select(cond, choice),
          "int32")
    check(O.select([T(c) for c in cond], [T(c) for c in choice], -1),
          np.select(cond, choice, -1), "int32")


@given(x=float_arrays(), data=st.data())
def test_take(x, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    n = x.size if axis is None else x.shape[axis]
    idx = data.draw(hnp.arrays(np.int32, st.sampled_from([(3,), (2, 2)]),
                               elements=st.integers(0, n - 1)))
    check(O.take(T(x), T(idx), axis=axis), np.take(x, idx, axis=axis), "float32")


def test_take_with_negative_indices_and_lists():
    check(O.take(T(A), T(np.array([-1, 0], "int32")), axis=1),
          np.take(A, [-1, 0], axis=1), "float32")
    check(O.take(T(I), [2, 0]), np.take(I, [2, 0]), "int32")


@given(x=float_arrays(st.sampled_from([(2, 3), (2, 3, 4)])), data=st.data())
def test_take_along_axis(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    idx = np.argsort(x, axis=axis).astype("int32")
    check(O.take_along_axis(T(x), T(idx), axis=axis), np.take_along_axis(x, idx, axis=axis),
          "float32")


# -- core: cast, indexing, slices, scatter ------------------------------------------
@pytest.mark.parametrize("dtype", ["bool", "int8", "int32", "int64", "uint8", "float16",
                                   "float32", "float64"])
def test_cast(dtype):
    x = np.array([0.0, 1.5, 2.7, 3.0], "float32")
    if dtype not in ("bool", "uint8"):
        x = x - 1.0
    check(O.cast(T(x), dtype), x.astype(dtype), dtype, rtol=1e-3)
    check(O.cast(T(np.array([0, 3], "int32")), dtype), np.array([0, 3]).astype(dtype), dtype)


@pytest.mark.parametrize("key", [
    0, -1, (1, 2), (slice(None), 1), (Ellipsis, 0), (None, 0), (slice(0, 2), None, slice(1, 3)),
    (0, slice(None, None, -1)), (slice(None, None, 2),), (Ellipsis, slice(1, 3)),
])
def test_get_item_basic(key):
    check(O.get_item(T(A), key), A[key], "float32")


def test_get_item_with_int_and_bool_arrays():
    idx = np.array([1, 0, 1], "int32")
    check(O.get_item(T(A), T(idx)), A[idx], "float32")
    check(O.get_item(T(A), (slice(None), T(idx))), A[:, idx], "float32")
    mask = A[..., 0] > 0
    check(O.get_item(T(A), T(mask)), A[mask], "float32")
    check(O.get_item(T(I), [1, 0]), I[[1, 0]], "int32")


@given(x=float_arrays(st.sampled_from([(4,), (3, 4), (2, 3, 4)])), data=st.data())
def test_slice_and_slice_update(x, data):
    start = tuple(data.draw(st.integers(0, d - 1)) for d in x.shape)
    size = tuple(data.draw(st.integers(1, d - s)) for d, s in zip(x.shape, start))
    index = tuple(slice(s, s + n) for s, n in zip(start, size))
    check(O.slice(T(x), start, size), x[index], "float32")
    updates = np.full(size, 42.0, "float32")
    expected = x.copy()
    expected[index] = updates
    check(O.slice_update(T(x), start, T(updates)), expected, "float32")


def test_slice_update_does_not_change_the_input():
    x = T(np.zeros(4, "float32"))
    y = O.slice_update(x, (1,), T(np.ones(2, "float32")))
    check(x, np.zeros(4), "float32")
    check(y, [0.0, 1.0, 1.0, 0.0], "float32")


def test_scatter_adds_repeated_indices():
    indices = np.array([[0, 1], [2, 0], [0, 1]], "int32")
    values = np.array([1.0, 2.0, 5.0], "float32")
    expected = np.zeros((3, 2), "float32")
    np.add.at(expected, (indices[:, 0], indices[:, 1]), values)
    check(O.scatter(T(indices), T(values), (3, 2)), expected, "float32")
    rows = O.scatter(T(np.array([[1]], "int32")), T(np.ones((1, 3), "int32")), (2, 3))
    check(rows, [[0, 0, 0], [1, 1, 1]], "int32")


def test_scatter_update_sets_entries():
    x = np.zeros((3, 2), "float32")
    indices = np.array([[0, 1], [2, 0]], "int32")
    updates = np.array([7.0, 8.0], "float32")
    expected = x.copy()
    expected[indices[:, 0], indices[:, 1]] = updates
    check(O.scatter_update(T(x), T(indices), T(updates)), expected, "float32")
    check(O.scatter_update(T(x), T(np.array([[1]], "int32")), T(np.ones((1, 2), "float32"))),
          [[0, 0], [1, 1], [0, 0]], "float32")


@given(data=st.data())
def test_segment_sum(data):
    n = data.draw(st.sampled_from([3, 6]))
    x = data.draw(float_arrays(st.just((n, 2))))
    ids = data.draw(hnp.arrays(np.int32, n, elements=st.integers(0, 3)))
    expected = np.zeros((4, 2), "float64")
    np.add.at(expected, ids, x.astype("float64"))
    check(O.segment_sum(T(x), T(ids), 4), expected, "float32", rtol=1e-5, atol=1e-5)
    ids_sorted = np.sort(ids)
    expected = np.zeros((4, 2), "float64")
    np.add.at(expected, ids_sorted, x.astype("float64"))
    check(O.segment_sum(T(x), T(ids_sorted), 4, sorted=True), expected, "float32",
          rtol=1e-5, atol=1e-5)


# -- core: control flow ---------------------------------------------------------------
def test_cond_picks_a_branch():
    yes = O.cond(T(True), lambda: O.ones(2), lambda: O.zeros(2))
    no = O.cond(T(False), lambda: O.ones(2), lambda: O.zeros(2))
    check(yes, [1.0, 1.0], "float32")
    check(no, [0.0, 0.0], "float32")
    x = T(np.array(3.0, "float32"))
    check(O.cond(O.greater(x, 0.0), lambda: x * 2.0, lambda: -x), 6.0, "float32")


def test_while_loop():
    i, total = O.while_loop(lambda i, t: O.less(i, 5), lambda i, t: (i + 1, t + i),
                            (T(0), T(0)))
    assert int(N(i)) == 5 and int(N(total)) == 10
    (x,) = O.while_loop(lambda x: O.less(O.sum(x), 10.0), lambda x: (x * 2.0,),
                        [T(np.ones(2, "float32"))])
    check(x, [8.0, 8.0], "float32")
    only = O.while_loop(lambda i: O.less(i, 100), lambda i: i + 1, T(0), maximum_iterations=7)
    assert int(N(only)) == 7


def test_fori_loop():
    out = O.fori_loop(0, 5, lambda i, acc: acc + O.cast(i, "float32"), T(np.float32(1.0)))
    check(out, 11.0, "float32")
    vec = O.fori_loop(1, 4, lambda i, v: v * 2.0, T(np.ones(3, "float32")))
    check(vec, [8.0, 8.0, 8.0], "float32")


def test_scan_accumulates_and_stacks():
    xs = np.arange(1, 5, dtype="float32")
    carry, ys = O.scan(lambda c, x: (c + x, c * x), T(np.float32(0.0)), T(xs))
    check(carry, xs.sum(), "float32")
    check(ys, [0.0, 2.0, 9.0, 24.0], "float32")
    carry, ys = O.scan(lambda c, x: (c + x, c + x), T(np.float32(0.0)), T(xs), reverse=True)
    check(carry, 10.0, "float32")
    check(ys, [10.0, 9.0, 7.0, 4.0], "float32")


def test_scan_over_structures():
    xs = {"a": T(np.ones((3, 2), "float32")), "b": T(np.arange(3, dtype="float32"))}
    carry, ys = O.scan(lambda c, x: (c + x["a"] * x["b"], x["b"] * 2.0),
                       T(np.zeros(2, "float32")), xs)
    check(carry, [3.0, 3.0], "float32")
    check(ys, [0.0, 2.0, 4.0], "float32")


def test_stop_gradient_keeps_values():
    check(O.stop_gradient(T(A)), A, "float32")
    check(O.stop_gradient(T(I)), I, "int32")


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
def test_stop_gradient_blocks_the_gradient():
    grad = K.grad(lambda x: O.sum(x * O.stop_gradient(x)))(T(np.array([1.0, 2.0], "float32")))
    check(grad, [1.0, 2.0], "float32")


def test_vectorized_map():
    check(O.vectorized_map(lambda row: O.sum(row * row), T(A)),
          np.sum(A * A, axis=(1, 2)), "float32", rtol=1e-5)
    check(O.vectorized_map(lambda row: O.get_item(row, slice(None, None, -1)), T(I)),
          I[:, ::-1], "int32")
