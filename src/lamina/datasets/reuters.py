"""Reuters newswires: 11,228 newswires in 46 topics, each a list of word indices,
words indexed by how often they occur in the data (1 the most frequent).

The data is the ``reuters.npz`` file Keras uses, downloaded once into
``$LAMINA_HOME/datasets`` and checked against the SHA-256 in Keras'
``keras/src/datasets/reuters.py``; the word index ``reuters_word_index.json`` against
the MD5 given there (the only hash Keras publishes for it). The newswires are pickled
object arrays, read without running pickled code (see ``lamina.datasets._sequences``).

>>> from lamina.datasets import reuters
>>> len(reuters.get_label_names())
46
"""

import numpy as np

from lamina.datasets._download import Remote, cache_path, fetch
from lamina.datasets._sequences import (
    drop_long, encode, limit_vocabulary, object_array, read_npz, read_word_index)

_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SOURCE = Remote(_BASE + "reuters.npz",
                "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
WORD_INDEX = Remote(_BASE + "reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921",
                    "md5")

_LABELS = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
    "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of newswires (lists
    of ints) and int topic labels (0 to 45, see :func:`get_label_names`). The
    newswires are shuffled with ``seed``; the last ``test_split`` of them are the
    test split.

    The sequences are encoded as in ``lamina.datasets.imdb.load_data``:
    ``start_char``, ``index_from``, ``maxlen`` (applied before the split),
    ``num_words``, ``skip_top`` and ``oov_char`` mean the same.

    >>> from lamina.datasets import reuters
    >>> (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10000)  # doctest: +SKIP
    >>> len(x_train), len(x_test)  # doctest: +SKIP
    (8982, 2246)
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"reuters.load_data: test_split must be in [0, 1). Received "
                         f"test_split={test_split!r}.")
    local = fetch("reuters", SOURCE, cache_path(path))
    arrays = read_npz(local, ("x", "y"), "reuters")
    x, y = arrays["x"], np.asarray(arrays["y"])
    if len(x) != len(y):
        raise ValueError(f"reuters.load_data: expected {local} to hold one label per "
                         f"newswire. Received {len(x)} in x and {len(y)} in y.")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    sequences, labels = drop_long(encode(x[order], start_char, index_from), y[order], maxlen)
    sequences = limit_vocabulary(sequences, num_words, skip_top, oov_char)
    split = int(len(sequences) * (1 - test_split))
    return ((object_array(sequences[:split]), labels[:split]),
            (object_array(sequences[split:]), labels[split:]))


def get_word_index(path="reuters_word_index.json"):
    """The dict from each word to its index in the data (before ``index_from`` is
    added).

    >>> from lamina.datasets import reuters
    >>> reuters.WORD_INDEX.url.endswith("reuters_word_index.json")
    True
    >>> reuters.get_word_index()["the"]  # doctest: +SKIP
    1
    """
    return read_word_index(fetch("reuters", WORD_INDEX, cache_path(path)), "reuters")


def get_label_names():
    """The 46 topic names; label ``i`` is ``get_label_names()[i]``.

    >>> from lamina.datasets import reuters
    >>> reuters.get_label_names()[:4]
    ('cocoa', 'grain', 'veg-oil', 'earn')
    """
    return _LABELS
