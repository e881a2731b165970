"""image_dataset_from_directory and text_dataset_from_directory on directories built in
tmp_path: labels, subsets, resizing, errors, and fit on the result."""

import os

import numpy as np
import pytest

import lamina
from lamina import Input, Sequential, layers, optimizers
from lamina import backend as K
from lamina.preprocessing.text import Tokenizer
from lamina.utils import (image_dataset_from_directory, set_random_seed,
                          text_dataset_from_directory)

pytest.importorskip("PIL")
from lamina.utils import save_img  # noqa: E402

needs_training = pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")


@pytest.fixture
def image_dir(tmp_path):
    """3 classes ('b_dark', 'a_mid', 'c_light' ordered a, b, c), 4 images each whose
    pixels all equal 10 * (1 + class index) + image number, plus a non-image file."""
    root = tmp_path / "images"
    for cls, value in (("a_mid", 10), ("b_dark", 20), ("c_light", 30)):
        os.makedirs(root / cls)
        for i in range(4):
            save_img(root / cls / f"{i}.png", np.full((6, 8, 3), value + i, "float32"),
                     scale=False)
    (root / "a_mid" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture
def text_dir(tmp_path):
    root = tmp_path / "texts"
    reviews = {"neg": ["bad awful film", "awful plot", "bad acting", "boring bad"],
               "pos": ["great film", "great fun", "lovely acting", "great great"]}
    for cls, texts in reviews.items():
        os.makedirs(root / cls)
        for i, text in enumerate(texts):
            (root / cls / f"{i}.txt").write_text(text, encoding="utf-8")
    return root


def class_of(image):
    return int(image[0, 0, 0] // 10) - 1


def test_images_labels_and_attributes_without_shuffle(image_dir, capsys):
    data = image_dataset_from_directory(image_dir, image_size=(3, 4), batch_size=5,
                                        shuffle=False)
    assert capsys.readouterr().out == "Found 12 files belonging to 3 classes.\n"
    assert data.class_names == ["a_mid", "b_dark", "c_light"]
    assert len(data) == 3 and data.num_samples == 12
    assert [os.path.relpath(p, image_dir) for p in data.file_paths[:2]] == [
        os.path.join("a_mid", "0.png"), os.path.join("a_mid", "1.png")]
    images, labels = data[0]
    assert images.shape == (5, 3, 4, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 0, 0, 1]
    assert images[:, 0, 0, 0].tolist() == [10, 11, 12, 13, 20]


def test_shuffled_labels_follow_their_images(image_dir):
    data = image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=4, seed=3,
                                        verbose=False)
    seen = [(class_of(img), int(label)) for images, labels in data
            for img, label in zip(images, labels)]
    assert all(cls == label for cls, label in seen)
    assert sorted(label for _, label in seen) == [0] * 4 + [1] * 4 + [2] * 4
    assert [label for _, label in seen] != sorted(label for _, label in seen)


def test_label_modes_color_modes_and_class_names(image_dir):
    common = dict(image_size=(2, 2), shuffle=False, verbose=False, batch_size=12)
    _, onehot = image_dataset_from_directory(image_dir, label_mode="categorical", **common)[0]
    assert onehot.dtype == np.float32 and onehot[[0, 4, 8]].tolist() == np.eye(3).tolist()
    gray = image_dataset_from_directory(image_dir, color_mode="grayscale", labels=None,
                                        **common)[0]
    assert gray.shape == (12, 2, 2, 1)
    rgba = image_dataset_from_directory(image_dir, color_mode="rgba", label_mode=None,
                                        **common)[0]
    assert rgba.shape == (12, 2, 2, 4) and (rgba[..., 3] == 255).all()
    binary = image_dataset_from_directory(image_dir, label_mode="binary",
                                          class_names=["c_light", "a_mid"], **common)
    images, labels = binary[0]
    assert binary.class_names == ["c_light", "a_mid"] and labels.shape == (8, 1)
    assert labels[:, 0].tolist() == [0.0] * 4 + [1.0] * 4 and images[0, 0, 0, 0] == 30


def test_explicit_labels_follow_the_sorted_file_paths(image_dir):
    labels = [1, 0] * 6
    data = image_dataset_from_directory(image_dir, labels=labels, image_size=(2, 2),
                                        shuffle=False, batch_size=12, verbose=False)
    assert data.class_names == ["0", "1"]
    assert data[0][1].tolist() == labels


def test_validation_split_is_the_last_fraction_of_the_shuffled_files(image_dir, capsys):
    kwargs = dict(image_size=(2, 2), validation_split=0.25, seed=7, batch_size=12)
    train = image_dataset_from_directory(image_dir, subset="training", **kwargs)
    validation = image_dataset_from_directory(image_dir, subset="validation", **kwargs)
    both = image_dataset_from_directory(image_dir, subset="both", **kwargs)
    assert capsys.readouterr().out.count("Using 9 files for training.\n") == 2
    assert train.num_samples == 9 and validation.num_samples == 3
    assert not set(train.file_paths) & set(validation.file_paths)
    assert both[0].file_paths == train.file_paths and both[1].file_paths == validation.file_paths


def test_resizing_crop_and_pad_to_aspect_ratio(tmp_path):
    root = tmp_path / "one"
    os.makedirs(root / "x")
    wide = np.zeros((2, 6, 3), "float32")
    wide[:, 2:4] = 90.0
    save_img(root / "x" / "w.png", wide, scale=False)
    kwargs = dict(image_size=(2, 2), shuffle=False, verbose=False, label_mode=None)
    cropped = image_dataset_from_directory(root, crop_to_aspect_ratio=True,
                                           interpolation="nearest", **kwargs)[0][0]
    np.testing.assert_array_equal(cropped[..., 0], [[90, 90], [90, 90]])
    stretched = image_dataset_from_directory(root, interpolation="area", **kwargs)[0][0]
    np.testing.assert_allclose(stretched[..., 0], [[30, 30], [30, 30]])
    padded = image_dataset_from_directory(root, pad_to_aspect_ratio=True,
                                          image_size=(6, 6), shuffle=False, verbose=False,
                                          label_mode=None, interpolation="nearest")[0][0]
    assert padded[:2, :, 0].sum() == 0 and padded[2:4, 2:4, 0].tolist() == [[90, 90]] * 2


@pytest.mark.parametrize("kwargs, match", [
    (dict(label_mode="sparse"), "`label_mode` must be one of"),
    (dict(label_mode="binary"), "label_mode='binary' needs exactly 2 classes; found 3"),
    (dict(color_mode="cmyk"), "`color_mode` must be one of"),
    (dict(image_size=(2,)), "`image_size` must be a \\(height, width\\) pair"),
    (dict(interpolation="gaussian"), "`interpolation` must be one of"),
    (dict(validation_split=0.2), "`subset` and `validation_split` go together"),
    (dict(validation_split=1.5, subset="training"), "`validation_split` must be strictly"),
    (dict(validation_split=0.2, subset="test", seed=1), "`subset` must be 'training'"),
    (dict(validation_split=0.2, subset="training"), "give `seed`"),
    (dict(class_names=["a_mid", "zebra"]), "lacks: \\['zebra'\\]"),
    (dict(labels=[0, 1]), "one label per file; received 2 labels for 12 files"),
    (dict(labels="folders"), "`labels` must be 'inferred', None or a list"),
    (dict(labels=None, class_names=["a"]), "`class_names` can only be given with "
                                           "labels='inferred'"),
    (dict(batch_size=0), "`batch_size` must be None or an int >= 1"),
    (dict(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "only one of"),
])
def test_bad_image_arguments_name_the_argument(image_dir, kwargs, match):
    with pytest.raises(ValueError, match=match):
        image_dataset_from_directory(image_dir, verbose=False, **kwargs)


def test_missing_or_empty_directories(tmp_path):
    with pytest.raises(ValueError, match="`directory` must be an existing directory"):
        image_dataset_from_directory(tmp_path / "nowhere")
    os.makedirs(tmp_path / "empty" / "a")
    with pytest.raises(ValueError, match="no images found in .* allowed file extensions"):
        image_dataset_from_directory(tmp_path / "empty", verbose=False)


def test_text_dataset_texts_labels_and_max_length(text_dir, capsys):
    data = text_dataset_from_directory(text_dir, batch_size=3, shuffle=False)
    assert capsys.readouterr().out == "Found 8 files belonging to 2 classes.\n"
    texts, labels = data[0]
    assert texts.tolist() == ["bad awful film", "awful plot", "bad acting"]
    assert labels.tolist() == [0, 0, 0] and len(data) == 3 and data.class_names == ["neg", "pos"]
    cut = text_dataset_from_directory(text_dir, max_length=4, label_mode="categorical",
                                      shuffle=False, verbose=False)
    texts, labels = cut[0]
    assert texts[:2].tolist() == ["bad ", "awfu"] and labels[-1].tolist() == [0.0, 1.0]
    only = text_dataset_from_directory(text_dir, labels=None, shuffle=False, verbose=False)
    assert only[0].shape == (8,)


def test_text_dataset_subsets_and_errors(text_dir):
    train, validation = text_dataset_from_directory(text_dir, validation_split=0.25,
                                                    subset="both", seed=1, verbose=False)
    assert (train.num_samples, validation.num_samples) == (6, 2)
    with pytest.raises(ValueError, match="`max_length` must be None or an int >= 1"):
        text_dataset_from_directory(text_dir, max_length=0)
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        text_dataset_from_directory(text_dir, label_mode="onehot")


def test_exported_under_preprocessing():
    assert lamina.preprocessing.image_dataset_from_directory is image_dataset_from_directory
    assert lamina.preprocessing.text_dataset_from_directory is text_dataset_from_directory


@needs_training
def test_fit_trains_on_an_image_directory(image_dir):
    set_random_seed(0)
    train, validation = image_dataset_from_directory(
        image_dir, image_size=(4, 4), batch_size=4, validation_split=0.25, subset="both",
        seed=0, label_mode="categorical", verbose=False)
    model = Sequential([Input((4, 4, 3)), layers.Rescaling(1 / 40.0), layers.Flatten(),
                        layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.01), loss="categorical_crossentropy")
    history = model.fit(train, validation_data=validation, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(validation, verbose=0).shape == (3, 3)


@needs_training
def test_fit_trains_on_a_text_directory_through_map(text_dir):
    set_random_seed(0)
    data = text_dataset_from_directory(text_dir, batch_size=4, seed=0, verbose=False)
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts([t for texts, _ in data for t in texts])
    vectors = data.map(lambda texts, labels: (
        tokenizer.texts_to_matrix(texts).astype("float32"), labels))
    width = len(tokenizer.word_index) + 1
    model = Sequential([Input((width,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(vectors, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
