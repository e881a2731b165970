"""The article's custom layer, loss and a custom model, registered for saving; shared by
the saving tests and the subprocesses they start (which load on another engine)."""

import numpy as np

import lamina
from lamina import Input, Model, layers
from lamina import backend as K


@lamina.saving.register_serializable(package="article")
class MyDense(layers.Layer):
    def __init__(self, units=32):
        super(MyDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = K.variable(K.random_normal(shape=[input_shape[-1], self.units]))
        self.b = K.Variable(K.random_normal(shape=[self.units]), trainable=True)
        self.a = K.Variable(K.random_normal(shape=[self.units]), trainable=False)

    def call(self, inputs):
        return K.dot(inputs, self.w) + self.b


@lamina.saving.register_serializable(package="article")
def customed_loss(y_true, y_pred):
    return K.mean(K.square(y_true - y_pred), axis=-1)


@lamina.saving.register_serializable(package="article")
class TwoLayers(Model):
    def __init__(self, hidden=4):
        super().__init__()
        self.hidden = hidden
        self.inner = layers.Dense(hidden, activation="relu")
        self.out = layers.Dense(2)

    def call(self, inputs):
        return self.out(self.inner(inputs))


def article_model(dropout=False):
    """Dense -> MyDense -> K functions (the article's inline dropout when ``dropout``)
    -> softmax, with a symbolic add_loss on the labels."""
    x = Input((6,), name="features")
    h = layers.Dense(8, activation="relu", name="hidden")(x)
    h = MyDense(5)(h)
    if dropout:
        h = h * K.random_binomial(K.shape(h), 0.5) * 2
    h = K.tanh(h) + h[:, :1]
    y = layers.Dense(3, activation="softmax", name="probabilities")(h)
    model = Model(x, y)
    model.add_loss(0.01 * K.mean(K.square(model.targets[0] - y)), name="label_penalty")
    return model


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    return x, y
