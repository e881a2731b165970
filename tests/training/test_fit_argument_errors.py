"""Bad arguments of fit, evaluate and predict raise before any data is read, naming
the method, the argument, the value received and what is accepted; Python lists of
numbers are taken as NumPy would take them."""

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from lamina.utils import PyDataset

ENGINE = K.backend()
needs_training = pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")

X = np.ones((8, 2), "float32")
Y = np.ones((8, 1), "float32")


def compiled():
    inputs = Input((2,))
    model = Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("argument, value, message", [
    ("batch_size", 0, "fit: batch_size must be an int >= 1 or None; received 0 (int)."),
    ("batch_size", 2.0, "fit: batch_size must be an int >= 1 or None; received 2.0 (float)."),
    ("epochs", -1, "fit: epochs must be an int >= 0; received -1 (int)."),
    ("epochs", 2.5, "fit: epochs must be an int >= 0; received 2.5 (float)."),
    ("epochs", True, "fit: epochs must be an int >= 0; received True (bool)."),
    ("steps_per_epoch", 0, "fit: steps_per_epoch must be an int >= 1 or None; received 0 (int)."),
    ("verbose", True, "fit: verbose must be 0, 1, 2 or 'auto'; received True (bool)."),
    ("verbose", "silent", "fit: verbose must be 0, 1, 2 or 'auto'; received 'silent' (str)."),
    ("validation_split", 1.5, "fit: validation_split must be a number from 0 (no split) up to, "
                              "not including, 1 (the fraction of samples kept for validation); "
                              "received 1.5 (float)."),
    ("initial_epoch", -1, "fit: initial_epoch must be an int >= 0; received -1 (int)."),
    ("validation_steps", 0, "fit: validation_steps must be an int >= 1 or None; received 0 (int)."),
    ("validation_batch_size", 0, "fit: validation_batch_size must be an int >= 1 or None; "
                                 "received 0 (int)."),
    ("validation_freq", 0, "fit: validation_freq must be an int >= 1; received 0 (int)."),
    ("validation_freq", [], "fit: validation_freq must be an int >= 1 (validate every that many "
                            "epochs) or a non-empty collection of epoch numbers >= 1; received "
                            "[] (list)."),
])
def test_fit_refuses_bad_arguments_by_name(argument, value, message):
    with pytest.raises(ValueError) as error:
        compiled().fit(X, Y, **{"verbose": 0, argument: value})
    assert str(error.value) == message


@pytest.mark.parametrize("method", ["evaluate", "predict"])
@pytest.mark.parametrize("argument, value, accepted", [
    ("batch_size", 0, "an int >= 1 or None"),
    ("batch_size", True, "an int >= 1 or None"),
    ("steps", -1, "an int >= 1 or None"),
    ("steps", 1.5, "an int >= 1 or None"),
    ("verbose", 3, "0, 1, 2 or 'auto'"),
])
def test_evaluate_and_predict_refuse_bad_arguments_by_name(method, argument, value, accepted):
    model = compiled()
    data = (X, Y) if method == "evaluate" else (X,)
    with pytest.raises(ValueError) as error:
        getattr(model, method)(*data, **{"verbose": 0, argument: value})
    assert str(error.value) == (f"{method}: {argument} must be {accepted}; received "
                                f"{value!r} ({type(value).__name__}).")


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_empty_data_is_refused(method):
    model = compiled()
    data = (np.zeros((0, 2), "float32"),) + ((np.zeros((0, 1), "float32"),)
                                             if method != "predict" else ())
    if method == "fit" and ENGINE == "numpy":
        pytest.skip("the numpy engine cannot train")
    with pytest.raises(ValueError) as error:
        getattr(model, method)(*data, verbose=0)
    assert str(error.value) == (f"{method}: x holds no samples (received arrays of shape "
                                "(0, 2)); give at least one sample.")


class NoBatches(PyDataset):
    def __len__(self):
        return 0

    def __getitem__(self, index):
        raise IndexError(index)


@needs_training
def test_fit_on_a_dataset_without_batches_is_refused():
    with pytest.raises(ValueError) as error:
        compiled().fit(NoBatches(), verbose=0)
    assert str(error.value) == ("fit: x (a NoBatches) holds no batches (its length is 0); give "
                                "at least one batch.")


def test_numpy_integers_are_accepted_where_ints_are():
    model = compiled()
    out = model.predict(X, batch_size=np.int64(3), steps=np.int32(2), verbose=np.int64(0))
    assert out.shape == (6, 1)


def test_python_lists_of_numbers_are_arrays():
    model = compiled()
    x, y = [[1, 2], [3, 4]], [[1], [2]]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.predict(np.array(x, "float32"), verbose=0), rtol=1e-6)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        model.evaluate(np.array(x, "float32"), np.array(y, "float32"), verbose=0), rel=1e-6)


@needs_training
def test_fit_trains_on_python_lists():
    history = compiled().fit([[1, 2], [3, 4], [5, 6]], [[1], [2], [3]], epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_several_inputs_as_a_list_of_number_lists_per_input():
    a, b = Input((2,)), Input((1,))
    model = Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    expected = model.predict([np.array([[1, 2], [3, 4]], "float32"),
                              np.array([[5], [6]], "float32")], verbose=0)
    for x in ([np.array([[1, 2], [3, 4]], "float32"), [[5], [6]]],  # an array and a list
              [[[1, 2], [3, 4]], [[5], [6]]]):  # two lists of different widths
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
