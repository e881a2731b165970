"""Sequential: a model that is a plain stack of layers.

Built at once from an ``Input`` or from ``input_shape=`` on the first layer,
or lazily on its first call.

>>> from lamina import backend as K, layers, Sequential, Input
>>> model = Sequential([Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(2)])
>>> model.output.shape, [layer.name for layer in model.layers][-1] == model.layers[-1].name
((None, 2), True)
>>> lazy = Sequential([layers.Dense(3)])
>>> lazy.built, lazy(K.ones((5, 7))).shape[-1], lazy.built
(False, 3, True)
"""

from lamina.backend import symbolic
from lamina.backend.symbolic import SymbolicTensor
from lamina.layers.input_layer import InputLayer
from lamina.layers.layer import Layer
from lamina.models.keras2 import Keras2Sequential
from lamina.models.model import Model


class Sequential(Keras2Sequential, Model):
    """``Sequential(layers=None, trainable=True, name=None)``: ``add()``, ``pop()``."""

    _untracked_attributes = Layer._untracked_attributes | {"_graph", "_tensors"}
    autocast = False  # its graph casts the inputs to the dtype of its Input

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._layers = []
        self._tensors = []
        self._graph = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (or set the input with an ``Input`` tensor or an ``InputLayer``)."""
        if isinstance(layer, InputLayer):
            layer = layer.output
        if isinstance(layer, SymbolicTensor):
            if self._layers or self._tensors:
                raise ValueError(f"Sequential {self.name!r}: an Input can only come first.")
            self._tensors = [layer]
            self._graph = None
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential {self.name!r}: add() expects a Layer; received "
                            f"{layer!r} of type {type(layer).__name__}.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Sequential {self.name!r}: a layer named {layer.name!r} is already "
                             "in the model; every layer needs a unique name.")
        self._layers.append(layer)
        if not self._tensors and len(self._layers) == 1 and layer._batch_input_shape is not None:
            self._tensors = [symbolic.Input(batch_shape=layer._batch_input_shape,
                                            dtype=layer.dtype)]
        if self._tensors:
            self._tensors.append(layer(self._tensors[-1]))
        self._graph = None
        self.built = bool(self._tensors)

    def pop(self):
        """Remove the last layer and return it."""
        if not self._layers:
            raise ValueError(f"Sequential {self.name!r} has no layer to pop.")
        layer = self._layers.pop()
        if len(self._tensors) > 1:
            self._tensors.pop()
        self._graph = None
        return layer

    @property
    def layers(self):
        return list(self._layers)

    def get_config(self):
        """The name, the input (when known) and each layer's serialized config."""
        from lamina.saving.serialization import serialize_lamina_object
        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [serialize_lamina_object(layer) for layer in self._layers]}
        if self._tensors:
            t = self._tensors[0]
            config["input"] = {"batch_shape": list(t.shape), "dtype": t.dtype, "name": t.name}
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new Sequential model, with new weights, from ``get_config``'s output."""
        from lamina.saving.serialization import deserialize_lamina_object
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        spec = config.get("input")
        if spec is not None:
            model.add(symbolic.Input(batch_shape=tuple(spec["batch_shape"]),
                                     dtype=spec["dtype"], name=spec.get("name")))
        for layer_config in config.get("layers", []):
            model.add(deserialize_lamina_object(layer_config, custom_objects=custom_objects))
        return model

    def _functional(self):
        if self._graph is None and self._tensors:
            from lamina.models.functional import Functional
            self._graph = Functional(self._tensors[0], self._tensors[-1], name=self.name)
        return self._graph

    def _build_from(self, inputs):
        shape = (None,) + symbolic.symbolic_shape(inputs.shape)[1:]
        self._tensors = [symbolic.Input(batch_shape=shape, dtype=str(self.dtype))]
        for layer in self._layers:
            self._tensors.append(layer(self._tensors[-1]))
        self.built = True

    def _maybe_build(self, inputs):
        if not self._tensors:
            self._build_from(inputs)

    def build(self, input_shape=None):
        """Create the layers' weights for inputs of ``input_shape`` (batch axis
        included), as Keras's ``model.build((None, 3))``.

        >>> from lamina import Sequential, layers
        >>> model = Sequential([layers.Dense(2)]); model.build((None, 3))
        >>> model.count_params(), model.output_shape
        (8, (None, 2))
        """
        if self._tensors:
            return
        if input_shape is None:
            raise ValueError(f"Sequential {self.name!r}: build() needs the input shape, "
                             f"batch axis included, e.g. model.build((None, 3)); received "
                             f"None.")
        from lamina.models.model import _symbolic_inputs
        self._build_from(_symbolic_inputs(input_shape, f"Sequential {self.name!r}: build"))

    def call(self, inputs, training=None, mask=None):
        if not self._layers:
            return inputs
        return self._functional().call(inputs, training=training)

    def _static_graph(self):
        return (self.inputs, self.outputs) if len(self._tensors) > 1 else None

    def _symbolic_io(self, x):
        if not self._tensors:
            self._build_once(x)
        if len(self._tensors) > 1:
            return self._functional()._symbolic_io(x)
        return super()._symbolic_io(x)

    def _flat_inputs_of(self, x):
        if len(self._tensors) > 1:
            return self._functional()._flat_inputs_of(x)
        return super()._flat_inputs_of(x)

    @property
    def output_names(self):
        return [self._layers[-1].name] if self._layers else []

    @property
    def inputs(self):
        return [self._tensors[0]] if self._tensors else []

    @property
    def outputs(self):
        return [self._tensors[-1]] if len(self._tensors) > 1 else []

    @property
    def input(self):
        return self._tensors[0] if self._tensors else super().input

    @property
    def output(self):
        return self._tensors[-1] if len(self._tensors) > 1 else super().output
