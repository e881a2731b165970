"""Image files and arrays (with Pillow): ``load_img``, ``img_to_array``,
``array_to_img``, ``save_img``, and ``smart_resize`` for arrays.

Pillow is an optional dependency: ``pip install "lamina[image]"`` (or ``pip install
pillow``).

>>> import numpy as np
>>> img = array_to_img(np.zeros((2, 3, 3)))
>>> img.size, img_to_array(img).shape
((3, 2), (2, 3, 3))
"""

import warnings

import numpy as np

from lamina import backend as K

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos", "area",
                  "lanczos3", "lanczos5")
COLOR_MODES = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}


def pil_image():
    """The ``PIL.Image`` module, or an ImportError that says how to install Pillow.

    >>> pil_image().__name__
    'PIL.Image'
    """
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("Reading and writing images needs Pillow: pip install pillow (or "
                          'pip install "lamina[image]").') from error
    return Image


def _resample(interpolation, where):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{where}: `interpolation` must be one of {INTERPOLATIONS}; received "
                         f"{interpolation!r}.")
    name = {"area": "box", "lanczos3": "lanczos", "lanczos5": "lanczos"}.get(interpolation,
                                                                             interpolation)
    return getattr(pil_image().Resampling, name.upper())


def _data_format(data_format, where):
    data_format = data_format or K.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{where}: `data_format` must be 'channels_last' or 'channels_first'; "
                         f"received {data_format!r}.")
    return data_format


def _target_size(size, where, name="target_size"):
    if not (isinstance(size, (tuple, list)) and len(size) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
            for v in size)):
        raise ValueError(f"{where}: `{name}` must be a (height, width) pair of positive ints; "
                         f"received {size!r}.")
    return int(size[0]), int(size[1])


def aspect_crop_box(width, height, target_height, target_width):
    """The centred ``(left, top, right, bottom)`` box of a ``width`` x ``height`` image
    with the aspect ratio of the target size (what ``crop_to_aspect_ratio`` keeps).

    >>> aspect_crop_box(100, 50, 10, 10)
    (25, 0, 75, 50)
    """
    crop_w = min(width, round(height * target_width / target_height))
    crop_h = min(height, round(width * target_height / target_width))
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    return left, top, left + crop_w, top + crop_h


def load_img(path, grayscale=False, color_mode="rgb", target_size=None,
             interpolation="nearest", keep_aspect_ratio=False):
    """Open an image file (or file object) as a PIL image in ``color_mode``
    (``"grayscale"``, ``"rgb"`` or ``"rgba"``), resized to ``target_size`` =
    ``(height, width)`` with ``interpolation`` when given; ``keep_aspect_ratio`` first
    crops the centre to the target's aspect ratio.

    >>> import io
    >>> buffer = io.BytesIO()
    >>> array_to_img(np.zeros((4, 6, 3)), scale=False).save(buffer, format="png")
    >>> img = load_img(buffer, color_mode="grayscale", target_size=(2, 3))
    >>> img.mode, img.size
    ('L', (3, 2))
    """
    if grayscale:
        warnings.warn("load_img: grayscale=True is deprecated; use color_mode='grayscale'.",
                      DeprecationWarning, stacklevel=2)
        color_mode = "grayscale"
    if color_mode not in COLOR_MODES:
        raise ValueError(f"load_img: `color_mode` must be one of {tuple(COLOR_MODES)}; "
                         f"received {color_mode!r}.")
    resample = _resample(interpolation, "load_img")
    image = pil_image()
    with image.open(path) as opened:
        mode = COLOR_MODES[color_mode][0]
        keep = color_mode == "grayscale" and opened.mode in ("I;16", "I", "F")
        img = opened.copy() if keep or opened.mode == mode else opened.convert(mode)
    if target_size is not None:
        height, width = _target_size(target_size, "load_img")
        if img.size != (width, height):
            box = aspect_crop_box(*img.size, height, width) if keep_aspect_ratio else None
            img = img.resize((width, height), resample=resample, box=box)
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a float array ``(height, width, channels)`` (channels first with
    ``data_format="channels_first"``); a one-channel image keeps a channel axis.

    >>> img_to_array(array_to_img(np.ones((2, 2, 1)), scale=False)).shape
    (2, 2, 1)
    """
    data_format = _data_format(data_format, "img_to_array")
    x = np.asarray(img, dtype=dtype or K.floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"img_to_array: expected an image of rank 2 or 3; received an array "
                         f"of shape {x.shape}.")
    return np.ascontiguousarray(x.transpose(2, 0, 1)) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A ``(height, width, channels)`` array (1, 3 or 4 channels) as a PIL image.
    ``scale`` maps the array's range to 0..255 first; without it values are cast.

    >>> array_to_img(np.array([[[0.0], [0.5]]])).getpixel((1, 0))
    255
    """
    data_format = _data_format(data_format, "array_to_img")
    x = np.asarray(x, dtype=dtype or K.floatx())
    if x.ndim != 3:
        raise ValueError("array_to_img: `x` must be one image of rank 3 (height, width, "
                         f"channels); received an array of shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    image = pil_image()
    if channels in (3, 4):
        return image.fromarray(x.astype("uint8"), "RGBA" if channels == 4 else "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: `x` must have 1, 3 or 4 channels; received shape "
                     f"{x.shape} ({channels} channels, data_format={data_format!r}).")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the array ``x`` as an image file (format from ``file_format`` or the path's
    extension); other keyword arguments go to ``PIL.Image.save``.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png")
    >>> save_img(path, np.zeros((2, 2, 3)))
    >>> load_img(path).size
    (2, 2)
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if file_format is not None and file_format.lower() == "jpg":
        file_format = "jpeg"
    if img.mode == "RGBA" and (file_format or str(path).rsplit(".", 1)[-1]).lower() in (
            "jpg", "jpeg"):
        warnings.warn("save_img: JPEG has no alpha channel; the image is saved as RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format=None):
    """Resize image array(s) to ``size`` = ``(height, width)`` without distorting them:
    crop the centre to the target aspect ratio, then resize. ``x`` is one image
    ``(h, w, c)`` or a batch ``(n, h, w, c)`` (channels first with that data format).

    >>> smart_resize(np.zeros((4, 8, 3)), (2, 2)).shape
    (2, 2, 3)
    """
    data_format = _data_format(data_format, "smart_resize")
    height, width = _target_size(size, "smart_resize", "size")
    x = np.asarray(x, dtype=K.floatx())
    if x.ndim not in (3, 4):
        raise ValueError("smart_resize: `x` must be an image (rank 3) or a batch of images "
                         f"(rank 4); received shape {x.shape}.")
    if x.ndim == 4:
        return np.stack([smart_resize(i, size, interpolation, data_format) for i in x])
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    box = aspect_crop_box(x.shape[1], x.shape[0], height, width)
    out = resize_array(x, (height, width), interpolation, box=box, where="smart_resize")
    return out.transpose(2, 0, 1) if data_format == "channels_first" else out


def resize_array(x, size, interpolation="bilinear", box=None, where="resize_array"):
    """Resize a float image ``(h, w, c)`` to ``size`` = ``(height, width)`` in floating
    point (no rounding to 8 bits), reading only ``box`` = ``(left, top, right, bottom)``
    of it when given.

    >>> resize_array(np.arange(4.0).reshape(2, 2, 1), (1, 1), "area")[..., 0].tolist()
    [[1.5]]
    """
    resample = _resample(interpolation, where)
    height, width = size
    channels = [np.asarray(pil_image().fromarray(
        np.ascontiguousarray(x[:, :, c], dtype="float32"), "F").resize(
            (width, height), resample=resample, box=box)) for c in range(x.shape[2])]
    return np.stack(channels, axis=-1).astype(K.floatx())
