"""lamina.losses' functions against NumPy re-computations of Keras 3's formulas on every
engine (from_logits, label_smoothing, axis, ignore_class, focal arguments), the
per-sample shape and dtype, rank alignment of labels, symbolic application (static
shape, same value once evaluated) and the errors for labels that cannot fit."""

import functools

import numpy as np
import numpy_losses as ref
import pytest

from lamina import backend as K
from lamina import losses


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def F32(a):
    return np.asarray(a, dtype="float32")


def case(fn, reference, y_true, y_pred, **kwargs):
    name = fn.__name__ + "".join(f"-{k}={v}" for k, v in kwargs.items())
    return pytest.param(functools.partial(fn, **kwargs), functools.partial(reference, **kwargs),
                        y_true, y_pred, id=name)


CASES = [
    case(losses.mean_squared_error, ref.mse, ref.REG_TRUE, ref.REG_PRED),
    case(losses.mean_absolute_error, ref.mae, ref.REG_TRUE, ref.REG_PRED),
    case(losses.mean_absolute_percentage_error, ref.mape, ref.REG_TRUE, ref.REG_PRED),
    case(losses.mean_squared_logarithmic_error, ref.msle, ref.POSITIVE_TRUE, ref.REG_PRED),
    case(losses.huber, ref.huber, ref.REG_TRUE, ref.REG_PRED),
    case(losses.huber, ref.huber, ref.REG_TRUE, ref.REG_PRED, delta=0.5),
    case(losses.log_cosh, ref.log_cosh, ref.REG_TRUE, ref.REG_PRED),
    case(losses.cosine_similarity, ref.cosine_similarity, ref.REG_TRUE, ref.REG_PRED),
    case(losses.cosine_similarity, ref.cosine_similarity, ref.REG_TRUE, ref.REG_PRED, axis=0),
    case(losses.hinge, ref.hinge, ref.BINARY, ref.REG_PRED),
    case(losses.hinge, ref.hinge, ref.SIGNS, ref.REG_PRED),
    case(losses.hinge, ref.hinge, ref.REG_TRUE, ref.REG_PRED),
    case(losses.squared_hinge, ref.squared_hinge, ref.BINARY, ref.REG_PRED),
    case(losses.squared_hinge, ref.squared_hinge, ref.SIGNS, ref.REG_PRED),
    case(losses.categorical_hinge, ref.categorical_hinge, ref.ONE_HOT, ref.REG_PRED),
    case(losses.kl_divergence, ref.kl_divergence, ref.ONE_HOT, ref.PROBS),
    case(losses.kl_divergence, ref.kl_divergence, ref.PROBS[::-1], ref.PROBS),
    case(losses.poisson, ref.poisson, ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
    case(losses.binary_crossentropy, ref.binary_crossentropy, ref.BINARY, ref.BINARY_PROBS),
    case(losses.binary_crossentropy, ref.binary_crossentropy, ref.BINARY, ref.REG_PRED,
         from_logits=True),
    case(losses.binary_crossentropy, ref.binary_crossentropy, ref.BINARY, ref.BINARY_PROBS,
         label_smoothing=0.2),
    case(losses.binary_crossentropy, ref.binary_crossentropy, ref.BINARY, ref.BINARY_PROBS,
         axis=0),
    case(losses.binary_focal_crossentropy, ref.binary_focal_crossentropy, ref.BINARY,
         ref.BINARY_PROBS),
    case(losses.binary_focal_crossentropy, ref.binary_focal_crossentropy, ref.BINARY,
         ref.REG_PRED, from_logits=True, gamma=3.0),
    case(losses.binary_focal_crossentropy, ref.binary_focal_crossentropy, ref.BINARY,
         ref.BINARY_PROBS, apply_class_balancing=True, alpha=0.4, label_smoothing=0.1),
    case(losses.binary_focal_crossentropy, ref.binary_focal_crossentropy, ref.BINARY,
         ref.BINARY_PROBS, axis=0),
    case(losses.categorical_crossentropy, ref.categorical_crossentropy, ref.ONE_HOT, ref.PROBS),
    case(losses.categorical_crossentropy, ref.categorical_crossentropy, ref.ONE_HOT,
         ref.LOGITS, from_logits=True),
    case(losses.categorical_crossentropy, ref.categorical_crossentropy, ref.ONE_HOT, ref.PROBS,
         label_smoothing=0.3),
    case(losses.categorical_crossentropy, ref.categorical_crossentropy, ref.ONE_HOT,
         ref.LOGITS, from_logits=True, label_smoothing=0.1, axis=0),
    case(losses.categorical_focal_crossentropy, ref.categorical_focal_crossentropy,
         ref.ONE_HOT, ref.PROBS),
    case(losses.categorical_focal_crossentropy, ref.categorical_focal_crossentropy,
         ref.ONE_HOT, ref.LOGITS, from_logits=True, gamma=1.0, label_smoothing=0.2),
    case(losses.categorical_focal_crossentropy, ref.categorical_focal_crossentropy,
         ref.ONE_HOT, ref.PROBS, alpha=[0.2, 0.5, 0.3]),
    case(losses.categorical_focal_crossentropy, ref.categorical_focal_crossentropy,
         ref.ONE_HOT, ref.PROBS, axis=0),
    case(losses.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy,
         ref.LABELS, ref.PROBS),
    case(losses.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy,
         ref.LABELS[:, None], ref.LOGITS, from_logits=True),
    case(losses.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy,
         ref.LABELS, ref.LOGITS, from_logits=True, ignore_class=2),
    case(losses.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy,
         np.array([0, -1, 1, -1]), ref.PROBS, ignore_class=-1),
]


@pytest.mark.parametrize("fn, reference, y_true, y_pred", CASES)
def test_function_matches_numpy(fn, reference, y_true, y_pred):
    integer_labels = y_true.dtype.kind == "i"
    labels = K.convert_to_tensor(y_true.astype("int32") if integer_labels else F32(y_true))
    loss = fn(labels, K.convert_to_tensor(F32(y_pred)))
    expected = reference(y_true, y_pred)
    assert K.dtype(loss) == "float32" and K.int_shape(loss) == expected.shape
    np.testing.assert_allclose(N(loss), expected, rtol=2e-5, atol=2e-6)


def test_categorical_crossentropy_along_a_middle_axis():
    y_pred = np.stack([ref.PROBS, ref.PROBS[::-1]], axis=1)     # (4, 2, 3) -> classes on 1
    y_true = np.stack([ref.ONE_HOT, ref.ONE_HOT[::-1]], axis=1)
    moved_true, moved_pred = np.moveaxis(y_true, 1, -1), np.moveaxis(y_pred, 1, -1)
    loss = losses.categorical_crossentropy(F32(moved_true), F32(moved_pred), axis=1)
    np.testing.assert_allclose(N(loss), ref.categorical_crossentropy(moved_true, moved_pred,
                                                                     axis=1), rtol=2e-5)


def test_inputs_may_be_lists_and_integer_labels_are_cast():
    loss = losses.mean_squared_error([[0, 1], [2, 3]], [[0.5, 0.5], [2.0, 2.0]])
    assert K.dtype(loss) == "float32"
    np.testing.assert_allclose(N(loss), [0.25, 0.5])
    hinge = losses.hinge(K.convert_to_tensor(ref.BINARY.astype("int32")), F32(ref.REG_PRED))
    np.testing.assert_allclose(N(hinge), ref.hinge(ref.BINARY, ref.REG_PRED), rtol=2e-5)


@pytest.mark.parametrize("fn", [losses.mean_squared_error, losses.binary_crossentropy,
                                losses.poisson, losses.huber])
def test_labels_without_the_trailing_axis_are_aligned(fn):
    flat_true, column_pred = F32(ref.BINARY[:, 0]), F32(ref.BINARY_PROBS[:, :1])
    aligned = fn(flat_true, column_pred)
    assert K.int_shape(aligned) == (4,)
    np.testing.assert_allclose(N(aligned), N(fn(flat_true[:, None], column_pred)), rtol=1e-6)
    np.testing.assert_allclose(N(fn(flat_true[:, None], column_pred[:, 0])), N(aligned),
                               rtol=1e-6)


# -- symbolic tensors ---------------------------------------------------------------------
SYMBOLIC = [
    (losses.mean_squared_error, {}, ref.REG_TRUE, ref.REG_PRED),
    (losses.cosine_similarity, {}, ref.REG_TRUE, ref.REG_PRED),
    (losses.hinge, {}, ref.BINARY, ref.REG_PRED),
    (losses.categorical_hinge, {}, ref.ONE_HOT, ref.REG_PRED),
    (losses.kl_divergence, {}, ref.ONE_HOT, ref.PROBS),
    (losses.binary_crossentropy, {"label_smoothing": 0.1}, ref.BINARY, ref.BINARY_PROBS),
    (losses.binary_focal_crossentropy, {"from_logits": True}, ref.BINARY, ref.REG_PRED),
    (losses.categorical_crossentropy, {"label_smoothing": 0.1}, ref.ONE_HOT, ref.PROBS),
    (losses.categorical_focal_crossentropy, {"from_logits": True}, ref.ONE_HOT, ref.LOGITS),
]


@pytest.mark.parametrize("fn, kwargs, y_true, y_pred", SYMBOLIC,
                         ids=[c[0].__name__ for c in SYMBOLIC])
def test_symbolic_application_has_the_batch_shape_and_evaluates_to_the_eager_value(
        fn, kwargs, y_true, y_pred):
    true_in, pred_in = K.Input((3,)), K.Input((3,))
    loss = fn(true_in, pred_in, **kwargs)
    assert K.is_keras_tensor(loss) and K.int_shape(loss) == (None,)
    value = K.function([true_in, pred_in], loss)([F32(y_true), F32(y_pred)])
    np.testing.assert_allclose(value, N(fn(F32(y_true), F32(y_pred), **kwargs)), rtol=1e-6)


@pytest.mark.parametrize("label_shape, ignore_class", [((), None), ((1,), 2)])
def test_sparse_crossentropy_on_symbolic_integer_labels(label_shape, ignore_class):
    labels, logits = K.Input(label_shape, dtype="int32"), K.Input((3,))
    loss = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True,
                                                  ignore_class=ignore_class)
    assert K.int_shape(loss) == (None,)
    feed = ref.LABELS.reshape((4,) + label_shape).astype("int32")
    value = K.function([labels, logits], loss)([feed, F32(ref.LOGITS)])
    np.testing.assert_allclose(value, ref.sparse_categorical_crossentropy(
        ref.LABELS, ref.LOGITS, from_logits=True, ignore_class=ignore_class), rtol=2e-5)


# -- errors -------------------------------------------------------------------------------
def test_one_hot_loss_with_integer_shaped_labels_names_both_shapes():
    with pytest.raises(ValueError) as info:
        losses.categorical_crossentropy(K.Input((1,)), K.Input((10,)))
    assert str(info.value) == (
        "categorical_crossentropy expects y_true and y_pred of the same shape. Received "
        "y_true shape (None, 1) and y_pred shape (None, 10). For integer labels use "
        "sparse_categorical_crossentropy.")
    with pytest.raises(ValueError, match=r"categorical_focal_crossentropy .*\(4, 1\).*\(4, 3\)"):
        losses.categorical_focal_crossentropy(F32(ref.LABELS[:, None]), F32(ref.PROBS))


def test_sparse_loss_with_one_hot_shaped_labels_names_both_shapes():
    with pytest.raises(ValueError) as info:
        losses.sparse_categorical_crossentropy(K.Input((10,)), K.Input((10,)))
    assert str(info.value) == (
        "sparse_categorical_crossentropy expects integer labels y_true of shape (None,) or "
        "(None, 1) for y_pred shape (None, 10). Received y_true shape (None, 10). For "
        "one-hot labels use categorical_crossentropy.")
    with pytest.raises(ValueError, match=r"y_true shape \(4, 2\)"):
        losses.sparse_categorical_crossentropy(np.zeros((4, 2), "int32"), F32(ref.PROBS))
    with pytest.raises(ValueError, match=r"y_pred of rank 1 or more.*Received y_pred shape \(\)"):
        losses.sparse_categorical_crossentropy(np.zeros((), "int32"), np.float32(0.5))


@pytest.mark.parametrize("fn", [losses.mean_squared_error, losses.huber, losses.hinge,
                                losses.binary_crossentropy, losses.categorical_hinge])
def test_shapes_that_cannot_broadcast_name_the_loss(fn):
    with pytest.raises(ValueError) as info:
        fn(K.Input((3,)), K.Input((4,)))
    message = str(info.value)
    assert message.startswith(fn.__name__ + " expects y_true and y_pred of")
    assert "Received y_true shape (None, 3) and y_pred shape (None, 4)." in message
    with pytest.raises(ValueError, match=r"Received y_true shape \(4,\) and y_pred shape \(4, 3\)"):
        fn(F32(ref.REG_TRUE[:, 0]), F32(ref.REG_PRED))


def test_binary_and_categorical_losses_need_equal_shapes_but_regression_broadcasts():
    with pytest.raises(ValueError, match="binary_crossentropy expects y_true and y_pred of the "
                                         "same shape"):
        losses.binary_crossentropy(F32(ref.BINARY[:1]), F32(ref.BINARY_PROBS))
    broadcast = losses.mean_squared_error(F32(ref.REG_TRUE[:1]), F32(ref.REG_PRED))
    np.testing.assert_allclose(N(broadcast), ref.mse(ref.REG_TRUE[:1], ref.REG_PRED), rtol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: losses.binary_crossentropy(ref.BINARY, ref.BINARY_PROBS, label_smoothing=1.5),
     r"binary_crossentropy: label_smoothing must be a float in \[0, 1\]. Received "
     r"label_smoothing=1.5"),
    (lambda: losses.categorical_crossentropy(ref.ONE_HOT, ref.PROBS, label_smoothing="0.1"),
     r"categorical_crossentropy: label_smoothing must be a float in \[0, 1\]"),
    (lambda: losses.categorical_crossentropy(ref.ONE_HOT, ref.PROBS, axis=True),
     r"categorical_crossentropy: axis must be an int. Received axis=True"),
    (lambda: losses.cosine_similarity(ref.REG_TRUE, ref.REG_PRED, axis=None),
     r"cosine_similarity: axis must be an int. Received axis=None"),
    (lambda: losses.binary_focal_crossentropy(ref.BINARY, ref.BINARY_PROBS, alpha=2.0),
     r"binary_focal_crossentropy: alpha must be a float in \[0, 1\]. Received alpha=2.0"),
    (lambda: losses.sparse_categorical_crossentropy(ref.LABELS, ref.PROBS, ignore_class=1.5),
     r"sparse_categorical_crossentropy: ignore_class must be an int or None. Received "
     r"ignore_class=1.5"),
    (lambda: losses.huber(ref.REG_TRUE, ref.REG_PRED, delta=-1.0),
     r"huber: delta must be a finite float >= 0. Received delta=-1.0"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_single_class_predictions_warn_towards_binary_crossentropy():
    with pytest.warns(UserWarning, match=r"categorical_crossentropy expects y_pred of shape "
                                         r"\(batch_size, num_classes\).*\(4, 1\)"):
        losses.categorical_crossentropy(F32(ref.BINARY[:, :1]), F32(ref.BINARY_PROBS[:, :1]))
