"""The image K functions (``lamina.ops.image``), written once over an array namespace.

NumPy and JAX run these kernels on their own module (``Arrays(np)``, ``Arrays(jnp)``);
torch runs them through a subclass that maps the few names torch spells differently
(:mod:`lamina.backend.torch.image`). Everything that depends only on shapes (argument
checks, resampling weights, crop and pad boxes) is computed here with NumPy, once per
call, as constants: a compiled step sees fixed matrices and index arrays.

- ``resize`` samples at pixel centres (half-pixel offsets), as ``jax.image.resize``:
  each spatial axis is one product with an ``(out, in)`` weight matrix whose rows hold
  the interpolation kernel (triangle, Keys cubic with a = -0.5, Lanczos), normalised to
  sum to 1 at the borders; ``antialias`` widens the kernel when shrinking. ``nearest``
  picks ``floor((i + 0.5) * in / out)``.
- ``affine_transform`` and ``map_coordinates`` fetch the neighbours of each sampled
  point (order 0: the nearest, rounded half away from zero; order 1: the 2^n corners),
  each neighbour's index mapped into the image by ``fill_mode`` (``constant``: an index
  outside gives ``fill_value``; ``nearest``: the edge; ``wrap``: periodic; ``mirror``:
  reflected about the edge pixels' centres; ``reflect``: about their outer edges).
"""

import itertools

import numpy as np

from lamina.backend import config
from lamina.backend.numpy.nn import _as_tuple, _check_padding, _pad_pairs, check_data_format

__all__ = ["resize", "extract_patches", "affine_transform", "map_coordinates", "crop_images",
           "pad_images", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
TRANSFORM_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)


class Arrays:
    """The array functions the kernels use, over a NumPy-like module ``xp``; ``renamed``
    gives those that ``xp`` spells differently."""

    def __init__(self, xp, **renamed):
        self.xp = xp
        for name in ("floor", "where", "clip", "stack", "reshape", "moveaxis", "transpose",
                     "expand_dims", "squeeze", "maximum", "minimum", "mod", "concatenate",
                     "abs"):
            setattr(self, name, renamed.get(name) or getattr(xp, name))

    def tensor(self, x):
        return self.xp.asarray(x)

    def is_float(self, x):
        return self.xp.issubdtype(x.dtype, self.xp.floating)

    def to_float(self, x):
        """``x`` itself when floating, else cast to ``floatx()``."""
        return x if self.is_float(x) else x.astype(config.floatx())

    def cast_like(self, x, like):
        return x.astype(like.dtype)

    def const(self, value, like):
        """The NumPy constant ``value`` as an array of ``like``'s dtype (and device)."""
        return self.xp.asarray(np.asarray(value), dtype=like.dtype)

    def index(self, value, like=None):
        """Integer indices (from a NumPy array, or from float arrays of whole numbers)."""
        if isinstance(value, np.ndarray):
            return self.xp.asarray(value.astype(np.int64))
        return value.astype(np.int64)

    def take(self, x, indices, axis):
        return self.xp.take(x, self.index(indices), axis=axis)

    def pad(self, x, pairs, value):
        return self.xp.pad(x, pairs, constant_values=value)

    def int_limits(self, x):
        info = np.iinfo(x.dtype)
        return info.min, info.max

    def arange(self, n, like):
        return self.xp.arange(n, dtype=like.dtype)


# -- checks and plans (NumPy, on shapes) --------------------------------------------------
def image_layout(fname, shape, data_format):
    """``(channels_last, height_axis, width_axis, channels_axis)`` for a 3D (one image) or
    4D (a batch) ``shape``; a ValueError naming ``fname`` otherwise."""
    channels_last = check_data_format(fname, data_format) == "channels_last"
    if len(shape) not in (3, 4):
        layout = "(height, width, channels)" if channels_last else "(channels, height, width)"
        raise ValueError(f"{fname}: expected images of rank 3 {layout} or rank 4 (a batch of "
                         f"them); received a tensor of shape {tuple(shape)}.")
    offset = len(shape) - 3
    if channels_last:
        return True, offset, offset + 1, offset + 2
    return False, offset + 1, offset + 2, offset


def _positive_pair(fname, name, value):
    try:
        pair = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        pair = ()
    if len(pair) != 2 or min(pair) < 1:
        raise ValueError(f"{fname}: expected {name} to be a tuple of two positive ints "
                         f"(height, width); received {value!r}.")
    return pair


def _choice(fname, name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{fname}: expected {name} to be one of {', '.join(map(repr, allowed))}; "
                         f"received {value!r}.")
    return value


def _triangle(x):
    return np.maximum(0.0, 1.0 - x)


def _keys_cubic(x):
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _lanczos(radius):
    def kernel(x):
        return np.where(x < radius, np.sinc(x) * np.sinc(x / radius), 0.0)
    return kernel


_KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos3": _lanczos(3.0),
            "lanczos5": _lanczos(5.0)}


def resize_weights(in_size, out_size, interpolation, antialias):
    """The ``(out_size, in_size)`` matrix mapping pixels to resampled pixels."""
    scale = out_size / in_size
    kernel_scale = max(1.0 / scale, 1.0) if antialias else 1.0
    centres = (np.arange(out_size) + 0.5) / scale - 0.5
    weights = _KERNELS[interpolation](np.abs(centres[:, None] - np.arange(in_size)[None, :])
                                      / kernel_scale)
    totals = weights.sum(axis=1, keepdims=True)
    return np.where(np.abs(totals) > 1e-4, weights / np.where(totals == 0, 1.0, totals), 0.0)


def nearest_indices(in_size, out_size):
    return np.minimum(np.floor((np.arange(out_size) + 0.5) * in_size / out_size),
                      in_size - 1).astype(np.int64)


def aspect_crop_box(height, width, target_height, target_width):
    """``(top, left, height, width)`` of the centred box of the target's aspect ratio."""
    crop_h = max(min(height, int(width * target_height / target_width)), 1)
    crop_w = max(min(width, int(height * target_width / target_height)), 1)
    return (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w


def aspect_padding(height, width, target_height, target_width):
    """Rows and columns added on each side to reach the target's aspect ratio."""
    padded_h = max(height, int(width * target_height / target_width))
    padded_w = max(width, int(height * target_width / target_height))
    return (padded_h - height) // 2, (padded_w - width) // 2


def _span(fname, names, size, start, end, target, grow):
    """``(start, end)``: the rows or columns removed (``grow`` -1, cropping) or added
    (``grow`` 1, padding) at each end of an axis of ``size``, from any two of ``start``,
    ``end`` and the ``target`` size, as Keras resolves them."""
    given = dict(zip(names, (start, end, target)))
    if sum(v is None for v in given.values()) != 1:
        received = ", ".join(f"{n}={v!r}" for n, v in given.items())
        raise ValueError(f"{fname}: expected exactly two of {', '.join(names)}; received "
                         f"{received}.")
    for name, value in given.items():
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"{fname}: expected {name} to be an int >= 0; received {value!r}.")
    if start is None:
        start = grow * (target - size) - end
    elif end is None:
        end = grow * (target - size) - start
    if start < 0 or end < 0:
        received = ", ".join(f"{n}={v!r}" for n, v in given.items() if v is not None)
        raise ValueError(f"{fname}: an axis of size {size} cannot be brought to the size "
                         f"asked ({received}).")
    return int(start), int(end)


def patch_plan(fname, shape, size, strides, dilation_rate, padding, channels_last):
    """``(window, strides, dilation, pads)`` for 2D patches of a batch ``shape``."""
    window = _as_tuple(fname, "size", size, 2)
    strides = window if strides is None else _as_tuple(fname, "strides", strides, 2)
    dilation = _as_tuple(fname, "dilation_rate", dilation_rate, 2)
    padding = _check_padding(fname, padding, 2)
    spatial = tuple(shape[1:3]) if channels_last else tuple(shape[2:4])
    pads = _pad_pairs(fname, spatial, window, strides, dilation, padding, what="patch")
    return window, strides, dilation, pads


# -- kernels ---------------------------------------------------------------------------
def _fixed_index(A, index, size, fill_mode):
    """``index`` (float array of whole numbers) mapped into ``[0, size)`` by ``fill_mode``,
    and for ``constant`` the mask of indices that were inside (None otherwise)."""
    if fill_mode == "constant":
        return A.clip(index, 0, size - 1), (index >= 0) & (index <= size - 1)
    if fill_mode == "nearest":
        return A.clip(index, 0, size - 1), None
    if fill_mode == "wrap":
        return A.mod(index, size), None
    if fill_mode == "mirror":
        if size == 1:
            return index * 0, None
        period = 2 * size - 2
        index = A.mod(index, period)
        return A.where(index >= size, period - index, index), None
    period = 2 * size
    index = A.mod(index, period)
    return A.where(index >= size, period - 1 - index, index), None


def _round_half_away(A, x):
    return A.where(x >= 0, A.floor(x + 0.5), -A.floor(0.5 - x))


def interpolate(A, fetch, coords, sizes, order, fill_mode, fill_value, trailing):
    """Values at the float ``coords`` (one array per axis of sizes ``sizes``) of the array
    read by ``fetch(indices)``, whose results have ``trailing`` more axes than the
    coordinates."""
    def gather(indices):
        fixed, inside = [], None
        for index, size in zip(indices, sizes):
            index, valid = _fixed_index(A, index, size, fill_mode)
            fixed.append(A.index(index))
            if valid is not None:
                inside = valid if inside is None else inside & valid
        values = fetch(fixed)
        if inside is None:
            return values
        mask = A.reshape(inside, tuple(inside.shape) + (1,) * trailing)
        return A.where(mask, values, A.const(fill_value, values))

    if order == 0:
        return gather([_round_half_away(A, c) for c in coords])
    lows = [A.floor(c) for c in coords]
    fractions = [c - low for c, low in zip(coords, lows)]
    total = None
    for corner in itertools.product((0, 1), repeat=len(coords)):
        weight = None
        for bit, fraction in zip(corner, fractions):
            factor = fraction if bit else 1 - fraction
            weight = factor if weight is None else weight * factor
        values = gather([low + bit for low, bit in zip(lows, corner)])
        term = A.reshape(weight, tuple(weight.shape) + (1,) * trailing) * values
        total = term if total is None else total + term
    return total


def _resize_axis(A, x, axis, out_size, interpolation, antialias):
    in_size = x.shape[axis]
    if in_size == out_size:
        return x
    if interpolation == "nearest":
        return A.take(x, nearest_indices(in_size, out_size), axis)
    weights = A.const(resize_weights(in_size, out_size, interpolation, antialias).T, x)
    return A.moveaxis(A.moveaxis(x, axis, -1) @ weights, -1, axis)


def _spatial_slice(x, layout, top, left, height, width):
    _, h_axis, w_axis, _ = layout
    index = [slice(None)] * len(x.shape)
    index[h_axis] = slice(top, top + height)
    index[w_axis] = slice(left, left + width)
    return x[tuple(index)]


def _spatial_pad(A, x, layout, rows, columns, value):
    _, h_axis, w_axis, _ = layout
    pairs = [(0, 0)] * len(x.shape)
    pairs[h_axis], pairs[w_axis] = tuple(rows), tuple(columns)
    return A.pad(x, pairs, value)


def _batched_channels_last(A, x, layout):
    """``x`` as (batch, height, width, channels), and the function undoing that."""
    channels_last, single = layout[0], len(x.shape) == 3
    if single:
        x = A.expand_dims(x, 0)
    if not channels_last:
        x = A.moveaxis(x, 1, -1)

    def restore(y):
        if not channels_last:
            y = A.moveaxis(y, -1, 1)
        return A.squeeze(y, 0) if single else y
    return x, restore


def kernels(A):
    """The image K functions over the array functions ``A``."""

    def resize(images, size, interpolation="bilinear", antialias=False,
               crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode="constant",
               fill_value=0.0, data_format=None):
        images = A.tensor(images)
        layout = image_layout("resize", images.shape, data_format)
        target_h, target_w = _positive_pair("resize", "size", size)
        _choice("resize", "interpolation", interpolation, RESIZE_INTERPOLATIONS)
        _choice("resize", "fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("resize: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both "
                             "be True.")
        height, width = images.shape[layout[1]], images.shape[layout[2]]
        if crop_to_aspect_ratio:
            images = _spatial_slice(images, layout,
                                    *aspect_crop_box(height, width, target_h, target_w))
        elif pad_to_aspect_ratio:
            rows, columns = aspect_padding(height, width, target_h, target_w)
            images = _spatial_pad(A, images, layout, (rows, rows), (columns, columns),
                                  fill_value)
        if interpolation != "nearest":
            images = A.to_float(images)
        images = _resize_axis(A, images, layout[1], target_h, interpolation, antialias)
        return _resize_axis(A, images, layout[2], target_w, interpolation, antialias)

    def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                        data_format=None):
        images = A.tensor(images)
        layout = image_layout("extract_patches", images.shape, data_format)
        x, restore = _batched_channels_last(A, images, layout)
        (kh, kw), (sh, sw), (dh, dw), pads = patch_plan(
            "extract_patches", x.shape, size, strides, dilation_rate, padding, True)
        if any(p != (0, 0) for p in pads):
            x = A.pad(x, [(0, 0)] + list(pads) + [(0, 0)], 0)
        batch, height, width, channels = x.shape
        out_h, out_w = (height - (kh - 1) * dh - 1) // sh + 1, (width - (kw - 1) * dw - 1) // sw + 1
        if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1):
            x = A.reshape(x[:, :out_h * kh, :out_w * kw], (batch, out_h, kh, out_w, kw, channels))
            x = A.transpose(x, (0, 1, 3, 2, 4, 5))
        else:
            x = A.stack([x[:, i * dh:i * dh + (out_h - 1) * sh + 1:sh,
                           j * dw:j * dw + (out_w - 1) * sw + 1:sw]
                         for i in range(kh) for j in range(kw)], 3)
        return restore(A.reshape(x, (batch, out_h, out_w, kh * kw * channels)))

    def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                         fill_value=0, data_format=None):
        images = A.tensor(images)
        layout = image_layout("affine_transform", images.shape, data_format)
        order = TRANSFORM_INTERPOLATIONS[_choice("affine_transform", "interpolation",
                                                 interpolation, tuple(TRANSFORM_INTERPOLATIONS))]
        _choice("affine_transform", "fill_mode", fill_mode, FILL_MODES)
        x, restore = _batched_channels_last(A, images, layout)
        values = A.to_float(x)
        transform = A.cast_like(A.tensor(transform), values)
        if len(transform.shape) not in (1, 2) or transform.shape[-1] != 8:
            raise ValueError("affine_transform: expected transform of shape (8,) or (batch, 8) "
                             f"[a0, a1, a2, b0, b1, b2, c0, c1]; received a tensor of shape "
                             f"{tuple(transform.shape)}.")
        if len(transform.shape) == 1:
            transform = A.expand_dims(transform, 0)
        batch, height, width, _ = x.shape
        if transform.shape[0] not in (1, batch):
            raise ValueError(f"affine_transform: expected one transform or {batch} (one per "
                             f"image); received {transform.shape[0]}.")
        t = [A.reshape(transform[:, i], (-1, 1, 1)) for i in range(8)]
        xs = A.reshape(A.arange(width, values), (1, 1, width))
        ys = A.reshape(A.arange(height, values), (1, height, 1))
        k = t[6] * xs + t[7] * ys + 1
        source_x = (t[0] * xs + t[1] * ys + t[2]) / k
        source_y = (t[3] * xs + t[4] * ys + t[5]) / k
        batch_index = A.index(np.arange(batch).reshape(-1, 1, 1), values)
        out = interpolate(A, lambda idx: values[batch_index, idx[0], idx[1]],
                          [source_y, source_x], (height, width), order, fill_mode,
                          fill_value, 1)
        return restore(_cast_back(A, out, x))

    def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
        inputs = A.tensor(inputs)
        coordinates = A.tensor(coordinates)
        if len(coordinates.shape) < 1 or coordinates.shape[0] != len(inputs.shape):
            raise ValueError(f"map_coordinates: expected coordinates of shape ({len(inputs.shape)}"
                             f", ...), one row per axis of the inputs of shape "
                             f"{tuple(inputs.shape)}; received coordinates of shape "
                             f"{tuple(coordinates.shape)}.")
        if order not in (0, 1):
            raise ValueError(f"map_coordinates: expected order 0 or 1; received {order!r}.")
        _choice("map_coordinates", "fill_mode", fill_mode, FILL_MODES)
        values = A.to_float(inputs)
        coords = A.cast_like(coordinates, values)
        out = interpolate(A, lambda idx: values[tuple(idx)],
                          [coords[i] for i in range(coords.shape[0])], tuple(inputs.shape),
                          order, fill_mode, fill_value, 0)
        return _cast_back(A, out, inputs)

    def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                    right_cropping=None, target_height=None, target_width=None,
                    data_format=None):
        images = A.tensor(images)
        layout = image_layout("crop_images", images.shape, data_format)
        height, width = images.shape[layout[1]], images.shape[layout[2]]
        top, bottom = _span("crop_images", ("top_cropping", "bottom_cropping", "target_height"),
                            height, top_cropping, bottom_cropping, target_height, -1)
        left, right = _span("crop_images", ("left_cropping", "right_cropping", "target_width"),
                            width, left_cropping, right_cropping, target_width, -1)
        return _spatial_slice(images, layout, top, left, height - top - bottom,
                              width - left - right)

    def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
                   right_padding=None, target_height=None, target_width=None,
                   data_format=None):
        images = A.tensor(images)
        layout = image_layout("pad_images", images.shape, data_format)
        height, width = images.shape[layout[1]], images.shape[layout[2]]
        rows = _span("pad_images", ("top_padding", "bottom_padding", "target_height"), height,
                     top_padding, bottom_padding, target_height, 1)
        columns = _span("pad_images", ("left_padding", "right_padding", "target_width"), width,
                        left_padding, right_padding, target_width, 1)
        return _spatial_pad(A, images, layout, rows, columns, 0)

    def rgb_to_grayscale(images, data_format=None):
        images = A.tensor(images)
        layout = image_layout("rgb_to_grayscale", images.shape, data_format)
        channels = images.shape[layout[3]]
        if channels == 1:
            return images
        _check_rgb("rgb_to_grayscale", images.shape, layout)
        values = A.moveaxis(A.to_float(images), layout[3], -1)
        gray = values @ A.const(np.array(_GRAY_WEIGHTS).reshape(3, 1), values)
        return A.cast_like(A.moveaxis(gray, -1, layout[3]), images)

    def rgb_to_hsv(images, data_format=None):
        images = A.tensor(images)
        layout = _float_rgb(A, "rgb_to_hsv", images, data_format)
        axis = layout[3]
        red, green, blue = (A.take(images, np.array([i]), axis) for i in range(3))
        value = A.maximum(A.maximum(red, green), blue)
        spread = value - A.minimum(A.minimum(red, green), blue)
        saturation = A.where(value > 0, spread / A.where(value > 0, value, 1), 0)
        safe = A.where(spread > 0, spread, 1)
        hue = A.where(value == green, (blue - red) / safe + 2, (red - green) / safe + 4)
        hue = A.where(value == red, (green - blue) / safe, hue)
        hue = A.mod(A.where(spread > 0, hue, 0) / 6, 1)
        return A.concatenate([hue, saturation, value], axis)

    def hsv_to_rgb(images, data_format=None):
        images = A.tensor(images)
        layout = _float_rgb(A, "hsv_to_rgb", images, data_format)
        axis = layout[3]
        hue, saturation, value = (A.take(images, np.array([i]), axis) for i in range(3))
        sector = A.mod(hue, 1) * 6
        red = A.clip(A.abs(sector - 3) - 1, 0, 1)
        green = A.clip(2 - A.abs(sector - 2), 0, 1)
        blue = A.clip(2 - A.abs(sector - 4), 0, 1)
        return A.concatenate([value * (1 - saturation + saturation * c)
                              for c in (red, green, blue)], axis)

    return {name: value for name, value in locals().items() if name in __all__}


def _cast_back(A, values, like):
    """Interpolated ``values`` in ``like``'s dtype (integers rounded and clipped)."""
    if not A.is_float(like):
        values = A.clip(_round_half_away(A, values), *A.int_limits(like))
    return A.cast_like(values, like)


def _check_rgb(fname, shape, layout):
    if shape[layout[3]] != 3:
        axis = "last" if layout[0] else "channels"
        raise ValueError(f"{fname}: expected 3 channels (RGB) on the {axis} axis; received "
                         f"images of shape {tuple(shape)}.")


def _float_rgb(A, fname, images, data_format):
    layout = image_layout(fname, images.shape, data_format)
    _check_rgb(fname, images.shape, layout)
    if not A.is_float(images):
        raise TypeError(f"{fname}: expected float images (values in [0, 1]); received "
                        f"{str(images.dtype).replace('torch.', '')} images.")
    return layout


_FUNCTIONS = kernels(Arrays(np))
(resize, extract_patches, affine_transform, map_coordinates, crop_images, pad_images,
 rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb) = (_FUNCTIONS[name] for name in __all__)
