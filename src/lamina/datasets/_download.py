"""Download, cache and verify the files behind ``lamina.datasets``.

Each dataset module names its files in a module-level table of :class:`Remote`
entries (the URL and the published hash). :func:`fetch` returns a verified local
copy under ``$LAMINA_HOME/datasets`` (``~/.lamina/datasets``), downloading it
first when it is missing:

- the download streams into a temporary ``.part`` file in the cache folder, is
  hashed on the way, and is renamed to its final name only once complete and
  verified, so an interrupted or corrupt download never leaves a file that looks
  valid;
- a file whose hash differs from the published one is deleted, and the error says
  so and shows both hashes;
- a download that fails (no network) raises one ``OSError`` naming the dataset,
  the URL, the cache path where the file can be placed by hand, and the reason.

Only the standard library and NumPy are used; nothing downloaded is unpickled.
To load from a mirror or a local copy, point a module's table at it (a
``file://`` URL works), keeping the published hash.

>>> import hashlib, os, pathlib, tempfile
>>> folder = tempfile.mkdtemp()
>>> source = os.path.join(folder, "published.bin")
>>> with open(source, "wb") as f:
...     _ = f.write(b"lamina")
>>> remote = Remote(pathlib.Path(source).as_uri(), hashlib.sha256(b"lamina").hexdigest())
>>> path = fetch("demo", remote, os.path.join(folder, "cache", "demo.bin"))
>>> open(path, "rb").read(), sorted(os.listdir(os.path.join(folder, "cache")))
(b'lamina', ['demo.bin'])
"""

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.request
from dataclasses import dataclass

from lamina.backend.config import lamina_home

TIMEOUT_S = 60
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Remote:
    """A published file: its ``url``, and the hex digest ``file_hash`` computed with
    ``hash_algorithm`` (``"sha256"``, or ``"md5"`` where only that is published).

    >>> Remote("https://example.org/data.bin", "0" * 64).hash_algorithm
    'sha256'
    >>> Remote("https://example.org/data.bin", "abc", "md5")
    Traceback (most recent call last):
    ...
    ValueError: Remote: file_hash must be 32 hex digits for md5. Received 'abc' for https://example.org/data.bin.
    """

    url: str
    file_hash: str
    hash_algorithm: str = "sha256"

    def __post_init__(self):
        if self.hash_algorithm not in ("sha256", "md5"):
            raise ValueError(f"Remote: hash_algorithm must be 'sha256' or 'md5'. Received "
                             f"{self.hash_algorithm!r} for {self.url}.")
        digits = hashlib.new(self.hash_algorithm).digest_size * 2
        if not isinstance(self.file_hash, str) or len(self.file_hash) != digits or \
                any(c not in "0123456789abcdef" for c in self.file_hash.lower()):
            raise ValueError(f"Remote: file_hash must be {digits} hex digits for "
                             f"{self.hash_algorithm}. Received {self.file_hash!r} for {self.url}.")


def cache_path(*parts):
    """A path in the dataset cache, ``$LAMINA_HOME/datasets`` (``~/.lamina/datasets``
    when ``LAMINA_HOME`` is unset); an absolute last part is used as it is.

    >>> cache_path("mnist.npz") == os.path.join(lamina_home(), "datasets", "mnist.npz")
    True
    """
    return os.path.join(lamina_home(), "datasets", *parts)


def file_digest(path, hash_algorithm="sha256"):
    """The hex digest of the file at ``path``.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> file_digest(f.name, "md5")
    '900150983cd24fb0d6963f7d28e17f72'
    """
    digest = hashlib.new(hash_algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(dataset, remote, path):
    """The path of a verified copy of ``remote`` at ``path``, downloaded first when
    ``path`` does not exist. ``dataset`` names the caller in messages.

    A cached file is verified at every call; one that fails is deleted, and the
    error says so (the next call downloads it again). See the module docstring.

    >>> import os, tempfile
    >>> fetch("demo", Remote("file:///nonexistent/demo.bin", "0" * 64),
    ...       os.path.join(tempfile.mkdtemp(), "demo.bin"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    OSError: demo: could not download file:///nonexistent/demo.bin (...). ...
    """
    if os.path.exists(path):
        _check(dataset, remote, file_digest(path, remote.hash_algorithm), path,
               f"the cached file {path}",
               "It was deleted, so that the next call downloads it again.")
        return path
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".",
                                       suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            digest = _download(dataset, remote, path, out)
        _check(dataset, remote, digest, partial, f"the file downloaded from {remote.url}",
               f"It was deleted; nothing was stored at {path}.")
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return path


def _download(dataset, remote, path, out):
    """Stream ``remote.url`` into the open file ``out``; return the hex digest."""
    print(f"{dataset}: downloading {remote.url}", file=sys.stderr)
    digest = hashlib.new(remote.hash_algorithm)
    try:
        with urllib.request.urlopen(remote.url, timeout=TIMEOUT_S) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
    except (OSError, http.client.HTTPException) as error:
        raise OSError(
            f"{dataset}: could not download {remote.url} ({type(error).__name__}: {error}). "
            f"To use the dataset without network access, fetch that file by other means and "
            f"place it at {path} ({remote.hash_algorithm} {remote.file_hash}).") from error
    return digest.hexdigest()


def _check(dataset, remote, digest, path, what, consequence):
    """Raise (after deleting ``path``) when ``digest`` is not the published hash."""
    if digest == remote.file_hash.lower():
        return
    os.remove(path)
    raise ValueError(
        f"{dataset}: {what} failed verification: its {remote.hash_algorithm} is {digest}, "
        f"expected {remote.file_hash} (the file published at {remote.url}). {consequence}")
