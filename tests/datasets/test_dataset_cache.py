"""The dataset cache (lamina.datasets._download) through mnist.load_data: a file served
from a file:// URL is downloaded once into $LAMINA_HOME/datasets, verified, reused;
corrupt, interrupted and failed downloads leave nothing that looks valid."""

import hashlib
import io
import os
import urllib.error

import numpy as np
import pytest

from lamina.datasets import _download, mnist

RNG = np.random.default_rng(0)
ARRAYS = {"x_train": RNG.integers(0, 256, (4, 28, 28), dtype=np.uint8),
          "y_train": RNG.integers(0, 10, (4,), dtype=np.uint8),
          "x_test": RNG.integers(0, 256, (2, 28, 28), dtype=np.uint8),
          "y_test": RNG.integers(0, 10, (2,), dtype=np.uint8)}


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A small mnist.npz served by file:// URL as mnist.SOURCE; LAMINA_HOME in tmp_path."""
    source = tmp_path / "published" / "mnist.npz"
    source.parent.mkdir()
    np.savez(source, **ARRAYS)
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    monkeypatch.setattr(mnist, "SOURCE", _download.Remote(source.as_uri(), sha256))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    return source


def cache_folder(tmp_path):
    return tmp_path / "home" / "datasets"


def cache_files(tmp_path):
    folder = cache_folder(tmp_path)
    return sorted(os.listdir(folder)) if folder.exists() else []


def assert_loaded(result):
    (x_train, y_train), (x_test, y_test) = result
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"),
                     (y_test, "y_test")):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, ARRAYS[key])


def test_first_load_downloads_into_lamina_home_and_second_load_reuses_the_cache(
        published, tmp_path, monkeypatch):
    calls = []
    real_urlopen = _download.urllib.request.urlopen

    def counting_urlopen(url, timeout):
        calls.append(url)
        return real_urlopen(url, timeout=timeout)

    monkeypatch.setattr(_download.urllib.request, "urlopen", counting_urlopen)
    assert_loaded(mnist.load_data())
    assert calls == [published.as_uri()]
    assert cache_files(tmp_path) == ["mnist.npz"]
    published.unlink()
    assert_loaded(mnist.load_data())
    assert calls == [published.as_uri()]


def test_path_argument_names_the_cached_file(published, tmp_path):
    assert_loaded(mnist.load_data(path="digits.npz"))
    assert cache_files(tmp_path) == ["digits.npz"]
    absolute = tmp_path / "elsewhere" / "m.npz"
    assert_loaded(mnist.load_data(path=str(absolute)))
    assert absolute.exists()


def test_download_with_wrong_hash_is_refused_and_nothing_is_cached(published, tmp_path,
                                                                   monkeypatch):
    wrong = "0" * 64
    monkeypatch.setattr(mnist, "SOURCE", _download.Remote(published.as_uri(), wrong))
    actual = hashlib.sha256(published.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match="failed verification") as info:
        mnist.load_data()
    message = str(info.value)
    assert "mnist" in message and actual in message and wrong in message
    assert "deleted" in message and published.as_uri() in message
    assert cache_files(tmp_path) == []


def test_corrupt_cached_file_is_deleted_with_an_error_then_downloaded_again(published,
                                                                            tmp_path):
    folder = cache_folder(tmp_path)
    folder.mkdir(parents=True)
    (folder / "mnist.npz").write_bytes(b"not the published file")
    with pytest.raises(ValueError, match=r"cached file .*mnist\.npz failed verification.*"
                                         r"deleted") as info:
        mnist.load_data()
    assert hashlib.sha256(b"not the published file").hexdigest() in str(info.value)
    assert cache_files(tmp_path) == []
    assert_loaded(mnist.load_data())


def test_md5_published_hash_is_checked_too(published, tmp_path, monkeypatch):
    md5 = hashlib.md5(published.read_bytes()).hexdigest()
    monkeypatch.setattr(mnist, "SOURCE", _download.Remote(published.as_uri(), md5, "md5"))
    assert_loaded(mnist.load_data())
    flipped = ("0" if md5[0] != "0" else "1") + md5[1:]
    monkeypatch.setattr(mnist, "SOURCE", _download.Remote(published.as_uri(), flipped, "md5"))
    with pytest.raises(ValueError, match=f"its md5 is {md5}, expected {flipped}"):
        mnist.load_data()
    assert cache_files(tmp_path) == []


def test_offline_error_names_dataset_url_cache_path_and_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))

    def no_network(url, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(_download.urllib.request, "urlopen", no_network)
    with pytest.raises(OSError) as info:
        mnist.load_data()
    message = str(info.value)
    assert message.startswith("mnist: could not download " + mnist.SOURCE.url)
    assert str(cache_folder(tmp_path) / "mnist.npz") in message
    assert "Temporary failure in name resolution" in message
    assert mnist.SOURCE.file_hash in message
    assert isinstance(info.value.__cause__, urllib.error.URLError)
    assert cache_files(tmp_path) == []


def test_missing_file_url_gives_the_same_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    url = (tmp_path / "absent.npz").as_uri()
    monkeypatch.setattr(mnist, "SOURCE", _download.Remote(url, "0" * 64))
    with pytest.raises(OSError, match=f"mnist: could not download {url} .*No such file"):
        mnist.load_data()
    assert cache_files(tmp_path) == []


class BrokenResponse(io.BytesIO):
    """A response that delivers some bytes, then fails with ``error``."""

    def __init__(self, error):
        super().__init__(b"x" * 10)
        self.error = error
        self.delivered = False

    def read(self, size=-1):
        if self.delivered:
            raise self.error
        self.delivered = True
        return super().read(size)


@pytest.mark.parametrize("error, raised, match", [
    (ConnectionResetError("connection reset"), OSError,
     "mnist: could not download .*ConnectionResetError: connection reset"),
    (KeyboardInterrupt(), KeyboardInterrupt, None)])
def test_interrupted_download_leaves_no_cache_file(published, tmp_path, monkeypatch, error,
                                                   raised, match):
    response = BrokenResponse(error)
    real_urlopen = _download.urllib.request.urlopen
    monkeypatch.setattr(_download.urllib.request, "urlopen", lambda url, timeout: response)
    with pytest.raises(raised, match=match):
        mnist.load_data()
    assert response.delivered
    assert cache_folder(tmp_path).exists() and cache_files(tmp_path) == []
    monkeypatch.setattr(_download.urllib.request, "urlopen", real_urlopen)
    assert_loaded(mnist.load_data())


def test_remote_rejects_unknown_algorithms_and_malformed_hashes():
    with pytest.raises(ValueError, match="hash_algorithm must be 'sha256' or 'md5'.*'sha1'"):
        _download.Remote("https://example.org/f", "0" * 40, "sha1")
    with pytest.raises(ValueError, match="64 hex digits for sha256.*'xyz'"):
        _download.Remote("https://example.org/f", "xyz")
    assert _download.Remote("https://example.org/f", "A" * 32, "md5").file_hash == "A" * 32


def test_cache_path_follows_lamina_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    assert _download.cache_path("fashion-mnist", "f.gz") == \
        str(tmp_path / "datasets" / "fashion-mnist" / "f.gz")
    monkeypatch.delenv("LAMINA_HOME")
    assert _download.cache_path("mnist.npz") == \
        os.path.join(os.path.expanduser("~"), ".lamina", "datasets", "mnist.npz")
