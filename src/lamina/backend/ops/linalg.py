"""Linear algebra K functions (Keras 3's ``keras.ops.linalg``): inverses, determinants,
solvers and decompositions over the last two axes, batched over the leading ones.

Each ``@_op`` function is a specification (see :mod:`lamina.backend.dispatch`);
``logdet`` and ``cholesky_inverse`` are written from the others. Results are float
(``floatx()`` for int input).

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.inv([[2.0, 0.0], [0.0, 4.0]])).tolist()
[[0.5, 0.0], [0.0, 0.25]]
"""

from lamina.backend.dispatch import op as _op
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import math as _math
from lamina.backend.ops.gradients import jvp  # noqa: F401  (Keras 3 lists it here too)
from lamina.backend.ops.math import norm  # noqa: F401  (Keras 3 lists it here too)


@_op
def inv(x):
    """Inverse of the square matrix ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.inv([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """


@_op
def det(x):
    """Determinant of the square matrix ``x``.

    >>> from lamina import backend as K
    >>> round(float(K.det([[2.0, 1.0], [1.0, 3.0]])), 4)
    5.0
    """


@_op
def slogdet(x):
    """``(sign, log|det|)`` of the square matrix ``x``, exact where ``det`` would overflow.

    >>> from lamina import backend as K
    >>> sign, logabs = K.slogdet([[-2.0, 0.0], [0.0, 1.0]])
    >>> float(sign), round(float(logabs), 4)
    (-1.0, 0.6931)
    """


def logdet(x):
    """Natural log of the determinant of ``x`` (NaN where the determinant is negative).

    >>> from lamina import backend as K
    >>> round(float(K.logdet([[2.0, 0.0], [0.0, 3.0]])), 4)
    1.7918
    """
    sign, logabs = slogdet(x)
    return _math.add(_math.log(sign), logabs)


@_op
def solve(a, b):
    """``x`` such that ``a @ x == b`` (``a`` square).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [8.0]])).tolist()
    [[1.0], [2.0]]
    """


@_op
def solve_triangular(a, b, lower=False):
    """``x`` such that ``a @ x == b`` for the triangular ``a`` (upper unless ``lower``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.solve_triangular([[1.0, 0.0], [1.0, 1.0]], [[1.0], [3.0]],
    ...                                       lower=True)).tolist()
    [[1.0], [2.0]]
    """


@_op
def cholesky(x, upper=False):
    """The Cholesky factor ``L`` (``x == L @ L.T``) of the symmetric positive-definite
    ``x``; its transpose when ``upper``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cholesky([[4.0, 2.0], [2.0, 2.0]])).tolist()
    [[2.0, 0.0], [1.0, 1.0]]
    """


def cholesky_inverse(x, upper=False):
    """Inverse of the matrix whose Cholesky factor is ``x`` (lower, or upper if ``upper``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cholesky_inverse([[2.0, 0.0], [0.0, 1.0]])).tolist()
    [[0.25, 0.0], [0.0, 1.0]]
    """
    factor_t = _arrays.swapaxes(x, -1, -2)
    return inv(_math.matmul(factor_t, x) if upper else _math.matmul(x, factor_t))


@_op
def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)`` of ``x`` (``mode``: "reduced" or "complete").

    >>> from lamina import backend as K
    >>> q, r = K.qr([[3.0, 0.0], [4.0, 1.0]])
    >>> K.int_shape(q), K.int_shape(r)
    ((2, 2), (2, 2))
    """


@_op
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``(u, s, vh)`` of ``x``; only ``s`` (descending)
    when ``compute_uv=False``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.svd([[3.0, 0.0], [0.0, 4.0]], compute_uv=False)).tolist()
    [4.0, 3.0]
    """


@_op
def eigh(x):
    """Eigenvalues (ascending) and eigenvectors ``(w, v)`` of the symmetric ``x``.

    >>> from lamina import backend as K
    >>> w, v = K.eigh([[2.0, 0.0], [0.0, 1.0]])
    >>> K.convert_to_numpy(w).tolist()
    [1.0, 2.0]
    """


@_op
def eig(x):
    """Eigenvalues and eigenvectors ``(w, v)`` of the square ``x`` (real parts; the
    engines return complex values for matrices with complex eigenvalues).

    >>> from lamina import backend as K
    >>> w, v = K.eig([[2.0, 0.0], [0.0, 1.0]])
    >>> sorted(K.convert_to_numpy(K.real(w)).tolist())
    [1.0, 2.0]
    """


@_op
def lstsq(a, b, rcond=None):
    """Least-squares solution ``x`` minimizing ``|a @ x - b|``.

    >>> from lamina import backend as K
    >>> x = K.lstsq([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [[1.0], [2.0], [5.0]])
    >>> [round(v, 4) for v in K.convert_to_numpy(x)[:, 0].tolist()]
    [1.0, 2.0]
    """


@_op
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.pinv([[2.0, 0.0], [0.0, 0.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.0]]
    """


@_op
def matrix_rank(x, tol=None):
    """Rank of ``x`` (number of singular values above ``tol``), int32.

    >>> from lamina import backend as K
    >>> int(K.matrix_rank([[1.0, 2.0], [2.0, 4.0]]))
    1
    """


@_op
def lu_factor(x):
    """LU factorization with partial pivoting: ``(lu, pivots)``, ``lu`` holding ``L``
    (unit diagonal, below) and ``U``, ``pivots`` (int32, 0-based) the row swapped with
    each row in turn.

    >>> from lamina import backend as K
    >>> lu, pivots = K.lu_factor([[1.0, 2.0], [3.0, 4.0]])
    >>> K.convert_to_numpy(pivots).tolist()
    [1, 1]
    """
