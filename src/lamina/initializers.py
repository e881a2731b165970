"""Weight initializers (``keras.initializers``): objects ``(shape, dtype=None) -> tensor``.

Names, arguments and defaults follow Keras 3. Every value is computed with K
functions, so an initializer runs on every engine; ``dtype`` defaults to
``K.floatx()``.

Seeds: an int ``seed`` gives the same values at every call; ``seed=None`` draws
from lamina's global random stream, so two calls give different values and
``lamina.utils.set_random_seed`` makes the sequence repeatable; a
``K.SeedGenerator`` advances its own stream.

:class:`Orthogonal` is the one exception to "K functions only": K has no QR
decomposition, so it draws a Gaussian matrix from a NumPy Generator (seeded by
the int seed, or by an int drawn from lamina's random stream when the seed is
None or a SeedGenerator), orthogonalises it with ``numpy.linalg.qr`` and converts
the result with ``K.convert_to_tensor``. Initialization happens once, outside any
gradient, so this costs nothing at training time.

>>> from lamina import backend as K
>>> from lamina import initializers
>>> init = initializers.get("glorot_uniform")
>>> w = init((30, 70)); K.shape(w)
(30, 70)
>>> K.convert_to_numpy(initializers.get("Ones")((2,))).tolist()
[1.0, 1.0]
"""

import math

import numpy as np

from lamina import backend as K
from lamina._arguments import is_int
from lamina.backend.device import host_state_scope
from lamina._catalogue import Catalogue, Configurable


def _dtype(dtype):
    return K.standardize_dtype(dtype) if dtype is not None else K.floatx()


def _number(value):
    """A Python int argument as a float, so JAX compiles one draw per shape, not per type."""
    return float(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
        else value


def _shape(shape):
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


def compute_fans(shape):
    """``(fan_in, fan_out)`` of a weight of ``shape``, as Keras computes them.

    Dense kernels ``(in, out)`` give ``(in, out)``; convolution kernels
    ``(*spatial, in_channels, out_channels)`` multiply both by the receptive field
    size (the product of the spatial dimensions); a vector gives its length twice
    and a scalar ``(1, 1)``.

    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    >>> compute_fans((784, 10))
    (784, 10)
    """
    shape = _shape(shape)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field = math.prod(shape[:-2])
        fan_in, fan_out = shape[-2] * receptive_field, shape[-1] * receptive_field
    return int(fan_in), int(fan_out)


class Initializer(Configurable):
    """Base class: subclasses implement ``__call__(self, shape, dtype=None)``.

    ``get_config()`` returns the constructor arguments (captured when the initializer
    was created, for a subclass that does not write its own) and
    ``from_config(config)`` rebuilds the initializer from them.

    >>> from lamina import backend as K
    >>> class Filled(Initializer):
    ...     def __init__(self, value=5.0):
    ...         self.value = value
    ...     def __call__(self, shape, dtype=None):
    ...         return K.full(shape, self.value, dtype=dtype or K.floatx())
    >>> K.convert_to_numpy(Filled()((2,))).tolist(), Filled(2.0).get_config()
    ([5.0, 5.0], {'value': 2.0})
    >>> RandomNormal(stddev=0.1, seed=3).get_config()
    {'mean': 0.0, 'stddev': 0.1, 'seed': 3}
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"Initializer subclass {type(self).__name__} must implement __call__(shape, dtype=None).")

    def clone(self):
        """A new initializer with the same configuration.

        >>> Ones().clone().get_config()
        {}
        """
        return self.__class__.from_config(self.get_config())


class Zeros(Initializer):
    """All zeros.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(Zeros()((2, 2))).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """

    def __call__(self, shape, dtype=None):
        return K.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(Ones()((3,), dtype="int32")).tolist()
    [1, 1, 1]
    """

    def __call__(self, shape, dtype=None):
        return K.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value`` (a scalar).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(Constant(0.5)((2,))).tolist()
    [0.5, 0.5]
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return K.full(_shape(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        value = self.value
        if hasattr(value, "tolist"):
            value = value.tolist()
        return {"value": value}


class RandomInitializer(Initializer):
    """Base of the random initializers: keeps and checks ``seed``.

    ``seed`` is None (lamina's global random stream), an int (the same values at
    every call) or a ``K.SeedGenerator``.

    >>> from lamina import backend as K
    >>> a = RandomUniform(seed=5)((30, 70)); b = RandomUniform(seed=5)((30, 70))
    >>> bool(K.all(K.equal(a, b)))
    True
    """

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, K.SeedGenerator) and not is_int(seed):
            raise ValueError(f"{type(self).__name__}: seed must be None, an int or a "
                             f"K.SeedGenerator. Received seed={seed!r}.")
        self.seed = int(seed) if isinstance(seed, np.integer) else seed

    def get_config(self):
        return {"seed": self.seed if not isinstance(self.seed, K.SeedGenerator) else None}


class RandomNormal(RandomInitializer):
    """Samples from a normal distribution ``N(mean, stddev**2)``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_numpy(RandomNormal(mean=1.0, stddev=0.1, seed=0)((30, 70)))
    >>> bool(abs(w.mean() - 1.0) < 0.02)
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return K.random.normal(_shape(shape), mean=_number(self.mean),
                               stddev=_number(self.stddev), dtype=_dtype(dtype), seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Samples from the uniform distribution on ``[minval, maxval)``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_numpy(RandomUniform(-1.0, 1.0, seed=0)((30, 70)))
    >>> bool(w.min() >= -1.0 and w.max() < 1.0)
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return K.random.uniform(_shape(shape), minval=_number(self.minval),
                                maxval=_number(self.maxval), dtype=_dtype(dtype), seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal samples, redrawn when more than two ``stddev`` from ``mean``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_numpy(TruncatedNormal(stddev=1.0, seed=0)((30, 70)))
    >>> bool(abs(w).max() <= 2.0)
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return K.random.truncated_normal(_shape(shape), mean=_number(self.mean),
                                         stddev=_number(self.stddev), dtype=_dtype(dtype),
                                         seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fans (see :func:`compute_fans`).

    With ``n`` the fan-in (``mode="fan_in"``), fan-out (``"fan_out"``) or their
    mean (``"fan_avg"``): ``distribution="truncated_normal"`` draws from a normal
    truncated at two standard deviations whose standard deviation after truncation
    is ``sqrt(scale / n)`` (``"normal"`` means the same, as in Keras);
    ``"untruncated_normal"`` draws ``N(0, scale / n)``; ``"uniform"`` draws from
    ``[-limit, limit)`` with ``limit = sqrt(3 * scale / n)``.

    >>> from lamina import backend as K
    >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=1)
    >>> w = K.convert_to_numpy(init((30, 70)))
    >>> bool(abs(w).max() <= (3 * 2.0 / 30) ** 0.5)
    True
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if not float(scale) > 0.0:
            raise ValueError(f"{type(self).__name__}: scale must be a positive float. "
                             f"Received scale={scale!r}.")
        mode = str(mode).lower()
        if mode not in self._MODES:
            raise ValueError(f"{type(self).__name__}: mode must be one of {self._MODES}. "
                             f"Received mode={mode!r}.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"{type(self).__name__}: distribution must be one of "
                             f"{self._DISTRIBUTIONS}. Received distribution={distribution!r}.")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            # 0.8796... is the standard deviation of a standard normal truncated at +-2.
            stddev = math.sqrt(scale) / 0.87962566103423978
            return K.random.truncated_normal(shape, mean=0.0, stddev=stddev, dtype=dtype,
                                             seed=self.seed)
        if self.distribution == "untruncated_normal":
            return K.random.normal(shape, mean=0.0, stddev=math.sqrt(scale), dtype=dtype,
                                   seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return K.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by the class."""

    _ARGS = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        super().__init__(*self._ARGS, seed=seed)

    def get_config(self):
        return {"seed": RandomInitializer.get_config(self)["seed"]}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: ``[-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_numpy(GlorotUniform(seed=0)((30, 70)))
    >>> bool(abs(w).max() <= (6 / 100) ** 0.5)
    True
    """

    _ARGS = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``.

    >>> from lamina import backend as K
    >>> K.shape(GlorotNormal(seed=0)((30, 70)))
    (30, 70)
    """

    _ARGS = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """He uniform: ``[-limit, limit)`` with ``limit = sqrt(6 / fan_in)``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_numpy(HeUniform(seed=0)((30, 70)))
    >>> bool(abs(w).max() <= (6 / 30) ** 0.5)
    True
    """

    _ARGS = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with ``stddev = sqrt(2 / fan_in)``.

    >>> from lamina import backend as K
    >>> K.shape(HeNormal(seed=0)((30, 70)))
    (30, 70)
    """

    _ARGS = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: ``[-limit, limit)`` with ``limit = sqrt(3 / fan_in)``.

    >>> from lamina import backend as K
    >>> w = K.convert_to_numpy(LecunUniform(seed=0)((30, 70)))
    >>> bool(abs(w).max() <= (3 / 30) ** 0.5)
    True
    """

    _ARGS = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with ``stddev = sqrt(1 / fan_in)``.

    >>> from lamina import backend as K
    >>> K.shape(LecunNormal(seed=0)((30, 70)))
    (30, 70)
    """

    _ARGS = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``.

    The weight is viewed as a matrix of ``prod(shape[:-1])`` rows and
    ``shape[-1]`` columns; its rows (if fewer) or columns (otherwise) are
    orthonormal. Computed with NumPy's QR decomposition (see the module's notes).

    >>> from lamina import backend as K
    >>> import numpy as np
    >>> w = K.convert_to_numpy(Orthogonal(seed=0)((5, 3)))
    >>> bool(np.allclose(w.T @ w, np.eye(3), atol=1e-5))
    True
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def _generator(self):
        if isinstance(self.seed, int):
            return np.random.default_rng(self.seed)
        with host_state_scope():  # read as a number at once: drawn on the host
            seed = K.random.randint((), 0, 2**31 - 1, dtype="int32", seed=self.seed)
        return np.random.default_rng(int(K.convert_to_numpy(seed)))

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the tensor to initialize must be at least "
                             f"two-dimensional. Received shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # a unique, uniformly distributed decomposition
        if rows < cols:
            q = q.T
        return K.convert_to_tensor(self.gain * q.reshape(shape), dtype=dtype)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; rectangular allowed).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(Identity(gain=2.0)((2, 3))).tolist()
    [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype)
        if len(shape) != 2:
            raise ValueError(f"Identity: the initializer only makes 2D matrices. "
                             f"Received shape={shape} of rank {len(shape)}.")
        return K.multiply(K.eye(shape, dtype=dtype), K.convert_to_tensor(self.gain, dtype))

    def get_config(self):
        return {"gain": self.gain}


OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity

zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal
identity = Identity

_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal, Identity)
_SNAKE = {Zeros: "zeros", Ones: "ones", Constant: "constant", RandomNormal: "random_normal",
          RandomUniform: "random_uniform", TruncatedNormal: "truncated_normal",
          VarianceScaling: "variance_scaling", GlorotUniform: "glorot_uniform",
          GlorotNormal: "glorot_normal", HeUniform: "he_uniform", HeNormal: "he_normal",
          LecunUniform: "lecun_uniform", LecunNormal: "lecun_normal",
          Orthogonal: "orthogonal", Identity: "identity"}
_KNOWN = sorted([c.__name__ for c in _CLASSES] + list(_SNAKE.values())
                + ["OrthogonalInitializer", "IdentityInitializer"])


_CATALOGUE = Catalogue("lamina.initializers", "initializer", {n: globals()[n] for n in _KNOWN},
                       accepts="a callable (shape, dtype)")
_CATALOGUE.add_aliases(uniform=RandomUniform, normal=RandomNormal, zero=Zeros, one=Ones)


def serialize(initializer):
    """``{"class_name": ..., "config": ...}`` describing ``initializer``.

    >>> serialize(RandomUniform(seed=1))
    {'class_name': 'RandomUniform', 'config': {'minval': -0.05, 'maxval': 0.05, 'seed': 1}}
    """
    return _CATALOGUE.serialize(initializer)


def deserialize(config, custom_objects=None):
    """The initializer that ``serialize`` described (``custom_objects`` maps extra names
    to classes).

    >>> deserialize({"class_name": "Constant", "config": {"value": 3.0}}).value
    3.0
    """
    return _CATALOGUE.deserialize(config, custom_objects)


def get(identifier):
    """An initializer from ``identifier``.

    ``identifier`` is None (returns None), a name in either case style
    (``"glorot_uniform"``, ``"GlorotUniform"``), a ``serialize`` dict, an
    Initializer class (instantiated with defaults) or instance, or any callable
    ``(shape, dtype) -> tensor`` (returned as is).

    >>> type(get("he_normal")).__name__, type(get("HeNormal")).__name__
    ('HeNormal', 'HeNormal')
    >>> get({"class_name": "Constant", "config": {"value": 2.0}}).value
    2.0
    >>> get(None) is None
    True
    """
    return _CATALOGUE.get(identifier)
