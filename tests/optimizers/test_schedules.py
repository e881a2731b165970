"""Learning-rate schedules against their formulas (NumPy), on int steps, tensor steps and
the optimizer's iterations; get_config round trips; errors."""

import math

import numpy as np
import pytest

from lamina import backend as K
from lamina import optimizers
from lamina.optimizers import schedules

STEPS = [0, 1, 3, 5, 8, 13, 30]


def cosine(fraction, alpha):
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha


def restarts(step, first, t_mul, m_mul, alpha, lr):
    fraction, restart = step / first, 0
    length = 1.0
    while fraction >= length:
        fraction -= length
        restart += 1
        length *= t_mul
    return lr * ((1 - alpha) * m_mul ** restart * 0.5 * (1 + math.cos(math.pi * fraction / length))
                 + alpha)


CASES = [
    (schedules.ExponentialDecay(0.5, 4, 0.3), lambda s: 0.5 * 0.3 ** (s / 4)),
    (schedules.ExponentialDecay(0.5, 4, 0.3, staircase=True), lambda s: 0.5 * 0.3 ** (s // 4)),
    (schedules.PiecewiseConstantDecay([3, 8], [0.3, 0.2, 0.1]),
     lambda s: 0.3 if s <= 3 else 0.2 if s <= 8 else 0.1),
    (schedules.InverseTimeDecay(0.5, 2, 0.7), lambda s: 0.5 / (1 + 0.7 * s / 2)),
    (schedules.InverseTimeDecay(0.5, 2, 0.7, staircase=True),
     lambda s: 0.5 / (1 + 0.7 * (s // 2))),
    (schedules.PolynomialDecay(0.5, 10, 0.1, power=2.0),
     lambda s: 0.4 * (1 - min(s, 10) / 10) ** 2 + 0.1),
    (schedules.PolynomialDecay(0.5, 10, 0.1, power=0.5, cycle=True),
     lambda s: 0.4 * (1 - s / (10 * max(1, math.ceil(s / 10)))) ** 0.5 + 0.1),
    (schedules.CosineDecay(0.5, 10, alpha=0.1), lambda s: 0.5 * cosine(min(s, 10) / 10, 0.1)),
    (schedules.CosineDecay(0.1, 10, alpha=0.2, warmup_target=0.5, warmup_steps=5),
     lambda s: 0.1 + 0.4 * s / 5 if s < 5 else 0.5 * cosine(min(s - 5, 10) / 10, 0.2)),
    (schedules.CosineDecayRestarts(0.5, 4, t_mul=2.0, m_mul=0.5, alpha=0.1),
     lambda s: restarts(s, 4, 2.0, 0.5, 0.1, 0.5)),
    (schedules.CosineDecayRestarts(0.5, 4, t_mul=1.0, m_mul=0.8),
     lambda s: restarts(s, 4, 1.0, 0.8, 0.0, 0.5)),
]


@pytest.mark.parametrize("schedule, formula", CASES, ids=[repr(c[0]) for c in CASES])
def test_schedule_matches_its_formula(schedule, formula):
    got = [float(K.convert_to_numpy(schedule(step))) for step in STEPS]
    np.testing.assert_allclose(got, [formula(s) for s in STEPS], rtol=1e-5, atol=1e-7)
    tensor_step = K.convert_to_tensor(np.int64(STEPS[3]))
    np.testing.assert_allclose(float(K.convert_to_numpy(schedule(tensor_step))),
                               formula(STEPS[3]), rtol=1e-5)
    rebuilt = schedules.deserialize(schedules.serialize(schedule))
    assert type(rebuilt) is type(schedule) and rebuilt.get_config() == schedule.get_config()


@pytest.mark.skipif(K.backend() != "jax", reason="jax.jit is JAX's")
def test_schedule_runs_on_a_traced_step():
    import jax
    schedule = CASES[8][0]
    got = jax.jit(schedule)(K.convert_to_tensor(np.int64(7)))
    np.testing.assert_allclose(float(got), CASES[8][1](7), rtol=1e-5)


def test_optimizer_evaluates_its_schedule_at_iterations():
    schedule = schedules.PiecewiseConstantDecay([0, 1], [1.0, 0.5, 0.25])
    w = K.Variable([0.0])
    optimizer = optimizers.SGD(learning_rate=schedule)
    for _ in range(3):
        optimizer.apply([K.ones(1)], [w])
    assert w.numpy().tolist() == [-1.75]  # rates 1.0, 0.5, 0.25 at iterations 0, 1, 2
    assert float(K.convert_to_numpy(optimizer.learning_rate)) == 0.25
    assert all(v.name != f"{optimizer.name}/learning_rate" for v in optimizer.variables)


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), r"ExponentialDecay: decay_steps must be.*> 0.*decay_steps=0"),
    (lambda: schedules.PolynomialDecay(0.1, -1), r"PolynomialDecay: decay_steps .*decay_steps=-1"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [1.0]), r"one more entry.*length 2.*length 1"),
    (lambda: schedules.PiecewiseConstantDecay([2, 1], [1.0, 2.0, 3.0]), r"boundaries must increase"),
    (lambda: schedules.CosineDecay(0.1, 5, warmup_steps=-2), r"CosineDecay: warmup_steps .*-2"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), r"first_decay_steps must be"),
    (lambda: schedules.deserialize({"class_name": "Nope", "config": {}}), r"unknown learning-rate schedule 'Nope'"),
])
def test_schedule_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
