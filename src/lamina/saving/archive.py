"""The ``.lamina`` archive: a zip of named entries, written atomically and read with
limits.

Writing goes to a temporary file in the destination's folder, flushed to disk, then
renamed over the destination (``os.replace`` is atomic), so a crash or a kill in the
middle leaves the previous file intact. The file gets the permissions ``open(path,
"w")`` would give it: the umask's for a new file (0644 under umask 022), the old
file's when it replaces one, and a ``PermissionError`` when the old file is
read-only. The temporary file is named ``.<name>.<pid>.<random>.tmp``; each save
removes the ones of that pattern in its folder that a killed save left behind (see
:func:`remove_stale_temporaries`). Reading accepts only the entries lamina writes,
refuses names with folders or ``..``, and never decompresses more than each entry's
limit, whatever sizes the zip declares (zip bombs).

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "demo.lamina")
>>> write_atomically(path, lambda f: write_entries(f, {"config.json": b"{}"}))
>>> with Reader(path, {"config.json": 1024}) as reader:
...     bytes(reader.read("config.json"))
b'{}'
"""

import os
import re
import secrets
import stat
import threading
import time
import zipfile

from lamina.saving.errors import FormatError

_CHUNK = 1 << 20
_TEMPORARY = re.compile(r"\..+\.(\d{1,10})\.([0-9a-f]{16})\.tmp", re.DOTALL)
_IMPORTED = time.time()
_writing = set()  # the random parts of the temporary files this process is writing
_writing_lock = threading.Lock()


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it to
    ``path``; on any error the temporary file is removed and ``path`` is untouched."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {path!r}: the folder {folder!r} does not "
                                "exist.")
    mode = _mode_to_keep(path)
    remove_stale_temporaries(folder)
    token = secrets.token_hex(8)
    temporary = os.path.join(
        folder, f".{os.path.basename(path)[:200]}.{os.getpid()}.{token}.tmp")
    with _writing_lock:
        _writing.add(token)
    try:
        # mode 0o666 and the umask: the permissions open(path, "w") gives a new file
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                         getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(handle, "wb") as f:
                if mode is not None:
                    os.chmod(temporary, mode)
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
    finally:
        with _writing_lock:
            _writing.discard(token)


def _mode_to_keep(path):
    """The permission bits of the regular file at ``path`` that a save replaces (None
    when there is none); a ``PermissionError`` when that file may not be written, as
    ``open(path, "w")`` raises."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    try:
        os.close(os.open(path, os.O_WRONLY))  # no O_TRUNC: the file stays as it is
    except PermissionError as e:
        raise PermissionError(e.errno, f"Cannot save to {path!r}: the file exists and is "
                              "read-only (open(path, 'w') would fail too). Make it writable "
                              "or save under another name", path) from None
    return stat.S_IMODE(info.st_mode)


def remove_stale_temporaries(folder):
    """Remove the temporary files ``.<name>.<pid>.<random>.tmp`` that saves killed in
    the middle left in ``folder``: those whose writing process is gone, or that are
    older than the current process. The ones this process is writing stay.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> stale = os.path.join(folder, ".m.lamina.999999999.0123456789abcdef.tmp")
    >>> open(stale, "wb").close(); os.utime(stale, (0, 0))
    >>> remove_stale_temporaries(folder); os.listdir(folder)
    []
    """
    started = _process_start()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is None:
            continue
        with _writing_lock:
            if match.group(2) in _writing:
                continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        pid = int(match.group(1))
        if stat.S_ISREG(info.st_mode) and (
                pid == os.getpid() or not _running(pid) or info.st_mtime < started):
            try:
                os.remove(entry.path)
            except OSError:  # removed meanwhile, or not ours to remove
                pass


def _running(pid):
    if os.name == "nt":  # os.kill would end the process there; only the age tells
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, ValueError):  # not a process id at all
        return False
    except OSError:  # PermissionError: running, as another user
        return True
    return True


def _process_start():
    """When this process started (Linux), else when this module was imported."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rpartition(")")[2].split()[19])
        with open("/proc/stat") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        return min(boot + ticks / os.sysconf("SC_CLK_TCK"), _IMPORTED)
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED


def write_entries(file, entries):
    """Write ``entries`` (name -> bytes) as a zip into the open binary ``file``: JSON
    compressed, tensors stored as they are (floats hardly compress, and deflating them
    made saving several times slower)."""
    with zipfile.ZipFile(file, "w") as archive:
        for name, data in entries.items():
            compression = zipfile.ZIP_STORED if name.endswith(".safetensors") else \
                zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compression)


class Reader:
    """An open zip archive whose entries are checked before anything is inflated: only
    names of ``limits``, each once, the ``required`` ones present, each stored or
    deflated, and each declaring a size within its limit and within what its bytes in
    the archive can hold (the same size when stored; at most deflate's largest ratio,
    1032 to 1, when deflated). Reading an entry never goes past its declared size.

    >>> import io, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.lamina")
    >>> write_atomically(path, lambda f: write_entries(f, {"a.json": b"[1, 2]"}))
    >>> with Reader(path, {"a.json": 100}) as reader:
    ...     reader.names, reader.size("a.json"), bytes(reader.read("a.json"))
    (['a.json'], 6, b'[1, 2]')
    """

    def __init__(self, path, limits, required=()):
        self.path = path = os.fspath(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise
        except Exception as e:  # BadZipFile, NotImplementedError (a zip version field) ...
            raise FormatError(f"{path}: not a lamina file (not a readable zip archive: "
                              f"{type(e).__name__}: {e}).") from None
        try:
            self._check(limits, required, os.path.getsize(path))
        except BaseException:
            self._zip.close()
            raise
        self.names = [info.filename for info in self._zip.infolist()]

    def _check(self, limits, required, archive_size):
        path, infos = self.path, self._zip.infolist()
        names = [info.filename for info in infos]
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
        for info in infos:
            _check_sizes(info, limits[info.filename], archive_size, path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()
        return False

    def __contains__(self, name):
        return name in self.names

    def size(self, name):
        """The size ``name`` declares (checked), in bytes."""
        return self._zip.getinfo(name).file_size

    def read(self, name, size=None):
        """The first ``size`` bytes of ``name`` (all of it by default) as a bytearray;
        :class:`FormatError` when the entry holds fewer than it declared, or is
        corrupted."""
        info = self._zip.getinfo(name)
        size = info.file_size if size is None else min(size, info.file_size)
        data = bytearray(size)
        view, filled = memoryview(data), 0
        try:
            with self._zip.open(info) as stream:
                while filled < size:
                    chunk = stream.read(min(_CHUNK, size - filled))
                    if not chunk:
                        break
                    view[filled:filled + len(chunk)] = chunk
                    filled += len(chunk)
                if size == info.file_size:
                    stream.read(1)  # at the end: zipfile checks the CRC
        except Exception as e:  # BadZipFile, zlib.error, EOFError ... from a damaged stream
            raise FormatError(f"{self.path}: entry {name!r} is corrupted ({type(e).__name__}: "
                              f"{e}).") from None
        if filled < size:
            raise FormatError(f"{self.path}: entry {name!r} declares {info.file_size} bytes "
                              f"but holds {filled}.")
        return data


_MAX_DEFLATE_RATIO = 1032  # deflate's longest output per input byte (258 bytes per 2 bits)


def _check_sizes(info, limit, archive_size, path):
    name = info.filename
    if info.file_size > limit:
        raise FormatError(f"{path}: entry {name!r} declares {info.file_size} bytes; the limit "
                          f"is {limit}.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FormatError(f"{path}: entry {name!r} uses compression method "
                          f"{info.compress_type}; lamina writes stored (0) or deflated (8) "
                          "entries only.")
    if info.compress_size > archive_size:
        raise FormatError(f"{path}: entry {name!r} declares {info.compress_size} compressed "
                          f"bytes; the whole archive has {archive_size}.")
    stored = info.compress_type == zipfile.ZIP_STORED
    bound = info.compress_size if stored else info.compress_size * _MAX_DEFLATE_RATIO + 64
    if info.file_size > bound:
        raise FormatError(f"{path}: entry {name!r} declares {info.file_size} bytes from "
                          f"{info.compress_size} {'stored' if stored else 'deflated'} bytes, "
                          "more than they can hold.")
