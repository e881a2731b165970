"""lamina.losses' classes against NumPy on every engine: each class's value, every
reduction, sample weights of shape (batch,), (batch, 1) and the losses' own shape,
ignore_class left out of the mean, symbolic application with a symbolic sample weight,
a compiled step, custom Loss subclasses and LossFunctionWrapper, and the errors."""

import functools

import numpy as np
import numpy_losses as ref
import pytest

from lamina import backend as K
from lamina import losses

WEIGHTS = np.array([0.5, 2.0, 0.0, 1.0])


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def F32(a):
    return np.asarray(a, dtype="float32")


def labels_tensor(y_true):
    return K.convert_to_tensor(y_true.astype("int32") if y_true.dtype.kind == "i"
                               else F32(y_true))


CLASSES = [
    (losses.MeanSquaredError(), ref.mse, ref.REG_TRUE, ref.REG_PRED),
    (losses.MeanAbsoluteError(), ref.mae, ref.REG_TRUE, ref.REG_PRED),
    (losses.MeanAbsolutePercentageError(), ref.mape, ref.REG_TRUE, ref.REG_PRED),
    (losses.MeanSquaredLogarithmicError(), ref.msle, ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
    (losses.Huber(delta=0.7), functools.partial(ref.huber, delta=0.7), ref.REG_TRUE,
     ref.REG_PRED),
    (losses.LogCosh(), ref.log_cosh, ref.REG_TRUE, ref.REG_PRED),
    (losses.CosineSimilarity(), ref.cosine_similarity, ref.REG_TRUE, ref.REG_PRED),
    (losses.Hinge(), ref.hinge, ref.BINARY, ref.REG_PRED),
    (losses.SquaredHinge(), ref.squared_hinge, ref.SIGNS, ref.REG_PRED),
    (losses.CategoricalHinge(), ref.categorical_hinge, ref.ONE_HOT, ref.REG_PRED),
    (losses.KLDivergence(), ref.kl_divergence, ref.ONE_HOT, ref.PROBS),
    (losses.Poisson(), ref.poisson, ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
    (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
     functools.partial(ref.binary_crossentropy, from_logits=True, label_smoothing=0.1),
     ref.BINARY, ref.REG_PRED),
    (losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=1.5),
     functools.partial(ref.binary_focal_crossentropy, apply_class_balancing=True, gamma=1.5),
     ref.BINARY, ref.BINARY_PROBS),
    (losses.CategoricalCrossentropy(label_smoothing=0.2),
     functools.partial(ref.categorical_crossentropy, label_smoothing=0.2),
     ref.ONE_HOT, ref.PROBS),
    (losses.CategoricalFocalCrossentropy(from_logits=True, alpha=0.5),
     functools.partial(ref.categorical_focal_crossentropy, from_logits=True, alpha=0.5),
     ref.ONE_HOT, ref.LOGITS),
    (losses.SparseCategoricalCrossentropy(from_logits=True),
     functools.partial(ref.sparse_categorical_crossentropy, from_logits=True),
     ref.LABELS, ref.LOGITS),
]
CLASS_IDS = [type(c[0]).__name__ for c in CLASSES]


@pytest.mark.parametrize("loss, reference, y_true, y_pred", CLASSES, ids=CLASS_IDS)
def test_class_matches_numpy_with_and_without_weights(loss, reference, y_true, y_pred):
    per_sample = reference(y_true, y_pred)
    value = loss(labels_tensor(y_true), K.convert_to_tensor(F32(y_pred)))
    assert K.int_shape(value) == () and K.dtype(value) == "float32"
    np.testing.assert_allclose(N(value), per_sample.mean(), rtol=2e-5, atol=1e-6)
    weighted = loss(labels_tensor(y_true), K.convert_to_tensor(F32(y_pred)),
                    sample_weight=F32(WEIGHTS))
    np.testing.assert_allclose(N(weighted), (per_sample * WEIGHTS).mean(), rtol=2e-5,
                               atol=1e-6)


@pytest.mark.parametrize("reduction, reduce", [
    ("sum_over_batch_size", lambda v, w: (v * w).mean()),
    ("mean", lambda v, w: (v * w).mean()),
    ("sum", lambda v, w: (v * w).sum()),
    ("mean_with_sample_weight", lambda v, w: (v * w).sum() / w.sum()),
    ("none", lambda v, w: v * w),
    (None, lambda v, w: v * w),
])
@pytest.mark.parametrize("weight_shape", [None, (4,), (4, 1), ()])
def test_every_reduction_with_every_weight_shape(reduction, reduce, weight_shape):
    loss = losses.MeanAbsoluteError(reduction=reduction)
    per_sample = ref.mae(ref.REG_TRUE, ref.REG_PRED)
    if weight_shape is None:
        weight, flat = None, np.ones(4)
    elif weight_shape == ():
        weight, flat = np.float32(0.5), np.full(4, 0.5)
    else:
        weight, flat = F32(WEIGHTS.reshape(weight_shape)), WEIGHTS
    value = loss(F32(ref.REG_TRUE), F32(ref.REG_PRED), sample_weight=weight)
    expected = reduce(per_sample, flat)
    if weight_shape is None and reduction == "mean_with_sample_weight":
        expected = per_sample.mean()
    assert K.int_shape(value) == np.shape(expected)
    np.testing.assert_allclose(N(value), expected, rtol=2e-5)


def _elementwise_squared_error(y_true, y_pred):
    return K.square(y_true - y_pred)


@pytest.mark.parametrize("weight_shape", [(4,), (4, 1), (4, 3)])
def test_weights_for_losses_of_several_values_per_sample(weight_shape):
    loss = losses.LossFunctionWrapper(_elementwise_squared_error, reduction="sum")
    weight = np.broadcast_to(np.arange(4.0)[:, None], (4, 3)) + np.linspace(0, 1, 3)
    weight = weight[:, :1] if weight_shape != (4, 3) else weight
    weight = weight.reshape(weight_shape)
    expected = ((ref.REG_TRUE - ref.REG_PRED) ** 2 * weight.reshape(4, -1)).sum()
    np.testing.assert_allclose(N(loss(F32(ref.REG_TRUE), F32(ref.REG_PRED), F32(weight))),
                               expected, rtol=2e-5)


@pytest.mark.parametrize("reduction, expected", [
    ("sum_over_batch_size", lambda v, valid: v[valid].sum() / valid.sum()),
    ("sum", lambda v, valid: v[valid].sum()),
    ("none", lambda v, valid: np.where(valid, v, 0.0)),
])
def test_ignored_class_is_left_out_of_the_reduction(reduction, expected):
    labels = np.array([0, 1, 1, 2])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=1, reduction=reduction)
    per_sample = ref.sparse_categorical_crossentropy(labels, ref.PROBS)
    value = loss(labels.astype("int32"), F32(ref.PROBS))
    np.testing.assert_allclose(N(value), expected(per_sample, labels != 1), rtol=2e-5)
    all_ignored = losses.SparseCategoricalCrossentropy(ignore_class=1)(
        np.ones(4, "int32"), F32(ref.PROBS))
    assert float(N(all_ignored)) == 0.0


def test_ignored_class_combines_with_sample_weight():
    labels = np.array([[0], [1], [1], [2]])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=1)
    per_sample = ref.sparse_categorical_crossentropy(labels, ref.PROBS)
    valid = labels[:, 0] != 1
    value = loss(labels.astype("int32"), F32(ref.PROBS), sample_weight=F32(WEIGHTS))
    np.testing.assert_allclose(N(value), (per_sample * WEIGHTS)[valid].sum() / valid.sum(),
                               rtol=2e-5)


def test_dtype_casts_labels_and_predictions():
    loss = losses.MeanSquaredError(dtype="float64")
    value = loss(ref.REG_TRUE.astype("int32"), F32(ref.REG_PRED))
    assert loss.dtype == "float64" and K.dtype(value) == "float64"
    np.testing.assert_allclose(N(value), ref.mse(ref.REG_TRUE.astype("int32"),
                                                 F32(ref.REG_PRED)).mean(), rtol=1e-12)


# -- symbolic tensors and compiled steps ---------------------------------------------------
@pytest.mark.parametrize("loss, labels_shape, labels_dtype", [
    (losses.CategoricalCrossentropy(from_logits=True), (3,), "float32"),
    (losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2), (), "int32"),
    (losses.Hinge(reduction="sum"), (3,), "float32"),
    (losses.MeanSquaredError(reduction="none"), (3,), "float32"),
], ids=["cce", "scce", "hinge", "mse"])
def test_symbolic_loss_with_symbolic_sample_weight(loss, labels_shape, labels_dtype):
    labels, logits, weight = K.Input(labels_shape, dtype=labels_dtype), K.Input((3,)), K.Input(())
    value = loss(labels, logits, sample_weight=weight)
    expected_shape = (None,) if loss.reduction == "none" else ()
    assert K.is_keras_tensor(value) and K.int_shape(value) == expected_shape
    feeds = [ref.ONE_HOT if labels_dtype == "float32" else ref.LABELS, ref.LOGITS, WEIGHTS]
    feeds[0] = ref.BINARY if isinstance(loss, losses.Hinge) else feeds[0]
    feeds = [f.astype(labels_dtype) if i == 0 else F32(f) for i, f in enumerate(feeds)]
    evaluated = K.function([labels, logits, weight], value)(feeds)
    np.testing.assert_allclose(evaluated, N(loss(*feeds[:2], sample_weight=feeds[2])),
                               rtol=1e-6)


@pytest.mark.parametrize("loss, y_true", [
    (losses.Hinge(), ref.BINARY), (losses.Hinge(), ref.SIGNS),
    (losses.SparseCategoricalCrossentropy(ignore_class=0), ref.LABELS)],
    ids=["hinge-binary", "hinge-signs", "scce-ignore"])
def test_loss_runs_inside_a_compiled_step(loss, y_true):
    step = K.engine.compile_step(lambda t, p, w: loss(t, p, sample_weight=w), [],
                                 jit_compile="auto")
    args = [labels_tensor(y_true), K.convert_to_tensor(F32(ref.BINARY_PROBS)),
            K.convert_to_tensor(F32(WEIGHTS))]
    np.testing.assert_allclose(N(step(*args)), N(loss(*args[:2], sample_weight=args[2])),
                               rtol=1e-6)


# -- custom losses -------------------------------------------------------------------------
def test_custom_subclass_gets_weighting_reduction_and_a_default_name():
    class CubedError(losses.Loss):
        def call(self, y_true, y_pred):
            return K.mean(K.abs(y_true - y_pred) ** 3, axis=-1)

    loss = CubedError(reduction="sum")
    assert loss.name.startswith("cubed_error")
    value = loss(F32(ref.REG_TRUE), F32(ref.REG_PRED), sample_weight=F32(WEIGHTS))
    expected = (np.mean(np.abs(ref.REG_TRUE - ref.REG_PRED) ** 3, -1) * WEIGHTS).sum()
    np.testing.assert_allclose(N(value), expected, rtol=2e-5)
    config = loss.get_config()
    assert CubedError.from_config(config).get_config() == config


def test_wrapper_passes_keyword_arguments_and_aligns_ranks():
    loss = losses.LossFunctionWrapper(losses.huber, reduction="none", delta=0.3)
    assert loss.name == "huber"
    value = loss(F32(ref.REG_TRUE[:, 0]), F32(ref.REG_PRED[:, :1]))
    np.testing.assert_allclose(N(value), ref.huber(ref.REG_TRUE[:, :1], ref.REG_PRED[:, :1],
                                                   delta=0.3), rtol=2e-5)


def test_loss_errors_name_the_class_and_the_argument():
    with pytest.raises(ValueError, match=r"MeanSquaredError: reduction must be one of "
                                         r"'sum_over_batch_size', .*Received reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match=r"MeanSquaredError: sample_weight of shape \(4, 3\) "
                                         r"cannot weight the per-sample losses of shape \(4,\)"):
        losses.MeanSquaredError()(F32(ref.REG_TRUE), F32(ref.REG_PRED),
                                  sample_weight=F32(ref.REG_TRUE))
    with pytest.raises(ValueError, match=r"sample_weight of shape \(None, 2\) cannot weight "
                                         r"the per-sample losses of shape \(None,\)"):
        losses.Hinge()(K.Input((3,)), K.Input((3,)), sample_weight=K.Input((2,)))
    with pytest.raises(ValueError, match=r"LossFunctionWrapper: fn must be a callable.*"
                                         r"Received fn='mse'"):
        losses.LossFunctionWrapper("mse")
    with pytest.raises(NotImplementedError, match=r"Loss does not implement call"):
        losses.Loss()(F32(ref.REG_TRUE), F32(ref.REG_PRED))
    with pytest.raises(ValueError, match=r"categorical_crossentropy expects y_true and y_pred of "
                                         r"the same shape. Received y_true shape \(None, 1\)"):
        losses.CategoricalCrossentropy()(K.Input((1,)), K.Input((10,)))
