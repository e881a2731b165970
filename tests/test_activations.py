"""lamina.activations against NumPy formulas; relu's options; symbolic inputs;
get / serialize / deserialize and their errors.

Every function sees the same (4, 50) input, so JAX compiles each op once.
"""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from lamina import backend as K
from lamina import activations

X = np.concatenate([np.linspace(-8.0, 8.0, 100),
                    np.random.default_rng(0).normal(0.0, 3.0, 100)]).reshape(4, 50).astype("float32")
erf = np.vectorize(math.erf)


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softplus(x):
    return np.logaddexp(0.0, x)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "elu": np_elu,
    "selu": lambda x: 1.0507009873554805 * np_elu(x, 1.6732632423543772),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2.0))),
    "silu": lambda x: x * np_sigmoid(x),
    "swish": lambda x: x * np_sigmoid(x),
    "sigmoid": np_sigmoid,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "softplus": np_softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "softmax": np_softmax,
    "log_softmax": lambda x: np.log(np_softmax(x)),
    "log_sigmoid": lambda x: -np_softplus(-x),
    "tanh": np.tanh,
    "exponential": np.exp,
    "linear": lambda x: x,
    "mish": lambda x: x * np.tanh(np_softplus(x)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_numpy(name):
    fn = getattr(activations, name)
    assert activations.get(name) is fn
    expected = REFERENCES[name](X.astype("float64"))
    out = to_np(fn(K.convert_to_tensor(X)))
    assert out.shape == X.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=2e-5, atol=2e-5)


def test_gelu_approximate_uses_tanh_form():
    x = X.astype("float64")
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    out = to_np(activations.gelu(K.convert_to_tensor(X), approximate=True))
    np.testing.assert_allclose(out, expected, rtol=2e-5, atol=2e-5)


def test_elu_alpha_and_leaky_relu_slope():
    x = K.convert_to_tensor(X)
    np.testing.assert_allclose(to_np(activations.elu(x, alpha=0.5)), np_elu(X, 0.5),
                               rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(to_np(activations.leaky_relu(x, negative_slope=0.1)),
                               np.where(X >= 0, X, 0.1 * X), rtol=1e-6)


def np_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's relu: values above ``threshold`` pass, capped by ``max_value``; below it,
    ``negative_slope * (x - threshold)``. Like Keras, ``max_value`` clips the passing
    values to ``[0, max_value]``, so with a negative threshold it also zeroes those
    between the threshold and 0."""
    positive = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        positive = np.clip(positive, 0.0, max_value)
    return positive - negative_slope * np.maximum(threshold - x, 0.0)


@pytest.mark.parametrize("negative_slope", [0.0, 0.3])
@pytest.mark.parametrize("max_value", [None, 6.0, 2.5])
@pytest.mark.parametrize("threshold", [0.0, 1.5, -1.0])
def test_relu_options_match_keras(negative_slope, max_value, threshold):
    out = to_np(activations.relu(K.convert_to_tensor(X), negative_slope=negative_slope,
                                 max_value=max_value, threshold=threshold))
    np.testing.assert_allclose(out, np_relu(X, negative_slope, max_value, threshold),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax_axis(axis):
    x = K.convert_to_tensor(X)
    np.testing.assert_allclose(to_np(activations.softmax(x, axis=axis)), np_softmax(X, axis),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(to_np(activations.log_softmax(x, axis=axis)),
                               np.log(np_softmax(X.astype("float64"), axis)), rtol=1e-5, atol=1e-5)


@given(st.lists(st.floats(-30, 30, width=32), min_size=50, max_size=50))
def test_softmax_rows_are_distributions(values):
    p = to_np(activations.softmax(K.convert_to_tensor(np.array(values * 4, "float32").reshape(4, 50))))
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=-1), np.ones(4), rtol=1e-5)


def test_relu_keeps_integer_dtype_and_accepts_variables():
    out = activations.relu(K.convert_to_tensor(np.array([-2, 3], "int32")))
    assert K.dtype(out) == "int32" and to_np(out).tolist() == [0, 3]
    v = K.Variable(X)
    np.testing.assert_allclose(to_np(activations.mish(v)), REFERENCES["mish"](X), rtol=2e-5,
                               atol=2e-5)


@pytest.mark.parametrize("name", ["relu", "gelu", "softmax", "mish", "hard_silu"])
def test_symbolic_inputs_give_symbolic_outputs(name):
    y = activations.get(name)(K.Input((50,)))
    assert K.is_keras_tensor(y) and K.int_shape(y) == (None, 50)


def test_relu_with_options_on_symbolic_input():
    y = activations.relu(K.Input((50,)), negative_slope=0.1, max_value=3.0, threshold=0.5)
    assert K.int_shape(y) == (None, 50)


# -- get, serialize, deserialize ---------------------------------------------------------------
def test_get_identifier_kinds():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get("ReLU") is activations.relu

    def custom(x):
        return x * 2.0
    assert activations.get(custom) is custom
    assert activations.get({"class_name": "function", "config": "tanh"}) is activations.tanh


def test_get_unknown_name_lists_the_known_names():
    with pytest.raises(ValueError) as info:
        activations.get("relux")
    message = str(info.value)
    assert "lamina.activations" in message and "'relux'" in message
    assert "relu" in message and "softmax" in message and "gelu" in message
    with pytest.raises(ValueError, match=r"activations.get.*42.*Known names"):
        activations.get(42)


@pytest.mark.parametrize("name", sorted(set(REFERENCES) - {"swish", "hard_swish"}))
def test_serialize_round_trip(name):
    fn = getattr(activations, name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(activations.serialize(fn)) is fn


def test_serialize_custom_functions():
    def my_act(x):
        return x
    assert activations.serialize(my_act) == "my_act"
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    with pytest.raises(ValueError, match="activations.serialize"):
        activations.serialize(lambda x: x)
    with pytest.raises(ValueError, match="unknown activation 'my_act'"):
        activations.deserialize("my_act")
