"""mnist, fashion_mnist and cifar10 load_data on small files written in each dataset's
published format (npz, gzipped IDX, CIFAR binary tar.gz), served by file:// URLs,
against the arrays the files were made from; the real source tables; format errors."""

import gzip
import hashlib
import io
import os
import struct
import tarfile

import numpy as np
import pytest

from lamina import backend as K
from lamina.datasets import _download, cifar10, fashion_mnist, mnist

RNG = np.random.default_rng(1)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "datasets"


def publish(path, data):
    """Write ``data`` at ``path``; the Remote that serves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _download.Remote(path.as_uri(), hashlib.sha256(data).hexdigest())


def idx_bytes(array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


# -- mnist ------------------------------------------------------------------------------

def test_mnist_reads_the_four_arrays_of_the_npz(tmp_path, monkeypatch):
    arrays = {"x_train": RNG.integers(0, 256, (3, 28, 28), dtype=np.uint8),
              "y_train": np.array([5, 0, 4], np.uint8),
              "x_test": RNG.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "y_test": np.array([7, 2], np.uint8)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    monkeypatch.setattr(mnist, "SOURCE", publish(tmp_path / "pub" / "mnist.npz",
                                                 buffer.getvalue()))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"),
                     (y_test, "y_test")):
        assert got.dtype == np.uint8 and got.shape == arrays[key].shape
        np.testing.assert_array_equal(got, arrays[key])


def test_mnist_names_missing_arrays_and_refuses_pickles(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.zeros((1, 28, 28), np.uint8))
    monkeypatch.setattr(mnist, "SOURCE", publish(tmp_path / "pub" / "a.npz", buffer.getvalue()))
    with pytest.raises(ValueError, match=r"mnist.load_data: expected .*mnist\.npz to hold "
                                         r".*It lacks \['y_train', 'x_test', 'y_test'\]"):
        mnist.load_data()
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.array([{"code": 1}], dtype=object), y_train=np.zeros(1),
             x_test=np.zeros(1), y_test=np.zeros(1))
    monkeypatch.setattr(mnist, "SOURCE", publish(tmp_path / "pub" / "b.npz", buffer.getvalue()))
    with pytest.raises(ValueError, match="allow_pickle"):
        mnist.load_data(path="pickled.npz")


# -- fashion_mnist ----------------------------------------------------------------------

def publish_fashion(tmp_path, monkeypatch, arrays):
    sources = {name: publish(tmp_path / "pub" / name, idx_bytes(arrays[name]))
               for name in fashion_mnist.SOURCES}
    monkeypatch.setattr(fashion_mnist, "SOURCES", sources)


def fashion_arrays(n_train=3, n_test=2, size=28):
    return {"train-images-idx3-ubyte.gz": RNG.integers(0, 256, (n_train, size, size)),
            "train-labels-idx1-ubyte.gz": RNG.integers(0, 10, (n_train,)),
            "t10k-images-idx3-ubyte.gz": RNG.integers(0, 256, (n_test, size, size)),
            "t10k-labels-idx1-ubyte.gz": RNG.integers(0, 10, (n_test,))}


def test_fashion_mnist_reads_the_idx_files_into_its_cache_folder(tmp_path, monkeypatch, home):
    arrays = fashion_arrays()
    publish_fashion(tmp_path, monkeypatch, arrays)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    expected = ((x_train, "train-images-idx3-ubyte.gz"), (y_train, "train-labels-idx1-ubyte.gz"),
                (x_test, "t10k-images-idx3-ubyte.gz"), (y_test, "t10k-labels-idx1-ubyte.gz"))
    for got, name in expected:
        assert got.dtype == np.uint8 and got.shape == arrays[name].shape
        np.testing.assert_array_equal(got, arrays[name])
    x_train[0, 0, 0] = 1  # writable, like Keras' arrays
    assert sorted(os.listdir(home / "fashion-mnist")) == sorted(fashion_mnist.SOURCES)


def test_fashion_mnist_checks_image_shape_against_labels(tmp_path, monkeypatch):
    arrays = fashion_arrays()
    arrays["t10k-labels-idx1-ubyte.gz"] = np.zeros(3)
    publish_fashion(tmp_path, monkeypatch, arrays)
    with pytest.raises(ValueError, match=r"expected t10k images of shape \(3, 28, 28\), one "
                                         r"per label. Received \(2, 28, 28\)"):
        fashion_mnist.load_data()


def test_read_idx_refuses_wrong_headers_and_truncated_data(tmp_path):
    path = tmp_path / "f.gz"
    path.write_bytes(idx_bytes(np.zeros((2, 3)), type_code=0x0D))
    with pytest.raises(ValueError, match="uint8 IDX array of 2 dimensions.*00 00 0d 02"):
        fashion_mnist.read_idx(path, 2)
    path.write_bytes(idx_bytes(np.zeros((2, 3))))
    with pytest.raises(ValueError, match="uint8 IDX array of 3 dimensions"):
        fashion_mnist.read_idx(path, 3)
    path.write_bytes(gzip.compress(gzip.decompress(idx_bytes(np.zeros((2, 3))))[:-1]))
    with pytest.raises(ValueError, match=r"declares shape \(2, 3\) \(6 bytes\) but holds 5"):
        fashion_mnist.read_idx(path, 2)


# -- cifar10 ----------------------------------------------------------------------------

def cifar_batch(n):
    """``n`` records (label byte, then 3072 channel-major pixel bytes), their labels and
    their images in (n, 3, 32, 32) layout."""
    labels = RNG.integers(0, 10, (n,), dtype=np.uint8)
    images = RNG.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    records = b"".join(bytes([labels[i]]) + images[i].tobytes() for i in range(n))
    return records, labels, images


def tar_gz(entries):
    """A tar.gz holding ``entries``: (name, bytes) regular files or TarInfo objects."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
            else:
                name, data = entry
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def cifar_archive():
    train = [cifar_batch(2) for _ in range(5)]
    test = cifar_batch(3)
    entries = [("cifar-10-batches-bin/batches.meta.txt", b"airplane\n"),
               ("../escape.bin", b"never written")]
    entries += [(name, batch[0]) for name, batch in zip(cifar10.TRAIN_BATCHES, train)]
    entries.append((cifar10.TEST_BATCH, test[0]))
    return tar_gz(entries), train, test


@pytest.fixture
def restore_data_format():
    saved = K.image_data_format()
    yield
    K.set_image_data_format(saved)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cifar10_parses_binary_batches_in_memory(tmp_path, monkeypatch, home, cifar_archive,
                                                 data_format, restore_data_format):
    data, train, test = cifar_archive
    monkeypatch.setattr(cifar10, "SOURCE", publish(tmp_path / "pub" / "c.tar.gz", data))
    K.set_image_data_format(data_format)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    images = np.concatenate([batch[2] for batch in train])
    if data_format == "channels_last":
        images, test_images = images.transpose(0, 2, 3, 1), test[2].transpose(0, 2, 3, 1)
        assert x_train.shape == (10, 32, 32, 3)
    else:
        test_images = test[2]
        assert x_train.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(x_train, images)
    np.testing.assert_array_equal(x_test, test_images)
    np.testing.assert_array_equal(y_train, np.concatenate([b[1] for b in train])[:, None])
    np.testing.assert_array_equal(y_test, test[1][:, None])
    assert y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.flags.writeable and x_train.flags.c_contiguous
    assert sorted(os.listdir(home)) == ["cifar-10-binary.tar.gz"]
    assert not (tmp_path / "home" / "escape.bin").exists()


def test_cifar10_pixel_layout_is_red_green_blue_planes_row_major(tmp_path, monkeypatch,
                                                                  restore_data_format):
    record = bytes([3]) + bytes(range(256)) * 12
    entries = [(name, record) for name in cifar10.TRAIN_BATCHES + (cifar10.TEST_BATCH,)]
    monkeypatch.setattr(cifar10, "SOURCE", publish(tmp_path / "pub" / "c.tar.gz",
                                                   tar_gz(entries)))
    K.set_image_data_format("channels_last")
    (x_train, y_train), _ = cifar10.load_data()
    flat = np.frombuffer(record[1:], np.uint8)
    for row, col, channel in ((0, 0, 0), (0, 5, 1), (7, 31, 2), (31, 31, 2)):
        assert x_train[0, row, col, channel] == flat[channel * 1024 + row * 32 + col]
    assert y_train[:, 0].tolist() == [3] * 5


def test_cifar10_names_missing_members_non_files_and_bad_record_sizes(tmp_path, monkeypatch):
    entries = [(name, bytes(3073)) for name in cifar10.TRAIN_BATCHES[:4]]
    monkeypatch.setattr(cifar10, "SOURCE", publish(tmp_path / "pub" / "a.tar.gz",
                                                   tar_gz(entries)))
    with pytest.raises(ValueError, match=r"It lacks \['cifar-10-batches-bin/data_batch_5.bin', "
                                         r"'cifar-10-batches-bin/test_batch.bin'\]"):
        cifar10.load_data()

    link = tarfile.TarInfo(cifar10.TEST_BATCH)
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    entries = [(name, bytes(3073)) for name in cifar10.TRAIN_BATCHES] + [link]
    monkeypatch.setattr(cifar10, "SOURCE", publish(tmp_path / "pub" / "b.tar.gz",
                                                   tar_gz(entries)))
    os.remove(os.path.join(os.environ["LAMINA_HOME"], "datasets", "cifar-10-binary.tar.gz"))
    with pytest.raises(ValueError, match="test_batch.bin in .* to be a regular file"):
        cifar10.load_data()

    entries = [(name, bytes(3074)) for name in cifar10.TRAIN_BATCHES + (cifar10.TEST_BATCH,)]
    monkeypatch.setattr(cifar10, "SOURCE", publish(tmp_path / "pub" / "c.tar.gz",
                                                   tar_gz(entries)))
    os.remove(os.path.join(os.environ["LAMINA_HOME"], "datasets", "cifar-10-binary.tar.gz"))
    with pytest.raises(ValueError, match="records of 3073 bytes. Received 3074 bytes"):
        cifar10.load_data()


# -- the published sources --------------------------------------------------------------

def test_sources_are_the_published_files_and_hashes():
    keras_folder = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    assert mnist.SOURCE == _download.Remote(
        keras_folder + "mnist.npz",
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
    assert {name: (r.url, r.hash_algorithm) for name, r in fashion_mnist.SOURCES.items()} == {
        name: (keras_folder + name, "sha256") for name in (
            "train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")}
    assert fashion_mnist.SOURCES["train-images-idx3-ubyte.gz"].file_hash.startswith("3aede38d")
    assert cifar10.SOURCE == _download.Remote(
        "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
        "c32a1d4ab5d03f1284b67883e8d87530", "md5")
