"""TextVectorization: standardization, splitting, n-grams, output modes, adapt and
configs (the engine comes from LAMINA_BACKEND)."""

import math

import numpy as np
import pytest

from lamina import backend as K, layers
from lamina.utils import PyDataset


def as_numpy(x):
    return np.asarray(K.convert_to_numpy(x))


TEXTS = ["The cat sat.", "The DOG, the cat!", "a bird"]


class Texts(PyDataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        return np.array(TEXTS[:2] if index == 0 else TEXTS[2:])


@pytest.mark.parametrize("source", ["list", "array_column", "pydataset", "generator"])
def test_adapt_learns_the_standardized_vocabulary_from_any_source(source):
    data = {"list": TEXTS, "array_column": np.array(TEXTS)[:, None], "pydataset": Texts(),
            "generator": (np.array([t]) for t in TEXTS)}[source]
    layer = layers.TextVectorization()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "dog", "bird", "a"]


def test_int_output_pads_to_the_longest_text_or_to_output_sequence_length():
    layer = layers.TextVectorization(vocabulary=["the", "cat"])
    out = layer(["the cat", "cat the the cat zebra"])
    assert K.standardize_dtype(out.dtype) == "int64"
    assert as_numpy(out).tolist() == [[2, 3, 0, 0, 0], [3, 2, 2, 3, 1]]
    fixed = layers.TextVectorization(vocabulary=["the", "cat"], output_sequence_length=3)
    assert as_numpy(fixed(np.array([["the cat the cat"], ["cat"]]))).tolist() == [
        [2, 3, 2], [3, 0, 0]]


def test_standardize_split_and_ngrams_settings():
    chars = layers.TextVectorization(standardize="lower", split="character",
                                     vocabulary=["a", "b", "!"])
    assert as_numpy(chars(["Ab!"])).tolist() == [[2, 3, 4]]
    whole = layers.TextVectorization(standardize=None, split=None, vocabulary=["Hi there"])
    assert as_numpy(whole(["Hi there", "hi there"])).tolist() == [[2], [1]]
    grams = layers.TextVectorization(ngrams=2)
    grams.adapt(["x y z"])
    assert sorted(grams.get_vocabulary()[2:]) == ["x", "x y", "y", "y z", "z"]
    custom = layers.TextVectorization(standardize=lambda s: s.replace("-", " "),
                                      split=lambda s: s.split(" "), vocabulary=["a", "b"])
    assert as_numpy(custom(["a-b"])).tolist() == [[2, 3]]


def test_count_modes_and_pad_to_max_tokens():
    layer = layers.TextVectorization(max_tokens=6, output_mode="multi_hot",
                                     pad_to_max_tokens=True)
    layer.adapt(TEXTS)
    assert layer.get_vocabulary() == ["[UNK]", "the", "cat", "sat", "dog", "bird"]
    out = as_numpy(layer(["the the zebra", ""]))
    assert out.tolist() == [[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]


def test_tf_idf_from_adapt():
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(["a b", "a a", "c"])
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    idf = [math.log(1 + 3 / (1 + k)) for k in (2, 1, 1)]
    np.testing.assert_allclose(as_numpy(layer(["a a b"]))[0],
                               [0.0, 2 * idf[0], 0.0, idf[2]], rtol=1e-6)


def test_errors_name_the_setting():
    with pytest.raises(ValueError, match="output_sequence_length must be a positive int"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="ragged=True is not supported"):
        layers.TextVectorization(ragged=True)
    with pytest.raises(ValueError, match="split must be None, a callable or one of"):
        layers.TextVectorization(split="comma")
    with pytest.raises(ValueError, match=r"expects texts of shape \(batch,\) or \(batch, 1\)"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="expects strings"):
        layers.TextVectorization(vocabulary=["a"])([3, 4])


def test_config_round_trip_keeps_the_vocabulary():
    layer = layers.TextVectorization(max_tokens=10, ngrams=(1, 2), output_sequence_length=4)
    layer.adapt(TEXTS)
    clone = layers.TextVectorization.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    assert as_numpy(clone(TEXTS)).tolist() == as_numpy(layer(TEXTS)).tolist()
