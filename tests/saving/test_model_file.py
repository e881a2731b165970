"""model.save / load_model and save_weights / load_weights: what comes back, on every
engine (numpy: load and predict), across engines, and mid-training."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import lamina
from lamina import Input, Model, Sequential, layers
from lamina import backend as K
from lamina.saving import load_model

sys.path.insert(0, os.path.dirname(__file__))
from article_objects import MyDense, TwoLayers, article_model, customed_loss, data  # noqa: E402

trains = pytest.mark.skipif(K.backend() == "numpy", reason="numpy cannot train")


def _predict(model, x):
    return np.asarray(K.convert_to_numpy(model(x)))


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(np.array_equal(p, q) for p, q in zip(wa, wb))


def test_functional_model_with_custom_layer_and_k_functions_round_trips(tmp_path):
    model = article_model()
    x, _ = data()
    path = tmp_path / "article.lamina"
    model.save(path)
    loaded = load_model(path)
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert _same_weights(model, loaded)
    np.testing.assert_allclose(_predict(loaded, x), _predict(model, x), rtol=1e-6, atol=1e-6)
    assert [name for name, _ in loaded._added_losses] == ["label_penalty"]
    assert loaded.targets[0].shape == (None, 3)


def test_inline_dropout_of_the_article_comes_back_as_graph_nodes(tmp_path):
    model = article_model(dropout=True)
    path = tmp_path / "dropout.lamina"
    model.save(path)
    config = json.loads(model.to_json())["config"]
    ops = [n.get("op") for n in config["nodes"] if "op" in n]
    assert "lamina.backend.ops.random:draw" in ops
    loaded = load_model(path)
    out = _predict(loaded, np.ones((200, 6), "float32"))
    assert out.shape == (200, 3)


@trains
def test_compile_arguments_and_optimizer_state_come_back(tmp_path):
    model = article_model()
    model.compile(optimizer=lamina.optimizers.Adam(learning_rate=0.01), loss=customed_loss,
                  metrics=["accuracy"])
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    path = tmp_path / "trained.lamina"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert float(K.convert_to_numpy(loaded.optimizer.learning_rate)) == pytest.approx(0.01)
    assert [v.numpy().tolist() for v in loaded.optimizer.variables] == \
        [v.numpy().tolist() for v in model.optimizer.variables]
    evaluated = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert set(evaluated) >= {"loss", "accuracy", "label_penalty"}


@trains
def test_training_resumed_from_a_file_ends_where_uninterrupted_training_ends(tmp_path):
    x, y = data(64)

    def fresh():
        K.clear_session()
        lamina.random.set_seed(3) if hasattr(lamina.random, "set_seed") else None
        model = article_model(dropout=False)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        return model

    uninterrupted = fresh()
    start = [w.copy() for w in uninterrupted.get_weights()]
    uninterrupted.fit(x, y, epochs=4, batch_size=16, verbose=0, shuffle=False)

    first = fresh()
    first.set_weights(start)
    first.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
    path = tmp_path / "midway.lamina"
    first.save(path)
    resumed = load_model(path)
    resumed.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
    for a, b in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sequential_model_round_trips(tmp_path):
    model = Sequential([Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    path = tmp_path / "seq.lamina"
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, Sequential)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(_predict(loaded, x), _predict(model, x), rtol=1e-6)


def test_subclassed_model_is_rebuilt_from_its_arguments_and_input_shape(tmp_path):
    model = TwoLayers(hidden=3)
    x = np.ones((2, 5), "float32")
    expected = _predict(model, x)
    path = tmp_path / "sub.lamina"
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, TwoLayers) and loaded.hidden == 3
    np.testing.assert_allclose(_predict(loaded, x), expected, rtol=1e-6)


def test_unregistered_custom_layer_needs_custom_objects_and_the_error_says_so(tmp_path):
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2.0

    x = Input((2,))
    model = Model(x, Doubler(name="doubler")(x))
    path = tmp_path / "doubler.lamina"
    model.save(path)
    with pytest.raises(ValueError, match="Doubler") as info:
        load_model(path)
    assert "custom_objects" in str(info.value) and str(path) in str(info.value)
    loaded = load_model(path, custom_objects={"Doubler": Doubler})
    assert _predict(loaded, np.ones((1, 2), "float32")).tolist() == [[2.0, 2.0]]


def test_save_weights_and_load_weights_match_by_structure(tmp_path):
    a, b = article_model(), article_model()
    assert not _same_weights(a, b)
    path = tmp_path / "w.weights.safetensors"
    a.save_weights(path)
    b.load_weights(path)
    assert _same_weights(a, b)


def test_load_weights_names_the_first_layer_that_does_not_fit_and_changes_nothing(tmp_path):
    def build(units):
        x = Input((4,))
        return Model(x, layers.Dense(2, name="out")(layers.Dense(units, name="hidden")(x)))

    path = tmp_path / "w.weights.safetensors"
    build(3).save_weights(path)
    other = build(5)
    before = other.get_weights()
    with pytest.raises(ValueError, match="'hidden'.*\\(4, 5\\)") as info:
        other.load_weights(path)
    assert "skip_mismatch" in str(info.value)
    assert all(np.array_equal(p, q) for p, q in zip(before, other.get_weights()))
    with pytest.warns(UserWarning, match="hidden"):
        other.load_weights(path, skip_mismatch=True)
    assert all(np.array_equal(p, q) for p, q in zip(before, other.get_weights()))


def test_unbuilt_models_and_existing_files_are_refused(tmp_path):
    model = Sequential([Input((2,)), layers.Dense(1)])
    unbuilt = Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match="not built yet"):
        unbuilt.save(tmp_path / "unbuilt.lamina")
    assert not (tmp_path / "unbuilt.lamina").exists()
    model.save(tmp_path / "m.lamina")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.lamina", overwrite=False)


def test_to_json_and_model_from_json_give_the_architecture_with_new_weights():
    model = article_model()
    text = model.to_json()
    rebuilt = lamina.models.model_from_json(text)
    assert json.loads(rebuilt.to_json())["config"]["nodes"] == json.loads(text)["config"]["nodes"]
    assert not _same_weights(model, rebuilt)


def test_clone_model_copies_structure_not_weights():
    model = article_model()
    clone = lamina.models.clone_model(model)
    assert [type(l).__name__ for l in clone.layers] == [type(l).__name__ for l in model.layers]
    assert clone.get_layer("hidden").units == 8
    assert all(a is not b for a, b in zip(clone.weights, model.weights))
    seq = Sequential([Input((3,)), layers.Dense(2)])
    seq_clone = lamina.models.clone_model(seq)
    assert isinstance(seq_clone, Sequential) and seq_clone.output.shape == (None, 2)


def _module_function(x):
    return x + 1.0


def test_lambda_with_a_module_level_function_is_saved_by_reference(tmp_path):
    x = Input((2,))
    model = Model(x, layers.Lambda(_module_function, name="plus_one")(x))
    path = tmp_path / "lam.lamina"
    model.save(path)
    config = json.loads(model.to_json())
    function = config["config"]["layers"][0]["config"]["function"]
    assert function["function_name"] == "_module_function"
    loaded = load_model(path, custom_objects={"_module_function": _module_function})
    assert _predict(loaded, np.zeros((1, 2), "float32")).tolist() == [[1.0, 1.0]]


def test_lambda_code_loads_only_outside_safe_mode(tmp_path):
    scale = 3.0
    x = Input((2,))
    model = Model(x, layers.Lambda(lambda t: t * scale, name="scaled")(x))
    path = tmp_path / "code.lamina"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False") as info:
        load_model(path)
    assert "'scaled'" in str(info.value) and str(path) in str(info.value)
    loaded = load_model(path, safe_mode=False)
    assert _predict(loaded, np.ones((1, 2), "float32")).tolist() == [[3.0, 3.0]]


_LOAD_ELSEWHERE = """
import sys, numpy as np
sys.path.insert(0, {folder!r})
import article_objects
from lamina.saving import load_model
from lamina import backend as K
model = load_model({path!r})
x = np.load({inputs!r})
np.save({out!r}, np.asarray(K.convert_to_numpy(model(x))))
"""


@pytest.mark.parametrize("engine", [e for e in ("jax", "torch", "numpy") if e != K.backend()])
def test_a_file_saved_on_one_engine_predicts_the_same_on_another(tmp_path, engine):
    pytest.importorskip(engine if engine != "numpy" else "numpy")
    model = article_model()
    x, _ = data(8)
    path, inputs, out = tmp_path / "m.lamina", tmp_path / "x.npy", tmp_path / "y.npy"
    model.save(path)
    np.save(inputs, x)
    script = _LOAD_ELSEWHERE.format(folder=os.path.dirname(__file__), path=str(path),
                                    inputs=str(inputs), out=str(out))
    env = dict(os.environ, LAMINA_BACKEND=engine)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    np.testing.assert_allclose(np.load(out), _predict(model, x), rtol=1e-6, atol=1e-6)


def test_convolutional_recurrent_and_attention_layers_round_trip(tmp_path):
    image, sequence = Input((8, 8, 1)), Input((5, 3))
    c = layers.MaxPooling2D(2)(layers.Conv2D(4, 3, padding="same", activation="relu")(image))
    c = layers.GlobalAveragePooling2D()(c)
    r = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(sequence)
    r = layers.MultiHeadAttention(num_heads=2, key_dim=3)(r, r)
    r = layers.GRU(3)(layers.TimeDistributed(layers.Dense(4))(r))
    model = Model([image, sequence], layers.Dense(2)(layers.Concatenate()([c, r])))
    path = tmp_path / "mixed.lamina"
    model.save(path)
    loaded = load_model(path)
    rng = np.random.default_rng(0)
    x = [rng.random((2, 8, 8, 1), dtype=np.float32), rng.random((2, 5, 3), dtype=np.float32)]
    np.testing.assert_allclose(_predict(loaded, x), _predict(model, x), rtol=1e-6, atol=1e-6)
