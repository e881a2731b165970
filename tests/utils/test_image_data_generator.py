"""Keras 2's ImageDataGenerator: transformations, standardization, flow and
flow_from_directory, errors, and fit on its iterators."""

import os

import numpy as np
import pytest

from lamina import Input, Sequential, layers, optimizers
from lamina import backend as K
from lamina.preprocessing.image import (DirectoryIterator, ImageDataGenerator,
                                        NumpyArrayIterator, apply_affine_transform,
                                        apply_brightness_shift, apply_channel_shift)
from lamina.utils import set_random_seed

needs_training = pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")
ROW = np.array([0.0, 10.0, 20.0, 30.0]).reshape(1, 4, 1)


def row(image):
    return image[..., 0].ravel().tolist()


@pytest.mark.parametrize("fill_mode, expected", [
    ("constant", [20, 30, -1, -1]),
    ("nearest", [20, 30, 30, 30]),
    ("reflect", [20, 30, 30, 20]),
    ("wrap", [20, 30, 0, 10]),
])
def test_width_shift_fills_the_uncovered_pixels_by_fill_mode(fill_mode, expected):
    out = apply_affine_transform(ROW, tx=2, fill_mode=fill_mode, cval=-1)
    assert row(out) == expected


def test_rotation_is_counterclockwise_about_the_centre():
    image = np.arange(9.0).reshape(3, 3, 1)
    np.testing.assert_allclose(apply_affine_transform(image, theta=90), np.rot90(image),
                               atol=1e-9)
    np.testing.assert_allclose(apply_affine_transform(image, theta=-90),
                               np.rot90(image, k=-1), atol=1e-9)
    wide = np.arange(8.0).reshape(2, 4, 1)
    np.testing.assert_allclose(apply_affine_transform(wide, theta=180), wide[::-1, ::-1],
                               atol=1e-9)


def test_height_shift_zoom_and_interpolation_orders():
    column = ROW.reshape(4, 1, 1)
    assert row(apply_affine_transform(column, ty=-1, fill_mode="constant")) == [0, 0, 10, 20]
    # zx=2 reads twice as far from the centre (1.5): columns 0..3 read -1.5, 0.5, 2.5, 4.5.
    zoomed = apply_affine_transform(ROW, zx=2, fill_mode="constant", cval=-1)
    assert row(zoomed) == [-1, 5, 25, -1]
    nearest = apply_affine_transform(ROW, zx=0.5, order=0)
    assert row(nearest) == [10, 10, 20, 20]  # reads 0.75, 1.25, 1.75, 2.25, rounded
    sheared = apply_affine_transform(np.arange(9.0).reshape(3, 3, 1), shear=30)
    assert sheared[1, 1, 0] == 4.0 and not np.allclose(sheared, np.arange(9.0).reshape(3, 3, 1))


def test_channels_first_axes_and_integer_images():
    image = np.arange(8).reshape(1, 2, 4)  # one channel first
    out = apply_affine_transform(image, tx=1, row_axis=1, col_axis=2, channel_axis=0)
    assert out.dtype == np.float32 and out[0].tolist() == [[1, 2, 3, 3], [5, 6, 7, 7]]


def test_channel_shift_and_brightness_clip():
    image = np.array([[[0.0, 50.0, 100.0]]])
    assert apply_channel_shift(image, 60, channel_axis=2).tolist() == [[[60.0, 100.0, 100.0]]]
    assert apply_channel_shift(image, -60, channel_axis=2).tolist() == [[[0.0, 0.0, 40.0]]]
    assert apply_brightness_shift(image * 2, 1.5).tolist() == [[[0.0, 150.0, 255.0]]]


def test_apply_transform_with_the_generators_axes_and_flips():
    generator = ImageDataGenerator(fill_mode="constant", cval=-1)
    image = np.arange(8.0).reshape(2, 4, 1)
    out = generator.apply_transform(image, {"tx": 1, "flip_vertical": True})
    assert out[..., 0].tolist() == [[5, 6, 7, -1], [1, 2, 3, -1]]
    out = generator.apply_transform(image, {"flip_horizontal": True, "brightness": 2.0})
    assert out[..., 0].tolist() == [[6, 4, 2, 0], [14, 12, 10, 8]]
    first = ImageDataGenerator(data_format="channels_first")
    assert first.apply_transform(image.reshape(1, 2, 4), {"flip_horizontal": True}
                                 )[0].tolist() == [[3, 2, 1, 0], [7, 6, 5, 4]]


def test_random_draws_follow_the_ranges():
    generator = ImageDataGenerator(rotation_range=10, width_shift_range=2,
                                   height_shift_range=[3, 5], shear_range=5, zoom_range=0.2,
                                   brightness_range=(0.5, 0.7), channel_shift_range=4)
    draws = [generator.get_random_transform((20, 40, 3), seed=s) for s in range(60)]
    assert {d["tx"] for d in draws} == {-1.0, 0.0, 1.0}
    assert {d["ty"] for d in draws} == {-5.0, -3.0, 3.0, 5.0}
    assert all(-10 <= d["theta"] <= 10 and -5 <= d["shear"] <= 5 for d in draws)
    assert all(0.8 <= d["zx"] <= 1.2 and 0.8 <= d["zy"] <= 1.2 for d in draws)
    assert all(0.5 <= d["brightness"] <= 0.7 for d in draws)
    assert all(-4 <= d["channel_shift_intensity"] <= 4 for d in draws)
    assert draws[3] == generator.get_random_transform((20, 40, 3), seed=3)
    fractions = ImageDataGenerator(width_shift_range=0.1, zoom_range=[2, 3])
    draws = [fractions.get_random_transform((20, 40, 3), seed=s) for s in range(30)]
    assert all(abs(d["tx"]) <= 4 and d["ty"] == 0 for d in draws)
    assert len({d["tx"] for d in draws}) == 30 and all(2 <= d["zy"] <= 3 for d in draws)
    plain = ImageDataGenerator().get_random_transform((4, 4, 1))
    assert (plain["theta"], plain["zx"], plain["brightness"]) == (0.0, 1.0, None)


def test_random_flip_gives_the_image_or_its_mirror():
    generator = ImageDataGenerator(horizontal_flip=True)
    image = np.arange(6.0).reshape(1, 6, 1)
    outs = {tuple(row(generator.random_transform(image, seed=s))) for s in range(20)}
    assert outs == {tuple(range(6)), tuple(range(5, -1, -1))}


def test_standardize_order_and_no_mutation():
    image = np.array([[[1.0], [3.0]]])
    generator = ImageDataGenerator(preprocessing_function=lambda x: x + 1, rescale=2.0)
    assert row(generator.standardize(image)) == [4.0, 8.0]
    assert row(image) == [1.0, 3.0]
    both = ImageDataGenerator(samplewise_std_normalization=True)  # implies centring
    np.testing.assert_allclose(row(both.standardize(image)), [-1.0, 1.0], atol=1e-5)


def test_fit_computes_featurewise_statistics_per_channel():
    x = np.zeros((2, 1, 2, 2))
    x[..., 0] = [[[1, 3]], [[5, 7]]]
    x[..., 1] = 10.0
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    generator.fit(x)
    assert generator.mean.shape == (1, 1, 2) and generator.mean.ravel().tolist() == [4.0, 10.0]
    np.testing.assert_allclose(generator.std.ravel(), [np.sqrt(5.0), 0.0])
    out = generator.standardize(x[0])
    np.testing.assert_allclose(out[..., 0], [[-3 / np.sqrt(5), -1 / np.sqrt(5)]], rtol=1e-5)
    assert (out[..., 1] == 0).all()


def test_zca_whitening_decorrelates_the_training_data():
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(500, 4)) @ np.array([[2, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, .5],
                                                   [0, 0, 0, 1.0]])
    x = mixed.reshape(500, 2, 2, 1).astype("float32")
    generator = ImageDataGenerator(zca_whitening=True)
    generator.fit(x)
    white = generator.standardize(x).reshape(500, 4)
    np.testing.assert_allclose(np.cov(white.T, bias=True), np.eye(4), atol=1e-2)
    assert generator.featurewise_center


def test_flow_pairs_images_with_labels_and_weights():
    x = np.arange(10, dtype="float32")[:, None, None, None] * np.ones((1, 2, 2, 1))
    generator = ImageDataGenerator()
    it = generator.flow(x, np.arange(10), batch_size=4, seed=0, sample_weight=np.arange(10) * 2)
    assert isinstance(it, NumpyArrayIterator) and len(it) == 3
    seen = []
    for index in range(len(it)):
        images, labels, weights = it[index]
        assert images[:, 0, 0, 0].tolist() == labels.tolist()
        assert (weights == labels * 2).all()
        seen += labels.tolist()
    assert sorted(seen) == list(range(10)) and seen != list(range(10))
    assert generator.flow(x, batch_size=4, shuffle=False)[0].shape == (4, 2, 2, 1)


def test_flow_next_runs_endlessly_and_reshuffles_each_epoch():
    x = np.arange(6, dtype="float32")[:, None, None, None]
    it = ImageDataGenerator().flow(x, np.arange(6), batch_size=4, seed=1)
    batches = [next(it)[1].tolist() for _ in range(4)]
    assert [len(b) for b in batches] == [4, 2, 4, 2]
    assert sorted(batches[0] + batches[1]) == sorted(batches[2] + batches[3]) == list(range(6))
    assert batches[:2] != batches[2:]
    again = ImageDataGenerator().flow(x, np.arange(6), batch_size=4, seed=1)
    assert [again.next()[1].tolist() for _ in range(4)] == batches


def test_flow_augmentation_is_reproducible_with_a_seed():
    x = np.random.default_rng(0).uniform(0, 255, size=(6, 5, 5, 3)).astype("float32")
    generator = ImageDataGenerator(rotation_range=30, zoom_range=0.2, horizontal_flip=True)
    first = generator.flow(x, batch_size=3, seed=7)[1]
    np.testing.assert_array_equal(first, generator.flow(x, batch_size=3, seed=7)[1])
    assert not np.allclose(first, generator.flow(x, batch_size=3, seed=8)[1])


def test_flow_subsets_take_the_first_fraction_for_validation():
    x = np.zeros((10, 2, 2, 1))
    generator = ImageDataGenerator(validation_split=0.3)
    validation = generator.flow(x, np.arange(10), shuffle=False, subset="validation")
    training = generator.flow(x, np.arange(10), shuffle=False, subset="training")
    assert validation[0][1].tolist() == [0, 1, 2]
    assert training[0][1].tolist() == [3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize("kwargs, match", [
    (dict(fill_mode="mirror"), "`fill_mode` must be one of"),
    (dict(zoom_range=[1, 2, 3]), "`zoom_range` must be a float or a pair"),
    (dict(zoom_range=-0.1), "`zoom_range` must be >= 0"),
    (dict(brightness_range=0.5), "`brightness_range` must be None or a pair of floats"),
    (dict(width_shift_range=-0.2), "`width_shift_range` must be a number >= 0"),
    (dict(height_shift_range="a"), "`height_shift_range` must be a number >= 0"),
    (dict(rotation_range=-5), "`rotation_range` must be a number >= 0"),
    (dict(interpolation_order=3), "`interpolation_order` must be 0 .* received 3"),
    (dict(validation_split=1.0), "`validation_split` must be in \\[0, 1\\)"),
    (dict(data_format="nhwc"), "`data_format` must be"),
    (dict(preprocessing_function=3), "`preprocessing_function` must be callable"),
])
def test_bad_generator_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageDataGenerator(**kwargs)


def test_bad_flow_arguments_name_the_argument():
    generator = ImageDataGenerator()
    x = np.zeros((4, 2, 2, 1))
    with pytest.raises(ValueError, match="`x` must be a batch of images of rank 4"):
        generator.flow(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="`x` and `y` must have the same length; received 4 "
                                         "images and 3 y values"):
        generator.flow(x, np.zeros(3))
    with pytest.raises(ValueError, match="subset='training' needs the ImageDataGenerator's "
                                         "validation_split"):
        generator.flow(x, subset="training")
    with pytest.raises(ValueError, match="`batch_size` must be an int >= 1; received 0"):
        generator.flow(x, batch_size=0)
    with pytest.raises(IndexError, match="batch 1 is out of range for 1 batches"):
        generator.flow(x)[1]
    with pytest.raises(ValueError, match="featurewise_center=True needs statistics .* fit"):
        ImageDataGenerator(featurewise_center=True).flow(x)[0]
    with pytest.raises(ValueError, match="`fill_mode` must be one of"):
        apply_affine_transform(x[0], tx=1, fill_mode="edge")


@pytest.fixture
def image_dir(tmp_path):
    pytest.importorskip("PIL")
    from lamina.utils import save_img
    root = tmp_path / "flowers"
    for cls, value in (("rose", 40.0), ("tulip", 200.0)):
        os.makedirs(root / cls / "more")
        for i in range(5):
            save_img(root / cls / f"{i}.png", np.full((8, 6, 3), value), scale=False)
        save_img(root / cls / "more" / "extra.jpg", np.full((8, 6, 3), value), scale=False)
        (root / cls / "readme.txt").write_text("not an image")
    return root


def test_flow_from_directory_finds_classes_and_labels(image_dir, capsys):
    it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        image_dir, target_size=(4, 3), batch_size=12, shuffle=False)
    assert capsys.readouterr().out == "Found 12 images belonging to 2 classes.\n"
    assert isinstance(it, DirectoryIterator)
    assert it.class_indices == {"rose": 0, "tulip": 1} and it.samples == 12
    assert it.classes.tolist() == [0] * 6 + [1] * 6
    assert it.filenames[0] == os.path.join("rose", "0.png")
    assert os.path.join("rose", "more", "extra.jpg") in it.filenames
    images, labels = it[0]
    assert images.shape == (12, 4, 3, 3) and it.image_shape == (4, 3, 3)
    np.testing.assert_allclose(images[:, 0, 0, 0], [40 / 255] * 6 + [200 / 255] * 6,
                               rtol=1e-6)
    assert labels.tolist() == [[1.0, 0.0]] * 6 + [[0.0, 1.0]] * 6


def test_flow_from_directory_class_modes_color_modes_and_subsets(image_dir):
    generator = ImageDataGenerator(validation_split=0.5)
    common = dict(target_size=(4, 3), batch_size=12, shuffle=False)
    _, sparse = generator.flow_from_directory(image_dir, class_mode="sparse", **common)[0]
    assert sparse.dtype == np.float32 and sparse.tolist() == [0.0] * 6 + [1.0] * 6
    _, binary = generator.flow_from_directory(image_dir, class_mode="binary",
                                              classes=["tulip", "rose"], **common)[0]
    assert binary.tolist() == [0.0] * 6 + [1.0] * 6
    x, same = generator.flow_from_directory(image_dir, class_mode="input", **common)[0]
    np.testing.assert_array_equal(x, same)
    gray = generator.flow_from_directory(image_dir, class_mode=None, color_mode="grayscale",
                                         **common)[0]
    assert gray.shape == (12, 4, 3, 1)
    validation = generator.flow_from_directory(image_dir, subset="validation", **common)
    training = generator.flow_from_directory(image_dir, subset="training", **common)
    assert validation.classes.tolist() == [0, 0, 0, 1, 1, 1] and training.samples == 6
    assert not set(validation.filenames) & set(training.filenames)


def test_flow_from_directory_bad_arguments(image_dir, tmp_path):
    generator = ImageDataGenerator()
    with pytest.raises(ValueError, match="`class_mode` must be one of"):
        generator.flow_from_directory(image_dir, class_mode="raw")
    with pytest.raises(ValueError, match="`color_mode` must be one of"):
        generator.flow_from_directory(image_dir, color_mode="bgr")
    with pytest.raises(ValueError, match="class 'lily' of `classes` has no subdirectory"):
        generator.flow_from_directory(image_dir, classes=["rose", "lily"])
    with pytest.raises(ValueError, match="class_mode='binary' needs exactly 2 classes; found 1"):
        generator.flow_from_directory(image_dir, classes=["rose"], class_mode="binary")
    with pytest.raises(ValueError, match="`directory` must be an existing directory"):
        generator.flow_from_directory(tmp_path / "missing")
    with pytest.raises(ValueError, match="`interpolation` must be one of"):
        generator.flow_from_directory(image_dir, interpolation="spline")
    with pytest.raises(ValueError, match="`target_size` must be a \\(height, width\\) pair"):
        generator.flow_from_directory(image_dir, target_size=(4,))


def test_save_to_dir_writes_the_augmented_images(tmp_path):
    pytest.importorskip("PIL")
    out = tmp_path / "out"
    os.makedirs(out)
    ImageDataGenerator().flow(np.zeros((3, 4, 4, 3)), batch_size=3, save_to_dir=str(out),
                              save_prefix="aug")[0]
    names = sorted(os.listdir(out))
    assert len(names) == 3 and all(n.startswith("aug_") and n.endswith(".png") for n in names)


@needs_training
def test_fit_trains_on_flow_with_augmentation():
    set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=64)
    x = (rng.uniform(0, 60, size=(64, 6, 6, 1)) + labels[:, None, None, None] * 150)
    generator = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True, rotation_range=10,
                                   validation_split=0.25)
    model = Sequential([Input((6, 6, 1)), layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(generator.flow(x, labels, batch_size=16, subset="training", seed=0),
                        validation_data=generator.flow(x, labels, subset="validation"),
                        epochs=6, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9


@needs_training
def test_fit_trains_on_flow_from_directory(image_dir):
    set_random_seed(0)
    it = ImageDataGenerator(rescale=1 / 255, width_shift_range=0.1).flow_from_directory(
        image_dir, target_size=(4, 4), batch_size=4, class_mode="binary", seed=0)
    model = Sequential([Input((4, 4, 3)), layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(it, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@needs_training
def test_fit_reads_a_flow_by_index_one_pass_per_epoch():
    """A flow iterator is endless under next(), as in Keras 2; fit reads it by index, so
    an epoch is len(flow) batches (fit never takes it for an endless generator)."""
    import lamina
    x = np.zeros((40, 6, 6, 1), "float32")
    labels = np.arange(40) % 2
    flow = ImageDataGenerator(horizontal_flip=True).flow(x, labels, batch_size=16)
    model = Sequential([Input((6, 6, 1)), layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    batches = []
    counter = lamina.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    model.fit(flow, epochs=2, verbose=0, callbacks=[counter])
    assert len(flow) == 3 and batches == [0, 1, 2, 0, 1, 2]
