"""The image preprocessing layers: shapes, inference identity, training randomness,
seeds, and the semantics of each transformation."""

import numpy as np
import pytest

from lamina import layers
from lamina import backend as K

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, size=(4, 6, 8, 3)).astype("float32")

RANDOM_LAYERS = [
    lambda seed=None: layers.RandomFlip(seed=seed),
    lambda seed=None: layers.RandomRotation(0.2, seed=seed),
    lambda seed=None: layers.RandomZoom(0.3, seed=seed),
    lambda seed=None: layers.RandomTranslation(0.3, 0.3, seed=seed),
    lambda seed=None: layers.RandomContrast(0.5, seed=seed),
    lambda seed=None: layers.RandomBrightness(0.3, seed=seed),
]
IDS = ["flip", "rotation", "zoom", "translation", "contrast", "brightness"]


def value(x):
    return np.asarray(K.convert_to_numpy(x))


@pytest.mark.parametrize("make", RANDOM_LAYERS, ids=IDS)
def test_random_layers_are_the_identity_at_inference(make):
    layer = make()
    assert layer(K.Input((6, 8, 3))).shape == (None, 6, 8, 3)
    np.testing.assert_array_equal(value(layer(IMAGES)), IMAGES)
    np.testing.assert_array_equal(value(layer(IMAGES, training=False)), IMAGES)
    as_float = value(layer(IMAGES.astype("uint8")))
    assert as_float.dtype == np.float32
    np.testing.assert_array_equal(as_float, IMAGES.astype("uint8"))


@pytest.mark.parametrize("make", RANDOM_LAYERS, ids=IDS)
def test_random_layers_draw_per_call_and_repeat_with_a_seed(make):
    layer = make(seed=3)
    first, second = value(layer(IMAGES, training=True)), value(layer(IMAGES, training=True))
    assert first.shape == IMAGES.shape and not np.allclose(first, second)
    assert not np.allclose(first, IMAGES)
    np.testing.assert_allclose(value(make(seed=3)(IMAGES, training=True)), first, rtol=1e-6)
    single = value(layer(IMAGES[0], training=True))
    assert single.shape == IMAGES[0].shape


def test_random_flip_flips_whole_images_independently():
    x = np.stack([IMAGES[0]] * 16)
    flipped = value(layers.RandomFlip("horizontal", seed=1)(x, training=True))
    is_same = [np.array_equal(f, x[0]) for f in flipped]
    is_mirror = [np.array_equal(f, x[0][:, ::-1]) for f in flipped]
    assert all(a or b for a, b in zip(is_same, is_mirror)) and any(is_same) and any(is_mirror)
    both = value(layers.RandomFlip(seed=1)(x, training=True))
    assert all(np.array_equal(f, x[0]) or np.array_equal(f, x[0][::-1, ::-1]) for f in both)


def test_random_rotation_quarter_turn_and_channels_first():
    x = RNG.uniform(size=(2, 5, 5, 1)).astype("float32")
    turn = layers.RandomRotation((0.25, 0.25), interpolation="nearest")
    np.testing.assert_allclose(value(turn(x, training=True)), np.rot90(x, 1, axes=(1, 2)))
    first = layers.RandomRotation((0.25, 0.25), interpolation="nearest",
                                  data_format="channels_first")
    got = value(first(np.transpose(x, (0, 3, 1, 2)), training=True))
    np.testing.assert_allclose(np.transpose(got, (0, 2, 3, 1)), np.rot90(x, 1, axes=(1, 2)))


def test_random_translation_shifts_by_whole_pixels():
    x = RNG.uniform(size=(1, 4, 4, 2)).astype("float32")
    shift = layers.RandomTranslation((0.25, 0.25), (-0.5, -0.5), fill_mode="constant",
                                    fill_value=-1.0)
    got = value(shift(x, training=True))
    np.testing.assert_allclose(got[:, 1:, :2], x[:, :3, 2:], rtol=1e-6)
    assert np.all(got[:, 0] == -1.0) and np.all(got[:, :, 2:] == -1.0)


def test_random_zoom_out_keeps_the_centre_and_fills_the_border():
    x = np.ones((1, 5, 5, 1), "float32")
    got = value(layers.RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest")(
        x, training=True))[0, :, :, 0]
    assert got[2, 2] == 1.0 and got[0, 0] == 0.0 and got[2, 0] == 0.0


def test_random_contrast_keeps_channel_means_and_clips():
    layer = layers.RandomContrast(0.9, seed=2)
    got = value(layer(IMAGES, training=True))
    assert got.min() >= 0 and got.max() <= 255
    unclipped = value(layers.RandomContrast(0.9, value_range=(-1e6, 1e6), seed=2)(
        IMAGES, training=True))
    np.testing.assert_allclose(unclipped.mean(axis=(1, 2)), IMAGES.mean(axis=(1, 2)), rtol=1e-4)


def test_random_brightness_adds_one_value_per_image():
    layer = layers.RandomBrightness(0.2, value_range=(-1e6, 1e6), seed=5)
    delta = value(layer(IMAGES, training=True)) - IMAGES
    per_image = delta.reshape(4, -1)
    np.testing.assert_allclose(per_image, per_image[:, :1] * np.ones_like(per_image), atol=0.2)
    assert len(set(np.round(per_image[:, 0]).tolist())) == 4


def test_resizing_and_center_crop():
    assert layers.Resizing(3, 4)(K.Input((None, None, 3))).shape == (None, 3, 4, 3)
    resized = value(layers.Resizing(3, 4, interpolation="nearest")(IMAGES))
    np.testing.assert_array_equal(resized, IMAGES[:, [1, 3, 5]][:, :, [1, 3, 5, 7]])
    np.testing.assert_array_equal(value(layers.CenterCrop(4, 4)(IMAGES)), IMAGES[:, 1:5, 2:6])
    first = value(layers.CenterCrop(4, 4, data_format="channels_first")(
        np.transpose(IMAGES, (0, 3, 1, 2))))
    np.testing.assert_array_equal(first, np.transpose(IMAGES[:, 1:5, 2:6], (0, 3, 1, 2)))
    small = value(layers.CenterCrop(12, 8)(IMAGES))  # larger than the images: resized
    assert small.shape == (4, 12, 8, 3)


def test_random_crop_windows_in_training_and_resizes_at_inference():
    crop = layers.RandomCrop(3, 5, seed=0)
    assert crop(K.Input((6, 8, 3))).shape == (None, 3, 5, 3)
    starts = set()
    for _ in range(12):
        got = value(crop(IMAGES, training=True))
        found = [(t, s) for t in range(4) for s in range(4)
                 if np.array_equal(got, IMAGES[:, t:t + 3, s:s + 5])]
        assert found, "the training crop is not a window of the images"
        starts.add(found[0])
    assert len(starts) > 1
    expected = value(layers.Resizing(3, 5, crop_to_aspect_ratio=True)(IMAGES))
    np.testing.assert_allclose(value(crop(IMAGES)), expected, rtol=1e-6)


@pytest.mark.parametrize("make,message", [
    (lambda: layers.RandomRotation(1.5), r"RandomRotation layer .* factor .* \[-1, 1\]"),
    (lambda: layers.RandomZoom(0.2, fill_mode="edge"), "fill_mode.*'edge'"),
    (lambda: layers.RandomContrast(-0.1), r"factor .* \[0, 1\]; received -0.1"),
    (lambda: layers.RandomBrightness(0.1, value_range=(1, 0)), "value_range"),
    (lambda: layers.Resizing(0, 3), "height to be a positive int"),
    (lambda: layers.RandomFlip("diagonal"), "RandomFlip layer .* mode.*'diagonal'"),
])
def test_constructor_errors_name_the_layer_and_argument(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_layers_refuse_images_of_the_wrong_rank():
    with pytest.raises(ValueError, match="random_flip"):
        layers.RandomFlip(name="random_flip")(np.zeros((2, 3), "float32"))
