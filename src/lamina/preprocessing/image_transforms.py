"""Image transformations in NumPy (what ``ImageDataGenerator`` applies): an affine map
(rotation, shift, shear, zoom) sampled with nearest or bilinear interpolation, a
channel shift, a brightness change, and flips.

Pixels that come from outside the image are filled by ``fill_mode``, shown for the
row ``abcd`` extended on both sides:

- ``"constant"``: ``kkkkkkkk|abcd|kkkkkkkk`` (``k = cval``)
- ``"nearest"``: ``aaaaaaaa|abcd|dddddddd``
- ``"reflect"``: ``abcddcba|abcd|dcbaabcd``
- ``"wrap"``: ``abcdabcd|abcd|abcdabcd``

>>> import numpy as np
>>> image = np.arange(4.0).reshape(1, 4, 1)
>>> apply_affine_transform(image, tx=-1, fill_mode="constant", cval=9)[..., 0].tolist()
[[9.0, 0.0, 1.0, 2.0]]
"""

import numpy as np

FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def _check(fill_mode, order, where):
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{where}: `fill_mode` must be one of {FILL_MODES}; received "
                         f"{fill_mode!r}.")
    if order not in (0, 1):
        raise ValueError(f"{where}: the interpolation order must be 0 (nearest) or 1 "
                         f"(bilinear); received {order!r}.")


def _fold(index, size, fill_mode):
    """Indices outside ``[0, size)`` mapped inside by ``fill_mode`` (constant: clipped;
    the caller fills those pixels)."""
    if fill_mode == "wrap":
        return np.mod(index, size)
    if fill_mode == "reflect":
        index = np.mod(index, 2 * size)
        return np.where(index >= size, 2 * size - 1 - index, index)
    return np.clip(index, 0, size - 1)


def transform_matrix(theta=0, tx=0, ty=0, shear=0, zx=1, zy=1):
    """The 3x3 matrix mapping an output pixel's ``(x, y, 1)`` (x along the columns, y
    along the rows, relative to the image centre) to the input position it is read
    from: rotation by ``theta`` degrees (counterclockwise as displayed), then the shift
    ``(tx, ty)`` in pixels, the shear angle ``shear`` in degrees and the zoom
    ``(zx, zy)`` (above 1 shows more of the image, smaller).

    >>> transform_matrix(tx=2, zy=0.5).tolist()
    [[1.0, 0.0, 2.0], [0.0, 0.5, 0.0], [0.0, 0.0, 1.0]]
    """
    matrix = np.eye(3)
    if theta:
        a = np.deg2rad(theta)
        matrix = matrix @ np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0],
                                    [0, 0, 1]])
    if tx or ty:
        matrix = matrix @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=float)
    if shear:
        s = np.deg2rad(shear)
        matrix = matrix @ np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    if zx != 1 or zy != 1:
        matrix = matrix @ np.diag([zx, zy, 1.0])
    return matrix


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0,
                           col_axis=1, channel_axis=2, fill_mode="nearest", cval=0.0,
                           order=1):
    """One image ``x`` (3 axes: rows, columns and channels at the given axes) transformed
    about its centre by :func:`transform_matrix`: the output pixel at ``p = (x, y)``
    takes the input at ``M p``, sampled with ``order`` 0 (nearest) or 1 (bilinear) and
    filled by ``fill_mode``/``cval`` outside the image. ``tx`` is the width shift
    (along the columns: ``tx=1`` moves the content one pixel left), ``ty`` the height
    shift, ``zx`` and ``zy`` the zoom across the width and the height.

    >>> image = np.arange(9.0).reshape(3, 3, 1)
    >>> apply_affine_transform(image, theta=90)[..., 0].round(6).tolist()
    [[2.0, 5.0, 8.0], [1.0, 4.0, 7.0], [0.0, 3.0, 6.0]]
    """
    _check(fill_mode, order, "apply_affine_transform")
    x = np.asarray(x)
    if x.ndim != 3 or len({row_axis % 3, col_axis % 3, channel_axis % 3}) != 3:
        raise ValueError("apply_affine_transform: `x` must be one image with 3 axes and "
                         "row_axis, col_axis, channel_axis three different axes; received "
                         f"shape {x.shape} and axes {(row_axis, col_axis, channel_axis)}.")
    matrix = transform_matrix(theta, tx, ty, shear, zx, zy)
    if np.allclose(matrix, np.eye(3)):
        return x
    image = np.moveaxis(x, (row_axis, col_axis, channel_axis), (0, 1, 2))
    rows, cols = image.shape[:2]
    centre = np.array([(cols - 1) / 2, (rows - 1) / 2])
    grid = np.stack(np.meshgrid(np.arange(cols), np.arange(rows), indexing="xy"), -1)
    source = (grid - centre) @ matrix[:2, :2].T + matrix[:2, 2] + centre
    out = _sample(image.astype(np.result_type(image.dtype, np.float32)), source[..., 1],
                  source[..., 0], order, fill_mode, cval)
    return np.moveaxis(out, (0, 1, 2), (row_axis, col_axis, channel_axis)).astype(
        x.dtype if x.dtype.kind == "f" else np.float32)


def _sample(image, r, c, order, fill_mode, cval):
    rows, cols = image.shape[:2]
    if order == 0:
        r0, c0 = np.floor(r + 0.5).astype(int), np.floor(c + 0.5).astype(int)
        out = image[_fold(r0, rows, fill_mode), _fold(c0, cols, fill_mode)]
    else:
        r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
        fr, fc = (r - r0)[..., None], (c - c0)[..., None]
        ra, rb = _fold(r0, rows, fill_mode), _fold(r0 + 1, rows, fill_mode)
        ca, cb = _fold(c0, cols, fill_mode), _fold(c0 + 1, cols, fill_mode)
        out = ((1 - fr) * ((1 - fc) * image[ra, ca] + fc * image[ra, cb])
               + fr * ((1 - fc) * image[rb, ca] + fc * image[rb, cb]))
    if fill_mode == "constant":
        eps = 1e-6
        outside = (r < -eps) | (r > rows - 1 + eps) | (c < -eps) | (c > cols - 1 + eps)
        out = np.where(outside[..., None], cval, out)
    return out


def apply_channel_shift(x, intensity, channel_axis=0):
    """Add ``intensity`` to every channel of ``x``, clipped to the image's original
    minimum and maximum (``channel_axis`` is accepted as in Keras: the shift is the
    same on every channel).

    >>> apply_channel_shift(np.array([[[0.0, 10.0]]]), 4, channel_axis=2).tolist()
    [[[4.0, 10.0]]]
    """
    x = np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float32))
    return np.clip(x + intensity, np.min(x), np.max(x))


def apply_brightness_shift(x, brightness):
    """Multiply the pixel values of ``x`` (0..255) by ``brightness``, clipped to 0..255,
    as Pillow's brightness enhancement does (0 gives black, 1 the image unchanged).

    >>> apply_brightness_shift(np.array([[[100.0, 200.0]]]), 1.5).tolist()
    [[[150.0, 255.0]]]
    """
    x = np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float32))
    return np.clip(x * brightness, 0.0, 255.0)


def flip_axis(x, axis):
    """``x`` reversed along ``axis``.

    >>> flip_axis(np.array([[1, 2, 3]]), 1).tolist()
    [[3, 2, 1]]
    """
    return np.flip(np.asarray(x), axis=axis)
