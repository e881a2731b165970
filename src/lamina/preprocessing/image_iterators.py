"""The batch iterators ``ImageDataGenerator.flow`` and ``flow_from_directory`` return:
PyDatasets that ``fit`` reads by index, and that ``next(iterator)`` reads endlessly,
epoch after epoch, as Keras 2's iterators are read.

Random transformations are drawn from a generator seeded with ``(seed, epoch,
batch index)``, so a batch is the same whichever thread reads it, and a run with a
``seed`` is reproducible.

>>> import numpy as np
>>> from lamina.preprocessing.image import ImageDataGenerator
>>> it = NumpyArrayIterator(np.zeros((5, 2, 2, 1)), np.arange(5), ImageDataGenerator(),
...                         batch_size=2, shuffle=False)
>>> len(it), [next(it)[1].tolist() for _ in range(4)]
(3, [[0, 1], [2, 3], [4], [0, 1]])
"""

import math
import os

import numpy as np

from lamina.training.py_dataset import PyDataset
from lamina.utils.image_utils import (COLOR_MODES, _resample, _target_size, img_to_array,
                                      load_img, save_img)

DIRECTORY_FORMATS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff")
CLASS_MODES = ("categorical", "binary", "sparse", "input", None)


def _check_batch_size(batch_size, where):
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"{where}: `batch_size` must be an int >= 1; received "
                         f"{batch_size!r}.")


def _check_subset(subset, generator, where):
    if subset not in (None, "training", "validation"):
        raise ValueError(f"{where}: `subset` must be None, 'training' or 'validation'; "
                         f"received {subset!r}.")
    if subset is not None and not generator.validation_split:
        raise ValueError(f"{where}: subset={subset!r} needs the ImageDataGenerator's "
                         "validation_split; it is 0.")


class Iterator(PyDataset):
    """Batches of ``n`` samples, in a new order each epoch when ``shuffle``, each
    sample augmented and standardized by ``generator`` (an ``ImageDataGenerator``).
    Subclasses give ``_load(indices)`` (the raw images) and ``_targets(indices, x)``.
    ``save_to_dir`` writes every augmented image as ``{save_prefix}_{index}_{n}.{save_format}``.

    >>> from lamina.preprocessing.image import ImageDataGenerator
    >>> it = ImageDataGenerator().flow(np.zeros((5, 2, 2, 1)), batch_size=2)
    >>> isinstance(it, Iterator), len(it), it.n
    (True, 3, 5)
    """

    def __init__(self, n, generator, batch_size, shuffle, seed, save_to_dir=None,
                 save_prefix="", save_format="png", where="flow"):
        super().__init__()
        _check_batch_size(batch_size, where)
        if seed is not None and (isinstance(seed, bool) or not isinstance(
                seed, (int, np.integer))):
            raise ValueError(f"{where}: `seed` must be None or an int; received {seed!r}.")
        self.n = int(n)
        self.generator = generator
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = int(np.random.randint(2 ** 31)) if seed is None else int(seed)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, \
            save_format
        self.epoch = 0
        self.batch_index = 0
        self._cached_order = (None, None)

    def __len__(self):
        return math.ceil(self.n / self.batch_size)

    def _index_array(self):
        """The sample order of the current epoch (computed once per epoch)."""
        if self._cached_order[0] != self.epoch:
            order = (np.random.default_rng([self.seed, self.epoch]).permutation(self.n)
                     if self.shuffle else np.arange(self.n))
            self._cached_order = (self.epoch, order)
        return self._cached_order[1]

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"{type(self).__name__}: batch {index} is out of range for "
                             f"{len(self)} batches.")
        index %= len(self)
        indices = self._index_array()[index * self.batch_size:(index + 1) * self.batch_size]
        rng = np.random.default_rng([self.seed, self.epoch, index])
        images = []
        for raw in self._load(indices):
            params = self.generator._draw_transform(raw.shape, rng)
            images.append(self.generator.standardize(
                self.generator.apply_transform(raw, params)))
        x = np.stack(images).astype(self.generator.dtype, copy=False)
        if self.save_to_dir:
            for i, image in zip(indices, x):
                name = f"{self.save_prefix}_{i}_{rng.integers(10 ** 6)}.{self.save_format}"
                save_img(os.path.join(self.save_to_dir, name), image,
                         data_format=self.generator.data_format)
        return self._targets(indices, x)

    def on_epoch_end(self):
        """Move to the next epoch (a new order when shuffling).

        >>> from lamina.preprocessing.image import ImageDataGenerator
        >>> it = ImageDataGenerator().flow(np.zeros((2, 1, 1, 1)))
        >>> it.on_epoch_end(); it.epoch
        1
        """
        self.epoch += 1

    def reset(self):
        """Start ``next()`` again from the first batch of the current epoch.

        >>> from lamina.preprocessing.image import ImageDataGenerator
        >>> it = ImageDataGenerator().flow(np.zeros((4, 1, 1, 1)), batch_size=2)
        >>> _ = next(it); it.reset(); it.batch_index
        0
        """
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.batch_index >= len(self):
            self.on_epoch_end()
            self.batch_index = 0
        batch = self[self.batch_index]
        self.batch_index += 1
        return batch

    next = __next__


class NumpyArrayIterator(Iterator):
    """Augmented batches of the images ``x`` (rank 4) with ``y`` and ``sample_weight``:
    ``x``, ``(x, y)`` or ``(x, y, sample_weight)``. With ``subset``, the first
    ``validation_split`` fraction of the samples is the validation part, the rest the
    training part.

    >>> from lamina.preprocessing.image import ImageDataGenerator
    >>> it = NumpyArrayIterator(np.ones((4, 2, 2, 3)), None, ImageDataGenerator(rescale=0.5),
    ...                         batch_size=4)
    >>> it[0].shape, float(it[0].max())
    ((4, 2, 2, 3), 0.5)
    """

    def __init__(self, x, y, generator, batch_size=32, shuffle=False, sample_weight=None,
                 seed=None, subset=None, save_to_dir=None, save_prefix="", save_format="png"):
        where = "ImageDataGenerator.flow"
        x = np.asarray(x, dtype=generator.dtype)
        if x.ndim != 4:
            raise ValueError(f"{where}: `x` must be a batch of images of rank 4 (samples, "
                             f"height, width, channels); received shape {x.shape}.")
        y = None if y is None else np.asarray(y)
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None and len(value) != len(x):
                raise ValueError(f"{where}: `x` and `{name}` must have the same length; "
                                 f"received {len(x)} images and {len(value)} {name} values.")
        _check_subset(subset, generator, where)
        if subset is not None:
            cut = int(len(x) * generator.validation_split)
            part = slice(0, cut) if subset == "validation" else slice(cut, None)
            x = x[part]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x, self.y, self.sample_weight = x, y, sample_weight
        super().__init__(len(x), generator, batch_size, shuffle, seed, save_to_dir,
                         save_prefix, save_format, where)

    def _load(self, indices):
        return self.x[indices]

    def _targets(self, indices, x):
        if self.y is None:
            return x
        if self.sample_weight is None:
            return x, self.y[indices]
        return x, self.y[indices], self.sample_weight[indices]


class DirectoryIterator(Iterator):
    """Augmented batches of the images under ``directory`` (one subdirectory per class),
    loaded at ``target_size`` with labels by ``class_mode``: ``"categorical"``
    (one-hot), ``"binary"`` (0/1, two classes), ``"sparse"`` (class indices),
    ``"input"`` (the images themselves) or ``None`` (images only), all float32. With
    ``subset``, the first ``validation_split`` fraction of each class's (sorted) files
    is the validation part. ``classes`` (per file), ``class_indices``, ``filenames``,
    ``filepaths`` and ``samples`` describe what was found.

    >>> import os, tempfile
    >>> from lamina.preprocessing.image import ImageDataGenerator, save_img
    >>> root = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(root, "a"))
    >>> save_img(os.path.join(root, "a", "1.png"), np.zeros((3, 3, 3)))
    >>> it = DirectoryIterator(root, ImageDataGenerator(), target_size=(2, 2))
    Found 1 images belonging to 1 classes.
    >>> it.filenames == [os.path.join("a", "1.png")], it.labels.tolist(), it[0][1].tolist()
    (True, [0], [[1.0]])
    """

    def __init__(self, directory, generator, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                 seed=None, follow_links=False, subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, save_to_dir=None, save_prefix="",
                 save_format="png"):
        where = "ImageDataGenerator.flow_from_directory"
        if color_mode not in COLOR_MODES:
            raise ValueError(f"{where}: `color_mode` must be one of {tuple(COLOR_MODES)}; "
                             f"received {color_mode!r}.")
        if class_mode not in CLASS_MODES:
            raise ValueError(f"{where}: `class_mode` must be one of {CLASS_MODES}; received "
                             f"{class_mode!r}.")
        if not os.path.isdir(directory):
            raise ValueError(f"{where}: `directory` must be an existing directory; received "
                             f"{directory!r}.")
        _check_subset(subset, generator, where)
        _resample(interpolation, where)
        self.directory, self.target_size = directory, _target_size(target_size, where)
        self.color_mode, self.class_mode = color_mode, class_mode
        self.interpolation, self.keep_aspect_ratio = interpolation, keep_aspect_ratio
        if classes is None:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.num_classes = len(classes)
        if class_mode == "binary" and self.num_classes != 2:
            raise ValueError(f"{where}: class_mode='binary' needs exactly 2 classes; found "
                             f"{self.num_classes}: {list(classes)}.")
        split = generator.validation_split
        bounds = {None: (0.0, 1.0), "validation": (0.0, split), "training": (split, 1.0)}[subset]
        self.filenames, labels = [], []
        for name in classes:
            files = _class_files(directory, name, follow_links)
            start, stop = int(bounds[0] * len(files)), int(bounds[1] * len(files))
            self.filenames += files[start:stop]
            labels += [self.class_indices[name]] * (stop - start)
        self.classes = np.asarray(labels, dtype="int32")
        self.filepaths = [os.path.join(directory, f) for f in self.filenames]
        self.samples = len(self.filenames)
        channels = COLOR_MODES[color_mode][1]
        self.image_shape = (self.target_size + (channels,)
                            if generator.data_format == "channels_last"
                            else (channels,) + self.target_size)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, generator, batch_size, shuffle, seed, save_to_dir,
                         save_prefix, save_format, where)

    @property
    def labels(self):
        """The class index of every file (as ``classes``).

        >>> DirectoryIterator.labels.__doc__.split()[1]
        'class'
        """
        return self.classes

    def _load(self, indices):
        return [img_to_array(load_img(self.filepaths[i], color_mode=self.color_mode,
                                      target_size=self.target_size,
                                      interpolation=self.interpolation,
                                      keep_aspect_ratio=self.keep_aspect_ratio),
                             data_format=self.generator.data_format,
                             dtype=self.generator.dtype) for i in indices]

    def _targets(self, indices, x):
        if self.class_mode is None:
            return x
        if self.class_mode == "input":
            return x, x.copy()
        if self.class_mode == "categorical":
            return x, np.eye(self.num_classes, dtype=self.generator.dtype)[
                self.classes[indices]]
        return x, self.classes[indices].astype(self.generator.dtype)


def _class_files(directory, name, follow_links):
    root = os.path.join(directory, name)
    if not os.path.isdir(root):
        raise ValueError(f"ImageDataGenerator.flow_from_directory: class {name!r} of "
                         f"`classes` has no subdirectory in {directory!r}.")
    found = []
    for folder, dirs, files in os.walk(root, followlinks=follow_links):
        dirs.sort()
        found += [os.path.relpath(os.path.join(folder, f), directory) for f in sorted(files)
                  if f.lower().endswith(DIRECTORY_FORMATS)]
    return sorted(found)
