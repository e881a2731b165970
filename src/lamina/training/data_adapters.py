"""Data adapters: every kind of data ``fit``, ``evaluate`` and ``predict`` accept,
turned into a sequence of batches ``(x, y, sample_weight)`` for each epoch.

Accepted: NumPy arrays and engine arrays (also lists, tuples and dicts of them for
several inputs and outputs), Python generators and iterators yielding ``(x,)``,
``(x, y)`` or ``(x, y, sample_weight)``, a :class:`~lamina.utils.PyDataset`, and a
torch ``DataLoader`` (or any re-iterable object with a length yielding such tuples).

``adapter.epoch(number)`` gives the batches of epoch ``number`` (counted from 0). Only
the shuffled order of array data depends on the number: it is a function of
``(adapter.shuffle_seed, number)`` alone, so a run resumed at epoch k
(``BackupAndRestore``, which saves and restores ``shuffle_seed``) sees the same
batches as a run that never stopped.

>>> import numpy as np
>>> adapter = get_data_adapter(np.zeros((10, 3)), np.ones(10), batch_size=4, shuffle=False)
>>> adapter.steps, [x.shape[0] for x, y in adapter.epoch()]
(3, [4, 4, 2])
"""

import math
import warnings

import numpy as np

from lamina import backend as K
from lamina._arguments import is_number, positive_int
from lamina.backend import tree
from lamina.training.py_dataset import PyDataset


def unpack_x_y_sample_weight(data):
    """Split a batch into ``(x, y, sample_weight)``; missing parts are None.

    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    >>> unpack_x_y_sample_weight(5)
    (5, None, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data must be x, (x,), (x, y) or (x, y, sample_weight). Received a tuple "
                     f"of {len(data)} elements.")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of :func:`unpack_x_y_sample_weight`. As in Keras, ``x`` alone stays
    as it is (a ``train_step`` of ``fit(x)`` receives the batch of ``x``), unless it is a
    tuple or list, which would read as ``(x, y)``.

    >>> pack_x_y_sample_weight(1, 2), pack_x_y_sample_weight(1), pack_x_y_sample_weight([1, 2])
    ((1, 2), 1, ([1, 2],))
    """
    if y is None and sample_weight is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if y is None:
        return (x, None, sample_weight)
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def _is_array(value):
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _standardize_array(value, where):
    """A NumPy array (float64 becomes floatx) or the engine array unchanged."""
    if value is None:
        return None
    if isinstance(value, K.Variable):
        value = value.numpy()
    if K.engine.is_array(value) and not isinstance(value, np.ndarray):
        return value
    if not isinstance(value, np.ndarray):
        if _is_array(value):  # an array of another engine (a torch tensor on jax)
            value = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
        else:
            value = np.asarray(value)
    if value.dtype.kind not in "biuf":
        raise TypeError(f"{where} must hold numbers; received an array of dtype {value.dtype} "
                        f"(shape {value.shape}). Convert strings or objects to numbers first.")
    if value.dtype == np.float64:
        value = value.astype(K.floatx())
    return value


def _is_number_list(value):
    """Whether ``value`` is a (nested) Python list of numbers, ``[[1, 2], [3, 4]]``."""
    return isinstance(value, list) and all(
        is_number(v) or isinstance(v, bool) or _is_number_list(v) for v in value)


def _number_lists_to_arrays(structure):
    """``structure`` with its nested Python lists of numbers made arrays, as NumPy
    would make them; other lists and tuples (several inputs), and lists of lists of
    different lengths (several inputs too), are walked."""
    if _is_number_list(structure):
        try:
            return np.asarray(structure)
        except ValueError:  # ragged: one list per input
            pass
    if isinstance(structure, (list, tuple)) and not hasattr(structure, "_fields"):
        return type(structure)(_number_lists_to_arrays(v) for v in structure)
    if isinstance(structure, dict):
        return {key: _number_lists_to_arrays(v) for key, v in structure.items()}
    return structure


def _standardize(structure, where):
    if structure is None:
        return None
    structure = _number_lists_to_arrays(structure)
    return tree.map_structure(lambda v: _standardize_array(v, where), structure)


def _check_sizes(x, y, sample_weight):
    sizes = []
    for part, value in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if value is None:
            continue
        leaves, _ = tree.flatten(value)
        for leaf in leaves:
            if leaf is None:
                continue
            if not leaf.shape:
                raise ValueError(f"{part} must be arrays with a first (batch) dimension; "
                                 f"received a scalar.")
            sizes.append((part, int(leaf.shape[0])))
    if len({n for _, n in sizes}) > 1:
        listing = ", ".join(f"{part}: {n}" for part, n in sizes)
        raise ValueError("x, y and sample_weight must have the same number of samples. "
                         f"Received {listing}.")
    return sizes[0][1] if sizes else 0


def _take(structure, index):
    if structure is None:
        return None
    return tree.map_structure(lambda a: None if a is None else a[index], structure)


def class_weights_to_sample_weights(y, class_weight):
    """Per-sample weights from ``class_weight`` (class index -> weight) and labels ``y``
    (integer labels, or one-hot rows).

    >>> class_weights_to_sample_weights(np.array([0, 1, 1]), {0: 1.0, 1: 3.0}).tolist()
    [1.0, 3.0, 3.0]
    """
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("class_weight works for models with one output; for several "
                         "outputs pass sample_weight instead.")
    labels = K.convert_to_numpy(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)
    elif labels.ndim > 1:
        labels = np.round(labels[..., 0])
    labels = labels.astype(np.int64).reshape(labels.shape[0], -1)[:, 0]
    table = np.ones(max(int(labels.max(initial=0)), max(class_weight, default=0)) + 1,
                    dtype=K.floatx())
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[labels]


class ArrayAdapter:
    """Batches of in-memory arrays, shuffled each epoch when ``shuffle`` is true.

    Epoch ``number`` is shuffled by a generator seeded with ``(shuffle_seed, number)``;
    ``shuffle_seed`` is drawn from NumPy's global stream when the adapter is made (so
    ``np.random.seed`` or ``lamina.utils.set_random_seed`` fix it) and may be set.

    On torch the arrays become torch tensors once (sharing memory), so each batch
    is one indexing operation.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 class_weight=None, steps=None):
        x = _standardize(x, "x")
        y = _standardize(y, "y")
        sample_weight = _standardize(sample_weight, "sample_weight")
        self.num_samples = _check_sizes(x, y, sample_weight)
        if class_weight is not None and y is not None:
            weights = class_weights_to_sample_weights(y, class_weight)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        self.batch_size = 32 if batch_size is None else positive_int(batch_size)
        if self.batch_size is None:
            raise ValueError(f"batch_size must be a positive int; received {batch_size!r}.")
        self.shuffle = shuffle
        self.data = tuple(_to_engine(part) for part in (x, y, sample_weight))
        available = math.ceil(self.num_samples / self.batch_size)
        self.steps = available if steps is None else min(int(steps), available)
        self.shuffle_seed = int(np.random.randint(2 ** 31))

    def epoch(self, number=0):
        """The batches of epoch ``number``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``."""
        x, y, sw = self.data
        n, size = self.num_samples, self.batch_size
        if self.shuffle:
            order = np.random.default_rng([self.shuffle_seed, number]).permutation(n)
            order = K.engine.host_to_engine(order) if K.backend() == "torch" else order
            for i in range(self.steps):
                index = order[i * size:(i + 1) * size]
                yield pack_x_y_sample_weight(_take(x, index), _take(y, index), _take(sw, index))
        else:
            for i in range(self.steps):
                index = slice(i * size, (i + 1) * size)
                yield pack_x_y_sample_weight(_take(x, index), _take(y, index), _take(sw, index))


def _convert_batch(batch):
    x, y, sw = unpack_x_y_sample_weight(batch)
    return pack_x_y_sample_weight(_to_engine(_standardize(x, "x")),
                                  _to_engine(_standardize(y, "y")),
                                  _to_engine(_standardize(sw, "sample_weight")))


def _to_engine(structure):
    if structure is None or K.backend() != "torch":
        return structure
    return tree.map_structure(lambda a: None if a is None else K.engine.host_to_engine(a),
                              structure)


class IterableAdapter:
    """Batches from a re-iterable source with a length (a torch DataLoader, a list of
    batches): a fresh pass over it each epoch."""

    def __init__(self, source, steps=None):
        self.source = source
        length = len(source)
        self.steps = length if steps is None else min(int(steps), length)

    def epoch(self, number=0):
        for i, batch in enumerate(self.source):
            if i >= self.steps:
                break
            yield _convert_batch(batch)


class PyDatasetAdapter(IterableAdapter):
    """Batches from a :class:`~lamina.utils.PyDataset`: ``dataset[i]`` for each index,
    ``on_epoch_end()`` after each epoch; threads prefetch when ``workers > 1``."""

    def epoch(self, number=0):
        dataset = self.source
        indices = range(self.steps)
        if dataset.workers > 1:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(dataset.workers) as pool:
                for batch in pool.map(dataset.__getitem__, indices):
                    yield _convert_batch(batch)
        else:
            for i in indices:
                yield _convert_batch(dataset[i])
        dataset.on_epoch_end()


class GeneratorAdapter:
    """Batches from a Python generator or iterator. One pass can only be made once:
    with ``steps`` each epoch takes that many batches; without it the first epoch
    runs until the generator ends, and a later epoch that finds it empty stops
    training with a warning."""

    def __init__(self, iterator, steps=None):
        self.iterator = iter(iterator)
        self.steps = None if steps is None else int(steps)
        self.exhausted = False

    def epoch(self, number=0):
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(self.iterator)
            except StopIteration:
                self.exhausted = True
                if count == 0 or self.steps is not None:
                    warnings.warn("The data generator ran out of batches "
                                  f"after {count} step(s) of this epoch. Give steps_per_epoch "
                                  "no larger than what it yields in all epochs, or use a "
                                  "PyDataset, which can be read again each epoch.", stacklevel=4)
                return
            count += 1
            yield _convert_batch(batch)


def _is_torch_loader(x):
    return type(x).__module__.startswith("torch.utils.data")


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None,
                     shuffle=False, class_weight=None, where="fit"):
    """The adapter for ``x`` (and ``y``, ``sample_weight`` when x holds arrays)."""
    if isinstance(x, PyDataset) or _is_torch_loader(x) or (
            hasattr(x, "__next__") or (hasattr(x, "__iter__") and hasattr(x, "__len__")
                                       and not _is_array(x) and not isinstance(x, (list, tuple, dict)))):
        if y is not None or sample_weight is not None:
            raise ValueError(f"{where}: when x is a {type(x).__name__}, it yields the labels and "
                             "sample weights itself; do not pass y or sample_weight.")
        if class_weight is not None:
            raise ValueError(f"{where}: class_weight needs array data; with a "
                             f"{type(x).__name__}, yield sample weights instead.")
        if hasattr(x, "__next__") and not isinstance(x, PyDataset):
            return GeneratorAdapter(x, steps)  # a PyDataset that is also an iterator is read by index
        adapter = (PyDatasetAdapter if isinstance(x, PyDataset) else IterableAdapter)(x, steps)
        if adapter.steps == 0:
            raise ValueError(f"{where}: x (a {type(x).__name__}) holds no batches (its length "
                             "is 0); give at least one batch.")
        return adapter
    if x is None:
        raise ValueError(f"{where}: x is None; give the input data.")
    adapter = ArrayAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle,
                           class_weight=class_weight, steps=steps)
    if adapter.num_samples == 0:
        shapes = [tuple(leaf.shape) for leaf in tree.flatten(adapter.data[0])[0]]
        raise ValueError(f"{where}: x holds no samples (received arrays of shape "
                         f"{', '.join(map(str, shapes))}); give at least one sample.")
    return adapter


def train_validation_split(arrays, validation_split):
    """Split ``(x, y, sample_weight)`` arrays: the last ``validation_split`` fraction
    of the samples (before shuffling) becomes validation data, as in Keras.

    >>> (x, _, _), (xv, _, _) = train_validation_split((np.arange(10), None, None), 0.2)
    >>> x.tolist(), xv.tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    """
    if not 0.0 < validation_split < 1.0:
        raise ValueError("validation_split must be between 0 and 1 (exclusive); received "
                         f"{validation_split!r}.")
    leaves = [leaf for part in arrays if part is not None for leaf in tree.flatten(part)[0]]
    if not leaves or not all(_is_array(leaf) or isinstance(leaf, (list, np.ndarray))
                             for leaf in leaves):
        raise ValueError("validation_split works only with array data; with a generator or "
                         "dataset, pass validation_data instead.")
    n = int(np.shape(leaves[0])[0])
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"validation_split={validation_split} leaves no samples on one side "
                         f"of the split of {n} samples.")
    first = tuple(None if p is None else tree.map_structure(lambda a: a[:split], p)
                  for p in arrays)
    second = tuple(None if p is None else tree.map_structure(lambda a: a[split:], p)
                   for p in arrays)
    return first, second
