"""StringLookup: strings to vocabulary indices and back (Keras 3's
``keras.layers.StringLookup``).

JAX and torch have no string tensors, so the layer works eagerly on NumPy arrays and
lists of ``str`` (or ``bytes``, decoded with ``encoding``), in the data pipeline
before the model, as Keras 3 does on its non-TensorFlow backends; its outputs are
engine tensors (``invert=True`` returns a NumPy array of ``str``). OOV tokens beyond
the first OOV index are spread with lamina's string hash (see
:mod:`lamina.layers.preprocessing.hashing`), not Keras's FarmHash.

>>> from lamina import layers
>>> layers.StringLookup(vocabulary=["a", "b"])(["b", "z"]).tolist()
[2, 0]
"""

import numpy as np

from lamina import backend as K
from lamina.layers.preprocessing.adapt_data import EagerStringCall, string_array
from lamina.layers.preprocessing.hashing import hash_strings
from lamina.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(EagerStringCall, IndexLookup):
    """Map strings to integer indices of a vocabulary.

    ``StringLookup(max_tokens=None, num_oov_indices=1, mask_token=None,
    oov_token="[UNK]", vocabulary=None, idf_weights=None, invert=False,
    output_mode="int", pad_to_max_tokens=False, sparse=False, encoding="utf-8",
    name=None, salt=None)``.

    The vocabulary is given (a list, or a text file with one token per line) or
    learned with ``adapt(data, batch_size=None, steps=None)``. Indices: the mask token
    (0, when given, ``output_mode="int"`` only), ``num_oov_indices`` OOV indices, then
    the vocabulary in order. ``output_mode`` is ``"int"`` (int64 indices) or
    ``"one_hot"``, ``"multi_hot"``, ``"count"``, ``"tf_idf"`` (float vectors of
    ``vocabulary_size()``, or ``max_tokens`` with ``pad_to_max_tokens``).
    ``invert=True`` maps indices back to tokens. ``get_vocabulary()``,
    ``vocabulary_size()`` and ``set_vocabulary(vocabulary, idf_weights=None)`` read and
    replace the vocabulary.

    The layer runs eagerly on NumPy arrays and lists of ``str`` (see
    :mod:`lamina.layers.preprocessing.string_lookup`); on a symbolic input it raises
    an error saying so.

    >>> from lamina import layers
    >>> layer = layers.StringLookup()
    >>> layer.adapt([["a", "c", "d"], ["d", "z", "b"]])
    >>> layer.get_vocabulary()
    ['[UNK]', 'd', 'z', 'c', 'b', 'a']
    >>> layer([["a", "c", "d"], ["d", "z", "b"]]).tolist()
    [[5, 3, 1], [1, 2, 4]]
    >>> layers.StringLookup(vocabulary=["a", "b"], invert=True)([[1, 2, 0]]).tolist()
    [['a', 'b', '[UNK]']]
    >>> layers.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")(
    ...     [["a", "a"], ["z", "b"]]).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        self.salt = salt
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         name=name, **kwargs)

    def _token(self, value):
        if isinstance(value, (bytes, np.bytes_)):
            return bytes(value).decode(self.encoding)
        if not isinstance(value, str):
            raise TypeError(f"StringLookup layer {self.name!r}: vocabulary tokens must be "
                            f"strings; received {value!r} of type {type(value).__name__}.")
        return str(value)

    def _tokens(self, batch):
        return string_array(batch, f"StringLookup layer {self.name!r}", self.encoding)

    def _vocabulary_changed(self):
        start = self._token_start()
        self._index = {token: start + i for i, token in enumerate(self._vocabulary)}

    def call(self, inputs):
        """The indices of ``inputs`` (strings) encoded as ``output_mode``, or with
        ``invert=True`` the tokens of ``inputs`` (indices), eagerly."""
        if self.invert:
            return self._tokens_of(inputs)
        return self._encode(K.convert_to_tensor(self.lookup(inputs)))

    def lookup(self, inputs):
        """The int64 indices (a NumPy array) of ``inputs`` (strings); -1 for the mask
        token outside ``output_mode="int"``, where it has no index.

        >>> StringLookup(vocabulary=["a"], mask_token="").lookup(["", "a", "b"]).tolist()
        [0, 2, 1]
        """
        strings = self._tokens(inputs)
        flat = strings.ravel().tolist()
        indices = np.array([self._index.get(t, -1) for t in flat], "int64").reshape(
            strings.shape)
        if self.mask_token is not None:
            indices[strings == self.mask_token] = 0 if self._has_mask_index() else -2
        unknown = indices == -1
        if unknown.any():
            if self.num_oov_indices == 0:
                raise self._unknown_error(sorted(set(strings[unknown].tolist())))
            indices[unknown] = self._oov_start() + hash_strings(
                strings[unknown], self.num_oov_indices, self.salt)
        indices[indices == -2] = -1
        return indices

    def _tokens_of(self, inputs):
        indices = np.asarray(K.convert_to_numpy(inputs) if K.is_tensor(inputs) else inputs)
        if indices.dtype.kind not in "iu":
            raise TypeError(f"StringLookup layer {self.name!r} with invert=True maps integer "
                            f"indices to tokens; received inputs of dtype {indices.dtype}.")
        table = np.array(self.get_vocabulary() + [self.oov_token], dtype=object)
        valid = (indices >= 0) & (indices < table.size - 1)
        return table[np.where(valid, indices, table.size - 1)].astype(str)

    def get_config(self):
        config = super().get_config()
        config.update(encoding=self.encoding, salt=self.salt)
        return config
