"""Shape inference with unknown dimensions, checked against real evaluations.

Each property draws concrete shapes, declares a random subset of their dimensions
unknown (None) in the Inputs — axis 0, the batch, always — builds the op or layer
symbolically, then runs the same graph on concrete arrays. The inferred shape must
have the real rank and agree with the real shape wherever it is known, and it must
be known wherever Keras knows it: a dimension that depends only on known input
dimensions (a layer's units or filters, the broadcast of None against k > 1, a
Reshape target entry).
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamina import Input, Model, layers
from lamina import backend as K

SIZES = (1, 2, 3, 5)
BATCHES = (1, 2, 3)
RNG = np.random.default_rng(0)
needs_training = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")


def array(shape):
    return RNG.standard_normal(shape).astype("float32")


def declared(draw, shape):
    """``shape`` with axis 0 and a random subset of the other axes replaced by None."""
    unknown = draw(st.lists(st.booleans(), min_size=len(shape) - 1, max_size=len(shape) - 1))
    return (None,) + tuple(None if u else d for d, u in zip(shape[1:], unknown))


def real_shape(inputs, output, arrays):
    """The shape of the graph's output when the model runs on ``arrays``."""
    model = Model(inputs, output)
    return np.shape(K.convert_to_numpy(model(arrays if len(arrays) > 1 else arrays[0])))


def check(inferred, real, must_know=()):
    """Same rank as ``real``, equal to it wherever known, and known on ``must_know``."""
    inferred = tuple(inferred)
    assert len(inferred) == len(real), f"inferred {inferred}, real {real}"
    for axis, (d, r) in enumerate(zip(inferred, real)):
        assert d is None or d == r, f"axis {axis}: inferred {inferred}, real {real}"
    for axis in must_know:
        assert inferred[axis] is not None, \
            f"axis {axis} depends only on known sizes; inferred {inferred}, real {real}"


# ---------------------------------------------------------------- broadcasting


@st.composite
def broadcast_cases(draw):
    """(op, concrete a, concrete b, declared a, declared b or None for a constant b)."""
    rank = draw(st.integers(1, 4))
    batch = draw(st.sampled_from(BATCHES))
    b_is_input = draw(st.booleans())
    b_rank = rank if b_is_input else draw(st.integers(1, rank))
    a, b = [batch], [batch]
    for _ in range(rank - 1):
        k = draw(st.sampled_from(SIZES))
        a_size, b_size = draw(st.sampled_from([(k, k), (1, k), (k, 1)]))
        a.append(a_size)
        b.append(b_size)
    if not b_is_input:  # a constant, right-aligned: 1 or a's size where a's is > 1
        b = [draw(st.sampled_from((1, d) if d > 1 else SIZES)) for d in a[1:]]
        b = ([draw(st.sampled_from((1, batch)))] + b)[rank - b_rank:]
    a, b = tuple(a), tuple(b)
    op = draw(st.sampled_from([K.add, K.multiply, K.maximum]))
    return op, a, b, declared(draw, a), declared(draw, b) if b_is_input else None


def broadcast_known(declared_dims):
    """Keras's rule: known if any operand has a known size > 1 there, or all are known."""
    if any(d is not None and d > 1 for d in declared_dims):
        return True
    return all(d is not None for d in declared_dims)


def binary_case(fn, a, b, a_decl, b_decl):
    """``fn`` of a symbolic input declared ``a_decl`` and either a second input declared
    ``b_decl`` or (``b_decl`` None) a constant of shape ``b``: the arrays, the inputs, the
    symbolic result and the shape of ``fn`` on arrays of shapes ``a`` and ``b``."""
    x, y = array(a), array(b)
    inputs = [Input(batch_shape=a_decl)]
    other = y
    if b_decl is not None:
        inputs.append(Input(batch_shape=b_decl))
        other = inputs[1]
    out = fn(inputs[0], other)
    real = np.shape(K.convert_to_numpy(fn(K.convert_to_tensor(x), K.convert_to_tensor(y))))
    return x, y, inputs, out, real


@given(broadcast_cases())
def test_broadcasting_ops_infer_the_real_shape(case):
    op, a, b, a_decl, b_decl = case
    x, y, inputs, out, real = binary_case(op, a, b, a_decl, b_decl)
    b_seen = b_decl if b_decl is not None else b
    pad = len(a) - len(b_seen)
    must_know = [axis for axis in range(len(a)) if broadcast_known(
        [a_decl[axis]] + ([b_seen[axis - pad]] if axis >= pad else []))]
    check(out.shape, real, must_know)
    check(out.shape, real_shape(inputs, out, [x, y][:len(inputs)]))


def test_unknown_broadcast_against_a_known_size_is_that_size():
    assert K.add(Input((None,)), Input((5,))).shape == (None, 5)
    assert K.multiply(Input((None, 1)), Input((None, 4))).shape == (None, None, 4)
    assert K.maximum(Input((None, 3)), Input((1, None))).shape == (None, None, 3)


def test_independent_unknowns_broadcast_to_unknown_and_run_on_matching_data():
    a, b = Input((None, 3)), Input((None, 1))
    out = K.add(a, b)
    assert out.shape == (None, None, 3)
    result = K.convert_to_numpy(Model([a, b], out)([np.ones((2, 4, 3), "float32"),
                                                     np.ones((2, 1, 1), "float32")]))
    assert result.shape == (2, 4, 3)


# ---------------------------------------------------------------- Reshape


@st.composite
def reshape_cases(draw):
    """(batch, concrete per-sample shape, declared input shape, target_shape)."""
    rest = tuple(draw(st.lists(st.sampled_from(SIZES), min_size=1, max_size=3)))
    batch = draw(st.sampled_from(BATCHES))
    target = [1] * draw(st.integers(1, 3))
    for prime in (2, 3, 5):
        for _ in range(sum(1 for d in rest if d == prime)):
            target[draw(st.integers(0, len(target) - 1))] *= prime
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return batch, rest, declared(draw, (batch,) + rest), tuple(target)


@given(reshape_cases())
def test_reshape_keeps_the_batch_and_infers_the_target(case):
    batch, rest, decl, target = case
    inp = Input(batch_shape=decl)
    out = layers.Reshape(target)(inp)
    fixed = math.prod(d for d in target if d != -1)
    rest_known = None not in decl[1:]
    expected = (None,) + tuple(
        d if d != -1 else (math.prod(rest) // fixed if rest_known else None) for d in target)
    assert out.shape == expected
    model = Model(inp, out)
    check(out.shape, np.shape(K.convert_to_numpy(model(array((batch,) + rest)))),
          must_know=[i + 1 for i, d in enumerate(target) if d != -1 or rest_known])
    unknown = [i for i, d in enumerate(decl[1:]) if d is None]
    if not unknown:
        return
    # other data for the unknown dimensions: the batch never absorbs the difference
    other = list(rest)
    other[unknown[0]] += 1
    size = math.prod(other)
    fits = size % fixed == 0 if -1 in target else size == fixed
    if not fits:
        with pytest.raises(ValueError):
            model(array((batch,) + tuple(other)))
        return
    real = np.shape(K.convert_to_numpy(model(array((batch,) + tuple(other)))))
    assert real[0] == batch
    check(out.shape, real)


def test_reshape_raises_when_the_known_size_does_not_fit():
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((5,))(Input((2, 3)))
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((-1, 4))(Input((3, 3)))


def test_article_model_reshape_keeps_the_batch_and_rejects_wrong_data():
    inp = Input([None, 28, 28])
    out = layers.Reshape([784])(inp)
    assert out.shape == (None, 784)
    model = Model(inp, out)
    assert np.shape(K.convert_to_numpy(model.predict(np.ones((2, 1, 28, 28)), verbose=0))) \
        == (2, 784)
    with pytest.raises(ValueError):
        model.predict(np.ones((2, 3, 28, 28)), verbose=0)  # not 6 rows of 784


def test_flatten_then_reshape_keeps_unknown_sizes_out_of_the_batch():
    inp = Input((None, 3))
    flat = layers.Flatten()(inp)
    free = layers.Reshape((-1,))(flat)
    fixed = layers.Reshape((12,))(flat)
    assert flat.shape == free.shape == (None, None)
    assert fixed.shape == (None, 12)
    model = Model(inp, [free, fixed])
    free_out, fixed_out = model(np.ones((2, 4, 3), "float32"))
    assert np.shape(K.convert_to_numpy(free_out)) == (2, 12)
    assert np.shape(K.convert_to_numpy(fixed_out)) == (2, 12)
    with pytest.raises(ValueError):
        model(np.ones((2, 8, 3), "float32"))  # 24 values per sample: not 4 rows of 12


# ---------------------------------------------------------------- concatenate


@st.composite
def concatenate_cases(draw):
    """(axis, concrete shapes, declared shapes) for 2 or 3 operands."""
    rank = draw(st.integers(1, 4))
    axis = draw(st.integers(-rank, rank - 1))
    base = [draw(st.sampled_from(BATCHES))] + [draw(st.sampled_from(SIZES))
                                               for _ in range(rank - 1)]
    shapes = []
    for _ in range(draw(st.integers(2, 3))):
        shape = list(base)
        if axis % rank:
            shape[axis] = draw(st.sampled_from(SIZES))
        shapes.append(tuple(shape))
    return axis, shapes, [declared(draw, s) for s in shapes]


@given(concatenate_cases())
def test_concatenate_infers_the_real_shape(case):
    axis, shapes, decls = case
    inputs = [Input(batch_shape=d) for d in decls]
    out = K.concatenate(inputs, axis=axis)
    arrays = [array(s) for s in shapes]
    real = np.shape(K.convert_to_numpy(K.concatenate(
        [K.convert_to_tensor(a) for a in arrays], axis=axis)))
    must_know = [i for i in range(len(shapes[0])) if all(d[i] is not None for d in decls)]
    check(out.shape, real, must_know)
    check(out.shape, real_shape(inputs, out, arrays))


def test_concatenating_independent_unknowns_gives_unknown():
    a, b = Input((None, 3)), Input((None, 3))
    out = K.concatenate([a, b], axis=1)
    assert out.shape == (None, None, 3)
    result = Model([a, b], out)([np.ones((2, 4, 3), "float32"), np.ones((2, 1, 3), "float32")])
    assert np.shape(K.convert_to_numpy(result)) == (2, 5, 3)


# ---------------------------------------------------------------- dot / matmul


@st.composite
def product_cases(draw):
    """(fn, concrete a, concrete b, declared a, declared b or None for a constant b)."""
    fn = draw(st.sampled_from([K.dot, K.matmul]))
    batch, m, k, n = (draw(st.sampled_from(BATCHES)),) + tuple(
        draw(st.sampled_from(SIZES)) for _ in range(3))
    if fn is K.matmul and draw(st.booleans()):  # batched: two symbolic rank-3 operands
        a, b = (batch, m, k), (batch, k, n)
        return fn, a, b, declared(draw, a), declared(draw, b)
    a = (batch, k) if draw(st.booleans()) else (batch, m, k)
    return fn, a, (k, n), declared(draw, a), None


@given(product_cases())
def test_dot_and_matmul_infer_the_real_shape(case):
    fn, a, b, a_decl, b_decl = case
    x, y, inputs, out, real = binary_case(fn, a, b, a_decl, b_decl)
    rank = len(real)
    must_know = [rank - 1] if b_decl is None or b_decl[-1] is not None else []
    if len(a) == 3 and a_decl[1] is not None:
        must_know.append(1)
    check(out.shape, real, must_know)
    check(out.shape, real_shape(inputs, out, [x, y][:len(inputs)]))


def test_matmul_of_unknown_inner_size_with_weights_gives_their_columns():
    w = np.ones((5, 4), "float32")
    assert K.matmul(Input((None,)), w).shape == (None, 4)
    assert K.dot(Input((None,)), w).shape == (None, 4)
    assert K.matmul(Input((None, None)), w).shape == (None, None, 4)


# ---------------------------------------------------------------- convolutions


@st.composite
def conv_cases(draw):
    """(layer class, filters, kernel, stride, padding, concrete shape, declared shape)."""
    cls = draw(st.sampled_from([layers.Conv1D, layers.Conv2D]))
    rank = 1 if cls is layers.Conv1D else 2
    kernel = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same"]))
    spatial = tuple(draw(st.sampled_from([s for s in SIZES + (4,)
                                          if padding == "same" or s >= kernel]))
                    for _ in range(rank))
    shape = (draw(st.sampled_from(BATCHES)),) + spatial + (draw(st.integers(1, 2)),)
    decl = declared(draw, shape[:-1]) + (shape[-1],)  # the channels build the kernel
    return (cls, draw(st.integers(1, 3)), kernel, draw(st.integers(1, 2)), padding,
            shape, decl)


@given(conv_cases())
def test_convolutions_infer_the_real_shape(case):
    cls, filters, kernel, stride, padding, shape, decl = case
    inp = Input(batch_shape=decl)
    out = cls(filters, kernel, strides=stride, padding=padding)(inp)
    must_know = [len(shape) - 1] + [i for i in range(1, len(shape) - 1) if decl[i] is not None]
    check(out.shape, real_shape([inp], out, [array(shape)]), must_know)


def test_strided_convolutions_of_unknown_sizes_stay_unknown():
    # every unknown axis is a fresh symbol: a dozen of them cover however inference sizes them
    for _ in range(12):
        for stride in (2, 3):
            for padding in ("valid", "same"):
                out = layers.Conv1D(1, 1, strides=stride, padding=padding)(Input((None, 1)))
                assert out.shape == (None, None, 1), (stride, padding)


# ---------------------------------------------------------------- recurrent layers


@st.composite
def recurrent_cases(draw):
    """(layer class, units, return_sequences, concrete shape, declared shape)."""
    cls = draw(st.sampled_from([layers.LSTM, layers.GRU, layers.SimpleRNN]))
    shape = (draw(st.sampled_from(BATCHES)), draw(st.sampled_from(SIZES)),
             draw(st.integers(1, 3)))
    decl = (None, draw(st.sampled_from([None, shape[1]])), shape[2])
    return cls, draw(st.integers(1, 3)), draw(st.booleans()), shape, decl


@given(recurrent_cases())
def test_recurrent_layers_infer_the_real_shape(case):
    cls, units, return_sequences, shape, decl = case
    inp = Input(batch_shape=decl)
    out = cls(units, return_sequences=return_sequences)(inp)
    dense = layers.Dense(2)(out)
    must_know = [out.ndim - 1] + ([1] if return_sequences and decl[1] is not None else [])
    real, real_dense = (np.shape(K.convert_to_numpy(r))
                        for r in Model(inp, [out, dense])(array(shape)))
    check(out.shape, real, must_know)
    check(dense.shape, real_dense, [i for i in must_know if i > 0] + [dense.ndim - 1])


@needs_training
def test_lstm_over_an_unknown_time_axis_fits_per_step_labels():
    inp = Input((None, 8))
    out = layers.Dense(4)(layers.LSTM(5, return_sequences=True)(inp))
    assert out.shape == (None, None, 4)
    model = Model(inp, out)
    model.compile(optimizer="adam", loss="mse")
    x, y = array((6, 21, 8)), array((6, 21, 4))
    history = model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.all(np.isfinite(history.history["loss"]))
    assert np.shape(model.predict(x, verbose=0)) == (6, 21, 4)


# ---------------------------------------------------------------- sublayers


class Block(layers.Layer):
    """A layer whose Dense sublayer is built when the block is first called."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def test_a_sublayer_is_built_on_the_known_sizes_whatever_they_are():
    wrong = {}
    for features in range(1, 241):
        try:
            shape = Block()(Input((3, features))).shape
        except ValueError as e:
            shape = str(e)
        if shape != (None, 3, 2):
            wrong[features] = shape
    assert not wrong, f"features {sorted(wrong)}: {next(iter(wrong.values()), '')}"
    inp = Input((3, 89))
    out = Block()(inp)
    assert np.shape(K.convert_to_numpy(Model(inp, out)(array((2, 3, 89))))) == (2, 3, 2)
