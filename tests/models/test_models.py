"""Functional, Sequential and subclassed models: structure, calling, errors."""

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers
from lamina import backend as K


def numpy(x):
    return K.convert_to_numpy(x)


def test_multiple_inputs_and_outputs_as_dicts_with_a_shared_layer():
    a, b = Input((3,), name="a"), Input((3,), name="b")
    shared = layers.Dense(4, name="shared")
    merged = K.concatenate([shared(a), shared(b)], axis=-1)
    model = Model({"a": a, "b": b}, {"sum": K.sum(merged, axis=-1), "full": merged})
    xa, xb = np.random.rand(2, 3).astype("float32"), np.random.rand(2, 3).astype("float32")
    out = model({"a": xa, "b": xb})
    w, bias = shared.get_weights()
    expected = np.concatenate([xa @ w + bias, xb @ w + bias], axis=-1)
    np.testing.assert_allclose(numpy(out["full"]), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(numpy(out["sum"]), expected.sum(-1), rtol=1e-5, atol=1e-5)
    assert len(model.weights) == 2  # the shared layer counts once
    assert model.input_names == ["a", "b"]


def test_lists_of_inputs_and_outputs_and_get_layer():
    a, b = Input((2,)), Input((5,))
    o1 = layers.Dense(1, name="first")(a)
    o2 = layers.Dense(3, name="second")(b)
    model = Model([a, b], [o1, o2])
    r1, r2 = model([np.ones((4, 2), "float32"), np.ones((4, 5), "float32")])
    assert numpy(r1).shape == (4, 1) and numpy(r2).shape == (4, 3)
    assert model.get_layer("second").units == 3
    assert model.get_layer(index=2).name == "first"
    assert [t.shape for t in model.inputs] == [(None, 2), (None, 5)]
    assert [t.shape for t in model.outputs] == [(None, 1), (None, 3)]
    with pytest.raises(ValueError, match="has no layer named 'third'"):
        model.get_layer("third")


def test_intermediate_output_model_shares_weights():
    x = Input((4,))
    hidden = layers.Dense(3, name="hidden")
    h = hidden(x)
    out = layers.Dense(1)(h)
    full = Model(x, out)
    feature = Model(x, hidden.output)
    data = np.random.rand(2, 4).astype("float32")
    w, bias = hidden.get_weights()
    np.testing.assert_allclose(numpy(feature(data)), data @ w + bias, rtol=1e-5, atol=1e-6)
    assert feature.layers[1] is full.layers[1]
    assert hidden.input is x


def test_model_used_as_a_layer_inside_another_model():
    x = Input((3,))
    inner = Model(x, layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")(x))
    y = Input((3,))
    outer = Model(y, inner(y) * 10.0)
    np.testing.assert_allclose(numpy(outer(np.ones((1, 3), "float32"))), [[30.0, 30.0]])
    assert len(outer.weights) == 2
    assert outer(Input((3,))).shape == (None, 2)


def test_k_functions_between_layers_are_part_of_the_model():
    x = Input((3,))
    h = layers.Dense(3, kernel_initializer="identity", bias_initializer="zeros")(x)
    out = K.square(h) + 1.0
    model = Model(x, out)
    np.testing.assert_allclose(numpy(model(np.array([[1.0, 2.0, 3.0]], "float32"))),
                               [[2.0, 5.0, 10.0]])


def test_outputs_not_reachable_from_the_inputs_name_the_missing_input():
    a, b = Input((2,), name="first_input"), Input((2,), name="second_input")
    out = layers.Dense(1)(K.concatenate([a, b], axis=-1))
    with pytest.raises(ValueError, match="depend on the input 'second_input'"):
        Model(a, out)


def test_duplicate_layer_names_are_refused():
    x = Input((2,))
    with pytest.raises(ValueError, match="the layer name 'twin' is used by two layers"):
        Model(x, [layers.Dense(1, name="twin")(x), layers.Dense(1, name="twin")(x)])


def test_non_tensor_outputs_are_refused():
    with pytest.raises(TypeError, match="must be a symbolic tensor"):
        Model(Input((2,)), np.ones(2))


def test_wrong_input_shape_at_call_names_the_model_input():
    x = Input((3,), name="features")
    model = Model(x, layers.Dense(1)(x), name="m")
    with pytest.raises(ValueError, match=r"input 'features' expects shape \(None, 3\); "
                                         r"received \(2, 4\)"):
        model(np.ones((2, 4), "float32"))


def test_sequential_from_input_from_input_shape_and_lazily():
    from_input = Sequential([Input((3,)), layers.Dense(2)])
    from_shape = Sequential([layers.Dense(2, input_shape=(3,))])
    lazy = Sequential([layers.Dense(2)])
    assert from_input.output.shape == from_shape.output.shape == (None, 2)
    assert not lazy.built
    assert numpy(lazy(np.ones((5, 3), "float32"))).shape == (5, 2)
    assert lazy.built and lazy.output.shape == (None, 2)


def test_sequential_add_and_pop():
    model = Sequential([Input((4,)), layers.Dense(3)])
    model.add(layers.Dense(2))
    assert model.output.shape == (None, 2)
    assert len(model.layers) == 2
    popped = model.pop()
    assert popped.units == 2
    assert model.output.shape == (None, 3)
    assert numpy(model(np.ones((1, 4), "float32"))).shape == (1, 3)
    with pytest.raises(TypeError, match="add\\(\\) expects a Layer"):
        model.add("dense")


class Subclassed(Model):
    def __init__(self):
        super().__init__(name="sub")
        self.hidden = layers.Dense(4, activation="relu")
        self.out = layers.Dense(1)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_tracks_its_layers_and_runs_eagerly_and_symbolically():
    model = Subclassed()
    assert numpy(model(np.ones((2, 3), "float32"))).shape == (2, 1)
    assert [layer.name for layer in model.layers] == [model.hidden.name, model.out.name]
    assert len(model.trainable_weights) == 4
    assert model(Input((3,))).shape == (None, 1)
    lines = []
    model.summary(print_fn=lines.append)
    assert any("Total params: 21" in line for line in lines)


def test_same_weights_same_outputs_across_engine_independent_numpy_recomputation():
    x = Input((5,))
    h = layers.Dense(4, activation="relu")(x)
    model = Model(x, layers.Dense(2, activation="softmax")(h))
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=w.shape).astype("float32") for w in model.weights]
    model.set_weights(weights)
    data = rng.normal(size=(3, 5)).astype("float32")
    hidden = np.maximum(data @ weights[0] + weights[1], 0)
    logits = hidden @ weights[2] + weights[3]
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(numpy(model(data)), expected, rtol=1e-5, atol=1e-6)


def test_a_nested_model_passes_its_layers_losses_to_the_outer_model():
    x = Input((3,))
    inner = Model(x, layers.Dense(4, activity_regularizer="l2")(x))
    x2 = Input((3,))
    outer = Model(x2, layers.Dense(2, activity_regularizer="l1")(inner(x2)))
    outer(K.ones((2, 3)))
    assert len(outer.losses) == 2
    nested_node = outer._program.nodes[0]
    assert len(nested_node.outputs[1]) == 1
