"""Attention, AdditiveAttention and MultiHeadAttention against NumPy re-computations on
every engine: scores, masks (given, from Embedding(mask_zero=True), causal, attention
masks), return_attention_scores, attention_axes on rank-4 inputs, dropout only in
training; gradients against finite differences (jax, torch); symbolic shapes; config
round trips; the errors a user can make; and a small model that learns a key-value
lookup.
"""

import json

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K
from finite_differences import finite_differences

needs_autodiff = pytest.mark.skipif(K.backend() == "numpy", reason="numpy is inference only")

RNG = np.random.default_rng(7)
Q = RNG.normal(size=(2, 3, 4)).astype("float32")
V = RNG.normal(size=(2, 5, 4)).astype("float32")
KEY = RNG.normal(size=(2, 5, 4)).astype("float32")
Q_MASK = np.array([[True, True, False], [True, False, True]])
V_MASK = np.array([[True, True, True, False, False], [True, False, True, True, True]])


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def T(a):
    return K.convert_to_tensor(np.asarray(a))


# -- NumPy references --------------------------------------------------------------------
def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_dense_attention(scores, value, q_mask=None, v_mask=None, causal=False):
    """Softmax over the value steps of ``scores`` (masked positions excluded), applied
    to ``value``; masked query steps give zeros."""
    keep = np.ones(scores.shape, bool)
    if v_mask is not None:
        keep &= v_mask[:, None, :]
    if causal:
        keep &= np.tril(np.ones(scores.shape[-2:], bool))
    weights = np_softmax(np.where(keep, scores, -1e9))
    out = weights @ value
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, weights


def np_luong_scores(q, k, scale=None, mode="dot", concat_weight=1.0):
    if mode == "dot":
        scores = np.einsum("btd,bsd->bts", q, k)
        return scores * scale if scale is not None else scores
    pairs = q[:, :, None, :] + k[:, None, :, :]
    if scale is not None:
        pairs = pairs * scale
    return concat_weight * np.tanh(pairs).sum(-1)


def np_additive_scores(q, k, scale=None):
    pairs = np.tanh(q[:, :, None, :] + k[:, None, :, :])
    return (pairs * (1.0 if scale is None else scale)).sum(-1)


def np_mha(weights, query, value, key=None, mask=None, axes=(1,)):
    """Multi-head attention written with transposes and matmuls: the attended axes
    moved last and flattened; returns the output and the scores laid out as
    (batch axes..., heads, query attended axes..., key attended axes...)."""
    qk, qb, kk, kb, vk, vb, ok, ob = weights
    key = value if key is None else key
    heads, key_dim = qk.shape[1], qk.shape[2]
    q = (np.tensordot(query, qk, axes=1) + qb) / np.sqrt(key_dim)
    k = np.tensordot(key, kk, axes=1) + kb
    v = np.tensordot(value, vk, axes=1) + vb
    rank = query.ndim + 1
    batch = [i for i in range(rank - 2) if i not in axes]
    order = batch + [rank - 2] + list(axes) + [rank - 1]

    def flat(x):
        x = np.transpose(x, order)
        lead = x.shape[:len(batch) + 1]
        return x.reshape(lead + (-1, x.shape[-1]))

    q2, k2, v2 = flat(q), flat(k), flat(v)
    scores = q2 @ np.swapaxes(k2, -1, -2)
    if mask is not None:
        full = np.broadcast_to(mask, [query.shape[i] for i in batch]
                               + [query.shape[a] for a in axes] + [key.shape[a] for a in axes])
        full = np.expand_dims(full.reshape(full.shape[:len(batch)] + scores.shape[-2:]),
                              len(batch))
        scores = np.where(full, scores, -1e9)
    probs = np_softmax(scores)
    out = probs @ v2
    transposed = [q.shape[i] for i in order[:-1]] + [v.shape[-1]]
    out = np.transpose(out.reshape(transposed), np.argsort(order))
    output = np.tensordot(out, ok, axes=2) + ob
    attended = [query.shape[a] for a in axes] + [key.shape[a] for a in axes]
    return output, probs.reshape(probs.shape[:len(batch) + 1] + tuple(attended))


class MaskedMean(layers.Layer):
    """The mean over axis 1 of the steps its mask keeps."""

    def call(self, inputs, mask=None):
        m = K.expand_dims(K.cast(mask, K.dtype(inputs)), -1)
        return K.sum(inputs * m, axis=1) / K.maximum(K.sum(m, axis=1), 1.0)


def randomize(layer, seed=3):
    """Give every weight of ``layer`` random values (biases included, so they count)."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in layer.get_weights()])
    return layer.get_weights()


def assert_close(actual, expected, tol=1e-5):
    np.testing.assert_allclose(N(actual), expected, rtol=tol, atol=tol)


# -- Attention ---------------------------------------------------------------------------
@pytest.mark.parametrize("use_scale, score_mode", [(False, "dot"), (True, "dot"),
                                                   (False, "concat"), (True, "concat")])
def test_attention_matches_numpy(use_scale, score_mode):
    layer = layers.Attention(use_scale=use_scale, score_mode=score_mode)
    layer([T(Q), T(V)])
    if layer.weights:
        layer.set_weights([np.array(1.7 + i, "float32") for i in range(len(layer.weights))])
    scale = N(layer.scale) if use_scale else None
    concat_weight = N(layer.concat_score_weight) if score_mode == "concat" else 1.0
    out, scores = layer([T(Q), T(V), T(KEY)], return_attention_scores=True)
    expected = np_dense_attention(np_luong_scores(Q, KEY, scale, score_mode, concat_weight), V)
    assert_close(out, expected[0])
    assert_close(scores, expected[1])


def test_attention_with_masks_and_causal_mask():
    layer = layers.Attention()
    out, scores = layer([T(Q), T(V)], mask=[T(Q_MASK), T(V_MASK)],
                        return_attention_scores=True, use_causal_mask=True)
    ref_out, ref_scores = np_dense_attention(np_luong_scores(Q, V), V, Q_MASK, V_MASK,
                                             causal=True)
    assert_close(out, ref_out)
    assert_close(scores, ref_scores)
    assert N(scores)[1, 0, 1] == 0.0 and N(scores)[0, 0, 1] == 0.0  # masked, then causal


def test_additive_attention_matches_numpy_with_masks():
    layer = layers.AdditiveAttention()
    layer([T(Q), T(V)])
    assert layer.scale.shape == (4,)
    scale = randomize(layer)[0]
    out, scores = layer([T(Q), T(V), T(KEY)], mask=[T(Q_MASK), T(V_MASK)],
                        return_attention_scores=True)
    ref_out, ref_scores = np_dense_attention(np_additive_scores(Q, KEY, scale), V, Q_MASK,
                                             V_MASK)
    assert_close(out, ref_out)
    assert_close(scores, ref_scores)
    unscaled = layers.AdditiveAttention(use_scale=False)
    assert_close(unscaled([T(Q), T(V)]), np_dense_attention(np_additive_scores(Q, V), V)[0])
    assert unscaled.weights == []


@pytest.mark.parametrize("cls", [layers.Attention, layers.AdditiveAttention])
def test_attention_dropout_only_in_training(cls):
    layer = cls(dropout=0.5, seed=4)
    inference, probs = layer([T(Q), T(V)], return_attention_scores=True)
    assert_close(inference, np.einsum("bts,bsd->btd", N(probs), V))
    out, dropped = layer([T(Q), T(V)], return_attention_scores=True, training=True)
    dropped = N(dropped)
    kept = dropped != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(dropped[kept], (N(probs) * 2)[kept], rtol=1e-5)
    assert_close(out, np.einsum("bts,bsd->btd", dropped, V))
    _, again = layer([T(Q), T(V)], return_attention_scores=True, training=True)
    assert not np.array_equal(N(again), dropped)


def test_attention_symbolic_shapes():
    q, v = Input((3, 4)), Input((None, 4))
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, None)
    assert layers.AdditiveAttention()([q, v, Input((None, 4))]).shape == (None, 3, 4)


def test_attention_layers_take_masks_from_embedding_in_a_model():
    tokens = Input((5,), dtype="int32")
    embedding = layers.Embedding(10, 4, mask_zero=True)
    x = embedding(tokens)
    attention, additive = layers.Attention(), layers.AdditiveAttention()
    y1, y2 = attention([x, x]), additive([x, x])
    assert y1._keras_mask is not None and y2._keras_mask is not None
    model = Model(tokens, [y1, y2])
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], "int32")
    emb = N(embedding.embeddings)[ids]
    mask = ids != 0
    out1, out2 = model.predict(ids, verbose=0)
    np.testing.assert_allclose(
        out1, np_dense_attention(np_luong_scores(emb, emb), emb, mask, mask)[0], atol=1e-5)
    scale = N(additive.scale)
    np.testing.assert_allclose(
        out2, np_dense_attention(np_additive_scores(emb, emb, scale), emb, mask, mask)[0],
        atol=1e-5)


# -- MultiHeadAttention ---------------------------------------------------------------------
def test_mha_weights_follow_keras_layout():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=7)
    mha(T(Q), T(V))
    assert [w.shape for w in mha.weights] == [(4, 2, 3), (2, 3), (4, 2, 3), (2, 3),
                                              (4, 2, 5), (2, 5), (2, 5, 7), (7,)]
    assert [(d.name, [w.name for w in d.weights]) for d in
            (mha.query_dense, mha.key_dense, mha.value_dense, mha.output_dense)] == [
        ("query", ["kernel", "bias"]), ("key", ["kernel", "bias"]),
        ("value", ["kernel", "bias"]), ("attention_output", ["kernel", "bias"])]
    assert mha.count_params() == 2 * (4 * 6 + 6) + (4 * 10 + 10) + (2 * 5 * 7 + 7)
    no_bias = layers.MultiHeadAttention(2, 3, use_bias=False)
    no_bias(T(Q), T(V))
    assert [w.shape for w in no_bias.weights] == [(4, 2, 3), (4, 2, 3), (4, 2, 3), (2, 3, 4)]


@pytest.mark.parametrize("with_key", [False, True])
def test_mha_matches_numpy(with_key):
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)
    key = T(KEY) if with_key else None
    mha(T(Q), T(V), key)
    weights = randomize(mha)
    out, scores = mha(T(Q), T(V), key, return_attention_scores=True)
    ref_out, ref_scores = np_mha(weights, Q, V, KEY if with_key else None)
    assert N(scores).shape == (2, 2, 3, 5)
    assert_close(out, ref_out, 1e-4)
    assert_close(scores, ref_scores)


def test_mha_masks_combine_query_value_attention_and_causal():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    query = T(RNG.normal(size=(2, 5, 4)).astype("float32"))
    mha(query, T(V))
    weights = randomize(mha, seed=5)
    attention_mask = RNG.random((2, 5, 5)) > 0.3
    out, scores = mha(query, T(V), query_mask=T(V_MASK), value_mask=T(V_MASK),
                      attention_mask=T(attention_mask), use_causal_mask=True,
                      return_attention_scores=True)
    mask = V_MASK[:, :, None] & V_MASK[:, None, :] & attention_mask & np.tril(np.ones((5, 5),
                                                                                     bool))
    ref_out, ref_scores = np_mha(weights, N(query), V, mask=mask)
    assert_close(out, ref_out, 1e-4)
    assert_close(scores, ref_scores)
    masked_in_live_rows = ~mask & mask.any(-1, keepdims=True)
    assert (N(scores)[:, 0][masked_in_live_rows] == 0).all()
    assert (N(scores)[:, 1][masked_in_live_rows] == 0).all()


def test_mha_attention_axes_on_rank_4_inputs():
    x = RNG.normal(size=(2, 3, 4, 5)).astype("float32")
    y = RNG.normal(size=(2, 3, 2, 5)).astype("float32")
    for axes, scores_shape in [((2,), (2, 3, 2, 4, 2)), (-2, (2, 3, 2, 4, 2)),
                               (None, (2, 2, 3, 4, 3, 2))]:
        mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=axes)
        mha(T(x), T(y))
        weights = randomize(mha)
        normalized = {(2,): (2,), -2: (2,), None: (1, 2)}[axes]
        out, scores = mha(T(x), T(y), return_attention_scores=True)
        ref_out, ref_scores = np_mha(weights, x, y, axes=normalized)
        assert N(scores).shape == scores_shape
        assert_close(out, ref_out, 1e-4)
        assert_close(scores, ref_scores)
    mask = RNG.random((2, 3, 4, 2)) > 0.4
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(2,))
    mha(T(x), T(y))
    weights = randomize(mha)
    out = mha(T(x), T(y), attention_mask=T(mask))
    assert_close(out, np_mha(weights, x, y, mask=mask, axes=(2,))[0], 1e-4)


def test_mha_dropout_only_in_training():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=1)
    mha(T(Q), T(V))
    weights = randomize(mha)
    ref_out, ref_scores = np_mha(weights, Q, V)
    assert_close(mha(T(Q), T(V)), ref_out, 1e-4)
    out, scores = mha(T(Q), T(V), training=True, return_attention_scores=True)
    assert_close(scores, ref_scores)  # the scores returned are taken before dropout
    assert not np.allclose(N(out), ref_out, atol=1e-3)
    assert not np.allclose(N(mha(T(Q), T(V), training=True)), N(out), atol=1e-3)
    assert len(mha.variables) == len(mha.weights) + 1  # the dropout seed state


def test_mha_symbolic_shapes():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=(2, 5))
    query, value = Input((None, 4)), Input((6, 8))
    out, scores = mha(query, value, return_attention_scores=True, use_causal_mask=True)
    assert out.shape == (None, None, 2, 5) and scores.shape == (None, 2, None, 6)
    assert mha.compute_output_shape((None, 3, 4), (None, 6, 8)) == (None, 3, 2, 5)
    rank4 = layers.MultiHeadAttention(2, 3, attention_axes=2)(Input((3, 4, 5)), Input((3, 2, 5)))
    assert rank4.shape == (None, 3, 4, 5)


def test_mha_in_a_model_takes_masks_from_embedding():
    tokens = Input((5,), dtype="int32")
    embedding = layers.Embedding(10, 4, mask_zero=True)
    x = embedding(tokens)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    y, scores = mha(x, x, return_attention_scores=True)
    assert y._keras_mask is not None
    pooled = MaskedMean()(y)
    model = Model(tokens, [y, scores, pooled])
    weights = randomize(mha)
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], "int32")
    emb = N(embedding.embeddings)[ids]
    padding = ids != 0
    out, probs, mean = model.predict(ids, verbose=0)
    ref_out, ref_scores = np_mha(weights, emb, emb,
                                 mask=padding[:, :, None] & padding[:, None, :])
    np.testing.assert_allclose(out, ref_out, atol=1e-4)
    np.testing.assert_allclose(probs, ref_scores, atol=1e-5)
    np.testing.assert_allclose(mean[0], ref_out[0, :3].mean(0), atol=1e-4)


def test_configs_round_trip():
    for layer in [layers.Attention(use_scale=True, score_mode="concat", dropout=0.2, seed=3),
                  layers.AdditiveAttention(use_scale=False, dropout=0.1),
                  layers.MultiHeadAttention(2, 3, value_dim=4, dropout=0.1, use_bias=False,
                                            output_shape=(6,), attention_axes=(1,),
                                            kernel_initializer="he_normal",
                                            kernel_regularizer="l2", seed=5)]:
        config = json.loads(json.dumps(layer.get_config()))
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
    mha = layers.MultiHeadAttention(2, 3, kernel_regularizer="l2")
    mha(T(Q), T(V))
    clone = layers.MultiHeadAttention.from_config(mha.get_config())
    clone(T(Q), T(V))
    clone.set_weights(mha.get_weights())
    assert_close(clone(T(Q), T(V)), N(mha(T(Q), T(V))))
    assert len(clone.losses) == 4  # one l2 penalty per projection kernel


# -- gradients ------------------------------------------------------------------------------
@needs_autodiff
def test_mha_gradients_match_finite_differences():
    rng = np.random.default_rng(11)
    query, value = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 4))
    weight = rng.normal(size=(2, 3, 4))
    mask = rng.random((2, 3, 4)) > 0.3
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    mha(T(query), T(value))
    weights = randomize(mha)

    def loss(q, w):
        return K.sum(mha(q, T(value), attention_mask=T(mask)) * T(weight))

    g_query, g_kernel = K.grad(loss, argnums=(0, 1))(T(query), mha.key_dense.kernel)

    def reference(q, kernel_index=None, kernel=None):
        ws = list(weights)
        if kernel is not None:
            ws[kernel_index] = kernel
        return float((np_mha(ws, q, value, mask=mask)[0] * weight).sum())

    np.testing.assert_allclose(N(g_query), finite_differences(reference, query), rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(N(g_kernel),
                               finite_differences(lambda k: reference(query, 2, k), weights[2]),
                               rtol=1e-5, atol=1e-7)


@needs_autodiff
@pytest.mark.parametrize("cls", [layers.Attention, layers.AdditiveAttention])
def test_attention_gradients_match_finite_differences(cls):
    rng = np.random.default_rng(12)
    query, value = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 4))
    weight = rng.normal(size=(2, 3, 4))
    layer = cls(use_scale=True, dtype="float64")
    layer([T(query), T(value)])
    scale = randomize(layer)[0]
    score = np_luong_scores if cls is layers.Attention else np_additive_scores

    def loss(q, s):
        return K.sum(layer([q, T(value)], mask=[None, T(V_MASK[:, :4])]) * T(weight))

    g_query, g_scale = K.grad(loss, argnums=(0, 1))(T(query), layer.scale)

    def reference(q, s=scale):
        out = np_dense_attention(score(q, value, s), value, v_mask=V_MASK[:, :4])[0]
        return float((out * weight).sum())

    np.testing.assert_allclose(N(g_query), finite_differences(reference, query), rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(N(g_scale),
                               finite_differences(lambda s: reference(query, s), scale),
                               rtol=1e-5, atol=1e-7)


# -- errors ---------------------------------------------------------------------------------
def test_attention_errors_name_the_layer():
    layer = layers.Attention(name="luong")
    with pytest.raises(ValueError, match=r"'luong'.*same last dimension.*\(2, 3, 4\).*"
                                         r"\(2, 5, 6\)"):
        layer([T(Q), T(RNG.normal(size=(2, 5, 6)).astype("float32"))])
    with pytest.raises(ValueError, match=r"'luong'.*list of 2 or 3 tensors.*Received 1 inputs"):
        layer([T(Q)])
    with pytest.raises(ValueError, match=r"'luong'.*list of 2 or 3.*one tensor of shape"):
        layer(T(Q))
    with pytest.raises(ValueError, match=r"'luong'.*same last dimension.*key"):
        layer([T(Q), T(V), T(RNG.normal(size=(2, 5, 3)).astype("float32"))])
    with pytest.raises(ValueError, match=r"'luong'.*mask to be a list"):
        layer([T(Q), T(V)], mask=T(Q_MASK))
    with pytest.raises(ValueError, match=r"'bahdanau'.*dropout.*\[0, 1\).*1.5"):
        layers.AdditiveAttention(dropout=1.5, name="bahdanau")
    with pytest.raises(ValueError, match=r"score_mode.*'cosine'"):
        layers.Attention(score_mode="cosine")


@pytest.mark.parametrize("key_dim", [0, -2, 2.5, "4", True])
def test_mha_key_dim_must_be_a_positive_int(key_dim):
    with pytest.raises(ValueError, match=rf"'heads'.*key_dim to be a positive int.*"
                                         rf"{repr(key_dim)[:3]}"):
        layers.MultiHeadAttention(num_heads=2, key_dim=key_dim, name="heads")


def test_mha_call_errors_name_the_layer():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="heads")
    with pytest.raises(ValueError, match=r"'heads'.*layer\(query, value\).*no value"):
        mha(T(Q))
    with pytest.raises(ValueError, match=r"'heads'.*layer\(query, value\).*list of 2"):
        mha([T(Q), T(V)])
    with pytest.raises(ValueError, match=r"'heads'.*attention_mask of shape \(2, 3, 5\).*"
                                         r"Received attention_mask of shape \(2, 3, 4\)"):
        mha(T(Q), T(V), attention_mask=T(np.ones((2, 3, 4), bool)))
    with pytest.raises(ValueError, match=r"'heads'.*attention_mask of shape \(None, 3, 5\).*"
                                         r"\(None, 5, 3\)"):
        mha(Input((3, 4)), Input((5, 4)), attention_mask=Input((5, 3), dtype="bool"))
    with pytest.raises(ValueError, match=r"'axes'.*attention_axes between 1 and 2.*\(3,\)"):
        layers.MultiHeadAttention(2, 3, attention_axes=3, name="axes")(
            T(np.ones((1, 2, 2, 4), "float32")), T(np.ones((1, 2, 2, 4), "float32")))
    with pytest.raises(ValueError, match=r"'ranks'.*same rank"):
        layers.MultiHeadAttention(2, 3, name="ranks")(T(Q), T(np.ones((2, 4), "float32")))


# -- learning -------------------------------------------------------------------------------
@needs_autodiff
def test_a_model_with_multi_head_attention_learns_a_key_value_lookup():
    """Each sample holds 4 (key, value) pairs, keys a permutation of one-hot codes, and a
    query equal to one of the keys; the target is the value paired with that key."""
    rng = np.random.default_rng(0)
    n, slots = 256, 4
    keys = np.stack([np.eye(slots)[rng.permutation(slots)] for _ in range(n)]).astype("float32")
    values = rng.normal(size=(n, slots, 1)).astype("float32")
    chosen = rng.integers(0, slots, n)
    queries = keys[np.arange(n), chosen][:, None, :]
    targets = values[np.arange(n), chosen]

    q_in, v_in, k_in = Input((1, slots)), Input((slots, 1)), Input((slots, slots))
    mha = layers.MultiHeadAttention(num_heads=1, key_dim=8, dropout=0.05, seed=0)
    attended = mha(q_in, v_in, k_in)
    model = Model([q_in, v_in, k_in], layers.Flatten()(attended))
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05), loss="mse")
    history = model.fit([queries, values, keys], targets, batch_size=64, epochs=15, verbose=0)
    assert history.history["loss"][0] > 0.5  # guessing the mean costs the values' variance
    test_error = np.mean((model.predict([queries, values, keys], verbose=0) - targets) ** 2)
    assert test_error < 0.05
    assert N(mha.seed_generator.state)[1] >= 60  # a fresh dropout draw at each of the steps
