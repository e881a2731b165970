"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled by sentiment
(1 positive, 0 negative), each a list of word indices, words indexed by how often
they occur in the data (1 the most frequent).

The data is the ``imdb.npz`` file Keras uses, downloaded once into
``$LAMINA_HOME/datasets`` and checked against the SHA-256 in Keras'
``keras/src/datasets/imdb.py``; the word index ``imdb_word_index.json`` against the
MD5 given there (the only hash Keras publishes for it). The reviews are pickled object
arrays, read without running pickled code (see ``lamina.datasets._sequences``).

>>> from lamina.datasets import imdb
>>> imdb.SOURCE.url
'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz'
"""

import numpy as np

from lamina.datasets._download import Remote, cache_path, fetch
from lamina.datasets._sequences import (
    drop_long, encode, limit_vocabulary, object_array, read_npz, read_word_index)

_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SOURCE = Remote(_BASE + "imdb.npz",
                "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
WORD_INDEX = Remote(_BASE + "imdb_word_index.json", "bfafd718b763782e994055a2d397834f", "md5")

_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of reviews (lists
    of ints) and int labels, each split shuffled with ``seed``.

    Every word index is shifted by ``index_from`` (0 is left for padding, 1 for
    ``start_char``, which begins every review unless None, 2 for ``oov_char``).
    ``maxlen`` keeps only the reviews shorter than it; ``num_words`` keeps the
    ``num_words`` - 1 most frequent indices and ``skip_top`` drops the most frequent
    ones: any other index becomes ``oov_char``, or is removed when ``oov_char`` is
    None. Without ``num_words`` the largest index is the limit (so, as in Keras, it
    becomes ``oov_char`` too).

    ``path`` is where the file is cached, relative to ``$LAMINA_HOME/datasets``
    (an absolute path is used as it is); the first call downloads it from
    ``SOURCE.url``, or place the file there by hand.

    >>> from lamina.datasets import imdb
    >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)  # doctest: +SKIP
    >>> len(x_train), x_train[0][:3]  # doctest: +SKIP
    (25000, [1, 14, 22])
    """
    local = fetch("imdb", SOURCE, cache_path(path))
    arrays = read_npz(local, _KEYS, "imdb")
    rng = np.random.RandomState(seed)
    splits = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        x, y = arrays[x_key], np.asarray(arrays[y_key])
        if len(x) != len(y):
            raise ValueError(f"imdb.load_data: expected {local} to hold one label per review. "
                             f"Received {len(x)} {x_key} and {len(y)} {y_key}.")
        order = np.arange(len(x))
        rng.shuffle(order)
        splits.append(drop_long(encode(x[order], start_char, index_from), y[order], maxlen))
    (x_train, y_train), (x_test, y_test) = splits
    if maxlen and (not x_train or not x_test):
        raise ValueError(f"imdb.load_data: no review is shorter than maxlen={maxlen} in "
                         f"{'the training' if not x_train else 'the test'} split; "
                         "increase maxlen.")
    sequences = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    return ((object_array(sequences[:len(x_train)]), y_train),
            (object_array(sequences[len(x_train):]), y_test))


def get_word_index(path="imdb_word_index.json"):
    """The dict from each word to its index in the data (before ``index_from`` is
    added: the review index ``i + index_from`` is the word of index ``i``).

    >>> from lamina.datasets import imdb
    >>> imdb.WORD_INDEX.hash_algorithm
    'md5'
    >>> index = imdb.get_word_index()  # doctest: +SKIP
    >>> index["the"]  # doctest: +SKIP
    1
    """
    return read_word_index(fetch("imdb", WORD_INDEX, cache_path(path)), "imdb")
