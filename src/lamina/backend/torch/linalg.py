"""torch implementations of the linear algebra and Fourier K functions
(:mod:`lamina.backend.ops.linalg`, :mod:`lamina.backend.ops.fourier`), with the numpy
engine's values and dtypes: int input is computed in ``floatx()``, complex values
travel as ``(real, imag)`` pairs.

>>> import torch
>>> det(torch.eye(2, dtype=torch.int32)).dtype
torch.float32
"""

import torch

from lamina.backend.torch.math import _align, _floatify, _same_dtype

__all__ = ["inv", "det", "slogdet", "solve", "solve_triangular", "cholesky", "qr", "svd",
           "eigh", "eig", "lstsq", "pinv", "matrix_rank", "lu_factor",
           "fft", "fft2", "ifft2", "rfft", "irfft"]


def _floats(*xs):
    return _same_dtype(*[_floatify(x) for x in xs])


def inv(x):
    return torch.linalg.inv(_floatify(x))


def det(x):
    return torch.linalg.det(_floatify(x))


def slogdet(x):
    return tuple(torch.linalg.slogdet(_floatify(x)))


def _vector_rhs(solver, a, b):
    if b.ndim == a.ndim - 1:  # a vector right-hand side per matrix
        return solver(a, b[..., None])[..., 0]
    return solver(a, b)


def solve(a, b):
    return _vector_rhs(torch.linalg.solve, *_floats(a, b))


def solve_triangular(a, b, lower=False):
    return _vector_rhs(lambda m, r: torch.linalg.solve_triangular(m, r, upper=not lower),
                       *_floats(a, b))


def cholesky(x, upper=False):
    return torch.linalg.cholesky(_floatify(x), upper=upper)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete'; received {mode!r}.")
    return tuple(torch.linalg.qr(_floatify(x), mode=mode))


def svd(x, full_matrices=True, compute_uv=True):
    x = _floatify(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def eigh(x):
    return tuple(torch.linalg.eigh(_floatify(x)))


def eig(x):
    return tuple(torch.linalg.eig(_floatify(x)))


def lstsq(a, b, rcond=None):
    a, b = _floats(a, b)
    if b.ndim == a.ndim - 1:
        return torch.linalg.lstsq(a, b[..., None], rcond=rcond).solution[..., 0]
    return torch.linalg.lstsq(a, b, rcond=rcond).solution


def pinv(x, rcond=None):
    return torch.linalg.pinv(_floatify(x), rtol=rcond)


def matrix_rank(x, tol=None):
    return torch.linalg.matrix_rank(_floatify(x), atol=tol).to(torch.int32)


def lu_factor(x):
    lu, pivots = torch.linalg.lu_factor(_floatify(x))
    return lu, (pivots - 1).to(torch.int32)


# -- Fourier transforms ---------------------------------------------------------------
def _complex(x, name):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: x must be a pair (real, imag) of tensors of one shape; "
                         f"received {type(x).__name__}.")
    real, imag = _align(*_floats(*x))
    if real.shape != imag.shape:
        raise ValueError(f"{name}: the real and imaginary parts must have the same shape; "
                         f"received {tuple(real.shape)} and {tuple(imag.shape)}.")
    return torch.complex(real, imag)


def _pair(c):
    return c.real.contiguous(), c.imag.contiguous()


def fft(x):
    return _pair(torch.fft.fft(_complex(x, "fft")))


def fft2(x):
    return _pair(torch.fft.fft2(_complex(x, "fft2")))


def ifft2(x):
    return _pair(torch.fft.ifft2(_complex(x, "ifft2")))


def rfft(x, fft_length=None):
    return _pair(torch.fft.rfft(_floatify(x), n=fft_length))


def irfft(x, fft_length=None):
    return torch.fft.irfft(_complex(x, "irfft"), n=fft_length)
