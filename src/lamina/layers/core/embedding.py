"""Embedding: integer indices to dense vectors, a row lookup in a trainable table."""

from lamina import constraints, initializers, regularizers
from lamina import backend as K
from lamina._arguments import positive_int
from lamina.layers.layer import Layer
from lamina.layers.settings import serialize_setting

# Keras's short initializer names that lamina.initializers does not know.
_INITIALIZER_ALIASES = {"uniform": "random_uniform", "normal": "random_normal",
                        "zero": "zeros", "one": "ones"}


class Embedding(Layer):
    """Turn integer indices into dense vectors: ``outputs[..., :] = embeddings[index]``.

    ``Embedding(input_dim, output_dim, embeddings_initializer="uniform",
    embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False)``.
    ``input_dim`` is the vocabulary size (indices lie in ``[0, input_dim)``); the
    output has the input's shape plus a last axis of ``output_dim``. With
    ``mask_zero=True`` index 0 is padding: the output mask is ``inputs != 0`` and
    layers downstream that accept ``mask`` receive it (``input_dim`` must then count
    the padding index). Float inputs are cast to int32.

    >>> from lamina import backend as K, layers
    >>> layer = layers.Embedding(10, 4, mask_zero=True)
    >>> y = layer(K.Input((5,), dtype="int32"))
    >>> y.shape, layer.embeddings.shape
    ((None, 5, 4), (10, 4))
    >>> K.convert_to_numpy(layer.compute_mask(K.constant([[3, 0]], "int32"))).tolist()
    [[True, False]]
    """

    autocast = False  # float indices are cast to int32 by call, not to float32

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if positive_int(value) is None:
                raise ValueError(f"Embedding {self.name!r}: {arg} must be a positive int; "
                                 f"received {value!r}.")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        if isinstance(embeddings_initializer, str):
            embeddings_initializer = _INITIALIZER_ALIASES.get(embeddings_initializer,
                                                              embeddings_initializer)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if not K.dtype(inputs).startswith(("int", "uint")):
            inputs = K.cast(inputs, "int32")
        return K.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return K.not_equal(inputs, 0)

    def get_config(self):
        config = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim,
                      embeddings_initializer=serialize_setting(self.embeddings_initializer),
                      embeddings_regularizer=serialize_setting(self.embeddings_regularizer),
                      embeddings_constraint=serialize_setting(self.embeddings_constraint),
                      mask_zero=self.mask_zero)
        return config
