"""The activations Keras 3 added (celu, glu, sparsemax, the shrinkage and piecewise
functions), as ``lamina.activations.X`` and ``lamina.ops.X``, against NumPy formulas
written here; their symbolic shapes, names, errors and gradients."""

import numpy as np
import pytest

from lamina import activations, ops
from lamina import backend as K

ENGINE = K.backend()
X = np.array([[-2.0, -0.7, -0.2, 0.0, 0.3, 0.9, 1.5, 4.0],
              [0.1, 0.2, -3.0, 2.5, -1.0, 1.0, 0.45, -0.55]], dtype="float32")


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def np_sparsemax(row):
    """The simplex projection by bisection on tau, where sum(max(row - tau, 0)) = 1."""
    low, high = row.max() - 1.0, row.max()
    for _ in range(100):
        tau = (low + high) / 2
        if np.maximum(row - tau, 0).sum() > 1:
            low = tau
        else:
            high = tau
    return np.maximum(row - (low + high) / 2, 0)


REFERENCES = {
    "celu": (lambda x: activations.celu(x, alpha=0.5),
             lambda x: np.where(x > 0, x, 0.5 * (np.exp(x / 0.5) - 1))),
    "hard_shrink": (activations.hard_shrink, lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    "hard_tanh": (activations.hard_tanh, lambda x: np.minimum(np.maximum(x, -1), 1)),
    "soft_shrink": (lambda x: activations.soft_shrink(x, threshold=0.25),
                    lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.25, 0)),
    "sparse_plus": (activations.sparse_plus,
                    lambda x: np.select([x <= -1, x >= 1], [0 * x, x], (x + 1) ** 2 / 4)),
    "sparse_sigmoid": (activations.sparse_sigmoid,
                       lambda x: np.select([x <= -1, x >= 1], [0 * x, 1 + 0 * x],
                                           (x + 1) / 2)),
    "squareplus": (lambda x: activations.squareplus(x, b=1.0),
                   lambda x: (x + np.sqrt(x * x + 1.0)) / 2),
    "tanh_shrink": (activations.tanh_shrink, lambda x: x - np.tanh(x)),
    "threshold": (lambda x: activations.threshold(x, 0.25, -5.0),
                  lambda x: np.where(x > 0.25, x, -5.0)),
    "glu": (activations.glu, lambda x: x[:, :4] / (1 + np.exp(-x[:, 4:]))),
    "sparsemax": (activations.sparsemax, lambda x: np.stack([np_sparsemax(r) for r in x])),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_matches_the_numpy_formula(name):
    fn, reference = REFERENCES[name]
    out = fn(K.convert_to_tensor(X))
    assert K.dtype(out) == "float32"
    np.testing.assert_allclose(to_np(out), reference(X.astype("float64")), rtol=1e-5,
                               atol=1e-6)


def test_sparsemax_sums_to_one_along_axis_with_exact_zeros():
    out = to_np(ops.sparsemax(K.convert_to_tensor(X.T), axis=0))
    np.testing.assert_allclose(out.sum(axis=0), np.ones(2), rtol=1e-6)
    np.testing.assert_allclose(out, np.stack([np_sparsemax(r) for r in X]).T, atol=1e-6)
    assert (out == 0).any()


def test_names_resolve_and_ops_are_the_same_functions():
    for name in REFERENCES:
        assert activations.get(name) is getattr(activations, name) is getattr(ops, name)
        assert activations.serialize(getattr(activations, name)) == name


def test_integer_inputs_compute_in_floatx():
    out = ops.hard_tanh(K.convert_to_tensor([-3, 0, 2]))
    assert K.dtype(out) == K.floatx()
    assert to_np(out).tolist() == [-1.0, 0.0, 1.0]


def test_symbolic_shapes():
    assert K.int_shape(ops.glu(K.Input((3, 6)), axis=-1)) == (None, 3, 3)
    assert K.int_shape(ops.sparsemax(K.Input((4,)))) == (None, 4)
    assert K.int_shape(ops.celu(K.Input((2, 5)))) == (None, 2, 5)


def test_glu_odd_axis_says_what_it_received():
    with pytest.raises(ValueError, match=r"glu: the size of axis -1 must be even.*\(2, 3\)"):
        ops.glu(K.ones((2, 3)))


@pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine has no gradients")
@pytest.mark.parametrize("name", ["celu", "glu", "sparsemax", "squareplus", "soft_shrink"])
def test_gradients_are_finite_and_match_finite_differences(name):
    from finite_differences import finite_differences
    fn, reference = REFERENCES[name]
    weights = np.linspace(0.5, 1.5, X.size // (2 if name == "glu" else 1))
    x = X.astype("float64") + 0.013  # away from the kinks

    def loss(t):
        return K.sum(K.reshape(fn(t), (-1,)) * K.convert_to_tensor(weights))

    grad = to_np(K.grad(loss)(K.convert_to_tensor(x)))
    expected = finite_differences(lambda v: float((reference(v).reshape(-1) * weights).sum()), x)
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-6)
