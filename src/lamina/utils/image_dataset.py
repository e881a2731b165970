"""image_dataset_from_directory: a dataset of the image files of a directory, one
subdirectory per class, read and resized batch by batch (needs Pillow).

>>> IMAGE_FORMATS
('.bmp', '.gif', '.jpeg', '.jpg', '.png')
"""

import numpy as np

from lamina.utils.directory_index import directory_datasets
from lamina.utils.image_utils import (COLOR_MODES, _data_format, _resample, _target_size,
                                      aspect_crop_box, img_to_array, load_img, resize_array)

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
WHERE = "image_dataset_from_directory"


def _pad_to_aspect(x, height, width):
    rows, cols = x.shape[:2]
    new_rows = max(rows, round(cols * height / width))
    new_cols = max(cols, round(rows * width / height))
    top, left = (new_rows - rows) // 2, (new_cols - cols) // 2
    padded = np.zeros((new_rows, new_cols, x.shape[2]), x.dtype)
    padded[top:top + rows, left:left + cols] = x
    return padded


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """Batches ``(images, labels)`` of the ``.bmp .gif .jpeg .jpg .png`` files under
    ``directory``: images float32 in 0..255 of shape ``(batch, height, width, channels)``
    (``image_size`` = ``(height, width)``; 1, 3 or 4 channels for ``color_mode``
    ``"grayscale"``, ``"rgb"``, ``"rgba"``), labels by ``label_mode``: ``"int"``
    (int32 class indices), ``"categorical"`` (one-hot float32), ``"binary"`` (float32
    0/1 column, two classes) or ``None`` (images only). ``labels="inferred"`` takes
    the class from the subdirectory (alphanumeric order, or ``class_names``'s order).
    ``validation_split`` with ``subset`` ``"training"``, ``"validation"`` or ``"both"``
    (a pair) keeps that part of the files shuffled with ``seed``. Returns a
    :class:`~lamina.utils.dataset_utils.Dataset` with ``class_names`` and
    ``file_paths``, which ``fit`` reads directly.

    >>> import os, tempfile
    >>> from lamina.utils import save_img
    >>> root = tempfile.mkdtemp()
    >>> for cls in ("cats", "dogs"):
    ...     os.makedirs(os.path.join(root, cls))
    ...     for i in range(2):
    ...         save_img(os.path.join(root, cls, f"{i}.png"), np.full((6, 8, 3), 50.0 * i),
    ...                  scale=False)
    >>> data = image_dataset_from_directory(root, image_size=(3, 4), batch_size=4, seed=1)
    Found 4 files belonging to 2 classes.
    >>> images, labels = data[0]
    >>> data.class_names, images.shape, sorted(labels.tolist())
    (['cats', 'dogs'], (4, 3, 4, 3), [0, 0, 1, 1])
    >>> training, validation = image_dataset_from_directory(
    ...     root, image_size=(3, 4), color_mode="grayscale", label_mode="categorical",
    ...     validation_split=0.5, subset="both", seed=2, verbose=False)
    >>> len(training.file_paths), validation[0][0].shape, validation[0][1].shape
    (2, (2, 3, 4, 1), (2, 2))
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f"{WHERE}: `color_mode` must be one of {tuple(COLOR_MODES)}; "
                         f"received {color_mode!r}.")
    height, width = _target_size(image_size, WHERE, "image_size")
    _resample(interpolation, WHERE)
    data_format = _data_format(data_format, WHERE)
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{WHERE}: give only one of crop_to_aspect_ratio and "
                         "pad_to_aspect_ratio; received both True.")

    def load_file(path):
        x = img_to_array(load_img(path, color_mode=color_mode), "channels_last")
        box = None
        if crop_to_aspect_ratio:
            box = aspect_crop_box(x.shape[1], x.shape[0], height, width)
        elif pad_to_aspect_ratio:
            x = _pad_to_aspect(x, height, width)
        x = resize_array(x, (height, width), interpolation, box=box, where=WHERE)
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x

    return directory_datasets(WHERE, directory, IMAGE_FORMATS, load_file, labels, label_mode,
                              class_names, batch_size, shuffle, seed, validation_split,
                              subset, follow_links, verbose, kind="images")
