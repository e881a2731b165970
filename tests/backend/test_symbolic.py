"""Symbolic tensors: shape and dtype inference for every catalogue function, operators,
symbolic shapes feeding other functions, graph evaluation and graph-building errors.

For each function, the inferred shape (None where unknown) and dtype must match what
the function returns on concrete arrays of two different batch sizes (and two
sequence lengths where the input has an unknown sequence dimension).
"""

import numpy as np
import pytest

from lamina import backend as K
from lamina import ops as O
from lamina.backend import symbolic, tree

# name -> (shape without the batch dimension, dtype); None in a shape is a sequence length
INPUTS = {
    "x": ((3, 4), "float32"),
    "s": ((None, 4), "float32"),
    "v": ((4,), "float32"),
    "m": ((4, 4), "float32"),
    "p": ((3,), "float32"),
    "i": ((3,), "int32"),
    "b": ((3,), "bool"),
}
FILLS = ((2, 3), (5, 6))

W = np.linspace(-1, 1, 20).reshape(4, 5).astype("float32")
ROW = np.linspace(0.5, 2.0, 4).astype("float32")


def concrete(name, batch, seq):
    shape, dtype = INPUTS[name]
    full = (batch,) + tuple(seq if d is None else d for d in shape)
    rng = np.random.default_rng(batch)
    if dtype == "bool":
        return K.convert_to_tensor(rng.random(full) > 0.5)
    if dtype == "int32":
        return K.convert_to_tensor(rng.integers(0, 3, full).astype("int32"))
    return K.convert_to_tensor((rng.random(full) + 0.5).astype("float32"))


UNARY = ["abs", "absolute", "arccos", "arcsin", "arctan", "arccosh", "arcsinh", "arctanh",
         "ceil", "conj", "cos", "cosh", "exp", "expm1", "floor", "imag", "isfinite", "isinf",
         "isnan", "log", "log10", "log1p", "log2", "logical_not", "negative", "real",
         "reciprocal", "round", "rsqrt", "sign", "sin", "sinh", "sqrt", "square", "tan", "tanh",
         "copy", "ravel", "transpose", "flip", "zeros_like", "ones_like", "stop_gradient",
         "nan_to_num", "squeeze", "sort", "argsort"]
BINARY = ["add", "arctan2", "divide", "divide_no_nan", "equal", "floor_divide", "greater",
          "greater_equal", "less", "less_equal", "logaddexp", "logical_and", "logical_or",
          "logical_xor", "maximum", "minimum", "mod", "multiply", "not_equal", "power",
          "subtract", "true_divide", "isclose"]
REDUCTIONS = ["all", "any", "amax", "amin", "argmax", "argmin", "max", "mean", "median", "min",
              "prod", "std", "sum", "var", "logsumexp", "count_nonzero"]

CASES = (
    [(f"{n}", lambda x, n=n: getattr(O, n)(x), ["s"]) for n in UNARY]
    + [(f"{n}-sym-sym", lambda a, b, n=n: getattr(O, n)(a, b), ["x", "x"]) for n in BINARY]
    + [(f"{n}-sym-array", lambda a, n=n: getattr(O, n)(a, ROW), ["s"]) for n in BINARY]
    + [(f"{n}-scalar", lambda a, n=n: getattr(O, n)(a, 2.0), ["s"]) for n in BINARY]
    + [(f"{n}-axis{ax}-{kd}", lambda x, n=n, ax=ax, kd=kd: getattr(O, n)(x, axis=ax, keepdims=kd),
        ["s"]) for n in REDUCTIONS if n != "count_nonzero"
       for ax, kd in [(None, False), (1, False), (-1, True)]]
    + [(f"{n}-int", lambda x, n=n: getattr(O, n)(x, axis=-1), ["i"])
       for n in ("sum", "prod", "mean", "max", "argmax", "count_nonzero", "cumsum")]
    + [
        ("cumsum", lambda x: O.cumsum(x, axis=1), ["s"]),
        ("cumprod", lambda x: O.cumprod(x, axis=-1), ["s"]),
        ("average", lambda x: O.average(x, axis=1), ["s"]),
        ("average-weights", lambda x: O.average(x, axis=-1, weights=ROW), ["s"]),
        ("quantile", lambda x: O.quantile(x, 0.3, axis=1), ["s"]),
        ("norm", lambda x: O.norm(x, axis=-1), ["s"]),
        ("norm-all", lambda x: O.norm(x), ["x"]),
        ("clip", lambda x: O.clip(x, 0.7, 1.2), ["s"]),
        ("where", lambda b, x: O.where(b, x, 0.0), ["b", "p"]),
        ("where-int", lambda b, i: O.where(b, i, 7), ["b", "i"]),
        ("matmul", lambda x: O.matmul(x, W), ["s"]),
        ("matmul-batch", lambda a, b: O.matmul(a, O.transpose(b, (0, 2, 1))), ["x", "x"]),
        ("dot", lambda x: O.dot(x, W), ["s"]),
        ("einsum", lambda x: O.einsum("btd,de->bte", x, W), ["s"]),
        ("einsum-two", lambda a, b: O.einsum("bij,bkj->bik", a, b), ["x", "x"]),
        ("tensordot", lambda x: O.tensordot(x, W, axes=1), ["s"]),
        ("outer", lambda a, b: O.outer(a, b), ["v", "p"]),
        ("vdot", lambda a, b: O.vdot(a, b), ["v", "v"]),
        ("cross", lambda a, b: O.cross(a, b), ["p", "p"]),
        ("trace", lambda m: O.trace(m, axis1=1, axis2=2), ["m"]),
        ("diff", lambda x: O.diff(x, axis=1), ["s"]),
        ("digitize", lambda x: O.digitize(x, np.array([0.8, 1.2], "float32")), ["s"]),
        ("top_k", lambda x: O.top_k(x, 2), ["s"]),
        ("round-decimals", lambda x: O.round(x, 1), ["s"]),
        ("append", lambda a, b: O.append(a, b, axis=1), ["s", "s"]),
        ("append-flat", lambda a, b: O.append(a, b), ["x", "x"]),
        ("concatenate", lambda a, b: O.concatenate([a, b], axis=-1), ["s", "s"]),
        ("concatenate-batch", lambda a, b: O.concatenate([a, b], axis=0), ["x", "x"]),
        ("stack", lambda a, b: O.stack([a, b], axis=1), ["s", "s"]),
        ("hstack", lambda a, b: O.hstack([a, b]), ["x", "x"]),
        ("vstack", lambda a, b: O.vstack([a, b]), ["x", "x"]),
        ("split", lambda x: O.split(x, 2, axis=-1), ["s"]),
        ("unstack", lambda x: O.unstack(x, axis=1), ["x"]),
        ("diagonal", lambda m: O.diagonal(m, axis1=1, axis2=2), ["m"]),
        ("tril", lambda m: O.tril(m), ["m"]),
        ("triu", lambda m: O.triu(m, 1), ["m"]),
        ("expand_dims", lambda x: O.expand_dims(x, 1), ["s"]),
        ("squeeze-axis", lambda x: O.squeeze(O.expand_dims(x, -1), axis=-1), ["s"]),
        ("moveaxis", lambda x: O.moveaxis(x, 0, -1), ["s"]),
        ("swapaxes", lambda x: O.swapaxes(x, 1, 2), ["s"]),
        ("transpose-axes", lambda x: O.transpose(x, (1, 0, 2)), ["s"]),
        ("flip-axis", lambda x: O.flip(x, 1), ["s"]),
        ("roll", lambda x: O.roll(x, 1, axis=1), ["s"]),
        ("pad", lambda x: O.pad(x, [(0, 0), (1, 2), (0, 1)]), ["s"]),
        ("pad-reflect", lambda x: O.pad(x, [(0, 0), (1, 1), (0, 0)], mode="reflect"), ["x"]),
        ("repeat", lambda x: O.repeat(x, 2, axis=2), ["s"]),
        ("repeat-flat", lambda x: O.repeat(x, 2), ["x"]),
        ("tile", lambda x: O.tile(x, (1, 2, 1)), ["s"]),
        ("reshape", lambda x: O.reshape(x, (-1, 12)), ["x"]),
        ("reshape-all", lambda x: O.reshape(x, (-1,)), ["s"]),
        ("take", lambda x: O.take(x, np.array([0, 2], "int32"), axis=-1), ["s"]),
        ("take-flat", lambda x: O.take(x, np.array([0, 2], "int32")), ["x"]),
        ("take_along_axis", lambda x: O.take_along_axis(x, O.argsort(x, axis=1), axis=1), ["s"]),
        ("full_like", lambda x: O.full_like(x, 3.0), ["s"]),
        ("zeros_like-dtype", lambda x: O.zeros_like(x, dtype="int32"), ["s"]),
        ("cast", lambda x: O.cast(x, "int32"), ["s"]),
        ("get_item", lambda x: O.get_item(x, (slice(None), 0)), ["s"]),
        ("get_item-ellipsis", lambda x: O.get_item(x, (Ellipsis, slice(1, 3))), ["s"]),
        ("get_item-batch", lambda x: O.get_item(x, 0), ["x"]),
        ("slice", lambda x: O.slice(x, (0, 1, 0), (2, 2, 4)), ["x"]),
        ("slice_update", lambda x: O.slice_update(x, (0, 1, 0), np.ones((1, 2, 4), "float32")),
         ["x"]),
        ("scatter_update", lambda x: O.scatter_update(x, np.array([[0, 1, 2]], "int32"),
                                                      np.array([5.0], "float32")), ["x"]),
        ("broadcast_to", lambda v: O.broadcast_to(O.expand_dims(v, 1), (O.shape(v)[0], 3, 4)),
         ["v"]),
        ("vectorized_map", lambda x: O.vectorized_map(lambda r: O.sum(r, axis=0), x), ["s"]),
        ("segment_sum", lambda x: O.segment_sum(O.transpose(x, (1, 0, 2)),
                                                np.array([0, 1, 1], "int32"), 2), ["x"]),
        ("select", lambda b, x: O.select([b], [x], 0.0), ["b", "p"]),
    ]
)


def _leaves(value):
    return tree.flatten(value)[0]


@pytest.mark.parametrize("fn,names", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_inferred_shape_and_dtype_match_concrete_results(fn, names):
    inputs = [K.Input(INPUTS[n][0], dtype=INPUTS[n][1], name=f"in_{n}") for n in names]
    out = fn(*inputs)
    runs = [fn(*[concrete(n, b, s) for n in names]) for b, s in FILLS]
    sym_leaves = _leaves(out)
    first, second = _leaves(runs[0]), _leaves(runs[1])
    assert len(sym_leaves) == len(first) == len(second)
    for sym, a, b in zip(sym_leaves, first, second):
        if not isinstance(sym, K.SymbolicTensor):  # a static value, equal for both sizes
            assert sym == a == b
            continue
        a_shape, b_shape = tuple(K.shape(a)), tuple(K.shape(b))
        expected = tuple(da if da == db else None for da, db in zip(a_shape, b_shape))
        assert sym.shape == expected, f"inferred {sym.shape}, concrete {a_shape}, {b_shape}"
        assert sym.dtype == K.dtype(a) == K.dtype(b)


# -- operators --------------------------------------------------------------------------
XV = np.arange(1, 25, dtype="float32").reshape(2, 3, 4) / 4.0
YV = np.linspace(0.5, 3.0, 24).astype("float32").reshape(2, 3, 4)

OPERATORS = [
    ("add", lambda x, y: x + y), ("radd", lambda x, y: 1.0 + x), ("sub", lambda x, y: x - y),
    ("rsub", lambda x, y: 2 - x), ("mul", lambda x, y: x * y), ("rmul", lambda x, y: 3 * x),
    ("truediv", lambda x, y: x / y), ("rtruediv", lambda x, y: 1.0 / x),
    ("floordiv", lambda x, y: x // y), ("mod", lambda x, y: x % y),
    ("pow", lambda x, y: x ** 2), ("rpow", lambda x, y: 2.0 ** x),
    ("matmul", lambda x, y: x @ np.swapaxes(YV[:1], 1, 2)), ("neg", lambda x, y: -x),
    ("abs", lambda x, y: abs(x)),
    ("lt", lambda x, y: x < y), ("le", lambda x, y: x <= y), ("gt", lambda x, y: x > y),
    ("ge", lambda x, y: x >= y), ("eq", lambda x, y: x == y), ("ne", lambda x, y: x != y),
    ("index", lambda x, y: x[0]), ("slice", lambda x, y: x[:, 1:]),
    ("slice-step", lambda x, y: x[..., ::2]), ("newaxis", lambda x, y: x[:, None]),
    ("mixed", lambda x, y: x[:, 0, 1:3] * 2.0 + y[:, 1, :2]),
]


@pytest.mark.parametrize("op", [o[1] for o in OPERATORS], ids=[o[0] for o in OPERATORS])
def test_operators_on_symbolic_tensors(op):
    x, y = K.Input((3, 4), name="x"), K.Input((3, 4), name="y")
    out = op(x, y)
    assert isinstance(out, K.SymbolicTensor)
    expected = op(XV, YV)
    value = symbolic.evaluate(out, {x: K.convert_to_tensor(XV), y: K.convert_to_tensor(YV)})
    other = op(XV[:1], YV[:1])
    assert out.shape == tuple(d if d == e else None for d, e in zip(expected.shape, other.shape))
    assert out.dtype == K.dtype(value) == ("bool" if expected.dtype == bool else "float32")
    np.testing.assert_allclose(K.convert_to_numpy(value), expected, rtol=1e-5)


def test_size_of_a_symbolic_tensor_evaluates_to_the_element_count():
    x = K.Input((3, 4))
    size = O.size(x)
    for batch in (2, 5):
        feed = {x: K.convert_to_tensor(np.zeros((batch, 3, 4), "float32"))}
        value = symbolic.evaluate(size, feed)
        assert int(value) == batch * 12


def test_int_operators_keep_int_dtype():
    i = K.Input((3,), dtype="int32")
    assert (i + 1).dtype == "int32"
    assert (i * 2).dtype == "int32"
    assert (i // 2).dtype == "int32"
    assert (i / 2).dtype == "float32"
    assert (i + 1.5).dtype == "float32"


# -- symbolic shapes ----------------------------------------------------------------------
def test_static_part_of_a_symbolic_shape_is_plain():
    x = K.Input((3, 4))
    assert K.shape(x)[1:] == (3, 4)
    assert isinstance(K.shape(x)[0], K.SymbolicTensor)
    assert K.ndim(x) == 3
    assert K.dtype(x) == "float32"


def test_symbolic_batch_size_feeds_reshape_zeros_and_random_binomial():
    x = K.Input((3, 4))
    batch = K.shape(x)[0]
    flat = K.reshape(x, (batch, -1))
    zeros = K.zeros((batch, 2))
    mask = K.random_binomial((batch, 4), p=0.5)
    doubled = K.zeros((batch * 2, 1))
    assert flat.shape == (None, 12)
    assert zeros.shape == (None, 2) and zeros.dtype == "float32"
    assert mask.shape == (None, 4)
    assert doubled.shape == (None, 1)
    value = K.convert_to_tensor(XV)
    f, z, m, d = symbolic.evaluate([flat, zeros, mask, doubled], {x: value})
    np.testing.assert_allclose(K.convert_to_numpy(f), XV.reshape(2, 12))
    assert K.shape(z) == (2, 2) and not np.any(K.convert_to_numpy(z))
    assert K.shape(m) == (2, 4) and set(np.unique(K.convert_to_numpy(m))) <= {0.0, 1.0}
    assert K.shape(d) == (4, 1)


# -- evaluation ---------------------------------------------------------------------------
def test_evaluate_matches_eager_computation():
    x = K.Input((3, 4), name="x")
    w = np.linspace(-1, 1, 8).reshape(4, 2).astype("float32")
    h = K.tanh(O.matmul(x, w)) + O.sum(x, axis=-1, keepdims=True)
    out = O.softmax(h, axis=-1)
    value = K.convert_to_tensor(XV)
    eager_h = K.tanh(O.matmul(value, w)) + O.sum(value, axis=-1, keepdims=True)
    eager = O.softmax(eager_h, axis=-1)
    got = symbolic.evaluate(out, {x: value})
    assert out.shape == (None, 3, 2)
    np.testing.assert_allclose(K.convert_to_numpy(got), K.convert_to_numpy(eager), rtol=1e-6)


def test_evaluate_structures_and_several_batch_sizes():
    x = K.Input((4,), name="x")
    outs = {"sum": O.sum(x, axis=1), "parts": O.split(x, 2, axis=1)}
    for batch in (1, 7):
        v = np.arange(batch * 4, dtype="float32").reshape(batch, 4)
        got = symbolic.evaluate(outs, {x: K.convert_to_tensor(v)})
        np.testing.assert_allclose(K.convert_to_numpy(got["sum"]), v.sum(1))
        np.testing.assert_allclose(K.convert_to_numpy(got["parts"][1]), v[:, 2:])


def test_evaluate_names_a_missing_input():
    a, b = K.Input((2,), name="first"), K.Input((2,), name="second")
    with pytest.raises(ValueError, match="second"):
        symbolic.evaluate(a + b, {a: K.convert_to_tensor(np.ones((1, 2), "float32"))})


# -- errors at graph-building time ---------------------------------------------------------
def test_dot_with_incompatible_shapes_fails_while_building():
    with pytest.raises(ValueError) as info:
        K.dot(K.Input((3,)), K.ones((4, 5)))
    message = str(info.value)
    assert "dot" in message
    assert "(None, 3)" in message and "(4, 5)" in message


def test_matmul_and_add_shape_errors_name_the_function():
    with pytest.raises(ValueError, match="matmul"):
        O.matmul(K.Input((3, 4)), K.ones((5, 2)))
    with pytest.raises(ValueError, match="add"):
        K.add(K.Input((3,)), K.ones((4,)))


def test_truth_value_of_a_symbolic_tensor_is_an_error():
    x = K.Input((3,))
    with pytest.raises(TypeError, match="truth value"):
        bool(x)
    with pytest.raises(TypeError):
        if x > 0:
            pass


def test_symbolic_tensors_have_no_values():
    x = K.Input((3,))
    with pytest.raises(TypeError, match="no value"):
        np.asarray(x)
    with pytest.raises(TypeError, match="len"):
        len(x)
