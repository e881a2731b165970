"""Keras file names: model.save / save_weights / ModelCheckpoint accept '.keras', '.h5'
and '.hdf5' names, write lamina's format there with one warning per process, and the
loaders read lamina files whatever their name; real HDF5 files, Keras 3 archives and
SavedModel folders get an error saying what they are."""

import json
import os
import warnings
import zipfile

import numpy as np
import pytest

import lamina
from lamina import Input, Model, layers
from lamina.callbacks import CallbackList, ModelCheckpoint
from lamina.saving import FormatError, file_kinds, load_model

DATA = np.arange(6, dtype="float32").reshape(2, 3) / 6


def small_model():
    x = Input((3,))
    return Model(x, layers.Dense(2)(x))


@pytest.fixture
def fresh_warning(monkeypatch):
    """A process in which no Keras-suffix warning was shown yet."""
    monkeypatch.setattr(file_kinds, "_warned", False)


def keras_suffix_warnings(caught):
    return [w for w in caught if "lamina writes its own format" in str(w.message)]


def same_predictions(a, b):
    return np.allclose(a.predict(DATA, verbose=0), b.predict(DATA, verbose=0))


def test_keras_names_hold_lamina_files_with_one_warning(tmp_path, fresh_warning):
    model = small_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.save(tmp_path / "model.keras")
        model.save(tmp_path / "model.h5")
        model.save_weights(tmp_path / "x.weights.h5")
    (warning,) = keras_suffix_warnings(caught)
    message = str(warning.message)
    assert "model.keras" in message and "'.keras'" in message
    assert "Keras" in message and "cannot read" in message and "load_model" in message
    assert warning.filename == __file__  # points at the user's save call
    for name in ("model.keras", "model.h5"):
        assert same_predictions(load_model(tmp_path / name), model)
    other = small_model()
    other.load_weights(tmp_path / "x.weights.h5")
    assert same_predictions(other, model)
    other = small_model()
    other.load_weights(tmp_path / "model.keras")  # weights out of a model archive
    assert same_predictions(other, model)


def test_lamina_names_do_not_warn_and_any_name_loads(tmp_path, fresh_warning):
    model = small_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.save(tmp_path / "model.lamina")
        model.save_weights(tmp_path / "w.weights.safetensors")
        model.save(tmp_path / "checkpoint")
    os.rename(tmp_path / "model.lamina", tmp_path / "renamed.bin")
    os.rename(tmp_path / "w.weights.safetensors", tmp_path / "renamed.weights")
    assert same_predictions(load_model(tmp_path / "renamed.bin"), model)
    assert same_predictions(load_model(tmp_path / "checkpoint"), model)
    other = small_model()
    other.load_weights(tmp_path / "renamed.weights")
    assert same_predictions(other, model)


def test_keras_spellings_of_save_model(tmp_path, fresh_warning):
    model = small_model()
    lamina.models.save_model(model, tmp_path / "a.lamina")
    lamina.saving.save_model(model, tmp_path / "b.lamina")
    assert same_predictions(lamina.models.load_model(tmp_path / "a.lamina"), model)
    assert same_predictions(lamina.saving.load_model(tmp_path / "b.lamina"), model)


def test_a_real_hdf5_file_is_named_as_such(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "keras2_model.lamina"  # the name does not matter
    with h5py.File(path, "w") as f:
        f.create_dataset("kernel", data=np.ones((3, 2)))
    with pytest.raises(FormatError, match=r"load_model: .*keras2_model\.lamina is an HDF5 file"
                                          r".*lamina does not read this format"):
        load_model(path)
    with pytest.raises(FormatError, match=r"load_weights: .* is an HDF5 file.*set_weights"):
        small_model().load_weights(path)


def test_hdf5_after_a_user_block_is_recognised(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(bytes(512) + file_kinds.HDF5_SIGNATURE + bytes(64))
    with pytest.raises(FormatError, match="is an HDF5 file"):
        load_model(path)


def test_a_keras_3_archive_is_named_as_such(tmp_path):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.0"}))
        archive.writestr("config.json", json.dumps({"class_name": "Sequential"}))
        archive.writestr("model.weights.h5", file_kinds.HDF5_SIGNATURE)
    with pytest.raises(FormatError, match=r"load_model: .*model\.keras is a Keras 3 model "
                                          r"archive.*lamina does not read this format"):
        load_model(path)
    with pytest.raises(FormatError, match="is a Keras 3 model archive"):
        small_model().load_weights(path)


def test_a_savedmodel_folder_and_a_weights_file_given_to_load_model(tmp_path):
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(FormatError, match="is a TensorFlow SavedModel folder"):
        load_model(folder)
    small_model().save_weights(tmp_path / "w.weights.safetensors")
    with pytest.raises(FormatError, match="holds weights only.*load_weights"):
        load_model(tmp_path / "w.weights.safetensors")


def test_an_unknown_file_given_to_load_weights(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not weights")
    with pytest.raises(FormatError, match=r"notes\.txt is neither a lamina weights file"):
        small_model().load_weights(path)


def test_model_checkpoint_with_keras_file_names(tmp_path, fresh_warning):
    model = small_model()
    best_weights = ModelCheckpoint(str(tmp_path / "best.weights.h5"), save_weights_only=True,
                                   monitor="val_loss", save_best_only=True)
    every_epoch = ModelCheckpoint(str(tmp_path / "model-{epoch}.keras"))
    callbacks = CallbackList([best_weights, every_epoch], model=model, verbose=0, epochs=3,
                             steps=1)
    callbacks.on_train_begin()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch, val_loss in enumerate([0.5, 0.2, 0.7]):
            callbacks.on_epoch_begin(epoch)
            model.set_weights([np.full(w.shape, epoch, "float32") for w in model.get_weights()])
            callbacks.on_epoch_end(epoch, {"val_loss": val_loss})
    callbacks.on_train_end()
    assert len(keras_suffix_warnings(caught)) == 1
    assert sorted(os.listdir(tmp_path)) == ["best.weights.h5", "model-1.keras",
                                            "model-2.keras", "model-3.keras"]
    restored = small_model()
    restored.load_weights(tmp_path / "best.weights.h5")
    assert all((w == 1).all() for w in restored.get_weights())  # epoch 2 had the best loss
    assert all((w == 2).all() for w in load_model(tmp_path / "model-3.keras").get_weights())
