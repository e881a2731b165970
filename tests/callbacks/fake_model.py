"""A small stand-in for a compiled model: what the callbacks read and write on one.

Test modules import the `model` fixture from here (a conftest.py would clash with
tests/conftest.py under --doctest-modules, which imports both as "conftest")."""

import numpy as np
import pytest

from lamina import backend as K


class FakeOptimizer:
    """Keeps its learning rate in a float32 Variable, as a real optimizer does."""

    def __init__(self, learning_rate):
        self._rate = K.Variable(learning_rate, trainable=False, dtype="float32")
        self.assigned = []

    @property
    def learning_rate(self):
        return self._rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.assigned.append(value)
        self._rate.assign(value)


class FakeModel:
    def __init__(self, learning_rate=0.1):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.weights = [np.zeros((2, 2), "float32"), np.zeros(2, "float32")]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def set_epoch_weights(self, epoch):
        """Weights that say which epoch produced them."""
        self.weights = [np.full((2, 2), epoch, "float32"), np.full(2, -epoch, "float32")]


@pytest.fixture
def model():
    return FakeModel()
