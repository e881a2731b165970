"""Keras 2's module ``keras.layers.embeddings``: ``Embedding``.

>>> from lamina.layers.embeddings import Embedding
>>> Embedding(100, 8).output_dim
8
"""

from lamina.layers.core.embedding import Embedding  # noqa: F401
