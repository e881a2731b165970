"""AdditiveAttention: Bahdanau-style attention, scores ``sum(scale * tanh(query + key))``."""

from lamina import backend as K
from lamina.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    ``AdditiveAttention(use_scale=True, dropout=0.0, seed=None)``. Called like
    :class:`Attention` on ``[query, value]`` or ``[query, value, key]``, with the
    scores ``(batch, Tq, Tv)`` computed as ``sum(scale * tanh(query + key))`` over the
    features; ``scale`` is a trainable vector of the feature size (glorot-uniform
    initialized) with ``use_scale=True``, and 1 otherwise. Masks, the causal mask,
    ``dropout`` and ``return_attention_scores`` behave as in :class:`Attention`.

    >>> from lamina import backend as K, layers
    >>> layer = layers.AdditiveAttention(use_scale=False)
    >>> query = K.constant([[[0.0, 0.0]]])
    >>> value = K.constant([[[1.0, 1.0], [-1.0, -1.0]]])
    >>> out, scores = layer([query, value], return_attention_scores=True)
    >>> [round(p, 3) for p in K.convert_to_numpy(scores)[0, 0].tolist()]
    [0.955, 0.045]
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        dim = input_shape[0][-1]
        if dim is None:
            raise ValueError(f"AdditiveAttention layer {self.name!r} needs a known last "
                             f"dimension of query. Received shapes {list(input_shape)}.")
        self.scale = self.add_weight("scale", (dim,), "glorot_uniform") \
            if self.use_scale else None
        self.built = True

    def score(self, query, key):
        """The unnormalized scores ``(batch, Tq, Tv)``: ``sum(scale * tanh(query + key))``.

        >>> from lamina import backend as K, layers
        >>> layer = layers.AdditiveAttention()
        >>> layer.build([(1, 4, 2), (1, 3, 2)])
        >>> K.shape(layer.score(K.zeros((1, 4, 2)), K.zeros((1, 3, 2))))
        (1, 4, 3)
        """
        pairs = K.tanh(K.expand_dims(query, -2) + K.expand_dims(key, -3))
        if self.scale is not None:
            pairs = pairs * self.scale
        return K.sum(pairs, axis=-1)
