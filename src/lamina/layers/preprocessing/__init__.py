"""Preprocessing layers: feature layers (``Normalization``, lookups, hashing, text) and
image layers (resizing, cropping, random augmentation), as in ``keras.layers``.
"""
from lamina.layers.preprocessing.image import *  # noqa: F401,F403
