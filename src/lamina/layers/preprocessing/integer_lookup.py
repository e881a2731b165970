"""IntegerLookup: integers to vocabulary indices and back (Keras 3's
``keras.layers.IntegerLookup``), with K functions, so it runs inside models on every
engine.

The vocabulary is kept sorted as a constant; a lookup finds each input's position
with ``K.digitize`` (a binary search) and checks that the token there is the input.
Out-of-vocabulary integers go to OOV index ``x mod num_oov_indices``
(``oov_method="floormod"``, as Keras) or to lamina's integer hash of ``x``
(``oov_method="farmhash"``; see :mod:`lamina.layers.preprocessing.hashing`: it is
not Keras's FarmHash).

>>> from lamina import layers
>>> layers.IntegerLookup(vocabulary=[12, 36])([36, 5]).tolist()
[2, 0]
"""

import numpy as np

from lamina import backend as K
from lamina.backend.symbolic import SymbolicTensor
from lamina.layers.preprocessing.hashing import hash_integers
from lamina.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Map integers to integer indices of a vocabulary.

    ``IntegerLookup(max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
    vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
    output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
    salt=None, name=None)``.

    The vocabulary is given (a list, or a text file with one integer per line) or
    learned with ``adapt(data, batch_size=None, steps=None)``. Indices: the mask token
    (0, when given, ``output_mode="int"`` only), ``num_oov_indices`` OOV indices, then
    the vocabulary in order. ``output_mode`` is ``"int"`` (int64 indices) or
    ``"one_hot"``, ``"multi_hot"``, ``"count"``, ``"tf_idf"`` (float vectors).
    ``invert=True`` maps indices back to tokens (``vocabulary_dtype``). With
    ``num_oov_indices=0`` an unknown integer raises an error when the layer is called
    on concrete data; inside a compiled model it gets index -1 (the engines cannot
    raise there).

    >>> import numpy as np
    >>> from lamina import layers
    >>> layer = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).tolist()
    [[1, 3, 4], [4, 0, 2]]
    >>> layers.IntegerLookup(vocabulary=[12, 36], invert=True)([[1, 2, 0]]).tolist()
    [[12, 36, -1]]
    >>> layers.IntegerLookup(vocabulary=[12, 36], output_mode="count")([[12, 12, 7]]).tolist()
    [[1.0, 2.0, 0.0]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(f"IntegerLookup: vocabulary_dtype must be 'int32' or 'int64'; "
                             f"received {vocabulary_dtype!r}.")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"IntegerLookup: oov_method must be 'floormod' or 'farmhash'; "
                             f"received {oov_method!r}.")
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        if invert and kwargs.get("dtype") is None:
            kwargs["dtype"] = vocabulary_dtype
        super().__init__(max_tokens, num_oov_indices, _integer(mask_token, "mask_token"),
                         _integer(oov_token, "oov_token"), vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, name=name, **kwargs)

    def _token(self, value):
        return _integer(value, f"IntegerLookup layer {self.name!r}: a vocabulary token")

    def _tokens(self, batch):
        if batch.dtype.kind not in "iu":
            raise TypeError(f"IntegerLookup layer {self.name!r} reads integers; received data "
                            f"of dtype {batch.dtype}.")
        return batch

    def _read_file(self, path):
        return [int(line) for line in super()._read_file(path) if line.strip()]

    def _vocabulary_changed(self):
        keys = np.array(self._vocabulary, "int64")
        order = np.argsort(keys)
        self._keys = keys[order]
        self._positions = (order + self._token_start()).astype("int64")

    # -- calling -----------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if self.num_oov_indices == 0 and not self.invert and not isinstance(
                inputs, SymbolicTensor):
            values = np.asarray(K.convert_to_numpy(inputs) if K.is_tensor(inputs) else inputs)
            if values.dtype.kind in "iu":
                indices = K.convert_to_numpy(self._lookup(K.convert_to_tensor(
                    values.astype("int64"))))
                unknown = indices == -1
                if self.mask_token is not None:
                    unknown &= values != self.mask_token
                if unknown.any():
                    raise self._unknown_error(sorted(set(values[unknown].tolist())))
        return super().__call__(*args, **kwargs)

    def call(self, inputs):
        dtype = K.standardize_dtype(inputs.dtype)
        if not dtype.startswith(("int", "uint")):
            raise TypeError(f"IntegerLookup layer {self.name!r} reads integers; received "
                            f"inputs of dtype {dtype}.")
        inputs = K.cast(inputs, "int64")
        if self.invert:
            return self._invert(inputs)
        return self._encode(self._lookup(inputs))

    def _lookup(self, x):
        if self.num_oov_indices == 0:
            indices = K.full_like(x, -1)
        elif self.oov_method == "floormod":
            indices = self._oov_start() + K.mod(x, self.num_oov_indices)
        else:
            indices = self._oov_start() + hash_integers(x, self.num_oov_indices, self.salt)
        if self._keys.size:
            keys = K.convert_to_tensor(self._keys)
            position = K.cast(K.digitize(x, keys), "int64") - 1
            safe = K.maximum(position, 0)
            found = K.logical_and(position >= 0, K.equal(K.take(keys, safe), x))
            indices = K.where(found, K.take(K.convert_to_tensor(self._positions), safe),
                              indices)
        if self.mask_token is not None:
            masked = K.equal(x, self.mask_token)
            indices = K.where(masked, K.full_like(x, 0 if self._has_mask_index() else -1),
                              indices)
        return indices

    def _invert(self, indices):
        table = K.convert_to_tensor(np.array(self.get_vocabulary(), self.vocabulary_dtype))
        valid = K.logical_and(indices >= 0, indices < len(self.get_vocabulary()))
        tokens = K.take(table, K.where(valid, indices, K.zeros_like(indices)))
        return K.where(valid, tokens, K.full_like(tokens, self.oov_token))

    def get_config(self):
        config = super().get_config()
        config.update(vocabulary_dtype=self.vocabulary_dtype, oov_method=self.oov_method,
                      salt=self.salt)
        return config


def _integer(value, what):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"IntegerLookup: {what} must be an integer; received {value!r} of "
                        f"type {type(value).__name__}.")
    return int(value)
