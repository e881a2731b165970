"""Keras 2's ``keras.engine.base_layer``: ``Layer`` and ``InputSpec``.

>>> from lamina.engine.base_layer import Layer
>>> Layer(name="custom").name
'custom'
"""

from lamina.layers.layer import InputSpec, Layer  # noqa: F401
