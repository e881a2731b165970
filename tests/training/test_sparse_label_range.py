"""Integer labels outside the output's classes stop fit and evaluate with an error
naming the output, the range found and the number of classes, before any step runs,
instead of training on a loss of 0 for those samples."""

import numpy as np
import pytest

from lamina import Input, Model, layers, losses, metrics, optimizers
from lamina import backend as K

needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")

X = np.linspace(-1.0, 1.0, 16, dtype="float32").reshape(8, 2)


def classifier(loss="sparse_categorical_crossentropy", metrics_=None):
    inputs = Input((2,))
    model = Model(inputs, layers.Dense(3, activation="softmax", name="digits")(inputs))
    model.compile(optimizer=optimizers.SGD(0.1), loss=loss, metrics=metrics_)
    return model


def weights_of(model):
    return [K.convert_to_numpy(v.value).copy() for v in model.trainable_variables]


@pytest.mark.parametrize("bad, found", [(3, "from 0 to 3"), (-1, "from -1 to 2")])
def test_evaluate_rejects_labels_outside_the_classes(bad, found):
    model = classifier(metrics_=["accuracy"])
    y = np.array([0, 1, 2, 0, 1, bad, 2, 0])
    with pytest.raises(ValueError) as info:
        model.evaluate(X, y, batch_size=4, verbose=0)
    message = str(info.value)
    assert message.startswith("evaluate: sparse_categorical_crossentropy and accuracy read the "
                              "labels (y) of output 'digits' as indices of its 3 classes (0 to 2)")
    assert f"the labels hold values {found}: 1 of 8 are out of range" in message


def test_evaluate_accepts_labels_in_range_with_or_without_a_trailing_axis():
    model = classifier(metrics_=["accuracy"])
    y = np.array([0, 1, 2, 0, 1, 2, 2, 0])
    flat = model.evaluate(X, y, verbose=0)
    column = model.evaluate(X, y[:, None], verbose=0)
    assert np.allclose(flat, column) and 0.0 <= flat[1] <= 1.0


def test_a_sparse_metric_alone_also_checks_and_ignore_class_is_allowed():
    model = classifier(loss=losses.SparseCategoricalCrossentropy(ignore_class=-1),
                       metrics_=[metrics.SparseTopKCategoricalAccuracy(k=2)])
    assert model.evaluate(X, np.array([0, 1, 2, -1, -1, 2, 2, 0]), verbose=0)[0] > 0.0
    with pytest.raises(ValueError, match=r"values from 0 to 7 \(ignore_class \[-1\] left "
                                         r"aside\): 1 of 8 are out of range"):
        model.evaluate(X, np.array([0, 1, 2, -1, 7, 2, 2, 0]), verbose=0)


def test_a_generator_is_checked_batch_by_batch():
    model = classifier()

    def batches():
        yield X[:4], np.array([0, 1, 2, 0])
        yield X[4:], np.array([1, 9, 2, 0])
    with pytest.raises(ValueError, match=r"output 'digits' as indices of its 3 classes "
                                         r"\(0 to 2\); the labels in batch 1 hold values "
                                         r"from 0 to 9: 1 of 4"):
        model.evaluate(batches(), verbose=0)


def test_one_hot_losses_are_not_checked():
    model = classifier(loss="categorical_crossentropy")
    y = np.eye(3, dtype="float32")[[0, 1, 2, 0, 1, 2, 2, 0]]
    assert model.evaluate(X, y, verbose=0) > 0.0


@needs_training
def test_fit_raises_before_the_first_step():
    model = classifier()
    before = weights_of(model)
    with pytest.raises(ValueError, match=r"^fit: sparse_categorical_crossentropy read the labels "
                                         r"\(y\) of output 'digits' .* values from 0 to 3"):
        model.fit(X, np.array([0, 1, 2, 0, 1, 3, 2, 0]), batch_size=2, epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights_of(model)))


@needs_training
def test_fit_checks_validation_data_and_multi_output_labels():
    inputs = Input((2,))
    model = Model(inputs, {"kind": layers.Dense(4, activation="softmax", name="kind")(inputs),
                           "size": layers.Dense(1, name="size")(inputs)})
    model.compile(optimizer="sgd", loss={"kind": "sparse_categorical_crossentropy",
                                         "size": "mse"})
    y = {"kind": np.array([0, 1, 2, 3, 0, 1, 2, 3]), "size": np.zeros((8, 1), "float32")}
    history = model.fit(X, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    bad = {"kind": np.array([0, 1, 2, 4, 0, 1, 2, 3]), "size": y["size"]}
    with pytest.raises(ValueError, match=r"^fit \(validation_data\): .* output 'kind' as "
                                         r"indices of its 4 classes \(0 to 3\)"):
        model.fit(X, y, validation_data=(X, bad), epochs=1, verbose=0)


@needs_training
def test_fit_on_a_generator_stops_at_the_bad_batch():
    model = classifier()
    seen = []

    def batches():
        for labels in ([0, 1, 2, 0], [1, 2, 2, 0], [1, -3, 2, 0]):
            seen.append(labels)
            yield X[:4], np.array(labels)
    with pytest.raises(ValueError, match=r"labels in batch 2 hold values from -3 to 2"):
        model.fit(batches(), epochs=1, verbose=0)
    assert len(seen) == 3
