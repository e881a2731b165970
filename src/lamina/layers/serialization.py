"""``lamina.layers.serialize`` / ``deserialize``: a layer as JSON-able data and back
(Keras's ``keras.layers.serialize`` and ``keras.layers.deserialize``).

>>> from lamina import layers
>>> config = layers.serialize(layers.Dense(3, name="head"))
>>> config["class_name"], config["config"]["units"]
('Dense', 3)
>>> layers.deserialize(config).name
'head'
"""

from lamina.layers.layer import Layer


def serialize(layer):
    """``layer`` as data: ``{"module", "class_name", "config", "registered_name"}``.

    >>> from lamina import layers
    >>> layers.serialize(layers.Dropout(0.5))["config"]["rate"]
    0.5
    """
    from lamina.saving.serialization import serialize_lamina_object
    if not isinstance(layer, Layer):
        raise TypeError(f"lamina.layers.serialize expects a Layer; received {layer!r} of type "
                        f"{type(layer).__name__}.")
    return serialize_lamina_object(layer)


def deserialize(config, custom_objects=None):
    """A new layer (new weights) from ``serialize``'s output or a Keras 2 style
    ``{"class_name": ..., "config": ...}``; ``custom_objects`` maps names to classes.

    >>> from lamina import layers
    >>> layer = layers.deserialize({"class_name": "LeakyReLU", "config": {"negative_slope": 0.1}})
    >>> type(layer).__name__, layer.negative_slope
    ('LeakyReLU', 0.1)
    """
    from lamina.saving.serialization import deserialize_lamina_object
    layer = deserialize_lamina_object(config, custom_objects=custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(f"lamina.layers.deserialize: the config describes a "
                         f"{type(layer).__name__}, not a layer. Received {config!r}.")
    return layer
