"""Noise layers that regularize training: Dropout, GaussianNoise, GaussianDropout,
AlphaDropout and SpatialDropout1D/2D/3D.

Each acts only when called with ``training=True`` (``model.fit`` passes it; a model
called with ``training=True`` passes it to every layer) and returns its input
unchanged otherwise. Each owns a ``K.SeedGenerator(seed)``, ``self.seed_generator``:
with an int ``seed`` two layers draw the same numbers, successive calls of one layer
draw fresh numbers, and since the generator's state is a Variable a compiled JAX
step that binds it draws fresh numbers at every step. The layers pass the input
mask on.
"""

import math

from lamina import backend as K
from lamina._arguments import as_int, is_int, is_number
from lamina.layers.layer import InputSpec, Layer


def _check_rate(layer, rate, allow_one=False):
    ok = is_number(rate) and (
        0 <= rate <= 1 if allow_one else 0 <= rate < 1)
    if not ok:
        bound = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r}: rate must be a float in "
                         f"{bound}. Received rate={rate!r}.")
    return float(rate)


class _RandomLayer(Layer):
    """A layer with a seed generator that acts only in training."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and not is_int(seed):
            raise TypeError(f"{type(self).__name__} layer {self.name!r}: seed must be an int or "
                            f"None. Received seed={seed!r}.")
        self.seed = as_int(seed)
        self.seed_generator = K.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["seed"] = self.seed
        return config


class Dropout(_RandomLayer):
    """In training, set each input element to 0 with probability ``rate`` and scale the
    others by ``1 / (1 - rate)``, so the expected sum is unchanged.

    ``Dropout(rate, noise_shape=None, seed=None)``: ``noise_shape`` is the shape of
    the keep/drop mask, broadcast against the input (None entries take the input's
    size): ``(batch, 1, features)`` drops the same features at every timestep.

    >>> from lamina import backend as K, layers
    >>> layer = layers.Dropout(0.5, seed=1)
    >>> x = K.ones((2, 4))
    >>> K.convert_to_numpy(layer(x)).tolist()
    [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
    >>> sorted(set(K.convert_to_numpy(layer(x, training=True)).ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(self, rate, allow_one=True)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def _noise_shape(self, inputs):
        return self.noise_shape

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return K.zeros_like(inputs)
        return K.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs),
                         seed=self.seed_generator)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate,
                      noise_shape=None if self.noise_shape is None else list(self.noise_shape))
        return config


class GaussianNoise(_RandomLayer):
    """In training, add zero-mean Gaussian noise of standard deviation ``stddev``.

    ``GaussianNoise(stddev, seed=None)``.

    >>> from lamina import backend as K, layers
    >>> layer = layers.GaussianNoise(0.1, seed=0)
    >>> y = K.convert_to_numpy(layer(K.zeros((1000,)), training=True))
    >>> 0.08 < float(y.std()) < 0.12, K.convert_to_numpy(layer(K.zeros((2,)))).tolist()
    (True, [0.0, 0.0])
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if not is_number(stddev) or stddev < 0:
            raise ValueError(f"GaussianNoise layer {self.name!r}: stddev must be a float >= 0. "
                             f"Received stddev={stddev!r}.")
        self.stddev = float(stddev)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = K.random.normal(K.shape(inputs), mean=0.0, stddev=self.stddev,
                                dtype=K.dtype(inputs), seed=self.seed_generator)
        return K.add(inputs, noise)

    def get_config(self):
        config = super().get_config()
        config["stddev"] = self.stddev
        return config


class GaussianDropout(_RandomLayer):
    """In training, multiply the input by Gaussian noise of mean 1 and standard
    deviation ``sqrt(rate / (1 - rate))``.

    ``GaussianDropout(rate, seed=None)``.

    >>> from lamina import backend as K, layers
    >>> layer = layers.GaussianDropout(0.5, seed=0)
    >>> y = K.convert_to_numpy(layer(K.ones((4000,)), training=True))
    >>> 0.9 < float(y.mean()) < 1.1, 0.9 < float(y.std()) < 1.1
    (True, True)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(self, rate)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = K.random.normal(K.shape(inputs), mean=1.0, stddev=stddev,
                                dtype=K.dtype(inputs), seed=self.seed_generator)
        return K.multiply(inputs, noise)

    def get_config(self):
        config = super().get_config()
        config["rate"] = self.rate
        return config


class AlphaDropout(_RandomLayer):
    """Dropout for self-normalizing networks (SELU): in training, set each element to
    SELU's negative saturation value with probability ``rate``, then apply the affine
    map that restores the input's mean and variance.

    ``AlphaDropout(rate, noise_shape=None, seed=None)``.

    >>> from lamina import backend as K, layers
    >>> layer = layers.AlphaDropout(0.2, seed=0)
    >>> y = K.convert_to_numpy(layer(K.random.normal((10000,), seed=1), training=True))
    >>> abs(float(y.mean())) < 0.05, 0.95 < float(y.std()) < 1.05
    (True, True)
    """

    _alpha = 1.6732632423543772848170429916717
    _scale = 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(self, rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = K.shape(inputs)
        if self.noise_shape is not None:
            shape = tuple(shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        alpha_p = -self._alpha * self._scale
        keep = K.cast(K.greater_equal(K.random.uniform(shape, dtype=K.dtype(inputs),
                                                       seed=self.seed_generator), self.rate),
                      K.dtype(inputs))
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        dropped = K.add(K.multiply(inputs, keep), K.multiply(alpha_p, K.subtract(1.0, keep)))
        return K.add(K.multiply(dropped, a), b)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate,
                      noise_shape=None if self.noise_shape is None else list(self.noise_shape))
        return config


class _SpatialDropout(Dropout):
    """Dropout of whole channels: the mask has size 1 on the spatial axes."""

    rank = None

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = K.config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, inputs):
        ones = (1,) * self.rank
        if self.data_format == "channels_first":
            return (None, None) + ones
        return (None,) + ones + (None,)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole feature maps of a (batch, steps, channels) input: in training
    each channel is zeroed at every step with probability ``rate``, the others scaled
    by ``1 / (1 - rate)``.

    ``SpatialDropout1D(rate, seed=None)``.

    >>> from lamina import backend as K, layers
    >>> y = K.convert_to_numpy(layers.SpatialDropout1D(0.5, seed=2)(K.ones((1, 3, 4)),
    ...                                                                 training=True))
    >>> bool((y == y[:, :1, :]).all())
    True
    """

    rank = 1

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format", None)
        return config


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2-D feature maps: in training each channel of a sample is
    zeroed entirely with probability ``rate``, the others scaled by ``1 / (1 - rate)``.

    ``SpatialDropout2D(rate, data_format=None, seed=None)``; ``data_format`` is
    ``"channels_last"`` (batch, rows, cols, channels) or ``"channels_first"``.

    >>> from lamina import backend as K, layers
    >>> y = K.convert_to_numpy(layers.SpatialDropout2D(0.5, seed=2)(K.ones((1, 3, 3, 4)),
    ...                                                                 training=True))
    >>> bool((y == y[:, :1, :1, :]).all())
    True
    """

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole 3-D feature maps: in training each channel of a sample is
    zeroed entirely with probability ``rate``, the others scaled by ``1 / (1 - rate)``.

    ``SpatialDropout3D(rate, data_format=None, seed=None)``.

    >>> from lamina import backend as K, layers
    >>> layers.SpatialDropout3D(0.5)(K.Input((4, 4, 4, 2))).shape
    (None, 4, 4, 4, 2)
    """

    rank = 3
