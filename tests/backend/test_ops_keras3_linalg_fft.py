"""Keras 3's linear algebra (ops/linalg.py) and Fourier functions (ops/fourier.py)
against NumPy/SciPy on small matrices and signals, on the engine chosen by
``LAMINA_BACKEND``; and one symbolic-shape check per group."""

import numpy as np
import pytest

from lamina import Input
from lamina import backend as K
from lamina import ops as O

scipy_linalg = pytest.importorskip("scipy.linalg")

A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], "float32")  # SPD
B = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]], "float32")
BATCH = np.stack([A, A * 2 + np.eye(3, dtype="float32")])


def T(x):
    return K.convert_to_tensor(x)


def check(result, expected, dtype="float32", rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(K.convert_to_numpy(result), expected, rtol=rtol, atol=atol)
    if dtype is not None:
        assert K.standardize_dtype(result.dtype) == dtype


def test_inverse_determinant_and_solvers():
    check(O.linalg.inv(T(BATCH)), np.linalg.inv(BATCH))
    check(O.linalg.det(T(BATCH)), np.linalg.det(BATCH))
    check(O.linalg.det(T(np.array([[2, 1], [1, 3]], "int32"))), 5.0)
    sign, logabs = O.slogdet(T(-A))
    ref_sign, ref_logabs = np.linalg.slogdet(-A)
    check(sign, ref_sign)
    check(logabs, ref_logabs)
    check(O.logdet(T(A)), np.log(np.linalg.det(A)))
    check(O.linalg.solve(T(A), T(B)), np.linalg.solve(A, B))
    check(O.linalg.solve(T(A), T(B[:, 0])), np.linalg.solve(A, B[:, 0]))
    for lower in (True, False):
        check(O.linalg.solve_triangular(T(A), T(B), lower=lower),
              scipy_linalg.solve_triangular(A, B, lower=lower))


def test_decompositions():
    lower = O.linalg.cholesky(T(A))
    check(lower, np.linalg.cholesky(A))
    check(O.linalg.cholesky(T(A), upper=True), np.linalg.cholesky(A).T)
    check(O.linalg.cholesky_inverse(lower), np.linalg.inv(A))
    check(O.linalg.cholesky_inverse(O.linalg.cholesky(T(A), upper=True), upper=True),
          np.linalg.inv(A))
    q, r = O.linalg.qr(T(B))
    check(O.matmul(q, r), B)
    assert K.int_shape(q) == (3, 2) and K.int_shape(O.linalg.qr(T(B), mode="complete")[0]) == (3, 3)
    check(O.linalg.svd(T(B), compute_uv=False), np.linalg.svd(B, compute_uv=False))
    u, s, vh = O.linalg.svd(T(B), full_matrices=False)
    check(O.matmul(u * s, vh), B)
    w, v = O.linalg.eigh(T(A))
    check(w, np.linalg.eigh(A)[0])
    check(O.matmul(T(A), v), K.convert_to_numpy(v) * K.convert_to_numpy(w))
    w, v = O.linalg.eig(T(A))
    check(np.sort(np.real(K.convert_to_numpy(w))), np.sort(np.linalg.eigvals(A).real), None)
    lu, pivots = O.linalg.lu_factor(T(B[:2, :2][::-1].copy()))
    ref_lu, ref_pivots = scipy_linalg.lu_factor(B[:2, :2][::-1])
    check(lu, ref_lu)
    check(pivots, ref_pivots, "int32")


def test_least_squares_pseudo_inverse_and_rank():
    check(O.linalg.lstsq(T(B), T(A[:, :1])), np.linalg.lstsq(B, A[:, :1], rcond=None)[0])
    check(O.linalg.pinv(T(B)), np.linalg.pinv(B))
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], "float32")
    check(O.linalg.matrix_rank(T(singular)), 1, "int32")
    check(O.linalg.matrix_rank(T(A)), 3, "int32")
    check(O.linalg.matrix_rank(T(np.diag([1.0, 1e-3]).astype("float32")), tol=0.01), 1,
          "int32")
    check(O.linalg.norm(T(B)), np.linalg.norm(B))


SIGNAL = np.array([[0.5, -1.0, 2.0, 0.0, 1.5, 3.0, -0.5, 1.0]], "float32")


def test_complex_transforms_take_and_give_real_imag_pairs():
    real, imag = SIGNAL, SIGNAL[:, ::-1] * 0.5
    c = real + 1j * imag
    out = O.fft((T(real), T(imag)))
    check(out[0], np.fft.fft(c).real)
    check(out[1], np.fft.fft(c).imag)
    grid_r, grid_i = real.reshape(2, 4), imag.reshape(2, 4)
    g = grid_r + 1j * grid_i
    for ours, theirs in ((O.fft2, np.fft.fft2), (O.ifft2, np.fft.ifft2)):
        re, im = ours((T(grid_r), T(grid_i)))
        check(re, theirs(g).real)
        check(im, theirs(g).imag)
    re, im = O.rfft(T(SIGNAL))
    check(re, np.fft.rfft(SIGNAL).real)
    check(im, np.fft.rfft(SIGNAL).imag)
    re, im = O.rfft(T(SIGNAL), fft_length=6)
    check(re, np.fft.rfft(SIGNAL, 6).real)
    check(O.irfft((re, im), fft_length=6), np.fft.irfft(np.fft.rfft(SIGNAL, 6), 6))
    check(O.irfft(O.rfft(T(SIGNAL))), SIGNAL)
    with pytest.raises(ValueError, match="fft: x must be a pair"):
        O.fft(T(SIGNAL))


def _reference_stft(x, length, stride, n_fft, center):
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)
    window = np.pad(window, ((n_fft - length) // 2, n_fft - length - (n_fft - length) // 2))
    if center:
        x = np.pad(x, (n_fft // 2, n_fft // 2), mode="reflect")
    count = 1 + (len(x) - n_fft) // stride
    frames = np.stack([x[i * stride:i * stride + n_fft] * window for i in range(count)])
    return np.fft.rfft(frames)


@pytest.mark.parametrize("center", [True, False])
def test_stft_matches_framed_rfft_and_istft_inverts_it(center):
    x = np.sin(np.arange(40) * 0.3).astype("float32") + np.linspace(0, 1, 40, dtype="float32")
    re, im = O.stft(T(x), 8, 4, 10, center=center)
    ref = _reference_stft(x, 8, 4, 10, center)
    check(re, ref.real)
    check(im, ref.imag)
    back = O.istft((re, im), 8, 4, 10, length=40 if center else None, center=center)
    expected = x if center else x[:K.int_shape(back)[0]]
    trimmed = slice(0, None) if center else slice(10, -10)  # edges lack overlap without padding
    check(K.convert_to_numpy(back)[trimmed], expected[trimmed], rtol=1e-3, atol=1e-4)


def test_symbolic_shapes():
    m = Input((3, 3))
    assert O.linalg.inv(m).shape == (None, 3, 3)
    assert O.linalg.solve(m, Input((3, 2))).shape == (None, 3, 2)
    assert O.linalg.svd(m, compute_uv=False).shape == (None, 3)
    assert O.logdet(m).shape == (None,)
    signal = Input((64,))
    re, im = O.rfft(signal)
    assert re.shape == im.shape == (None, 33)
    re, im = O.stft(signal, 16, 8, 16)
    assert re.shape == (None, 9, 9)
    assert O.istft((re, im), 16, 8, 16, length=64).shape == (None, 64)


def test_extract_sequences_frames_the_last_axis():
    x = np.arange(20, dtype="float32").reshape(2, 10)
    frames = O.extract_sequences(T(x), 4, 3)
    expected = np.stack([x[:, i:i + 4] for i in range(0, 7, 3)], axis=1)
    check(frames, expected)
    assert O.extract_sequences(Input((10,)), 4, 3).shape == (None, 3, 4)
    with pytest.raises(ValueError, match="extract_sequences: the last axis"):
        O.extract_sequences(T(x), 12, 1)
