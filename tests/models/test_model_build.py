"""Model.build(input_shape): Keras programs call it before summary(), load_weights()
or fit(); it must create the weights of Sequential and subclassed models."""

import numpy as np
import pytest

import lamina
from lamina import Sequential, layers


@pytest.mark.parametrize("kind", ["sequential", "subclassed"])
def test_build_with_an_input_shape_creates_the_weights(kind):
    if kind == "sequential":
        model = Sequential([layers.Dense(4), layers.Dense(2)])
    else:
        class Net(lamina.Model):
            def __init__(self):
                super().__init__()
                self.hidden, self.out = layers.Dense(4), layers.Dense(2)

            def call(self, x):
                return self.out(self.hidden(x))
        model = Net()
    model.build((None, 3))
    assert model.built and model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    assert model.predict(np.ones((5, 3), "float32"), verbose=0).shape == (5, 2)


def test_build_without_or_with_a_bad_shape_says_what_it_expects():
    with pytest.raises(ValueError, match=r"build\(\) needs the input shape"):
        Sequential([layers.Dense(2)]).build()
    with pytest.raises(ValueError, match="expected a shape such as"):
        Sequential([layers.Dense(2)]).build("3")


def test_a_subclass_build_calling_super_build_creates_its_own_weights_once():
    class Net(lamina.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                         name="scale")
            super().build(input_shape)

        def call(self, x):
            return self.dense(x * self.scale)

    model = Net()
    model.build((None, 3))
    assert model.built and [tuple(w.shape) for w in model.weights] == [(3,)]
    assert model.predict(np.ones((4, 3), "float32"), verbose=0).shape == (4, 2)
    assert len(model.weights) == 3
