"""Subclassed models: whatever their constructor takes, a ``Model`` subclass is a
subclassed model unless it is given symbolic ``inputs`` and ``outputs`` (the Keras rule)."""

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from lamina.models.functional import Functional
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


class Positional(Model):
    """Constructor arguments that are plain ints, passed positionally."""

    def __init__(self, units, classes):
        super().__init__()
        self.hidden = layers.Dense(units, activation="relu")
        self.out = layers.Dense(classes)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


class Forwarding(Model):
    """``**kwargs`` (name=, trainable=) forwarded to ``Model.__init__``."""

    def __init__(self, units, classes, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(units, activation="tanh")
        self.out = layers.Dense(classes)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


class Custom(Model):
    """A subclass with no constructor of its own: functional when built from tensors."""

    def call_count(self):
        return len(self.layers)


def _make(kind):
    return {"positional": lambda: Positional(8, 2),
            "forwarding": lambda: Forwarding(8, 2, name="forwarding_net"),
            "keywords": lambda: Forwarding(units=8, classes=2, name="keyword_net")}[kind]()


def _data(n=16):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, :2] - x[:, 2:]).astype("float32")


@pytest.mark.parametrize("kind", ["positional", "forwarding", "keywords"])
def test_subclass_with_its_own_arguments_is_a_subclassed_model_that_runs(kind):
    model = _make(kind)
    assert not isinstance(model, Functional)
    assert model.hidden.units == 8 and model.out.units == 2
    out = K.convert_to_numpy(model(_data(3)[0]))
    assert out.shape == (3, 2)
    lines = []
    model.summary(print_fn=lines.append)
    assert any(f"Total params: {4 * 8 + 8 + 8 * 2 + 2}" in line for line in lines)
    assert any(model.hidden.name in line for line in lines)


def test_name_and_trainable_keywords_reach_the_model():
    model = Forwarding(3, 1, name="frozen_net", trainable=False)
    model(np.ones((2, 4), "float32"))
    assert model.name == "frozen_net"
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4


@pytest.mark.parametrize("kind", ["positional", "forwarding", "keywords"])
def test_subclassed_model_compiles_evaluates_and_predicts(kind):
    x, y = _data()
    model = _make(kind)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    predicted = model.predict(x, batch_size=8, verbose=0)
    assert predicted.shape == (16, 2)
    np.testing.assert_allclose(logs["loss"], np.mean((predicted - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(logs["mae"], np.mean(np.abs(predicted - y)), rtol=1e-5)


@needs_training
@pytest.mark.parametrize("kind", ["positional", "forwarding", "keywords"])
def test_subclassed_model_fits(kind):
    set_random_seed(3)
    x, y = _data()
    model = _make(kind)
    model.compile(optimizer="adam", loss="mse")
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=8, epochs=4, verbose=0)
    assert len(history.history["loss"]) == 4
    assert model.evaluate(x, y, verbose=0) < before


def test_inputs_and_outputs_make_a_functional_model_in_every_form():
    a, b = Input((3,), name="a"), Input((2,), name="b")
    merged = layers.Concatenate()([a, b])
    out = layers.Dense(1, name="score")(merged)
    forms = [Model([a, b], out), Model(inputs=[a, b], outputs=out), Model([a, b], outputs=out),
             Model(inputs={"a": a, "b": b}, outputs={"score": out}), Model((a, b), [out])]
    data = {"a": np.ones((2, 3), "float32"), "b": np.ones((2, 2), "float32")}
    for model in forms:
        assert isinstance(model, Functional)
        assert [layer.name for layer in model.layers][:2] == ["a", "b"]
    expected = K.convert_to_numpy(forms[0]([data["a"], data["b"]]))
    np.testing.assert_allclose(K.convert_to_numpy(forms[3](data)["score"]), expected)


def test_a_subclass_built_from_inputs_and_outputs_is_functional_and_keeps_its_methods():
    x = Input((3,))
    model = Custom(x, layers.Dense(2)(x), name="custom")
    keyword = Custom(inputs=x, outputs=[layers.Dense(2)(x)])
    for built in (model, keyword):
        assert isinstance(built, Functional) and isinstance(built, Custom)
        assert built.call_count() == 2
    assert model.name == "custom"
    assert K.convert_to_numpy(model(np.ones((4, 3), "float32"))).shape == (4, 2)


def test_a_subclass_whose_inputs_and_outputs_arguments_are_not_tensors_is_subclassed():
    class Sized(Model):
        def __init__(self, inputs, outputs):
            super().__init__()
            self.widths = (inputs, outputs)
            self.dense = layers.Dense(outputs)

        def call(self, data):
            return self.dense(data)

    for model in (Sized(4, 3), Sized(inputs=4, outputs=3)):
        assert not isinstance(model, Functional) and model.widths == (4, 3)
        assert K.convert_to_numpy(model(np.ones((2, 4), "float32"))).shape == (2, 3)
