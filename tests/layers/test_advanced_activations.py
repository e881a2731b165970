"""ReLU, LeakyReLU, PReLU, ELU, Softmax and ThresholdedReLU against NumPy on every
engine; PReLU's slope learned by fit (jax, torch); argument errors; config round trips."""

import json
import re

import numpy as np
import pytest

from lamina import Input, Model, Sequential, initializers, layers, optimizers
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")
X = np.array([[-3.0, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0, 7.0]], "float32")


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def relu_reference(x, max_value, negative_slope, threshold):
    out = np.where(x > threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.where(x >= max_value, max_value, out)


@pytest.mark.parametrize("max_value, negative_slope, threshold", [
    (None, 0.0, 0.0), (6.0, 0.0, 0.0), (None, 0.1, 0.0), (1.5, 0.2, 0.5), (None, 0.0, 1.0)])
def test_relu_matches_numpy(max_value, negative_slope, threshold):
    layer = layers.ReLU(max_value=max_value, negative_slope=negative_slope, threshold=threshold)
    np.testing.assert_allclose(N(layer(K.convert_to_tensor(X))),
                               relu_reference(X, max_value, negative_slope, threshold),
                               rtol=1e-6, atol=1e-6)


def test_leaky_relu_elu_and_thresholded_relu_match_numpy():
    x = K.convert_to_tensor(X)
    np.testing.assert_allclose(N(layers.LeakyReLU()(x)), np.where(X >= 0, X, 0.3 * X), rtol=1e-6)
    np.testing.assert_allclose(N(layers.ELU(alpha=0.7)(x)),
                               np.where(X > 0, X, 0.7 * (np.exp(X) - 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(N(layers.ThresholdedReLU(theta=0.5)(x)),
                               np.where(X > 0.5, X, 0.0), rtol=1e-6)


def test_leaky_relu_takes_keras_2_alpha_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    np.testing.assert_allclose(N(layer(K.convert_to_tensor(X))), np.where(X >= 0, X, 0.1 * X),
                               rtol=1e-6)


def softmax_reference(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 1, (1, 2)])
def test_softmax_matches_numpy_on_each_axis(axis):
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(N(layers.Softmax(axis=axis)(K.convert_to_tensor(x))),
                               softmax_reference(x, axis), rtol=1e-5, atol=1e-7)


def test_softmax_mask_zeroes_masked_entries_and_whole_masked_rows():
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], "float32")
    mask = np.array([[True, True, False], [False, False, False]])
    out = N(layers.Softmax()(K.convert_to_tensor(x), mask=K.convert_to_tensor(mask)))
    np.testing.assert_allclose(out[0], [*softmax_reference(x[0, :2], -1), 0.0], rtol=1e-6)
    np.testing.assert_array_equal(out[1], [0.0, 0.0, 0.0])


def test_softmax_receives_the_mask_of_a_masking_layer_in_a_model():
    inputs = Input((4,))
    masked = layers.Masking(mask_value=0.0)(layers.Reshape((4, 1))(inputs))
    probs = layers.Softmax(axis=1)(masked)
    model = Model(inputs, probs)
    out = N(model.predict(np.array([[1.0, 0.0, 2.0, 0.0]], "float32"), verbose=0))[0, :, 0]
    np.testing.assert_allclose(out, [*softmax_reference(np.array([1.0, 2.0]), -1)[:1], 0.0,
                                     softmax_reference(np.array([1.0, 2.0]), -1)[1], 0.0],
                               rtol=1e-6)


def test_prelu_weight_shape_follows_shared_axes_and_output_matches_numpy():
    alpha = np.array([[0.1, 0.2, 0.3]], "float32")
    layer = layers.PReLU(alpha_initializer=initializers.Constant(alpha), shared_axes=[1])
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    out = N(layer(K.convert_to_tensor(x)))
    assert layer.alpha.shape == (1, 3) and [w.name for w in layer.trainable_weights] == ["alpha"]
    np.testing.assert_allclose(out, np.where(x >= 0, x, alpha * x), rtol=1e-6)
    assert layers.PReLU(shared_axes=[1, 2])(Input((None, None, 3))).shape == (None, None, None, 3)
    assert N(layers.PReLU()(K.convert_to_tensor(X))).min() == 0.0  # zero slope by default


@needs_training
def test_prelu_learns_its_slope_in_fit():
    set_random_seed(0)
    x = np.random.default_rng(2).normal(size=(256, 2)).astype("float32")
    y = np.where(x >= 0, x, np.array([0.25, -0.5], "float32") * x)
    prelu = layers.PReLU()
    model = Sequential([Input((2,)), prelu])
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < 1e-3 < history.history["loss"][0]
    np.testing.assert_allclose(N(prelu.alpha), [0.25, -0.5], atol=0.03)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.ReLU(max_value=-1.0), "max_value=-1.0"),
    (lambda: layers.ReLU(negative_slope=None), "negative_slope=None"),
    (lambda: layers.ReLU(threshold=-0.5), "threshold=-0.5"),
    (lambda: layers.LeakyReLU(negative_slope=-1), "negative_slope=-1"),
    (lambda: layers.ThresholdedReLU(theta=None), "theta=None"),
    (lambda: layers.ELU(alpha="big"), "alpha='big'"),
    (lambda: layers.PReLU(shared_axes=[0]), "shared_axes=[0]"),
])
def test_bad_arguments_name_the_layer_and_the_value(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_prelu_on_an_unknown_unshared_axis_says_to_share_it():
    with pytest.raises(ValueError, match=r"p_re_lu.*axes \[1\].*shared_axes"):
        layers.PReLU(name="p_re_lu")(Input((None, 3)))


@pytest.mark.parametrize("layer", [
    layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5), layers.LeakyReLU(0.2),
    layers.ELU(0.5), layers.Softmax(axis=(0, 1)), layers.ThresholdedReLU(0.3),
    layers.PReLU(alpha_initializer=initializers.Constant(0.2), alpha_constraint="non_neg",
                 shared_axes=[1])])
def test_config_round_trip_through_json_gives_the_same_outputs(layer):
    x = K.convert_to_tensor(X.reshape(2, 4))
    config = json.loads(json.dumps(layer.get_config()))
    clone = type(layer).from_config(config)
    np.testing.assert_allclose(N(clone(x)), N(layer(x)), rtol=1e-6)
    assert clone.get_config() == layer.get_config() | {"name": clone.name}
