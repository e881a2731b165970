"""Image K functions, ``lamina.ops.image`` (Keras 3's ``keras.ops.image``).

Each takes one image (rank 3) or a batch (rank 4) laid out by ``data_format``:
``"channels_last"`` ``(..., height, width, channels)`` or ``"channels_first"``
``(..., channels, height, width)``, ``K.image_data_format()`` when None. Like every K
function they accept symbolic tensors (the output shape is inferred) and run inside
compiled steps. The implementations, shared by the engines, are in
:mod:`lamina.backend.numpy.image`.

>>> from lamina import backend as K
>>> from lamina.ops import image
>>> K.int_shape(image.resize(K.Input((32, 48, 3)), (16, 16)))
(None, 16, 16, 3)
"""

from lamina.backend.dispatch import op as _op

__all__ = ["resize", "extract_patches", "affine_transform", "map_coordinates", "crop_images",
           "pad_images", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]


@_op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """``images`` resized to ``size = (height, width)``.

    ``interpolation``: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"lanczos3"`` or
    ``"lanczos5"``, sampling at pixel centres as ``jax.image.resize`` does; with
    ``antialias`` the kernel widens when shrinking (an average of every covered pixel).
    ``crop_to_aspect_ratio`` first crops the largest centred box of the target's aspect
    ratio; ``pad_to_aspect_ratio`` instead pads both sides with ``fill_value`` (the only
    ``fill_mode`` is ``"constant"``). Integer images give ``floatx()`` results, except
    with ``"nearest"``.

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> x = K.reshape(K.arange(4, dtype="float32"), (1, 2, 2, 1))
    >>> K.convert_to_numpy(image.resize(x, (4, 4)))[0, :, :, 0].tolist()[0]
    [0.0, 0.25, 0.75, 1.0]
    >>> K.convert_to_numpy(image.resize(x, (2, 4), interpolation="nearest"))[0, :, :, 0].tolist()
    [[0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]]
    """


@_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """The ``size = (height, width)`` (or int) patches of ``images``, each flattened in
    (row, column, channel) order onto the channel axis: channels last, a batch gives
    ``(batch, rows, columns, height * width * channels)``.

    ``strides`` defaults to ``size`` (side by side patches, as a vision transformer
    takes them); ``dilation_rate`` spaces a patch's pixels; ``padding`` is ``"valid"``
    or ``"same"`` (zeros, the extra one at the end).

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> x = K.reshape(K.arange(16, dtype="float32"), (1, 4, 4, 1))
    >>> patches = image.extract_patches(x, 2)
    >>> K.int_shape(patches), K.convert_to_numpy(patches)[0, 0, 1].tolist()
    ((1, 2, 2, 4), [2.0, 3.0, 6.0, 7.0])
    """


@_op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """``images`` resampled through ``transform``: 8 numbers ``[a0, a1, a2, b0, b1, b2,
    c0, c1]`` (or one row per image) mapping each output pixel ``(x, y)`` (column, row)
    to the input point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``,
    ``k = c0 x + c1 y + 1``.

    ``interpolation``: ``"bilinear"`` or ``"nearest"``. Points outside the input follow
    ``fill_mode``: ``"constant"`` (``fill_value``), ``"nearest"`` (the edge pixel),
    ``"wrap"`` (periodic), ``"mirror"`` (``d c b | a b c d | c b a``) or ``"reflect"``
    (``d c b a | a b c d | d c b a``).

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> x = K.reshape(K.arange(9, dtype="float32"), (3, 3, 1))
    >>> shift = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]  # read one column to the right
    >>> K.convert_to_numpy(image.affine_transform(x, shift))[:, :, 0].tolist()
    [[1.0, 2.0, 0.0], [4.0, 5.0, 0.0], [7.0, 8.0, 0.0]]
    """


@_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """The values of ``inputs`` at ``coordinates`` (one row per axis of ``inputs``, each
    of the output's shape), interpolated with spline ``order`` 0 (nearest) or 1
    (linear); points outside follow ``fill_mode`` as in :func:`affine_transform`.

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> x = K.convert_to_tensor([[0.0, 10.0], [20.0, 30.0]])
    >>> points = [[0.5, 1.0], [0.5, 2.0]]  # (0.5, 0.5) and (1.0, 2.0), one column outside
    >>> K.convert_to_numpy(image.map_coordinates(x, points, 1)).tolist()
    [15.0, 0.0]
    >>> K.convert_to_numpy(image.map_coordinates(x, points, 1, fill_mode="nearest")).tolist()
    [15.0, 30.0]
    """


@_op
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """``images`` cropped: give two of ``top_cropping``, ``bottom_cropping`` and
    ``target_height``, and two of ``left_cropping``, ``right_cropping`` and
    ``target_width``.

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> x = K.reshape(K.arange(9, dtype="float32"), (3, 3, 1))
    >>> cropped = image.crop_images(x, 1, 0, target_height=2, target_width=2)
    >>> K.convert_to_numpy(cropped)[..., 0].tolist()
    [[3.0, 4.0], [6.0, 7.0]]
    """


@_op
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """``images`` padded with zeros: give two of ``top_padding``, ``bottom_padding`` and
    ``target_height``, and two of ``left_padding``, ``right_padding`` and ``target_width``.

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> x = K.ones((2, 2, 1))
    >>> padded = image.pad_images(x, 1, 0, target_height=4, target_width=3)
    >>> K.convert_to_numpy(padded)[..., 0].tolist()
    [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """


@_op
def rgb_to_grayscale(images, data_format=None):
    """One channel ``0.2989 R + 0.5870 G + 0.1140 B`` from RGB ``images`` (in their
    dtype); single-channel images are returned as they are.

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> gray = image.rgb_to_grayscale(K.ones((2, 2, 3)))
    >>> K.int_shape(gray), round(float(K.convert_to_numpy(gray)[0, 0, 0]), 4)
    ((2, 2, 1), 0.9999)
    """


@_op
def rgb_to_hsv(images, data_format=None):
    """Hue, saturation and value channels, each in [0, 1], from float RGB ``images`` in
    [0, 1].

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> red = K.convert_to_tensor([[[1.0, 0.0, 0.0]]])
    >>> [round(v, 4) for v in K.convert_to_numpy(image.rgb_to_hsv(red)).ravel().tolist()]
    [0.0, 1.0, 1.0]
    """


@_op
def hsv_to_rgb(images, data_format=None):
    """RGB channels from float hue, saturation and value ``images`` in [0, 1] (the inverse
    of :func:`rgb_to_hsv`).

    >>> from lamina import backend as K
    >>> from lamina.ops import image
    >>> green = K.convert_to_tensor([[[1 / 3, 1.0, 1.0]]])
    >>> [round(v, 4) for v in K.convert_to_numpy(image.hsv_to_rgb(green)).ravel().tolist()]
    [0.0, 1.0, 0.0]
    """
