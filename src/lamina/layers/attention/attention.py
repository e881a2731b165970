"""Attention: dot-product (Luong-style) attention over a query and a value sequence.

The layer is called on ``[query, value]`` or ``[query, value, key]`` (key defaults to
value): ``query`` is ``(batch, Tq, dim)``, ``value`` ``(batch, Tv, dim_v)`` and ``key``
``(batch, Tv, dim)``. Scores ``(batch, Tq, Tv)`` are computed from query and key
(:meth:`Attention.score`), masked value steps and, with ``use_causal_mask``, later
steps get a large negative score, the softmax over the value steps gives the
attention distribution (dropped out in training when ``dropout > 0``), and the output
is that distribution applied to ``value``, with masked query steps set to zero.

``mask=[query_mask, value_mask]`` (booleans ``(batch, Tq)`` and ``(batch, Tv)``)
arrives by itself from a layer that makes masks, such as ``Embedding(mask_zero=True)``;
the output carries the query mask.
"""

from lamina import backend as K
from lamina._arguments import as_int, is_int, is_number
from lamina.layers.attention.masking import as_bool, causal_mask, combine, masked_softmax
from lamina.layers.layer import Layer

_SCORE_MODES = ("dot", "concat")


def check_dropout(layer, dropout):
    """``dropout`` as a float in [0, 1), or a ValueError naming ``layer``.

    >>> from lamina import layers
    >>> check_dropout(layers.Layer(name="demo"), 0)
    0.0
    """
    if not is_number(dropout) or not 0 <= dropout < 1:
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects dropout to be a "
                         f"float in [0, 1). Received dropout={dropout!r}.")
    return float(dropout)


def seed_generator(layer, dropout, seed):
    """The layer's dropout seed generator (None when nothing is dropped).

    >>> from lamina import layers
    >>> seed_generator(layers.Layer(), 0.0, seed=1) is None
    True
    """
    if seed is not None and not is_int(seed):
        raise TypeError(f"{type(layer).__name__} layer {layer.name!r} expects seed to be an "
                        f"int or None. Received seed={seed!r}.")
    return K.SeedGenerator(as_int(seed)) if dropout > 0 else None


def _shape(tensor):
    return tuple(tensor.shape) if hasattr(tensor, "shape") else None


class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    ``Attention(use_scale=False, score_mode="dot", dropout=0.0, seed=None)``.
    ``score_mode="dot"`` scores ``query . key``; ``"concat"`` scores
    ``sum(tanh(query + key))`` over the features. ``use_scale=True`` adds a trainable
    scalar ``scale`` (initialized to 1) multiplying the scores (``"dot"``) or the
    ``tanh`` argument (``"concat"``, which also has a trainable scalar
    ``concat_score_weight`` multiplying the scores). ``dropout`` is the fraction of
    the attention distribution dropped in training.

    Call: ``layer(inputs, mask=None, training=None, return_attention_scores=False,
    use_causal_mask=False)`` with ``inputs=[query, value]`` or ``[query, value, key]``.
    With ``return_attention_scores=True`` it returns ``(output, scores)``, the scores
    being the attention distribution ``(batch, Tq, Tv)`` (after dropout).

    >>> from lamina import backend as K, layers
    >>> query = K.constant([[[1.0, 0.0]]])
    >>> value = K.constant([[[1.0, 0.0], [0.0, 1.0]]])
    >>> out, scores = layers.Attention()([query, value], return_attention_scores=True)
    >>> K.shape(out), [round(p, 3) for p in K.convert_to_numpy(scores)[0, 0].tolist()]
    ((1, 1, 2), [0.731, 0.269])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects score_mode to "
                             f"be one of {_SCORE_MODES}. Received score_mode={score_mode!r}.")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = check_dropout(self, dropout)
        self.seed = seed
        self.seed_generator = seed_generator(self, self.dropout, seed)
        self.supports_masking = True

    # -- checks ---------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        self._check_structure(inputs, kwargs.get("mask"))
        return super().__call__(*args, **kwargs)

    def _check_structure(self, inputs, mask):
        where = f"{type(self).__name__} layer {self.name!r}"
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            received = f"{len(inputs)} inputs" if isinstance(inputs, (list, tuple)) else \
                f"one tensor of shape {_shape(inputs)}"
            raise ValueError(f"{where} expects inputs to be a list of 2 or 3 tensors "
                             f"[query, value] or [query, value, key]. Received {received}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            received = f"a list of {len(mask)}" if isinstance(mask, (list, tuple)) else \
                f"{type(mask).__name__}"
            raise ValueError(f"{where} expects mask to be a list [query_mask, value_mask]. "
                             f"Received {received}.")
        shapes = [_shape(t) for t in inputs]
        if any(s is None or len(s) < 2 for s in shapes):
            raise ValueError(f"{where} expects query, value and key tensors of rank >= 2. "
                             f"Received shapes {shapes}.")
        query, key = shapes[0], shapes[2] if len(shapes) == 3 else shapes[1]
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            key_name = "key" if len(shapes) == 3 else "value (used as key)"
            raise ValueError(f"{where} expects query and {key_name} to have the same last "
                             f"dimension. Received query shape {query} and {key_name} shape "
                             f"{key}.")

    # -- weights ----------------------------------------------------------------
    def build(self, input_shape):
        self.scale = self.add_weight("scale", (), "ones") if self.use_scale else None
        self.concat_score_weight = self.add_weight("concat_score_weight", (), "ones") \
            if self.score_mode == "concat" else None
        self.built = True

    # -- computation -------------------------------------------------------------
    def score(self, query, key):
        """The unnormalized scores ``(batch, Tq, Tv)`` of each query step against each key step.

        >>> from lamina import backend as K, layers
        >>> layer = layers.Attention()
        >>> layer.build([(1, 1, 2), (1, 3, 2)])
        >>> K.convert_to_numpy(layer.score(K.ones((1, 1, 2)), K.ones((1, 3, 2)))).tolist()
        [[[2.0, 2.0, 2.0]]]
        """
        if self.score_mode == "dot":
            scores = K.matmul(query, K.swapaxes(key, -1, -2))
            return scores * self.scale if self.scale is not None else scores
        pairs = K.expand_dims(query, -2) + K.expand_dims(key, -3)
        if self.scale is not None:
            pairs = pairs * self.scale
        return self.concat_score_weight * K.sum(K.tanh(pairs), axis=-1)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = as_bool(mask[0]) if mask else None
        value_mask = as_bool(mask[1]) if mask else None
        scores = self.score(query, key)
        scores_mask = combine(None if value_mask is None else K.expand_dims(value_mask, -2),
                              causal_mask(query, value) if use_causal_mask else None)
        weights = masked_softmax(scores, scores_mask, -1)
        if training and self.dropout > 0:
            weights = K.dropout(weights, self.dropout, seed=self.seed_generator)
        outputs = K.matmul(weights, value)
        if query_mask is not None:
            outputs = outputs * K.cast(K.expand_dims(query_mask, -1), K.dtype(outputs))
        return (outputs, weights) if return_attention_scores else outputs

    def compute_mask(self, inputs, mask=None):
        if not mask or mask[0] is None:
            return None
        return as_bool(mask[0])
