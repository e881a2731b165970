"""Accuracy metrics: how often predictions match labels.

Each function returns one value per sample (1.0 for a match, 0.0 otherwise; a
mean over the last axis where one sample has several binary outputs), and each
class is the running (weighted) mean of its function. The functions also run on
symbolic tensors.

>>> from lamina import backend as K
>>> from lamina import metrics
>>> y_true = [[0.0, 1.0], [1.0, 0.0]]
>>> y_pred = [[0.3, 0.7], [0.4, 0.6]]
>>> K.convert_to_numpy(metrics.categorical_accuracy(y_true, y_pred)).tolist()
[1.0, 0.0]
>>> float(metrics.CategoricalAccuracy()(y_true, y_pred))
0.5
"""

from lamina import backend as K
from lamina._arguments import is_int, is_number
from lamina.metrics.base import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import MeanMetricWrapper


def _tensors(y_true, y_pred):
    return K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred)


def _check_positive_int(owner, name, value):
    if not is_int(value) or value < 1:
        raise ValueError(f"{owner}: {name} must be an int >= 1. Received {name}={value!r}.")
    return value


def _matches(condition):
    return K.cast(condition, K.floatx())


def accuracy(y_true, y_pred):
    """1.0 where ``y_pred`` equals ``y_true`` exactly, element by element.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(accuracy([1, 2, 3], [1, 2, 4])).tolist()
    [1.0, 1.0, 0.0]
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(K.cast(y_true, K.dtype(y_pred)), y_pred)
    return _matches(K.equal(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Whether ``y_pred > threshold`` matches the binary label ``y_true``: one value per
    sample, the mean over the last axis when ``y_pred`` has more than one dimension.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(binary_accuracy([[1.0], [0.0]], [[0.9], [0.7]])).tolist()
    [1.0, 0.0]
    >>> K.convert_to_numpy(binary_accuracy([[1.0, 0.0]], [[0.9, 0.7]])).tolist()
    [0.5]
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = K.cast(K.greater(y_pred, threshold), K.floatx())
    matches = _matches(K.equal(K.cast(y_true, K.floatx()), predicted))
    return K.mean(matches, axis=-1) if K.ndim(matches) > 1 else matches


def categorical_accuracy(y_true, y_pred):
    """Whether the largest prediction is at the one-hot label's class: one value per
    sample.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(categorical_accuracy([[0, 0, 1], [0, 1, 0]],
    ...                                         [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]])).tolist()
    [1.0, 0.0]
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    if K.ndim(y_true) != K.ndim(y_pred):
        raise ValueError(
            f"categorical_accuracy expects one-hot labels with the rank of y_pred "
            f"(integer labels go to sparse_categorical_accuracy). Received "
            f"y_true.shape={K.int_shape(y_true)} and y_pred.shape={K.int_shape(y_pred)}.")
    return _matches(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))


def _sparse_labels(owner, y_true, y_pred):
    if K.ndim(y_true) == K.ndim(y_pred) and K.int_shape(y_true)[-1] == 1:
        y_true = K.squeeze(y_true, -1)
    if K.ndim(y_true) != K.ndim(y_pred) - 1:
        raise ValueError(
            f"{owner} expects integer labels with one dimension fewer than y_pred (or a "
            f"last dimension of 1). Received y_true.shape={K.int_shape(y_true)} and "
            f"y_pred.shape={K.int_shape(y_pred)}.")
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """Whether the largest prediction is at the integer label's class: one value per
    sample. ``y_true`` has shape ``(batch,)`` or ``(batch, 1)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(sparse_categorical_accuracy([[2], [1]],
    ...                                                [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]])).tolist()
    [1.0, 0.0]
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true = _sparse_labels("sparse_categorical_accuracy", y_true, y_pred)
    predicted = K.cast(K.argmax(y_pred, axis=-1), K.dtype(y_true))
    return _matches(K.equal(y_true, predicted))


def _in_top_k(labels, y_pred, k):
    """Whether fewer than ``k`` classes score strictly higher than the label's class (a
    tie at the boundary counts as a hit; a NaN score never does)."""
    index = K.expand_dims(K.cast(labels, "int32"), -1)
    target = K.take_along_axis(y_pred, index, axis=-1)
    target = K.where(K.isnan(target), K.cast(float("-inf"), K.dtype(target)), target)
    higher = K.sum(K.cast(K.greater(y_pred, target), "int32"), axis=-1)
    return _matches(K.less(higher, k))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the one-hot label's class is among the ``k`` largest predictions: one
    value per sample.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(top_k_categorical_accuracy(
    ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.5, 0.4], [0.5, 0.1, 0.4]], k=2)).tolist()
    [1.0, 0.0]
    """
    _check_positive_int("top_k_categorical_accuracy", "k", k)
    y_true, y_pred = _tensors(y_true, y_pred)
    if K.ndim(y_true) != K.ndim(y_pred):
        raise ValueError(
            f"top_k_categorical_accuracy expects one-hot labels with the rank of y_pred. "
            f"Received y_true.shape={K.int_shape(y_true)} and "
            f"y_pred.shape={K.int_shape(y_pred)}.")
    return _in_top_k(K.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """Whether the integer label is among the ``k`` largest predictions: one value per
    sample. With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by
    decreasing score (such as ``K.top_k``'s indices) and the label is looked for among
    its first ``k``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(sparse_top_k_categorical_accuracy(
    ...     [2, 1], [[0.1, 0.5, 0.4], [0.5, 0.1, 0.4]], k=2)).tolist()
    [1.0, 0.0]
    >>> K.convert_to_numpy(sparse_top_k_categorical_accuracy(
    ...     [2, 1], [[1, 2, 0], [2, 0, 1]], k=2, from_sorted_ids=True)).tolist()
    [1.0, 0.0]
    """
    _check_positive_int("sparse_top_k_categorical_accuracy", "k", k)
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true = _sparse_labels("sparse_top_k_categorical_accuracy", y_true, y_pred)
    if not from_sorted_ids:
        return _in_top_k(y_true, y_pred, k)
    first_k = y_pred[..., :k]
    found = K.equal(K.expand_dims(K.cast(y_true, K.dtype(first_k)), -1), first_k)
    return _matches(K.any(found, axis=-1))


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (``accuracy``):
    ``Accuracy(name="accuracy", dtype=None)``.

    >>> float(Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]))
    0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels (``binary_accuracy``):
    ``BinaryAccuracy(name="binary_accuracy", dtype=None, threshold=0.5)``.

    >>> m = BinaryAccuracy()
    >>> float(m([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]))
    0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if not is_number(threshold):
            raise ValueError(f"BinaryAccuracy: threshold must be a float. Received "
                             f"threshold={threshold!r}.")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is at the one-hot label's class
    (``categorical_accuracy``): ``CategoricalAccuracy(name="categorical_accuracy",
    dtype=None)``.

    >>> float(CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is at the integer label's class
    (``sparse_categorical_accuracy``):
    ``SparseCategoricalAccuracy(name="sparse_categorical_accuracy", dtype=None)``.

    >>> float(SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` largest predictions
    (``top_k_categorical_accuracy``):
    ``TopKCategoricalAccuracy(k=5, name="top_k_categorical_accuracy", dtype=None)``.

    >>> m = TopKCategoricalAccuracy(k=1)
    >>> float(m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        _check_positive_int("TopKCategoricalAccuracy", "k", k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` largest predictions
    (``sparse_top_k_categorical_accuracy``): ``SparseTopKCategoricalAccuracy(k=5,
    name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False)``.

    >>> m = SparseTopKCategoricalAccuracy(k=1)
    >>> float(m([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        _check_positive_int("SparseTopKCategoricalAccuracy", "k", k)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=bool(from_sorted_ids))
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)
