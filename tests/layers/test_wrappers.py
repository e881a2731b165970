"""TimeDistributed and Bidirectional against NumPy re-computations on every engine:
TimeDistributed(Dense) against Dense applied per step, Bidirectional against a forward
and a reversed backward run of the same weights in every merge mode, with masks and
initial states. Also gradients against finite differences (jax, torch), symbolic
shapes, config round trips and the errors a user can trigger.
"""

import json

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K

RNG = np.random.default_rng(5)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
MASK = np.array([[True, True, False], [True, False, True]])

needs_gradients = pytest.mark.skipif(K.backend() == "numpy",
                                     reason="the numpy engine has no gradients")


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def T(a):
    return K.convert_to_tensor(np.asarray(a))


def finite_differences(fn, x, step=1e-6):
    """Central differences of the scalar NumPy function ``fn`` at ``x`` (float64)."""
    x = np.asarray(x, dtype="float64")
    basis = np.eye(x.size).reshape((x.size,) + x.shape) * step
    return np.array([(fn(x + d) - fn(x - d)) / (2 * step) for d in basis]).reshape(x.shape)


class MaskAsFloat(layers.Layer):
    """Returns the mask it receives as floats, one per sample (-1 when it gets none)."""

    def call(self, inputs, mask=None):
        if mask is None:
            return K.ones_like(inputs[:, :1]) * -1.0
        return K.expand_dims(K.cast(mask, "float32"), -1)


# -- TimeDistributed -------------------------------------------------------------------
def test_time_distributed_dense_equals_dense_applied_per_step():
    td = layers.TimeDistributed(layers.Dense(5, activation="tanh"))
    out = N(td(T(X)))
    kernel, bias = td.layer.get_weights()
    expected = np.stack([np.tanh(X[:, t] @ kernel + bias) for t in range(X.shape[1])], 1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert [w.shape for w in td.weights] == [(4, 5), (5,)]


def test_time_distributed_symbolic_shapes_and_rank_four_inputs():
    td = layers.TimeDistributed(layers.Dense(2))
    assert td(Input((None, 4))).shape == (None, None, 2)
    inner = layers.TimeDistributed(layers.Dense(2))
    assert inner(Input((3, 6, 4))).shape == (None, 3, 6, 2)
    x = RNG.normal(size=(2, 3, 6, 4)).astype("float32")
    kernel, bias = inner.layer.get_weights()
    np.testing.assert_allclose(N(inner(T(x))), x @ kernel + bias, rtol=1e-5, atol=1e-5)
    assert td.compute_output_shape((None, 7, 4)) == (None, 7, 2)


def test_time_distributed_folds_the_mask_for_the_inner_layer_and_passes_it_on():
    td = layers.TimeDistributed(MaskAsFloat())
    out = N(td(T(X), mask=T(MASK)))
    np.testing.assert_array_equal(out[..., 0], MASK.astype("float32"))
    assert N(td(T(X)))[..., 0].tolist() == [[-1.0] * 3] * 2
    inputs = Input((3, 4))
    masked = layers.TimeDistributed(layers.Dense(2))(layers.Masking(0.0)(inputs))
    seen = layers.TimeDistributed(MaskAsFloat())(masked)
    assert masked._keras_mask.shape == (None, 3)
    x = X.copy()
    x[0, 1] = 0.0
    np.testing.assert_array_equal(N(Model(inputs, seen)(T(x)))[..., 0],
                                  np.any(x != 0.0, axis=-1).astype("float32"))


def test_time_distributed_unfolds_the_mask_an_inner_layer_computes():
    x = RNG.normal(size=(2, 3, 4, 2)).astype("float32")
    x[0, 1, 2] = 0.0
    x[1, 0, :] = 0.0
    td = layers.TimeDistributed(layers.Masking(0.0))
    np.testing.assert_array_equal(N(td(T(x))), x)
    np.testing.assert_array_equal(N(td.compute_mask(T(x))), np.any(x != 0.0, axis=-1))
    assert td(Input((3, 4, 2)))._keras_mask.shape == (None, 3, 4)


def test_time_distributed_passes_training_to_the_inner_layer():
    td = layers.TimeDistributed(layers.Dropout(0.5, seed=3))
    x = np.ones((2, 3, 40), "float32")
    np.testing.assert_array_equal(N(td(T(x))), x)
    dropped = N(td(T(x), training=True))
    assert set(np.unique(dropped)) <= {0.0, 2.0} and (dropped == 0).any()


@needs_gradients
def test_time_distributed_kernel_gradient_matches_finite_differences():
    td = layers.TimeDistributed(layers.Dense(3, activation="tanh"))
    td.build(X.shape)
    weights = RNG.normal(size=(2, 3, 3))
    kernel, bias = td.layer.get_weights()

    def reference(k):
        return np.sum(np.tanh(X.astype("float64") @ k + bias) * weights)

    g = K.grad(lambda k: K.sum(td(T(X)) * T(weights.astype("float32"))))(td.layer.kernel)
    np.testing.assert_allclose(N(g), finite_differences(reference, kernel), rtol=1e-3,
                               atol=1e-4)


def test_time_distributed_config_round_trip_with_a_custom_inner_layer():
    td = layers.TimeDistributed(layers.Dense(3, activation="relu"), name="td_cfg")
    config = json.loads(json.dumps(td.get_config()))
    assert config["layer"]["class_name"] == "Dense"
    clone = layers.TimeDistributed.from_config(config)
    assert (clone.name, clone.layer.units, clone.layer.activation.__name__) == \
        ("td_cfg", 3, "relu")
    custom = layers.TimeDistributed(MaskAsFloat())
    config = custom.get_config()
    assert isinstance(layers.TimeDistributed.from_config(
        config, custom_objects={"MaskAsFloat": MaskAsFloat}).layer, MaskAsFloat)
    with pytest.raises(ValueError, match=r"TimeDistributed.*unknown layer class 'MaskAsFloat'"):
        layers.TimeDistributed.from_config(config)


def test_time_distributed_errors_name_the_layer_expectation_and_input():
    with pytest.raises(ValueError, match=r"TimeDistributed layer 'td_rank'.*rank >= 3.*\(2, 4\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_rank")(K.ones((2, 4)))
    with pytest.raises(ValueError, match=r"TimeDistributed layer 'td_rank2'.*rank >= 3.*\(None, 4\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_rank2")(Input((4,)))
    with pytest.raises(ValueError, match=r"'td_obj' expects a Layer.*Received 'dense'"):
        layers.TimeDistributed("dense", name="td_obj")
    with pytest.raises(ValueError, match=r"'td_mask'.*\(2, 3\).*\(2, 2\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_mask")(T(X), mask=T(MASK[:, :2]))
