"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grey levels.

The data is the ``mnist.npz`` file Keras uses, downloaded once into
``$LAMINA_HOME/datasets`` and checked against the SHA-256 published in Keras'
``keras/src/datasets/mnist.py``. It is read with ``np.load(allow_pickle=False)``.

>>> from lamina.datasets import mnist
>>> mnist.SOURCE.url
'https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz'
"""

import numpy as np

from lamina.datasets._download import Remote, cache_path, fetch

SOURCE = Remote(
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")

_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path="mnist.npz"):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    ``(60000, 28, 28)`` and ``(10000, 28, 28)`` (values 0 to 255) and uint8 digit
    labels of shape ``(60000,)`` and ``(10000,)``.

    ``path`` is where the file is cached, relative to ``$LAMINA_HOME/datasets``
    (an absolute path is used as it is). The first call downloads it from
    ``SOURCE.url``; without network access, place the file there by hand.

    >>> from lamina.datasets import mnist
    >>> mnist.SOURCE.file_hash[:12]
    '731c5ac60275'
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    local = fetch("mnist", SOURCE, cache_path(path))
    arrays = np.load(local, allow_pickle=False)
    if not isinstance(arrays, np.lib.npyio.NpzFile):
        raise ValueError(f"mnist.load_data: expected {local} to be an .npz archive holding "
                         f"{list(_KEYS)}. It holds one array of shape {arrays.shape}.")
    with arrays:
        missing = [key for key in _KEYS if key not in arrays.files]
        if missing:
            raise ValueError(f"mnist.load_data: expected {local} to hold {list(_KEYS)}. "
                             f"It lacks {missing} (it holds {arrays.files}).")
        x_train, y_train, x_test, y_test = (arrays[key] for key in _KEYS)
    return (x_train, y_train), (x_test, y_test)
