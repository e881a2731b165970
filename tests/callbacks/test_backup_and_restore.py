"""BackupAndRestore: a run interrupted (by an error in-process, and by SIGKILL in a
real subprocess) and started again ends with the weights of a run that never
stopped; the shuffled data order of epoch k does not depend on restarts; backups are
atomic, deleted at the end unless asked not to, and errors name what does not fit."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from lamina import Input, Model, layers, utils
from lamina import backend as K
from lamina.callbacks import BackupAndRestore, Callback
from lamina.saving import FormatError, training_state
from lamina.training.data_adapters import ArrayAdapter
import resumable_training
from resumable_training import BATCH, X, Y, build, fit, train

trains = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")


class Interrupted(Exception):
    pass


class InterruptAt(Callback):
    """Raises after training batch ``batch`` of epoch ``epoch`` (both from 0)."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise Interrupted


@pytest.fixture(scope="module")
def uninterrupted_weights():
    return train().get_weights()


def assert_weights_equal(model, weights):
    for found, expected in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_allclose(found, expected, rtol=0, atol=1e-6)


@trains
@pytest.mark.parametrize("save_freq, new_model", [("epoch", True), (5, False)])
def test_an_interrupted_run_resumes_and_ends_like_an_uninterrupted_one(
        tmp_path, uninterrupted_weights, save_freq, new_model):
    backup_dir = str(tmp_path / "backup")
    model = build(seed=5)
    with pytest.raises(Interrupted):
        fit(model, [BackupAndRestore(backup_dir, save_freq=save_freq), InterruptAt(2, 2)])
    state = json.loads((tmp_path / "backup" / training_state.STATE_FILE).read_text())
    steps = len(X) // BATCH
    # with save_freq=5 the last backup before batch 2 of epoch 2 is after 15 batches
    expected_position = (2, 0) if save_freq == "epoch" else divmod(15, steps)
    assert (state["epoch"], state["step"]) == expected_position

    # a restarted program (other seeds), or a retry with the model trained past the backup
    resumed = build(seed=99) if new_model else model
    utils.set_random_seed(99)
    history = fit(resumed, [BackupAndRestore(backup_dir, save_freq=save_freq)])
    assert history.epoch == [2, 3]
    assert_weights_equal(resumed, uninterrupted_weights)
    assert not os.path.exists(backup_dir)


@trains
def test_delete_checkpoint_false_keeps_the_backup_and_a_longer_run_goes_on(tmp_path):
    backup_dir = str(tmp_path / "backup")
    model = build(seed=3)
    model.fit(X, Y, batch_size=BATCH, epochs=2, verbose=0,
              callbacks=[BackupAndRestore(backup_dir, delete_checkpoint=False)])
    state = json.loads(open(os.path.join(backup_dir, training_state.STATE_FILE)).read())
    assert (state["epoch"], state["step"]) == (2, 0)
    assert len([name for name in os.listdir(backup_dir) if name.endswith(".lamina")]) == 1
    utils.set_random_seed(4)
    history = model.fit(X, Y, batch_size=BATCH, epochs=3, verbose=0,
                        callbacks=[BackupAndRestore(backup_dir)])
    assert history.epoch == [2]


def test_the_shuffled_order_of_an_epoch_depends_only_on_the_seed_and_the_epoch():
    def orders(adapter, epochs):
        return [np.concatenate([K.convert_to_numpy(x)[:, 0] for x, _ in adapter.epoch(e)])
                for e in epochs]

    a = ArrayAdapter(X, Y, batch_size=BATCH, shuffle=True)
    b = ArrayAdapter(X, Y, batch_size=BATCH, shuffle=True)
    b.shuffle_seed = a.shuffle_seed
    first, second, third = orders(a, [0, 1, 2])
    np.testing.assert_array_equal(orders(b, [2])[0], third)
    np.testing.assert_array_equal(np.sort(first), np.sort(X[:, 0]))
    assert not np.array_equal(first, second)


def restore_into(model, backup_dir):
    """What fit does at its start: a start position, then the callbacks' train begin."""
    model._fit_start = {"epoch": 0, "step": 0, "shuffle_seed": 1}
    callback = BackupAndRestore(backup_dir)
    callback.set_model(model)
    callback.on_train_begin()
    return model._fit_start


def filled(model, value):
    model.set_weights([np.full(w.shape, value, "float32") for w in model.get_weights()])


def test_restoring_sets_the_variables_and_the_start_position(tmp_path):
    saved = build(seed=1)
    filled(saved, 0.5)
    saved._fit_start = {"epoch": 0, "step": 0, "shuffle_seed": 1234}
    callback = BackupAndRestore(str(tmp_path))
    callback.set_model(saved)
    callback.on_epoch_end(2, {"loss": 0.1})
    fresh = build(seed=2)
    assert restore_into(fresh, str(tmp_path)) == {"epoch": 3, "step": 0, "shuffle_seed": 1234}
    assert_weights_equal(fresh, saved.get_weights())
    seed_states = [v for v in fresh.variables if "seed" in v.name]
    assert seed_states and all(
        np.array_equal(K.convert_to_numpy(a.value), K.convert_to_numpy(b.value))
        for a, b in zip(seed_states, [v for v in saved.variables if "seed" in v.name],
                        strict=True))


def test_a_backup_interrupted_before_its_state_file_leaves_the_previous_one(tmp_path,
                                                                          monkeypatch):
    model = build(seed=1)
    model._fit_start = {"epoch": 0, "step": 0, "shuffle_seed": 7}
    filled(model, 1.0)
    training_state.save_training_state(model, str(tmp_path), {"epoch": 1, "step": 0})
    filled(model, 2.0)
    write = training_state.archive.write_atomically

    def killed_at_the_state_file(path, writer):
        if path.endswith(".json"):
            raise KeyboardInterrupt
        write(path, writer)

    monkeypatch.setattr(training_state.archive, "write_atomically", killed_at_the_state_file)
    with pytest.raises(KeyboardInterrupt):
        training_state.save_training_state(model, str(tmp_path), {"epoch": 2, "step": 0})
    monkeypatch.undo()
    fresh = build(seed=2)
    assert restore_into(fresh, str(tmp_path))["epoch"] == 1
    assert all((w == 1.0).all() for w in fresh.get_weights())


def test_a_backup_of_another_model_is_refused_naming_the_layer(tmp_path):
    inputs = Input((3,))
    other = Model(inputs, layers.Dense(5, name="wide")(inputs))
    training_state.save_training_state(other, str(tmp_path), {"epoch": 1, "step": 0})
    with pytest.raises(ValueError, match="BackupAndRestore: cannot restore the backup") as error:
        restore_into(build(seed=1), str(tmp_path))
    assert "expects weights of shapes" in str(error.value)


def test_a_damaged_state_file_is_reported_with_its_path(tmp_path):
    (tmp_path / training_state.STATE_FILE).write_text('{"epoch": "two"}')
    with pytest.raises(FormatError, match="training_state.json: not a lamina training state"):
        restore_into(build(seed=1), str(tmp_path))


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "backup_dir must be the path of a folder. Received backup_dir=''"),
    ({"backup_dir": None}, "Received backup_dir=None"),
    ({"backup_dir": "b", "save_freq": 0}, "save_freq must be 'epoch' or an int >= 1"),
])
def test_argument_errors_name_the_callback(kwargs, message):
    with pytest.raises(ValueError, match="BackupAndRestore") as error:
        BackupAndRestore(**kwargs)
    assert message in str(error.value)


def wait_for(path, proc, log, seconds):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if proc.poll() is not None:
            pytest.fail(f"the training script ended (code {proc.returncode}) before it wrote "
                        f"its marker:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no marker after {seconds} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


@trains
def test_a_killed_training_process_restarted_ends_like_an_uninterrupted_run(
        tmp_path, uninterrupted_weights):
    log = tmp_path / "log.txt"
    backup_dir, marker = tmp_path / "backup", tmp_path / "epoch-2-backed-up"
    out = tmp_path / "final.weights.safetensors"
    command = [sys.executable, resumable_training.__file__, str(backup_dir), str(marker),
               str(out)]
    with open(log, "wb") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_for(marker, proc, log, seconds=300)
    finally:
        proc.kill()
        proc.wait()
    state = json.loads((backup_dir / training_state.STATE_FILE).read_text())
    assert (state["epoch"], state["step"]) == (2, 0)
    assert not out.exists()

    with open(log, "wb") as sink:
        finished = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT, timeout=300)
    assert finished.returncode == 0, log.read_text()[-3000:]
    model = build(seed=1)
    model.load_weights(str(out))
    assert_weights_equal(model, uninterrupted_weights)
    assert not backup_dir.exists()
