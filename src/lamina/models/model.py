"""Model: a layer that groups layers, with training and inspection on top.

``Model(inputs, outputs, name=None)`` builds a :class:`Functional` model from the
graph between symbolic tensors. Subclassing ``Model`` works like subclassing
``Layer``: create layers in ``__init__`` and use them in ``call``.

>>> from lamina import backend as K, layers, Model
>>> class TwoLayers(Model):
...     def __init__(self):
...         super().__init__()
...         self.hidden = layers.Dense(8, activation="relu")
...         self.out = layers.Dense(2)
...     def call(self, inputs):
...         return self.out(self.hidden(inputs))
>>> model = TwoLayers()
>>> model(K.ones((3, 5))).shape[-1], len(model.weights)
(2, 4)
"""

from lamina._arguments import is_int
from lamina.backend import symbolic
from lamina.layers.layer import Layer
from lamina.models.keras2 import Keras2Model
from lamina.models.stateless import StatelessCall
from lamina.training.loops import Loops
from lamina.training.trainer import Trainer


class Model(Keras2Model, StatelessCall, Loops, Trainer, Layer):
    """A group of layers. ``Model(inputs, outputs)`` gives a functional model; a subclass
    defines ``call``, and is itself functional only when ``inputs`` and ``outputs``
    reach ``Model.__init__`` (so ``Net(8, 2)`` is a subclassed model when ``Net``'s
    constructor calls ``super().__init__()`` without them)."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from lamina.models.functional import Functional
            return Functional.__new__(Functional)  # Functional checks what it was given
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        """``Model(name=None, trainable=True, dtype=None)`` for a subclassed model;
        ``inputs`` and ``outputs`` (by position or keyword) make it functional, whatever
        class ``__init__`` they reach: ``super().__init__(inputs=x, outputs=y)`` in a
        subclass's constructor gives a functional model that keeps the subclass's methods.

        >>> from lamina import Input, Model, layers
        >>> class Classifier(Model):
        ...     def __init__(self, classes, **kwargs):
        ...         x = Input((4,))
        ...         super().__init__(inputs=x, outputs=layers.Dense(classes)(x), **kwargs)
        >>> model = Classifier(3, name="clf")
        >>> model.name, model.output.shape, isinstance(model, Classifier)
        ('clf', (None, 3), True)
        """
        from lamina.models.functional import Functional
        if args or "inputs" in kwargs or "outputs" in kwargs:
            if not isinstance(self, Functional):
                # a subclass (say, with its own train_step) built from inputs and outputs
                self.__class__ = _functional_subclass(type(self), Functional)
            Functional.__init__(self, *args, **kwargs)
            return
        Layer.__init__(self, **kwargs)

    @property
    def layers(self):
        """The layers stored on the model, in the order they were assigned."""
        return self._sublayers()

    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or the one at position ``index`` of ``layers``."""
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Model {self.name!r}: get_layer index {index} is out of range; "
                                 f"the model has {len(layers)} layers.")
            return layers[index]
        if name is None:
            raise ValueError("get_layer: give a name or an index.")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model {self.name!r} has no layer named {name!r}; its layers are "
                         f"{[layer.name for layer in layers]}.")

    def reset_states(self):
        """Reset the states of every stateful layer in the model (nested ones too), as
        Keras 2's ``Model.reset_states`` does between independent sequences.

        >>> import lamina
        >>> model = lamina.Sequential([lamina.Input(batch_shape=(2, 3, 1)),
        ...                            lamina.layers.SimpleRNN(4, stateful=True)])
        >>> _ = model.predict(lamina.ops.ones((2, 3, 1)), verbose=0)
        >>> model.reset_states()
        >>> float(lamina.ops.sum(lamina.ops.abs(model.layers[0].states[0])))
        0.0
        """
        pending = list(self.layers)
        while pending:
            layer = pending.pop()
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()
            pending.extend(layer._sublayers())

    def build(self, input_shape=None):
        """Create the weights for inputs of ``input_shape`` (batch axis included, e.g.
        ``(None, 3)``; a list or dict of shapes for several inputs) by calling the model
        on symbolic inputs of that shape, as Keras 2 did for subclassed models (Keras 3
        marks such a model built without creating its weights). A subclass's own
        ``build`` that calls ``super().build(input_shape)`` is only marked built.

        >>> from lamina import Model, layers
        >>> class TwoLayers(Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden, self.out = layers.Dense(4), layers.Dense(1)
        ...     def call(self, x):
        ...         return self.out(self.hidden(x))
        >>> model = TwoLayers(); model.build((None, 3)); model.count_params()
        21
        """
        if self.built or type(self).build is not Model.build:
            self.built = True
            return
        if input_shape is None:
            raise ValueError(f"Model {self.name!r}: build() needs the input shape, batch "
                             f"axis included, e.g. model.build((None, 3)); received None.")
        inputs = _symbolic_inputs(input_shape, f"Model {self.name!r}: build")
        try:
            self(inputs)
        except Exception as e:
            raise ValueError(f"Model {self.name!r}: build({input_shape!r}) calls the model "
                             f"on symbolic inputs of that shape, and the call failed: {e} "
                             f"Call the model on a batch of real data instead.") from e

    def _maybe_build(self, inputs):
        if type(self).build is Model.build:  # the layers build as the call reaches them
            self.built = True
        super()._maybe_build(inputs)

    @property
    def input_shape(self):
        """The shape of the model's input (a list of shapes for several inputs), for a
        functional model or a built Sequential.

        >>> from lamina import Input, Model, layers
        >>> a, b = Input((3,)), Input((4,))
        >>> model = Model([a, b], layers.Dense(2)(layers.Concatenate()([a, b])))
        >>> model.input_shape, model.output_shape
        ([(None, 3), (None, 4)], (None, 2))
        """
        return self._graph_shapes("input")

    @property
    def output_shape(self):
        """The shape of the model's output (a list of shapes for several outputs), for a
        functional model or a built Sequential.

        >>> from lamina import Input, Sequential, layers
        >>> Sequential([Input((3,)), layers.Dense(2)]).output_shape
        (None, 2)
        """
        return self._graph_shapes("output")

    def _graph_shapes(self, kind):
        graph = self._static_graph()
        if graph is None:
            raise AttributeError(f"Model {self.name!r} has no {kind}_shape: it has no symbolic "
                                 f"{kind}s (a subclassed model, or a Sequential not built "
                                 f"yet); build it from Input() or call it on data first.")
        shapes = [tuple(t.shape) for t in graph[0 if kind == "input" else 1]]
        return shapes[0] if len(shapes) == 1 else shapes

    # -- saving ----------------------------------------------------------------
    def save(self, filepath, overwrite=True):
        """Save the architecture, weights, compile arguments and optimizer state in
        lamina's model format (a ``.lamina`` archive, whatever the file's name: a
        ``.keras`` or ``.h5`` name gets a warning that Keras cannot read it); load it with
        :func:`lamina.saving.load_model`."""
        from lamina.saving.model_file import save_model
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        """Save the weights in safetensors format, whatever the file's name
        (``.weights.safetensors`` by convention; ``.weights.h5`` gets a warning that the
        file is not HDF5); read them back with ``load_weights``."""
        from lamina.saving.weights import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights saved by ``save_weights`` (or ``save``), matched by the model's
        structure; ``skip_mismatch=True`` leaves layers that do not fit as they are."""
        from lamina.saving.weights import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The architecture as a JSON string (``lamina.models.model_from_json`` reads it);
        ``kwargs`` go to ``json.dumps``."""
        import json
        from lamina.saving.serialization import serialize_lamina_object
        return json.dumps(serialize_lamina_object(self), **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False):
        """Print the Keras table of layers, output shapes and parameter counts."""
        from lamina.utils.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)


_functional_subclasses = {}


def _functional_subclass(cls, functional):
    """``cls`` combined with Functional, so ``MyModel(inputs, outputs)`` builds a graph
    model that keeps ``MyModel``'s methods."""
    if cls not in _functional_subclasses:
        _functional_subclasses[cls] = type(cls.__name__, (cls, functional),
                                           {"__module__": cls.__module__})
    return _functional_subclasses[cls]


def _symbolic_inputs(input_shape, where):
    """Symbolic inputs of ``input_shape``: a shape, or a list or dict of shapes."""
    if isinstance(input_shape, dict):
        return {k: _symbolic_inputs(v, where) for k, v in input_shape.items()}
    if isinstance(input_shape, (list, tuple)) and input_shape and all(
            isinstance(s, (list, tuple)) for s in input_shape):
        return [_symbolic_inputs(s, where) for s in input_shape]
    if not isinstance(input_shape, (list, tuple)) or not all(
            d is None or is_int(d) for d in input_shape):
        raise ValueError(f"{where}: expected a shape such as (None, 3) (ints or None, batch "
                         f"axis first), or a list or dict of shapes; received {input_shape!r}.")
    return symbolic.Input(batch_shape=tuple(None if d is None else int(d) for d in input_shape))
