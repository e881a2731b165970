"""Model.stateless_call: a pure call with given variable values (Keras 3's contract),
under jax.jit and jax.grad on JAX and with autograd on torch."""

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers, regularizers
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.25).astype("float32")


def numpy(value):
    return K.convert_to_numpy(value)


def values(variables):
    return [v.value for v in variables]


def regression():
    set_random_seed(0)
    x = Input((3,))
    return Model(x, layers.Dense(1, kernel_regularizer=regularizers.L2(0.5))(x))


def test_the_given_values_are_used_and_the_variables_left_alone():
    model = regression()
    before = model.get_weights()
    kernel = np.array([[1.0], [2.0], [3.0]], "float32")
    out, state = model.stateless_call([kernel, np.array([10.0], "float32")], [], X[:2])
    np.testing.assert_allclose(numpy(out), X[:2] @ kernel + 10.0, rtol=1e-5)
    assert state == []
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    own, _ = model.stateless_call(values(model.trainable_variables), [], X)
    np.testing.assert_allclose(numpy(own), numpy(model(X)), rtol=1e-6)


def test_state_comes_back_updated_and_losses_are_those_of_the_given_values():
    set_random_seed(1)
    x = Input((3,))
    norm = layers.BatchNormalization(momentum=0.5)
    model = Model(x, layers.Dropout(0.5, seed=3)(norm(x)))
    trainable = values(model.trainable_variables)
    state = values(model.non_trainable_variables)  # moving mean, variance, the seed state
    assert len(state) == 3
    out, new_state = model.stateless_call(trainable, state, X, training=True)
    np.testing.assert_allclose(numpy(new_state[0]), 0.5 * X.mean(axis=0), rtol=1e-5)
    assert not np.array_equal(numpy(new_state[2]), numpy(state[2]))  # the seed moved on
    np.testing.assert_array_equal(numpy(norm.moving_mean), np.zeros(3))
    assert (numpy(out) == 0).any()  # dropout ran in training mode

    model = regression()
    kernel = np.ones((3, 1), "float32")
    _, _, losses = model.stateless_call([kernel, np.zeros(1, "float32")], [], X,
                                        return_losses=True)
    assert float(numpy(sum(losses))) == pytest.approx(0.5 * 3.0)


def test_wrong_counts_shapes_and_an_unbuilt_model_are_reported():
    model = regression()
    with pytest.raises(ValueError, match=r"expects 2 values in trainable_variables.*received 1"):
        model.stateless_call([np.ones((3, 1), "float32")], [], X)
    with pytest.raises(ValueError, match=r"shape \(2, 1\) in trainable_variables for the "
                                         r"variable 'kernel' of shape \(3, 1\)"):
        model.stateless_call([np.ones((2, 1), "float32"), np.ones(1, "float32")], [], X)
    with pytest.raises(ValueError, match="build it first"):
        Sequential([layers.Dense(2)]).stateless_call([], [], X)


@pytest.mark.skipif(ENGINE != "jax", reason="jax.jit and jax.grad")
def test_a_hand_written_jax_training_loop_with_jit_and_grad():
    import jax

    model = regression()
    trainable = values(model.trainable_variables)
    before = model.get_weights()

    def loss_fn(trainable, x, y):
        out, _, losses = model.stateless_call(trainable, [], x, return_losses=True)
        return jax.numpy.mean((out - y) ** 2) + 0.0 * sum(losses)

    @jax.jit
    def step(trainable, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(trainable, x, y)
        return loss, [w - 0.1 * g for w, g in zip(trainable, grads)]

    first, trainable = step(trainable, X, Y)
    for _ in range(60):
        loss, trainable = step(trainable, X, Y)
    assert float(loss) < 0.05 * float(first)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # the loop's values, not the Variables, moved
    for variable, value in zip(model.trainable_variables, trainable):
        variable.assign(value)
    assert float(np.mean((model.predict(X, verbose=0) - Y) ** 2)) == pytest.approx(
        float(loss), rel=0.2)


@pytest.mark.skipif(ENGINE != "torch", reason="torch autograd")
def test_a_hand_written_torch_training_loop_with_autograd():
    import torch

    model = regression()
    before = model.get_weights()
    trainable = [v.value.detach().clone().requires_grad_(True)
                 for v in model.trainable_variables]
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    losses = []
    for _ in range(60):
        out, _ = model.stateless_call(trainable, [], x)
        loss = torch.mean((out - y) ** 2)
        grads = torch.autograd.grad(loss, trainable)
        with torch.no_grad():
            trainable = [(w - 0.1 * g).requires_grad_(True) for w, g in zip(trainable, grads)]
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.05 * losses[0]
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
