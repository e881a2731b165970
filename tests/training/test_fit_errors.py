"""Bad input to compile / fit gets a clear error, and a failed step changes nothing."""

import numpy as np
import pytest

from lamina import Input, Model, callbacks, layers
from lamina import backend as K

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")


def classifier():
    inputs = Input((4,), name="features")
    return Model(inputs, layers.Dense(3, activation="softmax", name="probs")(inputs))


def data(n=16):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), np.eye(3, dtype="float32")[
        rng.integers(0, 3, n)]


def test_fit_before_compile_says_to_compile():
    x, y = data()
    with pytest.raises(RuntimeError, match="call compile.*before fit"):
        classifier().fit(x, y, verbose=0)


def test_unknown_optimizer_loss_and_metric_names_list_the_known_ones():
    with pytest.raises(ValueError, match="(?s)unknown optimizer 'adamm'.*Known names:.*Adam"):
        classifier().compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="(?s)categorical_crossentropi.*categorical_crossentropy"):
        classifier().compile(optimizer="sgd", loss="categorical_crossentropi")
    with pytest.raises(ValueError, match="(?s)acuracy.*accuracy"):
        classifier().compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


def test_different_numbers_of_samples_are_named():
    x, y = data()
    model = classifier()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="same number of samples.*x: 16, y: 10"):
        model.evaluate(x, y[:10], verbose=0)


def test_string_arrays_are_refused():
    model = classifier()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="x must hold numbers.*<U"):
        model.predict(np.array([["a", "b", "c", "d"]]), verbose=0)


def test_labels_that_do_not_fit_the_loss_name_loss_output_and_shapes():
    x, _ = data()
    model = classifier()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    labels = np.zeros((16, 1), "float32")
    with pytest.raises(ValueError, match="(?s)categorical_crossentropy.*'probs'.*\\(None, 1\\).*"
                                         "\\(None, 3\\)"):
        model.evaluate(x, labels, verbose=0)


@needs_training
def test_a_failed_step_leaves_the_weights_as_they_were():
    x, y = data()
    model = classifier()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises(ValueError):
        model.fit(x, y[:, :2], verbose=0)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


@needs_training
def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    x, y = data(64)
    x[40] = np.nan
    model = classifier()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()])
    assert "Batch 5: Invalid loss, terminating training" in capsys.readouterr().out
    assert model.stop_training and len(history.history.get("loss", [])) <= 1


def test_a_model_with_no_loss_says_how_to_add_one():
    x, _ = data()
    model = classifier()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="no loss to train on.*add_loss"):
        model.evaluate(x, verbose=0)


def test_several_outputs_need_labels_as_list_or_dict():
    inputs = Input((4,))
    model = Model(inputs, [layers.Dense(1, name="a")(inputs), layers.Dense(1, name="b")(inputs)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 4), "float32")
    with pytest.raises(ValueError, match="2 outputs.*list or a dict"):
        model.evaluate(x, np.zeros((4, 1), "float32"), verbose=0)
    with pytest.raises(ValueError, match="keys \\['c'\\] that name no output"):
        model.evaluate(x, {"a": np.zeros((4, 1)), "c": np.zeros((4, 1))}, verbose=0)
