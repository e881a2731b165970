"""Each optimizer against a NumPy re-computation of its update over several steps, with
every option; eagerly on every engine, under a VariableScope, inside jax.jit; constraints;
each optimizer minimizes a quadratic with K.value_and_grad."""

import numpy as np
import pytest

import optimizer_reference as reference
from lamina import backend as K
from lamina import optimizers

RNG = np.random.default_rng(0)
SHAPES = [(3, 2), (2,)]
WEIGHTS = [RNG.normal(size=s).astype("float32") for s in SHAPES]
GRADS = [[RNG.normal(size=s).astype("float32") for s in SHAPES] for _ in range(3)]

CASES = [
    ("SGD", {}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("RMSprop", {}), ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "epsilon": 1e-3, "clipnorm": 0.5}),
    ("Adam", {}), ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "amsgrad": True,
                            "global_clipnorm": 1.0}),
    ("AdamW", {"learning_rate": 0.01}), ("AdamW", {"weight_decay": 0.2, "clipvalue": 0.5,
                                                   "amsgrad": True}),
    ("Adagrad", {}), ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5,
                                  "epsilon": 1e-3}),
    ("Adadelta", {}), ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-3}),
    ("Adamax", {}), ("Adamax", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9}),
    ("Nadam", {}), ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "weight_decay": 0.1}),
    ("Lion", {}), ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in config.items()) or 'defaults'}"
       for name, config in CASES]


def make(name, config):
    return getattr(optimizers, name)(**config)


def fresh_variables():
    return [K.Variable(w, name=f"w{i}") for i, w in enumerate(WEIGHTS)]


def as_tensors(grads):
    return [K.convert_to_tensor(g) for g in grads]


@pytest.mark.parametrize("name, config", CASES, ids=IDS)
def test_eager_updates_match_numpy(name, config):
    variables = fresh_variables()
    optimizer = make(name, config)
    for grads in GRADS:
        optimizer.apply(as_tensors(grads), variables)
    expected = reference.run(name, config, WEIGHTS, GRADS)
    for v, e in zip(variables, expected):
        np.testing.assert_allclose(v.numpy(), e, rtol=2e-5, atol=1e-6, err_msg=v.name)
    assert int(optimizer.iterations) == len(GRADS)


@pytest.mark.parametrize("name, config", [CASES[2], CASES[5], CASES[7], CASES[17]],
                         ids=[IDS[2], IDS[5], IDS[7], IDS[17]])
def test_under_a_variable_scope_state_lands_in_the_scope(name, config):
    variables = fresh_variables()
    optimizer = make(name, config)
    optimizer.build(variables)
    state = optimizer.variables
    values = {v: v.value for v in variables + state}
    for grads in GRADS:
        with K.VariableScope(values) as scope:
            optimizer.apply(as_tensors(grads), variables)
        values = dict(scope.values)
    expected = reference.run(name, config, WEIGHTS, GRADS)
    for v, e, w in zip(variables, expected, WEIGHTS):
        np.testing.assert_allclose(K.convert_to_numpy(values[v]), e, rtol=2e-5, atol=1e-6)
        np.testing.assert_array_equal(v.numpy(), w)  # storage untouched
    assert int(K.convert_to_numpy(values[optimizer.iterations])) == len(GRADS)
    assert int(optimizer.iterations) == 0


@pytest.mark.skipif(K.backend() != "jax", reason="jax.jit is JAX's")
@pytest.mark.parametrize("name, config", [CASES[1], CASES[5], CASES[8], CASES[16]],
                         ids=[IDS[1], IDS[5], IDS[8], IDS[16]])
def test_jit_compiled_stateless_apply_matches_numpy(name, config):
    import jax
    variables = fresh_variables()
    optimizer = make(name, config)
    optimizer.build(variables)
    step = jax.jit(optimizer.stateless_apply)
    state = [v.value for v in optimizer.variables]
    weights = [v.value for v in variables]
    for grads in GRADS:
        weights, state = step(state, as_tensors(grads), weights)
    expected = reference.run(name, config, WEIGHTS, GRADS)
    for w, e in zip(weights, expected):
        np.testing.assert_allclose(np.asarray(w), e, rtol=2e-5, atol=1e-6)
    assert int(state[0]) == len(GRADS)


@pytest.mark.skipif(K.backend() != "jax", reason="jax.jit is JAX's")
def test_jit_step_sees_a_new_learning_rate_without_recompiling():
    import jax
    w = K.Variable([1.0])
    optimizer = optimizers.SGD(learning_rate=0.5)
    optimizer.build([w])
    traces = []

    def step(state, weights):
        traces.append(1)
        return optimizer.stateless_apply(state, [K.ones(1)], weights)

    compiled = jax.jit(step)
    weights, state = compiled([v.value for v in optimizer.variables], [w.value])
    optimizer.learning_rate = 0.25
    state[1] = optimizer.variables[1].value
    weights, state = compiled(state, weights)
    assert np.asarray(weights[0]).tolist() == [0.25] and len(traces) == 1


@pytest.mark.parametrize("name", ["SGD", "Adam", "Lion"])
def test_constraints_are_applied_after_the_update(name):
    w = K.Variable([[0.5, -0.5]], constraint=lambda x: K.clip(x, 0.0, 0.6), name="w")
    free = K.Variable([1.0], name="free")
    optimizer = getattr(optimizers, name)(learning_rate=1.0)
    optimizer.apply([K.convert_to_tensor([[-1.0, 1.0]]), K.ones(1)], [w, free])
    assert w.numpy().min() >= 0.0 and w.numpy().max() <= 0.6
    assert float(free.numpy()[0]) < 1.0


QUADRATIC = {"SGD": {"learning_rate": 0.1}, "RMSprop": {"learning_rate": 0.2},
             "Adam": {"learning_rate": 0.2}, "AdamW": {"learning_rate": 0.2},
             "Adagrad": {"learning_rate": 1.0}, "Adadelta": {"learning_rate": 1.0, "epsilon": 1e-2},
             "Adamax": {"learning_rate": 0.2}, "Nadam": {"learning_rate": 0.2},
             "Lion": {"learning_rate": 0.2}}


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_minimizes_a_quadratic(name):
    target = K.convert_to_tensor([1.0, -2.0])
    w = K.Variable([3.0, 3.0], name="w")
    loss_and_grad = K.value_and_grad(lambda v: K.sum(K.square(v - target)))
    optimizer = getattr(optimizers, name)(**QUADRATIC[name])
    first, _ = loss_and_grad(w)
    for _ in range(30):
        loss, grad = loss_and_grad(w)
        optimizer.apply([grad], [w])
    final, _ = loss_and_grad(w)
    assert float(final) < 0.05 * float(first), (float(first), float(final))
