"""The JAX train and test steps donate the buffers of the Variables they assign: XLA
updates weights, optimizer slots, metric and seed state in place, reading a Variable
after a step gives the new value, and an array a user took from a Variable before a
step keeps its value (it is never a deleted buffer)."""

import numpy as np
import pytest

from lamina import Input, Model, callbacks, layers, optimizers
from lamina import backend as K
from lamina.utils import set_random_seed

pytestmark = pytest.mark.skipif(K.backend() != "jax", reason="buffer donation is jax's")


def data(n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ rng.normal(size=(4, 2))).astype("float32")


def model_with_state(middle="dropout", **compile_kwargs):
    """Weights, Adam slots, a metric and a dropout seed (or batch statistics): every
    kind of assigned state."""
    set_random_seed(3)
    inputs = Input((4,))
    middle = layers.Dropout(0.25) if middle == "dropout" else layers.BatchNormalization()
    hidden = middle(layers.Dense(6, activation="tanh", name="hidden")(inputs))
    model = Model(inputs, layers.Dense(2, name="out")(hidden))
    model.compile(optimizer=optimizers.Adam(0.01), loss="mse", metrics=["mae"],
                  **compile_kwargs)
    return model


def stored(variables):
    """The arrays the Variables hold now, taken without reading them as a user would."""
    return [v._value for v in variables]


def state_variables(model):
    return (list(model.variables) + list(model.optimizer.variables)
            + [v for m in model.metrics for v in m.variables])


def test_a_plain_sgd_step_is_read_back_exactly():
    inputs = Input((3,))
    model = Model(inputs, layers.Dense(1, use_bias=False, kernel_initializer="ones")(inputs))
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    x = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]], "float32")
    y = np.array([[1.0], [0.0]], "float32")
    kernel, expected = model.layers[-1].kernel, np.ones((3, 1), "float32")
    for step in range(1, 4):
        model.train_on_batch(x, y)
        expected -= 0.1 * (2 / len(x)) * x.T @ (x @ expected - y)
        np.testing.assert_allclose(kernel.numpy(), expected, rtol=1e-6)
        assert int(model.optimizer.iterations.numpy()) == step


class Capture(callbacks.Callback):
    """Takes the stored arrays after batch 1 and looks at them after batch 2."""

    def __init__(self, variables):
        super().__init__()
        self.variables, self.before, self.deleted = variables, None, None

    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            self.before = stored(self.variables)
        elif batch == 2:
            self.deleted = [(v.name, old.is_deleted()) for v, old in
                            zip(self.variables, self.before)]
            self.replaced = all(old is not new for old, new in
                                zip(self.before, stored(self.variables)))


def test_every_kind_of_state_is_donated_and_updated_in_place():
    model = model_with_state()
    x, y = data()
    model.fit(x[:8], y[:8], batch_size=8, epochs=1, verbose=0)  # builds the optimizer
    rate = model.optimizer.learning_rate
    assigned = [v for v in state_variables(model) if v is not rate]
    names = {v.name.rsplit("/", 1)[-1] for v in assigned}
    assert {"seed_generator_state", "iterations", "kernel_momentum", "total", "kernel"} <= names
    capture = Capture(assigned)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[capture])
    assert [name for name, gone in capture.deleted if not gone] == [] and capture.replaced
    before = rate._value
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert rate._value is before and not before.is_deleted()  # read by the step, not assigned


def test_a_value_held_from_before_a_step_keeps_its_value():
    model = model_with_state()
    x, y = data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    kernel = model.get_layer("hidden").kernel
    held = kernel.value  # a JAX array the user keeps
    held_numpy = np.asarray(kernel)
    snapshot = np.array(held)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert not held.is_deleted()
    np.testing.assert_array_equal(np.asarray(held), snapshot)
    np.testing.assert_array_equal(held_numpy, snapshot)
    assert not np.allclose(kernel.numpy(), snapshot)  # the Variable moved on
    # the Variable's own current value is what the next step donates and replaces
    current = kernel.value
    model.train_on_batch(x[:8], y[:8])
    assert not current.is_deleted() and not np.allclose(kernel.numpy(), np.asarray(current))


def test_a_user_array_given_to_a_variable_is_never_donated():
    start = K.convert_to_tensor(np.ones(3, "float32"))
    a, b = K.Variable(start, trainable=False), K.Variable(start, trainable=False)

    def step(delta):
        a.assign_add(delta)
        b.assign_sub(delta)

    compiled = K.engine.compile_step(step, [a, b])
    for _ in range(3):
        compiled(K.convert_to_tensor(np.full(3, 2.0, "float32")))
    assert a.numpy().tolist() == [7.0] * 3 and b.numpy().tolist() == [-5.0] * 3
    assert np.asarray(start).tolist() == [1.0] * 3
    later = K.convert_to_tensor(np.zeros(3, "float32"))
    a.assign(later)
    compiled(K.convert_to_tensor(np.ones(3, "float32")))
    assert np.asarray(later).tolist() == [0.0] * 3 and a.numpy().tolist() == [1.0] * 3


class ReadEverything(callbacks.Callback):
    """Reads every Variable after each batch as a user would: each step then donates
    copies, and the arrays read stay valid."""

    def on_train_batch_end(self, batch, logs=None):
        self.held = [v.value for v in state_variables(self.model)]


def run(middle, read_everything=False, **compile_kwargs):
    model = model_with_state(middle, **compile_kwargs)
    x, y = data()
    reader = [ReadEverything()] if read_everything else []
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                        callbacks=reader)
    if reader:
        assert not any(a.is_deleted() for a in reader[0].held)
    return ([v.numpy() for v in state_variables(model)], history.history["mae"])


def assert_same_run(reference, result):
    for a, b in zip(reference[0], result[0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(reference[1], result[1], rtol=1e-5)


@pytest.mark.parametrize("options", [dict(), dict(steps_per_execution=3)])
def test_weights_and_batch_statistics_after_several_steps_equal_an_eager_run(options):
    assert_same_run(run("batchnorm", run_eagerly=True), run("batchnorm", **options))


@pytest.mark.parametrize("options", [dict(), dict(steps_per_execution=3)])
def test_a_run_that_donates_equals_one_whose_every_variable_is_held(options):
    assert_same_run(run("dropout", read_everything=True, **options), run("dropout", **options))


def test_evaluate_donates_the_metric_state_and_leaves_the_weights():
    model = model_with_state()
    x, y = data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    weights = stored(model.variables)
    first = model.evaluate(x, y, batch_size=8, verbose=0)
    assert not any(w.is_deleted() for w in weights)
    assert model.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(first, rel=1e-6)


def test_copies_happen_once_per_fit_not_once_per_step(monkeypatch):
    from lamina.backend.jax import training
    copies = []
    real_copy = training._copy
    monkeypatch.setattr(training, "_copy", lambda v: copies.append(v.shape) or real_copy(v))
    model = model_with_state()
    x, y = data(64)
    model.fit(x[:16], y[:16], batch_size=8, epochs=1, verbose=0)
    counts = []
    for n in (16, 64):  # 2 steps, then 8 steps
        copies.clear()
        model.fit(x[:n], y[:n], batch_size=8, epochs=1, verbose=0)
        counts.append(len(copies))
    assert counts[0] == counts[1]
    assert all(int(np.prod(shape)) == 1 for shape in copies)  # the reset metric totals


def test_donation_adds_no_compiles():
    model = model_with_state()
    x, y = data(44)  # batches of 8 and a last one of 4
    model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    model.evaluate(x, y, batch_size=8, verbose=0)
    steps = model._steps()
    assert steps["train"]._compiled._cache_size() == 2
    assert steps["test"]._compiled._cache_size() == 2


@pytest.mark.parametrize("options", [dict(), dict(steps_per_execution=2)])
def test_finding_the_assigned_variables_costs_no_second_trace_of_the_step(options):
    model = model_with_state(**options)
    x, y = data(44)  # batches of 8 and a last one of 4
    traces = []
    train_step = model.train_step
    model.train_step = lambda *args: traces.append(1) or train_step(*args)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(traces) == 2  # one full batch, one last partial batch


def test_a_variable_listed_twice_is_donated_once():
    v = K.Variable(np.zeros(2, "float32"), trainable=False)

    def step(delta):
        v.assign_add(delta)

    compiled = K.engine.compile_step(step, [v, v])
    for _ in range(2):
        compiled(K.convert_to_tensor(np.ones(2, "float32")))
    assert v.numpy().tolist() == [2.0, 2.0]
