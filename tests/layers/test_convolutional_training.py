"""Convolution layers in training: gradients of every layer kind against central finite
differences (float64, jax and torch), and a small CNN that learns to tell on which
side of an image a bright square lies.
"""

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers, optimizers
from lamina.models import Sequential
from lamina.utils import set_random_seed

pytestmark = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no "
                                "gradients and does not train")

RNG = np.random.default_rng(3)
STEP = 1e-6


def N(x):
    return np.asarray(K.convert_to_numpy(x), dtype="float64")


@pytest.mark.parametrize("cls, args, kwargs, input_shape", [
    (layers.Conv1D, (4, 3), dict(padding="causal", dilation_rate=2, groups=2), (7, 2)),
    (layers.Conv2D, (3, 2), dict(strides=2, padding="same", data_format="channels_first"),
     (2, 5, 4)),
    (layers.Conv2DTranspose, (2, 3), dict(strides=2, padding="same", output_padding=1),
     (3, 3, 2)),
    (layers.DepthwiseConv1D, (3,), dict(depth_multiplier=2, padding="same"), (6, 2)),
    (layers.SeparableConv2D, (3, 2), dict(depth_multiplier=2), (4, 4, 2)),
])
def test_gradients_match_finite_differences(cls, args, kwargs, input_shape):
    layer = cls(*args, dtype="float64", activation="tanh", **kwargs)
    x = RNG.normal(size=(2,) + input_shape)
    layer.build(x.shape)
    for w in layer.weights:
        w.assign(RNG.normal(size=w.shape))
    weights = [w.numpy() for w in layer.weights]
    probe = RNG.normal(size=tuple(layer(K.convert_to_tensor(x)).shape))
    probe_t = K.convert_to_tensor(probe)

    def loss(inputs, *_):
        return K.sum(layer(inputs) * probe_t)

    grads = [N(g) for g in K.grad(loss, argnums=tuple(range(len(weights) + 1)))(
        K.convert_to_tensor(x), *layer.weights)]
    assert [g.shape for g in grads] == [x.shape] + [w.shape for w in weights]

    # one random direction through the inputs and every weight at once: the central
    # difference along it against the sum of <gradient, direction>
    directions = [RNG.normal(size=g.shape) for g in grads]

    def moved(sign):
        points = [p + sign * STEP * d for p, d in zip([x] + weights, directions)]
        for w, value in zip(layer.weights, points[1:]):
            w.assign(value)
        return float(N(loss(K.convert_to_tensor(points[0]))))

    numeric = (moved(1) - moved(-1)) / (2 * STEP)
    analytic = sum(np.sum(g * d) for g, d in zip(grads, directions))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)


def _squares(count, rng):
    """12x12 noisy images with a bright 3x3 square; label 1 when it is in the right half."""
    images = rng.uniform(0.0, 0.3, size=(count, 12, 12, 1)).astype("float32")
    labels = rng.integers(0, 2, size=count)
    for image, label in zip(images, labels):
        row = rng.integers(0, 10)
        col = rng.integers(0, 4) + (6 if label else 0)
        image[row:row + 3, col:col + 3, 0] = 1.0
    return images, labels.astype("float32").reshape(-1, 1)


def test_a_small_cnn_learns_where_the_square_is():
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = _squares(192, rng)
    x_test, y_test = _squares(200, rng)
    model = Sequential([
        layers.Conv2D(4, 3, strides=2, activation="relu", input_shape=(12, 12, 1)),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=5, verbose=0)
    results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    assert results["accuracy"] >= 0.95, results
