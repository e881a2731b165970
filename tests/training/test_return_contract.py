"""What evaluate, train_on_batch and test_on_batch return, as in Keras: the total loss as
a float without compiled metrics (whatever loss terms the model has), ``[loss, metric,
...]`` in ``metrics_names`` order with metrics, every logged value with return_dict."""

import numpy as np
import pytest

from lamina import Input, Model, layers, regularizers
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


def data(n=8):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, np.eye(2, dtype="float32")[rng.integers(0, 2, size=n)]


def classifier(add_loss=False, **hidden_kwargs):
    set_random_seed(0)
    inputs = Input((3,))
    hidden = layers.Dense(4, activation="tanh", name="hidden", **hidden_kwargs)(inputs)
    model = Model(inputs, layers.Dense(2, activation="softmax", name="probs")(hidden))
    if add_loss:
        model.add_loss(1e-3 * K.mean(K.square(hidden)))
    return model


def assert_total_is_sum_of_terms(total, logs, terms):
    assert sorted(logs) == sorted(["loss"] + terms)
    assert total == pytest.approx(logs["loss"], rel=1e-6)
    assert total == pytest.approx(sum(logs[t] for t in terms), rel=1e-5)


def test_evaluate_with_the_compile_loss_only_returns_a_float():
    x, y = data()
    model = classifier()
    model.compile(loss="categorical_crossentropy")
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    probs = model.predict(x, verbose=0)
    assert loss == pytest.approx(float(np.mean(-np.sum(y * np.log(probs), axis=1))), rel=1e-5)
    assert model.metrics_names == ["loss"]


def test_add_loss_without_metrics_evaluates_to_the_total_as_a_float():
    x, y = data()
    model = classifier(add_loss=True)
    model.compile(loss="categorical_crossentropy")
    total = model.evaluate(x, y, batch_size=4, verbose=0)
    assert isinstance(total, float)
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert_total_is_sum_of_terms(total, logs, ["categorical_crossentropy", "added_loss"])
    assert logs["added_loss"] > 0
    assert float(model.test_on_batch(x, y)) == pytest.approx(total, rel=1e-5)


@pytest.mark.parametrize("regularizer", ["kernel_regularizer", "activity_regularizer"])
def test_layer_losses_without_metrics_evaluate_to_a_float(regularizer):
    x, y = data()
    model = classifier(**{regularizer: regularizers.L2(0.1)})
    model.compile(loss="categorical_crossentropy")
    total = model.evaluate(x, y, verbose=0)
    assert isinstance(total, float)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert_total_is_sum_of_terms(total, logs, ["categorical_crossentropy", "layer_losses"])
    assert logs["layer_losses"] > 0


def test_metrics_give_the_total_loss_then_the_metrics_even_with_loss_terms():
    x, y = data()
    model = classifier(add_loss=True, kernel_regularizer=regularizers.L2(0.1))
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    result = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert isinstance(result, list) and len(result) == 2
    assert model.metrics_names == ["loss", "accuracy"]
    assert dict(zip(model.metrics_names, result)) == pytest.approx(
        {"loss": logs["loss"], "accuracy": logs["accuracy"]})
    assert_total_is_sum_of_terms(result[0], {k: v for k, v in logs.items() if k != "accuracy"},
                                 ["categorical_crossentropy", "added_loss", "layer_losses"])
    probs = model.predict(x, verbose=0)
    assert result[1] == pytest.approx(float(np.mean(probs.argmax(1) == y.argmax(1))))
    batch = model.test_on_batch(x, y)
    assert isinstance(batch, list) and batch == pytest.approx(result, rel=1e-5)
    assert sorted(model.test_on_batch(x, y, return_dict=True)) == sorted(logs)


@needs_training
def test_train_on_batch_follows_the_same_contract():
    x, y = data()
    model = classifier(add_loss=True)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    before = model.test_on_batch(x, y)
    loss = model.train_on_batch(x, y)
    assert isinstance(loss, float)
    assert loss == pytest.approx(before, rel=1e-5)  # the loss of the step, before the update
    logs = model.train_on_batch(x, y, return_dict=True)
    assert_total_is_sum_of_terms(logs["loss"], logs, ["categorical_crossentropy", "added_loss"])

    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    result = model.train_on_batch(x, y)
    assert isinstance(result, list) and len(result) == 2
    assert 0.0 <= result[1] <= 1.0


@needs_training
def test_history_keeps_each_loss_term():
    x, y = data()
    model = classifier(add_loss=True)
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    assert set(history.history) == {
        prefix + name for prefix in ("", "val_")
        for name in ("loss", "categorical_crossentropy", "added_loss", "accuracy")}


@needs_training
def test_a_train_step_returning_its_own_logs_gets_them_back_in_order():
    class Custom(Model):
        def train_step(self, data):
            x, y = data
            weights = self.trainable_variables

            def loss_fn(ws):
                return K.mean(K.square(self(x, training=True) - y))

            loss, grads = K.value_and_grad(loss_fn)(weights)
            self.optimizer.apply(grads, weights)
            return {"loss": loss, "twice": 2.0 * loss}

    inputs = Input((3,))
    model = Custom(inputs, layers.Dense(2)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    x, y = data()
    loss, twice = model.train_on_batch(x, y)
    assert twice == pytest.approx(2.0 * loss, rel=1e-6)
