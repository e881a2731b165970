"""Device placement without an accelerator: the device scope, the default-device
choice (with what torch reports faked), the error for a batch on another device than
the weights, and saving and loading across devices.

torch's second device here is ``meta`` (shapes without data); JAX's is a second host
device (``--xla_force_host_platform_device_count=2``, in a subprocess since the flag
must be set before JAX starts)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lamina
from lamina import Sequential, layers
from lamina import backend as K
from lamina.backend import config

ENGINE = K.backend()
SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")
torch_only = pytest.mark.skipif(ENGINE != "torch", reason="torch's meta device")


def small_model():
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dropout(0.25),
                        layers.BatchNormalization(), layers.Dense(2)])
    model.build((None, 3))
    return model


def test_the_current_device_is_the_engines_cpu_here():
    assert K.get_device() in ("cpu", "cpu:0")
    assert K.list_devices("cpu") and K.list_devices("gpu") == []
    assert K.device_of(K.ones((2,))).startswith("cpu")
    assert K.device_of(np.ones(2)) == "cpu"


def test_a_scope_names_its_device_and_restores_the_previous_one():
    outer = K.get_device()
    with lamina.device("cpu"):
        assert K.get_device().startswith("cpu")
        with lamina.device("cpu:0"):
            assert K.get_device().startswith("cpu")
    assert K.get_device() == outer


@pytest.mark.parametrize("name, message", [
    ("gpu", "Visible devices"), ("cuda:3", "Visible devices"), ("tpu:0", "tpu"),
    ("cpu:9", "cpu"), ("quantum", "expected a device name"), ("gpu:x", "expected a device name"),
])
def test_a_device_the_engine_does_not_see_is_an_error_listing_the_visible_ones(name, message):
    with pytest.raises(ValueError, match=message) as info:
        with lamina.device(name):
            pass
    assert repr(name) in str(info.value)
    assert K.get_device() in ("cpu", "cpu:0")  # the failed scope changed nothing


def test_a_device_name_must_be_a_string():
    with pytest.raises(TypeError, match="device name"):
        with lamina.device(3):
            pass


@pytest.mark.skipif(ENGINE != "numpy", reason="the numpy engine's limit")
def test_numpy_runs_on_the_cpu_only():
    with pytest.raises(ValueError, match="CPU only"):
        with lamina.device("meta"):
            pass


# -- torch: placement on a second device (meta) ---------------------------------------
@torch_only
def test_everything_made_in_a_scope_lives_on_its_device():
    with lamina.device("meta"):
        model = small_model()
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        model.optimizer.build(model.trainable_variables)
        made = [K.zeros((2,)), K.ones((2,)), K.full((2,), 3.0), K.eye(3), K.arange(3),
                K.random_normal((2,)), K.random_uniform((2,)), K.convert_to_tensor(np.ones(2)),
                K.convert_to_tensor([1.0, 2.0]), K.Variable(np.zeros(3))]
    seeds = {id(v) for v in model.variables if v.name.endswith("seed_generator_state")}
    weights = [v for v in model.variables if id(v) not in seeds]
    optimizer = model.optimizer
    counters = {id(optimizer.iterations), id(optimizer._learning_rate)}
    assert {K.device_of(v) for v in weights} == {"meta"}
    assert {K.device_of(v) for v in optimizer.variables if id(v) not in counters} == {"meta"}
    assert {K.device_of(t) for t in made} == {"meta"}
    # state read as numbers at each step stays on the host, where reading it does not
    # wait for the device: seeds, the optimizer's iteration count and learning rate
    assert seeds and {K.device_of(v) for v in model.variables if id(v) in seeds} == {"cpu"}
    assert {K.device_of(optimizer.iterations), K.device_of(optimizer.learning_rate)} == {"cpu"}
    assert K.device_of(K.zeros((2,))) == "cpu"  # outside the scope again


@torch_only
def test_a_batch_on_another_device_than_the_weights_is_an_error_naming_both():
    import torch
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    x, y = torch.zeros(4, 3, device="meta"), torch.zeros(4, 2, device="meta")
    for run in (lambda: model.predict(x, verbose=0), lambda: model.fit(x, y, verbose=0),
                lambda: model.evaluate(x, y, verbose=0)):
        with pytest.raises(ValueError, match="on meta while the model's weights are on cpu") \
                as info:
            run()
        assert model.name in str(info.value)


@torch_only
def test_host_tensors_and_arrays_pass_to_a_cpu_model_unchanged():
    import torch
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    from_numpy = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(torch.from_numpy(x), verbose=0), from_numpy)
    history = model.fit(torch.from_numpy(x), torch.zeros(8, 2), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@torch_only
def test_loading_places_the_weights_on_the_current_device(tmp_path):
    model = small_model()
    model.compile(optimizer="adam", loss="mse")
    path = str(tmp_path / "model.lamina")
    model.save(path)
    with lamina.device("meta"):
        loaded = lamina.models.load_model(path)
    assert {K.device_of(v) for v in loaded.weights} == {"meta"}
    assert [tuple(v.shape) for v in loaded.weights] == [tuple(v.shape) for v in model.weights]
    again = lamina.models.load_model(path)  # and on the host, values intact
    for a, b in zip(again.weights, model.weights):
        np.testing.assert_array_equal(K.convert_to_numpy(a), K.convert_to_numpy(b))


@torch_only
def test_the_default_device_is_the_first_accelerator_torch_reports(monkeypatch):
    import torch
    from lamina.backend.torch import placement
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert placement.default_device() == torch.device("cuda", 0)
    assert placement.visible_devices() == ["cpu", "cuda:0", "cuda:1"]
    assert placement.resolve("gpu:1") == torch.device("cuda", 1)
    with pytest.raises(ValueError, match="cuda:2"):
        placement.resolve("cuda:2")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert placement.default_device() == torch.device("mps", 0)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert placement.default_device() == torch.device("cpu")


@torch_only
def test_lamina_device_and_the_config_file_choose_the_default(monkeypatch):
    import torch
    from lamina.backend.torch import placement
    monkeypatch.setitem(config._settings, "device", ("meta", "LAMINA_DEVICE"))
    assert placement.default_device() == torch.device("meta")
    monkeypatch.setitem(config._settings, "device", ("gpu:0", "'device' in lamina.json"))
    with pytest.raises(ValueError, match="from 'device' in lamina.json.*Visible devices: cpu"):
        placement.default_device()


def test_the_device_setting_is_read_from_the_environment_first(monkeypatch, tmp_path):
    (tmp_path / "lamina.json").write_text('{"device": "cpu:0"}')
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    saved = dict(config._settings)
    try:
        monkeypatch.delenv("LAMINA_DEVICE", raising=False)
        config.resolve_engine()
        assert config.requested_device()[0] == "cpu:0"
        assert "lamina.json" in config.requested_device()[1]
        monkeypatch.setenv("LAMINA_DEVICE", "cpu")
        config.resolve_engine()
        assert config.requested_device() == ("cpu", "LAMINA_DEVICE")
    finally:
        config._settings.clear()
        config._settings.update(saved)


@torch_only
def test_a_process_started_with_an_unknown_lamina_device_stops_with_its_source():
    env = dict(os.environ, LAMINA_BACKEND="torch", LAMINA_DEVICE="cuda:5",
               PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = subprocess.run([sys.executable, "-c", "import lamina"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "from LAMINA_DEVICE" in run.stderr and "'cuda:5'" in run.stderr


# -- JAX: two host devices ---------------------------------------------------------------
JAX_SCRIPT = textwrap.dedent("""
    import numpy as np, jax, lamina
    from lamina import backend as K, layers
    assert K.list_devices() == ["cpu:0", "cpu:1"], K.list_devices()
    with lamina.device("cpu:1"):
        model = lamina.Sequential([layers.Dense(4, activation="relu"), layers.Dropout(0.2),
                                   layers.Dense(2)])
        model.build((None, 3))
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    model.fit(x, x[:, :2], epochs=2, verbose=0)  # outside the scope: runs where the weights are
    state = model.variables + model.optimizer.variables
    state += [v for m in model.metrics for v in m.variables]
    assert {K.device_of(v) for v in state} == {"cpu:1"}, {K.device_of(v) for v in state}
    expected = model.predict(x, verbose=0)
    try:
        model.predict(jax.device_put(x, jax.devices()[0]), verbose=0)
        raise SystemExit("no error for a batch on another device")
    except ValueError as e:
        assert "on cpu:0 while the model's weights are on cpu:1" in str(e), e
    model.save("{path}")
    with lamina.device("cpu:0"):
        loaded = lamina.models.load_model("{path}")
    assert {K.device_of(v) for v in loaded.weights} == {"cpu:0"}
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
    print("ok")
""")


@pytest.mark.skipif(ENGINE != "jax", reason="JAX's host devices")
def test_jax_places_train_and_load_on_a_chosen_host_device(tmp_path):
    env = dict(os.environ, LAMINA_BACKEND="jax",
               XLA_FLAGS="--xla_force_host_platform_device_count=2",
               PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("LAMINA_DEVICE", None)
    script = JAX_SCRIPT.replace("{path}", str(tmp_path / "model.lamina"))
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-3000:]


# -- torch: whole steps with the weights on a second device ---------------------------
def _proxy_model(kind, rng):
    """A model of one family, its batch and loss: the layers whose steps make tensors
    (masks, noise, initial states, attention scores, pooling windows)."""
    if kind == "mlp":
        model = Sequential([layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                            layers.BatchNormalization(), layers.GaussianNoise(0.1),
                            layers.Dense(3, activation="softmax")])
        model.build((None, 5))
        x = rng.normal(size=(6, 5)).astype("float32")
        return model, x, np.eye(3)[rng.integers(0, 3, 6)].astype("float32"), \
            "categorical_crossentropy"
    if kind == "cnn":
        model = Sequential([layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(),
                            layers.SeparableConv2D(4, 3, padding="same"),
                            layers.GlobalAveragePooling2D(), layers.Dense(2)])
        model.build((None, 8, 8, 1))
        return model, rng.normal(size=(6, 8, 8, 1)).astype("float32"), \
            rng.normal(size=(6, 2)).astype("float32"), "mse"
    if kind == "rnn":
        model = Sequential([layers.Embedding(20, 4, mask_zero=True),
                            layers.LSTM(5, return_sequences=True, dropout=0.2),
                            layers.GRU(5, recurrent_dropout=0.2),
                            layers.Dense(1, activation="sigmoid")])
        model.build((None, 7))
        return model, rng.integers(0, 20, (6, 7)), \
            rng.integers(0, 2, (6, 1)).astype("float32"), "binary_crossentropy"
    inputs = lamina.Input((5, 8))
    h = layers.MultiHeadAttention(2, 4)(inputs, inputs)
    h = layers.GlobalAveragePooling1D()(layers.LayerNormalization()(h + inputs))
    return lamina.Model(inputs, layers.Dense(2)(h)), rng.normal(size=(6, 5, 8)).astype(
        "float32"), rng.integers(0, 2, (6,)), "sparse_categorical_crossentropy"


@torch_only
@pytest.mark.parametrize("kind, optimizer", [("mlp", "adam"), ("cnn", "rmsprop"),
                                             ("rnn", "sgd"), ("attention", "adamw")])
def test_steps_run_where_the_weights_are_whatever_scope_fit_runs_in(kind, optimizer):
    """The weights on a second device (meta: torch checks devices there as on a GPU),
    compile and the steps outside the scope: every tensor a step makes must land beside
    the weights, and the state compile makes (metrics) moves there."""
    with lamina.device("meta"):
        model, x, y, loss = _proxy_model(kind, np.random.default_rng(0))
    model.compile(optimizer=optimizer, loss=loss, metrics=["mae" if loss == "mse" else "accuracy"])
    model._run_step("train", (x, y, None))
    model._run_step("test", (x, y, None))
    assert K.device_of(model._run_step("predict", (x,))) == "meta"
    optimizer = model.optimizer
    counters = {id(optimizer.iterations), id(optimizer._learning_rate)}
    state = model.variables + optimizer.variables + [v for m in model.metrics for v in m.variables]
    assert {K.device_of(v) for v in state if id(v) not in counters
            and not v.name.endswith("seed_generator_state")} == {"meta"}
