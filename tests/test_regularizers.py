"""lamina.regularizers against NumPy formulas; gradients of the penalties; get() with
every identifier kind (custom callables included); config round trips."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import regularizers

W = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def np_orthogonal(w, factor, mode):
    m = w if mode == "rows" else w.T
    m = m / np.linalg.norm(m, axis=1, keepdims=True)
    p = m @ m.T
    n = p.shape[0]
    return factor * np.abs(p - np.diag(np.diag(p))).sum() / (n * (n - 1))


CASES = [
    (regularizers.L1(0.3), lambda w: 0.3 * np.abs(w).sum()),
    (regularizers.L1(), lambda w: 0.01 * np.abs(w).sum()),
    (regularizers.L2(0.3), lambda w: 0.3 * np.square(w).sum()),
    (regularizers.L2(), lambda w: 0.01 * np.square(w).sum()),
    (regularizers.L1L2(l1=0.2, l2=0.7), lambda w: 0.2 * np.abs(w).sum() + 0.7 * np.square(w).sum()),
    (regularizers.L1L2(l2=0.7), lambda w: 0.7 * np.square(w).sum()),
    (regularizers.L1L2(), lambda w: 0.0),
    (regularizers.OrthogonalRegularizer(0.5), lambda w: np_orthogonal(w, 0.5, "rows")),
    (regularizers.OrthogonalRegularizer(2.0, mode="columns"),
     lambda w: np_orthogonal(w, 2.0, "columns")),
]


@pytest.mark.parametrize("regularizer, reference", CASES, ids=[repr(c[0]) for c in CASES])
def test_penalty_matches_numpy(regularizer, reference):
    for w in (K.convert_to_tensor(W), K.Variable(W)):
        penalty = regularizer(w)
        assert K.shape(penalty) == () and K.dtype(penalty) == "float32"
        np.testing.assert_allclose(float(to_np(penalty)), reference(W.astype("float64")),
                                   rtol=1e-5, atol=1e-7)


def test_orthogonal_regularizer_is_zero_for_orthogonal_rows_and_checks_rank():
    orthonormal_columns = K.convert_to_tensor(np.eye(5, 3, dtype="float32"))
    assert float(to_np(regularizers.OrthogonalRegularizer(1.0, "columns")(orthonormal_columns))) == 0.0
    with pytest.raises(ValueError, match=r"OrthogonalRegularizer.*rank 2.*\(2, 2, 2\)"):
        regularizers.OrthogonalRegularizer()(K.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="mode must be 'rows' or 'columns'.*'diagonal'"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize("cls, arg", [(regularizers.L1, "l1"), (regularizers.L2, "l2"),
                                      (regularizers.L1L2, "l1")])
def test_negative_or_non_numeric_factors_are_rejected(cls, arg):
    for bad in (-0.1, "0.1", float("nan")):
        with pytest.raises(ValueError, match=f"{arg} must be a finite float >= 0"):
            cls(**{arg: bad})


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
def test_l1l2_gradient_is_the_formula():
    grad = K.grad(lambda w: regularizers.L1L2(l1=0.1, l2=0.5)(w))(K.convert_to_tensor(W))
    np.testing.assert_allclose(to_np(grad), 0.1 * np.sign(W) + 2 * 0.5 * W, rtol=1e-5)


def test_symbolic_weight_gives_symbolic_scalar():
    penalty = regularizers.L2(0.1)(K.Input((3,)))
    assert K.is_keras_tensor(penalty) and K.int_shape(penalty) == ()


# -- get, serialize ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("l1", regularizers.L1), ("L1", regularizers.L1), ("l2", regularizers.L2),
    ("L2", regularizers.L2), ("l1_l2", regularizers.L1L2), ("L1L2", regularizers.L1L2),
    ("orthogonal_regularizer", regularizers.OrthogonalRegularizer),
    ("OrthogonalRegularizer", regularizers.OrthogonalRegularizer)])
def test_get_by_name(name, cls):
    assert type(regularizers.get(name)) is cls


def test_aliases_are_the_classes():
    assert regularizers.l1 is regularizers.L1 and regularizers.l2 is regularizers.L2
    assert regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.orthogonal_regularizer is regularizers.OrthogonalRegularizer


def test_get_other_identifier_kinds():
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.5)
    assert regularizers.get(reg) is reg
    assert type(regularizers.get(regularizers.L1)) is regularizers.L1
    got = regularizers.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}})
    assert isinstance(got, regularizers.L1L2) and (got.l1, got.l2) == (0.1, 0.2)


def test_any_callable_is_a_regularizer():
    def max_abs(w):
        return K.max(K.abs(w))
    assert regularizers.get(max_abs) is max_abs
    assert float(to_np(regularizers.get(max_abs)(K.convert_to_tensor(W)))) == pytest.approx(
        float(np.abs(W).max()))


def test_get_unknown_name_lists_the_known_names():
    with pytest.raises(ValueError) as info:
        regularizers.get("l3")
    message = str(info.value)
    assert "lamina.regularizers" in message and "'l3'" in message
    assert "l1_l2" in message and "OrthogonalRegularizer" in message
    with pytest.raises(ValueError, match=r"regularizers.get.*0.5.*Known names"):
        regularizers.get(0.5)


@pytest.mark.parametrize("regularizer", [c[0] for c in CASES], ids=repr)
def test_config_round_trip(regularizer):
    config = regularizer.get_config()
    rebuilt = type(regularizer).from_config(config)
    assert rebuilt.get_config() == config
    again = regularizers.deserialize(regularizers.serialize(regularizer))
    assert type(again) is type(regularizer) and again.get_config() == config
    np.testing.assert_allclose(to_np(rebuilt(K.convert_to_tensor(W))),
                               to_np(regularizer(K.convert_to_tensor(W))))


def test_custom_subclass_through_custom_objects():
    class Scaled(regularizers.Regularizer):
        def __init__(self, k=1.0):
            self.k = k

        def __call__(self, x):
            return K.multiply(K.sum(x), self.k)

        def get_config(self):
            return {"k": self.k}

    config = regularizers.serialize(Scaled(3.0))
    got = regularizers.deserialize(config, custom_objects={"Scaled": Scaled})
    assert float(to_np(got(K.ones((2, 2))))) == 12.0
    assert regularizers.Regularizer().get_config() == {}  # no constructor arguments
