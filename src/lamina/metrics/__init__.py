"""Metrics (``keras.metrics``): stateful objects that accumulate statistics over
batches, with their state in K.Variables, and the matching per-sample functions.

``update_state`` and ``result`` use K functions and ``Variable.assign`` only, so the
training engine runs them inside its compiled step (see :class:`Metric`). Names,
arguments and formulas follow Keras 3.

>>> from lamina import backend as K
>>> from lamina import metrics
>>> m = metrics.get("binary_accuracy")
>>> m.update_state([[1.0], [0.0]], [[0.8], [0.6]])
>>> float(m.result())
0.5
>>> m = metrics.resolve("accuracy", loss="sparse_categorical_crossentropy")
>>> type(m).__name__, m.name
('SparseCategoricalAccuracy', 'accuracy')
"""

from lamina._catalogue import Catalogue, _key, find_custom, unknown_name_error
from lamina.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                     SparseCategoricalAccuracy,
                                     SparseTopKCategoricalAccuracy,
                                     TopKCategoricalAccuracy, accuracy, binary_accuracy,
                                     categorical_accuracy, sparse_categorical_accuracy,
                                     sparse_top_k_categorical_accuracy,
                                     top_k_categorical_accuracy)
from lamina.losses import (binary_focal_crossentropy, categorical_focal_crossentropy,
                           categorical_hinge, hinge, huber, kl_divergence, log_cosh,
                           mean_squared_logarithmic_error, poisson, squared_hinge)
from lamina.metrics.at_rate import (PrecisionAtRecall, RecallAtPrecision,
                                    SensitivityAtSpecificity, SpecificityAtSensitivity)
from lamina.metrics.auc import AUC
from lamina.metrics.base import Metric
from lamina.metrics.confusion import Precision, Recall
from lamina.metrics.correlation import (ConcordanceCorrelation, PearsonCorrelation, R2Score,
                                        concordance_correlation, pearson_correlation)
from lamina.metrics.counts import FalseNegatives, FalsePositives, TrueNegatives, TruePositives
from lamina.metrics.f_score import F1Score, FBetaScore
from lamina.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from lamina.metrics.loss_based import (CategoricalHinge, CosineSimilarity, Hinge, KLDivergence,
                                       LogCoshError, MeanSquaredLogarithmicError, Poisson,
                                       RootMeanSquaredError, SquaredHinge)
from lamina.metrics.probabilistic import (BinaryCrossentropy, CategoricalCrossentropy,
                                          SparseCategoricalCrossentropy,
                                          binary_crossentropy, categorical_crossentropy,
                                          sparse_categorical_crossentropy)
from lamina.metrics.reduction import Mean, MeanMetricWrapper, Sum
from lamina.metrics.regression import (MAE, MAPE, MSE, MeanAbsoluteError,
                                       MeanAbsolutePercentageError, MeanSquaredError, mae,
                                       mape, mean_absolute_error,
                                       mean_absolute_percentage_error, mean_squared_error,
                                       mse)

_CLASSES = {
    "accuracy": Accuracy, "acc": Accuracy, "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "auc": AUC, "precision": Precision, "recall": Recall, "f1_score": F1Score,
    "fbeta_score": FBetaScore, "mean": Mean, "sum": Sum,
}
_CLASSES.update({cls.__name__: cls for cls in (
    RootMeanSquaredError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, Poisson,
    KLDivergence, Hinge, SquaredHinge, CategoricalHinge, TruePositives, FalsePositives,
    TrueNegatives, FalseNegatives, PrecisionAtRecall, RecallAtPrecision,
    SensitivityAtSpecificity, SpecificityAtSensitivity, IoU, BinaryIoU, MeanIoU, OneHotIoU,
    OneHotMeanIoU, R2Score, PearsonCorrelation, ConcordanceCorrelation)},
    msle=MeanSquaredLogarithmicError)

_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, hinge, squared_hinge,
    categorical_hinge, poisson, kl_divergence, log_cosh, huber, mean_squared_logarithmic_error,
    binary_focal_crossentropy, categorical_focal_crossentropy, pearson_correlation,
    concordance_correlation)}

_CATALOGUE = Catalogue("lamina.metrics", "metric", _CLASSES,
                       accepts="a callable fn(y_true, y_pred)")
_CATALOGUE.add_aliases(MeanMetricWrapper=MeanMetricWrapper)


def serialize(metric):
    """``{"class_name": ..., "config": ...}`` describing ``metric``.

    >>> serialize(BinaryAccuracy(threshold=0.7))
    {'class_name': 'BinaryAccuracy', 'config': {'name': 'binary_accuracy', 'dtype': 'float32', 'threshold': 0.7}}
    """
    return _CATALOGUE.serialize(metric)


def _function(name, custom_objects):
    found = find_custom(name, custom_objects)
    if found is not None:
        return found
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    error = unknown_name_error("lamina.metrics.deserialize", "metric function", name,
                               list(_FUNCTIONS))
    raise ValueError(f"{error} For your own function pass custom_objects={{{name!r}: "
                     "function}.")


def deserialize(config, custom_objects=None):
    """The metric that ``serialize`` described. ``custom_objects`` maps extra names to
    metric classes, and to the functions of :class:`MeanMetricWrapper` configs; the
    custom object scopes and the registry are searched next.

    >>> def hits(y_true, y_pred):
    ...     return binary_accuracy(y_true, y_pred)
    >>> m = deserialize(serialize(MeanMetricWrapper(hits)), custom_objects={"hits": hits})
    >>> m.name, m._fn is hits
    ('hits', True)
    """
    return _CATALOGUE.deserialize(config, custom_objects)


def get(identifier):
    """A metric object from ``identifier``.

    None gives None; a name (``"mse"``, ``"binary_accuracy"``, ``"AUC"``, or a
    registered name) gives the class with its default arguments; a ``serialize`` dict,
    a Metric class or a Metric work too; any other callable ``fn(y_true, y_pred)``
    (also given by its registered name) becomes a :class:`MeanMetricWrapper` named
    after it.

    >>> get("mse").name, type(get("acc")).__name__
    ('mean_squared_error', 'Accuracy')
    >>> def error_count(y_true, y_pred):
    ...     return 1.0 - binary_accuracy(y_true, y_pred)
    >>> m = get(error_count); type(m).__name__, m.name
    ('MeanMetricWrapper', 'error_count')
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        identifier = _CATALOGUE.lookup(identifier)
        if not isinstance(identifier, type):
            return MeanMetricWrapper(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier) and not isinstance(identifier, type):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"lamina.metrics.get: could not interpret metric identifier "
                     f"{identifier!r}. Expected None, a name, a dict, a Metric class or "
                     f"instance, or a callable fn(y_true, y_pred). Known names: "
                     f"{_CATALOGUE.known}.")


_LOSS_KINDS = {
    "binarycrossentropy": "binary", "bce": "binary", "binaryfocalcrossentropy": "binary",
    "sparsecategoricalcrossentropy": "sparse", "scce": "sparse",
    "categoricalcrossentropy": "categorical", "cce": "categorical",
    "categoricalfocalcrossentropy": "categorical",
}


def _loss_kind(loss):
    """"binary", "sparse" or "categorical" for a cross-entropy loss given as a name, a
    function or a loss object (its name, class name or wrapped function); else None."""
    if loss is None:
        return None
    if isinstance(loss, str):
        names = [loss]
    else:
        fn = getattr(loss, "fn", None)
        names = [getattr(loss, "name", None), getattr(loss, "__name__", None),
                 type(loss).__name__, getattr(fn, "__name__", None)]
    for name in names:
        if isinstance(name, str) and _key(name) in _LOSS_KINDS:
            return _LOSS_KINDS[_key(name)]
    return None


def _label_kind(identifier, loss, y_true_shape, y_pred_shape):
    kind = _loss_kind(loss)
    if kind is not None:
        return kind
    if y_pred_shape is None:
        raise ValueError(f"lamina.metrics.resolve: {identifier!r} needs a cross-entropy "
                         f"loss or the output's shape (y_pred_shape) to choose between "
                         f"binary, categorical and sparse categorical. Received loss="
                         f"{loss!r} and y_pred_shape=None.")
    y_pred_shape = tuple(y_pred_shape)
    if len(y_pred_shape) <= 1 or y_pred_shape[-1] == 1:
        return "binary"
    if y_true_shape is not None:
        y_true_shape = tuple(y_true_shape)
        if len(y_true_shape) == len(y_pred_shape) - 1 or \
                (len(y_true_shape) == len(y_pred_shape) and y_true_shape[-1] == 1):
            return "sparse"
    return "categorical"


_BY_KIND = {
    "accuracy": {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
                 "categorical": CategoricalAccuracy},
    "crossentropy": {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
                     "categorical": CategoricalCrossentropy},
}
_GENERIC = {"accuracy": "accuracy", "acc": "accuracy", "crossentropy": "crossentropy",
            "ce": "crossentropy"}


def _check_name(name):
    """Raise the unknown-name error (with its suggestion) when no metric is called
    ``name``; ``compile`` calls it so a misspelt name fails there."""
    if name.lower() not in _GENERIC:
        _CATALOGUE.lookup(name)


def resolve(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """The metric ``compile(metrics=[identifier])`` means for a model output trained
    with ``loss``.

    ``"accuracy"``/``"acc"`` (and ``"crossentropy"``/``"ce"``) become the binary,
    sparse categorical or categorical variant: binary for a binary cross-entropy loss
    or an output whose last dimension is 1; sparse for a sparse categorical
    cross-entropy loss or labels with one dimension fewer than the output (or a last
    dimension of 1); categorical otherwise. ``loss`` is a name, a function or a loss
    object. Other identifiers go through :func:`get`. A metric given by a name keeps
    that name, so logs show what the user wrote.

    >>> m = resolve("acc", y_true_shape=(None, 1), y_pred_shape=(None, 1))
    >>> type(m).__name__, m.name
    ('BinaryAccuracy', 'acc')
    >>> type(resolve("accuracy", y_true_shape=(None, 10), y_pred_shape=(None, 10))).__name__
    'CategoricalAccuracy'
    >>> resolve("mse").name
    'mse'
    """
    if isinstance(identifier, str) and identifier.lower() in _GENERIC:
        family = _GENERIC[identifier.lower()]
        kind = _label_kind(identifier, loss, y_true_shape, y_pred_shape)
        return _BY_KIND[family][kind](name=identifier)
    metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


__all__ = [
    "AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy",
    "CategoricalCrossentropy", "F1Score", "FBetaScore", "MAE", "MAPE", "MSE", "Mean",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanMetricWrapper",
    "MeanSquaredError", "Metric", "Precision", "Recall", "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy", "SparseTopKCategoricalAccuracy", "Sum",
    "TopKCategoricalAccuracy", "accuracy", "binary_accuracy", "binary_crossentropy",
    "categorical_accuracy", "categorical_crossentropy", "deserialize", "get", "mae",
    "mape", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mse", "resolve", "serialize", "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy", "BinaryIoU", "CategoricalHinge", "ConcordanceCorrelation",
    "CosineSimilarity", "FalseNegatives", "FalsePositives", "Hinge", "IoU", "KLDivergence",
    "LogCoshError", "MeanIoU", "MeanSquaredLogarithmicError", "OneHotIoU", "OneHotMeanIoU",
    "PearsonCorrelation", "Poisson", "PrecisionAtRecall", "R2Score", "RecallAtPrecision",
    "RootMeanSquaredError", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
    "SquaredHinge", "TrueNegatives", "TruePositives", "binary_focal_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "concordance_correlation", "hinge",
    "huber", "kl_divergence", "log_cosh", "mean_squared_logarithmic_error",
    "pearson_correlation", "poisson", "squared_hinge",
]
