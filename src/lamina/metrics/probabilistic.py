"""Cross-entropy metrics: running means of the per-sample binary, categorical and
sparse categorical cross-entropies (K's ``binary_crossentropy``,
``categorical_crossentropy`` and ``sparse_categorical_crossentropy``, which clip
probabilities to ``[epsilon, 1 - epsilon]``).

>>> from lamina import backend as K
>>> from lamina import metrics
>>> round(float(metrics.BinaryCrossentropy()([[1.0], [0.0]], [[0.5], [0.5]])), 4)
0.6931
"""

from lamina import backend as K
from lamina._arguments import is_number
from lamina.metrics.base import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import MeanMetricWrapper


def _float_tensors(y_true, y_pred):
    y_pred = K.convert_to_tensor(y_pred)
    if not K.dtype(y_pred).startswith(("float", "bfloat")):
        y_pred = K.cast(y_pred, K.floatx())
    return K.cast(K.convert_to_tensor(y_true), K.dtype(y_pred)), y_pred


def _check_smoothing(owner, label_smoothing):
    if not is_number(label_smoothing) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{owner}: label_smoothing must be a float in [0, 1]. Received "
                         f"label_smoothing={label_smoothing!r}.")
    return float(label_smoothing)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Binary cross-entropy, one value per sample (the mean over the last axis when the
    inputs have more than one dimension). ``label_smoothing`` moves the labels towards
    0.5: ``y_true * (1 - s) + 0.5 * s``.

    >>> from lamina import backend as K
    >>> y = binary_crossentropy([[1.0, 0.0]], [[0.5, 0.5]])
    >>> [round(v, 4) for v in K.convert_to_numpy(y).tolist()]
    [0.6931]
    """
    label_smoothing = _check_smoothing("binary_crossentropy", label_smoothing)
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_float_tensors(y_true, y_pred))
    if label_smoothing:
        y_true = K.add(K.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    values = K.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
    return K.mean(values, axis=-1) if K.ndim(values) > 1 else values


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                             axis=-1):
    """Categorical cross-entropy between one-hot ``y_true`` and ``y_pred`` along
    ``axis``, one value per sample. ``label_smoothing`` moves the labels towards the
    uniform distribution: ``y_true * (1 - s) + s / num_classes``.

    >>> from lamina import backend as K
    >>> y = categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
    >>> [round(v, 4) for v in K.convert_to_numpy(y).tolist()]
    [0.6931]
    """
    label_smoothing = _check_smoothing("categorical_crossentropy", label_smoothing)
    y_true, y_pred = _float_tensors(y_true, y_pred)
    if label_smoothing:
        num_classes = K.int_shape(y_pred)[axis]
        y_true = K.add(K.multiply(y_true, 1.0 - label_smoothing),
                       label_smoothing / num_classes)
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Categorical cross-entropy between integer labels ``y_true`` (shape ``(batch,)``
    or ``(batch, 1)``) and ``y_pred``, one value per sample.

    >>> from lamina import backend as K
    >>> y = sparse_categorical_crossentropy([1], [[0.5, 0.5]])
    >>> [round(v, 4) for v in K.convert_to_numpy(y).tolist()]
    [0.6931]
    """
    y_true = K.convert_to_tensor(y_true)
    y_pred = K.convert_to_tensor(y_pred)
    return K.sparse_categorical_crossentropy(K.cast(y_true, "int32"), y_pred,
                                             from_logits=from_logits, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean of ``binary_crossentropy``:
    ``BinaryCrossentropy(name="binary_crossentropy", dtype=None, from_logits=False,
    label_smoothing=0)``.

    >>> round(float(BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]])), 4)
    0.6931
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        _check_smoothing("BinaryCrossentropy", label_smoothing)
        super().__init__(binary_crossentropy, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of ``categorical_crossentropy``:
    ``CategoricalCrossentropy(name="categorical_crossentropy", dtype=None,
    from_logits=False, label_smoothing=0, axis=-1)``.

    >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        _check_smoothing("CategoricalCrossentropy", label_smoothing)
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=label_smoothing,
                         axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of ``sparse_categorical_crossentropy``:
    ``SparseCategoricalCrossentropy(name="sparse_categorical_crossentropy", dtype=None,
    from_logits=False, axis=-1)``.

    >>> round(float(SparseCategoricalCrossentropy()([1], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None,
                 from_logits=False, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=bool(from_logits), axis=axis)
