"""The metrics Keras 3 has beyond the common ones, against NumPy references written
here: two batches accumulated (with per-sample weights), reset_state, the names
compile accepts, and the metrics inside a compiled evaluate / fit."""

import numpy as np
import pytest

from lamina import Input, Model, layers, metrics
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
EPS = 1e-7
rng = np.random.default_rng(3)
# Two batches of (4, 3) values, labels in {0, 1} and positive predictions.
TRUE = [rng.integers(0, 2, size=(4, 3)).astype("float32") for _ in range(2)]
PRED = [rng.uniform(0.05, 0.95, size=(4, 3)).astype("float32") for _ in range(2)]
WEIGHTS = [np.array([1.0, 0.5, 2.0, 0.0], "float32"), np.array([0.3, 1.0, 1.0, 1.5], "float32")]


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def np_signed(t):
    return np.where(np.all((t == 0) | (t == 1)), 2 * t - 1, t)


def np_centred(x):
    return x - x.mean(axis=-1, keepdims=True)


PER_SAMPLE = {
    "MeanSquaredLogarithmicError": lambda t, p: np.mean(
        (np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, axis=-1),
    "LogCoshError": lambda t, p: np.mean(np.log(np.cosh(p - t)), axis=-1),
    "CosineSimilarity": lambda t, p: np.sum(t * p, axis=-1) / np.maximum(
        np.linalg.norm(t, axis=-1) * np.linalg.norm(p, axis=-1), 1e-12),
    "Poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), axis=-1),
    "KLDivergence": lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(
        np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), axis=-1),
    "Hinge": lambda t, p: np.mean(np.maximum(1 - np_signed(t) * p, 0), axis=-1),
    "SquaredHinge": lambda t, p: np.mean(np.maximum(1 - np_signed(t) * p, 0) ** 2, axis=-1),
    "CategoricalHinge": lambda t, p: np.maximum(
        np.max((1 - t) * p, axis=-1) - np.sum(t * p, axis=-1) + 1, 0),
    "PearsonCorrelation": lambda t, p: np.mean(
        np_centred(t) * np_centred(p), axis=-1) / (t.std(axis=-1) * p.std(axis=-1)),
    "ConcordanceCorrelation": lambda t, p: 2 * np.mean(np_centred(t) * np_centred(p), axis=-1)
    / (t.var(axis=-1) + p.var(axis=-1) + (t.mean(axis=-1) - p.mean(axis=-1)) ** 2),
}


def weighted_mean(values, weights):
    values, weights = np.concatenate(values), np.concatenate(weights)
    return float(np.sum(values * weights) / np.sum(weights))


def accumulate(metric, batches, weighted=True):
    for i, (t, p) in enumerate(batches):
        metric.update_state(t, p, sample_weight=WEIGHTS[i] if weighted else None)
    return to_np(metric.result())


@pytest.mark.parametrize("name", sorted(PER_SAMPLE))
def test_running_means_of_per_sample_values_over_two_weighted_batches(name):
    # PearsonCorrelation needs rows that are not constant: use the predictions twice.
    trues = PRED[::-1] if "Correlation" in name else TRUE
    metric = getattr(metrics, name)()
    got = accumulate(metric, zip(trues, PRED))
    values = [PER_SAMPLE[name](t.astype("float64"), p.astype("float64"))
              for t, p in zip(trues, PRED)]
    assert got == pytest.approx(weighted_mean(values, WEIGHTS), rel=1e-4, abs=1e-6)
    metric.reset_state()
    assert float(to_np(metric.result())) == 0.0
    metric.update_state(trues[0], PRED[0])
    assert float(to_np(metric.result())) == pytest.approx(float(np.mean(values[0])), rel=1e-5)


def test_root_mean_squared_error_is_the_root_of_the_weighted_mean():
    metric = metrics.RootMeanSquaredError()
    got = accumulate(metric, zip(TRUE, PRED))
    squares = [np.mean((t - p) ** 2, axis=-1) for t, p in zip(TRUE, PRED)]
    assert got == pytest.approx(np.sqrt(weighted_mean(squares, WEIGHTS)), rel=1e-5)
    assert float(metrics.RootMeanSquaredError()([[0.0, 1.0], [0.0, 0.0]],
                                                [[1.0, 1.0], [0.0, 0.0]])) == 0.5


def np_counts(trues, preds, weights, thresholds):
    """tp, fp, tn, fn per threshold, one loop per threshold."""
    t = np.concatenate([x.reshape(-1) for x in trues]) != 0
    p = np.concatenate([x.reshape(-1) for x in preds])
    w = np.concatenate([np.repeat(x, 3) for x in weights])
    out = []
    for threshold in thresholds:
        positive = p > threshold
        out.append([np.sum(w * (positive & t)), np.sum(w * (positive & ~t)),
                    np.sum(w * (~positive & ~t)), np.sum(w * (~positive & t))])
    return np.array(out).T


@pytest.mark.parametrize("index,name", enumerate(
    ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]))
def test_confusion_counts_at_thresholds(index, name):
    expected = np_counts(TRUE, PRED, WEIGHTS, [0.3, 0.5, 0.8])[index]
    got = accumulate(getattr(metrics, name)(thresholds=[0.3, 0.5, 0.8]), zip(TRUE, PRED))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    single = getattr(metrics, name)()
    assert accumulate(single, zip(TRUE, PRED)).shape == ()
    assert float(accumulate(single, [])) == pytest.approx(np_counts(
        TRUE, PRED, WEIGHTS, [0.5])[index][0], rel=1e-6)
    single.reset_state()
    assert float(to_np(single.result())) == 0.0


def np_best(wanted, constrained, value, num_thresholds):
    thresholds = np.linspace(0.0, 1.0, num_thresholds)
    tp, fp, tn, fn = np_counts(TRUE, PRED, WEIGHTS, thresholds)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = {"sensitivity": np.nan_to_num(tp / (tp + fn)),
                 "specificity": np.nan_to_num(tn / (tn + fp)),
                 "precision": np.nan_to_num(tp / (tp + fp))}
    feasible = rates[constrained] >= value
    return float(np.max(np.where(feasible, rates[wanted], 0.0)))


@pytest.mark.parametrize("name,wanted,constrained,value", [
    ("SensitivityAtSpecificity", "sensitivity", "specificity", 0.6),
    ("SpecificityAtSensitivity", "specificity", "sensitivity", 0.6),
    ("PrecisionAtRecall", "precision", "sensitivity", 0.7),
    ("RecallAtPrecision", "sensitivity", "precision", 0.6),
])
def test_a_rate_at_a_fixed_other_rate(name, wanted, constrained, value):
    metric = getattr(metrics, name)(value, num_thresholds=11)
    got = float(accumulate(metric, zip(TRUE, PRED)))
    assert got == pytest.approx(np_best(wanted, constrained, value, 11), rel=1e-5)
    metric.reset_state()
    assert float(to_np(metric.result())) == 0.0


def test_rates_at_rates_match_the_keras_documentation_and_refuse_bad_values():
    m = metrics.PrecisionAtRecall(0.5)
    m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8], sample_weight=[2, 2, 2, 1, 1])
    assert float(m.result()) == pytest.approx(1 / 3, rel=1e-5)
    m = metrics.RecallAtPrecision(0.8)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    assert float(m.result()) == 1.0
    with pytest.raises(ValueError, match=r"PrecisionAtRecall: recall must be a float in "
                                         r"\[0, 1\]. Received recall=1.5"):
        metrics.PrecisionAtRecall(1.5)


def np_iou(true_ids, pred_ids, weights, num_classes, targets):
    matrix = np.zeros((num_classes, num_classes))
    for t, p, w in zip(true_ids, pred_ids, weights):
        if 0 <= t < num_classes and 0 <= p < num_classes:
            matrix[t, p] += w
    ious = []
    for c in targets:
        union = matrix[c].sum() + matrix[:, c].sum() - matrix[c, c]
        if union > 0:
            ious.append(matrix[c, c] / union)
    return float(np.mean(ious))


IDS_TRUE = [np.array([0, 1, 2, 2, 1, 0]), np.array([2, 2, 0, 1, 1, 1])]
IDS_PRED = [np.array([0, 2, 2, 1, 1, 1]), np.array([2, 0, 0, 1, 2, 1])]
IDS_WEIGHTS = [np.array([1.0, 2.0, 0.5, 1.0, 1.0, 0.0]), np.array([1.0, 1.0, 3.0, 1.0, 0.5, 2.0])]


def accumulate_ids(metric, encode_true=None, encode_pred=None):
    for t, p, w in zip(IDS_TRUE, IDS_PRED, IDS_WEIGHTS):
        metric.update_state(encode_true(t) if encode_true else t,
                            encode_pred(p) if encode_pred else p, sample_weight=w)
    return float(to_np(metric.result()))


def one_hot(ids):
    return np.eye(3, dtype="float32")[ids]


def scores(ids):
    return (one_hot(ids) * 0.6 + 0.2).astype("float32")


def test_iou_family_against_a_numpy_confusion_matrix():
    t, p, w = (np.concatenate(a) for a in (IDS_TRUE, IDS_PRED, IDS_WEIGHTS))
    assert accumulate_ids(metrics.IoU(3, [0, 2])) == pytest.approx(
        np_iou(t, p, w, 3, [0, 2]), rel=1e-5)
    assert accumulate_ids(metrics.MeanIoU(3)) == pytest.approx(
        np_iou(t, p, w, 3, [0, 1, 2]), rel=1e-5)
    assert accumulate_ids(metrics.OneHotIoU(3, [1]), one_hot, scores) == pytest.approx(
        np_iou(t, p, w, 3, [1]), rel=1e-5)
    assert accumulate_ids(metrics.OneHotMeanIoU(3), one_hot, scores) == pytest.approx(
        np_iou(t, p, w, 3, [0, 1, 2]), rel=1e-5)
    kept = t != 1
    ignoring = metrics.MeanIoU(3, ignore_class=1)
    assert accumulate_ids(ignoring) == pytest.approx(
        np_iou(t[kept], p[kept], w[kept], 3, [0, 1, 2]), rel=1e-5)
    ignoring.reset_state()
    assert to_np(ignoring.total_cm.value).sum() == 0.0


def test_binary_iou_thresholds_predictions_at_or_above_threshold():
    m = metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], sample_weight=[0.2, 0.3, 0.4, 0.1])
    # matrix [[0.2, 0.4], [0.3, 0.1]]: IoUs 0.2 / 0.9 and 0.1 / 0.8
    assert float(m.result()) == pytest.approx((0.2 / 0.9 + 0.1 / 0.8) / 2, rel=1e-5)
    m.update_state([1, 1], [0.3, 0.3])
    assert float(m.result()) == pytest.approx((0.2 / 0.9 + 2.1 / 2.8) / 2, rel=1e-5)


def test_iou_refuses_target_classes_out_of_range():
    with pytest.raises(ValueError, match=r"IoU: target_class_ids must be .* in \[0, 2\). "
                                         r"Received target_class_ids=\[3\]"):
        metrics.IoU(2, [3])


def np_r2(trues, preds, weights):
    t, p = np.concatenate(trues), np.concatenate(preds)
    w = np.concatenate(weights)[:, None]
    mean = np.sum(w * t, axis=0) / np.sum(w, axis=0)
    return 1 - np.sum(w * (t - p) ** 2, axis=0) / np.sum(w * (t - mean) ** 2, axis=0)


def test_r2_score_per_output_averaged_and_adjusted():
    raw = np_r2(TRUE, PRED, WEIGHTS)
    per_output = metrics.R2Score(class_aggregation=None)
    np.testing.assert_allclose(accumulate(per_output, zip(TRUE, PRED)), raw, rtol=1e-5)
    assert float(accumulate(metrics.R2Score(), zip(TRUE, PRED))) == pytest.approx(
        raw.mean(), rel=1e-5)
    t = np.concatenate(TRUE)
    w = np.concatenate(WEIGHTS)[:, None]
    variance = np.sum(w * (t - np.sum(w * t, 0) / np.sum(w, 0)) ** 2, axis=0)
    weighted = metrics.R2Score(class_aggregation="variance_weighted_average")
    assert float(accumulate(weighted, zip(TRUE, PRED))) == pytest.approx(
        np.sum(variance * raw) / np.sum(variance), rel=1e-5)
    adjusted = metrics.R2Score(num_regressors=2)
    n = t.size
    assert float(accumulate(adjusted, zip(TRUE, PRED))) == pytest.approx(
        1 - (1 - raw.mean()) * (n - 1) / (n - 2 - 1), rel=1e-5)
    adjusted.reset_state()
    assert float(to_np(adjusted.num_samples.value)) == 0.0


def test_r2_score_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match=r"R2Score 'r2_score': expected y_true and y_pred "
                                         r"of shape \(batch, num_outputs\)"):
        metrics.R2Score().update_state([1.0, 2.0], [1.0, 2.0])


@pytest.mark.parametrize("name,cls", [
    ("root_mean_squared_error", "RootMeanSquaredError"), ("msle", "MeanSquaredLogarithmicError"),
    ("cosine_similarity", "CosineSimilarity"), ("log_cosh_error", "LogCoshError"),
    ("poisson", "Poisson"), ("kl_divergence", "KLDivergence"), ("hinge", "Hinge"),
    ("squared_hinge", "SquaredHinge"), ("categorical_hinge", "CategoricalHinge"),
    ("true_positives", "TruePositives"), ("r2_score", "R2Score"),
    ("pearson_correlation", "PearsonCorrelation"),
    ("concordance_correlation", "ConcordanceCorrelation"),
])
def test_the_names_keras_accepts_give_the_classes(name, cls):
    assert type(metrics.get(name)).__name__ == cls
    config = metrics.serialize(metrics.get(cls))
    assert type(metrics.deserialize(config)).__name__ == cls


def test_configs_round_trip_their_arguments():
    for metric in (metrics.IoU(3, [0, 2], ignore_class=1, sparse_y_pred=False),
                   metrics.BinaryIoU([1], threshold=0.2), metrics.OneHotMeanIoU(4),
                   metrics.PrecisionAtRecall(0.4, num_thresholds=7, class_id=1),
                   metrics.FalsePositives(thresholds=[0.2, 0.4]),
                   metrics.R2Score("variance_weighted_average", 2),
                   metrics.CosineSimilarity(axis=0)):
        again = metrics.deserialize(metrics.serialize(metric))
        assert again.get_config() == metric.get_config()


def test_function_names_are_the_loss_functions():
    from lamina import losses
    for name in ("hinge", "squared_hinge", "categorical_hinge", "poisson", "kl_divergence",
                 "log_cosh", "huber", "mean_squared_logarithmic_error",
                 "binary_focal_crossentropy", "categorical_focal_crossentropy"):
        assert getattr(metrics, name) is getattr(losses, name)
    r = to_np(metrics.pearson_correlation([[1.0, 2.0, 4.0]], [[2.0, 4.0, 8.0]]))
    assert r.tolist() == pytest.approx([1.0], rel=1e-6)


def regressor():
    set_random_seed(0)
    inputs = Input((3,))
    outputs = layers.Dense(3, activation="sigmoid", name="out")(inputs)
    return Model(inputs, outputs)


COMPILED = ["root_mean_squared_error", "cosine_similarity", "kl_divergence", "hinge",
            "r2_score", "concordance_correlation"]


def compiled_metrics():
    return COMPILED + [metrics.TruePositives(name="tp"),
                       metrics.PrecisionAtRecall(0.5, num_thresholds=11, name="p_at_r"),
                       metrics.BinaryIoU(name="biou")]


def direct_values(y, predictions):
    values = {}
    for metric in [metrics.get(name) for name in COMPILED] + compiled_metrics()[len(COMPILED):]:
        metric.update_state(y, predictions)
        values[metric.name] = float(to_np(metric.result()))
    return values


def test_compiled_evaluate_matches_the_metrics_on_the_predictions():
    x = np.concatenate(PRED)
    y = np.concatenate(TRUE)
    model = regressor()
    model.compile(optimizer="sgd", loss="mse", metrics=compiled_metrics())
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    expected = direct_values(y, model.predict(x, verbose=0))
    for name, value in expected.items():
        assert logs[name] == pytest.approx(value, rel=1e-4, abs=1e-6), name


@pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine cannot train")
def test_metrics_run_inside_a_compiled_fit():
    x = np.concatenate(PRED)
    y = np.concatenate(TRUE)
    model = regressor()
    model.compile(optimizer="sgd", loss="mse", metrics=compiled_metrics())
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    for name in COMPILED + ["tp", "p_at_r", "biou"]:
        assert len(history.history[name]) == 2 and np.all(np.isfinite(history.history[name]))
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    expected = direct_values(y, model.predict(x, verbose=0))
    for name, value in expected.items():
        assert logs[name] == pytest.approx(value, rel=1e-4, abs=1e-6), name
