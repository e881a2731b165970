"""lamina.utils.numerical: to_categorical and normalize against NumPy re-computations;
their errors name the offending value."""

import numpy as np
import pytest

from lamina import backend as K
from lamina.utils.numerical import normalize, to_categorical


def one_hot_reference(labels, num_classes):
    labels = np.asarray(labels)
    return (labels[..., None] == np.arange(num_classes)).astype("float32")


@pytest.mark.parametrize("labels, num_classes, shape", [
    ([0, 2, 1, 2], None, (4, 3)),
    ([0, 2, 1, 2], 5, (4, 5)),
    ([[1], [0], [3]], None, (3, 4)),
    ([[1, 0], [2, 2]], 3, (2, 2, 3)),
    (np.array([[[1], [0]]], np.uint8), 2, (1, 2, 2)),
    (np.array([3.0, 0.0]), None, (2, 4)),
    (np.array([True, False]), None, (2, 2)),
    (4, 6, (6,)),
])
def test_to_categorical_matches_numpy_one_hot(labels, num_classes, shape):
    got = to_categorical(labels, num_classes)
    assert isinstance(got, np.ndarray) and got.shape == shape and got.dtype == np.float32
    squeezed = np.asarray(labels)
    if squeezed.ndim > 1 and squeezed.shape[-1] == 1:
        squeezed = squeezed[..., 0]
    np.testing.assert_array_equal(got, one_hot_reference(squeezed.astype(int), shape[-1]))


def test_to_categorical_accepts_tensors_and_a_dtype():
    got = to_categorical(K.convert_to_tensor(np.array([2, 0], np.int32)), 3)
    np.testing.assert_array_equal(got, [[0, 0, 1], [1, 0, 0]])
    assert isinstance(got, np.ndarray)
    got = to_categorical(K.Variable(np.array([1, 1], np.int32), trainable=False), 2)
    np.testing.assert_array_equal(got, [[0, 1], [0, 1]])
    assert to_categorical([1], 2, dtype="int32").dtype == np.int32


@pytest.mark.parametrize("labels, num_classes, message", [
    ([0, 1, 4], 4, r"expected labels in \[0, 4\) for num_classes=4. Received the label 4 at "
                   r"index \(2,\)"),
    ([[0, -1]], None, r"Received the label -1 at index \(0, 1\)"),
    ([0, 1.5], 3, r"expected whole-number class labels. Received 1.5 at index \(1,\)"),
    ([0, np.nan], 3, r"whole-number class labels. Received nan at index \(1,\)"),
    ([], None, "cannot infer num_classes from an empty label array"),
    ([0], 0, "num_classes to be an int >= 1 or None. Received num_classes=0"),
    ([0], 2.0, "Received num_classes=2.0"),
])
def test_to_categorical_names_the_offending_value(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(labels, num_classes)


def test_to_categorical_refuses_non_numeric_and_symbolic_labels():
    with pytest.raises(TypeError, match="integer class labels. Received an array of dtype <U1"):
        to_categorical(["a"])
    with pytest.raises(TypeError, match="symbolic tensor.*K.one_hot"):
        to_categorical(K.Input((3,)))


X = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
X[1] = 0.0


@pytest.mark.parametrize("axis, order", [(-1, 2), (0, 2), (1, 1), (-2, 3)])
def test_normalize_numpy_matches_formula(axis, order):
    got = normalize(X, axis=axis, order=order)
    norm = np.sum(np.abs(X.astype("float64")) ** order, axis=axis, keepdims=True) ** (1 / order)
    expected = X / np.where(norm == 0, 1, norm)
    assert isinstance(got, np.ndarray) and got.shape == X.shape
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    if axis in (-1, 1):
        np.testing.assert_array_equal(got[1], 0.0)


def test_normalize_lists_and_vectors():
    np.testing.assert_allclose(normalize([3.0, 4.0]), [0.6, 0.8])
    np.testing.assert_allclose(normalize([[0, 2]], order=1), [[0.0, 1.0]])


def test_normalize_tensors_use_the_backend():
    got = normalize(K.convert_to_tensor(X), axis=-1, order=2)
    assert K.is_tensor(got)
    norm = np.sqrt(np.sum(X.astype("float64") ** 2, axis=-1, keepdims=True))
    np.testing.assert_allclose(K.convert_to_numpy(got), X / np.maximum(norm, K.epsilon()),
                               rtol=1e-5, atol=1e-6)
    symbolic = normalize(K.Input((4,)))
    assert K.is_keras_tensor(symbolic) and tuple(symbolic.shape) == (None, 4)


@pytest.mark.parametrize("kwargs, message", [
    ({"order": 0}, "order to be an int >= 1. Received order=0"),
    ({"order": 2.5}, "Received order=2.5"),
    ({"axis": 2}, r"axis to be an int in \[-2, 2\) for an input of shape \(3, 4\). "
                  r"Received axis=2"),
    ({"axis": None}, "Received axis=None"),
])
def test_normalize_checks_axis_and_order(kwargs, message):
    with pytest.raises(ValueError, match=message):
        normalize(X, **kwargs)
