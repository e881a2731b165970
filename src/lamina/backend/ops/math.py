"""NumPy-style K functions: element-wise math, comparisons, reductions and linear algebra.

Each function below is a specification (signature and docstring); its implementation
is the selected engine's function of the same name (see :mod:`lamina.backend.dispatch`).
Result dtypes follow :mod:`lamina.backend.dtypes` on every engine.

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.add(K.ones(2), 1.0)).tolist()
[2.0, 2.0]
"""

from lamina.backend.dispatch import op as _op


@_op
def abs(x):
    """Absolute value, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.abs([-1.0, 2.0])).tolist()
    [1.0, 2.0]
    """


@_op
def absolute(x):
    """Absolute value, element-wise (same as ``abs``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.absolute([-1.0])).tolist()
    [1.0]
    """


@_op
def add(x1, x2):
    """Sum of the arguments, element-wise, with broadcasting.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.add([1.0, 2.0], 1.0)).tolist()
    [2.0, 3.0]
    """


@_op
def all(x, axis=None, keepdims=False):
    """True where every element along ``axis`` is true.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.all([True, False])).tolist()
    False
    """


@_op
def any(x, axis=None, keepdims=False):
    """True where some element along ``axis`` is true.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.any([True, False])).tolist()
    True
    """


@_op
def amax(x, axis=None, keepdims=False):
    """Maximum along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.amax([1.0, 3.0])).tolist()
    3.0
    """


@_op
def amin(x, axis=None, keepdims=False):
    """Minimum along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.amin([1.0, 3.0])).tolist()
    1.0
    """


@_op
def arccos(x):
    """Inverse cosine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arccos([1.0])).tolist()
    [0.0]
    """


@_op
def arcsin(x):
    """Inverse sine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arcsin([0.0])).tolist()
    [0.0]
    """


@_op
def arctan(x):
    """Inverse tangent, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arctan([0.0])).tolist()
    [0.0]
    """


@_op
def arctan2(x1, x2):
    """Element-wise arc tangent of ``x1 / x2`` choosing the quadrant.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arctan2([0.0], [1.0])).tolist()
    [0.0]
    """


@_op
def arccosh(x):
    """Inverse hyperbolic cosine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arccosh([1.0])).tolist()
    [0.0]
    """


@_op
def arcsinh(x):
    """Inverse hyperbolic sine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arcsinh([0.0])).tolist()
    [0.0]
    """


@_op
def arctanh(x):
    """Inverse hyperbolic tangent, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.arctanh([0.0])).tolist()
    [0.0]
    """


@_op
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (over the flattened array when ``axis`` is None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.argmax([1.0, 3.0, 2.0])).tolist()
    1
    """


@_op
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (over the flattened array when ``axis`` is None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.argmin([1.0, 3.0, 0.0])).tolist()
    2
    """


@_op
def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.argsort([3.0, 1.0, 2.0])).tolist()
    [1, 2, 0]
    """


@_op
def average(x, axis=None, weights=None):
    """Weighted average along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.average([1.0, 3.0], weights=[3.0, 1.0])).tolist()
    1.5
    """


@_op
def bincount(x, weights=None, minlength=0):
    """Number of occurrences of each value of a non-negative int tensor.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bincount([0, 1, 1])).tolist()
    [1, 2]
    """


@_op
def ceil(x):
    """Ceiling, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ceil([1.2])).tolist()
    [2.0]
    """


@_op
def clip(x, x_min, x_max):
    """Values of ``x`` limited to [x_min, x_max].

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.clip([-1.0, 5.0], 0.0, 1.0)).tolist()
    [0.0, 1.0]
    """


@_op
def conj(x):
    """Complex conjugate (the identity on real tensors).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.conj([1.0])).tolist()
    [1.0]
    """


@_op
def cos(x):
    """Cosine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cos([0.0])).tolist()
    [1.0]
    """


@_op
def cosh(x):
    """Hyperbolic cosine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cosh([0.0])).tolist()
    [1.0]
    """


@_op
def count_nonzero(x, axis=None):
    """Number of non-zero values along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.count_nonzero([0.0, 1.0, 2.0])).tolist()
    2
    """


@_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])).tolist()
    [0.0, 0.0, 1.0]
    """


@_op
def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cumprod([1.0, 2.0, 3.0])).tolist()
    [1.0, 2.0, 6.0]
    """


@_op
def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (flattened when None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.cumsum([1.0, 2.0, 3.0])).tolist()
    [1.0, 3.0, 6.0]
    """


@_op
def diff(a, n=1, axis=-1):
    """``n``-th discrete difference along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.diff([1.0, 4.0, 9.0])).tolist()
    [3.0, 5.0]
    """


@_op
def digitize(x, bins):
    """Index of the bin each value of ``x`` falls in.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.digitize([0.5, 1.5], [1.0, 2.0])).tolist()
    [0, 1]
    """


@_op
def divide(x1, x2):
    """True division, element-wise; ints give floatx.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.divide([1.0], [4.0])).tolist()
    [0.25]
    """


@_op
def divide_no_nan(x1, x2):
    """Division that returns 0 where ``x2`` is 0.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.divide_no_nan([1.0, 1.0], [0.0, 2.0])).tolist()
    [0.0, 0.5]
    """


@_op
def dot(x1, x2):
    """Dot product: matrix product for 2-D, sum over the last axis of ``x1`` and the second-to-last of ``x2`` in general.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.dot([[1.0, 2.0]], [[3.0], [4.0]])).tolist()
    [[11.0]]
    """


@_op
def einsum(subscripts, *operands):
    """Einstein summation.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.einsum("i,i->", [1.0, 2.0], [3.0, 4.0])).tolist()
    11.0
    """


@_op
def equal(x1, x2):
    """``x1 == x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.equal([1, 2], [1, 3])).tolist()
    [True, False]
    """


@_op
def exp(x):
    """Exponential, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.exp([0.0])).tolist()
    [1.0]
    """


@_op
def expm1(x):
    """``exp(x) - 1``, element-wise, accurate near 0.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.expm1([0.0])).tolist()
    [0.0]
    """


@_op
def floor(x):
    """Floor, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.floor([1.7])).tolist()
    [1.0]
    """


@_op
def floor_divide(x1, x2):
    """Largest integer not greater than ``x1 / x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.floor_divide([7], [2])).tolist()
    [3]
    """


@_op
def greater(x1, x2):
    """``x1 > x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.greater([1, 3], 2)).tolist()
    [False, True]
    """


@_op
def greater_equal(x1, x2):
    """``x1 >= x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.greater_equal([1, 2], 2)).tolist()
    [False, True]
    """


@_op
def imag(x):
    """Imaginary part (zeros on real tensors).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.imag([1.0])).tolist()
    [0.0]
    """


@_op
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where ``x1`` and ``x2`` are equal within tolerance.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isclose([1.0], [1.0 + 1e-9])).tolist()
    [True]
    """


@_op
def isfinite(x):
    """True where ``x`` is finite.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isfinite([1.0, float("inf")])).tolist()
    [True, False]
    """


@_op
def isinf(x):
    """True where ``x`` is infinite.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isinf([1.0, float("inf")])).tolist()
    [False, True]
    """


@_op
def isnan(x):
    """True where ``x`` is NaN.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isnan([1.0, float("nan")])).tolist()
    [False, True]
    """


@_op
def less(x1, x2):
    """``x1 < x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.less([1, 3], 2)).tolist()
    [True, False]
    """


@_op
def less_equal(x1, x2):
    """``x1 <= x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.less_equal([1, 3], 1)).tolist()
    [True, False]
    """


@_op
def log(x):
    """Natural logarithm, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.log([1.0])).tolist()
    [0.0]
    """


@_op
def log10(x):
    """Base-10 logarithm, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.log10([100.0, 0.001])).round(5).tolist()
    [2.0, -3.0]
    """


@_op
def log1p(x):
    """``log(1 + x)``, element-wise, accurate near 0.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.log1p([0.0])).tolist()
    [0.0]
    """


@_op
def log2(x):
    """Base-2 logarithm, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.log2([8.0])).tolist()
    [3.0]
    """


@_op
def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))``, element-wise, without overflow.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logaddexp([0.0], [0.0])).tolist()
    [0.6931471824645996]
    """


@_op
def logical_and(x1, x2):
    """Logical AND, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logical_and([True, True], [True, False])).tolist()
    [True, False]
    """


@_op
def logical_not(x):
    """Logical NOT, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logical_not([True])).tolist()
    [False]
    """


@_op
def logical_or(x1, x2):
    """Logical OR, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logical_or([True, False], [False, False])).tolist()
    [True, False]
    """


@_op
def logical_xor(x1, x2):
    """Logical XOR, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logical_xor([True, True], [True, False])).tolist()
    [False, True]
    """


@_op
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` along ``axis``, computed stably.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logsumexp([0.0, 0.0])).tolist()
    0.6931471824645996
    """


@_op
def matmul(x1, x2):
    """Matrix product with broadcasting over leading dimensions.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.matmul([[1.0, 2.0]], [[3.0], [4.0]])).tolist()
    [[11.0]]
    """


@_op
def max(x, axis=None, keepdims=False, initial=None):
    """Maximum along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.max([1.0, 3.0])).tolist()
    3.0
    """


@_op
def maximum(x1, x2):
    """Element-wise maximum.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.maximum([1.0, 3.0], 2.0)).tolist()
    [2.0, 3.0]
    """


@_op
def mean(x, axis=None, keepdims=False):
    """Mean along ``axis``; ints give floatx.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.mean([1.0, 2.0])).tolist()
    1.5
    """


@_op
def median(x, axis=None, keepdims=False):
    """Median along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.median([1.0, 5.0, 2.0])).tolist()
    2.0
    """


@_op
def min(x, axis=None, keepdims=False, initial=None):
    """Minimum along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.min([1.0, 3.0])).tolist()
    1.0
    """


@_op
def minimum(x1, x2):
    """Element-wise minimum.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.minimum([1.0, 3.0], 2.0)).tolist()
    [1.0, 2.0]
    """


@_op
def mod(x1, x2):
    """Remainder of division, with the sign of ``x2``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.mod([5, -5], 3)).tolist()
    [2, 1]
    """


@_op
def multiply(x1, x2):
    """Product of the arguments, element-wise, with broadcasting.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.multiply([2.0, 3.0], 2.0)).tolist()
    [4.0, 6.0]
    """


@_op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """``x`` with NaN and infinities replaced by numbers.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.nan_to_num([float("nan"), 1.0])).tolist()
    [0.0, 1.0]
    """


@_op
def negative(x):
    """Numerical negative, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.negative([1.0])).tolist()
    [-1.0]
    """


@_op
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (2-norm / Frobenius by default).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.norm([3.0, 4.0])).tolist()
    5.0
    """


@_op
def not_equal(x1, x2):
    """``x1 != x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.not_equal([1, 2], [1, 3])).tolist()
    [False, True]
    """


@_op
def outer(x1, x2):
    """Outer product of two vectors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.outer([1.0, 2.0], [3.0])).tolist()
    [[3.0], [6.0]]
    """


@_op
def power(x1, x2):
    """``x1 ** x2``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.power([2.0, 3.0], 2)).tolist()
    [4.0, 9.0]
    """


@_op
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.prod([2.0, 3.0])).tolist()
    6.0
    """


@_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantile(s) along ``axis`` (``q`` in [0, 1]).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.quantile([1.0, 2.0, 3.0], 0.5)).tolist()
    2.0
    """


@_op
def real(x):
    """Real part (the identity on real tensors).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.real([1.0])).tolist()
    [1.0]
    """


@_op
def reciprocal(x):
    """``1 / x``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.reciprocal([4.0])).tolist()
    [0.25]
    """


@_op
def round(x, decimals=0):
    """Round half to even, to ``decimals`` decimals.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.round([0.5, 1.5, 2.26], 1)).tolist()
    [0.5, 1.5, 2.299999952316284]
    """


@_op
def rsqrt(x):
    """``1 / sqrt(x)``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.rsqrt([4.0])).tolist()
    [0.5]
    """


@_op
def sign(x):
    """-1, 0 or 1 by the sign of ``x``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sign([-2.0, 0.0, 3.0])).tolist()
    [-1.0, 0.0, 1.0]
    """


@_op
def sin(x):
    """Sine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sin([0.0])).tolist()
    [0.0]
    """


@_op
def sinh(x):
    """Hyperbolic sine, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sinh([0.0])).tolist()
    [0.0]
    """


@_op(static=True)
def size(x):
    """Number of elements of ``x``.

    >>> from lamina import backend as K
    >>> K.size(K.zeros((2, 3)))
    6
    """


@_op
def sort(x, axis=-1):
    """``x`` sorted along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sort([3.0, 1.0])).tolist()
    [1.0, 3.0]
    """


@_op
def sqrt(x):
    """Square root, element-wise; ints give floatx.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sqrt([4.0])).tolist()
    [2.0]
    """


@_op
def square(x):
    """``x * x``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.square([3.0])).tolist()
    [9.0]
    """


@_op
def std(x, axis=None, keepdims=False):
    """Standard deviation along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.std([1.0, 3.0])).tolist()
    1.0
    """


@_op
def subtract(x1, x2):
    """Difference of the arguments, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.subtract([3.0], 1.0)).tolist()
    [2.0]
    """


@_op
def sum(x, axis=None, keepdims=False):
    """Sum along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sum([1.0, 2.0])).tolist()
    3.0
    """


@_op
def tan(x):
    """Tangent, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.tan([0.0])).tolist()
    [0.0]
    """


@_op
def tanh(x):
    """Hyperbolic tangent, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.tanh([0.0])).tolist()
    [0.0]
    """


@_op
def tensordot(x1, x2, axes=2):
    """Sum of products over the given axes.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.tensordot([1.0, 2.0], [3.0, 4.0], axes=1)).tolist()
    11.0
    """


@_op
def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their indices.

    >>> from lamina import backend as K
    >>> [K.convert_to_numpy(t).tolist() for t in K.top_k([1.0, 3.0, 2.0], 2)]
    [[3.0, 2.0], [1, 2]]
    """


@_op
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.trace([[1.0, 2.0], [3.0, 4.0]])).tolist()
    5.0
    """


@_op
def true_divide(x1, x2):
    """True division, element-wise (same as ``divide``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.true_divide([1], [2])).tolist()
    [0.5]
    """


@_op
def var(x, axis=None, keepdims=False):
    """Variance along ``axis``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.var([1.0, 3.0])).tolist()
    1.0
    """


@_op
def vdot(x1, x2):
    """Dot product of two flattened tensors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.vdot([1.0, 2.0], [3.0, 4.0])).tolist()
    11.0
    """


@_op
def where(condition, x1=None, x2=None):
    """Elements of ``x1`` where ``condition`` holds, else of ``x2``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.where([True, False], 1.0, 0.0)).tolist()
    [1.0, 0.0]
    """
