"""NumPy integers are integers wherever lamina takes an int (as in Keras), booleans are
not, and the checked values are stored as Python ints (configs stay JSON)."""

import json

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers
from lamina import backend as K
from lamina.training.py_dataset import PyDataset

LABELS = np.array([0, 2, 1, 2])


def test_layers_take_numpy_integers_and_store_python_ints():
    built = [layers.Dense(np.max(LABELS) + 1), layers.Embedding(np.int64(1000), np.int32(8)),
             layers.Conv2D(np.int32(8), np.int64(3), strides=(np.int64(1), 1)),
             layers.LSTM(np.int16(4)), layers.MultiHeadAttention(np.int64(2), np.int64(4)),
             layers.MaxPooling2D(np.int64(2)), layers.Dropout(np.float32(0.5), seed=np.int64(3)),
             layers.BatchNormalization(axis=np.int64(-1)), layers.Dot(axes=np.int64(1))]
    dense, embedding, conv, lstm, attention, pool, dropout, norm, dot = built
    assert dense.units == 3 and type(dense.units) is int
    assert (embedding.input_dim, embedding.output_dim) == (1000, 8)
    assert conv.filters == 8 and conv.kernel_size == (3, 3) and conv.strides == (1, 1)
    assert lstm.units == 4 and attention.key_dim == 4 and pool.pool_size == (2, 2)
    assert dropout.seed == 3 and norm.axis == -1 and dot.axes == 1
    for layer in built:
        json.dumps(layer.get_config())  # no NumPy scalar left in the config


def test_a_model_built_from_numpy_integers_runs():
    x = Input((6,))
    h = layers.Reshape((np.int64(2), 3))(x)
    y = layers.Dense(np.max(LABELS) + 1)(layers.Flatten()(h))
    out = Model(x, y)(np.ones((2, 6), "float32"))
    assert tuple(K.convert_to_numpy(out).shape) == (2, 3)


@pytest.mark.parametrize("make", [lambda: layers.Dense(True), lambda: layers.Embedding(10, False),
                                  lambda: layers.Conv2D(np.True_, 3),
                                  lambda: layers.Reshape((True, 3)),
                                  lambda: layers.Dense(np.float64(3.0))])
def test_booleans_and_floats_are_not_integers(make):
    with pytest.raises(ValueError, match=r"positive int.*received"):
        make()


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")
def test_fit_takes_numpy_integers_for_batch_size_epochs_and_validation_freq():
    model = Sequential([Input((3,)), layers.Dense(np.int64(1))])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=np.int64(1))
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    history = model.fit(x, y, batch_size=np.int64(4), epochs=np.int64(2), verbose=0,
                        validation_data=(x, y), validation_freq=np.int64(2))
    assert history.epoch == [0, 1] and len(history.history["val_loss"]) == 1


def test_batch_size_and_workers_refuse_booleans():
    model = Sequential([Input((3,)), layers.Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="evaluate: batch_size must be an int >= 1 or None; "
                                         "received True"):
        model.evaluate(np.ones((4, 3)), np.ones((4, 1)), batch_size=True, verbose=0)
    with pytest.raises(ValueError, match="workers must be an int >= 1; received True"):
        PyDataset(workers=True)
    assert PyDataset(workers=np.int64(2)).workers == 2


def test_utilities_callbacks_and_metrics_take_numpy_integers():
    from lamina import callbacks, metrics
    from lamina.utils import set_random_seed, to_categorical

    assert to_categorical(LABELS, num_classes=np.max(LABELS) + 1).shape == (4, 3)
    set_random_seed(np.int64(7))
    first = K.convert_to_numpy(K.random_normal((2,)))
    set_random_seed(7)
    np.testing.assert_array_equal(first, K.convert_to_numpy(K.random_normal((2,))))
    assert callbacks.EarlyStopping(patience=np.int64(3)).patience == 3
    assert metrics.TopKCategoricalAccuracy(k=np.int64(2)).get_config()["k"] == 2
    with pytest.raises(TypeError, match="seed must be an int; received True"):
        set_random_seed(True)


def test_input_shapes_take_numpy_integers():
    assert Input((np.int64(3), None)).shape == (None, 3, None)
    model = Sequential([layers.Dense(2, input_dim=np.int64(3)), layers.Dense(1)])
    assert model.input_shape == (None, 3) and type(model.input_shape[1]) is int
    with pytest.raises(ValueError, match="every dimension must be a non-negative int or None"):
        Input((True,))
