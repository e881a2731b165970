"""The safetensors format, written and read with NumPy alone: an 8-byte little-endian
header length, a JSON header naming each tensor's dtype, shape and byte range, then
the raw bytes. Reading checks every declared size against the bytes that are there
before it allocates anything, so a crafted header cannot make lamina allocate a huge
array or read outside the file; :func:`read_header` reads and checks the header alone,
so that a loader can compare the declared tensors with the model before it reads (or
inflates) their data.

>>> import numpy as np
>>> data = dumps({"w": np.arange(6, dtype="float32").reshape(2, 3)}, {"format": "np"})
>>> header = read_header(lambda begin, size: data[begin:begin + size], len(data), "demo")
>>> header.specs["w"].shape, header.metadata
((2, 3), {'format': 'np'})
>>> tensors(header, data)["w"].tolist()
[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
"""

import json
import struct

import numpy as np

from lamina.saving.errors import FormatError

_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
           "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8",
           "U64": "uint64", "U32": "uint32", "U16": "uint16", "U8": "uint8", "BOOL": "bool"}
_CODES = {name: code for code, name in _DTYPES.items()}
MAX_HEADER_BYTES = 100 * 2 ** 20


def _numpy_dtype(name):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def dumps(tensors, metadata=None):
    """The bytes of a safetensors file holding ``tensors`` (name -> NumPy array) in the
    given order, with ``metadata`` (str -> str) in the header."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, array in tensors.items():
        array = np.asarray(array, order="C")
        dtype = str(array.dtype)
        if dtype not in _CODES:
            raise ValueError(f"safetensors: cannot store {name!r} of dtype {dtype}; "
                             f"supported dtypes: {', '.join(sorted(_CODES))}.")
        raw = array.tobytes()
        header[name] = {"dtype": _CODES[dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


class Header:
    """A parsed, checked safetensors header: ``specs`` (name -> :class:`Spec`, in the
    file's order), ``metadata``, ``offset`` (where the data section starts) and
    ``nbytes`` (the size of the data section, which the tensors fill exactly)."""

    def __init__(self, specs, metadata, offset, nbytes):
        self.specs, self.metadata, self.offset, self.nbytes = specs, metadata, offset, nbytes


class Spec:
    """One tensor's ``dtype``, ``shape`` and byte range ``[begin, stop)`` in the data
    section, as its header declares them."""

    def __init__(self, dtype, shape, begin, stop):
        self.dtype, self.shape, self.begin, self.stop = dtype, shape, begin, stop


def read_header(read, total, where):
    """The :class:`Header` of a safetensors file of ``total`` bytes, reading only its
    header with ``read(offset, size) -> bytes``; every declared size is checked against
    ``total`` before the data section is read."""
    if total < 8:
        raise FormatError(f"{where}: too short to be a safetensors file ({total} bytes).")
    (size,) = struct.unpack("<Q", bytes(read(0, 8)))
    if size > MAX_HEADER_BYTES or 8 + size > total:
        raise FormatError(f"{where}: the header declares {size} bytes but the file holds "
                          f"{total - 8} after the length field.")
    try:
        header = json.loads(bytes(read(8, size)).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{where}: the header is not valid JSON ({e}).") from None
    if not isinstance(header, dict):
        raise FormatError(f"{where}: the header must be a JSON object; found "
                          f"{type(header).__name__}.")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise FormatError(f"{where}: __metadata__ must map strings to strings.")
    body = total - 8 - size
    specs = {name: _entry(name, spec, body, where) for name, spec in header.items()}
    end = 0
    for name, spec in sorted(specs.items(), key=lambda item: item[1].begin):
        if spec.begin != end:
            raise FormatError(f"{where}: tensor {name!r} starts at byte {spec.begin}; expected "
                              f"{end} (tensors must not overlap or leave gaps).")
        end = spec.stop
    if end != body:
        raise FormatError(f"{where}: {body - end} bytes after the last tensor.")
    return Header(specs, metadata, 8 + size, body)


def tensors(header, data):
    """The tensors (name -> NumPy array) the :class:`Header` describes, from the whole
    file's bytes ``data``: views of ``data`` when it is writable (and the tensor is
    aligned), else copies."""
    view = memoryview(data)[header.offset:]
    copy = view.readonly
    result = {}
    for name, spec in header.specs.items():
        array = np.frombuffer(view[spec.begin:spec.stop], dtype=spec.dtype).reshape(spec.shape)
        result[name] = array.copy() if copy or not array.flags.aligned else array
    return result


def _entry(name, spec, body_size, where):
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
        raise FormatError(f"{where}: entry {name!r} must have exactly dtype, shape and "
                          f"data_offsets; found {spec!r:.200}.")
    code, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if code not in _DTYPES:
        raise FormatError(f"{where}: tensor {name!r} has unknown dtype {code!r:.40}; known: "
                          f"{', '.join(sorted(_DTYPES))}.")
    if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise FormatError(f"{where}: tensor {name!r} has an invalid shape {shape!r:.100}.")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(
            isinstance(o, int) and not isinstance(o, bool) for o in offsets):
        raise FormatError(f"{where}: tensor {name!r} has invalid data_offsets "
                          f"{offsets!r:.100}.")
    begin, stop = offsets
    dtype = _numpy_dtype(_DTYPES[code])
    count = 1
    for d in shape:
        count *= d
    if not 0 <= begin <= stop <= body_size or stop - begin != count * dtype.itemsize:
        raise FormatError(f"{where}: tensor {name!r} declares shape {tuple(shape)} of "
                          f"{_DTYPES[code]} ({count * dtype.itemsize} bytes) at bytes "
                          f"[{begin}, {stop}) of a {body_size}-byte data section.")
    return Spec(dtype, tuple(shape), begin, stop)
