"""K.grad and K.value_and_grad against central finite differences (float64).

On jax and torch the gradients of several functions (a polynomial, exp/log,
matmul + tanh, a softmax written with K.exp/K.sum) must match finite differences,
for plain arrays, Variables (passed in, read from a closure) and lists and dicts
of them, with ``argnums`` an int or a tuple and with ``has_aux``. On numpy both
functions raise NotImplementedError naming the engines that can differentiate.
"""

import numpy as np
import pytest

from lamina import backend as K

ENGINE = K.backend()
needs_autodiff = pytest.mark.skipif(ENGINE == "numpy", reason="numpy has no autodiff")

RNG = np.random.default_rng(1234)
X = RNG.standard_normal((3, 4))
W = RNG.standard_normal((4, 2))
V = RNG.standard_normal(5)


def t(a):
    """A float64 engine tensor."""
    return K.convert_to_tensor(np.asarray(a, dtype="float64"))


def to_np(x):
    return np.asarray(K.convert_to_numpy(x), dtype="float64")


def numeric_grad(fn, args, i, h=1e-6):
    """Central finite differences of the scalar ``fn(*tensors)`` w.r.t. ``args[i]`` (NumPy)."""
    args = [np.asarray(a, dtype="float64") for a in args]
    out = np.zeros_like(args[i])
    for idx in np.ndindex(args[i].shape):
        values = []
        for step in (h, -h):
            shifted = [a.copy() for a in args]
            shifted[i][idx] += step
            values.append(float(to_np(fn(*[t(a) for a in shifted]))))
        out[idx] = (values[0] - values[1]) / (2 * h)
    return out


def assert_close(actual, expected):
    np.testing.assert_allclose(to_np(actual), expected, rtol=1e-5, atol=1e-7)


# Functions of K tensors, each returning a scalar.
def polynomial(x):
    return K.sum(3.0 * x * x * x - 2.0 * x * x + x - 1.0)


def exp_log(x):
    return K.sum(K.log(1.0 + K.exp(x)) * x)


def matmul_tanh(x, w):
    return K.sum(K.tanh(K.matmul(x, w)) * K.tanh(K.matmul(x, w)))


def log_softmax_first(v):
    e = K.exp(v - 0.5)
    return K.log(e[0] / K.sum(e))


def softmax_weighted(v):
    e = K.exp(v)
    weights = t(np.arange(1.0, 6.0))
    return K.sum(e / K.sum(e) * weights)


ONE_ARG = [(polynomial, X), (exp_log, X), (log_softmax_first, V), (softmax_weighted, V)]
IDS = ["polynomial", "exp_log", "log_softmax", "softmax_weighted"]


@needs_autodiff
@pytest.mark.parametrize("fn,x", ONE_ARG, ids=IDS)
def test_grad_matches_finite_differences(fn, x):
    g = K.grad(fn)(t(x))
    assert tuple(K.shape(g)) == x.shape
    assert_close(g, numeric_grad(fn, [x], 0))


@needs_autodiff
@pytest.mark.parametrize("fn,x", ONE_ARG, ids=IDS)
def test_value_and_grad_returns_the_value_and_the_gradient(fn, x):
    value, g = K.value_and_grad(fn)(t(x))
    assert float(to_np(value)) == pytest.approx(float(to_np(fn(t(x)))), rel=1e-12)
    assert_close(g, numeric_grad(fn, [x], 0))


@needs_autodiff
def test_gradient_keeps_float64():
    g = K.grad(exp_log)(t(X))
    assert K.convert_to_numpy(g).dtype == np.float64


@needs_autodiff
def test_argnums_int_selects_one_argument():
    g_w = K.grad(matmul_tanh, argnums=1)(t(X), t(W))
    assert tuple(K.shape(g_w)) == W.shape
    assert_close(g_w, numeric_grad(matmul_tanh, [X, W], 1))
    g_x = K.grad(matmul_tanh)(t(X), t(W))
    assert_close(g_x, numeric_grad(matmul_tanh, [X, W], 0))


@needs_autodiff
def test_argnums_tuple_gives_a_tuple_of_gradients():
    value, grads = K.value_and_grad(matmul_tanh, argnums=(0, 1))(t(X), t(W))
    assert isinstance(grads, tuple) and len(grads) == 2
    assert float(to_np(value)) == pytest.approx(float(to_np(matmul_tanh(t(X), t(W)))))
    assert_close(grads[0], numeric_grad(matmul_tanh, [X, W], 0))
    assert_close(grads[1], numeric_grad(matmul_tanh, [X, W], 1))
    (g_w,) = K.grad(matmul_tanh, argnums=(1,))(t(X), t(W))
    assert_close(g_w, numeric_grad(matmul_tanh, [X, W], 1))


@needs_autodiff
def test_has_aux_returns_the_auxiliary_output():
    def fn(x):
        loss = polynomial(x)
        return loss, {"mean": K.mean(x), "loss_twice": 2.0 * loss}

    (value, aux), g = K.value_and_grad(fn, has_aux=True)(t(X))
    assert float(to_np(value)) == pytest.approx(float(to_np(polynomial(t(X)))))
    assert float(to_np(aux["mean"])) == pytest.approx(X.mean())
    assert float(to_np(aux["loss_twice"])) == pytest.approx(2 * float(to_np(value)))
    assert_close(g, numeric_grad(polynomial, [X], 0))

    g2, aux2 = K.grad(fn, has_aux=True)(t(X))
    assert_close(g2, numeric_grad(polynomial, [X], 0))
    assert float(to_np(aux2["mean"])) == pytest.approx(X.mean())


@needs_autodiff
def test_has_aux_with_argnums_tuple():
    def fn(x, w):
        return matmul_tanh(x, w), K.matmul(x, w)

    (grads, aux) = K.grad(fn, argnums=(0, 1), has_aux=True)(t(X), t(W))
    assert_close(aux, X @ W)
    assert_close(grads[1], numeric_grad(matmul_tanh, [X, W], 1))


# -- Variables ------------------------------------------------------------------
def variable(value, **kwargs):
    return K.Variable(np.asarray(value, dtype="float64"), dtype="float64", **kwargs)


@needs_autodiff
def test_gradient_with_respect_to_a_variable_argument():
    w = variable(W)
    value, g = K.value_and_grad(lambda w_: matmul_tanh(t(X), w_))(w)
    assert tuple(K.shape(g)) == W.shape
    assert float(to_np(value)) == pytest.approx(float(to_np(matmul_tanh(t(X), t(W)))))
    assert_close(g, numeric_grad(matmul_tanh, [X, W], 1))
    np.testing.assert_array_equal(w.numpy(), W)  # differentiating does not change the weight


@needs_autodiff
def test_gradient_of_a_variable_read_from_a_closure_and_passed_as_argument():
    w = variable(W)

    def loss(_):  # reads the layer's weight `w` itself, like a layer's call() does
        return matmul_tanh(t(X), w)

    g = K.grad(loss)(w)
    assert_close(g, numeric_grad(matmul_tanh, [X, W], 1))


@needs_autodiff
def test_closure_variable_not_passed_is_a_constant():
    w = variable(W)
    g = K.grad(lambda x: matmul_tanh(x, w))(t(X))
    assert_close(g, numeric_grad(matmul_tanh, [X, W], 0))
    assert w.numpy().tolist() == W.tolist()


@needs_autodiff
def test_gradient_with_respect_to_a_list_of_variables():
    w, b = variable(W), variable(np.array([0.3, -0.2]))

    def loss(params):
        w_, b_ = params
        return K.sum(K.tanh(K.matmul(t(X), w_) + b_))

    def reference(w_, b_):
        return K.sum(K.tanh(K.matmul(t(X), w_) + b_))

    grads = K.grad(loss)([w, b])
    assert isinstance(grads, list) and len(grads) == 2
    assert_close(grads[0], numeric_grad(reference, [W, [0.3, -0.2]], 0))
    assert_close(grads[1], numeric_grad(reference, [W, [0.3, -0.2]], 1))


@needs_autodiff
def test_gradient_with_respect_to_a_dict_of_variables_mirrors_the_dict():
    params = {"kernel": variable(W), "bias": variable([0.1, 0.2])}

    def loss(p):
        return K.sum(K.exp(K.tanh(K.matmul(t(X), p["kernel"]) + p["bias"])))

    def reference(kernel, bias):
        return K.sum(K.exp(K.tanh(K.matmul(t(X), kernel) + bias)))

    value, grads = K.value_and_grad(loss)(params)
    assert isinstance(grads, dict) and set(grads) == {"kernel", "bias"}
    assert tuple(K.shape(grads["kernel"])) == W.shape
    assert float(to_np(value)) == pytest.approx(float(to_np(reference(t(W), t([0.1, 0.2])))))
    assert_close(grads["kernel"], numeric_grad(reference, [W, [0.1, 0.2]], 0))
    assert_close(grads["bias"], numeric_grad(reference, [W, [0.1, 0.2]], 1))


@needs_autodiff
@pytest.mark.parametrize("as_variables", [True, False], ids=["variables", "arrays"])
def test_dict_keys_out_of_sorted_order_keep_their_values(as_variables):
    make = variable if as_variables else t
    params = {"b": make([1.0, 2.0]), "a": make([10.0, 20.0])}
    value, grads = K.value_and_grad(lambda p: K.sum(p["b"] * p["b"]) + K.sum(p["a"]))(params)
    assert float(to_np(value)) == pytest.approx(1 + 4 + 10 + 20)
    assert_close(grads["b"], [2.0, 4.0])
    assert_close(grads["a"], [1.0, 1.0])


@needs_autodiff
def test_list_mixing_a_variable_and_an_array():
    w = variable(W)
    grads = K.grad(lambda p: matmul_tanh(p[1], p[0]))([w, t(X)])
    assert_close(grads[0], numeric_grad(matmul_tanh, [X, W], 1))
    assert_close(grads[1], numeric_grad(matmul_tanh, [X, W], 0))


@needs_autodiff
def test_non_trainable_variable_passed_in_still_gets_a_gradient_and_stays_non_trainable():
    w = variable(W, trainable=False)
    g = K.grad(lambda w_: matmul_tanh(t(X), w_))(w)
    assert_close(g, numeric_grad(matmul_tanh, [X, W], 1))
    assert w.trainable is False
    # after differentiating, the frozen weight is still usable without autograd bookkeeping
    assert_close(K.matmul(t(X), w), X @ W)


@needs_autodiff
def test_unused_argument_gets_a_zero_gradient():
    grads = K.grad(lambda a, b: K.sum(a * a), argnums=(0, 1))(t(V), t(W))
    assert_close(grads[0], 2 * V)
    assert_close(grads[1], np.zeros_like(W))


@needs_autodiff
def test_repeated_gradient_calls_agree():
    w = variable(W)
    fn = K.grad(lambda w_: matmul_tanh(t(X), w_))
    np.testing.assert_allclose(to_np(fn(w)), to_np(fn(w)))


# -- numpy ----------------------------------------------------------------------
@pytest.mark.skipif(ENGINE != "numpy", reason="the numpy engine has no autodiff")
@pytest.mark.parametrize("function", ["grad", "value_and_grad"])
def test_numpy_engine_refuses_gradients_naming_jax_and_torch(function):
    with pytest.raises(NotImplementedError) as info:
        getattr(K, function)(polynomial)(t(X))
    message = str(info.value)
    assert "jax" in message and "torch" in message
    assert function in message


@needs_autodiff
def test_value_and_grad_keeps_assignments_to_other_variables():
    w = K.Variable([1.0, 2.0])
    total = K.Variable(0.0, trainable=False)

    def f(w):
        total.assign(total + K.sum(w))
        return K.sum(w * w)

    value, g = K.value_and_grad(f)(w)
    assert float(value) == 5.0 and K.convert_to_numpy(g).tolist() == [2.0, 4.0]
    assert float(total.numpy()) == 3.0


@pytest.mark.skipif(ENGINE != "jax", reason="jax.jit needs the jax engine")
def test_value_and_grad_inside_a_jitted_scope_returns_assignments_without_leaking():
    import jax
    w = K.Variable([1.0, 2.0])
    total = K.Variable(0.0, trainable=False)

    def f(w):
        total.assign(total + K.sum(w))
        return K.sum(w * w)

    def step(values):
        with K.VariableScope({w: values[0], total: values[1]}) as scope:
            _, g = K.value_and_grad(f)(w)
        return scope.values[total], g

    new_total, g = jax.jit(step)([w.value, total.value])
    assert float(new_total) == 3.0 and g.tolist() == [2.0, 4.0]
