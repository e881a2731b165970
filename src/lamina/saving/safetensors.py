"""The safetensors format, written and read with NumPy alone: an 8-byte little-endian
header length, a JSON header naming each tensor's dtype, shape and byte range, then
the raw bytes. Reading checks every declared size against the bytes that are there
before it allocates anything, so a crafted header cannot make lamina allocate a huge
array or read outside the file.

>>> import numpy as np
>>> data = dumps({"w": np.arange(6, dtype="float32").reshape(2, 3)}, {"format": "np"})
>>> tensors, metadata = loads(data)
>>> tensors["w"].tolist(), metadata
([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], {'format': 'np'})
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


def loads(data, where="safetensors data"):
    """``(tensors, metadata)`` from the bytes of a safetensors file; raises
    :class:`FormatError` naming ``where`` and what is wrong for anything malformed."""
    if len(data) < 8:
        raise FormatError(f"{where}: too short to be a safetensors file ({len(data)} bytes).")
    (size,) = struct.unpack("<Q", data[:8])
    if size > MAX_HEADER_BYTES or 8 + size > len(data):
        raise FormatError(f"{where}: the header declares {size} bytes but the file holds "
                          f"{len(data) - 8} after the length field.")
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{where}: the header is not valid JSON ({e}).") from None
    if not isinstance(header, dict):
        raise FormatError(f"{where}: the header must be a JSON object; found "
                          f"{type(header).__name__}.")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise FormatError(f"{where}: __metadata__ must map strings to strings.")
    body = memoryview(data)[8 + size:]
    entries = sorted(((_entry(name, spec, len(body), where), name)
                      for name, spec in header.items()), key=lambda e: e[0][2])
    end = 0
    tensors = {}
    for (dtype, shape, begin, stop), name in entries:
        if begin != end:
            raise FormatError(f"{where}: tensor {name!r} starts at byte {begin}; expected "
                              f"{end} (tensors must not overlap or leave gaps).")
        tensors[name] = np.frombuffer(body[begin:stop], dtype=dtype).reshape(shape).copy()
        end = stop
    if end != len(body):
        raise FormatError(f"{where}: {len(body) - end} bytes after the last tensor.")
    return {name: tensors[name] for name in header}, metadata


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
    return dtype, tuple(shape), begin, stop
