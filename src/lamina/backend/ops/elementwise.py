"""Element-wise K functions that Keras 3 adds to NumPy's basics: special functions,
rounding and sign tests, ``fmod``/``hypot``-style binary math and bitwise operations.

Each ``@_op`` function is a specification (see :mod:`lamina.backend.dispatch`); the few
written from other K functions (``erfc``, ``fmax``, ...) run the same way on every
engine. Float-valued functions of ints give ``floatx()``, binary ones follow
:mod:`lamina.backend.dtypes`.

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.exp2([3.0])).tolist()
[8.0]
"""

from lamina.backend import dtypes as _dtypes
from lamina.backend.dispatch import op as _op
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math


@_op
def erf(x):
    """The error function, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.erf([0.0])).tolist()
    [0.0]
    """


@_op
def erfinv(x):
    """The inverse of the error function, element-wise.

    >>> from lamina import backend as K
    >>> round(float(K.erfinv([0.5])[0]), 4)
    0.4769
    """


@_op
def cbrt(x):
    """Cube root, element-wise.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.cbrt([-8.0, 27.0])).tolist()]
    [-2.0, 3.0]
    """


@_op
def trunc(x):
    """``x`` rounded towards zero (ints stay ints).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.trunc([-1.7, 1.7])).tolist()
    [-1.0, 1.0]
    """


@_op
def exp2(x):
    """``2 ** x``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.exp2([3.0])).tolist()
    [8.0]
    """


@_op
def deg2rad(x):
    """Angles in degrees converted to radians.

    >>> from lamina import backend as K
    >>> round(float(K.deg2rad([180.0])[0]), 5)
    3.14159
    """


@_op
def rad2deg(x):
    """Angles in radians converted to degrees.

    >>> from lamina import backend as K
    >>> round(float(K.rad2deg([3.14159265])[0]), 3)
    180.0
    """


@_op
def sinc(x):
    """The normalized sinc function ``sin(pi x) / (pi x)`` (1 at 0).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sinc([0.0])).tolist()
    [1.0]
    """


@_op
def signbit(x):
    """True where the sign bit is set (negative numbers and -0.0).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.signbit([-0.0, 1.0])).tolist()
    [True, False]
    """


@_op
def isposinf(x):
    """True where ``x`` is +inf.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isposinf([float("inf"), -float("inf")])).tolist()
    [True, False]
    """


@_op
def isneginf(x):
    """True where ``x`` is -inf.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isneginf([float("inf"), -float("inf")])).tolist()
    [False, True]
    """


@_op
def isreal(x):
    """True where ``x`` has no imaginary part (always, for real dtypes).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.isreal([1.0])).tolist()
    [True]
    """


@_op
def fmod(x1, x2):
    """Remainder of division with the sign of the dividend (C's ``fmod``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.fmod([-5, 5], [3, 3])).tolist()
    [-2, 2]
    """


@_op
def hypot(x1, x2):
    """``sqrt(x1**2 + x2**2)``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hypot([3.0], [4.0])).tolist()
    [5.0]
    """


@_op
def logaddexp2(x1, x2):
    """``log2(2**x1 + 2**x2)``, computed without overflow.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.logaddexp2([1.0], [1.0])).tolist()
    [2.0]
    """


@_op
def heaviside(x1, x2):
    """The Heaviside step: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.heaviside([-1.0, 0.0, 2.0], 0.5)).tolist()
    [0.0, 0.5, 1.0]
    """


@_op
def nextafter(x1, x2):
    """The next representable float after ``x1`` in the direction of ``x2``.

    >>> from lamina import backend as K
    >>> float(K.nextafter([1.0], [2.0])[0]) > 1.0
    True
    """


@_op
def ldexp(x1, x2):
    """``x1 * 2**x2`` (``x2`` an int tensor).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.ldexp([1.5], [2])).tolist()
    [6.0]
    """


@_op
def gcd(x1, x2):
    """Greatest common divisor of int tensors, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.gcd([12, 7], [18, 5])).tolist()
    [6, 1]
    """


@_op
def lcm(x1, x2):
    """Least common multiple of int tensors, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.lcm([4, 3], [6, 5])).tolist()
    [12, 15]
    """


@_op
def bitwise_and(x, y):
    """Bitwise AND of int or bool tensors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_and([12], [10])).tolist()
    [8]
    """


@_op
def bitwise_or(x, y):
    """Bitwise OR of int or bool tensors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_or([12], [10])).tolist()
    [14]
    """


@_op
def bitwise_xor(x, y):
    """Bitwise exclusive OR of int or bool tensors.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_xor([12], [10])).tolist()
    [6]
    """


@_op
def bitwise_not(x):
    """Bitwise NOT (two's complement for signed ints, logical NOT for bools).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_not([0, 5])).tolist()
    [-1, -6]
    """


@_op
def bitwise_invert(x):
    """Bitwise NOT (the same as ``bitwise_not``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_invert([True, False])).tolist()
    [False, True]
    """


@_op
def left_shift(x, y):
    """``x`` shifted left by ``y`` bits (int tensors).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.left_shift([1, 3], [2, 1])).tolist()
    [4, 6]
    """


@_op
def right_shift(x, y):
    """``x`` shifted right by ``y`` bits (int tensors).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.right_shift([8, 7], [2, 1])).tolist()
    [2, 3]
    """


@_op
def bitwise_left_shift(x, y):
    """``x`` shifted left by ``y`` bits (the same as ``left_shift``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_left_shift([1], [3])).tolist()
    [8]
    """


@_op
def bitwise_right_shift(x, y):
    """``x`` shifted right by ``y`` bits (the same as ``right_shift``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.bitwise_right_shift([8], [3])).tolist()
    [1]
    """



@_op
def i0(x):
    """The modified Bessel function of the first kind, order 0, element-wise.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.i0([0.0, 1.0])).tolist()]
    [1.0, 1.2661]
    """


@_op
def angle(x):
    """The argument (angle in radians) of each element: 0 or pi for real numbers.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.angle([-2.0, 3.0])).tolist()]
    [3.1416, 0.0]
    """


def erfc(x):
    """The complementary error function ``1 - erf(x)``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.erfc([0.0])).tolist()
    [1.0]
    """
    return _math.subtract(1.0, erf(x))


def fabs(x):
    """Absolute value as floats (ints give ``floatx()``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.fabs([-2])).tolist()
    [2.0]
    """
    x = _core.convert_to_tensor(x) if isinstance(x, (list, int, float)) else x
    return _math.abs(_core.cast(x, _dtypes.float_result(_core.dtype(x))))


def conjugate(x):
    """Complex conjugate, element-wise (``x`` itself for real numbers; same as ``conj``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.conjugate([1.5])).tolist()
    [1.5]
    """
    return _math.conj(x)


def fmax(x1, x2):
    """Element-wise maximum that ignores NaNs (NaN only where both are NaN).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.fmax([1.0, float("nan")], [float("nan"), 2.0])).tolist()
    [1.0, 2.0]
    """
    return _nan_ignoring(_math.maximum, x1, x2)


def fmin(x1, x2):
    """Element-wise minimum that ignores NaNs (NaN only where both are NaN).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.fmin([1.0, float("nan")], [float("nan"), 2.0])).tolist()
    [1.0, 2.0]
    """
    return _nan_ignoring(_math.minimum, x1, x2)


def _nan_ignoring(combine, x1, x2):
    out = combine(x1, x2)
    if not _dtypes.is_float(_core.dtype(out)):
        return out
    x1, x2 = _core.cast(x1, _core.dtype(out)), _core.cast(x2, _core.dtype(out))
    return _math.where(_math.isnan(x1), x2, _math.where(_math.isnan(x2), x1, out))
