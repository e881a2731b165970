"""Fashion-MNIST (Zalando): 60,000 training and 10,000 test 28x28 grey images of
clothes in 10 classes, a drop-in replacement for MNIST.

The labels are 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot. The four gzipped IDX files Keras uses are
downloaded once into ``$LAMINA_HOME/datasets/fashion-mnist`` and checked against
the SHA-256 values published in Keras' ``keras/src/datasets/fashion_mnist.py``.

>>> from lamina.datasets import fashion_mnist
>>> sorted(fashion_mnist.SOURCES)  # doctest: +NORMALIZE_WHITESPACE
['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz',
 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']
"""

import gzip
import struct

import numpy as np

from lamina.datasets._download import Remote, cache_path, fetch

_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SOURCES = {
    name: Remote(_BASE + name, sha256) for name, sha256 in (
        ("train-labels-idx1-ubyte.gz",
         "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        ("train-images-idx3-ubyte.gz",
         "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        ("t10k-labels-idx1-ubyte.gz",
         "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ("t10k-images-idx3-ubyte.gz",
         "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    )}

_UINT8 = 0x08


def load_data():
    """``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    ``(60000, 28, 28)`` and ``(10000, 28, 28)`` and uint8 labels (0 to 9) of shape
    ``(60000,)`` and ``(10000,)``.

    The first call downloads the four files of ``SOURCES``; without network access,
    place them by hand in ``$LAMINA_HOME/datasets/fashion-mnist``.

    >>> from lamina.datasets import fashion_mnist
    >>> fashion_mnist.SOURCES["train-images-idx3-ubyte.gz"].hash_algorithm
    'sha256'
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_test.shape  # doctest: +SKIP
    ((60000, 28, 28), (10000,))
    """
    def read(name, ndim):
        return read_idx(fetch("fashion_mnist", SOURCES[name], cache_path("fashion-mnist", name)),
                        ndim)

    splits = []
    for split in ("train", "t10k"):
        labels = read(f"{split}-labels-idx1-ubyte.gz", 1)
        images = read(f"{split}-images-idx3-ubyte.gz", 3)
        if images.shape != (len(labels), 28, 28):
            raise ValueError(f"fashion_mnist.load_data: expected {split} images of shape "
                             f"({len(labels)}, 28, 28), one per label. Received {images.shape}.")
        splits.append((images, labels))
    return tuple(splits)


def read_idx(path, ndim):
    """The uint8 array of ``ndim`` dimensions in the gzipped IDX file at ``path``
    (the format of MNIST and Fashion-MNIST: two zero bytes, the type code 0x08, the
    number of dimensions, each dimension as a big-endian uint32, then the bytes).

    >>> import gzip, os, struct, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "labels.gz")
    >>> with gzip.open(path, "wb") as f:
    ...     _ = f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 3) + bytes([7, 2, 1]))
    >>> read_idx(path, 1)
    array([7, 2, 1], dtype=uint8)
    """
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = 4 + 4 * ndim
    if len(data) < header or data[:2] != b"\0\0" or data[2] != _UINT8 or data[3] != ndim:
        raise ValueError(f"read_idx: expected {path} to hold a uint8 IDX array of {ndim} "
                         f"dimensions (header 00 00 08 {ndim:02x}). Received the header "
                         f"{data[:4].hex(' ')}.")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    size = int(np.prod(shape))
    if len(data) - header != size:
        raise ValueError(f"read_idx: {path} declares shape {shape} ({size} bytes) but holds "
                         f"{len(data) - header} bytes of data.")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape).copy()
