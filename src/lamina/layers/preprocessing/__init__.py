"""Preprocessing layers: feature layers (``Normalization``, lookups, hashing, text) and
image layers (resizing, cropping, random augmentation), as in ``keras.layers``.
"""
