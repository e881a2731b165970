"""imdb, reuters, cifar100, boston_housing and california_housing load_data on small
files written in each dataset's published format (npz with pickled object arrays,
JSON word indices, CIFAR-100 binary tar.gz, npz of x and y), served by file:// URLs;
Keras' encoding arguments, shuffling and splits; refused pickles; argument errors."""

import hashlib
import io
import json
import os
import pickle
import tarfile
import zipfile

import numpy as np
import pytest

from lamina import backend as K
from lamina.datasets import (
    _download, boston_housing, california_housing, cifar100, imdb, reuters)

RNG = np.random.default_rng(2)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "datasets"


def publish(path, data, hash_algorithm="sha256"):
    """Write ``data`` at ``path``; the Remote that serves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _download.Remote(path.as_uri(), hashlib.new(hash_algorithm, data).hexdigest(),
                            hash_algorithm)


def ragged(sequences):
    array = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        array[i] = list(sequence)
    return array


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def shuffled(count, rng):
    order = np.arange(count)
    rng.shuffle(order)
    return order


# -- imdb -------------------------------------------------------------------------------

TRAIN = [[5, 9], [4, 4, 4, 4], [1, 2, 3], [6]]
TEST = [[7, 8, 9, 10, 11], [2], [3, 3]]


def publish_imdb(tmp_path, monkeypatch):
    data = npz_bytes(x_train=ragged(TRAIN), y_train=np.array([1, 0, 1, 0]),
                     x_test=ragged(TEST), y_test=np.array([0, 1, 1]))
    monkeypatch.setattr(imdb, "SOURCE", publish(tmp_path / "pub" / "imdb.npz", data))


def test_imdb_shuffles_each_split_and_encodes_as_keras_does(tmp_path, monkeypatch):
    publish_imdb(tmp_path, monkeypatch)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(seed=7)
    rng = np.random.RandomState(7)  # the train split is shuffled first, then the test split
    train_order, test_order = shuffled(4, rng), shuffled(3, rng)
    assert x_train.dtype == object and x_train.shape == (4,) and x_test.shape == (3,)
    # start_char 1, then each index + 3; the largest index (11 + 3) is the vocabulary's
    # limit and becomes oov_char 2, as in Keras
    expected = {0: [1, 8, 12], 1: [1, 7, 7, 7, 7], 2: [1, 4, 5, 6], 3: [1, 9]}
    assert list(x_train) == [expected[i] for i in train_order]
    assert y_train.tolist() == [[1, 0, 1, 0][i] for i in train_order]
    expected = {0: [1, 10, 11, 12, 13, 2], 1: [1, 5], 2: [1, 6, 6]}
    assert list(x_test) == [expected[i] for i in test_order]
    assert y_test.tolist() == [[0, 1, 1][i] for i in test_order]


def test_imdb_vocabulary_arguments(tmp_path, monkeypatch):
    publish_imdb(tmp_path, monkeypatch)
    (x_train, _), (x_test, _) = imdb.load_data(num_words=8, skip_top=5, seed=0)
    words = sorted(w for seq in list(x_train) + list(x_test) for w in seq)
    assert set(words) <= {2, 5, 6, 7}  # 1 (start) is below skip_top: out of vocabulary too
    (x_train, _), _ = imdb.load_data(num_words=8, oov_char=None, start_char=None,
                                     index_from=0, seed=0)
    assert sorted(map(tuple, x_train)) == [(1, 2, 3), (4, 4, 4, 4), (5,), (6,)]


def test_imdb_maxlen_keeps_shorter_reviews_and_their_labels(tmp_path, monkeypatch):
    publish_imdb(tmp_path, monkeypatch)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=4, seed=3)
    # with the start character the reviews are 3, 5, 4 and 2 long: 3 and 2 are kept
    # the largest index left, 12, is the vocabulary's limit: oov_char
    assert sorted(map(tuple, x_train)) == [(1, 8, 2), (1, 9)]
    assert sorted(zip(map(len, x_train), y_train.tolist())) == [(2, 0), (3, 1)]
    assert sorted(map(tuple, x_test)) == [(1, 5), (1, 6, 6)]
    with pytest.raises(ValueError, match="no review is shorter than maxlen=2 in the "
                                         "training split"):
        imdb.load_data(maxlen=2)


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def test_imdb_refuses_a_pickle_that_would_run_code(tmp_path, monkeypatch):
    marker = str(tmp_path / "ran")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False,
                                                  "shape": (1,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x_train.npy", header.getvalue() + pickle.dumps(_Payload(marker)))
        for key in ("y_train", "x_test", "y_test"):
            archive.writestr(f"{key}.npy", npz_member(np.zeros(1)))
    monkeypatch.setattr(imdb, "SOURCE", publish(tmp_path / "pub" / "bad.npz",
                                                buffer.getvalue()))
    with pytest.raises(ValueError, match=r"imdb.load_data: .*\(x_train\): refused to load "
                                         r"(posix|nt|os)\.mkdir"):
        imdb.load_data()
    assert not os.path.exists(marker)


def npz_member(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_imdb_checks_what_the_arrays_hold(tmp_path, monkeypatch):
    data = npz_bytes(x_train=ragged([[1, 2]]), y_train=np.array([1, 0]),
                     x_test=ragged([[3]]), y_test=np.array([1]))
    monkeypatch.setattr(imdb, "SOURCE", publish(tmp_path / "pub" / "a.npz", data))
    with pytest.raises(ValueError, match="one label per review. Received 1 x_train and 2 "
                                         "y_train"):
        imdb.load_data()
    data = npz_bytes(x_train=np.array([{"a": 1}], dtype=object), y_train=np.array([1]),
                     x_test=ragged([[3]]), y_test=np.array([1]))
    monkeypatch.setattr(imdb, "SOURCE", publish(tmp_path / "pub" / "b.npz", data))
    with pytest.raises(ValueError, match="element 0 to be a list of word indices. Received "
                                         "dict"):
        imdb.load_data(path="b.npz")
    monkeypatch.setattr(imdb, "SOURCE", publish(tmp_path / "pub" / "c.npz",
                                                npz_bytes(x_train=ragged([[1]]))))
    with pytest.raises(ValueError, match=r"It lacks \['y_train', 'x_test', 'y_test'\]"):
        imdb.load_data(path="c.npz")


def test_word_indices(tmp_path, monkeypatch):
    for module in (imdb, reuters):
        index = {"the": 1, "and": 2, module.__name__.rsplit(".")[-1]: 3}
        remote = publish(tmp_path / "pub" / f"{module.__name__}.json",
                         json.dumps(index).encode(), "md5")
        monkeypatch.setattr(module, "WORD_INDEX", remote)
        assert module.get_word_index() == index
    monkeypatch.setattr(imdb, "WORD_INDEX", publish(tmp_path / "pub" / "bad.json",
                                                    b'["the"]', "md5"))
    with pytest.raises(ValueError, match="imdb.get_word_index: expected .* to hold an object "
                                         "mapping words to integer indices"):
        imdb.get_word_index(path="bad.json")


# -- reuters ----------------------------------------------------------------------------

def test_reuters_shuffles_encodes_filters_then_splits(tmp_path, monkeypatch):
    wires = [[i + 1] * (i % 4 + 1) for i in range(10)]
    topics = np.arange(10) % 46
    monkeypatch.setattr(reuters, "SOURCE", publish(
        tmp_path / "pub" / "reuters.npz", npz_bytes(x=ragged(wires), y=topics)))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=100, test_split=0.3,
                                                             seed=5)
    order = shuffled(10, np.random.RandomState(5))
    assert len(x_train) == 7 and len(x_test) == 3
    assert list(x_train) + list(x_test) == [[1] + [w + 3 for w in wires[i]] for i in order]
    assert y_train.tolist() + y_test.tolist() == topics[order].tolist()
    (x_train, y_train), (x_test, _) = reuters.load_data(maxlen=3, test_split=0.5, seed=5)
    kept = [i for i in order if len(wires[i]) + 1 < 3]  # maxlen applies before the split
    assert len(x_train) + len(x_test) == len(kept) and y_train.tolist() == \
        topics[kept[:len(kept) // 2]].tolist()
    assert reuters.get_label_names()[3] == "earn"
    with pytest.raises(ValueError, match=r"test_split must be in \[0, 1\). Received "
                                         "test_split=1"):
        reuters.load_data(test_split=1)


# -- cifar100 ---------------------------------------------------------------------------

def cifar100_file(images, coarse, fine):
    planar = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([coarse[:, None], fine[:, None], planar], axis=1).astype(
        np.uint8).tobytes()


def test_cifar100_fine_and_coarse_labels(tmp_path, monkeypatch):
    images = {name: RNG.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
              for name, n in ((cifar100.TRAIN_FILE, 3), (cifar100.TEST_FILE, 2))}
    coarse = {cifar100.TRAIN_FILE: np.array([0, 19, 4]), cifar100.TEST_FILE: np.array([7, 1])}
    fine = {cifar100.TRAIN_FILE: np.array([99, 3, 50]), cifar100.TEST_FILE: np.array([0, 64])}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in (cifar100.TRAIN_FILE, cifar100.TEST_FILE):
            data = cifar100_file(images[name], coarse[name], fine[name])
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    monkeypatch.setattr(cifar100, "SOURCE", publish(tmp_path / "pub" / "c.tar.gz",
                                                    buffer.getvalue(), "md5"))
    for mode, labels in (("fine", fine), ("coarse", coarse)):
        (x_train, y_train), (x_test, y_test) = cifar100.load_data(mode)
        assert y_train.dtype == np.uint8 and y_train.shape == (3, 1)
        assert y_train.ravel().tolist() == labels[cifar100.TRAIN_FILE].tolist()
        assert y_test.ravel().tolist() == labels[cifar100.TEST_FILE].tolist()
        for got, name in ((x_train, cifar100.TRAIN_FILE), (x_test, cifar100.TEST_FILE)):
            expected = images[name]
            if K.image_data_format() == "channels_first":
                expected = expected.transpose(0, 3, 1, 2)
            np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="label_mode must be 'fine' or 'coarse'. Received "
                                         "label_mode='medium'"):
        cifar100.load_data("medium")


# -- housing ----------------------------------------------------------------------------

@pytest.mark.parametrize("module, features", [(boston_housing, 13), (california_housing, 8)])
def test_housing_shuffles_and_splits(tmp_path, monkeypatch, module, features):
    x = RNG.normal(size=(20, features))
    y = np.arange(20, dtype="float64")
    monkeypatch.setattr(module, "SOURCE", publish(tmp_path / "pub" / "h.npz",
                                                  npz_bytes(x=x, y=y)))
    (x_train, y_train), (x_test, y_test) = module.load_data(test_split=0.25, seed=9)
    order = shuffled(20, np.random.RandomState(9))
    assert x_train.shape == (15, features) and x_test.shape == (5, features)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), x[order])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), y[order])
    with pytest.raises(ValueError, match=r"test_split must be a number in \[0, 1\)"):
        module.load_data(test_split=1.5)


def test_california_small_is_the_first_600_rows(tmp_path, monkeypatch):
    x = np.arange(700 * 8, dtype="float64").reshape(700, 8)
    monkeypatch.setattr(california_housing, "SOURCE", publish(
        tmp_path / "pub" / "c.npz", npz_bytes(x=x, y=x[:, 0])))
    (x_train, y_train), (x_test, _) = california_housing.load_data("small", test_split=0.1)
    assert x_train.shape == (540, 8) and x_test.shape == (60, 8)
    assert set(np.concatenate([x_train, x_test])[:, 0]) == set(x[:600, 0])
    assert np.array_equal(x_train[:, 0], y_train)
    with pytest.raises(ValueError, match="version must be 'large' or 'small'. Received "
                                         "version='tiny'"):
        california_housing.load_data("tiny")
    monkeypatch.setattr(california_housing, "SOURCE", publish(
        tmp_path / "pub" / "d.npz", npz_bytes(x=x, target=x[:, 0])))
    with pytest.raises(ValueError, match=r"It lacks \['y'\]"):
        california_housing.load_data(path="d.npz")
