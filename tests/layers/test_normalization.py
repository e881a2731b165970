"""Normalization layers against NumPy re-computations: BatchNormalization (training,
inference, the moving-statistics update, masks, JAX's VariableScope under jit),
LayerNormalization, GroupNormalization, UnitNormalization; weights, symbolic
shapes, errors and config round trips."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers

RTOL, ATOL = 1e-4, 1e-5


def _np(x):
    return np.asarray(K.convert_to_numpy(x))


def _random(shape, seed=0, loc=0.0, scale=1.0):
    return np.random.default_rng(seed).normal(loc, scale, shape).astype("float32")


def _set(variable, value):
    variable.assign(np.asarray(value, dtype="float32"))


def _np_batch_norm(x, mean, var, axis, gamma, beta, eps):
    shape = [1] * x.ndim
    shape[axis] = -1
    r = lambda v: np.reshape(v, shape)  # noqa: E731
    return (x - r(mean)) / np.sqrt(r(var) + eps) * r(gamma) + r(beta)


# -- BatchNormalization ------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((6, 3), -1), ((2, 4, 6), 1), ((2, 4, 3, 6), -1)])
def test_batch_norm_training_uses_batch_statistics_and_updates_moving(shape, axis):
    x = _random(shape, seed=1, loc=2.0, scale=3.0)
    channels = shape[axis]
    bn = layers.BatchNormalization(axis=axis, momentum=0.9, epsilon=1e-3)
    bn.build(shape)
    gamma, beta = _random((channels,), 2) + 1.0, _random((channels,), 3)
    old_mean, old_var = _random((channels,), 4), np.abs(_random((channels,), 5)) + 0.5
    for v, value in zip((bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance),
                        (gamma, beta, old_mean, old_var)):
        _set(v, value)

    y = bn(K.convert_to_tensor(x), training=True)

    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    np.testing.assert_allclose(_np(y), _np_batch_norm(x, mean, var, axis, gamma, beta, 1e-3),
                               rtol=RTOL, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), old_mean * 0.9 + mean * 0.1,
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(bn.moving_variance.numpy(), old_var * 0.9 + var * 0.1,
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape,axis", [((6, 3), -1), ((2, 4, 6), 1)])
def test_batch_norm_inference_uses_moving_statistics_and_changes_nothing(shape, axis):
    x = _random(shape, seed=6)
    channels = shape[axis]
    bn = layers.BatchNormalization(axis=axis, epsilon=0.01)
    bn.build(shape)
    mm, mv = _random((channels,), 7), np.abs(_random((channels,), 8)) + 0.2
    gamma, beta = _random((channels,), 9), _random((channels,), 10)
    bn.set_weights([gamma, beta, mm, mv])
    expected = _np_batch_norm(x, mm, mv, axis, gamma, beta, 0.01)
    for training in (False, None):
        y = bn(K.convert_to_tensor(x), training=training)
        np.testing.assert_allclose(_np(y), expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mm)
    np.testing.assert_allclose(bn.moving_variance.numpy(), mv)


def test_batch_norm_defaults_start_as_identity_at_inference():
    bn = layers.BatchNormalization()
    assert (bn.axis, bn.momentum, bn.epsilon, bn.center, bn.scale) == (-1, 0.99, 1e-3, True, True)
    x = _random((6, 3), 11)
    np.testing.assert_allclose(_np(bn(K.convert_to_tensor(x))), x / np.sqrt(1 + 1e-3),
                               rtol=RTOL, atol=ATOL)


def test_batch_norm_repeated_training_steps_converge_to_data_statistics():
    x = _random((6, 3), 12, loc=5.0, scale=2.0)
    bn = layers.BatchNormalization(momentum=0.5)
    for _ in range(30):
        bn(K.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(0), rtol=1e-3)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x.var(0), rtol=1e-3)


def test_frozen_batch_norm_runs_in_inference_mode_even_when_training():
    bn = layers.BatchNormalization(momentum=0.5)
    x = _random((6, 3), 13, loc=4.0)
    bn.build(x.shape)
    bn.trainable = False
    y = bn(K.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(_np(y), x / np.sqrt(1 + 1e-3), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(bn.moving_mean.numpy(), np.zeros(3))


def test_batch_norm_weights_split_trainable_and_not():
    bn = layers.BatchNormalization()
    bn.build((None, 5))
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert all(w.shape == (5,) for w in bn.weights) and bn.count_params() == 20
    bare = layers.BatchNormalization(center=False, scale=False)
    bare.build((None, 3))
    assert (bare.gamma, bare.beta) == (None, None)
    assert len(bare.trainable_weights) == 0 and len(bare.non_trainable_weights) == 2
    x = _random((6, 3), 14)
    axes = (0,)
    y = bare(K.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(_np(y), (x - x.mean(axes)) / np.sqrt(x.var(axes) + 1e-3),
                               rtol=RTOL, atol=1e-4)


def test_batch_norm_initializers_and_regularizers():
    bn = layers.BatchNormalization(moving_mean_initializer="ones",
                                   moving_variance_initializer="zeros",
                                   gamma_initializer="zeros",
                                   gamma_regularizer="l2")
    bn.build((None, 2))
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(bn.moving_variance.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(bn.gamma.numpy(), [0.0, 0.0])
    assert len(bn.losses) == 1


@pytest.mark.parametrize("axis", [-1, 1])
def test_batch_norm_mask_keeps_masked_steps_out_of_statistics(axis):
    x = _random((2, 4, 6), 15, loc=1.0, scale=2.0)
    channels_last = np.moveaxis(x, 1, -1) if axis == 1 else x  # (batch, steps, channels)
    steps = channels_last.shape[1]
    mask = np.arange(steps)[None, :] < np.array([[2], [steps - 1]])  # (batch, steps)
    channels_last[~mask] = 100.0  # would dominate the statistics if counted
    x = np.ascontiguousarray(np.moveaxis(channels_last, -1, 1) if axis == 1 else channels_last)
    bn = layers.BatchNormalization(axis=axis, momentum=0.0)
    y = bn(K.convert_to_tensor(x), training=True, mask=K.convert_to_tensor(mask))
    kept = channels_last[mask]  # (kept steps, channels)
    mean, var = kept.mean(0), kept.var(0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-4, atol=1e-4)
    y_last = np.moveaxis(_np(y), 1, -1) if axis == 1 else _np(y)
    np.testing.assert_allclose(y_last[mask], (kept - mean) / np.sqrt(var + 1e-3),
                               rtol=1e-4, atol=1e-4)


def test_batch_norm_mask_of_wrong_rank_is_an_error_naming_the_layer():
    bn = layers.BatchNormalization(name="bn_mask")
    with pytest.raises(ValueError, match=r"bn_mask.*mask with one dimension less.*\(2, 4, 6\)"):
        bn(K.ones((2, 4, 6)), training=True, mask=K.ones((2, 4, 6)))


def test_batch_norm_constructor_errors():
    with pytest.raises(TypeError, match=r"BatchNormalization.*axis must be an int.*\[1, 2\]"):
        layers.BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match=r"BatchNormalization.*momentum.*1\.5"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match=r"BatchNormalization.*axis 3 is out of range.*rank 2"):
        layers.BatchNormalization(axis=3)(K.Input((4,)))
    with pytest.raises(ValueError, match=r"known size on axis 1.*\(None, None\)"):
        layers.BatchNormalization()(K.Input((None,)))


def test_batch_norm_rejects_inputs_of_another_channel_count_after_build():
    bn = layers.BatchNormalization(name="bn_spec")
    bn(K.ones((2, 3)))
    with pytest.raises(ValueError, match=r"bn_spec.*of 3.*\(2, 4\)"):
        bn(K.ones((2, 4)))


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
def test_batch_norm_gradients_reach_gamma_and_beta_in_training():
    x = _random((6, 3), 17, loc=1.0)
    c = _random((6, 3), 18)
    bn = layers.BatchNormalization()
    bn.build(x.shape)
    xt, ct = K.convert_to_tensor(x), K.convert_to_tensor(c)
    g_gamma, g_beta = K.grad(lambda g, b: K.sum(bn(xt, training=True) * ct),
                             argnums=(0, 1))(bn.gamma, bn.beta)
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(_np(g_gamma), (x_hat * c).sum(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(_np(g_beta), c.sum(0), rtol=1e-4, atol=1e-4)


@pytest.mark.skipif(K.backend() != "jax", reason="jit tracing is JAX's")
def test_jax_jit_variable_scope_collects_new_moving_statistics():
    import jax

    bn = layers.BatchNormalization(momentum=0.8)
    x = _random((6, 3), 19, loc=3.0)
    bn.build(x.shape)
    stored_mean, stored_var = bn.moving_mean.numpy(), bn.moving_variance.numpy()

    @jax.jit
    def step(inputs, mean, var):
        with K.VariableScope({bn.moving_mean: mean, bn.moving_variance: var}) as scope:
            outputs = bn(inputs, training=True)
        assert set(scope.assigned) == {bn.moving_mean, bn.moving_variance}
        return outputs, scope.values[bn.moving_mean], scope.values[bn.moving_variance]

    mean0, var0 = np.full(3, 0.5, "float32"), np.full(3, 2.0, "float32")
    y, new_mean, new_var = step(x, mean0, var0)
    np.testing.assert_allclose(_np(new_mean), mean0 * 0.8 + x.mean(0) * 0.2, rtol=RTOL)
    np.testing.assert_allclose(_np(new_var), var0 * 0.8 + x.var(0) * 0.2, rtol=RTOL)
    np.testing.assert_allclose(_np(y), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3),
                               rtol=RTOL, atol=1e-4)
    # The storage is untouched: the scope collected the assignments.
    np.testing.assert_array_equal(bn.moving_mean.numpy(), stored_mean)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), stored_var)
    # A second step on the collected values continues the running average.
    _, mean2, _ = step(x, new_mean, new_var)
    np.testing.assert_allclose(_np(mean2), _np(new_mean) * 0.8 + x.mean(0) * 0.2, rtol=RTOL)


def test_batch_norm_in_a_functional_model_follows_the_training_flag():
    from lamina.models.functional import Functional

    inputs = K.Input((3,))
    bn = layers.BatchNormalization(momentum=0.5)
    model = Functional(inputs, bn(inputs))
    x = _random((6, 3), 20, loc=2.0)
    model(K.convert_to_tensor(x), training=False)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3))
    y = model(K.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(0) * 0.5, rtol=RTOL)
    np.testing.assert_allclose(_np(y), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3),
                               rtol=RTOL, atol=1e-4)


def test_batch_norm_uses_the_mask_an_embedding_propagates_in_a_model():
    from lamina.models.functional import Functional

    inputs = K.Input((4,), dtype="int32")
    embedding = layers.Embedding(5, 3, mask_zero=True)
    bn = layers.BatchNormalization(momentum=0.0)
    outputs = bn(embedding(inputs))
    assert outputs._keras_mask is not None  # the mask passes through
    ids = np.array([[1, 2, 0, 0], [3, 4, 4, 0]], "int32")
    Functional(inputs, outputs)(K.convert_to_tensor(ids), training=True)
    kept = embedding.embeddings.numpy()[ids[ids > 0]]
    np.testing.assert_allclose(bn.moving_mean.numpy(), kept.mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), kept.var(0), rtol=1e-4, atol=1e-5)


# -- symbolic shapes -----------------------------------------------------------
@pytest.mark.parametrize("make,shape", [
    (lambda: layers.BatchNormalization(), (5, 4)),
    (lambda: layers.BatchNormalization(axis=1), (4, 6, 6)),
    (lambda: layers.LayerNormalization(axis=[-2, -1]), (5, 4)),
    (lambda: layers.GroupNormalization(groups=2), (7, 4)),
    (lambda: layers.GroupNormalization(groups=3, axis=1), (6, 5, 5)),
    (lambda: layers.UnitNormalization(), (None, 4)),
])
def test_symbolic_call_keeps_the_shape_with_unknown_batch(make, shape):
    layer = make()
    y = layer(K.Input(shape))
    assert y.shape == (None,) + shape
    assert layer.compute_output_shape((None,) + shape) == (None,) + shape


def test_symbolic_training_call_leaves_the_moving_statistics_alone():
    bn = layers.BatchNormalization()
    y = bn(K.Input((3,)), training=True)
    assert y.shape == (None, 3)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(bn.moving_variance.numpy(), np.ones(3))


# -- LayerNormalization ------------------------------------------------------
def _np_layer_norm(x, axes, gamma, beta, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@pytest.mark.parametrize("shape,axis", [((2, 4, 6), -1), ((2, 4, 6), [1, 2]), ((2, 4, 6), 1)])
def test_layer_norm_matches_numpy(shape, axis):
    x = _random(shape, 21, loc=1.0, scale=4.0)
    ln = layers.LayerNormalization(axis=axis, epsilon=1e-3)
    ln.build(shape)
    axes = tuple(a % len(shape) for a in ([axis] if isinstance(axis, int) else axis))
    param_shape = tuple(shape[a] for a in axes)
    gamma, beta = _random(param_shape, 22), _random(param_shape, 23)
    _set(ln.gamma, gamma)
    _set(ln.beta, beta)
    assert ln.gamma.shape == param_shape and ln.beta.shape == param_shape
    bshape = [shape[a] if a in axes else 1 for a in range(len(shape))]
    expected = _np_layer_norm(x, axes, gamma.reshape(bshape), beta.reshape(bshape), 1e-3)
    for training in (True, False):
        np.testing.assert_allclose(_np(ln(K.convert_to_tensor(x), training=training)),
                                   expected, rtol=RTOL, atol=1e-4)


def test_layer_norm_without_center_or_scale_has_no_weights():
    ln = layers.LayerNormalization(center=False, scale=False)
    x = _random((6, 3), 24, loc=2.0)
    y = ln(K.convert_to_tensor(x))
    assert ln.weights == []
    np.testing.assert_allclose(_np(y), _np_layer_norm(x, (1,), 1.0, 0.0, 1e-3),
                               rtol=RTOL, atol=1e-4)


def test_layer_norm_rms_scaling_divides_by_the_root_mean_square():
    x = _random((6, 3), 25, loc=1.0)
    ln = layers.LayerNormalization(rms_scaling=True, epsilon=1e-6)
    ln.build(x.shape)
    assert [w.name for w in ln.weights] == ["gamma"]
    gamma = _random((3,), 26)
    _set(ln.gamma, gamma)
    y = ln(K.convert_to_tensor(x))
    expected = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6) * gamma
    np.testing.assert_allclose(_np(y), expected, rtol=RTOL, atol=1e-4)


def test_layer_norm_axis_errors_name_the_layer():
    with pytest.raises(TypeError, match=r"LayerNormalization.*axis.*'a'"):
        layers.LayerNormalization(axis="a")
    with pytest.raises(ValueError, match=r"LayerNormalization layer 'ln_axes'.*axis 2.*rank 2"):
        layers.LayerNormalization(axis=[1, 2], name="ln_axes")(K.Input((4,)))


# -- GroupNormalization --------------------------------------------------------
def _np_group_norm(x, groups, axis, gamma, beta, eps):
    xc = np.moveaxis(x, axis, -1)  # channels last
    n, c = xc.shape[0], xc.shape[-1]
    g = xc.reshape(n, -1, groups, c // groups)
    mean = g.mean(axis=(1, 3), keepdims=True)
    var = g.var(axis=(1, 3), keepdims=True)
    out = ((g - mean) / np.sqrt(var + eps)).reshape(xc.shape) * gamma + beta
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("shape,groups,axis", [((2, 4, 6), 3, -1), ((2, 6, 4), 2, 1),
                                               ((2, 4, 6), -1, -1)])
def test_group_norm_matches_numpy(shape, groups, axis):
    x = _random(shape, 27, loc=1.0, scale=3.0)
    gn = layers.GroupNormalization(groups=groups, axis=axis)
    gn.build(shape)
    channels = shape[axis]
    gamma, beta = _random((channels,), 28), _random((channels,), 29)
    _set(gn.gamma, gamma)
    _set(gn.beta, beta)
    g = channels if groups == -1 else groups
    expected = _np_group_norm(x, g, axis % len(shape), gamma, beta, 1e-3)
    np.testing.assert_allclose(_np(gn(K.convert_to_tensor(x))), expected, rtol=RTOL, atol=1e-4)


def test_group_norm_with_one_group_is_layer_norm_over_all_features():
    x = _random((2, 4, 6), 30)
    y = layers.GroupNormalization(groups=1)(K.convert_to_tensor(x))
    z = layers.LayerNormalization(axis=[1, 2])(K.convert_to_tensor(x))
    np.testing.assert_allclose(_np(y), _np(z), rtol=RTOL, atol=1e-4)


def test_group_norm_errors_name_the_layer_and_the_shape():
    with pytest.raises(ValueError, match=r"GroupNormalization layer 'gn_div'.*channels \(6, on "
                                         r"axis -1\) must be a multiple of groups \(4\).*"
                                         r"\(None, 6\)"):
        layers.GroupNormalization(groups=4, name="gn_div")(K.Input((6,)))
    with pytest.raises(ValueError, match=r"GroupNormalization layer 'gn_div'"):
        layers.GroupNormalization(groups=4, name="gn_div")(K.ones((2, 6)))
    with pytest.raises(ValueError, match=r"groups \(32\) cannot be more than the number of "
                                         r"channels \(8"):
        layers.GroupNormalization()(K.Input((8,)))
    with pytest.raises(ValueError, match=r"GroupNormalization.*groups must be a positive.*0"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"batch axis"):
        layers.GroupNormalization(groups=1, axis=0)(K.Input((4,)))


# -- UnitNormalization -------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_norm_matches_numpy(axis):
    x = _random((2, 4, 6), 31)
    x[0, 0] = 0.0
    y = layers.UnitNormalization(axis=axis)(K.convert_to_tensor(x))
    axes = tuple([axis] if isinstance(axis, int) else axis)
    norm = np.sqrt(np.maximum((x ** 2).sum(axis=axes, keepdims=True), 1e-12))
    np.testing.assert_allclose(_np(y), x / norm, rtol=RTOL, atol=ATOL)
    assert np.all(np.isfinite(_np(y)))


def test_unit_norm_has_no_weights_and_keeps_masks():
    layer = layers.UnitNormalization()
    assert layer.weights == [] and layer.supports_masking
    with pytest.raises(TypeError, match=r"UnitNormalization.*axis.*1\.5"):
        layers.UnitNormalization(axis=1.5)


# -- configuration -------------------------------------------------------------
@pytest.mark.parametrize("make,shape", [
    (lambda: layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-2, center=False,
                                       gamma_regularizer="l2", gamma_constraint="non_neg",
                                       moving_variance_initializer="ones",
                                       synchronized=True), (2, 4, 6)),
    (lambda: layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, rms_scaling=True,
                                       beta_initializer="ones"), (2, 4, 6)),
    (lambda: layers.GroupNormalization(groups=2, epsilon=1e-4, scale=False,
                                       beta_regularizer="l1"), (2, 4, 6)),
    (lambda: layers.UnitNormalization(axis=[1, 2]), (2, 4, 6)),
])
def test_config_round_trip_rebuilds_an_equivalent_layer(make, shape):
    layer = make()
    x = K.convert_to_tensor(_random(shape, 32, loc=1.0))
    y = layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_np(clone(x)), _np(y), rtol=RTOL, atol=ATOL)
    assert [w.name for w in clone.weights] == [w.name for w in layer.weights]
    assert len(clone.losses) == len(layer.losses)


def test_config_holds_the_keras_arguments():
    config = layers.BatchNormalization().get_config()
    for key, value in dict(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                           beta_initializer="zeros", gamma_initializer="ones",
                           moving_mean_initializer="zeros",
                           moving_variance_initializer="ones", synchronized=False).items():
        got = config[key]
        if isinstance(got, dict):
            got = got["class_name"].lower()
        assert got == value, key
    assert layers.GroupNormalization().get_config()["groups"] == 32
    assert layers.LayerNormalization().get_config()["rms_scaling"] is False
