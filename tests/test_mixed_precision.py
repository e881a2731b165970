"""Mixed precision (``mixed_float16``, ``mixed_bfloat16``) on every engine's CPU:
float32 variables, computation in the low precision, float32 losses and softmax
outputs, dynamic loss scaling for float16, and the policy saved with the model."""

import numpy as np
import pytest

import lamina
from lamina import Input, Model, layers, mixed_precision, optimizers
from lamina import backend as K
from lamina.backend import config as backend_config
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")
MIXED = ["mixed_float16", "mixed_bfloat16"]


@pytest.fixture(autouse=True)
def restore_policy():
    saved = dict(backend_config._settings)
    yield
    backend_config._settings.clear()
    backend_config._settings.update(saved)


def data(n=64, features=6, classes=3):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, features)).astype("float32")
    labels = np.argmax(x @ rng.normal(size=(features, classes)), axis=1)
    return x, np.eye(classes, dtype="float32")[labels]


def classifier(features=6, classes=3):
    inputs = Input((features,))
    hidden = layers.Dense(16, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(classes, activation="softmax", name="probs")(hidden)
    return Model(inputs, outputs), hidden


def dtype_of(tensor):
    return K.standardize_dtype(K.dtype(tensor))


def test_policies_name_their_variable_and_compute_dtypes_under_keras_names():
    mixed_precision.set_global_policy("mixed_float16")
    assert mixed_precision.global_policy() == lamina.DTypePolicy("mixed_float16")
    assert lamina.config.dtype_policy().compute_dtype == "float16"
    policy = mixed_precision.Policy("mixed_bfloat16")
    assert (policy.variable_dtype, policy.compute_dtype) == ("float32", "bfloat16")
    assert mixed_precision.LossScaleOptimizer is optimizers.LossScaleOptimizer
    mixed_precision.set_global_policy(None)
    assert mixed_precision.global_policy().name == "float32"


def test_unknown_policy_names_fail_with_a_suggestion_and_the_layer_named():
    with pytest.raises(ValueError, match="received 'mixed_bfloat61'; did you mean "
                                         "'mixed_bfloat16'"):
        lamina.DTypePolicy("mixed_bfloat61")
    with pytest.raises(ValueError, match="Dense layer 'proj'.*did you mean 'mixed_float16'"):
        layers.Dense(2, dtype="mixed_flaot16", name="proj")
    with pytest.raises(ValueError, match="set_dtype_policy.*received 'mixed'"):
        lamina.config.set_dtype_policy("mixed")
    assert lamina.config.dtype_policy().name == "float32"


@pytest.mark.parametrize("policy", MIXED)
def test_layers_keep_float32_variables_and_compute_in_the_low_precision(policy):
    low = policy[len("mixed_"):]
    dense = layers.Dense(3, dtype=policy)
    out = dense(np.ones((2, 4), "float64"))
    assert dense.dtype == "float32" and dense.compute_dtype == low
    assert dense.kernel.dtype == "float32" and dtype_of(dense.kernel.value) == "float32"
    assert dtype_of(out) == low
    for softmax in (layers.Dense(3, activation="softmax", dtype=policy),
                    layers.Softmax(dtype=policy), layers.Activation("softmax", dtype=policy)):
        assert dtype_of(softmax(np.ones((2, 3), "float32"))) == "float32"
    assert dtype_of(layers.Activation("relu", dtype=policy)(np.ones((2, 3)))) == low
    norm = layers.BatchNormalization(dtype=policy)
    assert dtype_of(norm(np.ones((2, 3), "float32"))) == low
    assert {w.dtype for w in norm.weights} == {"float32"}


def test_layers_made_inside_a_layer_share_its_mixed_policy():
    attention = layers.MultiHeadAttention(2, 4, dtype="mixed_float16")
    x = np.ones((1, 3, 8), "float32")
    out = attention(x, x)
    assert dtype_of(out) == "float16"
    assert {w.dtype for w in attention.weights} == {"float32"}
    assert {layer.dtype_policy.name for layer in attention._sublayers()} == {"mixed_float16"}


@needs_training
@pytest.mark.parametrize("policy", MIXED)
def test_gradients_reach_the_float32_variables_in_float32(policy):
    dense = layers.Dense(2, dtype=policy)
    x = K.convert_to_tensor(np.ones((2, 3), "float32"))
    dense(x)

    def loss(weights):
        return K.mean(K.cast(dense(x), "float32") ** 2)

    _, grads = K.value_and_grad(loss)(dense.trainable_weights)
    assert [dtype_of(g) for g in grads] == ["float32", "float32"]


@needs_training
@pytest.mark.parametrize("policy", MIXED)
def test_a_model_trains_under_each_mixed_policy(policy):
    set_random_seed(2)
    mixed_precision.set_global_policy(policy)
    model, hidden = classifier()
    assert hidden.dtype == policy[len("mixed_"):] and model.outputs[0].dtype == "float32"
    model.compile(optimizer=optimizers.Adam(0.02), loss="categorical_crossentropy")
    assert isinstance(model.optimizer, optimizers.LossScaleOptimizer) == (
        policy == "mixed_float16")
    x, y = data()
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < 0.8 * losses[0]
    assert {w.dtype for w in model.weights} == {"float32"}
    assert {dtype_of(w.value) for w in model.weights} == {"float32"}
    probabilities = model.predict(x[:5], verbose=0)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-3)
    hidden_values = Model(model.inputs, hidden).predict(x[:5], verbose=0)
    assert K.standardize_dtype(hidden_values.dtype) == policy[len("mixed_"):]


@pytest.mark.parametrize("policy", MIXED)
def test_inference_of_conv_pooling_and_attention_layers_under_mixed_policies(policy):
    mixed_precision.set_global_policy(policy)
    inputs = Input((6, 6, 1))
    h = layers.MaxPooling2D(2)(layers.Conv2D(4, 3, padding="same", activation="relu")(inputs))
    h = layers.Reshape((9, 4))(h)
    h = layers.MultiHeadAttention(2, 2)(h, h)
    outputs = layers.Dense(3, activation="softmax")(layers.Flatten()(h))
    probabilities = Model(inputs, outputs).predict(np.ones((2, 6, 6, 1), "float32"), verbose=0)
    assert probabilities.dtype == np.float32 and probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-3)


def scaled_sgd(initial_scale, growth_steps=2000):
    return optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.5),
                                         initial_scale=initial_scale,
                                         dynamic_growth_steps=growth_steps)


def test_loss_scale_optimizer_skips_a_non_finite_step_and_halves_the_scale():
    w = K.Variable([1.0, 2.0])
    optimizer = scaled_sgd(8.0)
    optimizer.apply([K.convert_to_tensor([8.0, 16.0])], [w])  # unscaled: [1, 2]
    np.testing.assert_allclose(w.numpy(), [0.5, 1.0])
    optimizer.apply([K.convert_to_tensor([np.inf, 1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.5, 1.0])
    assert float(optimizer.dynamic_scale.numpy()) == 4.0
    assert int(optimizer.iterations.numpy()) == 1 and int(optimizer.step_counter.numpy()) == 0
    optimizer.apply([K.convert_to_tensor([np.nan, 1.0])], [w])
    assert float(optimizer.dynamic_scale.numpy()) == 2.0


def test_loss_scale_optimizer_doubles_the_scale_after_the_growth_steps():
    w = K.Variable([1.0])
    optimizer = scaled_sgd(2.0, growth_steps=3)
    for step in range(1, 4):
        optimizer.apply([K.convert_to_tensor([2.0])], [w])
        expected_count = step % 3
        assert int(optimizer.step_counter.numpy()) == expected_count
    assert float(optimizer.dynamic_scale.numpy()) == 4.0
    np.testing.assert_allclose(w.numpy(), [1.0 - 3 * 0.5])
    assert float(optimizer.scale_loss(K.convert_to_tensor(1.5))) == 6.0


def test_loss_scale_optimizer_rejects_bad_arguments_by_name():
    with pytest.raises(TypeError, match="inner_optimizer must be an Optimizer.*'sgd'"):
        optimizers.LossScaleOptimizer("sgd")
    with pytest.raises(ValueError, match="dynamic_growth_steps=0"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic_growth_steps=0)
    with pytest.raises(ValueError, match="initial_scale=-1"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=-1)


@needs_training
def test_dynamic_scaling_inside_compiled_train_steps():
    mixed_precision.set_global_policy("mixed_float16")
    model, _ = classifier()
    model.compile(optimizer=scaled_sgd(2.0 ** 100, growth_steps=2),
                  loss="categorical_crossentropy")
    x, y = data(n=8)
    before = model.get_weights()
    model.train_on_batch(x, y)  # the scaled gradients overflow float16: skipped
    optimizer = model.optimizer
    assert float(optimizer.dynamic_scale.numpy()) == 2.0 ** 99
    assert int(optimizer.iterations.numpy()) == 0
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    optimizer.dynamic_scale.assign(1.0)
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    assert float(optimizer.dynamic_scale.numpy()) == 2.0
    assert int(optimizer.step_counter.numpy()) == 0 and int(optimizer.iterations.numpy()) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@needs_training
def test_a_custom_train_step_scales_its_loss_with_the_optimizer():
    class Custom(Model):
        def train_step(self, data):
            x, y = data[:2]

            def forward(weights):
                loss = lamina.losses.categorical_crossentropy(y, self(x, training=True))
                loss = K.mean(loss)
                return self.optimizer.scale_loss(loss), loss

            (_, loss), grads = K.value_and_grad(forward, has_aux=True)(
                self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"loss": loss}

    set_random_seed(3)
    mixed_precision.set_global_policy("mixed_float16")
    inner, _ = classifier()
    model = Custom(inner.inputs[0], inner.outputs[0])
    model.compile(optimizer=optimizers.SGD(0.5))
    x, y = data()
    losses = model.fit(x, y, epochs=6, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.8 * losses[0]
    assert float(model.optimizer.dynamic_scale.numpy()) == 2.0 ** 15
    assert int(model.optimizer.step_counter.numpy()) == 24


@pytest.mark.filterwarnings("ignore:.*ends in '.keras'")
@pytest.mark.parametrize("extension", [".lamina", ".keras"])
def test_the_policy_and_the_loss_scale_survive_save_and_load(tmp_path, extension):
    mixed_precision.set_global_policy("mixed_float16")
    model, _ = classifier()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, y = data(n=16)
    if ENGINE != "numpy":
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        model.optimizer.dynamic_scale.assign(64.0)
    expected = model.predict(x, verbose=0)
    path = tmp_path / f"mixed{extension}"
    model.save(path)
    mixed_precision.set_global_policy("float32")
    loaded = lamina.saving.load_model(path)
    assert [loaded.get_layer(name).dtype_policy.name for name in ("hidden", "probs")] == \
        ["mixed_float16"] * 2
    assert loaded.get_layer("hidden").compute_dtype == "float16"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-3, atol=1e-4)
    assert isinstance(loaded.optimizer, optimizers.LossScaleOptimizer)
    assert type(loaded.optimizer.inner_optimizer).__name__ == "SGD"
    if ENGINE != "numpy":
        assert float(loaded.optimizer.dynamic_scale.numpy()) == 64.0
        assert int(loaded.optimizer.step_counter.numpy()) == 2


def test_a_layer_config_carries_its_policy_by_name():
    dense = layers.Dense(2, dtype=lamina.DTypePolicy("mixed_bfloat16"))
    config = dense.get_config()
    assert config["dtype"] == "mixed_bfloat16"
    assert layers.Dense.from_config(config).dtype_policy.name == "mixed_bfloat16"
    keras_style = dict(config, dtype={"module": "keras", "class_name": "DTypePolicy",
                                      "config": {"name": "mixed_float16"},
                                      "registered_name": None})
    assert layers.Dense.from_config(keras_style).compute_dtype == "float16"


@needs_training
@pytest.mark.parametrize("make", [lambda: layers.LSTM(4), lambda: layers.GRU(4),
                                  lambda: layers.SimpleRNN(4),
                                  lambda: layers.Bidirectional(layers.LSTM(3))],
                         ids=["LSTM", "GRU", "SimpleRNN", "Bidirectional"])
def test_recurrent_layers_train_under_mixed_bfloat16(make):
    mixed_precision.set_global_policy("mixed_bfloat16")
    model = lamina.Sequential([Input((5, 3)), make(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    history = model.fit(rng.normal(size=(16, 5, 3)), rng.normal(size=(16, 1)), epochs=2,
                        verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.layers[0].output.dtype == "bfloat16"
    assert {v.dtype for v in model.layers[0].weights} == {"float32"}
