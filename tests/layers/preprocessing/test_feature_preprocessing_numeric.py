"""Normalization, Discretization, CategoryEncoding and Hashing called on data, against
NumPy re-computations (the engine comes from LAMINA_BACKEND)."""

import hashlib

import numpy as np
import pytest

import lamina
from lamina import backend as K, layers
from lamina.utils import PyDataset


def as_numpy(x):
    return np.asarray(K.convert_to_numpy(x))


DATA = np.random.default_rng(0).normal(3.0, 2.0, size=(12, 2, 3)).astype("float32")


class Batches(PyDataset):
    def __len__(self):
        return 3

    def __getitem__(self, index):
        return DATA[4 * index:4 * index + 4], np.zeros(4)


# -- Normalization -----------------------------------------------------------------

@pytest.mark.parametrize("axis, reduce", [(-1, (0, 1)), ((1, 2), (0,)), (None, (0, 1, 2))])
def test_normalization_adapt_gives_the_statistics_over_the_other_axes(axis, reduce):
    norm = layers.Normalization(axis=axis)
    norm.adapt(DATA)
    mean = DATA.astype("float64").mean(axis=reduce, keepdims=True)
    std = DATA.astype("float64").std(axis=reduce, keepdims=True)
    np.testing.assert_allclose(as_numpy(norm.mean), mean.reshape(as_numpy(norm.mean).shape),
                               rtol=1e-5)
    np.testing.assert_allclose(as_numpy(norm(DATA)), (DATA - mean) / std, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("source", ["batch_size", "generator", "pydataset", "tensor"])
def test_normalization_adapt_reads_every_kind_of_data_alike(source):
    data = {"batch_size": DATA, "generator": (DATA[i:i + 5] for i in range(0, 12, 5)),
            "pydataset": Batches(), "tensor": K.convert_to_tensor(DATA)}[source]
    norm = layers.Normalization()
    norm.adapt(data, batch_size=5 if source == "batch_size" else None)
    np.testing.assert_allclose(as_numpy(norm.adapt_mean), DATA.mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(as_numpy(norm.adapt_variance), DATA.var(axis=(0, 1)),
                               rtol=1e-4)


def test_normalization_adapt_with_steps_reads_only_those_batches():
    norm = layers.Normalization()
    norm.adapt(Batches(), steps=1)
    np.testing.assert_allclose(as_numpy(norm.adapt_mean), DATA[:4].mean(axis=(0, 1)),
                               rtol=1e-5)


def test_normalization_adapt_again_replaces_the_statistics_and_weights_are_not_trained():
    norm = layers.Normalization()
    norm.adapt(np.array([[0.0], [2.0]]))
    norm.adapt(np.array([[10.0], [14.0]]))
    assert as_numpy(norm(np.array([[14.0]]))).tolist() == [[1.0]]
    assert [w.name for w in norm.non_trainable_weights] == ["mean", "variance"]
    assert norm.trainable_weights == []


def test_normalization_with_mean_and_variance_inverts_exactly():
    x = np.array([[1.0, -2.0], [0.5, 4.0]], "float32")
    forward = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    back = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    np.testing.assert_allclose(as_numpy(forward(x)), (x - [1.0, 2.0]) / [2.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(as_numpy(back(forward(x))), x, rtol=1e-6)


def test_normalization_refuses_half_given_statistics_and_adapt_over_given_ones():
    with pytest.raises(ValueError, match="give both mean and variance"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="cannot also adapt"):
        layers.Normalization(mean=1.0, variance=1.0).adapt(DATA)


def test_normalization_adapt_refuses_data_of_another_feature_size():
    norm = layers.Normalization()
    norm.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"statistics of shape \(3,\) along axes \[1\] "
                                         r".*batch of shape \(4, 5\)"):
        norm.adapt(np.ones((4, 5)))
    with pytest.raises(ValueError, match="expects a dimension 1 of 3"):
        norm(np.ones((2, 5)))


def test_normalization_config_round_trip_keeps_given_statistics():
    norm = layers.Normalization(axis=-1, mean=[1.0, 2.0], variance=[1.0, 4.0], invert=True)
    clone = layers.Normalization.from_config(norm.get_config())
    x = np.array([[1.0, 1.0]], "float32")
    assert as_numpy(clone(x)).tolist() == as_numpy(norm(x)).tolist() == [[2.0, 4.0]]


# -- Discretization ----------------------------------------------------------------

def test_discretization_bins_match_numpy_digitize_and_encodings():
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]], "float32")
    out = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])(x)
    assert K.standardize_dtype(out.dtype) == "int64"
    assert as_numpy(out).tolist() == np.digitize(x, [0.0, 1.0, 2.0]).tolist()
    counts = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode="count")(x)
    assert as_numpy(counts).tolist() == [[1.0, 1.0, 1.0, 1.0], [0.0, 2.0, 1.0, 1.0]]


def test_discretization_adapt_places_boundaries_at_quantiles_and_replaces_them():
    layer = layers.Discretization(num_bins=4)
    layer.adapt(np.arange(100.0), batch_size=30)
    assert layer.bin_boundaries == [25.0, 50.0, 75.0]
    layer.adapt((np.arange(10.0) + 100 for _ in range(2)))
    assert layer.bin_boundaries == [102.0, 105.0, 107.0]
    assert as_numpy(layer([101.0, 106.0, 200.0])).tolist() == [0, 2, 3]


def test_discretization_errors_name_what_is_missing():
    with pytest.raises(ValueError, match="no bin boundaries: create it with bin_boundaries"):
        layers.Discretization()(np.ones(2))
    with pytest.raises(ValueError, match="call adapt"):
        layers.Discretization(num_bins=3)(np.ones(2))
    with pytest.raises(ValueError, match="adapt needs num_bins"):
        layers.Discretization(bin_boundaries=[1.0]).adapt(np.ones(2))
    with pytest.raises(ValueError, match="sparse=True is not supported"):
        layers.Discretization(num_bins=3, sparse=True)


# -- CategoryEncoding --------------------------------------------------------------

def test_category_encoding_modes_match_numpy():
    ids = np.array([[0, 3], [2, 2]])
    multi = layers.CategoryEncoding(4)(ids)
    count = layers.CategoryEncoding(4, output_mode="count")(ids)
    one = layers.CategoryEncoding(4, output_mode="one_hot")(ids)
    column = layers.CategoryEncoding(4, output_mode="one_hot")(ids[:, :1])
    eye = np.eye(4)
    assert as_numpy(multi).tolist() == [[1, 0, 0, 1], [0, 0, 1, 0]]
    assert as_numpy(count).tolist() == [[1, 0, 0, 1], [0, 0, 2, 0]]
    assert as_numpy(one).tolist() == eye[ids].tolist()
    assert as_numpy(column).tolist() == eye[ids[:, 0]].tolist()
    assert K.standardize_dtype(multi.dtype) == "float32"


def test_category_encoding_count_weights_and_out_of_range_ids():
    layer = layers.CategoryEncoding(3, output_mode="count")
    out = layer(np.array([[0, 1, 1, 5]]), count_weights=np.array([[0.5, 1.0, 2.0, 9.0]]))
    assert as_numpy(out).tolist() == [[0.5, 3.0, 0.0]]
    with pytest.raises(ValueError, match="count_weights is only used with output_mode='count'"):
        layers.CategoryEncoding(3)(np.array([[0]]), count_weights=np.array([[1.0]]))
    with pytest.raises(ValueError, match="num_tokens must be a positive int"):
        layers.CategoryEncoding()


def test_category_encoding_config_round_trip():
    layer = layers.CategoryEncoding(5, output_mode="count", name="counts")
    clone = layers.CategoryEncoding.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert (clone.num_tokens, clone.output_mode, clone.name) == (5, "count", "counts")


def test_category_encoding_in_a_model_has_the_encoded_shape():
    x = lamina.Input((5,), dtype="int32")
    assert layers.CategoryEncoding(7)(x).shape == (None, 7)
    assert layers.CategoryEncoding(7, output_mode="one_hot")(x).shape == (None, 5, 7)


# -- Hashing -----------------------------------------------------------------------

def reference_integer_bins(values, num_bins, a=48271, b=11):
    p = 2 ** 31 - 1
    return [((a * (v % p) + b) % p) % num_bins for v in values]


def test_hashing_integers_follows_the_documented_hash_on_every_engine():
    values = [0, 1, -7, 123456789012, 2 ** 40 + 3]
    out = layers.Hashing(num_bins=97)(np.array(values, "int64"))
    assert K.standardize_dtype(out.dtype) == "int64"
    assert as_numpy(out).tolist() == reference_integer_bins(values, 97)
    salted = layers.Hashing(num_bins=97, salt=[5, 9])(np.array(values, "int64"))
    assert as_numpy(salted).tolist() == reference_integer_bins(values, 97, a=6, b=9)


def test_hashing_mask_value_takes_bin_zero():
    layer = layers.Hashing(num_bins=5, mask_value=0)
    out = as_numpy(layer(np.array([0, 1, 2, 0])))
    assert out.tolist() == [0] + [1 + r for r in reference_integer_bins([1, 2], 4)] + [0]


def test_hashing_strings_follows_blake2b_and_encodes():
    words = ["cat", "dog", "cat"]
    expected = [int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                % 6 for w in words]
    assert as_numpy(layers.Hashing(6)(np.array(words))).tolist() == expected
    hot = layers.Hashing(6, output_mode="multi_hot")([words])
    assert as_numpy(hot).tolist() == [np.isin(np.arange(6), expected).astype(float).tolist()]


def test_hashing_refuses_floats_and_too_few_bins():
    with pytest.raises(TypeError, match="hashes integers or strings"):
        layers.Hashing(3)(np.array([1.5]))
    with pytest.raises(ValueError, match="num_bins must be an int"):
        layers.Hashing(1, mask_value=0)
