"""CIFAR-100: 50,000 training and 10,000 test 32x32 colour images in 100 classes
("fine" labels), grouped in 20 superclasses ("coarse" labels).

lamina reads the *binary* version of the dataset, ``cifar-100-binary.tar.gz`` from the
authors' page (https://www.cs.toronto.edu/~kriz/cifar.html), checked against the MD5
published there: the Python version Keras reads is pickled, and unpickling a
downloaded file can run code. The archive's two files are read in memory, never
extracted to disk. Each holds records of one coarse label byte, one fine label byte
and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each a 32x32 image in
row-major order).

>>> from lamina.datasets import cifar100
>>> cifar100.SOURCE.url
'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'
"""

import tarfile

import numpy as np

from lamina.backend.config import image_data_format
from lamina.datasets._download import Remote, cache_path, fetch

SOURCE = Remote("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                "03b5dce01913d631647c71ecec9e9cb8", "md5")

TRAIN_FILE = "cifar-100-binary/train.bin"
TEST_FILE = "cifar-100-binary/test.bin"
_RECORD = 2 + 3 * 32 * 32


def load_data(label_mode="fine"):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    ``(50000, 32, 32, 3)`` and ``(10000, 32, 32, 3)`` (``(n, 3, 32, 32)`` when
    ``K.image_data_format()`` is ``"channels_first"``) and uint8 labels of shape
    ``(50000, 1)`` and ``(10000, 1)``: the class (0 to 99) with ``label_mode="fine"``,
    the superclass (0 to 19) with ``"coarse"``.

    The first call downloads ``SOURCE.url``; without network access, place
    ``cifar-100-binary.tar.gz`` by hand in ``$LAMINA_HOME/datasets``.

    >>> from lamina.datasets import cifar100
    >>> cifar100.TRAIN_FILE
    'cifar-100-binary/train.bin'
    >>> (x_train, y_train), _ = cifar100.load_data("coarse")  # doctest: +SKIP
    >>> x_train.shape, int(y_train.max())  # doctest: +SKIP
    ((50000, 32, 32, 3), 19)
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse'. "
                         f"Received label_mode={label_mode!r}.")
    path = fetch("cifar100", SOURCE, cache_path("cifar-100-binary.tar.gz"))
    files = _read_members(path, (TRAIN_FILE, TEST_FILE))
    label_column = 0 if label_mode == "coarse" else 1
    return tuple(_parse(files[name], name, label_column) for name in (TRAIN_FILE, TEST_FILE))


def _read_members(path, names):
    """The bytes of the regular-file members ``names`` of the tar.gz at ``path``."""
    found = {}
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if member.name in names and member.name not in found:
                if not member.isfile():
                    raise ValueError(f"cifar100.load_data: expected {member.name} in {path} "
                                     f"to be a regular file. Received a tar entry of type "
                                     f"{member.type!r}.")
                found[member.name] = archive.extractfile(member).read()
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"cifar100.load_data: expected {path} to hold {list(names)}. "
                         f"It lacks {missing}.")
    return found


def _parse(data, name, label_column):
    """Images (channels as ``image_data_format()`` says) and (n, 1) labels of one
    file's bytes."""
    if len(data) % _RECORD:
        raise ValueError(f"cifar100.load_data: expected {name} to hold records of {_RECORD} "
                         f"bytes. Received {len(data)} bytes, not a multiple of {_RECORD}.")
    records = np.frombuffer(data, np.uint8).reshape(-1, _RECORD)
    labels = records[:, label_column:label_column + 1].copy()
    images = records[:, 2:].reshape(-1, 3, 32, 32)
    if image_data_format() == "channels_last":
        images = images.transpose(0, 2, 3, 1)
    return images.copy(), labels
