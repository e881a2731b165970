"""Layers that hold layers: the most common custom layer in Keras code.

Sub-layers are created in ``__init__`` (or in ``build``) and first called inside
``call``; lamina builds each of them exactly once, outside shape inference and
traces, so their weights are real arrays on the engine's normal device. Each kind of
nesting is trained (jax, torch), saved, loaded and compared; on numpy it is run,
saved and loaded. A build that fails leaves the layers as they were.
"""

import numpy as np
import pytest

import lamina as keras
import lamina.saving
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


# -- the custom layers, written as a Keras user writes them ----------------------------
class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(4)

    def call(self, x):
        return self.dense(x)


class ListBlock(keras.layers.Layer):
    def __init__(self, widths=(8, 4), **kwargs):
        super().__init__(**kwargs)
        self.widths = tuple(widths)
        self.stack = [keras.layers.Dense(w, activation="tanh" if i < len(widths) - 1 else None)
                      for i, w in enumerate(widths)]

    def call(self, x):
        for layer in self.stack:
            x = layer(x)
        return x

    def get_config(self):
        config = super().get_config()
        config.update({"widths": list(self.widths)})
        return config


class DictBlock(keras.layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.branches = {"linear": keras.layers.Dense(units),
                         "gate": keras.layers.Dense(units, activation="sigmoid")}

    def call(self, x):
        return self.branches["linear"](x) * (1.0 + self.branches["gate"](x))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class SequentialBlock(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mlp = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                                     keras.layers.Dense(4)])

    def call(self, x):
        return self.mlp(x)


class FunctionalBlock(keras.layers.Layer):
    def __init__(self, features=3, **kwargs):
        super().__init__(**kwargs)
        self.features = features
        inputs = keras.Input((features,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        self.inner = keras.Model(inputs, keras.layers.Dense(4)(hidden))

    def call(self, x):
        return self.inner(x)

    def get_config(self):
        config = super().get_config()
        config.update({"features": self.features})
        return config


class BuiltInBuild(keras.layers.Layer):
    """Creates its sub-layers in ``build``, from the input's last dimension."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.expand = keras.layers.Dense(2 * input_shape[-1], activation="tanh")
        self.project = keras.layers.Dense(self.units)

    def call(self, x):
        return self.project(self.expand(x))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class Head(keras.layers.Layer):
    """A shared trunk (held, not owned) followed by a head of its own."""

    def __init__(self, trunk, **kwargs):
        super().__init__(**kwargs)
        self.trunk = trunk
        self.head = keras.layers.Dense(4)

    def call(self, x):
        return self.head(self.trunk(x))


class TwoHeads(keras.layers.Layer):
    """Two outer layers holding one Dense instance: its weights are shared."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        trunk = keras.layers.Dense(6, activation="tanh")
        self.left = Head(trunk)
        self.right = Head(trunk)

    def call(self, x):
        return self.left(x) + self.right(x)


class Innermost(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(4)

    def call(self, x):
        return self.dense(x)


class Middle(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(8, activation="tanh")
        self.innermost = Innermost()

    def call(self, x):
        return self.innermost(self.hidden(x))


class Outermost(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.middle = Middle()
        self.skip = keras.layers.Dense(4, use_bias=False)

    def call(self, x):
        return self.middle(x) + self.skip(x)


CUSTOM = {cls.__name__: cls for cls in (Block, ListBlock, DictBlock, SequentialBlock,
                                         FunctionalBlock, BuiltInBuild, Head, TwoHeads,
                                         Innermost, Middle, Outermost)}

# (outer layer factory, number of weights, number of distinct Dense layers)
CASES = {
    "block": (Block, 2, 1),
    "list": (ListBlock, 4, 2),
    "dict": (DictBlock, 4, 2),
    "sequential": (SequentialBlock, 4, 2),
    "functional": (FunctionalBlock, 4, 2),
    "created_in_build": (BuiltInBuild, 4, 2),
    "shared": (TwoHeads, 6, 3),
    "three_deep": (Outermost, 5, 3),
}


# -- helpers ------------------------------------------------------------------------------
@pytest.fixture
def dense_builds(monkeypatch):
    """``{id(dense): number of build calls}`` for every Dense built during the test."""
    counts = {}
    original = keras.layers.Dense.build

    def counting_build(self, input_shape):
        counts[id(self)] = counts.get(id(self), 0) + 1
        return original(self, input_shape)

    monkeypatch.setattr(keras.layers.Dense, "build", counting_build)
    return counts


def regression(n=32, seed=0):
    """y = x @ w: a task a Dense layer learns in a few steps."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ rng.normal(size=(3, 4))).astype("float32")


def wrapped(make):
    inputs = keras.Input((3,))
    return keras.Model(inputs, make()(inputs))


def assert_concrete_on_the_normal_device(weights):
    for w in weights:
        value = w.value
        if ENGINE == "torch":
            assert value.device.type == "cpu", (w.name, value.device)
        elif ENGINE == "jax":
            import jax
            assert isinstance(value, jax.Array) and not isinstance(value, jax.core.Tracer), \
                (w.name, type(value))
        else:
            assert isinstance(value, np.ndarray), (w.name, type(value))
        assert np.all(np.isfinite(w.numpy())), w.name


def save_and_load(model, tmp_path):
    path = str(tmp_path / "nested.lamina")
    model.save(path)
    return lamina.saving.load_model(path, custom_objects=CUSTOM)


# -- the minimal case, exactly as a user writes it ---------------------------------------
@needs_training
def test_minimal_block_created_in_init_and_called_in_call_fits():
    inp = keras.Input((3,))
    model = keras.Model(inp, Block()(inp))
    model.compile("adam", "mse")
    history = model.fit(np.zeros((4, 3)), np.zeros((4, 4)), verbose=0)
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])
    assert len(model.weights) == 2 and [tuple(w.shape) for w in model.weights] == [(3, 4), (4,)]


def test_minimal_block_predicts_on_every_engine():
    x, _ = regression(5)
    block = Block()
    inp = keras.Input((3,))
    model = keras.Model(inp, block(inp))
    kernel, bias = block.dense.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ kernel + bias, rtol=1e-5,
                               atol=1e-6)


# -- every kind of nesting: weights, builds, training, saving ----------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_nested_layers_have_concrete_weights_built_once(case, dense_builds):
    make, n_weights, n_dense = CASES[case]
    model = wrapped(make)
    assert model.output.shape == (None, 4)
    assert len(model.weights) == n_weights
    assert_concrete_on_the_normal_device(model.weights)
    x, _ = regression(6)
    assert model.predict(x, verbose=0).shape == (6, 4)
    assert model(x).shape == (6, 4)
    assert len(dense_builds) == n_dense and set(dense_builds.values()) == {1}, dense_builds


@needs_training
@pytest.mark.parametrize("case", list(CASES))
def test_nested_layers_train_and_build_nothing_more(case, dense_builds):
    make, n_weights, n_dense = CASES[case]
    set_random_seed(3)
    x, y = regression()
    model = wrapped(make)
    model.compile(keras.optimizers.Adam(0.05), "mse")
    history = model.fit(x, y, epochs=6, batch_size=8, verbose=0).history["loss"]
    assert np.all(np.isfinite(history)) and history[-1] < 0.7 * history[0], history
    assert len(model.weights) == n_weights and len(model.trainable_weights) == n_weights
    assert_concrete_on_the_normal_device(model.weights)
    assert len(dense_builds) == n_dense and set(dense_builds.values()) == {1}, dense_builds


@pytest.mark.parametrize("case", list(CASES))
def test_nested_layers_save_and_load_to_the_same_predictions(case, tmp_path, dense_builds):
    make, n_weights, n_dense = CASES[case]
    set_random_seed(4)
    x, y = regression()
    model = wrapped(make)
    if ENGINE != "numpy":
        model.compile(keras.optimizers.Adam(0.05), "mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    expected = model.predict(x, verbose=0)
    loaded = save_and_load(model, tmp_path)
    assert type(loaded.layers[-1]) is make
    assert len(loaded.weights) == n_weights
    assert_concrete_on_the_normal_device(loaded.weights)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert len(dense_builds) == 2 * n_dense and set(dense_builds.values()) == {1}, dense_builds


def test_a_shared_layer_is_one_set_of_weights_counted_once():
    model = wrapped(TwoHeads)
    outer = model.layers[-1]
    assert outer.left.trunk is outer.right.trunk
    assert model.count_params() == (3 * 6 + 6) + 2 * (6 * 4 + 4)
    trunk_ids = {id(w) for w in outer.left.trunk.weights}
    assert trunk_ids == {id(w) for w in outer.right.trunk.weights}
    assert sum(id(w) in trunk_ids for w in model.weights) == 2


@needs_training
def test_a_layer_shared_by_two_outer_layers_of_a_functional_model_trains_as_one():
    set_random_seed(5)
    x, y = regression()
    trunk = keras.layers.Dense(6, activation="tanh")
    inputs = keras.Input((3,))
    outputs = keras.layers.Add()([Head(trunk)(inputs), Head(trunk)(inputs)])
    model = keras.Model(inputs, outputs)
    assert len(model.weights) == 6 and model.count_params() == 24 + 2 * 28
    before = trunk.get_weights()
    model.compile(keras.optimizers.Adam(0.05), "mse")
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < 0.7 * history[0], history
    assert not np.allclose(trunk.get_weights()[0], before[0])
    assert len(model.weights) == 6


def test_three_deep_each_level_owns_its_sublayers_weights():
    model = wrapped(Outermost)
    outer = model.layers[-1]
    assert [tuple(w.shape) for w in outer.middle.innermost.weights] == [(8, 4), (4,)]
    assert len(outer.middle.weights) == 4 and len(outer.weights) == 5
    assert outer.built and outer.middle.built and outer.middle.innermost.built
    assert outer.middle.innermost.dense.built


# -- a build that fails leaves every layer as it was -------------------------------------
class HoldsABadStack(keras.layers.Layer):
    """Dense(8), Dense(4), then a Reshape to (8, 8, 8): fits only 128 positions."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stack = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(4),
                                       keras.layers.Reshape((8, 8, 8))])

    def call(self, x):
        return self.stack(x)


def test_a_failed_build_names_the_layer_and_shape_and_a_later_call_builds_afresh():
    holder = HoldsABadStack()
    with pytest.raises(ValueError) as info:
        holder(keras.Input((8, 8, 3)))
    message = str(info.value)
    assert "Reshape" in message and "(None, 8, 8, 4)" in message and "(8, 8, 8)" in message
    assert not holder.stack.built and not any(layer.built for layer in holder.stack.layers)
    out = holder(keras.Input((16, 8, 5)))
    assert out.shape == (None, 8, 8, 8)
    assert [tuple(w.shape) for w in holder.stack.layers[0].weights] == [(5, 8), (8,)]
    assert holder(np.ones((2, 16, 8, 5), "float32")).shape == (2, 8, 8, 8)


def test_a_failed_build_leaves_no_weights_behind():
    holder = HoldsABadStack()
    with pytest.raises(ValueError, match="Reshape"):
        holder(keras.Input((8, 8, 3)))
    assert holder.weights == [] and holder.count_params() == 0
    holder(keras.Input((16, 8, 5)))
    assert [tuple(w.shape) for w in holder.weights] == [(5, 8), (8,), (8, 4), (4,)]


def test_a_model_built_after_a_failed_build_trains_saves_and_loads(tmp_path):
    holder = HoldsABadStack()
    with pytest.raises(ValueError, match="Reshape"):
        holder(keras.Input((8, 8, 3)))
    inputs = keras.Input((16, 8, 5))
    model = keras.Model(inputs, holder(inputs))
    assert model.count_params() == (5 * 8 + 8) + (8 * 4 + 4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 16, 8, 5)).astype("float32")
    if ENGINE != "numpy":
        model.compile("adam", "mse")
        loss = model.fit(x, rng.normal(size=(4, 8, 8, 8)), epochs=1, verbose=0).history["loss"]
        assert np.isfinite(loss[0])
    path = str(tmp_path / "after_failure.lamina")
    model.save(path)
    loaded = lamina.saving.load_model(path, custom_objects={"HoldsABadStack": HoldsABadStack})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


class RecordsBuildShape(keras.layers.Layer):
    def build(self, input_shape):
        self.seen = tuple(input_shape)

    def call(self, x):
        return x


class HoldsARecorder(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.recorder = RecordsBuildShape()

    def call(self, x):
        return self.recorder(x)


@pytest.mark.parametrize("shape", [(3, 5), (2, 4, 9), (3, 83), (3, 97)])
def test_a_sublayer_is_built_with_the_declared_shape(shape):
    """Known sizes stay known whatever they are (they may equal a size the engine's
    shape inference uses for unknown axes)."""
    holder = HoldsARecorder()
    holder(keras.Input(shape))
    assert holder.recorder.seen == (None,) + shape


@pytest.mark.parametrize("shape", [(3, 5), (3, 97)])
def test_a_nested_reshape_that_cannot_fit_raises_whatever_the_sizes(shape):
    class HoldsAReshape(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.reshape = keras.layers.Reshape((5, 5))

        def call(self, x):
            return self.reshape(x)

    with pytest.raises(ValueError, match=r"Reshape.*\(5, 5\)"):
        HoldsAReshape()(keras.Input(shape))


class TransposedMLP(keras.layers.Layer):
    """MLP-Mixer's token mixing: a Sequential applied across the transposed axes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mlp = keras.Sequential([keras.layers.Dense(2)])

    def call(self, x):
        return self.mlp(keras.ops.transpose(x, (0, 2, 1)))


@pytest.mark.parametrize("positions", [3, 4, 83])
def test_a_sequential_inside_a_layer_inside_a_sequential_is_built(positions):
    layer = TransposedMLP()
    outputs = keras.Sequential([layer])(keras.Input((positions, 3)))
    assert outputs.shape == (None, 3, 2)
    assert layer.mlp.built and [tuple(w.shape) for w in layer.weights] == [(positions, 2), (2,)]
    x = np.ones((2, positions, 3), "float32")
    assert tuple(layer(x).shape) == (2, 3, 2)


class Residual(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(3)

    def call(self, x):
        return x + self.dense(x)


def test_a_layer_called_on_numpy_data_gets_engine_tensors():
    """As in Keras, NumPy inputs reach ``call`` as the engine's tensors, so that
    ``x + self.dense(x)`` works on every engine."""
    x = np.arange(6, dtype="float32").reshape(2, 3)
    layer = Residual()
    out = K.convert_to_numpy(layer(x))
    kernel, bias = layer.dense.get_weights()
    np.testing.assert_allclose(out, x + x @ kernel + bias, rtol=1e-5, atol=1e-6)


class SelfAttention(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        self.norm = keras.layers.LayerNormalization()

    def call(self, x):
        return self.norm(x + self.attention(x, x))


def test_multi_head_attention_inside_a_layer_has_real_weights(tmp_path):
    inputs = keras.Input((5, 8))
    pooled = keras.layers.GlobalAveragePooling1D()(SelfAttention()(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1)(pooled))
    assert len(model.weights) == 8 + 2 + 2
    assert_concrete_on_the_normal_device(model.weights)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5, 8)).astype("float32")
    y = x.mean(axis=(1, 2))[:, None]
    if ENGINE != "numpy":
        model.compile(keras.optimizers.Adam(0.01), "mse")
        losses = model.fit(x, y, epochs=4, batch_size=8, verbose=0).history["loss"]
        assert losses[-1] < losses[0], losses
    path = str(tmp_path / "attention.lamina")
    model.save(path)
    loaded = lamina.saving.load_model(path, custom_objects={"SelfAttention": SelfAttention})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
