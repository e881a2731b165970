"""Attention layers: Attention (Luong), AdditiveAttention (Bahdanau) and
MultiHeadAttention.

>>> from lamina import layers
>>> layers.MultiHeadAttention(num_heads=2, key_dim=4).key_dim
4
"""

from lamina.layers.attention.additive_attention import AdditiveAttention
from lamina.layers.attention.attention import Attention
from lamina.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]
