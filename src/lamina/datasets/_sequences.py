"""What ``imdb`` and ``reuters`` share: reading their ``.npz`` files, whose ragged word
sequences are NumPy object arrays, without running pickled code, and Keras' encoding of
the sequences (start marker, index offset, length filter, vocabulary cut).

An object array in an ``.npy`` file is a pickle stream; :func:`read_npz` unpickles it
with an unpickler that resolves only the three names rebuilding a NumPy array needs
(``numpy.ndarray``, ``numpy.dtype`` and ``multiarray._reconstruct``) and refuses any
other, so a tampered file cannot run code; it then checks that every element is a list
of ints. Arrays of numbers are read with pickling off.

>>> encode([[5, 9]], start_char=1, index_from=3)
[[1, 8, 12]]
>>> limit_vocabulary([[1, 8, 12]], num_words=10, skip_top=0, oov_char=2)
[[1, 8, 2]]
"""

import io
import json
import pickle
import zipfile

import numpy as np

try:  # NumPy 2
    from numpy._core.multiarray import _reconstruct
except ImportError:  # NumPy 1
    from numpy.core.multiarray import _reconstruct

_ALLOWED = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
            ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): _reconstruct}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}: only NumPy "
                                         "arrays may be rebuilt from a dataset file") from None


def _read_npy(data, where):
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):  # 3.0 only encodes the header text as UTF-8
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"{where}: .npy format version {version} is not one NumPy writes.")
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    try:
        array = _ArrayUnpickler(stream, encoding="latin1").load()
    except Exception as error:  # UnpicklingError, EOFError, ... from a damaged stream
        raise ValueError(f"{where}: {error}.") from None
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"{where}: expected an object array of shape {tuple(shape)}. "
                         f"Received {type(array).__name__}.")
    for i, item in enumerate(array.ravel()):
        if not isinstance(item, (list, tuple)) or not all(
                isinstance(w, (int, np.integer)) for w in item):
            raise ValueError(f"{where}: expected element {i} to be a list of word indices. "
                             f"Received {type(item).__name__}: {str(item)[:60]}.")
    return array


def read_npz(path, keys, dataset):
    """The arrays ``keys`` of the ``.npz`` file at ``path`` (see the module docstring);
    ``dataset`` names the caller in errors."""
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            missing = [key for key in keys if f"{key}.npy" not in names]
            if missing:
                raise ValueError(f"{dataset}.load_data: expected {path} to hold {list(keys)}. "
                                 f"It lacks {missing} (it holds {names}).")
            for key in keys:
                arrays[key] = _read_npy(archive.read(f"{key}.npy"),
                                        f"{dataset}.load_data: {path} ({key})")
    except zipfile.BadZipFile as error:
        raise ValueError(f"{dataset}.load_data: expected {path} to be an .npz archive. "
                         f"{error}.") from None
    return arrays


def encode(sequences, start_char, index_from):
    """Each sequence as a list with ``index_from`` added to every index and
    ``start_char`` (unless None) in front."""
    prefix = [] if start_char is None else [start_char]
    return [prefix + [int(w) + index_from for w in seq] for seq in sequences]


def drop_long(sequences, labels, maxlen):
    """The sequences shorter than ``maxlen`` (all when it is None or 0) and their
    labels."""
    if not maxlen:
        return sequences, labels
    kept = [i for i, seq in enumerate(sequences) if len(seq) < maxlen]
    return [sequences[i] for i in kept], labels[kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Indices outside ``[skip_top, num_words)`` replaced by ``oov_char``, or dropped
    when it is None. ``num_words`` None (or 0) is the largest index, as in Keras, so
    that index itself counts as out of the vocabulary.

    >>> limit_vocabulary([[1, 4, 7]], num_words=None, skip_top=0, oov_char=2)
    [[1, 4, 2]]
    """
    if not num_words:
        num_words = max((max(seq) for seq in sequences if seq), default=0)
    if oov_char is None:
        return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]
    return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]


def object_array(sequences):
    """A 1-D object array of the lists in ``sequences`` (1-D even when all have one
    length)."""
    array = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        array[i] = sequence
    return array


def read_word_index(path, dataset):
    """The word -> index dict in the JSON file at ``path``."""
    with open(path, encoding="utf-8") as f:
        try:
            index = json.load(f)
        except ValueError as error:
            raise ValueError(f"{dataset}.get_word_index: {path} is not valid JSON "
                             f"({error}).") from None
    if not isinstance(index, dict) or not all(
            isinstance(k, str) and isinstance(v, int) for k, v in index.items()):
        raise ValueError(f"{dataset}.get_word_index: expected {path} to hold an object "
                         "mapping words to integer indices.")
    return index
