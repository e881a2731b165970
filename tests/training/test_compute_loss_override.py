"""``compute_loss`` and ``compute_metrics`` overrides (the Keras 3 signatures) drive
``fit``, ``evaluate``, ``train_on_batch`` and ``test_on_batch`` on every engine."""

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


def mse_plus_penalty(y, y_pred):
    return K.mean(K.square(y - y_pred)) + 0.1 * K.mean(K.abs(y_pred))


class PenalizedSubclassed(Model):
    """A subclassed model whose loss is its own (compile(loss=None))."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(1)

    def call(self, inputs):
        return self.dense(inputs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return mse_plus_penalty(y, y_pred)


class Penalized(Model):
    """Built from inputs and outputs: a functional subclass with the same loss."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return mse_plus_penalty(y, y_pred)


class CompiledPlusPenalty(Model):
    """The compiled loss (super) plus an extra term."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        return loss + 0.1 * K.mean(K.abs(y_pred))


def linear(cls=Model):
    x = Input((3,))
    return cls(x, layers.Dense(1, name="linear")(x))


def make(kind):
    if kind == "subclassed":
        model = PenalizedSubclassed()
        model(np.zeros((1, 3), "float32"))
        return model
    return linear(Penalized)


def data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 1.0).astype("float32")


def numpy_penalized(y, y_pred):
    return np.mean((y - y_pred) ** 2) + 0.1 * np.mean(np.abs(y_pred))


@pytest.mark.parametrize("kind", ["subclassed", "functional subclass"])
def test_the_override_is_the_loss_evaluate_and_test_on_batch_report(kind):
    x, y = data()
    model = make(kind)
    model.compile(optimizer="sgd", loss=None)
    expected = numpy_penalized(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(model.test_on_batch(x, y), expected, rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=16, verbose=0), expected,
                               rtol=1e-5)


@needs_training
@pytest.mark.parametrize("kind", ["subclassed", "functional subclass"])
def test_the_override_trains_with_compile_loss_none(kind):
    x, y = data()
    model = make(kind)
    model.compile(optimizer=optimizers.SGD(0.1), loss=None)
    before = numpy_penalized(y, model.predict(x, verbose=0))
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    model.train_on_batch(x, y)
    after = numpy_penalized(y, model.predict(x, verbose=0))
    assert after < 0.5 * before
    np.testing.assert_allclose(model.test_on_batch(x, y), after, rtol=1e-5)


@needs_training
def test_one_sgd_step_follows_the_gradient_of_the_override():
    x, y = data(8)
    model = linear(Penalized)
    kernel, bias = [np.asarray(w) for w in model.get_weights()]
    model.compile(optimizer=optimizers.SGD(0.1), loss=None)
    model.train_on_batch(x, y)
    y_pred = x @ kernel + bias
    grad = (2.0 * (y_pred - y) + 0.1 * np.sign(y_pred)) / len(x)
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.1 * x.T @ grad, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(new_bias, bias - 0.1 * grad.sum(0), rtol=1e-4, atol=1e-6)


def test_super_compute_loss_gives_the_compiled_loss_and_the_extra_term_shows():
    x, y = data()
    model = linear(CompiledPlusPenalty)
    plain = linear()
    plain.set_weights(model.get_weights())
    for m in (model, plain):
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y_pred = model.predict(x, verbose=0)
    logs = model.test_on_batch(x, y, return_dict=True)
    np.testing.assert_allclose(logs["loss"], numpy_penalized(y, y_pred), rtol=1e-5)
    np.testing.assert_allclose(logs["mae"], np.mean(np.abs(y - y_pred)), rtol=1e-5)
    plain_loss = plain.test_on_batch(x, y, return_dict=True)["loss"]
    np.testing.assert_allclose(plain_loss, np.mean((y - y_pred) ** 2), rtol=1e-5)
    extra = 0.1 * np.mean(np.abs(y_pred))
    assert extra > 0
    np.testing.assert_allclose(logs["loss"] - plain_loss, extra, rtol=1e-3)


@needs_training
def test_super_compute_loss_plus_an_extra_term_trains_on_both():
    x, y = data()
    model = linear(CompiledPlusPenalty)
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    y_pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.test_on_batch(x, y), numpy_penalized(y, y_pred), rtol=1e-5)


def test_the_override_sees_dict_outputs_and_labels_by_name():
    class Weighted(Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return K.mean(K.square(y["a"] - y_pred["a"])) + 2.0 * K.mean(y_pred["b"])

    x = Input((3,))
    model = Weighted(x, {"a": layers.Dense(1, name="a")(x), "b": layers.Dense(2, name="b")(x)})
    model.compile(optimizer="sgd", loss=None)
    inputs, labels = data()
    y = {"a": labels, "b": np.zeros((16, 2), "float32")}
    y_pred = model.predict(inputs, verbose=0)
    expected = np.mean((labels - y_pred["a"]) ** 2) + 2.0 * np.mean(y_pred["b"])
    np.testing.assert_allclose(model.test_on_batch(inputs, y), expected, rtol=1e-5)


def test_compute_metrics_override_values_show_in_evaluate():
    class PeakMetric(Model):
        def compute_metrics(self, x, y, y_pred, sample_weight):
            logs = super().compute_metrics(x, y, y_pred, sample_weight)
            return {**logs, "peak": K.max(y_pred)}

    class OnlyMine(Model):
        def compute_metrics(self, x, y, y_pred, sample_weight):
            return {"mean_prediction": K.mean(y_pred)}

    x, y = data()
    model, mine = linear(PeakMetric), linear(OnlyMine)
    model.compile(loss="mse", metrics=["mae"])
    mine.compile(loss="mse")
    y_pred = model.predict(x, verbose=0)
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "mae", "peak"]
    np.testing.assert_allclose(logs["loss"], np.mean((y - y_pred) ** 2), rtol=1e-5)
    np.testing.assert_allclose(logs["mae"], np.mean(np.abs(y - y_pred)), rtol=1e-5)
    np.testing.assert_allclose(logs["peak"], y_pred.max(), rtol=1e-5)
    assert model.test_on_batch(x, y, return_dict=True) == pytest.approx(logs, rel=1e-5)
    mine_logs = mine.evaluate(x, y, verbose=0, return_dict=True)
    assert list(mine_logs) == ["mean_prediction"]
    np.testing.assert_allclose(mine_logs["mean_prediction"],
                               mine.predict(x, verbose=0).mean(), rtol=1e-5)


@needs_training
def test_compute_metrics_override_values_show_in_fit_history():
    class PeakMetric(Model):
        def compute_metrics(self, x, y, y_pred, sample_weight):
            logs = super().compute_metrics(x, y, y_pred, sample_weight)
            return {**logs, "peak": K.max(y_pred)}

    x, y = data()
    model = linear(PeakMetric)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "peak"] and len(history.history["peak"]) == 2
    logs = model.train_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "peak"}


def test_super_compute_loss_without_any_loss_says_what_to_do():
    class Lossless(Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return super().compute_loss(x, y, y_pred, sample_weight, training) * 2.0

    model = linear(Lossless)
    model.compile(optimizer="sgd", loss=None)
    x, y = data()
    with pytest.raises(ValueError, match=r"Model '.*': compute_loss has no loss to return: "
                                         r"compile the model with loss=\.\.\."):
        model.test_on_batch(x, y)


def test_a_compute_loss_returning_a_non_scalar_is_refused():
    class PerSample(Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return K.square(y - y_pred)

    model = linear(PerSample)
    model.compile(optimizer="sgd", loss=None)
    x, y = data()
    with pytest.raises(ValueError, match=r"compute_loss must return a scalar tensor; "
                                         r"received .* of shape"):
        model.test_on_batch(x, y)
