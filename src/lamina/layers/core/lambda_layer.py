"""Lambda: a layer that applies a fixed function (no weights of its own)."""

import inspect

from lamina.layers.layer import Layer
from lamina.saving import python_code
from lamina.saving.serialization import deserialize_lamina_object, serialize_lamina_object


class Lambda(Layer):
    """Wrap ``function`` (written with K functions) as a layer.

    ``Lambda(function, output_shape=None, mask=None, arguments=None)``. The output
    shape is inferred; ``arguments`` are extra keyword arguments for the function;
    ``training`` and ``mask`` are passed when the function accepts them; ``mask``
    is the output mask (a tensor, or a function of ``(inputs, mask)``).

    >>> from lamina import backend as K, layers
    >>> def my_layer(x):
    ...     mask = K.random_binomial(K.shape(x), 0.5)
    ...     return x * mask * 2
    >>> layers.Lambda(my_layer)(K.Input((500,))).shape
    (None, 500)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda {self.name!r}: function must be callable; received "
                            f"{function!r}.")
        self.function = function
        self.output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._passes_training = "training" in parameters
        self._passes_mask = "mask" in parameters
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._passes_training:
            kwargs["training"] = training
        if self._passes_mask:
            kwargs["mask"] = mask
        return self.function(inputs, **kwargs)

    def get_config(self):
        """The function by reference (a module-level function) or as code (a lambda or a
        closure, which loads only with ``safe_mode=False``); a callable ``mask`` too."""
        config = super().get_config()
        config.update(function=_dump(self.function), arguments=self.arguments,
                      mask=_dump(self.mask) if callable(self.mask) else self.mask)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        where = f"Lambda layer {config.get('name')!r}"
        for key in ("function", "mask"):
            value = config.get(key)
            if isinstance(value, dict) and value.get("class_name") == "__lambda__":
                config[key] = python_code.load_function(value, where)
            elif isinstance(value, dict):
                config[key] = deserialize_lamina_object(value)
        return cls(**config)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask


def _dump(fn):
    qualname = getattr(fn, "__qualname__", "")
    if "<lambda>" in qualname or "<locals>" in qualname:
        return python_code.dump_function(fn)
    return serialize_lamina_object(fn)
