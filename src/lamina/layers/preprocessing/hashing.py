"""Hashing: integers or strings into a fixed number of bins (Keras 3's
``keras.layers.Hashing``), and the hashes the lookup layers use for their OOV
buckets.

The hashes are lamina's own, the same on every engine; they are not Keras's
FarmHash fingerprints, so the bin of a given value differs from Keras's (the
distribution over bins is just as even):

- **integers**, with K functions (so the layer runs inside models on every engine):
  ``h(x) = (a * (x mod p) + b) mod p`` with the prime ``p = 2**31 - 1``, then
  ``h(x) mod num_bins``. Every product stays below ``2**62``, so int64 arithmetic
  is exact on JAX, torch and NumPy alike. Without a salt ``a = 48271`` and
  ``b = 11``; a salt ``(s0, s1)`` gives ``a = 1 + s0 mod (p - 1)`` and
  ``b = s1 mod p`` (an int ``s`` is ``(s, s)``).
- **strings**, eagerly on NumPy: the first 8 bytes of BLAKE2b of the UTF-8 text
  (keyed by the salt's 16 bytes when there is one), read as an unsigned
  little-endian int, modulo the number of bins.

>>> import numpy as np
>>> from lamina import backend as K
>>> K.convert_to_numpy(hash_integers(np.array([0, 1]), 1000)).tolist()
[11, 282]
>>> hash_strings(np.array(["a"]), 1000).dtype
dtype('int64')
"""

import hashlib

import numpy as np

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.layers.preprocessing.adapt_data import (
    is_string_data, string_array, symbolic_string_error)
from lamina.backend.symbolic import SymbolicTensor

_PRIME = 2 ** 31 - 1
_MODES = ("int", "one_hot", "multi_hot", "count")


def _salt_pair(salt):
    if salt is None:
        return None
    pair = (salt, salt) if isinstance(salt, int) and not isinstance(salt, bool) else tuple(salt)
    if len(pair) != 2 or not all(isinstance(s, int) and not isinstance(s, bool) for s in pair):
        raise ValueError(f"Hashing: salt must be an int or a pair of ints; received {salt!r}.")
    return pair


def hash_integers(x, num_bins, salt=None):
    """The bin in ``[0, num_bins)`` of each integer of ``x`` (a tensor), as int64,
    with K functions (see the module docstring).

    >>> K.convert_to_numpy(hash_integers(np.array([5]), 10, salt=[1, 2])).tolist()
    [2]
    """
    pair = _salt_pair(salt)
    a, b = (48271, 11) if pair is None else (1 + pair[0] % (_PRIME - 1), pair[1] % _PRIME)
    x = K.cast(x, "int64")
    h = K.mod(K.mod(x, _PRIME) * a + b, _PRIME)
    return K.mod(h, num_bins)


def hash_strings(strings, num_bins, salt=None):
    """The bin in ``[0, num_bins)`` of each ``str`` of the NumPy array ``strings``, as an
    int64 NumPy array (see the module docstring).

    >>> digest = hashlib.blake2b(b"a", digest_size=8).digest()
    >>> int(hash_strings(np.array(["a"]), 10)[0]) == int.from_bytes(digest, "little") % 10
    True
    """
    pair = _salt_pair(salt)
    key = b"" if pair is None else b"".join(
        (s % 2 ** 64).to_bytes(8, "little") for s in pair)
    out = np.empty(strings.shape, "int64")
    for index, value in np.ndenumerate(strings):
        digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8, key=key).digest()
        out[index] = int.from_bytes(digest, "little") % num_bins
    return out


class Hashing(Layer):
    """Hash integers or strings into ``num_bins`` bins.

    ``Hashing(num_bins, mask_value=None, salt=None, output_mode="int",
    sparse=False)``.

    Each value goes to bin ``hash(value) mod num_bins``. With ``mask_value``, that
    value goes to bin 0 and every other to ``1 + hash(value) mod (num_bins - 1)``.
    ``salt`` (an int or a pair of ints) changes the hash. ``output_mode`` is
    ``"int"`` (the bins, int64) or ``"one_hot"``, ``"multi_hot"``, ``"count"``
    (vectors of ``num_bins``, floats; see ``CategoryEncoding``).

    Integers are hashed with K functions, so the layer runs inside models on every
    engine, with the same bins on each. Strings are hashed eagerly: call the layer on a
    NumPy array or list of ``str`` in the data pipeline, before the model (JAX and
    torch have no string tensors); the result is an engine tensor. The hash is
    lamina's own (see :mod:`lamina.layers.preprocessing.hashing`), not Keras's
    FarmHash: bins differ from Keras's for the same value. Floats are refused, as in
    Keras.

    >>> from lamina import layers
    >>> layer = layers.Hashing(num_bins=3)
    >>> layer([[1], [2], [1]]).tolist()
    [[0], [1], [0]]
    >>> masked = layers.Hashing(num_bins=3, mask_value="")
    >>> bins = masked(["", "a", "b"]).tolist()
    >>> bins[0], all(1 <= b < 3 for b in bins[1:])
    (0, True)
    """

    autocast = False

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else K.floatx()
        super().__init__(**kwargs)
        encoding.check_mode(f"Hashing {self.name!r}", output_mode, _MODES)
        encoding.check_not_sparse(f"Hashing {self.name!r}", sparse)
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1 or (
                mask_value is not None and num_bins < 2):
            raise ValueError(f"Hashing {self.name!r}: num_bins must be an int >= 1 (>= 2 with "
                             f"a mask_value); received {num_bins!r}.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        _salt_pair(salt)
        self.salt = list(salt) if isinstance(salt, (list, tuple)) else salt
        self.output_mode = output_mode
        self.sparse = sparse

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if isinstance(inputs, SymbolicTensor) and not _is_numeric(inputs.dtype):
            raise symbolic_string_error(self)
        if is_string_data(inputs):
            return self._encode(K.convert_to_tensor(self._hash_strings(inputs)))
        return super().__call__(*args, **kwargs)

    def _hash_strings(self, inputs):
        strings = string_array(inputs, f"Hashing layer {self.name!r}")
        if self.mask_value is None:
            return hash_strings(strings, self.num_bins, self.salt)
        bins = hash_strings(strings, self.num_bins - 1, self.salt) + 1
        return np.where(strings == str(self.mask_value), 0, bins)

    def call(self, inputs):
        dtype = K.standardize_dtype(inputs.dtype)
        if not _is_numeric(dtype) or dtype.startswith(("float", "bfloat")):
            raise TypeError(f"Hashing layer {self.name!r} hashes integers or strings; "
                            f"received inputs of dtype {dtype}.")
        if self.mask_value is None:
            return self._encode(hash_integers(inputs, self.num_bins, self.salt))
        bins = hash_integers(inputs, self.num_bins - 1, self.salt) + 1
        masked = K.equal(inputs, self.mask_value)
        return self._encode(K.where(masked, K.zeros_like(bins), bins))

    def _encode(self, bins):
        if self.output_mode == "int":
            return bins if self.dtype == "int64" else K.cast(bins, self.dtype)
        return encoding.encode(bins, self.num_bins, self.output_mode, self.dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoding.output_shape(input_shape, self.num_bins, self.output_mode)

    def get_config(self):
        config = super().get_config()
        config.update(num_bins=self.num_bins, mask_value=self.mask_value, salt=self.salt,
                      output_mode=self.output_mode, sparse=self.sparse)
        return config


def _is_numeric(dtype):
    return isinstance(dtype, str) and dtype.startswith(("int", "uint", "float", "bfloat",
                                                        "bool"))
