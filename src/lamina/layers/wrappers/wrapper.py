"""Wrapper: the base class of layers that hold and extend one inner layer
(TimeDistributed, Bidirectional), and the nested-config round trip they share.

A wrapper's config holds its inner layer as ``{"class_name": ..., "config": ...}``;
``from_config(config, custom_objects=None)`` rebuilds it, finding the class in
``custom_objects`` first, then among ``lamina.layers``.
"""

import inspect

from lamina.layers.layer import Layer


def serialize_layer(layer):
    """``{"class_name": ..., "config": ...}`` describing ``layer``.

    >>> from lamina import layers
    >>> serialize_layer(layers.Dense(2, name="d"))["config"]["units"]
    2
    """
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config, custom_objects=None, owner="Wrapper"):
    """The layer that ``serialize_layer`` described; ``owner`` names the layer asking, for
    the error raised when the class is unknown.

    >>> from lamina import layers
    >>> deserialize_layer(serialize_layer(layers.Dense(2, name="d"))).units
    2
    """
    from lamina import layers

    if isinstance(config, Layer):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{owner} expects a layer or a dict with 'class_name' and 'config'. "
                         f"Received {config!r}.")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{owner}: unknown layer class {name!r}. Pass "
                         f"custom_objects={{{name!r}: cls}} for a layer defined outside "
                         "lamina.layers.")
    inner = dict(config.get("config", {}))
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


class Wrapper(Layer):
    """A layer that holds another layer (``self.layer``) and runs it in its own way.

    ``Wrapper(layer, **kwargs)``. Its weights are the inner layer's; ``get_config``
    nests the inner layer's config and ``from_config(config, custom_objects=None)``
    rebuilds it.

    >>> from lamina import backend as K, layers
    >>> class Twice(layers.Wrapper):
    ...     def call(self, inputs):
    ...         return self.layer(self.layer(inputs))
    >>> twice = Twice(layers.Dense(2, use_bias=False, kernel_initializer="ones"))
    >>> K.convert_to_numpy(twice(K.ones((1, 2)))).tolist()
    [[4.0, 4.0]]
    >>> Twice.from_config(twice.get_config()).layer.units
    2
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects a Layer "
                             f"instance to wrap. Received {layer!r} of type "
                             f"{type(layer).__name__}.")
        self.layer = layer

    def build_inner(self, layer, input_shape):
        """Build ``layer`` (the inner layer or a copy of it) for ``input_shape``."""
        if not layer.built:
            layer.build(input_shape)
            layer.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new wrapper from ``get_config()``'s dict; ``custom_objects`` maps class names
        of inner layers defined outside ``lamina.layers`` to their classes."""
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects, cls.__name__)
        return cls(**config)
