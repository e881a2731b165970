"""Gradients of every loss class (with respect to the predictions) against
central finite differences of the NumPy reference formula, on jax and torch, computed
inside a compiled step as training computes them (one jit-compiled function on JAX)."""

import numpy as np
import numpy_losses as ref
import pytest

from lamina import backend as K
from lamina import losses
from finite_differences import finite_differences

pytestmark = pytest.mark.skipif(K.backend() == "numpy",
                                reason="the numpy engine has no gradients")

WEIGHTS = np.array([0.5, 2.0, 0.25, 1.0])


CASES = [
    (losses.MeanSquaredError, {}, ref.mse, ref.REG_TRUE, ref.REG_PRED),
    (losses.MeanAbsoluteError, {}, ref.mae, ref.REG_TRUE, ref.REG_PRED),
    (losses.MeanAbsolutePercentageError, {}, ref.mape, ref.REG_TRUE, ref.REG_PRED),
    (losses.MeanSquaredLogarithmicError, {}, ref.msle, ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
    (losses.Huber, {"delta": 0.8}, ref.huber, ref.REG_TRUE, ref.REG_PRED),
    (losses.LogCosh, {}, ref.log_cosh, ref.REG_TRUE, ref.REG_PRED),
    (losses.CosineSimilarity, {}, ref.cosine_similarity, ref.REG_TRUE, ref.REG_PRED),
    (losses.Hinge, {}, ref.hinge, ref.BINARY, ref.REG_PRED),
    (losses.SquaredHinge, {}, ref.squared_hinge, ref.SIGNS, ref.REG_PRED),
    (losses.CategoricalHinge, {}, ref.categorical_hinge, ref.ONE_HOT, ref.REG_PRED),
    (losses.KLDivergence, {}, ref.kl_divergence, ref.PROBS[::-1], ref.PROBS),
    (losses.Poisson, {}, ref.poisson, ref.POSITIVE_TRUE, ref.POSITIVE_PRED),
    (losses.BinaryCrossentropy, {}, ref.binary_crossentropy, ref.BINARY, ref.BINARY_PROBS),
    (losses.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.1},
     ref.binary_crossentropy, ref.BINARY, ref.REG_PRED),
    (losses.BinaryFocalCrossentropy, {"apply_class_balancing": True, "from_logits": True},
     ref.binary_focal_crossentropy, ref.BINARY, ref.REG_PRED),
    (losses.CategoricalCrossentropy, {"label_smoothing": 0.2}, ref.categorical_crossentropy,
     ref.ONE_HOT, ref.PROBS),
    (losses.CategoricalCrossentropy, {"from_logits": True}, ref.categorical_crossentropy,
     ref.ONE_HOT, ref.LOGITS),
    (losses.CategoricalFocalCrossentropy, {"from_logits": True}, ref.categorical_focal_crossentropy,
     ref.ONE_HOT, ref.LOGITS),
    (losses.SparseCategoricalCrossentropy, {"from_logits": True, "ignore_class": 1},
     ref.sparse_categorical_crossentropy, ref.LABELS, ref.LOGITS),
]


@pytest.mark.parametrize("cls, kwargs, reference, y_true, y_pred", CASES,
                         ids=[c[0].__name__ + "".join(f"-{k}" for k in c[1]) for c in CASES])
def test_gradient_matches_finite_differences(cls, kwargs, reference, y_true, y_pred):
    loss = cls(reduction="sum", **kwargs)
    labels = K.convert_to_tensor(y_true.astype("int32" if y_true.dtype.kind == "i" else "float32"))
    weights = K.convert_to_tensor(WEIGHTS.astype("float32"))
    step = K.engine.compile_step(
        lambda t, p, w: K.grad(lambda q: loss(t, q, sample_weight=w))(p), [],
        jit_compile="auto", differentiable=True)
    grad = step(labels, K.convert_to_tensor(y_pred.astype("float32")), weights)
    expected = finite_differences(lambda p: np.sum(reference(y_true, p, **kwargs) * WEIGHTS),
                                  y_pred)
    np.testing.assert_allclose(np.asarray(K.convert_to_numpy(grad)), expected, rtol=2e-4,
                               atol=2e-5)
