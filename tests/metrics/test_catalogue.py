"""lamina.metrics.get / serialize / deserialize / resolve: names as Keras, callables
wrapped, config round trips, compile's choice of accuracy, errors listing known names."""

import pytest

from lamina import metrics


@pytest.mark.parametrize("name, cls, metric_name", [
    ("accuracy", metrics.Accuracy, "accuracy"), ("acc", metrics.Accuracy, "accuracy"),
    ("binary_accuracy", metrics.BinaryAccuracy, "binary_accuracy"),
    ("BinaryAccuracy", metrics.BinaryAccuracy, "binary_accuracy"),
    ("categorical_accuracy", metrics.CategoricalAccuracy, "categorical_accuracy"),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy,
     "sparse_categorical_accuracy"),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy, "top_k_categorical_accuracy"),
    ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy,
     "sparse_top_k_categorical_accuracy"),
    ("mse", metrics.MeanSquaredError, "mean_squared_error"),
    ("mean_squared_error", metrics.MeanSquaredError, "mean_squared_error"),
    ("mae", metrics.MeanAbsoluteError, "mean_absolute_error"),
    ("mape", metrics.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    ("auc", metrics.AUC, "auc"), ("AUC", metrics.AUC, "auc"),
    ("precision", metrics.Precision, "precision"), ("recall", metrics.Recall, "recall"),
    ("f1_score", metrics.F1Score, "f1_score"), ("bce", metrics.BinaryCrossentropy,
                                                "binary_crossentropy"),
])
def test_get_by_name(name, cls, metric_name):
    metric = metrics.get(name)
    assert type(metric) is cls and metric.name == metric_name


def test_get_other_identifiers():
    def hit_rate(y_true, y_pred):
        return metrics.binary_accuracy(y_true, y_pred)

    wrapped = metrics.get(hit_rate)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "hit_rate"
    assert metrics.get(metrics.binary_accuracy).name == "binary_accuracy"
    instance = metrics.Recall(thresholds=0.3)
    assert metrics.get(instance) is instance and metrics.get(None) is None
    assert type(metrics.get(metrics.AUC)) is metrics.AUC
    assert metrics.get({"class_name": "Precision", "config": {"top_k": 2}}).top_k == 2


def test_unknown_identifiers_list_the_known_names():
    with pytest.raises(ValueError, match=r"lamina.metrics: unknown metric 'acuracy'; did you mean "
                                         r"'accuracy'\? Known "
                                         r"names: .*accuracy.*binary_accuracy.*f1_score.*mse"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match=r"could not interpret metric identifier 3.*Known names"):
        metrics.get(3)
    with pytest.raises(ValueError, match=r"unknown metric function 'secret'.*custom_objects"):
        metrics.deserialize({"class_name": "MeanMetricWrapper",
                             "config": {"fn": "secret", "name": "secret"}})
    with pytest.raises(ValueError, match=r"unknown metric function 'secret'"):
        metrics.MeanMetricWrapper.from_config({"fn": "secret"})
    with pytest.raises(TypeError, match=r"config\['fn'\] must be a function or a function's"):
        metrics.MeanMetricWrapper.from_config({"fn": 3})


ROUND_TRIPS = [
    metrics.Mean(name="loss_mean"), metrics.Sum(), metrics.Accuracy(),
    metrics.BinaryAccuracy(threshold=0.3), metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(name="acc"), metrics.TopKCategoricalAccuracy(k=3),
    metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
    metrics.MeanSquaredError(), metrics.MeanAbsoluteError(),
    metrics.MeanAbsolutePercentageError(), metrics.BinaryCrossentropy(label_smoothing=0.1),
    metrics.CategoricalCrossentropy(from_logits=True), metrics.SparseCategoricalCrossentropy(),
    metrics.Precision(thresholds=[0.2, 0.7], class_id=1), metrics.Recall(top_k=3),
    metrics.AUC(num_thresholds=11, curve="PR", summation_method="majoring", from_logits=True),
    metrics.AUC(thresholds=[0.3, 0.6], multi_label=True, num_labels=2,
                label_weights=[1.0, 2.0]),
    metrics.F1Score(average="weighted", threshold=0.4), metrics.FBetaScore(beta=2.0),
    metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, name="top2", k=2),
]


@pytest.mark.parametrize("metric", ROUND_TRIPS, ids=lambda m: type(m).__name__)
def test_serialize_deserialize_round_trip(metric):
    config = metrics.serialize(metric)
    assert config["class_name"] == type(metric).__name__
    restored = metrics.deserialize(config)
    assert type(restored) is type(metric) and restored.get_config() == metric.get_config()
    assert restored.name == metric.name


def test_custom_wrapped_function_round_trips_through_custom_objects():
    def within_tenth(y_true, y_pred):
        return metrics.mean_absolute_error(y_true, y_pred)

    config = metrics.serialize(metrics.MeanMetricWrapper(within_tenth))
    assert config["config"]["fn"] == "within_tenth"
    restored = metrics.deserialize(config, custom_objects={"within_tenth": within_tenth})
    assert restored.name == "within_tenth" and restored._fn is within_tenth


class NamedLoss:
    """Stands in for a loss object: resolve looks at its name and class name."""

    def __init__(self, name):
        self.name = name


def binary_crossentropy(y_true, y_pred):
    return y_pred


@pytest.mark.parametrize("identifier, loss, y_true_shape, y_pred_shape, cls", [
    ("accuracy", None, (None, 1), (None, 1), metrics.BinaryAccuracy),
    ("acc", None, (None,), (None, 1), metrics.BinaryAccuracy),
    ("accuracy", "binary_crossentropy", (None, 5), (None, 5), metrics.BinaryAccuracy),
    ("accuracy", "bce", None, None, metrics.BinaryAccuracy),
    ("accuracy", binary_crossentropy, (None, 5), (None, 5), metrics.BinaryAccuracy),
    ("accuracy", NamedLoss("binary_crossentropy"), (None, 3), (None, 3), metrics.BinaryAccuracy),
    ("ACC", "sparse_categorical_crossentropy", None, (None, 10),
     metrics.SparseCategoricalAccuracy),
    ("accuracy", "SparseCategoricalCrossentropy", None, None, metrics.SparseCategoricalAccuracy),
    ("accuracy", None, (None,), (None, 10), metrics.SparseCategoricalAccuracy),
    ("accuracy", None, (None, 1), (None, 10), metrics.SparseCategoricalAccuracy),
    ("accuracy", "mse", (None, 10), (None, 10), metrics.CategoricalAccuracy),
    ("accuracy", "categorical_crossentropy", (None, 1), (None, 10),
     metrics.CategoricalAccuracy),
    ("accuracy", None, None, (None, 10), metrics.CategoricalAccuracy),
    ("crossentropy", None, (None, 1), (None, 1), metrics.BinaryCrossentropy),
    ("ce", None, (None,), (None, 10), metrics.SparseCategoricalCrossentropy),
    ("crossentropy", "cce", None, None, metrics.CategoricalCrossentropy),
])
def test_resolve_picks_the_accuracy_for_the_loss_and_shapes(identifier, loss, y_true_shape,
                                                            y_pred_shape, cls):
    metric = metrics.resolve(identifier, loss=loss, y_true_shape=y_true_shape,
                             y_pred_shape=y_pred_shape)
    assert type(metric) is cls and metric.name == identifier


def test_resolve_other_identifiers_keep_the_name_written():
    assert metrics.resolve("mse").name == "mse"
    assert type(metrics.resolve("mae")) is metrics.MeanAbsoluteError
    auc = metrics.AUC(name="roc")
    assert metrics.resolve(auc) is auc and auc.name == "roc"
    assert metrics.resolve(metrics.binary_accuracy).name == "binary_accuracy"
    with pytest.raises(ValueError, match=r"resolve: 'accuracy' needs a cross-entropy loss or "
                                         r"the output's shape \(y_pred_shape\)"):
        metrics.resolve("accuracy", loss="mse")
