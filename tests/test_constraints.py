"""lamina.constraints against NumPy formulas (dense and conv kernels, several axes);
get() with every identifier kind; config round trips."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import constraints

EPS = K.epsilon()
RNG = np.random.default_rng(0)
DENSE = (RNG.normal(size=(6, 4)) * np.array([0.1, 1.0, 3.0, 10.0])).astype("float32")
CONV = RNG.normal(size=(3, 3, 2, 4)).astype("float32")


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def np_max_norm(w, max_value, axis):
    n = norms(w, axis)
    return w * (np.clip(n, 0, max_value) / (EPS + n))


def np_min_max_norm(w, min_value, max_value, rate, axis):
    n = norms(w, axis)
    desired = rate * np.clip(n, min_value, max_value) + (1 - rate) * n
    return w * (desired / (EPS + n))


CASES = [
    (constraints.MaxNorm(), DENSE, lambda w: np_max_norm(w, 2, 0)),
    (constraints.MaxNorm(1.5, axis=1), DENSE, lambda w: np_max_norm(w, 1.5, 1)),
    (constraints.MaxNorm(2.0, axis=[0, 1, 2]), CONV, lambda w: np_max_norm(w, 2.0, (0, 1, 2))),
    (constraints.MinMaxNorm(), DENSE, lambda w: np_min_max_norm(w, 0.0, 1.0, 1.0, 0)),
    (constraints.MinMaxNorm(0.5, 2.0, rate=0.3, axis=1), DENSE,
     lambda w: np_min_max_norm(w, 0.5, 2.0, 0.3, 1)),
    (constraints.MinMaxNorm(1.0, 3.0, axis=[0, 1, 2]), CONV,
     lambda w: np_min_max_norm(w, 1.0, 3.0, 1.0, (0, 1, 2))),
    (constraints.NonNeg(), DENSE, lambda w: np.maximum(w, 0)),
    (constraints.NonNeg(), CONV, lambda w: np.maximum(w, 0)),
    (constraints.UnitNorm(), DENSE, lambda w: w / (EPS + norms(w, 0))),
    (constraints.UnitNorm(axis=-1), CONV, lambda w: w / (EPS + norms(w, -1))),
]


@pytest.mark.parametrize("constraint, w, reference", CASES,
                         ids=[f"{c[0]!r}-{c[1].ndim}d" for c in CASES])
def test_constraint_matches_numpy(constraint, w, reference):
    for value in (K.convert_to_tensor(w), K.Variable(w)):
        out = to_np(constraint(value))
        assert out.shape == w.shape and out.dtype == np.float32
        np.testing.assert_allclose(out, reference(w.astype("float64")), rtol=1e-5, atol=1e-6)


def test_norms_land_in_their_range():
    assert np.all(norms(to_np(constraints.MaxNorm(2.0)(K.convert_to_tensor(DENSE))), 0) <= 2.0 + 1e-5)
    n = norms(to_np(constraints.MinMaxNorm(0.5, 2.0)(K.convert_to_tensor(DENSE))), 0)
    assert np.all(n >= 0.5 - 1e-5) and np.all(n <= 2.0 + 1e-5)
    np.testing.assert_allclose(norms(to_np(constraints.UnitNorm()(K.convert_to_tensor(DENSE))), 0),
                               1.0, rtol=1e-5)


def test_non_neg_gives_plain_zeros():
    out = to_np(constraints.NonNeg()(K.convert_to_tensor(DENSE)))
    assert not np.signbit(out).any()


def test_base_constraint_is_the_identity():
    w = K.convert_to_tensor(DENSE)
    assert constraints.Constraint()(w) is w


def test_constraint_on_symbolic_input():
    y = constraints.MaxNorm(1.0)(K.Input((4,)))
    assert K.is_keras_tensor(y) and K.int_shape(y) == (None, 4)


def test_constraint_keeps_a_variable_assignable():
    v = K.Variable(DENSE)
    _ = v.assign(constraints.UnitNorm()(v))
    np.testing.assert_allclose(norms(v.numpy(), 0), 1.0, rtol=1e-5)


# -- get, serialize ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
    ("min_max_norm", constraints.MinMaxNorm), ("MinMaxNorm", constraints.MinMaxNorm),
    ("non_neg", constraints.NonNeg), ("NonNeg", constraints.NonNeg),
    ("unit_norm", constraints.UnitNorm), ("UnitNorm", constraints.UnitNorm)])
def test_get_by_name(name, cls):
    assert type(constraints.get(name)) is cls


def test_aliases_are_the_classes():
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    assert constraints.non_neg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm


def test_get_other_identifier_kinds():
    assert constraints.get(None) is None
    c = constraints.MaxNorm(3)
    assert constraints.get(c) is c
    assert type(constraints.get(constraints.NonNeg)) is constraints.NonNeg
    got = constraints.get({"class_name": "MinMaxNorm", "config": {"min_value": 0.2, "axis": 1}})
    assert isinstance(got, constraints.MinMaxNorm) and (got.min_value, got.axis) == (0.2, 1)

    def clip(w):
        return K.clip(w, -1.0, 1.0)
    assert constraints.get(clip) is clip


def test_get_unknown_name_lists_the_known_names():
    with pytest.raises(ValueError) as info:
        constraints.get("max_nrom")
    message = str(info.value)
    assert "lamina.constraints" in message and "'max_nrom'" in message
    assert "max_norm" in message and "UnitNorm" in message
    with pytest.raises(ValueError, match=r"constraints.get.*7.*Known names"):
        constraints.get(7)
    with pytest.raises(ValueError, match=r"constraints.deserialize.*class_name"):
        constraints.deserialize({"config": {}})


@pytest.mark.parametrize("constraint", [constraints.MaxNorm(3, axis=1),
                                        constraints.MinMaxNorm(0.1, 2.0, 0.5, [0, 1, 2]),
                                        constraints.NonNeg(), constraints.UnitNorm(axis=-1)],
                         ids=repr)
def test_config_round_trip(constraint):
    config = constraint.get_config()
    rebuilt = type(constraint).from_config(config)
    assert rebuilt.get_config() == config
    again = constraints.deserialize(constraints.serialize(constraint))
    assert type(again) is type(constraint) and again.get_config() == config
    np.testing.assert_array_equal(to_np(rebuilt(K.convert_to_tensor(CONV))),
                                  to_np(constraint(K.convert_to_tensor(CONV))))


def test_custom_subclass_through_custom_objects():
    class Clip(constraints.Constraint):
        def __init__(self, limit=1.0):
            self.limit = limit

        def __call__(self, w):
            return K.clip(w, -self.limit, self.limit)

        def get_config(self):
            return {"limit": self.limit}

    got = constraints.deserialize(constraints.serialize(Clip(0.5)), custom_objects={"Clip": Clip})
    assert to_np(got(K.convert_to_tensor([-2.0, 0.1]))).tolist() == [-0.5, pytest.approx(0.1)]
