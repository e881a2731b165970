"""What a file is, told from its bytes, never from its name, and the one warning about
Keras file names.

lamina writes its own formats under whatever name it is given: ``model.save`` a zip
archive (see :mod:`lamina.saving.model_file`), ``save_weights`` a safetensors file.
A Keras program that saves to ``"model.keras"``, ``"model.h5"`` or
``"x.weights.h5"`` therefore runs unchanged, and lamina's loaders read the file back
whatever its suffix. Such a file is not what Keras would write, so the first save to
a ``.keras``, ``.h5`` or ``.hdf5`` name in a process warns that Keras cannot read it.
Reading tells the formats apart by their first bytes: a zip archive, a safetensors
header, or one that lamina does not read (HDF5, a Keras 3 ``.keras`` archive, a
TensorFlow SavedModel folder), which gets an error saying what the file is.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "old.h5")
>>> with open(path, "wb") as f:
...     _ = f.write(HDF5_SIGNATURE + bytes(64))
>>> kind_of(path)
'hdf5'
"""

import os
import struct
import warnings
import zipfile

from lamina.saving.errors import FormatError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")
_KERAS_WEIGHT_ENTRIES = ("model.weights.h5", "model.weights.npz")
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_SAFETENSORS_HEADER = 100 * 2 ** 20
_warned = False


def kind_of(path):
    """What the file (or folder) at ``path`` holds, from its content: ``"lamina-zip"``
    (a zip archive, as ``model.save`` writes), ``"safetensors"`` (as ``save_weights``
    writes), ``"keras-zip"`` (a Keras 3 ``.keras`` archive), ``"hdf5"``,
    ``"savedmodel"`` (a TensorFlow SavedModel folder), ``"folder"`` or ``"unknown"``.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("hello")
    >>> kind_of(path)
    'unknown'
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        return "savedmodel" if os.path.exists(os.path.join(path, "saved_model.pb")) else "folder"
    with open(path, "rb") as f:
        head = f.read(9)
        if head[:4] in _ZIP_SIGNATURES:
            return "keras-zip" if _is_keras_zip(path) else "lamina-zip"
        if _is_hdf5(f, head):
            return "hdf5"
    if len(head) == 9 and head[8:9] == b"{" and \
            0 < struct.unpack("<Q", head[:8])[0] <= _MAX_SAFETENSORS_HEADER:
        return "safetensors"
    return "unknown"


def _is_keras_zip(path):
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except Exception:  # a damaged zip: the archive reader reports it
        return False
    return any(name in names for name in _KERAS_WEIGHT_ENTRIES)


def _is_hdf5(f, head):
    """HDF5's signature sits at offset 0, or after a user block at 512, 1024, 2048 ..."""
    if head[:8] == HDF5_SIGNATURE:
        return True
    size = os.fstat(f.fileno()).st_size
    offset = 512
    while offset + 8 <= size:
        f.seek(offset)
        if f.read(8) == HDF5_SIGNATURE:
            return True
        offset *= 2
    return False


_FOREIGN = {
    "hdf5": "an HDF5 file (a Keras 2 / tf.keras '.h5' model or weights file, or other "
            "HDF5 data)",
    "keras-zip": "a Keras 3 model archive (a zip holding model.weights.h5)",
    "savedmodel": "a TensorFlow SavedModel folder",
}


def check_readable(path, operation):
    """The kind of the file at ``path`` (see :func:`kind_of`) when lamina reads it;
    otherwise a :class:`FormatError` naming ``operation``, the file and what it is.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.lamina")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(HDF5_SIGNATURE)
    >>> check_readable(path, "load_model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lamina.saving.errors.FormatError: load_model: ... is an HDF5 file ...; lamina does not read this format. ...
    """
    path = os.fspath(path)
    kind = kind_of(path)
    if kind in _FOREIGN:
        raise FormatError(
            f"{operation}: {path} is {_FOREIGN[kind]}; lamina does not read this format. It "
            "reads the files lamina's model.save and save_weights write (whatever their "
            "names). To move weights from Keras, load the model in Keras and pass its "
            "get_weights() to the lamina model's set_weights().")
    if kind == "folder":
        raise FormatError(f"{operation}: {path} is a folder; expected a file written by "
                          "lamina's model.save or save_weights.")
    return kind


def warn_keras_suffix(path, what):
    """Warn, once per process, that ``path`` ends in a Keras suffix (``.keras``,
    ``.h5``, ``.hdf5``) but holds ``what`` (a lamina format) that Keras cannot read.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_keras_suffix("model.keras", "a lamina model archive")
    ...     warn_keras_suffix("again.keras", "a lamina model archive")
    >>> len(caught) <= 1  # once per process: none if an earlier save warned already
    True
    """
    global _warned
    path = os.fspath(path)
    suffix = next((s for s in KERAS_SUFFIXES if path.lower().endswith(s)), None)
    if suffix is None or _warned:
        return
    _warned = True
    warnings.warn(
        f"{path!r} ends in {suffix!r}, but lamina writes its own format under any name: the "
        f"file is {what}, which Keras (and h5py) cannot read; lamina's load_model and "
        "load_weights read it. (This warning is shown once per process.)", UserWarning,
        stacklevel=4)
