"""The article's code (shared/ARTICLE.md) with only the imports changed, on every engine."""

import numpy as np

from lamina import Input, Model, layers
from lamina import backend as K


class MyDense(layers.Layer):
    def __init__(self, units=32):
        super(MyDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = K.variable(K.random_normal(shape=[input_shape[-1], self.units]))      # trainable
        self.b = K.Variable(K.random_normal(shape=[self.units]), trainable=True)      # trainable
        self.a = K.Variable(K.random_normal(shape=[self.units]), trainable=False)     # non-trainable

    def call(self, inputs):
        return K.dot(inputs, self.w) + self.b


class MyLayer(layers.Layer):
    def __init__(self, output_dims):
        super(MyLayer, self).__init__()
        self.output_dims = output_dims

    def build(self, input_shape):
        [dim1, dim2] = self.output_dims
        self.w1 = K.Variable(K.random_uniform(shape=[input_shape[0][-1], dim1]))
        self.b1 = K.Variable(K.random_uniform(shape=[dim1]))
        self.w2 = K.Variable(K.random_uniform(shape=[input_shape[1][-1], dim2]))
        self.b2 = K.Variable(K.random_uniform(shape=[dim2]))

    def call(self, x):
        [x1, x2] = x
        y1 = K.dot(x1, self.w1) + self.b1
        y2 = K.dot(x2, self.w2) + self.b2
        return K.concatenate([y1, y2], axis=-1)


def single_input_model():
    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    x = layers.Dense(500, activation='relu')(x)
    x = MyDense(100)(x)
    x = layers.Dense(10, activation='softmax')(x)
    return Model(input_feature, x)


def two_branch_model():
    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    x1 = layers.Dense(500, activation='relu')(x)
    x2 = layers.Dense(500, activation='relu')(x)
    x = MyLayer([100, 80])([x1, x2])
    x = layers.Dense(10, activation='softmax')(x)
    return Model(input_feature, x)


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def test_mydense_model_counts_and_trainable_split():
    model = single_input_model()
    lines = summary_lines(model)
    assert "Total params: 443,710 (1.69 MB)" in lines
    assert "Trainable params: 443,610 (1.69 MB)" in lines
    assert "Non-trainable params: 100 (400.00 B)" in lines
    my_dense = model.layers[3]
    assert isinstance(my_dense, MyDense)
    assert [w.shape for w in my_dense.trainable_weights] == [(500, 100), (100,)]
    assert [w.shape for w in my_dense.non_trainable_weights] == [(100,)]
    assert model.output.shape == (None, 10)
    assert model.input.shape == (None, None, 28, 28)


def test_mydense_model_runs_on_data_shaped_as_in_keras2():
    model = single_input_model()
    out = K.convert_to_numpy(model(np.random.rand(4, 1, 28, 28).astype("float32")))
    assert out.shape == (4, 10)
    np.testing.assert_allclose(out.sum(axis=1), np.ones(4), rtol=1e-5)


def test_mylayer_model_gets_list_of_shapes_and_concatenates():
    model = two_branch_model()
    lines = summary_lines(model)
    assert "Total params: 876,990 (3.35 MB)" in lines
    assert "Trainable params: 876,990 (3.35 MB)" in lines
    assert "Non-trainable params: 0 (0.00 B)" in lines
    my_layer = next(layer for layer in model.layers if isinstance(layer, MyLayer))
    assert [w.shape for w in my_layer.weights] == [(500, 100), (100,), (500, 80), (80,)]
    assert my_layer.output.shape == (None, 180)
    row = next(line for line in lines if line.startswith(f" {my_layer.name} (MyLayer)"))
    assert "dense" in row and "," in row  # connected to both branches
    assert K.convert_to_numpy(model(np.ones((2, 1, 28, 28), "float32"))).shape == (2, 10)


def test_mylayer_weights_match_a_numpy_recomputation():
    x1 = np.random.rand(3, 5).astype("float32")
    x2 = np.random.rand(3, 4).astype("float32")
    layer = MyLayer([2, 3])
    out = K.convert_to_numpy(layer([K.convert_to_tensor(x1), K.convert_to_tensor(x2)]))
    w1, b1, w2, b2 = layer.get_weights()
    expected = np.concatenate([x1 @ w1 + b1, x2 @ w2 + b2], axis=-1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def my_layer(x):
    mask = K.random_binomial(K.shape(x), 0.5)
    return x * mask * 2


def test_lambda_dropout_of_the_article():
    inp = Input((784,))
    x = layers.Dense(500, activation='relu')(inp)
    x = layers.Lambda(my_layer)(x)
    model = Model(inp, x)
    assert model.output.shape == (None, 500)
    data = np.random.rand(64, 784).astype("float32")
    dense_out = K.convert_to_numpy(model.layers[1](K.convert_to_tensor(data)))
    out = K.convert_to_numpy(model(data))
    kept = out != 0
    np.testing.assert_allclose(out[kept], 2 * dense_out[kept], rtol=1e-5)
    positive = dense_out > 0
    assert 0.4 < kept[positive].mean() < 0.6


def test_inline_dropout_of_the_article_becomes_part_of_the_model():
    inp = Input((784,))
    x = layers.Dense(500, activation='relu')(inp)
    mask = K.random_binomial(K.shape(x), 0.5)
    x = x * mask * 2
    out = layers.Dense(10, activation='softmax')(x)
    model = Model(inp, out)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("OpLayer") >= 3  # the draw and the two multiplications
    lines = summary_lines(model)
    assert any("(KFunction)" in line for line in lines)
    first = K.convert_to_numpy(model(np.ones((8, 784), "float32")))
    second = K.convert_to_numpy(model(np.ones((8, 784), "float32")))
    assert first.shape == (8, 10)
    assert not np.allclose(first, second)  # a fresh mask at every call


def test_lambda_dropout_runs_inside_one_compiled_jax_step():
    import pytest
    if K.backend() != "jax":
        pytest.skip("jax.jit needs the jax engine")
    import jax

    inp = Input((6,))
    model = Model(inp, layers.Lambda(my_layer)(inp))
    state = K.global_seed_generator().state
    variables = model.variables + [state]

    @jax.jit
    def step(values, x):
        with K.VariableScope(dict(zip(variables, values))) as scope:
            y = model(x)
        return y, [scope.values[v] for v in variables]

    values = [v.value for v in variables]
    x = np.ones((200, 6), "float32")
    y1, values = step(values, x)
    y2, values = step(values, x)
    for y in (K.convert_to_numpy(y1), K.convert_to_numpy(y2)):
        assert set(np.unique(y).tolist()) == {0.0, 2.0}
    assert not np.array_equal(K.convert_to_numpy(y1), K.convert_to_numpy(y2))
    assert step._cache_size() == 1
