"""Keras 2's text preprocessing: ``Tokenizer`` (words to integer indices, counts and
document matrices), ``text_to_word_sequence``, ``one_hot`` and ``hashing_trick``.

>>> tokenizer = Tokenizer()
>>> tokenizer.fit_on_texts(["the cat sat", "the dog"])
>>> tokenizer.texts_to_sequences(["the dog sat"])
[[1, 4, 3]]
"""

import hashlib
import json
from collections import OrderedDict, defaultdict

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Split a text into words: lowercased (``lower``), every character of ``filters``
    replaced by ``split``, then split on ``split`` with empty words dropped.

    >>> text_to_word_sequence("Hello, World!  Again.")
    ['hello', 'world', 'again']
    """
    if not isinstance(input_text, str):
        raise TypeError("text_to_word_sequence: `input_text` must be a str; received "
                        f"{type(input_text).__name__}.")
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def _md5(word):
    return int(hashlib.md5(word.encode("utf-8")).hexdigest(), 16)


def hashing_trick(text, n, hash_function="md5", filters=DEFAULT_FILTERS, lower=True,
                  split=" "):
    """Each word of ``text`` as an index in ``[1, n)``: ``hash_function(word) % (n - 1) + 1``
    (0 is left free for padding). The default ``"md5"`` gives the same indices in every
    process (Python's ``hash`` of a str changes between runs); ``hash_function`` may
    also be any callable from str to int.

    >>> hashing_trick("the cat the", 100)
    [51, 3, 51]
    >>> hashing_trick("ab", 10, hash_function=len)
    [3]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"hashing_trick: `n` must be an int >= 2; received {n!r}.")
    if hash_function is None or hash_function == "md5":
        hash_function = _md5
    elif not callable(hash_function):
        raise ValueError("hashing_trick: `hash_function` must be 'md5' or a callable from "
                         f"str to int; received {hash_function!r}.")
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Each word of ``input_text`` as an index in ``[1, n)`` by hashing: ``hashing_trick``
    with the md5 hash (equal words get equal indices; different words may collide).

    >>> one_hot("The cat, the hat", 100)
    [51, 3, 51, 24]
    """
    return hashing_trick(input_text, n, hash_function="md5", filters=filters, lower=lower,
                         split=split)


class Tokenizer:
    """Turn texts into sequences of word indices (1 for the most frequent word) or into
    one vector per text (``texts_to_matrix``).

    ``num_words`` keeps only the ``num_words - 1`` most frequent words when converting
    (the index counts themselves are kept whole); ``filters``, ``lower`` and ``split``
    are as in :func:`text_to_word_sequence`; ``char_level`` makes every character a
    token; ``oov_token`` (index 1 when given) stands for words not in the vocabulary.

    >>> tokenizer = Tokenizer(num_words=3, oov_token="?")
    >>> tokenizer.fit_on_texts(["a b b", "b c"])
    >>> tokenizer.word_index
    {'?': 1, 'b': 2, 'a': 3, 'c': 4}
    >>> tokenizer.texts_to_sequences(["a b d"])
    [[1, 2, 1]]
    >>> tokenizer.texts_to_matrix(["b b a"], mode="count").tolist()
    [[0.0, 1.0, 2.0]]
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, document_count=0, **kwargs):
        if kwargs:
            raise TypeError(f"Tokenizer: unknown arguments {sorted(kwargs)}.")
        if num_words is not None and (isinstance(num_words, bool) or num_words < 1):
            raise ValueError(f"Tokenizer: `num_words` must be None or an int >= 1; received "
                             f"{num_words!r}.")
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.document_count = document_count
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}
        self.index_docs = defaultdict(int)

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return list(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower,
                                     split=self.split)

    def fit_on_texts(self, texts):
        """Count the words of ``texts`` (strings, or lists of tokens) and index them by
        decreasing count (ties keep their first-seen order).

        >>> t = Tokenizer(); t.fit_on_texts(["x y", "y"]); dict(t.word_counts), t.word_index
        ({'x': 1, 'y': 2}, {'y': 1, 'x': 2})
        """
        if isinstance(texts, str):
            raise TypeError("Tokenizer.fit_on_texts: `texts` must be a list of texts; "
                            "received one str (wrap it in a list).")
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for word in tokens:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(tokens):
                self.word_docs[word] += 1
        ranked = sorted(self.word_counts.items(), key=lambda item: -item[1])
        vocabulary = ([] if self.oov_token is None else [self.oov_token])
        vocabulary += [word for word, _ in ranked]
        self.word_index = dict(zip(vocabulary, range(1, len(vocabulary) + 1)))
        self.index_word = {index: word for word, index in self.word_index.items()}
        self.index_docs = defaultdict(int, {self.word_index[w]: c
                                            for w, c in self.word_docs.items()})

    def fit_on_sequences(self, sequences):
        """Count in how many sequences each index occurs (what ``tfidf`` needs) when the
        word index comes from elsewhere.

        >>> t = Tokenizer(); t.fit_on_sequences([[1, 2, 2], [2]]); dict(t.index_docs)
        {1: 1, 2: 2}
        """
        for seq in sequences:
            self.document_count += 1
            for index in set(seq):
                self.index_docs[index] += 1

    def _oov_index(self):
        return self.word_index.get(self.oov_token) if self.oov_token is not None else None

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices; words out of the vocabulary (or beyond
        ``num_words``) become ``oov_token``'s index, or are dropped without one.

        >>> t = Tokenizer(); t.fit_on_texts(["a a b"]); t.texts_to_sequences(["b a z"])
        [[2, 1]]
        """
        if isinstance(texts, str):
            raise TypeError("Tokenizer.texts_to_sequences: `texts` must be a list of texts; "
                            "received one str (wrap it in a list).")
        oov = self._oov_index()
        result = []
        for text in texts:
            seq = []
            for word in self._tokens(text):
                index = self.word_index.get(word)
                if index is not None and self.num_words and index >= self.num_words:
                    index = oov
                elif index is None:
                    index = oov
                if index is not None:
                    seq.append(index)
            result.append(seq)
        return result

    def sequences_to_texts(self, sequences):
        """The inverse of ``texts_to_sequences``: indices back to words joined by spaces.

        >>> t = Tokenizer(); t.fit_on_texts(["a a b"]); t.sequences_to_texts([[2, 1, 7]])
        ['b a']
        """
        oov = self._oov_index()
        texts = []
        for seq in sequences:
            words = []
            for index in seq:
                index = int(index)
                word = self.index_word.get(index)
                if word is not None and self.num_words and index >= self.num_words:
                    word = None if oov is None else self.index_word[oov]
                elif word is None and oov is not None:
                    word = self.index_word[oov]
                if word is not None:
                    words.append(word)
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode="binary"):
        """One row per text with a column per word index: ``binary`` (present or not),
        ``count``, ``freq`` (count / text length) or ``tfidf``.

        >>> t = Tokenizer(); t.fit_on_texts(["a a b"]); t.texts_to_matrix(["a b b"]).tolist()
        [[0.0, 1.0, 1.0]]
        """
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Rows of ``texts_to_matrix`` from sequences of indices.

        >>> Tokenizer(num_words=4).sequences_to_matrix([[1, 3, 3]], mode="freq").round(2).tolist()
        [[0.0, 0.33, 0.0, 0.67]]
        """
        if mode not in MODES:
            raise ValueError(f"Tokenizer: `mode` must be one of {MODES}; received {mode!r}.")
        width = self.num_words or (len(self.word_index) + 1 if self.word_index else None)
        if width is None:
            raise ValueError("Tokenizer: give `num_words` or call fit_on_texts before making "
                             "a matrix; the number of columns is unknown.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer: mode='tfidf' needs document counts; call "
                             "fit_on_texts (or fit_on_sequences) first.")
        matrix = np.zeros((len(sequences), width))
        for row, seq in enumerate(sequences):
            counts = defaultdict(int)
            for index in seq:
                if index < width:
                    counts[index] += 1
            for index, count in counts.items():
                if mode == "count":
                    matrix[row, index] = count
                elif mode == "freq":
                    matrix[row, index] = count / len(seq)
                elif mode == "binary":
                    matrix[row, index] = 1.0
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(index, 0)))
                    matrix[row, index] = (1 + np.log(count)) * idf
        return matrix

    def get_config(self):
        """The settings and learned counts, JSON-encoded where they are tables.

        >>> sorted(Tokenizer().get_config())[:3]
        ['char_level', 'document_count', 'filters']
        """
        return {
            "num_words": self.num_words, "filters": self.filters, "lower": self.lower,
            "split": self.split, "char_level": self.char_level, "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """The tokenizer as a JSON string (``json.dumps`` keyword arguments pass through);
        :func:`tokenizer_from_json` reads it back.

        >>> t = Tokenizer(); t.fit_on_texts(["a b"])
        >>> tokenizer_from_json(t.to_json()).word_index
        {'a': 1, 'b': 2}
        """
        return json.dumps({"class_name": "Tokenizer", "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """A :class:`Tokenizer` from the string ``Tokenizer.to_json`` wrote.

    >>> tokenizer_from_json(Tokenizer(num_words=5).to_json()).num_words
    5
    """
    data = json.loads(json_string)
    if data.get("class_name") != "Tokenizer" or "config" not in data:
        raise ValueError("tokenizer_from_json: `json_string` is not a Tokenizer's to_json() "
                         f"output (class_name {data.get('class_name')!r}).")
    config = dict(data["config"])
    tables = {name: json.loads(config.pop(name)) for name in
              ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(tables["word_counts"])
    tokenizer.word_docs = defaultdict(int, tables["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in tables["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in tables["index_word"].items()}
    tokenizer.word_index = tables["word_index"]
    return tokenizer
