"""pad_sequences: Keras' padding and truncating rules, string and nested entries, errors."""

import numpy as np
import pytest

import lamina
from lamina.utils import pad_sequences

SEQS = [[1, 2, 3, 4], [5, 6], []]


def test_defaults_pad_and_truncate_at_the_front_to_the_longest_sequence():
    out = pad_sequences(SEQS)
    assert out.dtype == np.int32
    assert out.tolist() == [[1, 2, 3, 4], [0, 0, 5, 6], [0, 0, 0, 0]]


@pytest.mark.parametrize("padding, truncating, expected", [
    ("pre", "pre", [[2, 3, 4], [0, 5, 6], [0, 0, 0]]),
    ("post", "pre", [[2, 3, 4], [5, 6, 0], [0, 0, 0]]),
    ("pre", "post", [[1, 2, 3], [0, 5, 6], [0, 0, 0]]),
    ("post", "post", [[1, 2, 3], [5, 6, 0], [0, 0, 0]]),
])
def test_maxlen_with_each_padding_and_truncating_side(padding, truncating, expected):
    out = pad_sequences(SEQS, maxlen=3, padding=padding, truncating=truncating)
    assert out.tolist() == expected


def test_value_dtype_and_zero_maxlen():
    out = pad_sequences([[0.5], [1.5, 2.5]], dtype="float32", value=-1.0)
    assert out.dtype == np.float32 and out.tolist() == [[-1.0, 0.5], [1.5, 2.5]]
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)


def test_string_sequences_with_a_string_dtype():
    out = pad_sequences([["a", "b"], ["c"]], dtype="<U5", value="pad", padding="post")
    assert out.tolist() == [["a", "b"], ["c", "pad"]]


def test_entries_that_are_vectors_keep_their_shape():
    out = pad_sequences([[[1, 1]], [[2, 2], [3, 3]]])
    assert out.shape == (2, 2, 2)
    assert out.tolist() == [[[0, 0], [1, 1]], [[2, 2], [3, 3]]]


def test_exported_under_preprocessing_sequence():
    assert lamina.preprocessing.sequence.pad_sequences is pad_sequences


@pytest.mark.parametrize("kwargs, match", [
    (dict(padding="middle"), "`padding` must be 'pre' or 'post'; received 'middle'"),
    (dict(truncating="both"), "`truncating` must be 'pre' or 'post'"),
    (dict(maxlen=-1), "`maxlen` must be None or an int >= 0; received -1"),
    (dict(value="x"), "`dtype` 'int32' cannot hold the string `value`"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(SEQS, **kwargs)


def test_sequences_must_be_sequences():
    with pytest.raises(ValueError, match=r"`sequences\[1\]` must be a sequence"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="`sequences` must be a list"):
        pad_sequences(5)
    with pytest.raises(ValueError, match=r"`sequences\[1\]` have shape \(3,\), expected "
                                         r"\(2,\)"):
        pad_sequences([[[1, 1]], [[2, 2, 2]]])
