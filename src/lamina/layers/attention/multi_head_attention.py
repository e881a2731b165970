"""MultiHeadAttention: scaled dot-product attention with several heads (Vaswani et al., 2017).

Query, key and value are projected to ``num_heads`` heads by einsum-shaped dense
sub-layers named ``query``, ``key``, ``value`` (kernels ``(dim, num_heads, key_dim)``
and ``(dim, num_heads, value_dim)``, biases ``(num_heads, key_dim)``...) with Keras 3's
weight layout and order; the query is scaled by ``1 / sqrt(key_dim)``; the scores of
each head go through a softmax over the attended positions (masked positions get a
large negative score first), dropout in training, and weight the projected values;
the ``attention_output`` sub-layer (kernel ``(num_heads, value_dim, out_dim)``)
merges the heads.

Masks follow Keras: a boolean ``query_mask (batch, Tq)``, ``value_mask`` and
``key_mask (batch, Tv)`` (taken from the tensors' Keras masks, such as those of
``Embedding(mask_zero=True)``, when not given) combine as query mask x value mask,
together with ``attention_mask (batch, Tq, Tv)`` and the causal mask; the output
carries the query's mask. With ``attention_axes`` the attention runs over other
axes than axis 1 of inputs of rank > 3 (the other axes, but the last, are batch axes).
"""

import math
import string

from lamina import constraints, initializers, regularizers
from lamina import backend as K
from lamina._arguments import as_ints, is_int, positive_int
from lamina.backend import symbolic
from lamina.layers.attention.attention import check_dropout, seed_generator
from lamina.layers.attention.masking import as_bool, causal_mask, combine, masked_softmax
from lamina.layers.attention.projection import Projection
from lamina.layers.settings import serialize_setting
from lamina.layers.layer import Layer


def attention_equations(rank, attention_axes):
    """The einsum equations ``key, query -> scores`` and ``scores, value -> output`` for
    projected tensors of ``rank`` (heads and head size last), and the scores' rank.

    >>> attention_equations(4, (1,))
    ('aecd,abcd->acbe', 'acbe,aecd->abcd', 4)
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    source = list(target)
    for offset, axis in enumerate(attention_axes):
        source[axis] = letters[rank + offset]
    source = "".join(source)
    batch = [i for i in range(rank - 1) if i not in attention_axes]
    product = "".join([target[i] for i in batch] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _positive_int(layer, argument, value):
    if positive_int(value) is None:
        raise ValueError(f"MultiHeadAttention layer {layer.name!r} expects {argument} to be a "
                         f"positive int. Received {argument}={value!r}.")
    return int(value)


def _shape(tensor):
    return symbolic.symbolic_shape(tensor.shape) if hasattr(tensor, "shape") else None


def _fits(size, target):
    return size is None or target is None or size == 1 or size == target


class MultiHeadAttention(Layer):
    """Multi-head attention layer.

    ``MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
    output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
    bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
    activity_regularizer=None, kernel_constraint=None, bias_constraint=None, seed=None)``.
    ``value_dim`` defaults to ``key_dim``; ``output_shape`` (an int or a tuple) is the
    shape of the output's last axes, by default the query's last dimension;
    ``attention_axes`` (an int or a tuple of axes of the input) are the axes attended
    over, by default all but the batch and feature axes; ``dropout`` is the fraction of
    the attention probabilities dropped in training.

    Call: ``layer(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None,
    use_causal_mask=False)``; ``query`` is ``(batch, Tq, dim)``, ``value`` and ``key``
    ``(batch, Tv, dim_v)`` (key defaults to value). With
    ``return_attention_scores=True`` it returns ``(output, scores)``, the scores being
    the attention probabilities ``(batch, num_heads, Tq, Tv)`` before dropout.

    >>> from lamina import backend as K, layers
    >>> mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    >>> out, scores = mha(K.Input((4, 6)), K.Input((5, 8)), return_attention_scores=True)
    >>> out.shape, scores.shape
    ((None, 4, 6), (None, 2, 4, 5))
    >>> [w.shape for w in mha.weights[:2]], mha.output_dense.kernel.shape
    ([(6, 2, 3), (2, 3)], (2, 3, 6))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 seed=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.num_heads = _positive_int(self, "num_heads", num_heads)
        self.key_dim = _positive_int(self, "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else \
            _positive_int(self, "value_dim", value_dim)
        self.dropout = check_dropout(self, dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None:
            output_shape = as_ints(output_shape)
            for size in output_shape:
                _positive_int(self, "output_shape", size)
        self.output_shape = output_shape
        if attention_axes is not None:
            attention_axes = as_ints(attention_axes)
        self.attention_axes = attention_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self.seed_generator = seed_generator(self, self.dropout, seed)
        self.supports_masking = True

    # -- the projections ---------------------------------------------------------
    @property
    def query_dense(self):
        """The query projection (kernel ``(dim, num_heads, key_dim)``)."""
        return self._query_dense

    @property
    def key_dense(self):
        """The key projection (kernel ``(dim, num_heads, key_dim)``)."""
        return self._key_dense

    @property
    def value_dense(self):
        """The value projection (kernel ``(dim, num_heads, value_dim)``)."""
        return self._value_dense

    @property
    def output_dense(self):
        """The output projection (kernel ``(num_heads, value_dim, out_dim)``)."""
        return self._output_dense

    def _where(self):
        return f"MultiHeadAttention layer {self.name!r}"

    def _normalized_axes(self, rank):
        if self.attention_axes is None:
            return tuple(range(1, rank - 1))
        axes = []
        for axis in self.attention_axes:
            if not is_int(axis) or \
                    not -rank <= axis < rank or axis % rank in (0, rank - 1):
                raise ValueError(
                    f"{self._where()} expects attention_axes between 1 and {rank - 2} (not the "
                    f"batch or feature axis) for inputs of rank {rank}. Received "
                    f"attention_axes={self.attention_axes!r}.")
            axes.append(axis % rank)
        return tuple(sorted(set(axes)))

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = (tuple(s) for s in (query_shape, value_shape,
                                                                   key_shape))
        rank = len(query_shape)
        if rank < 3 or len(value_shape) != rank or len(key_shape) != rank:
            raise ValueError(f"{self._where()} expects query, value and key of the same rank, "
                             f">= 3 (batch, positions..., features). Received query shape "
                             f"{query_shape}, value shape {value_shape} and key shape "
                             f"{key_shape}.")
        if any(s[-1] is None for s in (query_shape, value_shape, key_shape)):
            raise ValueError(f"{self._where()} needs known last dimensions. Received query "
                             f"shape {query_shape}, value shape {value_shape} and key shape "
                             f"{key_shape}.")
        if not all(v is None or k is None or v == k
                   for v, k in zip(value_shape[1:-1], key_shape[1:-1])):
            raise ValueError(f"{self._where()} expects value and key to have the same "
                             f"dimensions but the last. Received value shape {value_shape} "
                             f"and key shape {key_shape}.")
        axes = self._normalized_axes(rank)
        common = dict(use_bias=self.use_bias, kernel_initializer=self.kernel_initializer,
                      bias_initializer=self.bias_initializer,
                      kernel_regularizer=self.kernel_regularizer,
                      bias_regularizer=self.bias_regularizer,
                      kernel_constraint=self.kernel_constraint,
                      bias_constraint=self.bias_constraint, dtype=self.dtype_policy)
        heads = self.num_heads
        self._query_dense = Projection(rank - 1, query_shape[-1:], (heads, self.key_dim),
                                       name="query", **common)
        self._key_dense = Projection(rank - 1, key_shape[-1:], (heads, self.key_dim),
                                     name="key", **common)
        self._value_dense = Projection(rank - 1, value_shape[-1:], (heads, self.value_dim),
                                       name="value", **common)
        self._output_dense = Projection(rank - 1, (heads, self.value_dim),
                                        self.output_shape or query_shape[-1:],
                                        name="attention_output", **common)
        self._axes = axes
        self._dot_equation, self._combine_equation, scores_rank = \
            attention_equations(rank + 1, axes)
        self._softmax_axes = tuple(range(scores_rank - len(axes), scores_rank))
        self.built = True

    def _maybe_build(self, inputs):
        query, value, key = inputs
        self.build(_shape(query), _shape(value), None if key is None else _shape(key))

    # -- calling --------------------------------------------------------------------
    def __call__(self, query=None, value=None, key=None, **kwargs):
        query = kwargs.pop("inputs", query)
        if isinstance(query, (list, tuple)) or value is None:
            received = f"a list of {len(query)} tensors" if isinstance(query, (list, tuple)) \
                else f"query of shape {_shape(query)} and no value"
            raise ValueError(f"{self._where()} expects two or three tensors: "
                             f"layer(query, value) or layer(query, value, key). Received "
                             f"{received}.")
        if not self.built:
            self._build_once((query, value, key))
        for name, tensor in (("query_mask", query), ("value_mask", value), ("key_mask", key)):
            if kwargs.get(name) is None and getattr(tensor, "_keras_mask", None) is not None:
                kwargs[name] = tensor._keras_mask
        self._check_attention_mask(query, value if key is None else key,
                                   kwargs.get("attention_mask"))
        args = (query, value) if key is None else (query, value, key)
        return super().__call__(*args, **kwargs)

    def _scores_shape(self, query_shape, key_shape):
        projected = query_shape[:-1] + (self.num_heads,)
        batch = [projected[i] for i in range(len(projected)) if i not in self._axes]
        return tuple(batch + [query_shape[i] for i in self._axes]
                     + [key_shape[i] for i in self._axes])

    def _check_attention_mask(self, query, key, attention_mask):
        mask_shape = _shape(attention_mask)
        if mask_shape is None:
            return
        scores = self._scores_shape(_shape(query), _shape(key))
        heads_axis = len(scores) - 2 * len(self._axes) - 1
        position = len(mask_shape) - 2 * len(self._axes)
        missing = len(scores) - len(mask_shape)
        expanded = mask_shape[:position] + (1,) * missing + mask_shape[position:]
        if missing < 0 or position < 0 or not all(map(_fits, expanded, scores)):
            expected = scores[:heads_axis] + scores[heads_axis + 1:]
            raise ValueError(f"{self._where()} expects attention_mask of shape {expected} "
                             "(batch, query positions, key positions) or one that broadcasts "
                             f"to it. Received attention_mask of shape {mask_shape}.")

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        mask = combine(None if query_mask is None else K.expand_dims(as_bool(query_mask), -1),
                       None if value_mask is None else K.expand_dims(as_bool(value_mask), -2),
                       None if key_mask is None else K.expand_dims(as_bool(key_mask), -2),
                       causal_mask(query, value) if use_causal_mask else None,
                       as_bool(attention_mask))
        projected_query = self._query_dense(query) * (1.0 / math.sqrt(self.key_dim))
        scores = K.einsum(self._dot_equation, self._key_dense(key), projected_query)
        if mask is not None:
            for _ in range(len(scores.shape) - len(mask.shape)):
                mask = K.expand_dims(mask, -2 * len(self._axes) - 1)
        probabilities = masked_softmax(scores, mask, self._softmax_axes)
        weights = probabilities
        if training and self.dropout > 0:
            weights = K.dropout(probabilities, self.dropout, seed=self.seed_generator)
        outputs = self._output_dense(
            K.einsum(self._combine_equation, weights, self._value_dense(value)))
        return (outputs, probabilities) if return_attention_scores else outputs

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        """``query_shape`` with its last axis replaced by ``output_shape`` (default: kept).

        >>> from lamina import layers
        >>> layers.MultiHeadAttention(2, 4, output_shape=5).compute_output_shape((None, 3, 8))
        (None, 3, 5)
        """
        query_shape = tuple(query_shape)
        return query_shape[:-1] + (self.output_shape or query_shape[-1:])

    def get_config(self):
        config = super().get_config()
        config.update(output_shape=None if self.output_shape is None else list(self.output_shape),
                      attention_axes=None if self.attention_axes is None
                      else list(self.attention_axes),
                      kernel_initializer=serialize_setting(self.kernel_initializer),
                      bias_initializer=serialize_setting(self.bias_initializer),
                      kernel_regularizer=serialize_setting(self.kernel_regularizer),
                      bias_regularizer=serialize_setting(self.bias_regularizer),
                      activity_regularizer=serialize_setting(self.activity_regularizer),
                      kernel_constraint=serialize_setting(self.kernel_constraint),
                      bias_constraint=serialize_setting(self.bias_constraint))
        return config
