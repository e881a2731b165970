"""pad_sequences: lists of sequences of different lengths as one padded array.

>>> pad_sequences([[1, 2, 3], [4]]).tolist()
[[1, 2, 3], [0, 0, 4]]
"""

import numpy as np


def _sample_shape(sequences):
    for seq in sequences:
        if len(seq):
            return np.asarray(seq).shape[1:]
    return ()


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (and cut) each sequence to the same length: ``maxlen``, or the longest one.

    ``padding="pre"`` puts the ``value`` entries before a short sequence, ``"post"``
    after it; ``truncating="pre"`` drops the first entries of a long sequence,
    ``"post"`` its last ones. ``dtype`` may be a string dtype (``"str"``, ``object``)
    for sequences of words. Returns a NumPy array ``(len(sequences), maxlen)`` (plus
    the shape of each entry when entries are themselves arrays).

    >>> pad_sequences([[1, 2, 3], [4, 5]], maxlen=2, padding="post").tolist()
    [[2, 3], [4, 5]]
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, truncating="post", value=-1).tolist()
    [[1, 2], [-1, 4]]
    >>> pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>").tolist()
    [['a', 'b'], ['<pad>', 'c']]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list (or other sized iterable) "
                         f"of sequences; received {type(sequences).__name__}.")
    lengths = []
    for i, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(f"pad_sequences: `sequences[{i}]` must be a sequence (list, "
                             f"tuple, array); received {seq!r}.")
        lengths.append(len(seq))
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(f"pad_sequences: `{name}` must be 'pre' or 'post'; received "
                             f"{option!r}.")
    if maxlen is None:
        maxlen = max(lengths, default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: `maxlen` must be None or an int >= 0; received "
                         f"{maxlen!r}.")
    is_text = np.dtype(dtype).kind in "USO"
    if isinstance(value, str) and not is_text:
        raise ValueError(f"pad_sequences: `dtype` {dtype!r} cannot hold the string `value` "
                         f"{value!r}; use dtype=object or a string dtype.")
    out = np.full((len(lengths), maxlen) + _sample_shape(sequences), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != out.shape[2:]:
            raise ValueError(f"pad_sequences: the entries of `sequences[{i}]` have shape "
                             f"{kept.shape[1:]}, expected {out.shape[2:]} like the first "
                             "non-empty sequence.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
