"""Mean, Sum and the MeanMetricWrapper metrics (accuracies, regression errors,
cross-entropies) against NumPy re-computations over several weighted batches, then
reset_state; the per-sample functions, also on symbolic tensors."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import metrics
from metric_data import BATCHES, BATCH, CLASSES, to_np

EPS = 1e-7


def np_top_k_hits(labels, probs, k):
    target = np.take_along_axis(probs, labels[:, None], axis=-1)
    return ((probs > target).sum(-1) < k).astype("float64")


# (metric factory, y_true key, y_pred key, NumPy per-sample values)
CASES = {
    "accuracy": (metrics.Accuracy, "binary", "binary_pred",
                 lambda t, p: (t == p).mean(-1)),
    "binary_accuracy": (metrics.BinaryAccuracy, "binary", "probs",
                        lambda t, p: ((p > 0.5) == t).mean(-1)),
    "binary_accuracy_0.3": (lambda: metrics.BinaryAccuracy(threshold=0.3), "binary", "probs",
                            lambda t, p: ((p > 0.3) == t).mean(-1)),
    "categorical_accuracy": (metrics.CategoricalAccuracy, "onehot", "probs",
                             lambda t, p: (t.argmax(-1) == p.argmax(-1)) * 1.0),
    "sparse_categorical_accuracy": (metrics.SparseCategoricalAccuracy, "labels", "probs",
                                    lambda t, p: (t == p.argmax(-1)) * 1.0),
    "sparse_categorical_accuracy_column": (metrics.SparseCategoricalAccuracy, "labels_column",
                                           "probs", lambda t, p: (t[:, 0] == p.argmax(-1)) * 1.0),
    "top_k_categorical_accuracy": (lambda: metrics.TopKCategoricalAccuracy(k=2), "onehot",
                                   "probs", lambda t, p: np_top_k_hits(t.argmax(-1), p, 2)),
    "sparse_top_k_categorical_accuracy": (lambda: metrics.SparseTopKCategoricalAccuracy(k=3),
                                          "labels", "probs",
                                          lambda t, p: np_top_k_hits(t, p, 3)),
    "mean_squared_error": (metrics.MeanSquaredError, "binary", "probs",
                           lambda t, p: ((t - p) ** 2).mean(-1)),
    "mean_absolute_error": (metrics.MeanAbsoluteError, "binary", "probs",
                            lambda t, p: np.abs(t - p).mean(-1)),
    "mean_absolute_percentage_error": (
        metrics.MeanAbsolutePercentageError, "binary", "probs",
        lambda t, p: 100 * (np.abs(t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    "binary_crossentropy": (
        metrics.BinaryCrossentropy, "binary", "probs",
        lambda t, p: -(t * np.log(np.clip(p, EPS, 1 - EPS))
                       + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))).mean(-1)),
    "binary_crossentropy_smoothed": (
        lambda: metrics.BinaryCrossentropy(label_smoothing=0.2), "binary", "probs",
        lambda t, p: -((t * 0.8 + 0.1) * np.log(np.clip(p, EPS, 1 - EPS))
                       + (1 - (t * 0.8 + 0.1)) * np.log(1 - np.clip(p, EPS, 1 - EPS))).mean(-1)),
    "categorical_crossentropy": (
        metrics.CategoricalCrossentropy, "onehot", "probs",
        lambda t, p: -(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1)),
    "sparse_categorical_crossentropy": (
        metrics.SparseCategoricalCrossentropy, "labels", "probs",
        lambda t, p: -np.log(np.clip(np.take_along_axis(
            p / p.sum(-1, keepdims=True), t[:, None], -1)[:, 0], EPS, 1 - EPS))),
}


def inputs(batch, key):
    if key == "binary_pred":
        return (batch["probs"] > 0.5).astype("float32")
    if key == "labels_column":
        return batch["labels"][:, None]
    return batch[key]


@pytest.mark.parametrize("case", sorted(CASES))
def test_running_weighted_mean_matches_numpy_then_resets(case):
    factory, true_key, pred_key, reference = CASES[case]
    metric = factory()
    values, weights = [], []
    for i, batch in enumerate(BATCHES):
        y_true, y_pred = inputs(batch, true_key), inputs(batch, pred_key)
        weight = None if i == 0 else batch["weights"]
        metric.update_state(K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred),
                            sample_weight=weight)
        values.append(reference(y_true.astype("float64") if true_key != "labels" else y_true,
                                y_pred.astype("float64")))
        weights.append(np.ones(BATCH) if weight is None else weight)
        expected = np.sum(np.concatenate(values) * np.concatenate(weights)) / \
            np.sum(np.concatenate(weights))
        result = metric.result()
        assert K.shape(result) == () and K.dtype(result) == "float32"
        np.testing.assert_allclose(float(to_np(result)), expected, rtol=1e-5, atol=1e-6)
    metric.reset_state()
    assert float(to_np(metric.result())) == 0.0
    assert all(not v.trainable for v in metric.variables)


def test_per_sample_functions_return_one_value_per_sample():
    batch = BATCHES[0]
    probs, onehot, labels = batch["probs"], batch["onehot"], batch["labels"]
    for fn, y_true in [(metrics.binary_accuracy, batch["binary"]),
                       (metrics.categorical_accuracy, onehot),
                       (metrics.sparse_categorical_accuracy, labels),
                       (metrics.top_k_categorical_accuracy, onehot),
                       (metrics.sparse_top_k_categorical_accuracy, labels),
                       (metrics.mean_squared_error, onehot), (metrics.mae, onehot),
                       (metrics.mape, onehot)]:
        assert K.shape(fn(y_true, probs)) == (BATCH,), fn.__name__
    np.testing.assert_array_equal(
        to_np(metrics.binary_accuracy(labels[:, None] % 2, probs[:, :1])),
        ((probs[:, 0] > 0.5) == (labels % 2)).astype("float32"))


def test_top_k_ties_at_the_boundary_count_and_nan_scores_never_do():
    probs = np.array([[0.5, 0.5, 0.5, 0.1], [np.nan, 0.2, 0.3, 0.1]], "float32")
    hits = metrics.sparse_top_k_categorical_accuracy([2, 0], probs, k=1)
    assert to_np(hits).tolist() == [1.0, 0.0]
    ids = np.argsort(-np.nan_to_num(probs), axis=-1).astype("int32")
    assert to_np(metrics.sparse_top_k_categorical_accuracy(
        [ids[0, 1], 3], ids, k=2, from_sorted_ids=True)).tolist() == [1.0, 0.0]


def test_mean_and_sum_with_element_weights():
    values = BATCHES[0]["probs"]
    element_weights = BATCHES[1]["probs"]
    mean, total = metrics.Mean(), metrics.Sum()
    mean.update_state(values, sample_weight=element_weights)
    mean.update_state(values[:, 0])
    total.update_state(values, sample_weight=element_weights)
    total.update_state(values, sample_weight=BATCHES[0]["weights"])
    per_sample = (values * element_weights).mean(-1)
    expected_mean = (per_sample.sum() + values[:, 0].sum()) / \
        (element_weights.mean(-1).sum() + BATCH)
    np.testing.assert_allclose(float(to_np(mean.result())), expected_mean, rtol=1e-5)
    expected_sum = (values * element_weights).sum() + (values.sum(-1) * BATCHES[0]["weights"]).sum()
    np.testing.assert_allclose(float(to_np(total.result())), expected_sum, rtol=1e-5)


def test_mean_metric_wrapper_passes_keyword_arguments_and_calls_update_then_result():
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="strict", threshold=0.9)
    batch = BATCHES[0]
    first = float(to_np(wrapper(batch["binary"], batch["probs"])))
    assert wrapper.name == "strict"
    assert first == pytest.approx(((batch["probs"] > 0.9) == batch["binary"]).mean(), abs=1e-6)


def test_functions_build_graph_nodes_on_symbolic_tensors():
    y_pred = K.Input((CLASSES,))
    y_true = K.Input((CLASSES,))
    for fn in (metrics.binary_accuracy, metrics.categorical_accuracy,
               metrics.top_k_categorical_accuracy, metrics.mean_squared_error):
        out = fn(y_true, y_pred)
        assert K.is_keras_tensor(out) and K.int_shape(out) == (None,), fn.__name__
    sparse = metrics.sparse_categorical_accuracy(K.Input(()), y_pred)
    assert K.int_shape(sparse) == (None,)


def test_accuracy_errors_name_the_function_and_the_shapes():
    with pytest.raises(ValueError, match=r"categorical_accuracy expects one-hot.*\(6,\).*\(6, 4\)"):
        metrics.categorical_accuracy(BATCHES[0]["labels"], BATCHES[0]["probs"])
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy expects integer labels"):
        metrics.sparse_categorical_accuracy(BATCHES[0]["onehot"], BATCHES[0]["probs"])
    with pytest.raises(ValueError, match=r"TopKCategoricalAccuracy: k must be an int >= 1. "
                                         r"Received k=0"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="BinaryAccuracy: threshold must be a float.*'high'"):
        metrics.BinaryAccuracy(threshold="high")
    with pytest.raises(TypeError, match="MeanMetricWrapper: fn must be a callable"):
        metrics.MeanMetricWrapper("binary_accuracy")
    with pytest.raises(ValueError, match="label_smoothing must be a float in"):
        metrics.BinaryCrossentropy(label_smoothing=2.0)
