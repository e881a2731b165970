"""Variables: construction, values, assignment, operators, use in every K function,
VariableScope binding, and the engines' storage (jit tracing on JAX, autograd on torch).
"""

import numpy as np
import pytest

from lamina import backend as K
from lamina import ops as O


def N(x):
    return np.asarray(K.convert_to_numpy(x))


# -- construction ---------------------------------------------------------------------
def test_dtype_rules():
    assert K.Variable([1.0, 2.0]).dtype == "float32"
    assert K.Variable(np.zeros(2, "float64")).dtype == "float32"  # floats take floatx
    assert K.Variable(np.zeros(2, "float16")).dtype == "float16"
    assert K.Variable(np.zeros(2, "int32")).dtype == "int32"
    assert K.Variable(3).dtype in ("int32", "int64")
    assert K.Variable(np.array([True])).dtype == "bool"
    assert K.Variable([1, 2], dtype="float32").dtype == "float32"
    assert K.Variable(np.zeros(2, "float32"), dtype="float64").dtype == "float64"
    assert K.dtype(K.Variable([1.0], dtype="float16").value) == "float16"


def test_callable_initial_value_trainable_and_name():
    v = K.Variable(lambda: np.ones((2, 3), "float32"), trainable=False, name="kernel")
    assert v.shape == (2, 3) and v.ndim == 2 and v.dtype == "float32"
    assert v.trainable is False
    assert v.name == "kernel"
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3)))
    w = K.Variable(K.zeros(2))
    assert w.trainable is True
    assert w.name != K.Variable(K.zeros(2)).name  # automatic names are distinct
    w.trainable = False
    assert not w.trainable


def test_initial_value_from_another_variable_is_a_copy():
    a = K.Variable([1.0, 2.0])
    b = K.Variable(a)
    a.assign([5.0, 5.0])
    np.testing.assert_array_equal(b.numpy(), [1.0, 2.0])


def test_symbolic_initial_value_is_rejected():
    with pytest.raises(TypeError, match="concrete"):
        K.Variable(K.Input((2,)))


def test_value_numpy_and_asarray():
    v = K.Variable(np.arange(6, dtype="float32").reshape(2, 3))
    assert K.is_tensor(v.value)
    assert K.shape(v.value) == (2, 3)
    n = v.numpy()
    assert isinstance(n, np.ndarray) and n.dtype == np.float32
    n[0, 0] = 100.0  # a copy: the Variable does not change
    assert v.numpy()[0, 0] == 0.0
    np.testing.assert_array_equal(np.asarray(v), np.arange(6).reshape(2, 3))
    assert np.asarray(v, dtype="float64").dtype == np.float64
    assert float(K.Variable(2.5)) == 2.5 and int(K.Variable(3)) == 3
    assert len(v) == 2


# -- assignment ----------------------------------------------------------------------------
def test_assign_assign_add_assign_sub():
    v = K.Variable([1.0, 2.0])
    assert v.assign([3.0, 4.0]) is v
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [4.0, 5.0])
    v.assign_sub(K.ones(2))
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    v.assign(K.Variable([7.0, 8.0]))
    np.testing.assert_array_equal(v.numpy(), [7.0, 8.0])
    assert v.dtype == "float32" and K.dtype(v.value) == "float32"


def test_assign_casts_to_the_variable_dtype():
    v = K.Variable(np.zeros(2, "int32"))
    v.assign([1, 2])
    assert K.dtype(v.value) == "int32"
    f = K.Variable(np.zeros(2, "float32"))
    f.assign(np.array([1, 2], "int32"))
    assert K.dtype(f.value) == "float32"
    np.testing.assert_array_equal(f.numpy(), [1.0, 2.0])


def test_assign_with_a_different_shape_is_an_error():
    v = K.Variable(np.zeros((2, 3), "float32"), name="w")
    with pytest.raises(ValueError, match=r"'w'.*\(3, 2\).*\(2, 3\)"):
        v.assign(np.zeros((3, 2), "float32"))
    np.testing.assert_array_equal(v.numpy(), np.zeros((2, 3)))


# -- operators -------------------------------------------------------------------------------
V = np.array([[1.0, -2.0], [3.0, 4.0]], "float32")


@pytest.mark.parametrize("op,expected", [
    (lambda v: v + 1, V + 1), (lambda v: 1 + v, 1 + V), (lambda v: v - 1.5, V - 1.5),
    (lambda v: 2 - v, 2 - V), (lambda v: v * 2, V * 2), (lambda v: V * v, V * V),
    (lambda v: v / 2, V / 2), (lambda v: 1 / v, 1 / V), (lambda v: v ** 2, V ** 2),
    (lambda v: v // 2, V // 2), (lambda v: v % 2, V % 2), (lambda v: v @ V, V @ V),
    (lambda v: V @ v, V @ V), (lambda v: v @ v, V @ V), (lambda v: -v, -V),
    (lambda v: abs(v), abs(V)), (lambda v: v + v, V + V),
    (lambda v: v < 2, V < 2), (lambda v: v <= 1, V <= 1), (lambda v: v > 0, V > 0),
    (lambda v: v >= 3, V >= 3), (lambda v: v == 4, V == 4), (lambda v: v != 4, V != 4),
    (lambda v: v[0], V[0]), (lambda v: v[:, 1], V[:, 1]), (lambda v: v[::-1, None], V[::-1, None]),
], ids=["add", "radd", "sub", "rsub", "mul", "array-mul", "div", "rdiv", "pow", "floordiv",
        "mod", "matmul", "rmatmul", "matmul-self", "neg", "abs", "var-var", "lt", "le", "gt",
        "ge", "eq", "ne", "index", "slice", "reverse-newaxis"])
def test_operators(op, expected):
    v = K.Variable(V)
    out = op(v)
    assert K.is_tensor(out) and not isinstance(out, K.Variable)
    assert K.dtype(out) == ("bool" if expected.dtype == bool else "float32")
    np.testing.assert_allclose(N(out), expected, rtol=1e-6)


def test_operators_with_int_variables_keep_int_dtype():
    v = K.Variable(np.array([1, 2], "int32"))
    assert K.dtype(v + 1) == "int32"
    assert K.dtype(v * 2.5) == "float32"


# -- every K function accepts a Variable ---------------------------------------------------
FUNCTIONS = [
    ("exp", lambda v: O.exp(v), lambda a: np.exp(a)),
    ("sum", lambda v: O.sum(v, axis=0), lambda a: a.sum(0)),
    ("mean", lambda v: O.mean(v), lambda a: a.mean()),
    ("matmul", lambda v: O.matmul(v, v), lambda a: a @ a),
    ("dot", lambda v: K.dot(v, K.ones((2, 3))), lambda a: a @ np.ones((2, 3))),
    ("add", lambda v: O.add(v, v), lambda a: a + a),
    ("maximum", lambda v: O.maximum(v, 0.0), lambda a: np.maximum(a, 0)),
    ("where", lambda v: O.where(O.greater(v, 0.0), v, 0.0), lambda a: np.where(a > 0, a, 0)),
    ("reshape", lambda v: O.reshape(v, (4,)), lambda a: a.reshape(4)),
    ("transpose", lambda v: O.transpose(v), lambda a: a.T),
    ("concatenate", lambda v: O.concatenate([v, v], axis=0), lambda a: np.concatenate([a, a])),
    ("stack", lambda v: O.stack([v, v]), lambda a: np.stack([a, a])),
    ("einsum", lambda v: O.einsum("ij,jk->ik", v, v), lambda a: a @ a),
    ("take", lambda v: O.take(v, [1, 0], axis=1), lambda a: a[:, [1, 0]]),
    ("get_item", lambda v: O.get_item(v, (0, 1)), lambda a: a[0, 1]),
    ("cast", lambda v: O.cast(v, "int32"), lambda a: a.astype("int32")),
    ("clip", lambda v: O.clip(v, -1.0, 1.0), lambda a: np.clip(a, -1, 1)),
    ("slice_update", lambda v: O.slice_update(v, (0, 0), K.zeros((1, 2))),
     lambda a: np.concatenate([np.zeros((1, 2)), a[1:]])),
    ("convert_to_tensor", lambda v: K.convert_to_tensor(v), lambda a: a),
    ("convert_to_numpy", lambda v: K.convert_to_numpy(v), lambda a: a),
    ("shape", lambda v: np.array(K.shape(v)), lambda a: np.array(a.shape)),
    ("stop_gradient", lambda v: O.stop_gradient(v), lambda a: a),
    ("top_k", lambda v: O.top_k(v, 1)[0], lambda a: np.sort(a, axis=-1)[:, -1:]),
    ("scan", lambda v: O.scan(lambda c, x: (c + x, x), K.zeros(2), v)[0], lambda a: a.sum(0)),
]


def _param(f):
    return f if hasattr(f, "marks") else pytest.param(*f)


@pytest.mark.parametrize("name,fn,ref", [_param(f) for f in FUNCTIONS],
                         ids=[_param(f).values[0] for f in FUNCTIONS])
def test_k_functions_accept_variables(name, fn, ref):
    v = K.Variable(V)
    np.testing.assert_allclose(N(fn(v)), ref(V), rtol=1e-6)


def test_dtype_and_ndim_of_a_variable():
    v = K.Variable(V)
    assert K.dtype(v) == "float32" and K.ndim(v) == 2 and K.shape(v) == (2, 2)


# -- VariableScope ------------------------------------------------------------------------------
def test_scope_binds_reads_and_collects_assignments():
    a, b = K.Variable([1.0, 2.0]), K.Variable([10.0])
    with K.VariableScope({a: K.convert_to_tensor(np.array([5.0, 6.0], "float32"))}) as scope:
        np.testing.assert_array_equal(N(a + 0.0), [5.0, 6.0])  # the bound value
        np.testing.assert_array_equal(N(b.value), [10.0])  # unbound: the stored value
        a.assign_add([1.0, 1.0])
        np.testing.assert_array_equal(N(a.value), [6.0, 7.0])  # reads see the new value
        a.assign_add([1.0, 1.0])
    assert len(scope.assigned) == 1 and scope.assigned[0] is a
    np.testing.assert_array_equal(N(scope.values[a]), [7.0, 8.0])
    np.testing.assert_array_equal(a.numpy(), [1.0, 2.0])  # storage untouched
    np.testing.assert_array_equal(b.numpy(), [10.0])


def test_scope_collects_several_assigned_variables():
    a, b = K.Variable([1.0, 2.0]), K.Variable([10.0, 20.0])
    with K.VariableScope() as scope:
        a.assign([3.0, 4.0])
        b.assign([0.0, 0.0])
    assert [id(v) for v in scope.assigned] == [id(a), id(b)]
    np.testing.assert_array_equal(N(scope.values[b]), [0.0, 0.0])


def test_scope_keeps_a_variable_whose_value_equals_another():
    a, b = K.Variable([1.0]), K.Variable([1.0])
    with K.VariableScope() as scope:
        a.assign([1.0])
        b.assign([5.0])  # b == a element-wise when compared: b must still be collected
    assert any(v is b for v in scope.assigned)
    np.testing.assert_array_equal(N(scope.values[b]), [5.0])


def test_nested_scopes_restore_the_outer_one():
    v = K.Variable([1.0])
    with K.VariableScope({v: K.zeros(1)}):
        with K.VariableScope({v: K.ones(1)}) as inner:
            assert float(N(v.value)[0]) == 1.0
            v.assign([3.0])
        assert float(N(v.value)[0]) == 0.0
    assert float(v.numpy()[0]) == 1.0
    assert len(inner.assigned) == 1 and inner.assigned[0] is v


def test_scope_checks_shapes_too():
    v = K.Variable(np.zeros(2, "float32"), name="bias")
    with K.VariableScope():
        with pytest.raises(ValueError, match="bias"):
            v.assign(np.zeros(3, "float32"))


# -- engines ----------------------------------------------------------------------------------
@pytest.mark.skipif(K.backend() != "jax", reason="jit tracing is JAX's")
def test_jax_jit_binds_variables_to_traced_values():
    import jax

    w = K.Variable(np.array([1.0, 2.0], "float32"))

    @jax.jit
    def update(w_value, x):
        with K.VariableScope({w: w_value}) as scope:
            loss = O.sum(w * x)
            w.assign_sub(0.1 * x)
        return loss, scope.values[w]

    loss, new_w = update(w.value, K.convert_to_tensor(np.ones(2, "float32")))
    np.testing.assert_allclose(N(loss), 3.0)
    np.testing.assert_allclose(N(new_w), [0.9, 1.9], rtol=1e-6)
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])  # storage untouched until assigned
    w.assign(new_w)
    np.testing.assert_allclose(w.numpy(), [0.9, 1.9], rtol=1e-6)


@pytest.mark.skipif(K.backend() != "jax", reason="jit tracing is JAX's")
def test_jax_jit_collects_several_variables():
    import jax

    w = K.Variable(np.array([1.0, 2.0], "float32"))
    step = K.Variable(np.array(0, "int32"))

    @jax.jit
    def update(w_value, step_value):
        with K.VariableScope({w: w_value, step: step_value}) as scope:
            w.assign_sub(K.ones(2))
            step.assign_add(1)
        return scope.values[w], scope.values[step]

    new_w, new_step = update(w.value, step.value)
    np.testing.assert_allclose(N(new_w), [0.0, 1.0])
    assert int(N(new_step)) == 1


@pytest.mark.skipif(K.backend() != "torch", reason="Parameters and autograd are torch's")
def test_torch_storage_is_a_parameter_and_autograd_flows():
    import torch

    w = K.Variable(np.array([[1.0, 2.0], [3.0, 4.0]], "float32"))
    assert isinstance(w.value, torch.nn.Parameter)
    assert w.value.requires_grad
    frozen = K.Variable(np.ones(2, "float32"), trainable=False)
    assert not frozen.value.requires_grad
    counter = K.Variable(np.array([0], "int32"))
    assert not counter.value.requires_grad
    x = torch.tensor([[1.0, 1.0]])
    loss = O.sum(O.matmul(x, w) ** 2)
    loss.backward()
    expected = 2 * np.array([[4.0, 6.0], [4.0, 6.0]])
    np.testing.assert_allclose(w.value.grad.numpy(), expected)
    w.assign_sub(w.value.grad * 0.01)
    assert isinstance(w.value, torch.nn.Parameter)
    np.testing.assert_allclose(w.numpy(), [[0.92, 1.88], [2.92, 3.88]], rtol=1e-6)


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
def test_gradient_with_respect_to_a_variable():
    w = K.Variable(np.array([1.0, -2.0], "float32"))
    grad = K.grad(lambda v: O.sum(v * v))(w)
    np.testing.assert_allclose(N(grad), [2.0, -4.0])


def test_a_graph_reads_a_variable_when_it_runs_not_when_it_is_recorded():
    from lamina.backend import symbolic
    v = K.Variable([1.0, 2.0])
    x = K.Input((2,))
    y = K.multiply(x, v)
    v.assign([10.0, 20.0])
    out = symbolic.evaluate(y, {x: np.ones((1, 2), "float32")})
    assert K.convert_to_numpy(out).tolist() == [[10.0, 20.0]]
