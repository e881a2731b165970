"""A layer's settings (activation, initializers, regularizers, constraints) as its
config holds them: a built-in function by name, an object as ``{"class_name": ...,
"config": ...}`` (a registered class under its registered name), which the modules'
``get`` reads back.

>>> from lamina import activations, initializers
>>> serialize_setting(initializers.Constant(2.0))
{'class_name': 'Constant', 'config': {'value': 2.0}}
>>> serialize_setting(activations.tanh), serialize_setting(None)
('tanh', None)
"""

import inspect


def serialize_setting(value):
    """``value`` as a layer config holds it (None and strings unchanged)."""
    from lamina import activations
    from lamina.saving.object_registry import get_registered_name
    if inspect.isfunction(value):
        return activations.serialize(value)
    if hasattr(value, "get_config") and not isinstance(value, type):
        return {"class_name": get_registered_name(value), "config": value.get_config()}
    return value
