"""ModelCheckpoint: file names filled from the epoch, batch and logs; save_best_only in
each mode and with a threshold; weights-only files that load_weights reads; saving
every N batches (also inside fit); the warning for a missing monitor; argument errors."""

import os
import warnings

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from lamina.callbacks import CallbackList, ModelCheckpoint
from lamina.saving import load_model

trains = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")


def small_model():
    x = Input((3,))
    return Model(x, layers.Dense(2)(x))


def epoch_weights(model, epoch):
    """Weights that tell which epoch produced them."""
    return [np.full(w.shape, epoch, "float32") for w in model.get_weights()]


def run_epochs(model, checkpoint, logs_per_epoch):
    """Drive the epoch hooks as fit does, with the weights of epoch e filled with e."""
    callbacks = CallbackList([checkpoint], model=model, verbose=0,
                             epochs=len(logs_per_epoch), steps=1)
    callbacks.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        callbacks.on_epoch_begin(epoch)
        model.set_weights(epoch_weights(model, epoch))
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end()


def saved_epoch(path):
    """The epoch whose weights the model file at ``path`` holds."""
    values = np.unique(np.concatenate([w.ravel() for w in load_model(path).get_weights()]))
    assert values.size == 1
    return int(values[0])


def test_file_names_are_formatted_from_the_epoch_and_the_logs(tmp_path):
    model = small_model()
    val_losses = [0.8123, 0.4567, 0.6]
    checkpoint = ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.lamina"))
    run_epochs(model, checkpoint, [{"loss": 1.0, "val_loss": v} for v in val_losses])
    expected = [f"ckpt-{e + 1:02d}-{v:.2f}.lamina" for e, v in enumerate(val_losses)]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)
    assert [saved_epoch(tmp_path / name) for name in expected] == [0, 1, 2]


def running_best_epochs(values, lower_is_better, threshold=None):
    """The epochs at which a value beats every earlier one (and the threshold)."""
    best = np.inf if lower_is_better else -np.inf
    if threshold is not None:
        best = threshold
    epochs = []
    for epoch, value in enumerate(values):
        if (value < best) if lower_is_better else (value > best):
            best = value
            epochs.append(epoch)
    return epochs


@pytest.mark.parametrize("monitor, mode, lower_is_better", [
    ("val_loss", "auto", True), ("val_accuracy", "auto", False),
    ("score", "min", True), ("score", "max", False)])
def test_save_best_only_saves_each_new_best_in_the_mode_direction(tmp_path, monitor, mode,
                                                                   lower_is_better):
    values = [0.5, 0.3, 0.7, 0.2, 0.9, 0.6]
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.lamina"), monitor=monitor, mode=mode,
                                 save_best_only=True)
    run_epochs(model, checkpoint, [{monitor: v} for v in values])
    expected = running_best_epochs(values, lower_is_better)
    assert sorted(os.listdir(tmp_path)) == sorted(f"e{e + 1}.lamina" for e in expected)
    assert checkpoint.best == values[expected[-1]]


def test_a_fixed_file_name_ends_up_holding_the_best_epoch(tmp_path):
    values = [0.9, 0.4, 0.6, 0.5]
    model = small_model()
    path = tmp_path / "best.lamina"
    run_epochs(model, ModelCheckpoint(path, save_best_only=True),
               [{"val_loss": v} for v in values])
    assert saved_epoch(path) == int(np.argmin(values))


def test_initial_value_threshold_must_be_beaten_first(tmp_path):
    values = [0.7, 0.6, 0.3, 0.4, 0.2]
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.lamina"), save_best_only=True,
                                 initial_value_threshold=0.5)
    run_epochs(model, checkpoint, [{"val_loss": v} for v in values])
    expected = running_best_epochs(values, True, threshold=0.5)
    assert sorted(os.listdir(tmp_path)) == sorted(f"e{e + 1}.lamina" for e in expected)


def test_weights_only_files_load_with_load_weights(tmp_path):
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "w{epoch}.weights.safetensors"),
                                 save_weights_only=True)
    run_epochs(model, checkpoint, [{"loss": 0.1}, {"loss": 0.2}])
    fresh = small_model()
    fresh.load_weights(str(tmp_path / "w1.weights.safetensors"))
    for loaded, expected in zip(fresh.get_weights(), epoch_weights(model, 0)):
        np.testing.assert_array_equal(loaded, expected)


def test_missing_folders_are_made(tmp_path):
    model = small_model()
    run_epochs(model, ModelCheckpoint(str(tmp_path / "runs" / "{epoch}" / "m.lamina")),
               [{"loss": 0.1}])
    assert saved_epoch(tmp_path / "runs" / "1" / "m.lamina") == 0


def test_a_missing_monitor_warns_once_and_saves_nothing(tmp_path):
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "m.lamina"), save_best_only=True)
    with pytest.warns(UserWarning, match="val_loss.*Available keys: loss") as caught:
        run_epochs(model, checkpoint, [{"loss": 0.5}, {"loss": 0.4}, {"loss": 0.3}])
    assert len([w for w in caught if "ModelCheckpoint" in str(w.message)]) == 1
    assert os.listdir(tmp_path) == []


def test_save_freq_counts_batches_across_epochs(tmp_path):
    """Hooks as fit calls them with steps_per_execution=2: the batch index jumps by 2."""
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.lamina"), save_freq=3)
    callbacks = CallbackList([checkpoint], model=model, verbose=0, epochs=2, steps=4)
    callbacks.on_train_begin()
    for epoch in range(2):
        callbacks.on_epoch_begin(epoch)
        for last_batch in (1, 3):
            callbacks.on_train_batch_end(last_batch, {"loss": 0.5})
        callbacks.on_epoch_end(epoch, {"loss": 0.5})
    # batches seen since the last save: 2, 4 (save), then 2, 4 (save) in epoch 2
    assert sorted(os.listdir(tmp_path)) == ["e1-b4.lamina", "e2-b4.lamina"]


@trains
def test_save_freq_in_batches_during_fit(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(24, 3)).astype("float32"), rng.normal(size=(24, 2)).astype("float32")
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    steps, epochs, every = 3, 4, 2
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}-{loss:.3f}.weights.safetensors"),
                                 save_weights_only=True, save_freq=every)
    model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0, callbacks=[checkpoint])
    saved = {tuple(name.removesuffix(".weights.safetensors").split("-")): name
             for name in os.listdir(tmp_path)}
    due = range(every, steps * epochs + 1, every)  # batches counted across epochs
    expected = {(f"e{(n - 1) // steps + 1}", f"b{(n - 1) % steps + 1}") for n in due}
    assert {key[:2] for key in saved} == expected
    (last_key,) = [key for key in saved if key[:2] == (f"e{epochs}", f"b{steps}")]
    assert float(last_key[2]) == pytest.approx(model.history.history["loss"][-1], abs=1e-3)
    fresh = small_model()
    fresh.load_weights(str(tmp_path / saved[last_key]))
    for loaded, trained in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_allclose(loaded, trained, rtol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "m.lamina", "mode": "biggest"}, "mode must be 'auto', 'min' or 'max'"),
    ({"filepath": "m.lamina", "save_freq": 0}, "save_freq must be 'epoch' or an int >= 1"),
    ({"filepath": "m.lamina", "save_freq": "batch"}, "Received save_freq='batch'"),
    ({"filepath": "m.lamina", "monitor": "score", "save_best_only": True},
     "cannot tell whether monitor='score'"),
    ({"filepath": "m.lamina", "initial_value_threshold": "low"},
     "initial_value_threshold must be a number"),
])
def test_argument_errors_name_the_callback_and_the_value(kwargs, message):
    with pytest.raises(ValueError, match="ModelCheckpoint") as error:
        ModelCheckpoint(**kwargs)
    assert message in str(error.value)


def test_an_unknown_field_in_the_file_name_is_reported(tmp_path):
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "m-{val_acc:.2f}.lamina"))
    with pytest.raises(KeyError, match="'val_acc'.*epoch, loss"):
        run_epochs(model, checkpoint, [{"loss": 0.5}])
    assert os.listdir(tmp_path) == []


def test_verbose_reports_each_decision(tmp_path, capsys):
    model = small_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "m.lamina"), monitor="loss",
                                 save_best_only=True, verbose=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_epochs(model, checkpoint, [{"loss": 0.5}, {"loss": 0.75}])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Epoch 1: loss improved from inf to 0.50000; saving the model")
    assert lines[1] == "Epoch 2: loss did not improve on 0.50000"
