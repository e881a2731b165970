"""Keras 2 backend names (lamina/backend/ops/keras2.py) against NumPy, on the engine chosen by
``LAMINA_BACKEND``, eagerly and on symbolic inputs (unknown batch), plus the article's dropout.
"""

import numpy as np
import pytest

import lamina.ops
import lamina.random
from lamina import backend as K
from lamina.backend.symbolic import evaluate

RTOL, ATOL = 1e-5, 1e-5
rng = np.random.default_rng(0)


def T(x, dtype=None):
    return K.convert_to_tensor(x, dtype=dtype)


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def data(*shape):
    return rng.standard_normal(shape).astype("float32")


def close(result, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(N(result), expected, rtol=rtol, atol=atol)


def needs_nn(*names):
    """Skip when the engine lacks an nn function being written in ops/nn.py."""
    for name in names:
        if getattr(K.engine, name, None) is None:
            pytest.skip(f"needs K.{name} (ops/nn.py)")


def check_symbolic(fn, arrays, expected_shape, rtol=RTOL, atol=ATOL):
    """``fn`` on K.Inputs of unknown batch gives ``expected_shape``, and evaluating the graph
    on ``arrays`` gives the eager result."""
    inputs = [K.Input(a.shape[1:], dtype=str(a.dtype)) for a in arrays]
    out = fn(*inputs)
    assert out.shape == expected_shape
    got = evaluate(out, dict(zip(inputs, [T(a) for a in arrays])))
    close(got, N(fn(*[T(a) for a in arrays])), rtol, atol)


# -- variables and values -------------------------------------------------------------

def test_variable_constant_and_values():
    v = K.variable([[1, 2], [3, 4]], name="w")
    assert K.is_variable(v) and not K.is_variable(T([1.0]))
    assert v.dtype == "float32" and v.name == "w" and K.int_shape(v) == (2, 2)
    assert K.count_params(v) == 4
    assert K.is_tensor(v) and K.is_tensor(T([1.0])) and not K.is_tensor([1.0])
    np.testing.assert_array_equal(K.eval(v), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(K.get_value(v), [[1, 2], [3, 4]])
    K.set_value(v, np.zeros((2, 2)))
    assert K.get_value(v).sum() == 0
    w = K.variable(0.0)
    K.batch_set_value([(v, np.ones((2, 2))), (w, 3.0)])
    values = K.batch_get_value([v, w])
    assert values[0].tolist() == [[1, 1], [1, 1]] and values[1] == 3.0
    assert not K.variable(1.0, trainable=False).trainable


def test_constant_shapes_and_dtypes():
    assert K.dtype(K.constant(1)) == "float32"
    assert K.dtype(K.constant([1, 2], dtype="int32")) == "int32"
    np.testing.assert_array_equal(N(K.constant(7.0, shape=(2, 3))), np.full((2, 3), 7.0))
    np.testing.assert_array_equal(N(K.constant([1, 2, 3, 4], shape=(2, 2))), [[1, 2], [3, 4]])


def test_update_functions_assign_and_return_the_variable():
    v = K.variable([1.0, 2.0])
    assert K.update(v, [5.0, 6.0]) is v and K.get_value(v).tolist() == [5.0, 6.0]
    assert K.update_add(v, [1.0, 1.0]) is v and K.get_value(v).tolist() == [6.0, 7.0]
    assert K.update_sub(v, [6.0, 7.0]) is v and K.get_value(v).tolist() == [0.0, 0.0]


def test_count_params_rejects_unknown_dimensions():
    with pytest.raises(ValueError, match="unknown"):
        K.count_params(K.Input((3,)))


def test_placeholder_and_function():
    x = K.placeholder(shape=(None, 3), name="features")
    assert x.shape == (None, 3) and x.dtype == "float32" and x.name == "features"
    assert K.placeholder(ndim=2, dtype="int32").shape == (None, None)
    assert K.is_placeholder(x) and K.is_placeholder(K.Input((2,)))
    assert not K.is_placeholder(x * 2.0) and not K.is_placeholder(T([1.0]))
    with pytest.raises(ValueError, match="shape"):
        K.placeholder()
    f = K.function([x], [K.sum(x, axis=1), x * 2.0])
    a = data(4, 3)
    s, d = f([a])
    np.testing.assert_allclose(s, a.sum(1), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(d, a * 2, rtol=RTOL)


def test_function_applies_updates():
    x = K.placeholder((None, 2))
    total = K.variable(0.0)
    f = K.function([x], K.sum(x), updates=[(total, total + K.sum(x))])
    assert float(f([np.ones((3, 2), "float32")])) == 6.0
    f([np.ones((1, 2), "float32")])
    assert float(K.get_value(total)) == 8.0


def test_eval_of_symbolic_tensor_needs_its_inputs():
    with pytest.raises(ValueError, match="depends on the inputs"):
        K.eval(K.Input((2,)) * 2.0)


def test_name_scope_is_a_noop_context():
    with K.name_scope("block") as name:
        y = K.ones(2) + 1.0
    assert name == "block" and N(y).tolist() == [2.0, 2.0]


def test_keras2_creation_signatures():
    assert K.dtype(K.zeros((2,), "int32", "z")) == "int32"
    assert K.dtype(K.ones((2,), None, "o")) == "float32"
    np.testing.assert_array_equal(N(K.eye(3, "float32", "e")), np.eye(3))
    np.testing.assert_array_equal(N(K.eye((2, 3))), np.eye(2, 3))
    x = T(data(2, 3))
    assert N(K.zeros_like(x, name="z")).sum() == 0 and N(K.ones_like(x, "float32", "o")).sum() == 6
    assert K.zeros(K.shape(K.Input((3,)))).shape == (None, 3)


def test_cast_to_floatx():
    assert K.cast_to_floatx(np.arange(3)).dtype == np.float32
    assert K.dtype(K.cast_to_floatx(T([1, 2], "int32"))) == "float32"


# -- shapes -------------------------------------------------------------------------------

def test_reshape_permute_flatten():
    a = data(2, 3, 4)
    close(K.reshape(T(a), (2, 12)), a.reshape(2, 12))
    close(K.permute_dimensions(T(a), (2, 0, 1)), a.transpose(2, 0, 1))
    close(K.batch_flatten(T(a)), a.reshape(2, 12))
    close(K.flatten(T(a)), a.reshape(-1))
    close(K.expand_dims(T(a)), a[..., None])
    check_symbolic(lambda x: K.permute_dimensions(x, (0, 2, 1)), [a], (None, 4, 3))
    check_symbolic(K.batch_flatten, [a], (None, 12))
    check_symbolic(lambda x: K.reshape(x, (-1, 12)), [a], (None, 12))
    check_symbolic(K.flatten, [a], (None,))


def test_batch_flatten_with_unknown_inner_dimensions():
    x = K.Input((None, 4))
    y = K.batch_flatten(x)
    assert y.shape == (None, None)
    a = data(2, 3, 4)
    close(evaluate(y, {x: T(a)}), a.reshape(2, 12))


def test_concatenate_keras2_default_axis_is_last():
    a, b = data(2, 3), data(2, 5)
    close(K.concatenate([T(a), T(b)]), np.concatenate([a, b], axis=-1))
    close(K.concatenate((T(a), T(a)), axis=0), np.concatenate([a, a], axis=0))
    check_symbolic(lambda x, y: K.concatenate([x, y]), [a, b], (None, 8))
    assert K.int_shape(lamina.ops.concatenate([T(a), T(a)])) == (4, 3)


def test_repeat_elements_and_gather():
    a = data(2, 3)
    close(K.repeat_elements(T(a), 3, axis=1), np.repeat(a, 3, axis=1))
    close(K.repeat_elements(T(a), 2, axis=0), np.repeat(a, 2, axis=0))
    check_symbolic(lambda x: K.repeat_elements(x, 2, axis=1), [a], (None, 6))
    close(K.gather(T(a), [1, 0, 1]), a[[1, 0, 1]])
    close(K.gather(T(a), T(np.array([[0], [1]]), "int32")), a[np.array([[0], [1]])])
    idx = K.Input((), dtype="int32")
    out = K.gather(K.constant(a), idx)
    assert out.shape == (None, 3)
    close(evaluate(out, {idx: T(np.array([1, 1, 0]), "int32")}), a[[1, 1, 0]])


def _resize_linear_reference(x, axis, factor):
    n = x.shape[axis]
    src = np.maximum((np.arange(n * factor) + 0.5) / factor - 0.5, 0)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (src - lo).reshape([-1 if i == axis else 1 for i in range(x.ndim)])
    return np.take(x, lo, axis) * (1 - w) + np.take(x, hi, axis) * w


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_resize_images(data_format):
    a = data(2, 3, 4, 5)
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    nearest = np.repeat(np.repeat(a, 2, axes[0]), 3, axes[1])
    close(K.resize_images(T(a), 2, 3, data_format), nearest)
    bilinear = _resize_linear_reference(_resize_linear_reference(a, axes[0], 2), axes[1], 3)
    close(K.resize_images(T(a), 2, 3, data_format, interpolation="bilinear"), bilinear)
    expected = (None, 6, 12, 5) if data_format == "channels_last" else (None, 3, 8, 15)
    check_symbolic(lambda x: K.resize_images(x, 2, 3, data_format), [a], expected)
    check_symbolic(lambda x: K.resize_images(x, 2, 3, data_format, "bilinear"), [a], expected)


def test_resize_images_bilinear_known_values_and_unknown_sizes():
    x = K.constant([[0.0, 1.0]], shape=(1, 1, 2, 1))
    close(K.resize_images(x, 1, 2, "channels_last", "bilinear")[0, 0, :, 0], [0, 0.25, 0.75, 1])
    inp = K.Input((None, None, 3))
    out = K.resize_images(inp, 2, 2, "channels_last", "bilinear")
    assert out.shape == (None, None, None, 3)
    a = data(1, 3, 5, 3)
    assert N(evaluate(out, {inp: T(a)})).shape == (1, 6, 10, 3)
    with pytest.raises(ValueError, match="interpolation"):
        K.resize_images(x, 2, 2, "channels_last", "bicubic")
    with pytest.raises(ValueError, match="data_format"):
        K.resize_images(x, 2, 2, "NHWC")


# -- linear algebra ---------------------------------------------------------------------------

@pytest.mark.parametrize("xs,ys", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (7, 4, 5))])
def test_dot_is_numpy_dot(xs, ys):
    a, b = data(*xs), data(*ys)
    close(K.dot(T(a), T(b)), np.dot(a, b), rtol=1e-4, atol=1e-4)


def test_dot_symbolic_and_article_dense():
    a, w = data(4, 784), data(784, 100)
    x = K.Input((784,))
    y = K.dot(x, K.variable(w)) + K.variable(np.zeros(100))
    assert y.shape == (None, 100)
    close(evaluate(y, {x: T(a)}), a @ w, rtol=1e-4, atol=1e-3)


def _batch_dot_reference(x, y, axes):
    """Keras 2's batch_dot, sample by sample with np.tensordot."""
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2)
    a0, a1 = [a % n for a, n in zip(axes, (x.ndim, y.ndim))]
    out = np.stack([np.tensordot(x[i], y[i], axes=(a0 - 1, a1 - 1)) for i in range(len(x))])
    return out.reshape(-1, 1) if x.ndim == 2 and y.ndim == 2 else out


@pytest.mark.parametrize("xs,ys,axes,expected", [
    ((32, 20, 1), (32, 30, 20), (1, 2), (32, 1, 30)),
    ((2, 3), (2, 3), 1, (2, 1)),
    ((2, 3), (2, 3), None, (2, 1)),
    ((2, 3, 4), (2, 4, 5), None, (2, 3, 5)),
    ((2, 3, 4), (2, 4), None, (2, 3)),
    ((2, 4), (2, 4, 5), None, (2, 5)),
    ((2, 3, 4, 5), (2, 5, 6, 7), (3, 1), (2, 3, 4, 6, 7)),
    ((2, 3, 4), (2, 3, 4), (1, 1), (2, 4, 4)),
    ((2, 3, 4), (2, 5, 4), (-1, -1), (2, 3, 5)),
])
def test_batch_dot_keras2_semantics(xs, ys, axes, expected):
    a, b = data(*xs), data(*ys)
    out = K.batch_dot(T(a), T(b), axes=axes)
    assert K.int_shape(out) == expected
    close(out, _batch_dot_reference(a, b, axes), rtol=1e-4, atol=1e-4)
    check_symbolic(lambda x, y: K.batch_dot(x, y, axes=axes), [a, b], (None,) + expected[1:],
                   rtol=1e-4, atol=1e-4)


def test_batch_dot_documented_example_values():
    out = K.batch_dot(K.constant([[1, 2], [3, 4]]), K.constant([[5, 6], [7, 8]]), axes=1)
    assert N(out).tolist() == [[17.0], [53.0]]


def test_batch_dot_errors():
    with pytest.raises(ValueError, match="axis 0"):
        K.batch_dot(K.ones((2, 3)), K.ones((2, 3)), axes=0)
    with pytest.raises(ValueError, match="differ"):
        K.batch_dot(K.ones((2, 3)), K.ones((2, 4)), axes=1)
    with pytest.raises(ValueError, match="at least 2"):
        K.batch_dot(K.ones((3,)), K.ones((2, 3)))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank", [2, 3, 4])
def test_bias_add(data_format, rank):
    shape = (2, 3, 4, 5)[:rank]
    a = data(*shape)
    channels = shape[1] if data_format == "channels_first" else shape[-1]
    b = data(channels)
    if data_format == "channels_first":
        expected = a + b.reshape((1, channels) + (1,) * (rank - 2))
    else:
        expected = a + b
    close(K.bias_add(T(a), T(b), data_format), expected)
    check_symbolic(lambda x: K.bias_add(x, K.constant(b), data_format), [a], (None,) + shape[1:])
    if rank > 2:
        full = data(*shape[1:]) if data_format == "channels_last" else data(*(shape[2:] + shape[1:2]))
        if data_format == "channels_last":
            expected_full = a + full[None]
        else:
            expected_full = a + full.reshape((1, full.shape[-1]) + full.shape[:-1])
        close(K.bias_add(T(a), T(full), data_format), expected_full)


def test_bias_add_rejects_bad_bias():
    with pytest.raises(ValueError, match="bias"):
        K.bias_add(K.ones((2, 3, 4)), K.ones((1, 1, 1, 1)))


def test_l2_normalize():
    a = data(3, 4)
    close(K.l2_normalize(T(a), axis=1), a / np.linalg.norm(a, axis=1, keepdims=True))
    close(K.l2_normalize(T(a)), a / np.linalg.norm(a))
    close(K.l2_normalize(K.zeros((2,))), np.zeros(2))
    check_symbolic(lambda x: K.l2_normalize(x, axis=-1), [a], (None, 4))


# -- element-wise, reductions -----------------------------------------------------------

def test_math_names_against_numpy():
    a = data(3, 4)
    p = np.abs(a) + 0.1
    close(K.square(T(a)), a ** 2)
    close(K.abs(T(a)), np.abs(a))
    close(K.sqrt(T(p)), np.sqrt(p))
    close(K.exp(T(a)), np.exp(a), rtol=1e-5)
    close(K.log(T(p)), np.log(p))
    close(K.pow(T(p), 3), p ** 3, rtol=1e-5)
    close(K.tanh(T(a)), np.tanh(a))
    close(K.sum(T(a), axis=1), a.sum(1))
    close(K.mean(T(a), axis=0, keepdims=True), a.mean(0, keepdims=True))
    close(K.max(T(a), axis=-1), a.max(-1))
    close(K.min(T(a)), a.min())
    close(K.std(T(a), axis=1), a.std(1), rtol=1e-4)
    close(K.var(T(a)), a.var(), rtol=1e-4)
    assert N(K.argmax(T(a))).tolist() == a.argmax(-1).tolist()
    assert N(K.argmin(T(a), axis=0)).tolist() == a.argmin(0).tolist()
    assert int(lamina.ops.argmax(T(a))) == int(a.argmax())
    check_symbolic(lambda x: K.square(x) + K.abs(x), [a], (None, 4))
    x = K.Input((4,))
    assert K.argmax(x).shape == (None,) and K.max(x, axis=1).shape == (None,)


def test_clip_keras2_rules():
    a = data(20)
    close(K.clip(T(a), -0.5, 0.5), np.clip(a, -0.5, 0.5))
    close(K.clip(T(a), 0.5, -1.0), np.full(20, 0.5))
    close(K.clip(T(a), None, 0.2), np.minimum(a, 0.2))
    close(K.clip(T(a), 0.2, None), np.maximum(a, 0.2))
    close(K.clip(T(a), None, None), a)
    check_symbolic(lambda x: K.clip(x, min_value=0.0, max_value=1.0), [data(3, 2)], (None, 2))


def _relu_reference(x, alpha=0.0, max_value=None, threshold=0.0):
    out = np.where(x >= threshold, x, alpha * (x - threshold))
    if max_value is not None:
        out = np.minimum(out, max_value)
    return out


@pytest.mark.parametrize("kwargs", [{}, {"alpha": 0.1}, {"max_value": 1.0},
                                    {"threshold": 0.5}, {"alpha": 0.2, "max_value": 6.0},
                                    {"alpha": 0.3, "threshold": 0.5, "max_value": 1.5}])
def test_relu_keras2_arguments(kwargs):
    a = data(50) * 3
    close(K.relu(T(a), **kwargs), _relu_reference(a, **kwargs))
    check_symbolic(lambda x: K.relu(x, **kwargs), [data(2, 5)], (None, 5))


def test_activations_and_losses_against_numpy():
    needs_nn("softmax", "sigmoid", "categorical_crossentropy", "binary_crossentropy",
             "sparse_categorical_crossentropy")
    a = data(4, 5)
    e = np.exp(a - a.max(-1, keepdims=True))
    softmax = e / e.sum(-1, keepdims=True)
    close(K.softmax(T(a)), softmax)
    close(K.sigmoid(T(a)), 1 / (1 + np.exp(-a)))
    labels = np.array([1, 0, 4, 2])
    onehot = np.eye(5, dtype="float32")[labels]
    expected = -np.log(softmax[np.arange(4), labels])
    close(K.categorical_crossentropy(T(onehot), T(softmax)), expected, rtol=1e-4, atol=1e-4)
    close(K.categorical_crossentropy(T(onehot), T(a), from_logits=True), expected, rtol=1e-4,
          atol=1e-4)
    close(K.sparse_categorical_crossentropy(T(labels, "int32"), T(softmax)), expected,
          rtol=1e-4, atol=1e-4)
    p = 1 / (1 + np.exp(-a))
    t = (data(4, 5) > 0).astype("float32")
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    close(K.binary_crossentropy(T(t), T(p)), bce, rtol=1e-3, atol=1e-4)
    y = K.Input((5,))
    assert K.categorical_crossentropy(y, K.softmax(K.Input((5,)))).shape == (None,)


def test_stop_gradient_accepts_lists():
    out = K.stop_gradient([K.ones(2), K.zeros(3)])
    assert isinstance(out, list) and [K.int_shape(t) for t in out] == [(2,), (3,)]
    assert K.stop_gradient(K.Input((3,))).shape == (None, 3)


# -- control flow --------------------------------------------------------------------------

def test_switch():
    a, b = data(3, 4), data(3, 4)
    cond = np.array([True, False, True])
    close(K.switch(T(cond), T(a), T(b)), np.where(cond[:, None], a, b))
    full = a > 0
    close(K.switch(T(full), T(a), T(b)), np.where(full, a, b))
    close(K.switch(T(True), lambda: T(a), lambda: T(b)), a)
    close(K.switch(T(0.0), T(a), T(b)), b)
    assert K.switch(True, "yes", "no") == "yes"
    check_symbolic(lambda x, y: K.switch(K.greater(K.sum(x, axis=1), 0.0), x, y), [a, b],
                   (None, 4))
    with pytest.raises(ValueError, match="rank"):
        K.switch(K.ones((2, 2), "bool"), K.ones(2), K.ones(2))


def test_learning_phase_and_train_test_switches():
    assert K.learning_phase() == 0
    assert K.in_train_phase("train", "test") == "test"
    K.set_learning_phase(1)
    try:
        assert K.learning_phase() == 1
        assert K.in_train_phase(lambda: "train", "test") == "train"
        assert K.in_test_phase("test", "train") == "train"
    finally:
        K.set_learning_phase(0)
    with pytest.raises(ValueError):
        K.set_learning_phase(2)
    assert K.in_train_phase("train", "test", training=True) == "train"
    assert K.in_test_phase("test", "train", training=0) == "test"
    a, b = data(2, 3), data(2, 3)
    close(K.in_train_phase(T(a), T(b), training=T(True)), a)
    close(K.in_test_phase(T(a), T(b), training=T(True)), b)


# -- rnn -----------------------------------------------------------------------------------

W_IN, W_REC = data(3, 4), data(4, 4) * 0.5


def _step(x_t, states):
    h = K.tanh(K.dot(x_t, K.constant(W_IN)) + K.dot(states[0], K.constant(W_REC)))
    return h, [h]


def _rnn_reference(x, h0, mask=None, go_backwards=False, zero_output=False):
    steps = list(range(x.shape[1]))
    if go_backwards:
        steps = steps[::-1]
    h, prev, outs = h0, np.zeros_like(h0), []
    for t in steps:
        new = np.tanh(x[:, t] @ W_IN + h @ W_REC)
        if mask is not None:
            m = mask[:, t][:, None]
            out = np.where(m, new, 0.0 if zero_output else prev)
            h = np.where(m, new, h)
        else:
            out = h = new
        prev = out
        outs.append(out)
    outs = np.stack(outs, 1)
    return outs[:, -1], outs, h


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked,zero_output", [(False, False), (True, False), (True, True)])
def test_rnn_against_numpy_loop(go_backwards, masked, zero_output):
    x, h0 = data(2, 5, 3), data(2, 4)
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool) if masked else None
    last, outputs, states = K.rnn(_step, T(x), [T(h0)], go_backwards=go_backwards,
                                  mask=None if mask is None else T(mask),
                                  zero_output_for_mask=zero_output)
    ref_last, ref_outs, ref_h = _rnn_reference(x, h0, mask, go_backwards, zero_output)
    close(last, ref_last, rtol=1e-4, atol=1e-5)
    close(outputs, ref_outs, rtol=1e-4, atol=1e-5)
    assert isinstance(states, list) and len(states) == 1
    close(states[0], ref_h, rtol=1e-4, atol=1e-5)


def test_rnn_time_major_constants_and_last_output_only():
    x, h0, c = data(2, 5, 3), data(2, 4), data(2, 4)

    def step(x_t, states):
        h_prev, bias = states
        h = K.tanh(K.dot(x_t, K.constant(W_IN)) + K.dot(h_prev, K.constant(W_REC)) + bias)
        return h, [h]
    _, ref_outs, _ = _rnn_reference(x, h0)
    last, outputs, _ = K.rnn(step, T(np.swapaxes(x, 0, 1)), [T(h0)], constants=[T(np.zeros((2, 4), "float32"))],
                             time_major=True)
    close(outputs, np.swapaxes(ref_outs, 0, 1), rtol=1e-4, atol=1e-5)
    last, outputs, _ = K.rnn(step, T(x), [T(h0)], constants=[T(c)], return_all_outputs=False)
    assert K.int_shape(outputs) == (2, 1, 4)
    close(outputs[:, 0], N(last))
    with pytest.raises(ValueError, match="3 dimensions"):
        K.rnn(_step, K.ones((2, 3)), [K.zeros((2, 4))])


def test_rnn_on_symbolic_inputs():
    x = K.Input((None, 3))
    h0 = K.zeros((K.shape(x)[0], 4))
    last, outputs, states = K.rnn(_step, x, [h0])
    assert last.shape == (None, 4) and outputs.shape == (None, None, 4)
    assert states[0].shape == (None, 4)
    a = data(2, 5, 3)
    ref_last, ref_outs, _ = _rnn_reference(a, np.zeros((2, 4), "float32"))
    got_last, got_outs = evaluate([last, outputs], {x: T(a)})
    close(got_last, ref_last, rtol=1e-4, atol=1e-5)
    close(got_outs, ref_outs, rtol=1e-4, atol=1e-5)
    mask = K.Input((None,), dtype="bool")
    _, out_masked, _ = K.rnn(_step, x, [h0], mask=mask)
    assert out_masked.shape == (None, None, 4)


@pytest.mark.skipif(K.backend() != "jax", reason="jit tracing is JAX's")
def test_rnn_traces_under_jax_jit():
    import jax
    a, h0 = data(2, 5, 3), data(2, 4)
    fn = jax.jit(lambda x, h: K.rnn(_step, x, [h])[1])
    close(fn(a, h0), _rnn_reference(a, h0)[1], rtol=1e-4, atol=1e-5)


# -- random -----------------------------------------------------------------------------------

def test_random_statistics_and_shapes():
    n = 10000
    s = N(K.random_normal((n,), mean=2.0, stddev=3.0))
    assert abs(s.mean() - 2.0) < 0.15 and abs(s.std() - 3.0) < 0.15 and s.dtype == np.float32
    u = N(K.random_uniform((n,), minval=-1.0, maxval=3.0))
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.06
    assert abs(u.std() - 4 / np.sqrt(12)) < 0.05
    t = N(K.truncated_normal((n,), mean=1.0, stddev=2.0))
    assert np.abs(t - 1.0).max() <= 4.0 + 1e-5 and abs(t.mean() - 1.0) < 0.1
    assert abs(t.std() - 2.0 * 0.8796) < 0.1
    for draw in (K.random_binomial, K.random_bernoulli):
        b = N(draw((n,), p=0.3))
        assert set(np.unique(b).tolist()) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.03
    assert N(K.random_binomial((3, 4), 0.5)).shape == (3, 4)
    assert K.dtype(K.random_normal((2,), dtype="float64")) == "float64"


@pytest.mark.parametrize("draw", [
    lambda seed: K.random_normal((5,), seed=seed),
    lambda seed: K.random_uniform((5,), seed=seed),
    lambda seed: K.truncated_normal((5,), seed=seed),
    lambda seed: K.random_binomial((50,), 0.5, seed=seed),
    lambda seed: K.random_bernoulli((50,), 0.5, seed=seed),
])
def test_random_seed_reproducibility(draw):
    np.testing.assert_array_equal(N(draw(7)), N(draw(7)))
    assert not np.array_equal(N(draw(7)), N(draw(8)))
    assert not np.array_equal(N(draw(None)), N(draw(None)))


def test_random_on_symbolic_shapes():
    x = K.Input((3, 5))
    assert K.random_normal(K.shape(x)).shape == (None, 3, 5)
    assert K.random_uniform(K.shape(x)[1:]).shape == (3, 5)
    assert K.truncated_normal((K.shape(x)[0], 2)).shape == (None, 2)


def test_article_dropout():
    x = K.Input((784,))
    mask = K.random_binomial(K.shape(x), 0.5)
    y = x * mask * 2
    assert y.shape == (None, 784)
    values = rng.uniform(1.0, 2.0, (16, 784)).astype("float32")
    out = N(evaluate(y, {x: T(values)}))
    assert out.shape == (16, 784)
    kept = out != 0
    np.testing.assert_allclose(out[kept], 2 * values[kept], rtol=1e-6)
    assert abs(1 - kept.mean() - 0.5) < 0.03
    again = N(evaluate(y, {x: T(values)}))
    assert not np.array_equal(kept, again != 0)


def test_lamina_random_module():
    for name in ("normal", "uniform", "truncated_normal", "binomial", "bernoulli",
                 "categorical", "randint", "shuffle", "dropout", "SeedGenerator"):
        assert callable(getattr(lamina.random, name))
    gen = lamina.random.SeedGenerator(3)
    assert not np.array_equal(N(lamina.random.normal((4,), seed=gen)),
                              N(lamina.random.normal((4,), seed=gen)))


# -- convolution and pooling -------------------------------------------------------------

def _conv_reference(x, kernel, stride, padding, dilation=1):
    """Channels-last N-D convolution by loops over output positions."""
    nd = kernel.ndim - 2
    span = [(k - 1) * dilation + 1 for k in kernel.shape[:nd]]
    if padding == "same":
        pads = []
        for size, s in zip(x.shape[1:-1], span):
            out = -(-size // stride)
            total = max((out - 1) * stride + s - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_sizes = [(size - s) // stride + 1 for size, s in zip(x.shape[1:-1], span)]
    out = np.zeros((x.shape[0], *out_sizes, kernel.shape[-1]), "float32")
    for pos in np.ndindex(*out_sizes):
        window = x[(slice(None),) + tuple(slice(p * stride, p * stride + s, dilation)
                                          for p, s in zip(pos, span))]
        out[(slice(None),) + pos] = np.tensordot(window, kernel, axes=nd + 1)
    return out


def _pool_reference(x, size, stride, mode):
    out_sizes = [(n - size) // stride + 1 for n in x.shape[1:-1]]
    out = np.zeros((x.shape[0], *out_sizes, x.shape[-1]), "float32")
    reduce = np.max if mode == "max" else np.mean
    for pos in np.ndindex(*out_sizes):
        window = x[(slice(None),) + tuple(slice(p * stride, p * stride + size) for p in pos)]
        out[(slice(None),) + pos] = reduce(window, axis=tuple(range(1, len(pos) + 1)))
    return out


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_wrappers(padding):
    needs_nn("conv")
    x1, k1 = data(2, 9, 3), data(3, 3, 4)
    close(K.conv1d(T(x1), T(k1), strides=2, padding=padding), _conv_reference(x1, k1, 2, padding),
          rtol=1e-4, atol=1e-4)
    x2, k2 = data(2, 7, 6, 3), data(3, 2, 3, 4)
    close(K.conv2d(T(x2), T(k2), padding=padding), _conv_reference(x2, k2, 1, padding),
          rtol=1e-4, atol=1e-4)
    close(K.conv2d(T(x2), T(k2), padding="valid", dilation_rate=(2, 2)),
          _conv_reference(x2, k2, 1, "valid", dilation=2), rtol=1e-4, atol=1e-4)
    channels_first = K.conv2d(T(np.moveaxis(x2, -1, 1)), T(k2), padding=padding,
                              data_format="channels_first")
    close(channels_first, np.moveaxis(_conv_reference(x2, k2, 1, padding), -1, 1),
          rtol=1e-4, atol=1e-4)
    x3, k3 = data(1, 4, 5, 4, 2), data(2, 2, 2, 2, 3)
    close(K.conv3d(T(x3), T(k3), padding=padding), _conv_reference(x3, k3, 1, padding),
          rtol=1e-4, atol=1e-4)
    check_symbolic(lambda x: K.conv2d(x, K.constant(k2), padding=padding), [x2],
                   (None,) + _conv_reference(x2, k2, 1, padding).shape[1:], rtol=1e-4, atol=1e-4)


def test_conv1d_causal():
    needs_nn("conv")
    x, k = data(2, 8, 3), data(3, 3, 2)
    padded = np.pad(x, [(0, 0), (4, 0), (0, 0)])
    out = K.conv1d(T(x), T(k), padding="causal", dilation_rate=2)
    close(out, _conv_reference(padded, k, 1, "valid", dilation=2), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="padding"):
        K.conv2d(T(data(1, 4, 4, 3)), T(data(2, 2, 3, 1)), padding="full")


@pytest.mark.parametrize("pool_mode", ["max", "avg"])
def test_pool_wrappers(pool_mode):
    needs_nn("max_pool", "average_pool")
    x2 = data(2, 6, 6, 3)
    close(K.pool2d(T(x2), (2, 2), strides=(2, 2), pool_mode=pool_mode),
          _pool_reference(x2, 2, 2, pool_mode), rtol=1e-5)
    close(K.pool2d(T(np.moveaxis(x2, -1, 1)), (3, 3), strides=(1, 1), pool_mode=pool_mode,
                   data_format="channels_first"),
          np.moveaxis(_pool_reference(x2, 3, 1, pool_mode), -1, 1), rtol=1e-5)
    x3 = data(1, 4, 4, 4, 2)
    close(K.pool3d(T(x3), (2, 2, 2), strides=(2, 2, 2), pool_mode=pool_mode),
          _pool_reference(x3, 2, 2, pool_mode), rtol=1e-5)
    check_symbolic(lambda x: K.pool2d(x, (2, 2), (2, 2), pool_mode=pool_mode), [x2],
                   (None, 3, 3, 3))
    with pytest.raises(ValueError, match="pool_mode"):
        K.pool2d(T(x2), (2, 2), pool_mode="min")


# -- gradients ---------------------------------------------------------------------------

def test_gradients_of_a_callable_and_of_a_symbolic_loss():
    if K.backend() == "numpy":
        pytest.skip("NumPy has no autodiff")
    w = K.variable(data(3, 2))
    b = K.variable(np.zeros(2, "float32"))
    a = data(4, 3)
    gw, gb = K.gradients(lambda: K.sum(K.square(K.dot(K.constant(a), w) + b)), [w, b])
    pred = a @ K.get_value(w)
    close(gw, a.T @ (2 * pred), rtol=1e-4, atol=1e-4)
    close(gb, (2 * pred).sum(0), rtol=1e-4, atol=1e-4)
    x = K.placeholder((None, 3))
    loss = K.mean(K.square(K.dot(x, w) + b))
    grads = K.gradients(loss, [w, b])
    assert [g.shape for g in grads] == [(3, 2), (2,)]
    f = K.function([x], grads)
    sw, sb = f([a])
    np.testing.assert_allclose(sw, a.T @ (2 * pred) / 8, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(sb, (2 * pred).sum(0) / 8, rtol=1e-4, atol=1e-4)
    with pytest.raises(TypeError, match="lambda"):
        K.gradients(K.sum(w * w), [w])


def test_gradients_with_respect_to_the_model_input():
    """Keras 2's filter visualisation: ``K.gradients(loss, model.input)`` (one tensor, not
    a list) gives a list holding the gradient with respect to the fed input."""
    if K.backend() == "numpy":
        pytest.skip("NumPy has no autodiff")
    w = K.variable(data(3, 2))
    x = K.placeholder((None, 3))
    loss = K.sum(K.square(K.dot(x, w)))
    grads = K.gradients(loss, x)
    assert isinstance(grads, list) and len(grads) == 1
    both = K.gradients(loss, [w, x])
    a = data(4, 3)
    gx, = K.function([x], grads)([a])
    np.testing.assert_allclose(gx, 2 * (a @ K.get_value(w)) @ K.get_value(w).T, rtol=1e-4,
                               atol=1e-4)
    gw, gx2 = K.function([x], both)([a])
    np.testing.assert_allclose(gx2, gx, rtol=1e-6)
    np.testing.assert_allclose(gw, a.T @ (2 * a @ K.get_value(w)), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="must be an input of the graph"):
        K.gradients(loss, K.placeholder((None, 3)))


def test_gradients_on_numpy_raise_the_engine_error():
    if K.backend() != "numpy":
        pytest.skip("only NumPy lacks autodiff")
    w = K.variable([1.0])
    with pytest.raises(Exception):
        K.gradients(lambda: K.sum(w * w), [w])


def test_gradients_rejects_a_plain_value():
    with pytest.raises(TypeError, match="callable"):
        K.gradients(1.0, [K.variable(1.0)])

