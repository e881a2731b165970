"""Keras 2's text preprocessing: Tokenizer, text_to_word_sequence, one_hot, hashing_trick."""

import hashlib

import numpy as np
import pytest

from lamina.preprocessing.text import (Tokenizer, hashing_trick, one_hot,
                                       text_to_word_sequence, tokenizer_from_json)

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "cat, dog; cat?"]


def fitted(**kwargs):
    tokenizer = Tokenizer(**kwargs)
    tokenizer.fit_on_texts(TEXTS)
    return tokenizer


def test_text_to_word_sequence_filters_lowers_and_splits():
    assert text_to_word_sequence("Hi, there!\tYou.") == ["hi", "there", "you"]
    assert text_to_word_sequence("A-B c", filters="", lower=False) == ["A-B", "c"]
    assert text_to_word_sequence("a;b;;c", filters="", split=";") == ["a", "b", "c"]


def test_word_index_ranks_by_count_with_ties_in_first_seen_order():
    tokenizer = fitted()
    # counts: the 3, cat 3, dog 2, then sat on mat ate my homework once each.
    assert tokenizer.word_index == {"the": 1, "cat": 2, "dog": 3, "sat": 4, "on": 5, "mat": 6,
                                    "ate": 7, "my": 8, "homework": 9}
    assert tokenizer.index_word[3] == "dog"
    assert tokenizer.word_counts["cat"] == 3 and tokenizer.word_docs["cat"] == 2
    assert tokenizer.document_count == 3


def test_texts_to_sequences_and_back():
    tokenizer = fitted()
    assert tokenizer.texts_to_sequences(["the cat ate a fish"]) == [[1, 2, 7]]
    assert tokenizer.sequences_to_texts([[1, 2, 7, 99]]) == ["the cat ate"]


def test_num_words_keeps_the_most_frequent_and_oov_token_replaces_the_rest():
    tokenizer = fitted(num_words=4, oov_token="<oov>")
    assert tokenizer.word_index["<oov>"] == 1 and tokenizer.word_index["the"] == 2
    assert tokenizer.texts_to_sequences(["the cat dog sat zebra"]) == [[2, 3, 1, 1, 1]]
    assert tokenizer.sequences_to_texts([[2, 3, 7]]) == ["the cat <oov>"]
    plain = fitted(num_words=3)
    assert plain.texts_to_sequences(["the cat dog sat"]) == [[1, 2]]


def test_char_level_and_lists_of_tokens():
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(["abba", "Ac"])
    assert tokenizer.word_index == {"a": 1, "b": 2, "c": 3}
    assert tokenizer.texts_to_sequences(["cab"]) == [[3, 1, 2]]
    words = Tokenizer()
    words.fit_on_texts([["New York", "is"], ["new york"]])
    assert words.word_index == {"new york": 1, "is": 2}


def test_texts_to_matrix_modes():
    tokenizer = fitted()
    text = ["the cat the"]
    assert tokenizer.texts_to_matrix(text, mode="binary")[0, :4].tolist() == [0, 1, 1, 0]
    assert tokenizer.texts_to_matrix(text, mode="count")[0, :4].tolist() == [0, 2, 1, 0]
    freq = tokenizer.texts_to_matrix(text, mode="freq")[0, :4]
    np.testing.assert_allclose(freq, [0, 2 / 3, 1 / 3, 0])
    tfidf = tokenizer.texts_to_matrix(text, mode="tfidf")[0]
    # "the" occurs twice here and in 2 of 3 documents; "cat" once here, in 2 documents.
    np.testing.assert_allclose(tfidf[1], (1 + np.log(2)) * np.log(1 + 3 / 3))
    np.testing.assert_allclose(tfidf[2], np.log(1 + 3 / 3))
    assert tokenizer.texts_to_matrix(text).shape == (1, 10)


def test_matrix_width_is_num_words_and_errors_without_a_vocabulary():
    assert Tokenizer(num_words=5).sequences_to_matrix([[1, 7]]).tolist() == [[0, 1, 0, 0, 0]]
    with pytest.raises(ValueError, match="give `num_words` or call fit_on_texts"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="mode='tfidf' needs document counts"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match="`mode` must be one of .* received 'tf'"):
        fitted().texts_to_matrix(["a"], mode="tf")


def test_json_round_trip_keeps_settings_and_vocabulary():
    tokenizer = fitted(num_words=6, oov_token="?")
    restored = tokenizer_from_json(tokenizer.to_json())
    assert restored.word_index == tokenizer.word_index
    assert restored.index_word == tokenizer.index_word
    assert (restored.num_words, restored.oov_token, restored.document_count) == (6, "?", 3)
    text = ["the dog sat on a cat"]
    assert restored.texts_to_sequences(text) == tokenizer.texts_to_sequences(text)
    np.testing.assert_array_equal(restored.texts_to_matrix(text, "tfidf"),
                                  tokenizer.texts_to_matrix(text, "tfidf"))
    with pytest.raises(ValueError, match="not a Tokenizer's to_json"):
        tokenizer_from_json('{"class_name": "Other"}')


def test_hashing_is_md5_based_and_reproducible():
    expected = [int(hashlib.md5(w.encode()).hexdigest(), 16) % 9 + 1 for w in ("a", "b", "a")]
    assert hashing_trick("a b a", 10) == expected
    assert one_hot("A, b a", 10) == expected
    assert all(1 <= i < 10 for i in one_hot("lots of different words here", 10))
    assert hashing_trick("ab c", 4, hash_function=len) == [2 % 3 + 1, 1 % 3 + 1]


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="`n` must be an int >= 2; received 1"):
        one_hot("a", 1)
    with pytest.raises(ValueError, match="`hash_function` must be 'md5' or a callable"):
        hashing_trick("a", 5, hash_function="sha1")
    with pytest.raises(ValueError, match="`num_words` must be None or an int >= 1"):
        Tokenizer(num_words=0)
    with pytest.raises(TypeError, match="`texts` must be a list of texts; received one str"):
        Tokenizer().fit_on_texts("a text")
    with pytest.raises(TypeError, match="`input_text` must be a str"):
        text_to_word_sequence(3)
