"""Keras 2's ImageDataGenerator: batches of images with random augmentation
(rotation, shifts, shear, zoom, flips, brightness and channel shifts) and
standardization, in NumPy.

>>> import numpy as np
>>> generator = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True)
>>> x, y = next(generator.flow(np.full((8, 4, 4, 3), 255.0), np.arange(8), batch_size=4))
>>> x.shape, float(x.max())
((4, 4, 4, 3), 1.0)
"""

import numpy as np

from lamina import backend as K
from lamina.preprocessing.image_iterators import DirectoryIterator, NumpyArrayIterator
from lamina.preprocessing.image_transforms import (FILL_MODES, apply_affine_transform,
                                                   apply_brightness_shift,
                                                   apply_channel_shift, flip_axis)

WHERE = "ImageDataGenerator"


def _pair(value, name, around_one=False):
    """A ``(lower, upper)`` pair; with ``around_one`` a number ``z`` means ``(1 - z, 1 + z)``."""
    if value is None and not around_one:
        return None
    if around_one and np.isscalar(value) and not isinstance(value, (str, bool)):
        if value < 0:
            raise ValueError(f"{WHERE}: `{name}` must be >= 0; received {value!r}.")
        return 1.0 - value, 1.0 + value
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2 \
            and all(np.isscalar(v) and not isinstance(v, (str, bool)) for v in value):
        return float(value[0]), float(value[1])
    kind = "a float or a pair of floats" if around_one else "None or a pair of floats"
    raise ValueError(f"{WHERE}: `{name}` must be {kind}; received {value!r}.")


def _check_range(value, name):
    values = np.asarray(value)
    if values.ndim > 1 or values.dtype.kind not in "iuf" or values.size == 0 \
            or (values.ndim == 0 and values < 0):
        raise ValueError(f"{WHERE}: `{name}` must be a number >= 0 or a list of numbers; "
                         f"received {value!r}.")
    return value


def _draw_shift(value, size, rng):
    """A shift in pixels: a float range gives uniform(-r, r), an int ``n`` an integer in
    (-n, n), a list one of its values with a random sign; ranges below 1 are fractions
    of ``size``."""
    if isinstance(value, (int, np.integer)):
        shift = rng.integers(0, value) * rng.choice([-1, 1])
    elif np.ndim(value) == 1:
        shift = rng.choice(np.asarray(value)) * rng.choice([-1, 1])
    else:
        shift = rng.uniform(-value, value)
    return float(shift * size) if np.max(np.abs(value)) < 1 else float(shift)


class ImageDataGenerator:
    """Random augmentation and standardization for batches of images.

    Augmentation (a new draw per image): ``rotation_range`` (degrees),
    ``width_shift_range`` / ``height_shift_range`` (a fraction of the size when below 1,
    else pixels; an int ``n`` draws integer shifts in (-n, n); a list draws one of its
    values with a random sign), ``shear_range`` (degrees), ``zoom_range`` (``z`` means
    ``[1 - z, 1 + z]``, or a ``[lower, upper]`` pair), ``horizontal_flip``,
    ``vertical_flip``, ``brightness_range`` (a pair of factors), ``channel_shift_range``;
    pixels from outside the image are filled by ``fill_mode`` (``"nearest"``,
    ``"constant"`` with ``cval``, ``"reflect"``, ``"wrap"``), sampled with
    ``interpolation_order`` 0 (nearest) or 1 (bilinear).

    Standardization, in this order: ``preprocessing_function(image)``, ``rescale``
    (a factor), ``samplewise_center`` / ``samplewise_std_normalization`` (each image's
    own mean and standard deviation), ``featurewise_center`` /
    ``featurewise_std_normalization`` and ``zca_whitening`` (statistics computed by
    :meth:`fit`). ``validation_split`` reserves the first fraction of the data for
    ``subset="validation"``.

    >>> generator = ImageDataGenerator(featurewise_center=True)
    >>> generator.fit(np.arange(8.0).reshape(2, 2, 2, 1))
    >>> generator.mean.ravel().tolist()
    [3.5]
    >>> generator.standardize(np.full((2, 2, 1), 4.5)).ravel().tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0,
                 fill_mode="nearest", cval=0.0, horizontal_flip=False, vertical_flip=False,
                 rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        self.data_format = data_format or K.image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{WHERE}: `data_format` must be 'channels_last' or "
                             f"'channels_first'; received {data_format!r}.")
        if fill_mode not in FILL_MODES:
            raise ValueError(f"{WHERE}: `fill_mode` must be one of {FILL_MODES}; received "
                             f"{fill_mode!r}.")
        if interpolation_order not in (0, 1):
            raise ValueError(f"{WHERE}: `interpolation_order` must be 0 (nearest) or 1 "
                             f"(bilinear); received {interpolation_order!r}.")
        if not 0 <= validation_split < 1:
            raise ValueError(f"{WHERE}: `validation_split` must be in [0, 1); received "
                             f"{validation_split!r}.")
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise ValueError(f"{WHERE}: `preprocessing_function` must be callable; received "
                             f"{preprocessing_function!r}.")
        for name, value in (("rotation_range", rotation_range), ("shear_range", shear_range),
                            ("channel_shift_range", channel_shift_range)):
            if not np.isscalar(value) or isinstance(value, (str, bool)) or value < 0:
                raise ValueError(f"{WHERE}: `{name}` must be a number >= 0; received "
                                 f"{value!r}.")
        self.featurewise_center = featurewise_center or zca_whitening
        self.samplewise_center = samplewise_center or samplewise_std_normalization
        self.featurewise_std_normalization = featurewise_std_normalization and not zca_whitening
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = _check_range(width_shift_range, "width_shift_range")
        self.height_shift_range = _check_range(height_shift_range, "height_shift_range")
        self.brightness_range = _pair(brightness_range, "brightness_range")
        self.shear_range = shear_range
        self.zoom_range = _pair(zoom_range, "zoom_range", around_one=True)
        self.channel_shift_range = channel_shift_range
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.validation_split = validation_split
        self.interpolation_order = interpolation_order
        self.dtype = dtype or K.floatx()
        first = self.data_format == "channels_first"
        self.channel_axis, self.row_axis, self.col_axis = (1, 2, 3) if first else (3, 1, 2)
        self.mean = self.std = self.principal_components = None

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", subset=None):
        """Augmented batches of the arrays: a :class:`NumpyArrayIterator` yielding ``x``,
        ``(x, y)`` or ``(x, y, sample_weight)``, which ``fit`` takes directly and
        ``next()`` reads endlessly.

        >>> it = ImageDataGenerator(validation_split=0.25).flow(
        ...     np.zeros((8, 2, 2, 1)), np.arange(8), subset="validation", shuffle=False)
        >>> it[0][1].tolist()
        [0, 1]
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed, subset=subset,
                                  save_to_dir=save_to_dir, save_prefix=save_prefix,
                                  save_format=save_format)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32,
                            shuffle=True, seed=None, save_to_dir=None, save_prefix="",
                            save_format="png", follow_links=False, subset=None,
                            interpolation="nearest", keep_aspect_ratio=False):
        """Augmented batches of the image files under ``directory``, one subdirectory per
        class: a :class:`DirectoryIterator` (needs Pillow).

        >>> import os, tempfile
        >>> from lamina.utils import save_img
        >>> root = tempfile.mkdtemp()
        >>> for cls in ("cat", "dog"):
        ...     os.makedirs(os.path.join(root, cls))
        ...     save_img(os.path.join(root, cls, "1.png"), np.zeros((5, 5, 3)))
        >>> it = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4))
        Found 2 images belonging to 2 classes.
        >>> it.class_indices, it[0][0].shape
        ({'cat': 0, 'dog': 1}, (2, 4, 4, 3))
        """
        return DirectoryIterator(directory, self, target_size=target_size,
                                 color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, batch_size=batch_size, shuffle=shuffle,
                                 seed=seed, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation,
                                 keep_aspect_ratio=keep_aspect_ratio, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format)

    def standardize(self, x):
        """``x`` (one image or a batch) standardized as configured; the input is not
        changed.

        >>> ImageDataGenerator(samplewise_center=True).standardize(np.array([[[1.0], [3.0]]])
        ...                                                       ).ravel().tolist()
        [-1.0, 1.0]
        """
        if self.preprocessing_function is not None:
            x = self.preprocessing_function(x)
        x = np.array(x, dtype=self.dtype)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for flag, stat, name in ((self.featurewise_center, self.mean, "featurewise_center"),
                                 (self.featurewise_std_normalization, self.std,
                                  "featurewise_std_normalization"),
                                 (self.zca_whitening, self.principal_components,
                                  "zca_whitening")):
            if flag and stat is None:
                raise ValueError(f"{WHERE}: {name}=True needs statistics of the data; call "
                                 "fit(x_train) on the generator first.")
        if self.featurewise_center:
            x -= self.mean
        if self.featurewise_std_normalization:
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(-1, self.principal_components.shape[0])
            x = (flat @ self.principal_components).reshape(x.shape)
        return x

    def _image_axes(self):
        return self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1

    def _draw_transform(self, img_shape, rng):
        rows, cols, _ = self._image_axes()
        zx, zy = 1.0, 1.0
        if self.zoom_range != (1.0, 1.0):
            zx, zy = rng.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        return {
            "theta": float(rng.uniform(-self.rotation_range, self.rotation_range))
            if self.rotation_range else 0.0,
            "tx": _draw_shift(self.width_shift_range, img_shape[cols], rng)
            if np.any(self.width_shift_range) else 0.0,
            "ty": _draw_shift(self.height_shift_range, img_shape[rows], rng)
            if np.any(self.height_shift_range) else 0.0,
            "shear": float(rng.uniform(-self.shear_range, self.shear_range))
            if self.shear_range else 0.0,
            "zx": float(zx), "zy": float(zy),
            "flip_horizontal": bool(self.horizontal_flip and rng.random() < 0.5),
            "flip_vertical": bool(self.vertical_flip and rng.random() < 0.5),
            "channel_shift_intensity": float(rng.uniform(-self.channel_shift_range,
                                                         self.channel_shift_range))
            if self.channel_shift_range else None,
            "brightness": float(rng.uniform(*self.brightness_range))
            if self.brightness_range is not None else None,
        }

    def get_random_transform(self, img_shape, seed=None):
        """Random parameters for one image of shape ``img_shape``: ``theta`` (degrees),
        ``tx`` / ``ty`` (width / height shift in pixels), ``shear``, ``zx`` / ``zy``,
        ``flip_horizontal``, ``flip_vertical``, ``channel_shift_intensity`` and
        ``brightness`` (None when unused). ``seed`` makes the draw reproducible;
        without it the seed comes from NumPy's global generator (``np.random.seed`` or
        ``lamina.utils.set_random_seed`` fix it).

        >>> generator = ImageDataGenerator(width_shift_range=0.5)
        >>> params = generator.get_random_transform((4, 8, 3), seed=0)
        >>> -4 <= params["tx"] <= 4, params == generator.get_random_transform((4, 8, 3), seed=0)
        (True, True)
        """
        if seed is None:
            seed = np.random.randint(2 ** 31)
        rng = np.random.default_rng(seed)
        return self._draw_transform(img_shape, rng)

    def apply_transform(self, x, transform_parameters):
        """One image transformed by the parameters of :meth:`get_random_transform`
        (missing keys mean no change).

        >>> image = np.arange(4.0).reshape(1, 4, 1)
        >>> ImageDataGenerator().apply_transform(image, {"flip_horizontal": True}).ravel().tolist()
        [3.0, 2.0, 1.0, 0.0]
        """
        p = transform_parameters
        rows, cols, channels = self._image_axes()
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0),
                                   p.get("shear", 0), p.get("zx", 1), p.get("zy", 1),
                                   row_axis=rows, col_axis=cols, channel_axis=channels,
                                   fill_mode=self.fill_mode, cval=self.cval,
                                   order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], channels)
        if p.get("flip_horizontal"):
            x = flip_axis(x, cols)
        if p.get("flip_vertical"):
            x = flip_axis(x, rows)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"])
        return x

    def random_transform(self, x, seed=None):
        """One image with a random transformation applied.

        >>> ImageDataGenerator(vertical_flip=True).random_transform(np.ones((2, 2, 1))).shape
        (2, 2, 1)
        """
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the statistics the featurewise options and ZCA whitening use from the
        images ``x`` (rank 4); with ``augment``, from ``rounds`` randomly transformed
        copies of them.

        >>> generator = ImageDataGenerator(featurewise_std_normalization=True)
        >>> generator.fit(np.array([0.0, 2.0]).reshape(2, 1, 1, 1))
        >>> round(float(generator.std.ravel()[0]), 6)
        1.0
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"{WHERE}.fit: `x` must be a batch of images of rank 4; received "
                             f"shape {x.shape}.")
        if augment:
            rng = np.random.default_rng(seed)
            x = np.stack([self.apply_transform(image, self._draw_transform(image.shape, rng))
                          for _ in range(rounds) for image in x])
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        x = x.copy()
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(len(x), -1)
            u, s, _ = np.linalg.svd(flat.T @ flat / len(x))
            self.principal_components = ((u / np.sqrt(s + self.zca_epsilon)) @ u.T).astype(
                self.dtype)
