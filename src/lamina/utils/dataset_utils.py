"""Dataset: the batches of NumPy arrays that the ``*_dataset_from_*`` functions and
``split_dataset`` return, read lazily by index, which ``fit``, ``evaluate`` and
``predict`` take directly; and ``split_dataset``.

A dataset is made from ``load(indices)``, which returns the samples at ``indices``
stacked along a first axis (an array, or a tuple of arrays such as ``(x, y)``).
``batch(n)`` groups samples in batches of ``n``; ``unbatch()`` yields single samples;
``map(fn)`` transforms each element and ``take(n)`` keeps the first n elements, as
the ``tf.data.Dataset`` methods of the same names do. When ``shuffle`` is set the
order of the samples changes every epoch (every pass of ``for batch in dataset``),
reproducibly from ``seed``.

>>> import numpy as np
>>> data = Dataset.from_arrays((np.arange(5), np.arange(5) * 10), batch_size=2)
>>> len(data), [y.tolist() for x, y in data]
(3, [[0, 10], [20, 30], [40]])
"""

import math

import numpy as np

from lamina.training.py_dataset import PyDataset


def _take(structure, index):
    if isinstance(structure, tuple):
        return tuple(part[index] for part in structure)
    return structure[index]


def _stack(elements):
    if isinstance(elements[0], tuple):
        return tuple(np.stack(parts) for parts in zip(*elements))
    return np.stack(elements)


def _apply(fn, element):
    return fn(*element) if isinstance(element, tuple) else fn(element)


def _check_seed(seed, where):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"{where}: `seed` must be None or an int; received {seed!r}.")


class Dataset(PyDataset):
    """Samples ``load(indices)`` in batches of ``batch_size`` (``None``: one sample per
    element), shuffled each epoch when ``shuffle`` is true. ``class_names`` and
    ``file_paths`` are set by the functions that read directories.

    >>> import numpy as np
    >>> data = Dataset(lambda i: np.arange(10)[i] ** 2, 10, batch_size=4)
    >>> len(data), data[2].tolist(), data.unbatch()[3].tolist()
    (3, [64, 81], 9)
    """

    def __init__(self, load, num_samples, batch_size=None, shuffle=False, seed=None,
                 class_names=None, file_paths=None):
        super().__init__()
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
                batch_size, (int, np.integer)) or batch_size < 1):
            raise ValueError(f"Dataset: `batch_size` must be None or an int >= 1; received "
                             f"{batch_size!r}.")
        _check_seed(seed, "Dataset")
        self._load = load
        self.num_samples = int(num_samples)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = int(np.random.randint(2 ** 31)) if seed is None else int(seed)
        self.class_names = class_names
        self.file_paths = file_paths
        self._epoch = 0
        self._cached_order = (None, None)

    @classmethod
    def from_arrays(cls, arrays, batch_size=None, shuffle=False, seed=None):
        """A dataset of in-memory ``arrays`` (one array, or a tuple of arrays of one length).

        >>> Dataset.from_arrays(np.zeros((7, 2)), batch_size=3)[2].shape
        (1, 2)
        """
        arrays = tuple(np.asarray(a) for a in arrays) if isinstance(arrays, (tuple, list)) \
            else np.asarray(arrays)
        sizes = {len(a) for a in arrays} if isinstance(arrays, tuple) else {len(arrays)}
        if len(sizes) != 1:
            raise ValueError(f"Dataset.from_arrays: the arrays must have the same length; "
                             f"received lengths {sorted(sizes)}.")
        return cls(lambda index: _take(arrays, index), sizes.pop(), batch_size=batch_size,
                   shuffle=shuffle, seed=seed)

    def _derive(self, **changes):
        settings = dict(load=self._load, num_samples=self.num_samples,
                        batch_size=self.batch_size, shuffle=self.shuffle, seed=self.seed,
                        class_names=self.class_names, file_paths=self.file_paths)
        settings.update(changes)
        return Dataset(**settings)

    def batch(self, batch_size):
        """The same samples in batches of ``batch_size``.

        >>> len(Dataset.from_arrays(np.arange(10)).batch(4))
        3
        """
        return self._derive(batch_size=batch_size)

    def unbatch(self):
        """The same samples one at a time.

        >>> len(Dataset.from_arrays(np.arange(10), batch_size=4).unbatch())
        10
        """
        return self._derive(batch_size=None)

    def map(self, fn):
        """Each element passed through ``fn`` (a tuple element is passed as separate
        arguments, ``fn(x, y)``); on a batched dataset ``fn`` receives whole batches.

        >>> data = Dataset.from_arrays((np.arange(4), np.ones(4)), batch_size=2)
        >>> data.map(lambda x, y: (x * 2, y))[1][0].tolist()
        [4, 6]
        """
        load = self._load
        if self.batch_size is None:
            def mapped(index):
                return _stack([_apply(fn, _take(load(np.asarray([i])), 0))
                               for i in np.asarray(index)])
        else:
            def mapped(index):
                return _apply(fn, load(index))
        return self._derive(load=mapped)

    def take(self, count):
        """The first ``count`` elements (batches, or samples when unbatched) of the
        current epoch's order.

        >>> data = Dataset.from_arrays(np.arange(10), batch_size=4)
        >>> [b.tolist() for b in data.take(2)]
        [[0, 1, 2, 3], [4, 5, 6, 7]]
        """
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise ValueError(f"Dataset.take: `count` must be an int >= 0; received {count!r}.")
        load, order = self._load, self._order()
        kept = min(self.num_samples, count * (self.batch_size or 1))
        return self._derive(load=lambda index: load(order[np.asarray(index)]),
                            num_samples=kept, shuffle=False)

    def as_numpy_iterator(self):
        """An iterator over the elements (already NumPy arrays), as ``tf.data`` offers.

        >>> next(Dataset.from_arrays(np.arange(3)).as_numpy_iterator()).tolist()
        0
        """
        return iter(self)

    def _order(self):
        """The sample order of the current epoch (computed once per epoch)."""
        if self._cached_order[0] != self._epoch:
            order = (np.random.default_rng([self.seed, self._epoch]).permutation(
                self.num_samples) if self.shuffle else np.arange(self.num_samples))
            self._cached_order = (self._epoch, order)
        return self._cached_order[1]

    def __len__(self):
        if self.batch_size is None:
            return self.num_samples
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"Dataset: index {index} is out of range for {len(self)} "
                             "elements.")
        index %= len(self)
        if self.batch_size is None:
            return _take(self._load(self._order()[index:index + 1]), 0)
        size = self.batch_size
        return self._load(self._order()[index * size:(index + 1) * size])

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def on_epoch_end(self):
        """Move to the next epoch (a new order when shuffling).

        >>> data = Dataset.from_arrays(np.arange(4), shuffle=True, seed=0)
        >>> first = [int(v) for v in data]  # a full pass ends the epoch
        >>> data._epoch
        1
        """
        self._epoch += 1

    def __repr__(self):
        return (f"<Dataset: {self.num_samples} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}>")


def _split_size(size, name, total):
    if size is None:
        return None
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, float, np.integer,
                                                                   np.floating)):
        raise TypeError(f"split_dataset: `{name}` must be an int, a float or None; received "
                        f"{size!r}.")
    if isinstance(size, (float, np.floating)):
        if not 0 < size < 1:
            raise ValueError(f"split_dataset: a float `{name}` is a fraction and must be "
                             f"strictly between 0 and 1; received {name}={size}.")
        return round(size * total)
    if not 0 < size < total:
        raise ValueError(f"split_dataset: an int `{name}` is a number of samples and must be "
                         f"between 1 and {total - 1} for a dataset of {total} samples; "
                         f"received {name}={size}.")
    return int(size)


def _as_dataset(dataset):
    if isinstance(dataset, Dataset):
        return dataset
    if isinstance(dataset, PyDataset):
        batches = [dataset[i] for i in range(len(dataset))]
        first = batches[0]
        if isinstance(first, (tuple, list)):
            arrays = tuple(np.concatenate([np.asarray(b[j]) for b in batches])
                           for j in range(len(first)))
        else:
            arrays = np.concatenate([np.asarray(b) for b in batches])
        return Dataset.from_arrays(arrays, batch_size=len(np.asarray(
            first[0] if isinstance(first, (tuple, list)) else first)))
    if isinstance(dataset, (np.ndarray, list, tuple)) or hasattr(dataset, "__array__"):
        return Dataset.from_arrays(dataset)
    raise TypeError("split_dataset: `dataset` must be an array, a tuple of arrays, or a "
                    f"lamina Dataset / PyDataset; received {type(dataset).__name__}.")


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split the samples of ``dataset`` in two datasets: the first ``left_size`` and the
    last ``right_size`` samples (after shuffling them once with ``seed`` when
    ``shuffle``). A size is a number of samples (int) or a fraction (float); one left
    as None takes the rest. Arrays give unbatched datasets; a batched dataset gives
    splits batched the same way.

    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> len(left), [int(v) for v in right]
    (8, [8, 9])
    >>> left, right = split_dataset((np.zeros((6, 2)), np.arange(6)), right_size=2)
    >>> right.batch(2)[0][1].tolist()
    [4, 5]
    """
    data = _as_dataset(dataset)
    _check_seed(seed, "split_dataset")
    total = data.num_samples
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: give `left_size` or `right_size` (or both); "
                         "received neither.")
    left = _split_size(left_size, "left_size", total)
    right = _split_size(right_size, "right_size", total)
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"split_dataset: left_size + right_size = {left + right} samples, "
                         f"more than the {total} samples of `dataset`.")
    if left == 0 or right == 0:
        raise ValueError(f"split_dataset: with {total} samples, left_size={left_size} and "
                         f"right_size={right_size} leave one side empty.")
    order = (np.random.default_rng(seed).permutation(total) if shuffle
             else np.arange(total))
    load = data._load

    def subset(indices):
        paths = data.file_paths
        return data._derive(load=lambda index: load(indices[np.asarray(index)]),
                            num_samples=len(indices), shuffle=False,
                            file_paths=None if paths is None else [paths[i] for i in indices])

    return subset(order[:left]), subset(order[total - right:])
