"""A model that lists its own metrics in a ``metrics`` property (Keras's ``loss_tracker``
pattern) logs them under their names, one value per epoch, in ``fit`` and ``evaluate``."""

import numpy as np
import pytest

import lamina as keras
from lamina import ops

pytestmark = pytest.mark.skipif(keras.backend.backend() == "numpy",
                                reason="numpy does not train")


class TrackedModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.batches = keras.metrics.Sum(name="batches")

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     allow_empty=False):
        loss = ops.mean(ops.square(y_pred - y))
        self.loss_tracker.update_state(loss)
        self.batches.update_state(1.0)
        return loss

    @property
    def metrics(self):
        return [self.loss_tracker, self.batches]


def make_model():
    inputs = keras.Input((4,))
    model = TrackedModel(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(optimizer="sgd")
    return model


def test_listed_metrics_are_logged_and_reset_each_epoch():
    x = np.ones((32, 4), "float32")
    y = np.full((32, 1), 2.0, "float32")
    history = make_model().fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert history.history["batches"] == [4.0, 4.0]
    first = history.history["loss"][0]
    assert 0 < first < 4.0  # the mean over the epoch's batches, from 4.0 downwards
    assert history.history["loss"][1] < first


def test_listed_metrics_in_evaluate():
    x = np.ones((16, 4), "float32")
    y = np.full((16, 1), 3.0, "float32")
    result = make_model().evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert result["batches"] == 2.0
    assert result["loss"] == pytest.approx(9.0)
