"""TerminateOnNaN(restore_last_good=True) gives back the model's Variables and the
optimizer's state from before the batch whose loss turned bad (or from the batch
before, when those already hold NaN); the default keeps Keras' behaviour."""

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K
from lamina.callbacks import LambdaCallback, TerminateOnNaN

needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")


def regression(learning_rate):
    inputs = Input((2,))
    model = Model(inputs, layers.Dense(1, kernel_initializer="ones")(inputs))
    model.compile(optimizer=optimizers.SGD(learning_rate, momentum=0.5), loss="mse")
    return model


def state(model):
    return [K.convert_to_numpy(v.value).copy()
            for v in list(model.variables) + list(model.optimizer.variables)]


def fit_recording(model, x, y, terminate):
    """Fit with ``terminate``, recording the state before each batch."""
    before = {}
    record = LambdaCallback(on_train_batch_begin=lambda b, logs: before.setdefault(b, state(model)))
    model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0,
              callbacks=[record, terminate])
    return before


@needs_training
def test_bad_data_restores_the_state_from_before_the_bad_batch(capsys):
    model = regression(0.01)
    x = np.linspace(-1.0, 1.0, 16, dtype="float32").reshape(8, 2)
    x[6, 0] = np.nan  # batch 3
    before = fit_recording(model, x, np.zeros((8, 1), "float32"),
                           TerminateOnNaN(restore_last_good=True))
    assert capsys.readouterr().out == ("Batch 3: Invalid loss, terminating training\n"
                                       "Batch 3: restored the Variables from before batch 3\n")
    assert sorted(before) == [0, 1, 2, 3]
    restored = state(model)
    assert all(np.array_equal(a, b) for a, b in zip(restored, before[3]))
    assert int(model.optimizer.iterations.numpy()) == 3


@needs_training
def test_divergence_restores_the_last_finite_state():
    model = regression(1.0)  # each step multiplies the weights by about -400
    x, y = np.full((40, 2), 10.0, "float32"), np.zeros((40, 1), "float32")
    before = fit_recording(model, x, y, TerminateOnNaN(restore_last_good=True))
    stopped = max(before)
    restored = state(model)
    assert all(np.isfinite(v).all() for v in restored)
    match = [b for b in (stopped, stopped - 1)
             if all(np.array_equal(a, c) for a, c in zip(restored, before[b]))]
    assert match and all(np.isfinite(v).all() for v in before[match[0]])


@needs_training
def test_by_default_the_variables_stay_as_the_bad_batch_left_them():
    model = regression(0.01)
    x = np.linspace(-1.0, 1.0, 16, dtype="float32").reshape(8, 2)
    x[6, 0] = np.nan
    fit_recording(model, x, np.zeros((8, 1), "float32"), TerminateOnNaN())
    assert not np.isfinite(K.convert_to_numpy(model.layers[-1].kernel.value)).all()


def test_restore_last_good_must_be_a_bool():
    with pytest.raises(TypeError, match="restore_last_good must be True or False; received 'yes'"):
        TerminateOnNaN(restore_last_good="yes")
