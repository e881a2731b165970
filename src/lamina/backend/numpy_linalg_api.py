"""NumPy and ``jax.numpy`` implementations of the linear algebra K functions
(:mod:`lamina.backend.ops.linalg`), built from the array module ``xp`` like
:mod:`lamina.backend.numpy_api`. Int input is computed in ``floatx()``; float input
keeps its dtype. ``lu_factor`` comes from ``scipy.linalg`` on NumPy and
``jax.scipy.linalg`` on JAX.

>>> import numpy as np
>>> ops = implement(np)
>>> ops["det"](np.eye(2, dtype="int32")).dtype
dtype('float32')
"""

import numpy as np

from lamina.backend import config, dtypes


def implement(xp):
    """A dict of K implementations (name -> function) over the array module ``xp``."""
    ops = {}
    is_numpy = xp is np
    linalg = xp.linalg

    def floatify(x):
        x = xp.asarray(x) if hasattr(x, "dtype") else xp.asarray(np.asarray(x, config.floatx()))
        return x if dtypes.is_floating_array_dtype(x.dtype) else x.astype(config.floatx())

    def keep(fn):
        def op(x):
            x = floatify(x)
            return fn(x).astype(x.dtype)
        return op

    def probe_safe(fn):
        """``fn``, which on NumPy's zero probes of shape inference (singular matrices)
        runs on identity matrices of the same shapes instead."""
        if not is_numpy:
            return fn

        def op(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except np.linalg.LinAlgError:
                from lamina.backend.numpy.core import probing
                if not probing[0]:
                    raise
            return fn(*[_identity_like(a) for a in args], **kwargs)
        return op

    ops["inv"] = keep(linalg.inv)
    ops["det"] = keep(linalg.det)

    def slogdet(x):
        x = floatify(x)
        sign, logabs = linalg.slogdet(x)
        return sign.astype(x.dtype), logabs.astype(x.dtype)

    ops["slogdet"] = slogdet

    def solve(a, b):
        a, b = floatify(a), floatify(b)
        if b.ndim == a.ndim - 1:  # a vector right-hand side per matrix
            return linalg.solve(a, b[..., None])[..., 0].astype(a.dtype)
        return linalg.solve(a, b).astype(a.dtype)

    ops["solve"] = solve

    def solve_triangular(a, b, lower=False):
        a = floatify(a)
        return solve(xp.tril(a) if lower else xp.triu(a), b)

    ops["solve_triangular"] = solve_triangular

    def cholesky(x, upper=False):
        x = floatify(x)
        factor = linalg.cholesky(x).astype(x.dtype)
        return xp.swapaxes(factor, -1, -2) if upper else factor

    ops["cholesky"] = cholesky

    def qr(x, mode="reduced"):
        if mode not in ("reduced", "complete"):
            raise ValueError(f"qr: mode must be 'reduced' or 'complete'; received {mode!r}.")
        x = floatify(x)
        q, r = linalg.qr(x, mode=mode)
        return q.astype(x.dtype), r.astype(x.dtype)

    ops["qr"] = qr

    def svd(x, full_matrices=True, compute_uv=True):
        x = floatify(x)
        out = linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)
        if not compute_uv:
            return out.astype(x.dtype)
        return tuple(v.astype(x.dtype) for v in out)

    ops["svd"] = svd

    def eigh(x):
        x = floatify(x)
        w, v = linalg.eigh(x)
        return w.astype(x.dtype), v.astype(x.dtype)

    ops["eigh"] = eigh

    def eig(x):
        w, v = linalg.eig(floatify(x))
        return w, v

    ops["eig"] = eig

    def lstsq(a, b, rcond=None):
        a, b = floatify(a), floatify(b)
        return linalg.lstsq(a, b, rcond=rcond)[0].astype(a.dtype)

    ops["lstsq"] = lstsq

    def pinv(x, rcond=None):
        x = floatify(x)
        if rcond is None:
            return linalg.pinv(x).astype(x.dtype)
        return linalg.pinv(x, rcond).astype(x.dtype)

    ops["pinv"] = pinv

    def matrix_rank(x, tol=None):
        x = floatify(x)
        s = linalg.svd(x, compute_uv=False)
        if tol is None:
            tol = xp.max(s, axis=-1, keepdims=True) * max(x.shape[-2:]) * np.finfo(x.dtype).eps
        else:
            tol = xp.asarray(tol)[..., None] if xp.ndim(tol) else tol
        return xp.sum(s > tol, axis=-1).astype(xp.int32)

    ops["matrix_rank"] = matrix_rank

    def lu_factor(x):
        x = floatify(x)
        if not is_numpy:
            import jax.scipy.linalg
            lu, pivots = jax.scipy.linalg.lu_factor(x)
            return lu, pivots.astype(xp.int32)
        import scipy.linalg
        flat = x.reshape((-1,) + x.shape[-2:])
        parts = [scipy.linalg.lu_factor(m) for m in flat]
        lu = np.stack([p[0] for p in parts]).reshape(x.shape).astype(x.dtype)
        pivots = np.stack([p[1] for p in parts]).reshape(x.shape[:-2] + (-1,))
        return lu, pivots.astype(np.int32)

    ops["lu_factor"] = lu_factor
    for name in ("inv", "solve", "solve_triangular", "cholesky"):
        ops[name] = probe_safe(ops[name])
    return ops


def _identity_like(x):
    """Identity matrices (diagonal of ones) with the shape and dtype of the array ``x``."""
    x = np.asarray(x)
    if x.ndim < 2:
        return np.ones_like(x)
    eye = np.eye(x.shape[-2], x.shape[-1], dtype=x.dtype)
    return np.broadcast_to(eye, x.shape).copy()
