"""The numeric preprocessing layers inside models: predict on every engine, fit on the
engines that train, and a save/load round trip that predicts the same."""

import numpy as np
import pytest

import lamina
from lamina import backend as K, layers

needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")

RNG = np.random.default_rng(1)
IDS = RNG.integers(0, 8, size=(32, 3))
FEATURES = RNG.normal(2.0, 3.0, size=(32, 4)).astype("float32")
TARGETS = (FEATURES[:, :1] * 0.5 + (IDS[:, :1] % 2)).astype("float32")


def preprocessing_model():
    """A functional model over ids and features with every numeric layer, adapted."""
    norm = layers.Normalization()
    norm.adapt(FEATURES)
    lookup = layers.IntegerLookup(num_oov_indices=2)
    lookup.adapt(IDS[:16])
    bins = layers.Discretization(num_bins=3)
    bins.adapt(FEATURES[:, 0])
    ids, features = lamina.Input((3,), dtype="int64"), lamina.Input((4,))
    encoded = layers.CategoryEncoding(lookup.vocabulary_size(), output_mode="count")(
        lookup(ids))
    hashed = layers.Hashing(5, output_mode="multi_hot", salt=3)(ids)
    binned = layers.CategoryEncoding(3, output_mode="one_hot")(bins(features[:, :1]))
    merged = layers.Concatenate()([encoded, hashed, binned, norm(features)])
    return lamina.Model([ids, features], layers.Dense(1)(merged))


def test_model_predicts_what_the_layers_compute_eagerly():
    model = preprocessing_model()
    normalized = model.layers[[type(l).__name__ for l in model.layers].index("Normalization")]
    assert model.output.shape == (None, 1)
    out = np.asarray(K.convert_to_numpy(model.predict([IDS, FEATURES], verbose=0)))
    assert out.shape == (32, 1) and np.isfinite(out).all()
    eager = np.asarray(K.convert_to_numpy(normalized(FEATURES)))
    np.testing.assert_allclose(eager.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(eager.std(axis=0), 1.0, rtol=1e-4)


def test_save_and_load_round_trip_predicts_the_same(tmp_path):
    model = preprocessing_model()
    path = tmp_path / "preprocessing.lamina"
    model.save(path)
    loaded = lamina.models.load_model(path)
    np.testing.assert_array_equal(
        np.asarray(K.convert_to_numpy(loaded.predict([IDS, FEATURES], verbose=0))),
        np.asarray(K.convert_to_numpy(model.predict([IDS, FEATURES], verbose=0))))
    kinds = {type(l).__name__: l for l in loaded.layers}
    assert kinds["IntegerLookup"].get_vocabulary() == model.get_layer(
        kinds["IntegerLookup"].name).get_vocabulary()
    assert kinds["Discretization"].bin_boundaries == model.get_layer(
        kinds["Discretization"].name).bin_boundaries


@needs_training
def test_fit_trains_through_the_preprocessing_layers_without_changing_them():
    model = preprocessing_model()
    norm = next(l for l in model.layers if isinstance(l, layers.Normalization))
    mean = norm.adapt_mean.numpy().copy()
    model.compile(optimizer="adam", loss="mse")
    history = model.fit([IDS, FEATURES], TARGETS, epochs=8, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    np.testing.assert_array_equal(norm.adapt_mean.numpy(), mean)


@needs_training
def test_sequential_with_normalization_fits_and_reloads(tmp_path):
    norm = layers.Normalization(input_shape=(4,))
    norm.adapt(FEATURES)
    model = lamina.Sequential([norm, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(FEATURES, TARGETS, epochs=2, verbose=0)
    path = tmp_path / "sequential.lamina"
    model.save(path)
    loaded = lamina.models.load_model(path)
    np.testing.assert_allclose(loaded.layers[0].adapt_variance.numpy(), FEATURES.var(axis=0),
                               rtol=1e-4)
    np.testing.assert_array_equal(
        np.asarray(K.convert_to_numpy(loaded.predict(FEATURES, verbose=0))),
        np.asarray(K.convert_to_numpy(model.predict(FEATURES, verbose=0))))


def test_text_pipeline_feeds_a_model_with_integer_ids():
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    texts = ["good movie", "bad movie", "very good", "very bad plot"]
    vectorize.adapt(texts)
    ids = vectorize(texts)
    model = lamina.Sequential([lamina.Input((5,), dtype="int64"), layers.Embedding(20, 4),
                               layers.GlobalAveragePooling1D(), layers.Dense(1)])
    assert np.asarray(K.convert_to_numpy(model.predict(ids, verbose=0))).shape == (4, 1)
