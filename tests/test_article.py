"""The article's code (tests/article_code.py: the blog post's code with only the imports changed)
runs as its readers ran it on Keras 2: summaries and pictures, then training on a learnable
synthetic task, on every engine (training on jax and torch; numpy predicts and evaluates).

The task: 28x28 images of Gaussian noise, the label the argmax of a fixed random projection
of the image (learnable by the article's models). The article's ``Input([None, 28, 28])``
models are fed data shaped ``(N, 28, 28)``, which Keras 2 accepted with a warning, and
``(N, 1, 28, 28)``, which matches the declared shape.
"""

import re
import warnings

import numpy as np
import pytest

from article_code import (MyDense, MyLayer, add_loss_and_compile, compile_with_customed_loss,
                          customed_loss, inline_dropout, lambda_dropout, my_layer, mydense_model,
                          mylayer_model, with_hidden_output)
from lamina import Input, Model, layers, regularizers
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")

N, BATCH, EPOCHS = 256, 32, 5
FLAT, CHANNEL = "(N, 28, 28)", "(N, 1, 28, 28)"
LAYOUTS = pytest.mark.parametrize("layout", [FLAT, CHANNEL])
DECLARED = "(None, None, 28, 28)"


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Building the article's models writes model.png in the working directory; each test
    starts from the same random seed."""
    monkeypatch.chdir(tmp_path)
    set_random_seed(1)


def images(n=N, scale=0.03, seed=0):
    """(images (n, 28, 28), one-hot labels (n, 10)): label = argmax of a fixed projection.

    The article's layers draw their weights from K.random_normal and K.random_uniform
    (standard deviation 1 and 0.29), which saturate the softmax unless inputs are small."""
    rng = np.random.default_rng(seed)
    x = (scale * rng.normal(size=(n, 28, 28))).astype("float32")
    projection = rng.normal(size=(28 * 28, 10))
    labels = np.argmax(x.reshape(n, -1) @ projection, axis=1)
    return x, np.eye(10, dtype="float32")[labels]


def laid_out(x, layout):
    return x if layout == FLAT else x[:, None]


def shape_warnings(record):
    return [str(w.message) for w in record
            if issubclass(w.category, UserWarning) and "28, 28" in str(w.message)]


def fit_checking_warnings(model, layout, x, *y, epochs=EPOCHS):
    """fit on ``x`` laid out as ``layout``: one warning naming the declared and received
    shapes for (N, 28, 28), none for (N, 1, 28, 28)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        history = model.fit(laid_out(x, layout), *y, epochs=epochs, batch_size=BATCH, verbose=0)
    found = shape_warnings(record)
    if layout == CHANNEL:
        assert found == []
    else:
        assert len(found) == 1, found
        assert DECLARED in found[0] and re.search(r"\((None|\d+), 28, 28\)", found[0]), found[0]
    return history.history


def assert_decreases(losses, factor=0.7):
    assert all(np.isfinite(losses)), losses
    assert losses[-1] < factor * losses[0], losses


def assert_evaluate_is_the_sum_of_its_terms(model, x, y=None):
    """One float from evaluate (no metric compiled), the total of the logged terms."""
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    terms = [value for name, value in logs.items() if name != "loss"]
    if terms:
        assert logs["loss"] == pytest.approx(sum(terms), rel=1e-5)
    assert float(model.evaluate(x, y, verbose=0)) == pytest.approx(logs["loss"], rel=1e-5)
    return logs


def crossentropy(y, probs):
    return float(np.mean(-np.sum(y * np.log(np.clip(probs, 1e-7, 1.0)), axis=1)))


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


# -- Example 3: the MyDense model ------------------------------------------------------------

def test_mydense_model_summary_counts_and_picture(capsys, tmp_path):
    model = mydense_model()
    printed = capsys.readouterr().out
    assert "Total params: 443,710 (1.69 MB)" in printed
    assert "Trainable params: 443,610 (1.69 MB)" in printed
    assert "Non-trainable params: 100 (400.00 B)" in printed
    assert model.count_params() == 443_710
    assert is_png(tmp_path / "model.png")
    my_dense = model.layers[3]
    assert isinstance(my_dense, MyDense)
    assert [w.shape for w in my_dense.trainable_weights] == [(500, 100), (100,)]
    assert [w.shape for w in my_dense.non_trainable_weights] == [(100,)]
    assert model.input.shape == (None, None, 28, 28)
    assert model.output.shape == (None, 10)


def test_mydense_model_predicts_the_same_on_both_layouts_warning_for_the_flat_one():
    model = mydense_model()
    x, _ = images(8)
    with pytest.warns(UserWarning, match=re.escape(DECLARED)):
        flat = model.predict(x, verbose=0)
    channel = model.predict(x[:, None], verbose=0)
    assert flat.shape == (8, 10)
    np.testing.assert_allclose(flat.sum(axis=1), np.ones(8), rtol=1e-5)
    np.testing.assert_allclose(flat, channel, rtol=1e-5, atol=1e-7)


def test_three_images_per_sample_cannot_reshape_and_the_error_names_the_reshape_layer():
    model = mydense_model()
    reshape = model.layers[1]
    assert isinstance(reshape, layers.Reshape)
    with pytest.raises(ValueError) as info:
        model.predict(np.ones((2, 3, 28, 28)), verbose=0)
    assert reshape.name in str(info.value) and "784" in str(info.value)


@needs_training
@LAYOUTS
def test_mydense_model_learns_with_categorical_crossentropy(layout):
    x, y = images()
    model = mydense_model()
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    history = fit_checking_warnings(model, layout, x, y)
    assert_decreases(history["loss"])
    assert_evaluate_is_the_sum_of_its_terms(model, laid_out(x, layout), y)
    assert np.mean(model.predict(x[:, None], verbose=0).argmax(1) == y.argmax(1)) > 0.5


# -- Example 4: the two-branch MyLayer model --------------------------------------------------

def test_mylayer_model_summary_counts_and_picture(capsys, tmp_path):
    model = mylayer_model()
    printed = capsys.readouterr().out
    assert "Total params: 876,990 (3.35 MB)" in printed
    assert "Trainable params: 876,990 (3.35 MB)" in printed
    assert "Non-trainable params: 0 (0.00 B)" in printed
    assert model.count_params() == 876_990
    assert is_png(tmp_path / "model.png")
    my_layer_ = next(layer for layer in model.layers if isinstance(layer, MyLayer))
    assert [w.shape for w in my_layer_.weights] == [(500, 100), (100,), (500, 80), (80,)]
    assert my_layer_.output.shape == (None, 180)
    row = next(line for line in printed.splitlines()
               if line.startswith(f" {my_layer_.name} (MyLayer)"))
    assert "dense" in row and "," in row  # connected to both branches


def test_mylayer_weights_match_a_numpy_recomputation():
    x1 = np.random.rand(3, 5).astype("float32")
    x2 = np.random.rand(3, 4).astype("float32")
    layer = MyLayer([2, 3])
    out = K.convert_to_numpy(layer([K.convert_to_tensor(x1), K.convert_to_tensor(x2)]))
    w1, b1, w2, b2 = layer.get_weights()
    expected = np.concatenate([x1 @ w1 + b1, x2 @ w2 + b2], axis=-1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@needs_training
@LAYOUTS
def test_mylayer_model_learns_with_categorical_crossentropy(layout):
    x, y = images()
    model = mylayer_model()
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    history = fit_checking_warnings(model, layout, x, y)
    assert_decreases(history["loss"])


# -- Example 5: customed_loss -------------------------------------------------------------------

def test_customed_loss_is_crossentropy_plus_the_largest_probability():
    x, y = images(BATCH)  # one batch: K.max(predict_label) is the batch's largest probability
    model = mydense_model()
    compile_with_customed_loss(model)
    probs = model.predict(x[:, None], verbose=0)
    logs = assert_evaluate_is_the_sum_of_its_terms(model, x[:, None], y)
    assert logs["loss"] == pytest.approx(crossentropy(y, probs) + float(probs.max()), rel=1e-4)


@needs_training
@LAYOUTS
def test_mydense_model_learns_with_customed_loss(layout):
    x, y = images()
    model = mydense_model()
    compile_with_customed_loss(model)
    history = fit_checking_warnings(model, layout, x, y)
    assert_decreases(history["loss"])
    assert_evaluate_is_the_sum_of_its_terms(model, x[:, None], y)


# -- Example 6: a hidden layer's output as an extra model output ------------------------------

def hidden_output_model():
    """The MyDense model, its MyDense output made a second model output."""
    input = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input)
    x = layers.Dense(500, activation='relu')(x)
    hidden_layer_output = MyDense(100)(x)
    model_output = layers.Dense(10, activation='softmax')(hidden_layer_output)
    return with_hidden_output(input, model_output, hidden_layer_output)


def test_hidden_output_model_predicts_both_outputs_and_sums_their_losses():
    x, y = images(BATCH)
    model = hidden_output_model()
    probs, hidden = model.predict(x[:, None], verbose=0)
    assert probs.shape == (BATCH, 10) and hidden.shape == (BATCH, 100)
    model.compile(optimizer='rmsprop', loss=[customed_loss, 'mse'])
    logs = assert_evaluate_is_the_sum_of_its_terms(model, x[:, None],
                                                   [y, np.zeros((BATCH, 100), "float32")])
    assert len(logs) == 3
    assert logs["loss"] == pytest.approx(crossentropy(y, probs) + float(probs.max())
                                         + float(np.mean(hidden ** 2)), rel=1e-4)


@needs_training
@LAYOUTS
def test_hidden_output_model_learns_both_losses(layout):
    x, y = images()
    model = hidden_output_model()
    model.compile(optimizer='rmsprop', loss=[customed_loss, 'mse'])
    history = fit_checking_warnings(model, layout, x, [y, np.zeros((N, 100), "float32")])
    assert len(history) == 3
    for losses in history.values():
        assert_decreases(losses, factor=0.85)


# -- Example 7: add_loss of a layer's output ------------------------------------------------------

def add_loss_model():
    """The MyDense model with add_loss on its Dense(500) output; returns (model, that output)."""
    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    somelayer_output = layers.Dense(500, activation='relu')(x)
    x = MyDense(100)(somelayer_output)
    x = layers.Dense(10, activation='softmax')(x)
    model = Model(input_feature, x)
    add_loss_and_compile(model, somelayer_output)
    return model, Model(input_feature, somelayer_output)


def test_add_loss_alone_evaluates_without_labels_to_one_float():
    x, _ = images(64)
    model, hidden = add_loss_model()
    logs = assert_evaluate_is_the_sum_of_its_terms(model, x[:, None])
    expected = 100000 * np.mean(hidden.predict(x[:, None], verbose=0) ** 2)
    assert logs["loss"] == pytest.approx(float(expected), rel=1e-4)


def test_add_loss_with_a_compile_loss_is_their_sum():
    x, y = images(64)
    model, hidden = add_loss_model()
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    logs = assert_evaluate_is_the_sum_of_its_terms(model, x[:, None], y)
    assert len(logs) == 3
    probs = model.predict(x[:, None], verbose=0)
    added = float(100000 * np.mean(hidden.predict(x[:, None], verbose=0) ** 2))
    assert logs["loss"] == pytest.approx(crossentropy(y, probs) + added, rel=1e-4)
    assert added in [pytest.approx(value, rel=1e-4) for value in logs.values()]


@needs_training
@LAYOUTS
def test_add_loss_alone_trains_without_labels(layout):
    x, _ = images()
    model, _ = add_loss_model()
    history = fit_checking_warnings(model, layout, x)
    assert list(history) == ["loss"]
    assert_decreases(history["loss"], factor=0.5)


@needs_training
def test_add_loss_and_compile_loss_train_together():
    x, y = images()
    model, _ = add_loss_model()
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    history = fit_checking_warnings(model, CHANNEL, x, y)
    assert len(history) == 3
    assert_decreases(history["loss"], factor=0.5)
    assert_evaluate_is_the_sum_of_its_terms(model, x[:, None], y)


# -- Example 8: a custom regularizer on a custom layer's own weights -----------------------------

def penalty(weight):
    """A custom regularizer: a function of the weight to a scalar."""
    return 0.01 * K.sum(K.abs(weight))


class SquarePenalty(regularizers.Regularizer):
    """A custom regularizer class."""

    def __call__(self, weight):
        return 0.1 * K.sum(K.square(weight))


class RegularizedDense(layers.Layer):
    """MyDense whose weights carry custom regularizers, made both ways lamina offers."""

    def __init__(self, units=32):
        super(RegularizedDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=[input_shape[-1], self.units],
                                 initializer='random_normal', regularizer=penalty)
        self.b = K.variable(K.random_normal(shape=[self.units]), regularizer=SquarePenalty())

    def call(self, inputs):
        return K.dot(inputs, self.w) + self.b


def regularized_model():
    inputs = Input([28 * 28])
    x = layers.Dense(500, activation='relu')(inputs)
    dense = RegularizedDense(100)
    x = layers.Dense(10, activation='softmax')(dense(x))
    model = Model(inputs, x)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    return model, dense


def expected_penalty(dense):
    w, b = dense.get_weights()
    return float(0.01 * np.abs(w).sum() + 0.1 * np.square(b).sum())


def test_custom_regularizers_of_add_weight_and_k_variable_join_the_loss():
    x, y = images(64)
    x = x.reshape(64, -1)
    model, dense = regularized_model()
    assert [w.regularizer is not None for w in dense.weights] == [True, True]
    assert sum(float(K.convert_to_numpy(v)) for v in dense.losses) == pytest.approx(
        expected_penalty(dense), rel=1e-5)
    logs = assert_evaluate_is_the_sum_of_its_terms(model, x, y)
    assert len(logs) == 3
    probs = model.predict(x, verbose=0)
    assert logs["loss"] == pytest.approx(crossentropy(y, probs) + expected_penalty(dense),
                                         rel=1e-4)


@needs_training
def test_custom_regularizers_shrink_the_weights_while_training():
    x, y = images()
    model, dense = regularized_model()
    before = expected_penalty(dense)
    history = model.fit(x.reshape(N, -1), y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    penalties = [values for name, values in history.history.items()
                 if name not in ("loss", "categorical_crossentropy")]
    assert len(penalties) == 1
    assert_decreases(penalties[0])
    assert expected_penalty(dense) < 0.7 * before
    assert_decreases(history.history["loss"])


# -- Examples 1 and 2: the dropout mask, as a Lambda layer and inline -------------------------

def test_lambda_dropout_of_the_article():
    inp = Input((784,))
    x = layers.Dense(500, activation='relu')(inp)
    model = Model(inp, lambda_dropout(x))
    assert model.output.shape == (None, 500)
    data = np.random.rand(64, 784).astype("float32")
    dense_out = K.convert_to_numpy(model.layers[1](K.convert_to_tensor(data)))
    out = K.convert_to_numpy(model(data))
    kept = out != 0
    np.testing.assert_allclose(out[kept], 2 * dense_out[kept], rtol=1e-5)
    positive = dense_out > 0
    assert 0.4 < kept[positive].mean() < 0.6


def test_inline_dropout_of_the_article_becomes_part_of_the_model(capsys):
    inp = Input((784,))
    out = layers.Dense(10, activation='softmax')(inline_dropout(inp))
    model = Model(inp, out)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("OpLayer") >= 3  # the draw and the two multiplications
    model.summary()
    assert "(KFunction)" in capsys.readouterr().out
    first = K.convert_to_numpy(model(np.ones((8, 784), "float32")))
    second = K.convert_to_numpy(model(np.ones((8, 784), "float32")))
    assert first.shape == (8, 10)
    assert not np.allclose(first, second)  # a fresh mask at every call


def dropout_classifier(dropout):
    inp = Input([28 * 28])
    if dropout is lambda_dropout:
        x = lambda_dropout(layers.Dense(500, activation='relu')(inp))
    else:
        x = inline_dropout(inp)
    model = Model(inp, layers.Dense(10, activation='softmax')(x))
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    return model


@needs_training
@pytest.mark.parametrize("dropout", [lambda_dropout, inline_dropout],
                         ids=["lambda", "inline"])
def test_models_with_the_article_dropout_learn(dropout):
    x, y = images(scale=1.0)
    model = dropout_classifier(dropout)
    history = model.fit(x.reshape(N, -1), y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    assert_decreases(history.history["loss"])


def test_lambda_dropout_runs_inside_one_compiled_jax_step():
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
