"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes.

The labels are 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
7 horse, 8 ship, 9 truck. lamina reads the *binary* version of the dataset,
``cifar-10-binary.tar.gz`` from the authors' page
(https://www.cs.toronto.edu/~kriz/cifar.html), checked against the MD5 published
there: the Python version is pickled, and unpickling a downloaded file can run code.
The archive's batch files are read in memory, never extracted to disk. Each holds
records of one label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
each a 32x32 image in row-major order).

>>> from lamina.datasets import cifar10
>>> cifar10.SOURCE.url
'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'
"""

import tarfile

import numpy as np

from lamina.backend.config import image_data_format
from lamina.datasets._download import Remote, cache_path, fetch

SOURCE = Remote("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                "c32a1d4ab5d03f1284b67883e8d87530", "md5")

_FOLDER = "cifar-10-batches-bin/"
TRAIN_BATCHES = tuple(f"{_FOLDER}data_batch_{i}.bin" for i in range(1, 6))
TEST_BATCH = f"{_FOLDER}test_batch.bin"
_RECORD = 1 + 3 * 32 * 32


def load_data():
    """``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    ``(50000, 32, 32, 3)`` and ``(10000, 32, 32, 3)`` (``(n, 3, 32, 32)`` when
    ``K.image_data_format()`` is ``"channels_first"``) and uint8 labels (0 to 9) of
    shape ``(50000, 1)`` and ``(10000, 1)``.

    The first call downloads ``SOURCE.url``; without network access, place
    ``cifar-10-binary.tar.gz`` by hand in ``$LAMINA_HOME/datasets``.

    >>> from lamina.datasets import cifar10
    >>> cifar10.TEST_BATCH
    'cifar-10-batches-bin/test_batch.bin'
    >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.shape  # doctest: +SKIP
    ((50000, 32, 32, 3), (50000, 1))
    """
    path = fetch("cifar10", SOURCE, cache_path("cifar-10-binary.tar.gz"))
    batches = _read_members(path, TRAIN_BATCHES + (TEST_BATCH,))
    train = [_parse_batch(batches[name], name) for name in TRAIN_BATCHES]
    x_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    x_test, y_test = _parse_batch(batches[TEST_BATCH], TEST_BATCH)
    return (x_train, y_train), (x_test, y_test)


def _read_members(path, names):
    """The bytes of each regular-file member ``names`` of the tar.gz at ``path``, in
    one pass over the archive."""
    found = {}
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if member.name in names and member.name not in found:
                if not member.isfile():
                    raise ValueError(f"cifar10.load_data: expected {member.name} in {path} "
                                     f"to be a regular file. Received a tar entry of type "
                                     f"{member.type!r}.")
                found[member.name] = archive.extractfile(member).read()
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"cifar10.load_data: expected {path} to hold {list(names)}. "
                         f"It lacks {missing}.")
    return found


def _parse_batch(data, name):
    """Images (channels as ``image_data_format()`` says) and (n, 1) labels of one
    batch file's bytes."""
    if len(data) % _RECORD:
        raise ValueError(f"cifar10.load_data: expected {name} to hold records of {_RECORD} "
                         f"bytes. Received {len(data)} bytes, not a multiple of {_RECORD}.")
    records = np.frombuffer(data, np.uint8).reshape(-1, _RECORD)
    labels = records[:, :1].copy()
    images = records[:, 1:].reshape(-1, 3, 32, 32)
    if image_data_format() == "channels_last":
        images = images.transpose(0, 2, 3, 1)
    return images.copy(), labels
