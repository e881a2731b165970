"""How each engine runs the steps: one jit-compiled function on JAX (recompiled only for
a new batch shape, several steps per call with steps_per_execution), eager on torch,
uncompiled with run_eagerly; the same numbers every way."""

import numpy as np
import pytest

from lamina import Input, Model, callbacks, layers, optimizers
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")
jax_only = pytest.mark.skipif(ENGINE != "jax", reason="jit compilation is the jax engine's")


def regression_data(n=100):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 5)).astype("float32")
    return x, (x @ rng.normal(size=(5, 1))).astype("float32")


def trained_weights(**compile_kwargs):
    set_random_seed(7)
    inputs = Input((5,))
    model = Model(inputs, layers.Dense(1)(layers.Dense(8, activation="tanh")(inputs)))
    model.compile(optimizer=optimizers.SGD(0.05), loss="mse", **compile_kwargs)
    x, y = regression_data()
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return model, model.get_weights()


@needs_training
@pytest.mark.parametrize("options", [dict(run_eagerly=True), dict(steps_per_execution=3),
                                     dict(jit_compile=False)])
def test_every_way_of_running_the_step_gives_the_same_weights(options):
    _, reference = trained_weights()
    _, weights = trained_weights(**options)
    for a, b in zip(reference, weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@jax_only
def test_jax_compiles_the_train_step_once_plus_once_for_the_last_partial_batch():
    model, _ = trained_weights()  # 100 samples, batch 16: six full batches and one of 4
    step = model._steps()["train"]
    assert step._compiled._cache_size() == 2


@jax_only
def test_changing_the_learning_rate_does_not_recompile():
    model, _ = trained_weights()
    x, y = regression_data()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05 / 4)
    assert model._steps()["train"]._compiled._cache_size() == 2


@needs_training
def test_early_stopping_restores_the_best_weights_seen_by_fit():
    set_random_seed(3)
    x, y = regression_data()
    inputs = Input((5,))
    model = Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=optimizers.SGD(1.5), loss="mse")  # too large: the loss grows
    history = model.fit(x, y, epochs=6, batch_size=100, verbose=0, validation_data=(x, y),
                        callbacks=[callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                                           restore_best_weights=True)])
    val = history.history["val_loss"]
    assert len(val) < 6
    assert model.evaluate(x, y, verbose=0) == pytest.approx(min(val), rel=1e-4)


@needs_training
def test_the_progress_bar_writes_one_line_per_epoch_to_a_log(capsys):
    x, y = regression_data()
    inputs = Input((5,))
    model = Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=3, batch_size=10, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out
    lines = [line for line in out.splitlines() if line.startswith("10/10")]
    assert len(lines) == 3 and all("loss:" in line and "mae:" in line for line in lines)
    model.fit(x, y, epochs=2, batch_size=10, verbose=0)
    assert capsys.readouterr().out == ""
