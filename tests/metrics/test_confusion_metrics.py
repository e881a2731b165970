"""Precision, Recall, AUC and F1Score/FBetaScore against NumPy re-computations of the
confusion counts and of the summation rules, over several weighted batches."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import metrics
from metric_data import BATCHES, CLASSES, to_np

EPS = 1e-7


def np_counts(y_true, y_pred, thresholds, weights, top_k=None, class_id=None):
    """(tp, fp, fn, tn) at each threshold, by brute force."""
    y_pred = y_pred.astype("float32").copy()
    weights = np.broadcast_to(weights.reshape(-1, *[1] * (y_pred.ndim - 1)), y_pred.shape)
    if top_k is not None:
        keep = np.zeros_like(y_pred, dtype=bool)
        np.put_along_axis(keep, np.argsort(-y_pred, axis=-1)[:, :top_k], True, axis=-1)
        y_pred = np.where(keep, y_pred, np.float32(-1e10))
    if class_id is not None:
        y_true, y_pred, weights = y_true[:, class_id], y_pred[:, class_id], weights[:, class_id]
    label = (y_true != 0).ravel()
    counts = []
    for t in np.asarray(thresholds, "float32"):
        predicted = (y_pred > t).ravel()
        w = weights.ravel().astype("float64")
        counts.append([np.sum(w * (label & predicted)), np.sum(w * (~label & predicted)),
                       np.sum(w * (label & ~predicted)), np.sum(w * (~label & ~predicted))])
    return np.array(counts)


def accumulate(make_metric, y_true_key, thresholds, result_fn, **count_args):
    """Feed the three batches (the first unweighted) and compare after each."""
    metric = make_metric()
    counts = 0
    for i, batch in enumerate(BATCHES):
        weights = np.ones(len(batch["probs"]), "float32") if i == 0 else batch["weights"]
        metric.update_state(batch[y_true_key], batch["probs"],
                            sample_weight=None if i == 0 else weights)
        counts = counts + np_counts(batch[y_true_key], batch["probs"], thresholds, weights,
                                    **count_args)
        np.testing.assert_allclose(to_np(metric.result()), result_fn(counts),
                                   rtol=1e-5, atol=1e-6)
    return metric


def np_ratio(num, den):
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


PRECISION_RECALL = [
    ({}, [0.5], True),
    ({"thresholds": 0.3}, [0.3], True),
    ({"thresholds": [0.2, 0.5, 0.9]}, [0.2, 0.5, 0.9], False),
    ({"top_k": 2}, [-1e10], True),
    ({"class_id": 1}, [0.5], True),
    ({"top_k": 1, "class_id": 2}, [-1e10], True),
    ({"thresholds": [0.1, 0.6, 0.8], "top_k": 3}, [0.1, 0.6, 0.8], False),
]


@pytest.mark.parametrize("kwargs, thresholds, scalar", PRECISION_RECALL,
                         ids=[str(c[0]) for c in PRECISION_RECALL])
@pytest.mark.parametrize("cls", [metrics.Precision, metrics.Recall])
def test_precision_and_recall_match_numpy_counts(cls, kwargs, thresholds, scalar):
    other = 1 if cls is metrics.Precision else 2  # false positives or false negatives

    def expected(counts):
        ratio = np_ratio(counts[:, 0], counts[:, 0] + counts[:, other])
        return ratio[0] if scalar else ratio

    count_args = {k: v for k, v in kwargs.items() if k != "thresholds"}
    metric = accumulate(lambda: cls(**kwargs), "onehot", thresholds, expected, **count_args)
    assert K.shape(metric.result()) == (() if scalar else (len(thresholds),))
    metric.reset_state()
    assert np.all(to_np(metric.result()) == 0.0)


def np_auc(counts, curve, method):
    tp, fp, fn, tn = (counts[..., i] for i in range(4))
    if curve == "PR" and method == "interpolation":
        d_tp = tp[:-1] - tp[1:]
        p = tp + fp
        d_p = p[:-1] - p[1:]
        slope = np_ratio(d_tp, np.maximum(d_p, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), np_ratio(p[:-1], np.maximum(p[1:], 0)), 1)
        return np_ratio(slope * (d_tp + intercept * np.log(ratio)),
                        np.maximum(tp[1:] + fn[1:], 0)).sum(0)
    recall = np_ratio(tp, tp + fn)
    if curve == "ROC":
        x, y = np_ratio(fp, fp + tn), recall
    else:
        x, y = recall, np_ratio(tp, tp + fp)
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[method]
    return ((x[:-1] - x[1:]) * heights).sum(0)


def auc_thresholds(n):
    return [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]


@pytest.mark.parametrize("curve, method", [("ROC", "interpolation"), ("ROC", "minoring"),
                                           ("ROC", "majoring"), ("PR", "interpolation"),
                                           ("PR", "minoring"), ("PR", "majoring")])
def test_auc_matches_numpy_summation(curve, method):
    thresholds = auc_thresholds(5)
    metric = accumulate(lambda: metrics.AUC(num_thresholds=5, curve=curve,
                                            summation_method=method),
                        "binary", thresholds, lambda c: np_auc(c, curve, method))
    metric.reset_state()
    assert float(to_np(metric.result())) == 0.0


def test_auc_with_given_thresholds_label_weights_and_logits():
    given = [0.7, 0.2, 0.45]
    thresholds = [-EPS, 0.2, 0.45, 0.7, 1 + EPS]
    label_weights = np.array([1.0, 0.0, 2.0, 0.5], "float32")
    metric = metrics.AUC(thresholds=given, label_weights=label_weights.tolist())
    assert metric.num_thresholds == 5 and metric.thresholds[1:-1] == sorted(given)
    batch = BATCHES[1]
    metric.update_state(batch["binary"], batch["probs"], sample_weight=batch["weights"])
    weights = batch["weights"][:, None] * label_weights
    label = batch["binary"] != 0
    rows = []
    for t in np.asarray(thresholds, "float32"):
        predicted = batch["probs"] > t
        rows.append([np.sum(weights * (label & predicted)),
                     np.sum(weights * (~label & predicted)),
                     np.sum(weights * (label & ~predicted)),
                     np.sum(weights * (~label & ~predicted))])
    np.testing.assert_allclose(float(to_np(metric.result())),
                               np_auc(np.array(rows), "ROC", "interpolation"), rtol=1e-5)
    logits = metrics.AUC(num_thresholds=5, from_logits=True)
    logits.update_state(batch["binary"], np.log(batch["probs"] / (1 - batch["probs"])))
    plain = metrics.AUC(num_thresholds=5)
    plain.update_state(batch["binary"], batch["probs"])
    np.testing.assert_allclose(to_np(logits.result()), to_np(plain.result()), rtol=1e-5)


def test_multi_label_auc_averages_per_label_areas():
    thresholds = auc_thresholds(5)
    label_weights = np.array([0.5, 1.0, 0.0, 2.0])
    for weights in (None, label_weights):
        def expected(counts, weights=weights):
            by_label = np_auc(counts, "ROC", "interpolation")
            return by_label.mean() if weights is None else \
                (by_label * weights).sum() / weights.sum()

        metric = metrics.AUC(num_thresholds=5, multi_label=True,
                             label_weights=None if weights is None else weights.tolist())
        assert metric.variables == []
        per_label_counts = 0
        for batch in BATCHES:
            metric.update_state(batch["binary"], batch["probs"], sample_weight=batch["weights"])
            per_label_counts = per_label_counts + np.stack(
                [np_counts(batch["binary"][:, j], batch["probs"][:, j], thresholds,
                           batch["weights"]) for j in range(CLASSES)], axis=1)
            np.testing.assert_allclose(float(to_np(metric.result())),
                                       expected(per_label_counts), rtol=1e-5)
        assert metric.true_positives.shape == (5, CLASSES)


def test_roc_auc_with_many_thresholds_is_close_to_the_rank_statistic():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, size=(6, 4))
    scores = np.clip(rng.normal(0.35 + 0.3 * labels, 0.2), 0, 1).astype("float32")
    metric = metrics.AUC()
    metric.update_state(labels, scores)
    positives, negatives = scores[labels == 1], scores[labels == 0]
    pairs = (positives[:, None] > negatives[None]).mean() + \
        0.5 * (positives[:, None] == negatives[None]).mean()
    assert abs(float(to_np(metric.result())) - pairs) < 0.02


def np_fbeta(tp, fp, fn, support, beta, average):
    precision = tp / (tp + fp + EPS)
    recall = tp / (tp + fn + EPS)
    score = (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall + EPS)
    if average == "weighted":
        return (score * support / (support.sum() + EPS)).sum()
    return score if average is None else score.mean()


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("beta, threshold", [(1.0, None), (1.0, 0.4), (0.5, 0.6)])
def test_fbeta_score_matches_numpy(average, beta, threshold):
    if beta == 1.0:
        metric = metrics.F1Score(average=average, threshold=threshold)
    else:
        metric = metrics.FBetaScore(average=average, beta=beta, threshold=threshold)
    totals = np.zeros((4, CLASSES))
    for i, batch in enumerate(BATCHES):
        y_true, y_pred = batch["binary"], batch["probs"]
        weights = np.ones(len(y_pred)) if i == 0 else batch["weights"]
        metric.update_state(y_true, y_pred, sample_weight=None if i == 0 else weights)
        if threshold is None:
            predicted = (y_pred >= y_pred.max(-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > threshold
        w = weights[:, None]
        totals += np.stack([(w * predicted * y_true).sum(0), (w * predicted * (1 - y_true)).sum(0),
                            (w * ~predicted * y_true).sum(0), (w * y_true).sum(0)])
        counts = totals.sum(-1) if average == "micro" else totals
        np.testing.assert_allclose(to_np(metric.result()),
                                   np_fbeta(*counts, beta, average), rtol=1e-4, atol=1e-6)
    metric.reset_state()
    assert np.all(to_np(metric.result()) == 0.0)


def test_confusion_metric_errors_say_what_was_expected():
    with pytest.raises(ValueError, match=r"Precision: thresholds must be floats in \[0, 1\]. "
                                         r"Received thresholds=\[1.5\]"):
        metrics.Precision(thresholds=[1.5])
    with pytest.raises(ValueError, match="Recall: top_k must be None or an int >= 1"):
        metrics.Recall(top_k=0)
    with pytest.raises(ValueError, match=r"Precision: class_id must be smaller than the number "
                                         r"of classes, y_pred's last dimension 4. "
                                         r"Received class_id=7"):
        metrics.Precision(class_id=7).update_state(BATCHES[0]["onehot"], BATCHES[0]["probs"])
    with pytest.raises(ValueError, match=r"Recall: y_true and y_pred must have the same shape.*"
                                         r"\(6,\).*\(6, 4\)"):
        metrics.Recall().update_state(BATCHES[0]["labels"], BATCHES[0]["probs"])
    with pytest.raises(ValueError, match="AUC: curve must be 'ROC' or 'PR'. Received curve='XY'"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="AUC: summation_method must be one of"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="AUC: num_thresholds must be an int > 1. Received "
                                         "num_thresholds=1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="AUC: label_weights must be a list of non-negative"):
        metrics.AUC(label_weights=[1.0, -1.0])
    with pytest.raises(ValueError, match=r"F1Score: average must be one of"):
        metrics.F1Score(average="sample")
    with pytest.raises(ValueError, match=r"FBetaScore: beta must be a float > 0. Received beta=0"):
        metrics.FBetaScore(beta=0)
    with pytest.raises(ValueError, match=r"F1Score: threshold must be None or a float in \(0, 1\]"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match=r"F1Score 'f1_score': expected y_true and y_pred of "
                                         r"shape \(batch, num_classes\).*\(6,\)"):
        metrics.F1Score().update_state(BATCHES[0]["labels"], BATCHES[0]["labels"])
    with pytest.raises(ValueError, match=r"F1Score 'f1_score': no result before the first"):
        metrics.F1Score().result()
