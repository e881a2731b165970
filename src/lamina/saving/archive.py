"""The ``.lamina`` archive: a zip of named entries, written atomically and read with
limits.

Writing goes to a temporary file in the destination's folder, flushed to disk, then
renamed over the destination (``os.replace`` is atomic), so a crash or a kill in the
middle leaves the previous file intact. Reading accepts only the entries lamina
writes, refuses names with folders or ``..``, and never decompresses more than each
entry's limit, whatever sizes the zip declares (zip bombs).

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "demo.lamina")
>>> write_atomically(path, lambda f: write_entries(f, {"config.json": b"{}"}))
>>> read_entries(path, {"config.json": 1024})
{'config.json': b'{}'}
"""

import os
import tempfile
import zipfile

from lamina.saving.errors import FormatError

_CHUNK = 1 << 20


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it to
    ``path``; on any error the temporary file is removed and ``path`` is untouched."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {path!r}: the folder {folder!r} does not "
                                "exist.")
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                                         suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def write_entries(file, entries):
    """Write ``entries`` (name -> bytes) as a zip into the open binary ``file``: JSON
    compressed, tensors stored as they are (floats hardly compress, and deflating them
    made saving several times slower)."""
    with zipfile.ZipFile(file, "w") as archive:
        for name, data in entries.items():
            compression = zipfile.ZIP_STORED if name.endswith(".safetensors") else \
                zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compression)


def read_entries(path, limits, required=()):
    """The entries of the zip at ``path`` as name -> bytes. ``limits`` maps every name
    the archive may hold to its largest allowed size in bytes; ``required`` lists the
    names it must hold. Raises :class:`FormatError` naming the file and the problem."""
    path = os.fspath(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except Exception as e:  # BadZipFile, NotImplementedError (a zip version field) ...
        raise FormatError(f"{path}: not a lamina file (not a readable zip archive: "
                          f"{type(e).__name__}: {e}).") from None
    with archive:
        names = [info.filename for info in archive.infolist()]
        for name in names:
            if name not in limits:
                raise FormatError(f"{path}: unexpected entry {name!r:.200} in the archive; a "
                                  f"lamina file holds only {sorted(limits)}.")
        if len(set(names)) != len(names):
            raise FormatError(f"{path}: an entry appears twice in the archive.")
        missing = [n for n in required if n not in names]
        if missing:
            raise FormatError(f"{path}: the archive lacks {missing}; it is truncated or not a "
                              "lamina file.")
        return {name: _read_bounded(archive, name, limits[name], path) for name in names}


def _read_bounded(archive, name, limit, path):
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise FormatError(f"{path}: entry {name!r} declares {info.file_size} bytes; the limit "
                          f"is {limit}.")
    parts, total = [], 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise FormatError(f"{path}: entry {name!r} decompresses to more than its "
                                      f"limit of {limit} bytes.")
                parts.append(chunk)
    except FormatError:
        raise
    except Exception as e:  # BadZipFile, zlib.error, EOFError ... from a damaged stream
        raise FormatError(f"{path}: entry {name!r} is corrupted ({type(e).__name__}: "
                          f"{e}).") from None
    return b"".join(parts)
