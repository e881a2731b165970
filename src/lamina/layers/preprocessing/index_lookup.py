"""What StringLookup and IntegerLookup share: the vocabulary, its special tokens,
``adapt``, ``set_vocabulary`` and the encodings of the indices (Keras 3's
``IndexLookup``).

Indices are laid out as in Keras: in ``output_mode="int"`` the mask token (when
there is one) takes index 0, then come ``num_oov_indices`` out-of-vocabulary (OOV)
indices, then the vocabulary. In the other modes the mask token has no index (its
occurrences are dropped) and the OOV indices come first. ``adapt`` orders the
vocabulary by decreasing frequency, ties by decreasing token, and keeps the
``max_tokens`` (special tokens included) most frequent. The IDF weight of a token in
``"tf_idf"`` mode is ``log(1 + documents / (1 + documents containing it))``, and the
OOV indices get the mean of the vocabulary's weights.

The vocabulary (and the IDF weights) are part of the layer's config, so they survive
``get_config``/``from_config`` and ``model.save``/``load_model``.

>>> from lamina import layers
>>> layers.StringLookup(vocabulary=["a", "b"], mask_token="").get_vocabulary()
['', '[UNK]', 'a', 'b']
"""

import collections
import math
import os

import numpy as np

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.layers.preprocessing.adapt_data import batches

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _count_arg(name, value, minimum, allow_none):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}"
                         f"{' or None' if allow_none else ''}; received {value!r}.")
    return value


class IndexLookup(Layer):
    """The base class of StringLookup and IntegerLookup (see the module docstring);
    subclasses say how tokens are read (``_tokens``, ``_read_file``) and looked up.

    >>> from lamina import layers
    >>> layer = layers.IntegerLookup(vocabulary=[7, 9])
    >>> isinstance(layer, IndexLookup), layer.vocabulary_size()
    (True, 3)
    """

    autocast = False

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                 idf_weights, invert, output_mode, pad_to_max_tokens, sparse, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else K.floatx()
        super().__init__(**kwargs)
        where = f"{type(self).__name__} {self.name!r}"
        encoding.check_mode(where, output_mode, _MODES)
        encoding.check_not_sparse(where, sparse)
        self.max_tokens = _count_arg(f"{where}: max_tokens", max_tokens, 2, True)
        self.num_oov_indices = _count_arg(f"{where}: num_oov_indices", num_oov_indices, 0,
                                          False)
        if invert and output_mode != "int":
            raise ValueError(f"{where}: invert=True maps indices back to tokens and needs "
                             f"output_mode='int'; received output_mode={output_mode!r}.")
        if pad_to_max_tokens and self.max_tokens is None:
            raise ValueError(f"{where}: pad_to_max_tokens=True needs max_tokens.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{where}: idf_weights are only used with output_mode='tf_idf'; "
                             f"received output_mode={output_mode!r}.")
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse = sparse
        self._vocabulary = []
        self._idf_weights = None
        self._vocabulary_changed()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{where}: idf_weights need a vocabulary; received idf_weights "
                             f"without one.")

    # -- the index layout --------------------------------------------------------
    def _has_mask_index(self):
        return self.mask_token is not None and self.output_mode == "int"

    def _oov_start(self):
        return 1 if self._has_mask_index() else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def get_vocabulary(self, include_special_tokens=True):
        """The tokens in index order: the mask token (``output_mode="int"`` only), the OOV
        token once per OOV index, then the vocabulary; only the vocabulary when
        ``include_special_tokens`` is False.

        >>> from lamina import layers
        >>> layers.StringLookup(vocabulary=["x"]).get_vocabulary(include_special_tokens=False)
        ['x']
        """
        if not include_special_tokens:
            return list(self._vocabulary)
        special = [self.mask_token] if self._has_mask_index() else []
        return special + [self.oov_token] * self.num_oov_indices + list(self._vocabulary)

    def vocabulary_size(self):
        """The number of indices: special tokens and vocabulary.

        >>> from lamina import layers
        >>> layers.IntegerLookup(vocabulary=[3, 5], num_oov_indices=2).vocabulary_size()
        4
        """
        return self._token_start() + len(self._vocabulary)

    def _depth(self):
        """The width of the encoded vectors (non-int modes)."""
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    # -- setting the vocabulary --------------------------------------------------
    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary by ``vocabulary`` (a list or array of tokens, or the path
        of a text file with one token per line). It may start with the special tokens
        in index order, which are then dropped; it may not hold them elsewhere, nor
        repeat a token. ``idf_weights`` (one per token) are required in ``"tf_idf"`` mode.

        >>> from lamina import layers
        >>> layer = layers.StringLookup()
        >>> layer.set_vocabulary(["[UNK]", "cat", "dog"])
        >>> layer.get_vocabulary()
        ['[UNK]', 'cat', 'dog']
        """
        where = f"{type(self).__name__} layer {self.name!r}"
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = self._read_file(os.fspath(vocabulary))
        tokens = [self._token(t) for t in np.asarray(vocabulary, dtype=object).ravel()]
        special = self.get_vocabulary()[:self._token_start()]
        if special and tokens[:len(special)] == special:
            tokens = tokens[len(special):]
        for name, token in (("mask token", self.mask_token), ("OOV token", self.oov_token)):
            if token is not None and token in tokens:
                raise ValueError(f"{where}: the vocabulary holds the {name} {token!r} at "
                                 f"position {tokens.index(token)}; special tokens may only "
                                 f"come first, in index order ({special}).")
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{where}: the vocabulary repeats the tokens {repeated[:5]}.")
        if self.max_tokens is not None and len(tokens) + self._token_start() > self.max_tokens:
            raise ValueError(f"{where}: a vocabulary of {len(tokens)} tokens and "
                             f"{self._token_start()} special indices exceeds max_tokens="
                             f"{self.max_tokens}.")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{where}: output_mode='tf_idf' needs idf_weights with the "
                                 f"vocabulary.")
            idf_weights = np.asarray(idf_weights, "float64").ravel()
            if idf_weights.size not in (len(tokens), len(tokens) + self._token_start()):
                raise ValueError(f"{where}: received {idf_weights.size} idf_weights for a "
                                 f"vocabulary of {len(tokens)} tokens.")
            idf_weights = idf_weights[idf_weights.size - len(tokens):]
        elif idf_weights is not None:
            raise ValueError(f"{where}: idf_weights are only used with output_mode='tf_idf'.")
        self._vocabulary = tokens
        self._idf_weights = idf_weights
        self._vocabulary_changed()

    def _read_file(self, path):
        with open(path, encoding="utf-8") as f:
            return [line.rstrip("\r\n") for line in f]

    # -- adapt -------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and, in ``"tf_idf"`` mode, the IDF weights) from ``data``
        (arrays, lists, tensors, an iterable of batches or a ``PyDataset``), replacing
        the current one. Each row of the data is one document.

        >>> from lamina import layers
        >>> layer = layers.IntegerLookup()
        >>> layer.adapt([[12, 1138, 42], [42, 1000, 36]])
        >>> layer.get_vocabulary()
        [-1, 42, 1138, 1000, 36, 12]
        """
        where = f"{type(self).__name__} layer {self.name!r}"
        self.adapt_documents(document for batch in batches(data, where, batch_size, steps)
                             for document in self._documents(batch))

    def adapt_documents(self, documents):
        """Learn the vocabulary from ``documents``, an iterable of token lists (what
        ``TextVectorization`` hands its lookup after splitting its texts).

        >>> from lamina import layers
        >>> layer = layers.StringLookup()
        >>> layer.adapt_documents([["x", "y"], ["y"]])
        >>> layer.get_vocabulary()
        ['[UNK]', 'y', 'x']
        """
        counts, total, containing = collections.Counter(), 0, collections.Counter()
        for document in documents:
            counts.update(document)
            total += 1
            if self.output_mode == "tf_idf":
                containing.update(set(document))
        self._set_counts(counts, total, containing)

    def _documents(self, batch):
        """The documents of a batch (NumPy array): lists of tokens."""
        tokens = self._tokens(batch)
        if tokens.ndim <= 1:
            return [[t] for t in tokens.ravel().tolist()]
        return [row.ravel().tolist() for row in tokens]

    def _set_counts(self, counts, documents, containing):
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:max(0, self.max_tokens - self._token_start())]
        self._vocabulary = [token for token, _ in ranked]
        self._idf_weights = None
        if self.output_mode == "tf_idf":
            self._idf_weights = np.array([math.log(1 + documents / (1 + containing[t]))
                                          for t in self._vocabulary], "float64")
        self._vocabulary_changed()

    def _vocabulary_changed(self):
        """Rebuild what the lookup reads; subclasses extend it."""

    def _idf_vector(self):
        """The IDF weight of every index, OOV indices first, padded to the output width."""
        weights = self._idf_weights
        oov = float(weights.mean()) if weights.size else 0.0
        vector = np.concatenate([np.full(self._token_start(), oov), weights])
        return np.pad(vector, (0, self._depth() - vector.size))

    # -- outputs -----------------------------------------------------------------
    def _encode(self, indices):
        """The layer's output for int64 ``indices`` (-1 for tokens with no index)."""
        if self.output_mode == "int":
            return indices if self.dtype == "int64" else K.cast(indices, self.dtype)
        idf = None
        if self.output_mode == "tf_idf":
            if self._idf_weights is None:
                raise ValueError(f"{type(self).__name__} layer {self.name!r} has "
                                 f"output_mode='tf_idf' but no IDF weights yet: call adapt, "
                                 f"or set_vocabulary with idf_weights, first.")
            idf = K.convert_to_tensor(self._idf_vector().astype(self.dtype))
        return encoding.encode(indices, self._depth(), self.output_mode, self.dtype,
                               idf_weights=idf)

    def _unknown_error(self, unknown):
        return ValueError(
            f"{type(self).__name__} layer {self.name!r} has num_oov_indices=0, so every input "
            f"must be in its vocabulary; received the out-of-vocabulary tokens "
            f"{unknown[:5]}. Set num_oov_indices >= 1 to map them to an OOV index.")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoding.output_shape(input_shape, self._depth(), self.output_mode)

    def get_config(self):
        config = super().get_config()
        config.update(
            max_tokens=self.max_tokens, num_oov_indices=self.num_oov_indices,
            mask_token=self.mask_token, oov_token=self.oov_token,
            vocabulary=list(self._vocabulary) or None,
            idf_weights=None if self._idf_weights is None else self._idf_weights.tolist(),
            invert=self.invert, output_mode=self.output_mode,
            pad_to_max_tokens=self.pad_to_max_tokens, sparse=self.sparse)
        return config
