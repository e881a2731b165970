"""Core layers against NumPy re-computations on every engine: Activation, Identity,
ActivityRegularization, Rescaling, Masking, Embedding, the merging layers and the
dropout/noise family. Also symbolic shapes with an unknown batch, masks flowing through
functional models, training against inference, seeds, errors and config round trips.
"""

import json

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3, 5)).astype("float32")
Y = RNG.normal(size=(4, 3, 5)).astype("float32")


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def T(a):
    return K.convert_to_tensor(np.asarray(a))


class MaskOut(layers.Layer):
    """Returns the mask it receives as floats (-1 everywhere when it gets none)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return K.ones_like(inputs[..., 0]) * -1.0
        return K.cast(mask, "float32")


class MaskedMean(layers.Layer):
    """The mean over time of the unmasked steps (a layer that uses its mask)."""

    def call(self, inputs, mask=None):
        if mask is None:
            return K.mean(inputs, axis=1)
        m = K.expand_dims(K.cast(mask, K.dtype(inputs)), -1)
        return K.sum(inputs * m, axis=1) / K.maximum(K.sum(m, axis=1), 1.0)


# -- activation.py ---------------------------------------------------------------------
@pytest.mark.parametrize("name, reference", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("tanh", np.tanh),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
])
def test_activation_matches_numpy(name, reference):
    np.testing.assert_allclose(N(layers.Activation(name)(T(X))), reference(X), rtol=1e-5,
                               atol=1e-6)


def test_activation_accepts_a_callable_and_keeps_symbolic_shape():
    layer = layers.Activation(lambda x: x * 3.0)
    np.testing.assert_allclose(N(layer(T(X))), X * 3.0, rtol=1e-6)
    assert layers.Activation("sigmoid")(K.Input((None, 5))).shape == (None, None, 5)


def test_identity_returns_its_input():
    np.testing.assert_array_equal(N(layers.Identity()(T(X))), X)
    assert layers.Identity()(K.Input((3, 5))).shape == (None, 3, 5)


def test_activity_regularization_adds_penalty_divided_by_batch():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    out = layer(T(X))
    np.testing.assert_array_equal(N(out), X)
    expected = (0.1 * np.abs(X).sum() + 0.01 * np.square(X).sum()) / X.shape[0]
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(N(layer.losses[0])), expected, rtol=1e-5)


def test_rescaling_matches_numpy_and_casts_ints():
    images = RNG.integers(0, 256, size=(2, 4, 4, 3)).astype("int32")
    out = layers.Rescaling(1 / 127.5, offset=-1.0)(T(images))
    assert K.dtype(out) == "float32"
    np.testing.assert_allclose(N(out), images / 127.5 - 1.0, rtol=1e-5, atol=1e-6)
    per_channel = layers.Rescaling([1.0, 2.0, 3.0], offset=[0.0, 1.0, 0.0])
    np.testing.assert_allclose(N(per_channel(T(images))),
                               images * np.array([1, 2, 3]) + np.array([0, 1, 0]), rtol=1e-6)
    assert layers.Rescaling(0.5)(K.Input((8, 8, 3))).shape == (None, 8, 8, 3)


def test_masking_zeroes_masked_steps_and_computes_mask():
    x = X.copy()
    x[0, 1] = -1.0
    x[2, 0] = -1.0
    x[3, 2, :4] = -1.0  # not all features: kept
    layer = layers.Masking(mask_value=-1.0)
    keep = np.any(x != -1.0, axis=-1)
    np.testing.assert_array_equal(N(layer.compute_mask(T(x))), keep)
    np.testing.assert_allclose(N(layer(T(x))), x * keep[..., None])
    assert layer(K.Input((None, 5))).shape == (None, None, 5)


# -- embedding.py ----------------------------------------------------------------------
TABLE = RNG.normal(size=(6, 3)).astype("float32")
ZEROS = {"embeddings_initializer": "zeros"}  # no random draw (slow on JAX)
TOKENS = np.array([[1, 2, 0, 4, 3], [5, 0, 0, 1, 2]], dtype="int32")


def test_embedding_gathers_rows():
    layer = layers.Embedding(6, 3, embeddings_initializer="zeros")
    layer.build((None, 5))
    assert [w.shape for w in layer.weights] == [(6, 3)]
    layer.set_weights([TABLE])
    np.testing.assert_allclose(N(layer(T(TOKENS))), TABLE[TOKENS])
    np.testing.assert_allclose(N(layer(T(TOKENS.astype("float32")))), TABLE[TOKENS])
    assert layer.compute_mask(T(TOKENS)) is None


def test_embedding_default_initializer_is_small_uniform():
    init = layers.Embedding(100, 100).embeddings_initializer
    assert (type(init).__name__, init.minval, init.maxval) == ("RandomUniform", -0.05, 0.05)


def test_embedding_symbolic_shape_and_mask():
    layer = layers.Embedding(6, 3, mask_zero=True, **ZEROS)
    assert layer(K.Input((None,), dtype="int32")).shape == (None, None, 3)
    np.testing.assert_array_equal(N(layer.compute_mask(T(TOKENS))), TOKENS != 0)


def test_embedding_rejects_bad_sizes():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)


# -- masks through functional models ---------------------------------------------------
def test_embedding_mask_flows_through_masking_to_a_layer_taking_mask():
    table = TABLE.copy()
    table[0] = 0.0
    table[4] = 0.0  # token 4 embeds to the mask value: Masking masks it too
    tokens = Input((5,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True, **ZEROS)
    h = emb(tokens)
    masked = layers.Masking()(h)
    model = Model(tokens, [MaskOut()(h), MaskOut()(masked), MaskedMean()(masked)])
    emb.set_weights([table])
    from_embedding, from_masking, mean = (N(v) for v in model(T(TOKENS)))
    np.testing.assert_array_equal(from_embedding, TOKENS != 0)
    keep = (TOKENS != 0) & (TOKENS != 4)
    np.testing.assert_array_equal(from_masking, keep)
    expected = (table[TOKENS] * keep[..., None]).sum(1) / keep.sum(1, keepdims=True)
    np.testing.assert_allclose(mean, expected, rtol=1e-5, atol=1e-6)


def test_mask_passes_through_dropout_and_activation():
    tokens = Input((5,), dtype="int32")
    h = layers.Embedding(6, 3, mask_zero=True, **ZEROS)(tokens)
    h = layers.Activation("tanh")(layers.Dropout(0.5)(h))
    model = Model(tokens, MaskOut()(h))
    np.testing.assert_array_equal(N(model(T(TOKENS))), TOKENS != 0)


def test_merging_masks_in_a_functional_model():
    a, b = Input((5,), dtype="int32"), Input((5,), dtype="int32")
    ea = layers.Embedding(6, 3, mask_zero=True, **ZEROS)(a)
    eb = layers.Embedding(6, 3, mask_zero=True, **ZEROS)(b)
    plain = layers.Embedding(6, 3, **ZEROS)(b)
    outputs = [MaskOut()(layers.Add()([ea, eb])),
               MaskOut()(layers.Concatenate(axis=1)([ea, eb])),
               MaskOut()(layers.Concatenate()([ea, eb])),
               MaskOut()(layers.Concatenate(axis=1)([ea, plain])),
               MaskOut()(layers.Maximum()([ea, plain]))]
    model = Model([a, b], outputs)
    ta, tb = TOKENS, TOKENS[::-1]
    added, cat_time, cat_features, cat_plain, maximum = (N(v) for v in model([T(ta), T(tb)]))
    np.testing.assert_array_equal(added, (ta != 0) & (tb != 0))
    np.testing.assert_array_equal(cat_time, np.concatenate([ta != 0, tb != 0], axis=1))
    np.testing.assert_array_equal(cat_features, (ta != 0) & (tb != 0))
    np.testing.assert_array_equal(cat_plain, np.concatenate([ta != 0, np.ones_like(tb, bool)], 1))
    np.testing.assert_array_equal(maximum, ta != 0)


# -- merging.py ------------------------------------------------------------------------
MERGES = [
    (layers.Add, lambda xs: sum(xs)),
    (layers.Multiply, lambda xs: np.prod(xs, axis=0)),
    (layers.Average, lambda xs: np.mean(xs, axis=0)),
    (layers.Maximum, lambda xs: np.max(xs, axis=0)),
    (layers.Minimum, lambda xs: np.min(xs, axis=0)),
]


@pytest.mark.parametrize("cls, reference", MERGES, ids=[c[0].__name__ for c in MERGES])
def test_elementwise_merges_match_numpy(cls, reference):
    Z = X * 0.5 + 1.0
    np.testing.assert_allclose(N(cls()([T(X), T(Y), T(Z)])), reference([X, Y, Z]), rtol=1e-5,
                               atol=1e-6)


def test_subtract_matches_numpy():
    np.testing.assert_allclose(N(layers.Subtract()([T(X), T(Y)])), X - Y, rtol=1e-6)


def test_merges_broadcast_and_expand_lower_ranks():
    ones = np.ones((4, 1, 5), "float32")
    np.testing.assert_allclose(N(layers.Add()([T(X), T(ones)])), X + 1.0, rtol=1e-6)
    vector = X[:, 0, :]  # (4, 5): expanded to (4, 1, 5)
    np.testing.assert_allclose(N(layers.Multiply()([T(X), T(vector)])), X * vector[:, None],
                               rtol=1e-6)
    assert layers.Add()([K.Input((3, 5)), K.Input((5,))]).shape == (None, 3, 5)


@pytest.mark.parametrize("axis", [-1, 1, 2])
def test_concatenate_matches_numpy(axis):
    other = RNG.normal(size=(4, 3, 5)).astype("float32")
    np.testing.assert_allclose(N(layers.Concatenate(axis=axis)([T(X), T(other)])),
                               np.concatenate([X, other], axis=axis))


def test_concatenate_symbolic_shapes():
    a, b = K.Input((None, 3)), K.Input((None, 4))
    assert layers.Concatenate()([a, b]).shape == (None, None, 7)
    assert layers.Concatenate(axis=1)([K.Input((2, 3)), K.Input((5, 3))]).shape == (None, 7, 3)


def _np_batch_dot(x, y, a0, a1):
    """Keras batch dot: the batch, x's other axes, then y's other axes."""
    x = np.moveaxis(x, a0, -1)
    y = np.moveaxis(y, a1, 1)
    x3 = x.reshape(x.shape[0], -1, x.shape[-1])
    y3 = y.reshape(y.shape[0], y.shape[1], -1)
    return np.einsum("bmk,bkn->bmn", x3, y3).reshape(x.shape[:-1] + y.shape[2:])


@pytest.mark.parametrize("axes, normalize", [(1, False), ((1, 2), False), ((2, 1), True),
                                             (-1, True)])
def test_dot_matches_numpy(axes, normalize):
    a = RNG.normal(size=(4, 3, 5)).astype("float32")
    b = RNG.normal(size=(4, 5, 3)).astype("float32") if axes in ((2, 1),) else \
        RNG.normal(size=(4, 6, 3)).astype("float32") if axes == (1, 2) else \
        RNG.normal(size=(4, 3, 5)).astype("float32")
    a0, a1 = (axes % 3, axes % 3) if isinstance(axes, int) else axes
    x, y = a, b
    if normalize:
        x = x / np.linalg.norm(x, axis=a0, keepdims=True)
        y = y / np.linalg.norm(y, axis=a1, keepdims=True)
    out = N(layers.Dot(axes=axes, normalize=normalize)([T(a), T(b)]))
    np.testing.assert_allclose(out, _np_batch_dot(x, y, a0, a1), rtol=1e-4, atol=1e-5)


def test_dot_of_vectors_and_symbolic_shapes():
    a, b = X[:, 0], Y[:, 0]
    np.testing.assert_allclose(N(layers.Dot(axes=1)([T(a), T(b)])), (a * b).sum(1, keepdims=True),
                               rtol=1e-5)
    assert layers.Dot(axes=1)([K.Input((5,)), K.Input((5,))]).shape == (None, 1)
    assert layers.Dot(axes=(1, 2))([K.Input((3, 5)), K.Input((7, 3))]).shape == (None, 5, 7)


def test_merging_layers_in_a_functional_model_with_two_inputs():
    a, b = Input((5,), name="left"), Input((5,), name="right")
    outs = [layers.Add()([a, b]), layers.Subtract()([a, b]), layers.Multiply()([a, b]),
            layers.Average()([a, b]), layers.Maximum()([a, b]), layers.Minimum()([a, b]),
            layers.Concatenate()([a, b]), layers.Dot(axes=1)([a, b])]
    assert [o.shape for o in outs] == [(None, 5)] * 6 + [(None, 10), (None, 1)]
    model = Model([a, b], outs)
    xa, xb = X[:, 0], Y[:, 0]
    got = [N(v) for v in model([T(xa), T(xb)])]
    expected = [xa + xb, xa - xb, xa * xb, (xa + xb) / 2, np.maximum(xa, xb),
                np.minimum(xa, xb), np.concatenate([xa, xb], -1), (xa * xb).sum(1, keepdims=True)]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


# -- merging errors --------------------------------------------------------------------
@pytest.mark.parametrize("cls", [layers.Add, layers.Multiply, layers.Average, layers.Maximum,
                                 layers.Minimum, layers.Subtract])
def test_elementwise_merge_of_incompatible_shapes_names_layer_and_shapes(cls):
    layer = cls(name=f"my_{cls.__name__.lower()}")
    pattern = rf"{cls.__name__} layer 'my_{cls.__name__.lower()}'.*\(None, 3\).*\(None, 4\)"
    with pytest.raises(ValueError, match=pattern):
        layer([K.Input((3,)), K.Input((4,))])


def test_merge_errors_on_concrete_inputs_name_the_shapes():
    with pytest.raises(ValueError, match=r"Add layer 'add_eager'.*\(2, 3\).*\(2, 4\)"):
        layers.Add(name="add_eager")([K.ones((2, 3)), K.ones((2, 4))])
    with pytest.raises(ValueError, match=r"different batch sizes.*\(2, 3\).*\(5, 3\)"):
        layers.Add()([K.ones((2, 3)), K.ones((5, 3))])


def test_concatenate_and_dot_errors():
    with pytest.raises(ValueError, match=r"Concatenate layer 'cat'.*matching shapes.*"
                                         r"\(None, 2, 3\).*\(None, 4, 5\)"):
        layers.Concatenate(name="cat")([K.Input((2, 3)), K.Input((4, 5))])
    with pytest.raises(ValueError, match=r"Concatenate.*same rank"):
        layers.Concatenate()([K.Input((2, 3)), K.Input((3,))])
    with pytest.raises(ValueError, match=r"Dot layer 'd'.*\(None, 3\).*\(None, 4\)"):
        layers.Dot(axes=1, name="d")([K.Input((3,)), K.Input((4,))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([K.Input((3,))] * 3)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Dot(axes=1)([K.Input((3,))] * 3)
    with pytest.raises(ValueError, match="list of tensors"):
        layers.Add()(K.Input((3,)))
    with pytest.raises(ValueError, match="axes"):
        layers.Dot(axes=(1, 2, 3))


# -- regularization.py: inference is identity ------------------------------------------
# JAX compiles a random draw once per shape (seconds each on CPU), so the noise tests
# draw one shape, (100, 1, 100): the elements of BIG and NOISE_X, and the channel masks of
# (100, steps, 100) inputs.
BIG = np.ones((100, 1, 100), "float32")
NOISE_X = RNG.normal(size=(100, 1, 100)).astype("float32")
STEPS_X = RNG.normal(size=(100, 3, 100)).astype("float32")


def _noise_layers(seed=None):
    """(layer, input) pairs, one per layer kind."""
    return [(layers.Dropout(0.3, seed=seed), NOISE_X),
            (layers.GaussianNoise(0.5, seed=seed), NOISE_X),
            (layers.GaussianDropout(0.3, seed=seed), NOISE_X),
            (layers.AlphaDropout(0.3, seed=seed), NOISE_X),
            (layers.SpatialDropout1D(0.3, seed=seed), STEPS_X)]


@pytest.mark.parametrize("index", range(5))
def test_noise_layers_are_identity_in_inference(index):
    layer, data = _noise_layers()[index]
    for out in (layer(T(data)), layer(T(data), training=False)):
        np.testing.assert_array_equal(N(out), data)
    x = Input(data.shape[1:])
    model = Model(x, layer(x))
    assert model.outputs[0].shape == (None,) + data.shape[1:]
    np.testing.assert_array_equal(N(model(T(data))), data)
    assert not np.allclose(N(model(T(data), training=True)), data)


@pytest.mark.parametrize("rate", [0.2, 0.6])
def test_dropout_statistics(rate):
    out = N(layers.Dropout(rate, seed=1)(T(BIG), training=True))
    zeroed = (out == 0).mean()
    assert abs(zeroed - rate) < 0.03
    np.testing.assert_allclose(out[out != 0], 1.0 / (1.0 - rate), rtol=1e-6)


def test_dropout_noise_shape_and_extreme_rates():
    x = np.ones((100, 3, 100), "float32")
    out = N(layers.Dropout(0.5, noise_shape=(None, 1, None), seed=2)(T(x), training=True))
    assert (out == out[:, :1, :]).all()
    assert 0.4 < (out == 0).mean() < 0.6
    np.testing.assert_array_equal(N(layers.Dropout(0.0)(T(X), training=True)), X)
    np.testing.assert_array_equal(N(layers.Dropout(1.0)(T(X), training=True)), 0 * X)
    for bad in (-0.1, 1.5, "x"):
        with pytest.raises(ValueError, match="rate"):
            layers.Dropout(bad)
    with pytest.raises(ValueError, match="rate"):
        layers.GaussianDropout(1.0)


def test_gaussian_noise_and_gaussian_dropout_statistics():
    noisy = N(layers.GaussianNoise(0.5, seed=3)(T(BIG), training=True)) - 1.0
    assert abs(noisy.mean()) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    rate = 0.3
    dropped = N(layers.GaussianDropout(rate, seed=3)(T(BIG), training=True))
    assert abs(dropped.mean() - 1.0) < 0.03
    assert abs(dropped.std() - np.sqrt(rate / (1 - rate))) < 0.03


def test_alpha_dropout_keeps_mean_and_variance():
    rate = 0.2
    x = NOISE_X
    out = N(layers.AlphaDropout(rate, seed=4)(T(x), training=True))
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(out, a * alpha_p + b, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.03
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert abs(out.mean()) < 0.05 and abs(out.std() - 1.0) < 0.05


SLOW_ON_JAX = pytest.mark.skipif(
    K.backend() == "jax", reason="one more random shape costs JAX seconds of compiling; the "
    "noise shape is computed by engine-neutral code, checked here on torch and numpy")


@pytest.mark.parametrize("cls, shape, data_format, channel_axis", [
    (layers.SpatialDropout1D, (100, 3, 100), None, 2),
    (layers.SpatialDropout2D, (100, 2, 3, 20), "channels_last", 3),
    pytest.param(layers.SpatialDropout2D, (100, 20, 3, 2), "channels_first", 1,
                 marks=SLOW_ON_JAX),
    pytest.param(layers.SpatialDropout3D, (100, 2, 2, 2, 20), "channels_last", 4,
                 marks=SLOW_ON_JAX),
])
def test_spatial_dropout_zeroes_whole_channels(cls, shape, data_format, channel_axis):
    kwargs = {} if data_format is None else {"data_format": data_format}
    out = N(cls(0.4, seed=5, **kwargs)(T(np.ones(shape, "float32")), training=True))
    spatial = tuple(i for i in range(1, len(shape)) if i != channel_axis)
    per_channel = out.min(axis=spatial)
    np.testing.assert_array_equal(per_channel, out.max(axis=spatial))  # constant per channel
    np.testing.assert_allclose(per_channel[per_channel != 0], 1 / 0.6, rtol=1e-6)
    assert abs((per_channel == 0).mean() - 0.4) < 0.06


def test_spatial_dropout_checks_rank():
    with pytest.raises(ValueError, match=r"SpatialDropout2D.*rank 4"):
        layers.SpatialDropout2D(0.5)(K.Input((3, 5)))


# -- seeds -----------------------------------------------------------------------------
@pytest.mark.parametrize("index", range(5))
def test_seeded_layers_repeat_and_successive_calls_differ(index):
    (first, data), (second, _) = _noise_layers(seed=11)[index], _noise_layers(seed=11)[index]
    assert isinstance(first.seed_generator, K.SeedGenerator)
    a1, a2 = N(first(T(data), training=True)), N(first(T(data), training=True))
    b1 = N(second(T(data), training=True))
    np.testing.assert_array_equal(a1, b1)
    assert not np.array_equal(a1, a2)
    other = N(_noise_layers(seed=12)[index][0](T(data), training=True))
    assert not np.array_equal(a1, other)


@pytest.mark.skipif(K.backend() != "jax", reason="jax.jit needs the jax engine")
def test_dropout_draws_fresh_numbers_in_a_compiled_jax_step():
    import jax

    layer = layers.Dropout(0.5, seed=21)
    state = layer.seed_generator.state

    @jax.jit
    def step(seed_state, x):
        with K.VariableScope({state: seed_state}) as scope:
            y = layer(x, training=True)
        return y, scope.values[state]

    x = T(BIG)
    y1, s = step(state.value, x)
    y2, s = step(s, x)
    assert not np.array_equal(N(y1), N(y2))
    np.testing.assert_array_equal(N(y1), N(step(state.value, x)[0]))  # the state decides


# -- config round trips ----------------------------------------------------------------
CONFIG_CASES = [
    (layers.Activation("relu"), {"activation": "relu"}),
    (layers.Identity(), {}),
    (layers.ActivityRegularization(l1=0.1, l2=0.2), {"l1": 0.1, "l2": 0.2}),
    (layers.Rescaling(0.5, offset=1.0), {"scale": 0.5, "offset": 1.0}),
    (layers.Rescaling([1.0, 2.0, 3.0, 4.0, 5.0]), {"scale": [1.0, 2.0, 3.0, 4.0, 5.0],
                                                   "offset": 0.0}),
    (layers.Masking(mask_value=-1.0), {"mask_value": -1.0}),
    (layers.Embedding(6, 3, mask_zero=True, embeddings_regularizer="l2"),
     {"input_dim": 6, "output_dim": 3, "mask_zero": True}),
    (layers.Concatenate(axis=1), {"axis": 1}),
    (layers.Add(), {}),
    (layers.Dot(axes=(1, 2), normalize=True), {"axes": [1, 2], "normalize": True}),
    (layers.Dropout(0.3, noise_shape=(None, 1, 5), seed=3),
     {"rate": 0.3, "noise_shape": [None, 1, 5], "seed": 3}),
    (layers.GaussianNoise(0.2), {"stddev": 0.2, "seed": None}),
    (layers.GaussianDropout(0.4, seed=1), {"rate": 0.4, "seed": 1}),
    (layers.AlphaDropout(0.1, seed=2), {"rate": 0.1, "noise_shape": None, "seed": 2}),
    (layers.SpatialDropout1D(0.3, seed=4), {"rate": 0.3, "seed": 4}),
    (layers.SpatialDropout2D(0.3, data_format="channels_first"),
     {"rate": 0.3, "data_format": "channels_first"}),
    (layers.SpatialDropout3D(0.3), {"rate": 0.3, "data_format": "channels_last"}),
]


@pytest.mark.parametrize("layer, expected", CONFIG_CASES,
                         ids=[type(c[0]).__name__ for c in CONFIG_CASES])
def test_config_round_trip(layer, expected):
    config = layer.get_config()
    for key, value in expected.items():
        assert config[key] == value, key
    json.dumps(config)
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert type(clone) is type(layer)


def test_embedding_from_config_rebuilds_an_equivalent_layer():
    layer = layers.Embedding(6, 3, embeddings_initializer="ones")
    clone = layers.Embedding.from_config(layer.get_config())
    np.testing.assert_array_equal(N(clone(T(TOKENS))), np.ones((2, 5, 3)))
    assert clone.embeddings_regularizer is None and clone.mask_zero is False


def test_merge_from_config_computes_the_same():
    layer = layers.Dot(axes=-1, normalize=True)
    clone = layers.Dot.from_config(layer.get_config())
    np.testing.assert_allclose(N(clone([T(X), T(Y)])), N(layer([T(X), T(Y)])), rtol=1e-6)
