"""predict keeps outputs on the device and fetches them together; on JAX, batches of odd
sizes are padded to a few bucket sizes, so predicting on 1..40 samples compiles a
handful of programs, with the outputs of unpadded runs; a model whose outputs mix
the samples is never padded."""

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from lamina.training import predicting

jax_only = pytest.mark.skipif(K.backend() != "jax", reason="per-shape compiles are jax's")


def mlp():
    inputs = Input((4,))
    hidden = layers.BatchNormalization()(layers.Dense(8, activation="relu")(inputs))
    return Model(inputs, layers.Dense(3)(hidden))


def samples(n=40):
    return np.random.default_rng(0).normal(size=(n, 4)).astype("float32")


def unpadded(model, x, batch_size=32):
    """What predict gave before padding: the raw step on each batch as it comes."""
    step = model._steps()["predict"].step
    return np.concatenate([K.convert_to_numpy(step(x[i:i + batch_size]))
                           for i in range(0, len(x), batch_size)])


def test_predict_on_every_size_gives_the_unpadded_outputs():
    model, x = mlp(), samples()
    for n in range(1, 41):
        out = model.predict(x[:n], verbose=0)
        assert out.shape == (n, 3)
        np.testing.assert_array_equal(out, unpadded(model, x[:n]))


@jax_only
def test_predict_on_1_to_40_samples_compiles_a_handful_of_programs():
    model, x = mlp(), samples()
    for n in range(1, 41):
        model.predict(x[:n], verbose=0)
    # batch 32 and the buckets 1, 2, 4, 8, 16, plus the probe's one unpadded size (3)
    assert model._steps()["predict"].step._compiled._cache_size() <= 7
    assert model._steps()["predict"].per_sample is True


@jax_only
def test_predict_on_batch_pads_too():
    model, x = mlp(), samples()
    outs = {n: model.predict_on_batch(x[:n]) for n in (3, 5, 6, 7)}
    # 3 (the probe), 4, 8
    assert model._steps()["predict"].step._compiled._cache_size() == 3
    for n, out in outs.items():
        np.testing.assert_array_equal(out, unpadded(model, x[:n], batch_size=n))


@pytest.mark.parametrize("mix", ["batch_mean", "batch_size"])
def test_a_model_mixing_the_samples_is_not_padded(mix):
    inputs = Input((4,))
    if mix == "batch_mean":
        out = layers.Lambda(lambda t: t - K.mean(t, axis=0, keepdims=True))(inputs)
    else:
        out = layers.Lambda(lambda t: t * K.cast(K.shape(t)[0], t.dtype))(inputs)
    model, x = Model(inputs, out), samples()
    for n in (3, 5, 6, 12):
        np.testing.assert_array_equal(model.predict(x[:n], verbose=0),
                                      unpadded(model, x[:n]))
    assert model._steps()["predict"].per_sample is False


def test_a_probe_on_equal_rows_decides_nothing():
    inputs = Input((4,))
    model = Model(inputs, layers.Lambda(lambda t: t - K.mean(t, axis=0, keepdims=True))(inputs))
    same = np.ones((3, 4), "float32")
    np.testing.assert_array_equal(model.predict(same, verbose=0), np.zeros((3, 4)))
    expected = None if K.backend() == "jax" else False
    assert model._steps()["predict"].per_sample is expected
    x = samples(5)
    np.testing.assert_allclose(model.predict(x, verbose=0), x - x.mean(axis=0), atol=1e-6)


def test_outputs_come_back_in_bounded_groups(monkeypatch):
    inputs = Input((4,))
    model = Model(inputs, [layers.Dense(2)(inputs), layers.Dense(1)(inputs)])
    x = samples(40)
    whole = model.predict(x, batch_size=4, verbose=0)
    fetched = []
    step = model._steps()["predict"]
    monkeypatch.setattr(predicting, "FETCH_BYTES", 3 * 4 * 3 * 4)  # three batches' outputs
    monkeypatch.setattr(step, "fetch", lambda arrays: fetched.append(len(arrays)) or
                        step.step.fetch(arrays))
    grouped = model.predict(x, batch_size=4, verbose=0)
    assert fetched == [6, 6, 6, 2]  # ten batches of two outputs: 3 + 3 + 3 + 1
    for a, b in zip(whole, grouped):
        np.testing.assert_array_equal(a, b)


def test_bucket_sizes_are_powers_of_two_up_to_the_batch_size():
    assert [predicting.bucket_size(n, 24) for n in (1, 3, 5, 9, 17, 24)] == \
        [1, 4, 8, 16, 24, 24]
    assert predicting.bucket_size(40, None) == 64


@jax_only
def test_the_predict_step_survives_compile_unless_it_must_run_eagerly():
    model, x = mlp(), samples(8)
    model.compile(loss="mse")
    model.predict(x, verbose=0)
    step = model._steps()["predict"]
    model.compile(optimizer="adam", loss="mae")
    model.predict(x, verbose=0)
    assert model._steps()["predict"] is step
    model.compile(loss="mse", run_eagerly=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), unpadded(model, x), rtol=1e-6)
    assert model._steps()["predict"].per_sample is False  # an uncompiled step: no padding
