"""torch's fused optimizer updates give the numbers of the engine-neutral K code (the
K code runs under a VariableScope, where the fused path is never taken)."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import optimizers
from lamina.backend import fused_optimizers

pytestmark = pytest.mark.skipif(K.backend() != "torch", reason="the fused updates are torch's")

RNG = np.random.default_rng(1)
SHAPES = [(3, 2), (2,)]
WEIGHTS = [RNG.normal(size=s).astype("float32") for s in SHAPES]
GRADS = [[RNG.normal(size=s).astype("float32") for s in SHAPES] for _ in range(5)]

CASES = [
    ("SGD", {"learning_rate": 0.1}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1,
             "clipnorm": 0.5}),
    ("RMSprop", {"learning_rate": 0.01}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "clipvalue": 0.3}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "weight_decay": 0.1,
                 "global_clipnorm": 1.0}),
    ("Adam", {"learning_rate": 0.01}), ("Adam", {"learning_rate": 0.01, "amsgrad": True,
                                                 "global_clipnorm": 1.0}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "clipnorm": 0.5}),
    ("AdamW", {"learning_rate": 0.01, "amsgrad": True, "clipvalue": 0.3}),
]


def run(name, config, fused):
    variables = [K.Variable(w, name=f"w{i}") for i, w in enumerate(WEIGHTS)]
    optimizer = getattr(optimizers, name)(**config)
    optimizer.build(variables)
    for grads in GRADS:
        grads = [K.convert_to_tensor(g) for g in grads]
        if fused:
            optimizer.apply(grads, variables)
            continue
        with K.VariableScope() as scope:
            optimizer.apply(grads, variables)
        for v in scope.assigned:
            v.assign(scope.values[v])
    return [v.numpy() for v in variables + optimizer.variables]


@pytest.mark.parametrize("name, config", CASES,
                         ids=[f"{n}-{'-'.join(c)}" for n, c in CASES])
def test_fused_update_matches_the_k_code(name, config):
    assert fused_optimizers.lookup(getattr(optimizers, name)._fused) is not None
    for fused, k_code in zip(run(name, config, True), run(name, config, False)):
        np.testing.assert_allclose(fused, k_code, rtol=0, atol=1e-6)


def test_gradients_are_left_untouched_and_subclasses_take_the_k_code():
    import torch
    w = K.Variable([3.0, 4.0])
    grad = torch.tensor([3.0, 4.0])
    optimizers.SGD(learning_rate=0.1, clipnorm=1.0).apply([grad], [w])
    assert grad.tolist() == [3.0, 4.0]
    np.testing.assert_allclose(w.numpy(), [3.0 - 0.06, 4.0 - 0.08], rtol=1e-6)

    class Doubled(optimizers.SGD):
        def update_step(self, gradient, variable, learning_rate):
            super().update_step(gradient * 2.0, variable, learning_rate)

    v = K.Variable([1.0])
    Doubled(learning_rate=0.5).apply([torch.ones(1)], [v])
    assert v.numpy().tolist() == [0.0]
