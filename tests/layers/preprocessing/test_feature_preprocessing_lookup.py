"""StringLookup and IntegerLookup: vocabularies, special tokens, encodings, inversion,
configs (the engine comes from LAMINA_BACKEND)."""

import math

import numpy as np
import pytest

import lamina
from lamina import backend as K, layers


def as_numpy(x):
    return np.asarray(K.convert_to_numpy(x))


# -- vocabularies ------------------------------------------------------------------

def test_adapt_orders_by_frequency_then_token_and_respects_max_tokens():
    data = [["b", "a", "c", "a"], ["c", "a", "d", "e"]]
    layer = layers.StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "e", "d", "b"]
    small = layers.StringLookup(max_tokens=4, mask_token="")
    small.adapt(np.array(data))
    assert small.get_vocabulary() == ["", "[UNK]", "a", "c"]
    assert small.vocabulary_size() == 4
    small.adapt([["z"]])
    assert small.get_vocabulary(include_special_tokens=False) == ["z"]


def test_integer_lookup_adapt_reads_generators_and_batch_size():
    layer = layers.IntegerLookup()
    layer.adapt((np.array([[5, 5, 9]]) for _ in range(2)))
    assert layer.get_vocabulary() == [-1, 5, 9]
    layer.adapt(np.array([3, 3, 4, 4, 4]), batch_size=2)
    assert layer.get_vocabulary() == [-1, 4, 3]


def test_vocabulary_file_and_leading_special_tokens(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("[UNK]\nsun\nmoon\n", encoding="utf-8")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "sun", "moon"]
    ints = tmp_path / "ints.txt"
    ints.write_text("7\n3\n", encoding="utf-8")
    assert layers.IntegerLookup(vocabulary=ints).get_vocabulary() == [-1, 7, 3]


def test_set_vocabulary_refuses_repeats_misplaced_specials_and_too_many_tokens():
    with pytest.raises(ValueError, match="repeats the tokens"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="holds the OOV token"):
        layers.StringLookup(vocabulary=["a", "[UNK]"])
    with pytest.raises(ValueError, match="exceeds max_tokens=2"):
        layers.IntegerLookup(max_tokens=2, vocabulary=[1, 2])


# -- lookups -----------------------------------------------------------------------

def test_string_lookup_indices_with_mask_and_several_oov_indices():
    layer = layers.StringLookup(vocabulary=["a", "b"], mask_token="", num_oov_indices=3)
    out = as_numpy(layer([["", "a", "b", "zz", "yy", "zz"]]))
    assert out[0, :3].tolist() == [0, 4, 5]
    assert all(1 <= v <= 3 for v in out[0, 3:]) and out[0, 3] == out[0, 5]
    assert K.standardize_dtype(layer(["a"]).dtype) == "int64"


def test_integer_lookup_oov_floormod_and_mask():
    layer = layers.IntegerLookup(vocabulary=[10, 20], mask_token=0, num_oov_indices=2)
    assert as_numpy(layer(np.array([0, 10, 20, 7, 8, -3]))).tolist() == [0, 3, 4, 2, 1, 2]


def test_layers_without_vocabulary_map_everything_to_the_oov_index():
    assert as_numpy(layers.StringLookup()(["a", "b"])).tolist() == [0, 0]
    assert as_numpy(layers.IntegerLookup(mask_token=0)(np.array([0, 5]))).tolist() == [0, 1]


def test_num_oov_indices_zero_raises_on_unknown_tokens():
    with pytest.raises(ValueError, match=r"out-of-vocabulary tokens \['z'\]"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(["a", "z"])
    with pytest.raises(ValueError, match=r"out-of-vocabulary tokens \[5\]"):
        layers.IntegerLookup(vocabulary=[1], num_oov_indices=0)(np.array([1, 5]))
    ok = layers.IntegerLookup(vocabulary=[1], num_oov_indices=0)(np.array([1]))
    assert as_numpy(ok).tolist() == [0]


def test_encodings_of_lookups_drop_the_mask_and_pad_to_max_tokens():
    layer = layers.StringLookup(vocabulary=["a", "b"], mask_token="", output_mode="count",
                                max_tokens=5, pad_to_max_tokens=True)
    out = as_numpy(layer([["a", "", "a", "q"], ["b", "", "", ""]]))
    assert out.tolist() == [[1, 2, 0, 0, 0], [0, 0, 1, 0, 0]]
    assert layer.get_vocabulary() == ["[UNK]", "a", "b"]
    one = layers.IntegerLookup(vocabulary=[4, 6], output_mode="one_hot")(np.array([[6], [9]]))
    assert as_numpy(one).tolist() == [[0, 0, 1], [1, 0, 0]]


def test_tf_idf_weights_from_adapt_follow_the_keras_formula():
    docs = [["a", "b"], ["a", "a"], ["c", "a"]]
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(docs)
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    idf = [math.log(1 + 3 / (1 + k)) for k in (3, 1, 1)]
    out = as_numpy(layer([["a", "a", "b", "q"]]))
    np.testing.assert_allclose(out[0], [np.mean(idf), 2 * idf[0], 0.0, idf[2]], rtol=1e-6)
    with pytest.raises(ValueError, match="no IDF weights yet: call adapt"):
        layers.StringLookup(output_mode="tf_idf")([["a"]])
    given = layers.IntegerLookup(vocabulary=[1, 2], idf_weights=[0.5, 2.0], output_mode="tf_idf")
    np.testing.assert_allclose(as_numpy(given(np.array([[2, 2, 5]]))), [[1.25, 0.0, 4.0]])


def test_invert_maps_indices_back_and_unknown_indices_to_the_oov_token():
    strings = layers.StringLookup(vocabulary=["a", "b"], mask_token="", invert=True)
    assert strings(np.array([[0, 1, 2, 3, 9]])).tolist() == [["", "[UNK]", "a", "b", "[UNK]"]]
    ints = layers.IntegerLookup(vocabulary=[10, 20], invert=True)
    out = ints(np.array([2, 1, 0, 7, -1]))
    assert as_numpy(out).tolist() == [20, 10, -1, -1, -1]
    with pytest.raises(ValueError, match="invert=True maps indices back to tokens"):
        layers.IntegerLookup(invert=True, output_mode="count")


def test_string_layers_explain_that_they_cannot_take_symbolic_inputs():
    x = lamina.Input((1,), dtype="int64")
    for layer in (layers.StringLookup(vocabulary=["a"]), layers.TextVectorization()):
        with pytest.raises(TypeError, match="cannot hold.*data pipeline, before the model"):
            layer(x)


def test_integer_lookup_refuses_floats():
    with pytest.raises(TypeError, match="reads integers; received inputs of dtype float"):
        layers.IntegerLookup(vocabulary=[1])(np.array([1.0]))


# -- configs -----------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: layers.StringLookup(mask_token="", num_oov_indices=2),
    lambda: layers.IntegerLookup(output_mode="tf_idf", mask_token=0),
])
def test_config_round_trip_keeps_the_adapted_vocabulary(make):
    layer = make()
    data = [["x", "y", "y"], ["y", "z", ""]] if isinstance(layer, layers.StringLookup) \
        else [[4, 5, 5], [5, 6, 0]]
    layer.adapt(data)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(as_numpy(clone(np.array(data))), as_numpy(layer(np.array(data))))
