"""compile() after ``trainable`` changed: the steps compiled for the same trainable
weights and compile arguments are reused (no new trace on JAX), a real change of the
trainable set compiles new steps, and training is right either way."""

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K
from lamina.training.graph import TrainingGraph

pytestmark = pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")


@pytest.fixture
def traces(monkeypatch):
    """How many times a training graph ran: once per trace on JAX (per step on torch)."""
    count = [0]
    run = TrainingGraph.run

    def counted(self, *args, **kwargs):
        count[0] += 1
        return run(self, *args, **kwargs)

    monkeypatch.setattr(TrainingGraph, "run", counted)
    return count


def two_layers():
    inputs = Input((3,))
    base = layers.Dense(4, activation="tanh", name="base")
    model = Model(inputs, layers.Dense(1, name="head")(base(inputs)))
    return model, base


DATA = (np.random.default_rng(0).normal(size=(16, 3)).astype("float32"),
        np.random.default_rng(1).normal(size=(16, 1)).astype("float32"))


def fit(model, optimizer="sgd"):
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(*DATA, batch_size=8, epochs=1, verbose=0)


def changed(layer, action):
    before = [w.copy() for w in layer.get_weights()]
    action()
    return not all(np.array_equal(a, b) for a, b in zip(before, layer.get_weights()))


def test_toggling_trainable_back_reuses_the_compiled_steps(traces):
    model, base = two_layers()
    fit(model)
    first = traces[0]
    base.trainable = False
    base.trainable = True
    assert changed(base, lambda: fit(model))
    if K.backend() == "jax":
        assert traces[0] == first  # no new trace


def test_a_real_change_of_the_trainable_set_compiles_and_trains_right(traces):
    model, base = two_layers()
    fit(model)
    first = traces[0]
    base.trainable = False
    assert not changed(base, lambda: fit(model))
    assert changed(model.get_layer("head"), lambda: fit(model))
    frozen = traces[0]
    if K.backend() == "jax":
        assert frozen > first  # a new program for the new trainable set
    base.trainable = True
    assert changed(base, lambda: fit(model))
    base.trainable = False
    assert not changed(base, lambda: fit(model))
    if K.backend() == "jax":
        assert traces[0] == frozen  # both sets' programs were kept


def test_a_reused_step_trains_with_the_new_optimizer_from_its_first_state(traces):
    model, _ = two_layers()
    fit(model, optimizers.Adam(0.01))
    reused_weights, first = model.get_weights(), traces[0]
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")  # the learning rate differs
    model.fit(*DATA, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert int(K.convert_to_numpy(model.optimizer.iterations)) == 4
    if K.backend() == "jax":
        assert traces[0] == first

    fresh, _ = two_layers()
    fresh.set_weights(reused_weights)
    fresh.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    fresh.fit(*DATA, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(K.backend() != "jax", reason="counts jax traces")
def test_other_compile_arguments_compile_new_steps(traces):
    model, _ = two_layers()
    fit(model, optimizers.SGD(0.1))
    first = traces[0]
    fit(model, optimizers.SGD(0.1, momentum=0.9))
    assert traces[0] > first
