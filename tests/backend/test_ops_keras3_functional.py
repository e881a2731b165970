"""Keras 3's ``map``, ``associative_scan`` and ``custom_gradient`` (ops/functional.py)
on the engine chosen by ``LAMINA_BACKEND``, against NumPy loops; gradients on the
engines that train."""

import numpy as np
import pytest

from lamina import Input
from lamina import backend as K
from lamina import ops as O


def test_map_applies_f_to_each_slice():
    x = np.arange(6, dtype="float32").reshape(3, 2)
    out = O.map(lambda row: K.sum(row * row), K.convert_to_tensor(x))
    np.testing.assert_allclose(K.convert_to_numpy(out), (x * x).sum(1))
    pair = O.map(lambda p: p[0] + p[1], (K.convert_to_tensor(x), K.convert_to_tensor(x)))
    np.testing.assert_allclose(K.convert_to_numpy(pair), 2 * x)


@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_matches_cumulative_numpy(reverse):
    x = np.array([[3.0, -1.0, 4.0, 1.0], [5.0, 9.0, -2.0, 6.0]], "float32")
    ours = O.associative_scan(K.maximum, K.convert_to_tensor(x), reverse=reverse, axis=1)
    theirs = np.maximum.accumulate(x[:, ::-1], axis=1)[:, ::-1] if reverse \
        else np.maximum.accumulate(x, axis=1)
    np.testing.assert_allclose(K.convert_to_numpy(ours), theirs)
    sums = O.associative_scan(K.add, K.convert_to_tensor(x), reverse=reverse)
    expected = np.cumsum(x[::-1], 0)[::-1] if reverse else np.cumsum(x, 0)
    np.testing.assert_allclose(K.convert_to_numpy(sums), expected)


@O.custom_gradient
def _scaled_by_two(x):
    return x * 2.0, lambda upstream: K.clip(upstream, -1.0, 1.0)


def test_custom_gradient_value_and_gradient():
    x = K.convert_to_tensor([5.0, -3.0])
    np.testing.assert_allclose(K.convert_to_numpy(_scaled_by_two(x)), [10.0, -6.0])
    assert _scaled_by_two(Input((2,))).shape == (None, 2)
    if K.backend() == "numpy":
        pytest.skip("the numpy engine computes no gradients")
    grads = K.grad(lambda v: K.sum(_scaled_by_two(v) * 4.0))(x)
    np.testing.assert_allclose(K.convert_to_numpy(grads), [1.0, 1.0])  # clipped, not 8


def test_symbolic_shapes():
    x = Input((4, 3))
    assert O.map(lambda r: K.sum(r, axis=-1), x).shape == (None, 4)
    assert O.associative_scan(K.add, x, axis=1).shape == (None, 4, 3)


def test_jvp_is_the_directional_derivative():
    x, direction = K.convert_to_tensor([1.0, 2.0]), K.convert_to_tensor([1.0, -1.0])
    if K.backend() == "numpy":
        with pytest.raises(NotImplementedError, match="jvp: the numpy engine"):
            O.jvp(lambda v: v * v, (x,), (direction,))
        return
    out, tangent = O.jvp(lambda v: K.sin(v) * v, (x,), (direction,))
    xs, d = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    np.testing.assert_allclose(K.convert_to_numpy(out), np.sin(xs) * xs, rtol=1e-6)
    np.testing.assert_allclose(K.convert_to_numpy(tangent), (np.cos(xs) * xs + np.sin(xs)) * d,
                               rtol=1e-5)
    out, tangent, aux = O.linalg.jvp(lambda v: (K.sum(v * v), K.max(v)), (x,), (direction,),
                                     has_aux=True)
    assert float(aux) == 2.0 and float(tangent) == pytest.approx(2 * 1.0 - 2 * 2.0)


def test_vectorize_broadcasts_over_batch_axes():
    a = np.arange(6, dtype="float32").reshape(2, 3)
    b = np.array([1.0, -1.0, 2.0], "float32")
    elementwise = O.vectorize(lambda x, y: K.maximum(x, y) * 2.0)
    np.testing.assert_allclose(K.convert_to_numpy(elementwise(K.convert_to_tensor(a),
                                                              K.convert_to_tensor(b))),
                               np.maximum(a, b) * 2)
    matvec = O.vectorize(lambda m, v: K.matmul(m, v), signature="(m,n),(n)->(m)")
    ms = np.arange(12, dtype="float32").reshape(2, 2, 3)
    np.testing.assert_allclose(K.convert_to_numpy(matvec(K.convert_to_tensor(ms),
                                                         K.convert_to_tensor(b))), ms @ b)
    scaled = O.vectorize(lambda x, scale: x * scale, excluded={1})
    np.testing.assert_allclose(K.convert_to_numpy(scaled(K.convert_to_tensor(b), 3.0)), b * 3)
    with pytest.raises(ValueError, match="vectorize: the signature"):
        matvec(K.convert_to_tensor(ms))
