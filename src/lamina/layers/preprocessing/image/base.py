"""What the image preprocessing layers share: the image layout, float outputs, and for
the random ones a seed generator and the checks of their ranges.

Every layer takes one image (rank 3) or a batch (rank 4) laid out by ``data_format``
and returns floats of the layer's dtype. A random layer owns ``K.SeedGenerator(seed)``
(``self.seed_generator``), draws one transformation per image in training (``fit``, or
``training=True``) and is the identity otherwise; since the generator's state is a
Variable, a compiled train step draws fresh transformations at every step (as
:class:`~lamina.layers.Dropout` does).
"""

from lamina import backend as K
from lamina.backend.ops import image as image_ops
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.pooling import arguments

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class ImageLayer(Layer):
    """An image preprocessing layer: ``data_format`` and rank-3 or rank-4 inputs.

    >>> from lamina import backend as K
    >>> ImageLayer(data_format="channels_first").image_size(K.zeros((2, 3, 4, 5)))
    (4, 5)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = arguments.data_format(self, data_format)
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)
        self.built = True

    def axes(self, inputs):
        """The (height, width) axes of ``inputs``."""
        first = K.ndim(inputs) - 3 + (0 if self.data_format == "channels_last" else 1)
        return first, first + 1

    def image_size(self, inputs):
        """The (height, width) of ``inputs``."""
        shape = K.shape(inputs)
        return tuple(shape[axis] for axis in self.axes(inputs))

    def floats(self, inputs):
        """``inputs`` in the layer's compute dtype (integer images become floats)."""
        dtype = self.compute_dtype
        return inputs if K.dtype(inputs) == dtype else K.cast(inputs, dtype)


class RandomImageLayer(ImageLayer):
    """An image layer that draws with its own seed generator, in training only.

    >>> layer = RandomImageLayer(seed=3)
    >>> layer.factor_range("factor", 0.2)
    (-0.2, 0.2)
    """

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"{arguments.where(self)}: expected seed to be an int or None; "
                            f"received {seed!r}.")
        self.seed = seed
        self.seed_generator = K.SeedGenerator(seed)

    def draw_shape(self, inputs, broadcast=False):
        """The shape of one draw per image: ``(batch,)`` (``(1,)`` for a single image), or
        with ``broadcast`` the shape that broadcasts against ``inputs``."""
        if K.ndim(inputs) == 3:
            return (1, 1, 1) if broadcast else (1,)
        batch = K.shape(inputs)[0]
        return (batch, 1, 1, 1) if broadcast else (batch,)

    def uniform(self, shape, low, high):
        return K.random.uniform(shape, minval=low, maxval=high, dtype=self.dtype,
                                seed=self.seed_generator)

    def factor_range(self, name, factor, bounds=(-1.0, 1.0), symmetric=True):
        """``(lower, upper)`` from a number (``(-|f|, |f|)``, or ``(f, f)`` when not
        ``symmetric``) or a pair, every value within ``bounds``."""
        low, high = bounds
        if _is_number(factor):
            pair = (-abs(factor), abs(factor)) if symmetric else (factor, factor)
        elif isinstance(factor, (tuple, list)) and len(factor) == 2 and all(
                _is_number(v) for v in factor):
            pair = tuple(sorted(factor)) if symmetric else tuple(factor)
        else:
            pair = None
        if pair is None or not all(low <= v <= high for v in pair):
            raise ValueError(f"{arguments.where(self)}: expected {name} to be a number or a "
                             f"pair of numbers in [{low:g}, {high:g}]; received {factor!r}.")
        return float(pair[0]), float(pair[1])


class AffineImageLayer(RandomImageLayer):
    """A random layer resampling each image through an affine transform:
    ``fill_mode``, ``interpolation`` and ``fill_value`` as ``ops.image.affine_transform``."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.fill_mode = arguments.choice(self, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = arguments.choice(self, "interpolation", interpolation,
                                              INTERPOLATIONS)
        if not _is_number(fill_value):
            raise ValueError(f"{arguments.where(self)}: expected fill_value to be a number; "
                             f"received {fill_value!r}.")
        self.fill_value = float(fill_value)

    def call(self, inputs, training=None):
        inputs = self.floats(inputs)
        if not training:
            return inputs
        height, width = self.image_size(inputs)
        transforms = self.transforms(inputs, height, width)  # (batch, 8), from the subclass
        if K.ndim(inputs) == 3:
            transforms = transforms[0]
        return image_ops.affine_transform(inputs, transforms, interpolation=self.interpolation,
                                      fill_mode=self.fill_mode, fill_value=self.fill_value,
                                      data_format=self.data_format)


def affine_rows(*columns):
    """A ``(batch, 8)`` tensor of transforms from 8 columns, each a ``(batch,)`` tensor or
    a number (the same for every image); at least one is a tensor.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(affine_rows(K.ones((2,)), 0, 5, 0, 1, 0, 0, 0)).tolist()[1]
    [1.0, 0.0, 5.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    """
    zeros = K.zeros_like(next(c for c in columns if hasattr(c, "shape")))
    return K.stack([c if hasattr(c, "shape") else zeros + c for c in columns], axis=1)
