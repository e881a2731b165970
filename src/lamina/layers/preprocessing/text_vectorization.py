"""TextVectorization: texts to sequences of token indices or to token-count vectors
(Keras 3's ``keras.layers.TextVectorization``).

Each text is standardized (``"lower_and_strip_punctuation"``: lowercased, ASCII
punctuation ``string.punctuation`` removed), split (``"whitespace"``: runs of
whitespace; ``"character"``: each character), optionally joined into n-grams
(tokens separated by one space), then looked up in a ``StringLookup`` whose mask
token is ``""`` and OOV token ``"[UNK]"``.

JAX and torch have no string tensors, so the layer works eagerly on NumPy arrays and
lists of ``str``, in the data pipeline before the model, as Keras 3 does on its
non-TensorFlow backends; the result is an engine tensor of int64 indices (or of
floats in the count modes). Custom ``standardize`` and ``split`` callables receive
one Python ``str`` and return a ``str`` and a list of ``str`` (Keras hands them
TensorFlow string tensors, which lamina has not).

>>> from lamina import layers
>>> layer = layers.TextVectorization(vocabulary=["the", "cat"])
>>> layer(["The cat!", "a cat"]).tolist()
[[2, 3], [1, 3]]
"""

import re
import string

import numpy as np

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.layers.preprocessing.adapt_data import EagerStringCall, batches, string_array
from lamina.layers.preprocessing.string_lookup import StringLookup

_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
_STANDARDIZE = {
    "lower_and_strip_punctuation": lambda text: _PUNCTUATION.sub("", text.lower()),
    "lower": str.lower,
    "strip_punctuation": lambda text: _PUNCTUATION.sub("", text),
}
_SPLIT = {"whitespace": str.split, "character": list}


def _ngram_sizes(ngrams, where):
    if ngrams is None:
        return None
    if isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams >= 1:
        return tuple(range(1, ngrams + 1))
    if isinstance(ngrams, (list, tuple)) and ngrams and all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in ngrams):
        return tuple(ngrams)
    raise ValueError(f"{where}: ngrams must be None, a positive int or a tuple of positive "
                     f"ints; received {ngrams!r}.")


def _choice(value, table, name, where):
    if value is None or callable(value):
        return value
    if value not in table:
        raise ValueError(f"{where}: {name} must be None, a callable or one of "
                         f"{sorted(table)}; received {value!r}.")
    return table[value]


class TextVectorization(EagerStringCall, Layer):
    """Turn texts into sequences of token indices, or into multi-hot, count or TF-IDF
    vectors over a vocabulary.

    ``TextVectorization(max_tokens=None, standardize="lower_and_strip_punctuation",
    split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
    pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
    ragged=False, encoding="utf-8", name=None)``.

    ``standardize``: ``"lower_and_strip_punctuation"``, ``"lower"``,
    ``"strip_punctuation"``, None or a callable ``str -> str``. ``split``:
    ``"whitespace"``, ``"character"``, None (the whole text is one token) or a callable
    ``str -> list of str``. ``ngrams``: None, ``n`` (all n-grams from 1 to ``n``) or
    a tuple of sizes. The vocabulary is given (a list or a file with one token per
    line) or learned with ``adapt(data, batch_size=None, steps=None)``; ``max_tokens``
    counts the special tokens. In ``output_mode="int"`` index 0 is padding (``""``)
    and 1 the OOV token ``"[UNK]"``; each text becomes a row of indices, padded with 0
    to the longest text of the batch, or padded or cut to
    ``output_sequence_length``. ``"multi_hot"``, ``"count"`` and ``"tf_idf"`` give one
    vector per text of ``vocabulary_size()`` (``max_tokens`` with
    ``pad_to_max_tokens``), index 0 being ``"[UNK]"``. ``sparse`` and ``ragged``
    outputs are refused (dense tensors only).

    Inputs: a ``str``, or a NumPy array or list of ``str`` of shape ``(batch,)`` or
    ``(batch, 1)``, eagerly (see :mod:`lamina.layers.preprocessing.text_vectorization`).

    >>> from lamina import layers
    >>> layer = layers.TextVectorization(max_tokens=5, output_sequence_length=4)
    >>> layer.adapt(["the cat sat", "the dog"])
    >>> layer.get_vocabulary()
    ['', '[UNK]', 'the', 'sat', 'dog']
    >>> layer(["the cat ran"]).tolist()
    [[2, 1, 1, 0]]
    >>> counts = layers.TextVectorization(vocabulary=["a", "b"], output_mode="count")
    >>> counts(["a b a", "c"]).tolist()
    [[0.0, 2.0, 1.0], [1.0, 0.0, 0.0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else K.floatx()
        super().__init__(name=name, **kwargs)
        where = f"TextVectorization {self.name!r}"
        _check_outputs(where, output_mode, sparse, ragged)
        if output_sequence_length is not None and (
                output_mode != "int" or isinstance(output_sequence_length, bool)
                or not isinstance(output_sequence_length, int) or output_sequence_length < 1):
            raise ValueError(f"{where}: output_sequence_length must be a positive int, and "
                             f"only with output_mode='int'; received "
                             f"output_sequence_length={output_sequence_length!r} with "
                             f"output_mode={output_mode!r}.")
        self._standardize = _choice(standardize, _STANDARDIZE, "standardize", where)
        self._split = _choice(split, _SPLIT, "split", where)
        self._ngram_sizes = _ngram_sizes(ngrams, where)
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.max_tokens = max_tokens
        self.sparse = sparse
        self.ragged = ragged
        self.encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, mask_token="", oov_token="[UNK]", vocabulary=vocabulary,
            idf_weights=idf_weights, output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens, encoding=encoding,
            name=f"{self.name}_lookup", dtype=self.dtype)

    # -- the vocabulary ------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The tokens in index order (see ``StringLookup.get_vocabulary``).

        >>> TextVectorization(vocabulary=["a"]).get_vocabulary()
        ['', '[UNK]', 'a']
        """
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The number of indices, special tokens included.

        >>> TextVectorization(vocabulary=["a"], output_mode="multi_hot").vocabulary_size()
        2
        """
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (and in ``"tf_idf"`` mode the IDF weights).

        >>> layer = TextVectorization()
        >>> layer.set_vocabulary(["sun", "moon"])
        >>> layer(["moon sun"]).tolist()
        [[3, 2]]
        """
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and IDF weights) from texts: a NumPy array or list of
        ``str``, an iterable of such batches, or a ``PyDataset``.

        >>> layer = TextVectorization()
        >>> layer.adapt(["b a", "b"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'b', 'a']
        """
        where = f"TextVectorization layer {self.name!r}"
        self._lookup_layer.adapt_documents(
            tokens for batch in batches(data, where, batch_size, steps)
            for tokens in self._tokenize(batch))

    # -- calling -------------------------------------------------------------------
    def call(self, inputs):
        """The indices (or vectors) of ``inputs`` (texts), eagerly."""
        scalar = isinstance(inputs, (str, bytes))
        documents = self._tokenize([inputs] if scalar else inputs)
        lookup = self._lookup_layer
        if self.output_mode == "int":
            length = self.output_sequence_length or max([len(d) for d in documents] + [0])
            rows = np.zeros((len(documents), length), "int64")
            for row, document in zip(rows, documents):
                indices = lookup.lookup(np.array(document[:length], dtype=str))
                row[:indices.size] = indices
            out = K.convert_to_tensor(rows)
        else:
            width = max([len(d) for d in documents] + [0])
            rows = np.full((len(documents), width), -1, "int64")
            for row, document in zip(rows, documents):
                row[:len(document)] = lookup.lookup(np.array(document, dtype=str))
            out = lookup._encode(K.convert_to_tensor(rows))
        return out[0] if scalar else out

    def _tokenize(self, texts):
        """The token lists of ``texts`` (shape ``(batch,)`` or ``(batch, 1)``)."""
        where = f"TextVectorization layer {self.name!r}"
        texts = string_array(texts, where, self.encoding)
        if texts.ndim == 2 and texts.shape[1] == 1:
            texts = texts[:, 0]
        if texts.ndim != 1:
            raise ValueError(f"{where} expects texts of shape (batch,) or (batch, 1); "
                             f"received shape {texts.shape}.")
        return [self._tokens(text) for text in texts.tolist()]

    def _tokens(self, text):
        if self._standardize is not None:
            text = self._standardize(text)
        tokens = [text] if self._split is None else list(self._split(text))
        if self._ngram_sizes is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self._ngram_sizes
                for i in range(len(tokens) - n + 1)]

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    def get_config(self):
        config = super().get_config()
        lookup = self._lookup_layer
        config.update(
            max_tokens=self.max_tokens, standardize=self.standardize, split=self.split,
            ngrams=self.ngrams, output_mode=self.output_mode,
            output_sequence_length=self.output_sequence_length,
            pad_to_max_tokens=self.pad_to_max_tokens,
            vocabulary=lookup.get_vocabulary(include_special_tokens=False) or None,
            idf_weights=None if lookup._idf_weights is None else lookup._idf_weights.tolist(),
            sparse=self.sparse, ragged=self.ragged, encoding=self.encoding)
        return config


def _check_outputs(where, output_mode, sparse, ragged):
    """Raise for an unknown ``output_mode``, ``sparse=True`` or ``ragged=True`` (a
    module function: ``__init__``'s ``encoding`` argument hides the module)."""
    encoding.check_mode(where, output_mode, ("int", "multi_hot", "count", "tf_idf"))
    encoding.check_not_sparse(where, sparse)
    if ragged:
        raise ValueError(f"{where}: ragged=True is not supported: lamina's engines have no "
                         f"ragged tensors. Use output_sequence_length to pad or cut the "
                         f"sequences, or ragged=False to pad to the batch's longest.")
