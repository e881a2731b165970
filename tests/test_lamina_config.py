"""lamina.config (Keras 3's keras.config): each setter takes effect where a user looks,
rejects bad values with a message naming them, and every test restores the settings;
lamina.version() and the version pyproject.toml reads."""

import logging
import os
import tomllib
import traceback
from pathlib import Path

import numpy as np
import pytest

import lamina
from lamina import Input, Model, Sequential, callbacks, layers
from lamina import backend as K
from lamina.backend import config as backend_config
from lamina.saving import serialization
from lamina.utils import io_utils, traceback_utils

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


@pytest.fixture(autouse=True)
def restore_settings():
    states = (backend_config._settings, io_utils._state, serialization._process,
              traceback_utils._state)
    saved = [dict(state) for state in states]
    yield
    for live, copy in zip(states, saved):
        live.clear()
        live.update(copy)


def test_floatx_epsilon_and_image_data_format_setters_reach_k_and_new_layers():
    lamina.config.set_floatx("float64")
    assert K.floatx() == "float64" and layers.Dense(2).dtype == "float64"
    lamina.config.set_epsilon(1e-4)
    assert K.epsilon() == lamina.config.epsilon() == 1e-4
    lamina.config.set_image_data_format("channels_first")
    assert layers.Conv2D(2, 3).data_format == "channels_first"
    assert layers.Conv2D(2, 3)(Input((1, 6, 6))).shape == (None, 2, 4, 4)


@pytest.mark.parametrize("setter, value, message", [
    ("set_floatx", "int32", "set_floatx: expected one of"),
    ("set_epsilon", -1.0, "non-negative number; received -1.0"),
    ("set_image_data_format", "channels_middle", "received 'channels_middle'"),
    ("set_max_epochs", 0, "set_max_epochs: expected a positive int or None; received 0"),
    ("set_max_steps_per_epoch", 2.5, "received 2.5"),
])
def test_setters_reject_bad_values_and_keep_the_old_one(setter, value, message):
    getter = getattr(lamina.config, setter[len("set_"):])
    before = getter()
    with pytest.raises(ValueError, match=message):
        getattr(lamina.config, setter)(value)
    assert getter() == before


def test_backend_names_the_running_engine_and_set_backend_explains_the_environment_variable():
    assert lamina.config.backend() == ENGINE
    lamina.config.set_backend(ENGINE)  # the running engine: nothing to do
    other = next(e for e in ("jax", "torch", "numpy") if e != ENGINE)
    with pytest.raises(RuntimeError, match=f"LAMINA_BACKEND={other} before importing lamina"):
        lamina.config.set_backend(other)
    with pytest.raises(ValueError, match="unknown engine 'tensorflow'.*jax, torch, numpy"):
        lamina.config.set_backend("tensorflow")


def test_dtype_policy_sets_the_dtype_of_layers_created_afterwards():
    before = layers.Dense(2)
    lamina.config.set_dtype_policy("float64")
    assert lamina.config.dtype_policy().name == "float64"
    after = layers.Dense(2)
    out = after(K.ones((1, 3)))
    assert after.kernel.dtype == "float64" and K.standardize_dtype(K.dtype(out)) == "float64"
    assert before.dtype == "float32"
    assert K.floatx() == "float32"  # the policy is not floatx
    lamina.config.set_dtype_policy(lamina.dtype_policies.DTypePolicy("float16"))
    assert layers.Dense(2).dtype == "float16"
    lamina.config.set_dtype_policy(None)
    lamina.config.set_floatx("float64")
    assert lamina.config.dtype_policy().compute_dtype == "float64"


@pytest.mark.parametrize("policy, error, message", [
    ("mixed_float32", ValueError, "received 'mixed_float32'; did you mean 'mixed_float16'"),
    ("int8", ValueError, "mixed_bfloat16; received 'int8'"),
    (32, TypeError, "received 32"),
])
def test_unsupported_dtype_policies_say_what_is_supported(policy, error, message):
    with pytest.raises(error, match=message):
        lamina.config.set_dtype_policy(policy)
    assert lamina.config.dtype_policy().name == "float32"


def test_enable_unsafe_deserialization_loads_lambda_code_process_wide(tmp_path):
    x = Input((2,))
    model = Model(x, layers.Lambda(lambda t: t * 3.0, name="tripled")(x))
    path = tmp_path / "code.lamina"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        lamina.saving.load_model(path)
    lamina.config.enable_unsafe_deserialization()
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(K.convert_to_numpy(loaded(K.ones((1, 2)))), [[3.0, 3.0]])


def test_disabled_interactive_logging_sends_progress_bars_to_the_logger(capsys, caplog):
    x = Input((2,))
    model = Model(x, layers.Dense(1)(x))
    data = np.ones((4, 2), "float32")
    lamina.config.disable_interactive_logging()
    assert not lamina.utils.is_interactive_logging_enabled()
    with caplog.at_level(logging.INFO, logger="lamina"):
        model.predict(data, batch_size=2, verbose=2)
    assert capsys.readouterr().out == ""
    assert any(record.getMessage().startswith("2/2 - ") for record in caplog.records)
    lamina.config.enable_interactive_logging()
    model.predict(data, batch_size=2, verbose=2)
    assert capsys.readouterr().out.startswith("2/2 - ")


class Broken(callbacks.Callback):
    def on_predict_batch_end(self, batch, logs=None):
        raise ArithmeticError("broken callback")


def _frames_of_predict_error():
    x = Input((2,))
    model = Model(x, layers.Dense(1)(x))
    with pytest.raises(ArithmeticError, match="broken callback") as info:
        model.predict(np.ones((2, 2), "float32"), verbose=0, callbacks=[Broken()])
    return [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]


def test_traceback_filtering_leaves_lamina_frames_out_until_disabled():
    lamina_dir = os.path.dirname(lamina.__file__)
    files = _frames_of_predict_error()
    assert files[0] == __file__ and files[-1] == __file__  # the test and the callback
    inside = [f for f in files if f.startswith(lamina_dir)]
    assert [os.path.basename(f) for f in inside] == ["traceback_utils.py"]
    lamina.config.disable_traceback_filtering()
    assert not lamina.config.is_traceback_filtering_enabled()
    inside = [os.path.basename(f) for f in _frames_of_predict_error() if f.startswith(lamina_dir)]
    assert "loops.py" in inside and "callback.py" in inside


class CountSteps(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_epoch_begin(self, epoch, logs=None):
        self.steps.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.steps[-1] += 1


@needs_training
def test_max_epochs_and_max_steps_per_epoch_cap_fit():
    model = Sequential([Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((16, 2), "float32"), np.ones((16, 1), "float32")
    lamina.config.set_max_epochs(2)
    lamina.config.set_max_steps_per_epoch(3)
    counter = CountSteps()
    history = model.fit(x, y, epochs=5, batch_size=2, verbose=0, callbacks=[counter])
    assert counter.steps == [3, 3] and history.epoch == [0, 1]
    lamina.config.set_max_epochs(None)
    lamina.config.set_max_steps_per_epoch(None)
    counter = CountSteps()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[counter])
    assert counter.steps == [4, 4]


def test_version_is_one_constant_that_pyproject_reads():
    assert lamina.version() == lamina.__version__
    assert all(part.isdigit() for part in lamina.__version__.split("."))
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "lamina._version.__version__"}
