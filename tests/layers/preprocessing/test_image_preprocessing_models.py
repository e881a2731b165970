"""The image preprocessing layers inside models: compiled training with fit (jax, torch),
predict on every engine, configs and saved files."""

import numpy as np
import pytest

from lamina import Input, Sequential, layers, models
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")

RNG = np.random.default_rng(1)
X = RNG.uniform(0, 255, size=(16, 10, 10, 3)).astype("float32")
Y = (X.mean(axis=(1, 2, 3)) > 127.5).astype("float32")[:, None]


def augmenting_model():
    return Sequential([
        Input((10, 10, 3)),
        layers.RandomFlip(seed=1),
        layers.RandomRotation(0.1, seed=2),
        layers.RandomZoom(0.1, seed=3),
        layers.RandomTranslation(0.1, 0.1, seed=4),
        layers.RandomContrast(0.2, seed=5),
        layers.RandomBrightness(0.1, seed=6),
        layers.RandomCrop(8, 8, seed=7),
        layers.Resizing(6, 6, crop_to_aspect_ratio=True),
        layers.CenterCrop(4, 4),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])


def seed_states(model):
    return [np.array(K.convert_to_numpy(layer.seed_generator.state.value))
            for layer in model.layers if hasattr(layer, "seed_generator")]


@needs_training
def test_fit_draws_fresh_augmentations_at_every_compiled_step():
    set_random_seed(0)
    model = augmenting_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    before = seed_states(model)
    history = model.fit(X, Y, batch_size=8, epochs=2, verbose=0)
    after = seed_states(model)
    assert all(np.isfinite(history.history["loss"]))
    # 2 epochs of 2 batches: every random layer advanced its stream at each step
    assert all(a[1] - b[1] >= 4 for a, b in zip(after, before))
    first, second = model.predict(X, verbose=0), model.predict(X, verbose=0)
    np.testing.assert_array_equal(first, second)


def augmentation_of(model):
    return Sequential([Input((10, 10, 3))] + model.layers[:-2])


def test_a_model_called_in_training_augments_differently_each_time():
    head = augmentation_of(augmenting_model())
    a = np.asarray(K.convert_to_numpy(head(X, training=True)))
    b = np.asarray(K.convert_to_numpy(head(X, training=True)))
    assert a.shape == (16, 4, 4, 3) and not np.allclose(a, b)


def test_predict_runs_the_layers_as_identities_and_crops():
    model = augmenting_model()
    assert tuple(model.outputs[0].shape) == (None, 1)
    head = augmentation_of(model)
    expected = K.convert_to_numpy(layers.CenterCrop(4, 4)(layers.Resizing(
        6, 6, crop_to_aspect_ratio=True)(layers.RandomCrop(8, 8)(X))))
    np.testing.assert_allclose(head.predict(X, verbose=0), expected, rtol=1e-5)


ALL_LAYERS = [
    layers.Resizing(5, 7, interpolation="bicubic", pad_to_aspect_ratio=True, fill_value=1.0),
    layers.CenterCrop(4, 6, data_format="channels_first"),
    layers.RandomCrop(4, 4, seed=3),
    layers.RandomFlip("vertical", seed=4),
    layers.RandomRotation((-0.1, 0.2), fill_mode="constant", fill_value=2.0, seed=5),
    layers.RandomZoom((-0.2, 0.3), width_factor=0.1, interpolation="nearest", seed=6),
    layers.RandomTranslation(0.1, (0.0, 0.2), fill_mode="wrap", seed=7),
    layers.RandomContrast((0.1, 0.3), value_range=(0, 1), seed=8),
    layers.RandomBrightness((-0.2, 0.1), value_range=[-1, 1], seed=9),
]


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=lambda layer: type(layer).__name__)
def test_config_round_trip_rebuilds_the_same_layer(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    x = X[:2] / 255.0
    if layer.data_format == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2))
    np.testing.assert_allclose(K.convert_to_numpy(clone(x)), K.convert_to_numpy(layer(x)),
                               rtol=1e-6)


def test_saved_model_loads_with_its_image_layers(tmp_path):
    model = augmenting_model()
    path = tmp_path / "augment.lamina"
    model.save(path)
    loaded = models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    assert loaded.layers[2].get_config() == model.layers[2].get_config()
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)
