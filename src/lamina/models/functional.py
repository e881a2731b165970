"""Functional: a model defined by the graph between symbolic inputs and outputs.

``Model(inputs, outputs)`` walks the recorded graph once: every layer call and every
K function applied between layers (the article's inline dropout) is a node. K
functions become :class:`OpLayer` entries of ``model.layers`` so that they show in
``summary()`` and ``plot_model()`` and are saved with the model. Calling the model
runs a compiled :class:`~lamina.backend.symbolic.Program` of the graph.

>>> from lamina import backend as K, layers, Model, Input
>>> x = Input((4,))
>>> h = layers.Dense(3, activation="relu")(x)
>>> y = K.sigmoid(h) * 2.0
>>> model = Model(x, y)
>>> [type(layer).__name__ for layer in model.layers]
['InputLayer', 'Dense', 'OpLayer', 'OpLayer']
>>> model(K.ones((2, 4))).shape[-1]
3
"""

import os
import sys
import warnings

from lamina import backend as K
from lamina.backend import probe_sizes, symbolic, tree
from lamina.backend.naming import unique_name
from lamina.backend.symbolic import SymbolicTensor
from lamina.layers.call_inputs import cast_inputs
from lamina.layers.input_layer import InputLayer
from lamina.layers.layer import Layer
from lamina.models.model import Model
from lamina.training.trainer import _same


class OpLayer(Layer):
    """A K function applied to symbolic tensors between layers, shown as a layer.

    ``function`` is the K function's name (``"multiply"``); the node it stands for
    holds the call's arguments.
    """

    def __init__(self, node, name=None):
        super().__init__(name=name or unique_name(node.name))
        self.node = node
        self.function = getattr(node.fn, "__name__", node.name)
        self.built = True
        self._inbound_nodes = [node]

    def get_config(self):
        return {"name": self.name, "function": self.function}


def _layer_of(node, cache):
    if node.layer is not None:
        return node.layer
    if id(node) not in cache:
        cache[id(node)] = OpLayer(node)
    return cache[id(node)]


def _check_structure(value, what):
    leaves = tree.flatten(value)[0]
    if not leaves:
        raise ValueError(f"Model: {what} must hold at least one symbolic tensor.")
    for leaf in leaves:
        if not isinstance(leaf, SymbolicTensor):
            raise TypeError(f"Model: every one of the {what} must be a symbolic tensor (from "
                            f"Input() or a layer call); received {leaf!r} of type "
                            f"{type(leaf).__name__}.")
    return leaves


class Functional(Model):
    """A model of the graph from ``inputs`` to ``outputs`` (tensors, lists or dicts).

    As in Keras, a call casts each input to the dtype of its ``Input`` (bool data for a
    float32 input gives float32), rather than floats to the model's dtype.

    >>> import numpy as np
    >>> from lamina import backend as K, layers, Input
    >>> x = Input((2,))
    >>> K.dtype(Functional(x, layers.Dense(1)(x))(np.array([[True, False]])))
    'float32'
    """

    autocast = False

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable)
        flat_inputs = _check_structure(inputs, "inputs")
        flat_outputs = _check_structure(outputs, "outputs")
        for t in flat_inputs:
            if t.node is not None:
                raise ValueError(f"Model: the input {t.name!r} is not an Input() tensor but the "
                                 f"output of {t.node.name!r}; pass the Input() tensors.")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._flat_inputs = flat_inputs
        self._flat_outputs = flat_outputs
        self._input_dtypes = [t.dtype for t in flat_inputs]
        self._program = symbolic.Program(flat_inputs, outputs)
        probe_sizes.restart_unknown_symbols()
        self._input_layers = [InputLayer(input_tensor=t) for t in flat_inputs]
        cache = {}
        graph_layers = []
        for node in self._program.nodes:
            layer = _layer_of(node, cache)
            if all(layer is not seen for seen in graph_layers):
                graph_layers.append(layer)
        self._graph_layers = graph_layers
        self._nodes = self._program.nodes
        names = {}
        for layer in self._input_layers + graph_layers:
            if layer.name in names and names[layer.name] is not layer:
                raise ValueError(f"Model: the layer name {layer.name!r} is used by two "
                                 "layers; every layer of a model needs a unique name.")
            names[layer.name] = layer
        self.built = True

    # -- structure -----------------------------------------------------------
    @property
    def layers(self):
        """The input layers, then every layer and K function of the graph in call order."""
        return self._input_layers + self._graph_layers

    @property
    def inputs(self):
        return list(self._flat_inputs)

    @property
    def outputs(self):
        return list(self._flat_outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    def _sublayers(self):
        return [layer for layer in self._graph_layers if not isinstance(layer, OpLayer)]

    @property
    def input_names(self):
        return [t.name for t in self._flat_inputs]

    @property
    def output_names(self):
        return [getattr(t.node, "name", t.name) for t in self._flat_outputs]

    # -- running -------------------------------------------------------------
    def _feed(self, inputs):
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise ValueError(f"Model {self.name!r}: no value for the input(s) {missing}; "
                                 f"received keys {sorted(inputs)}.")
            return [inputs[n] for n in self.input_names]
        flat = tree.flatten(inputs)[0] if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self._flat_inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self._flat_inputs)} input(s) "
                             f"({', '.join(self.input_names)}); received {len(flat)}.")
        return flat

    def call(self, inputs, training=None, mask=None):
        values = self._adjust_ranks(cast_inputs(self._feed(inputs), self._input_dtypes))
        adapted = self._adapted(values)
        return (self._program if adapted is None else adapted.program).run(values)

    def _adjust_ranks(self, values):
        """As Keras: data one trailing axis of size 1 short of (or beyond) an input's
        declared rank gets (or loses) that axis; ``(N, 28, 28)`` for ``Input((28, 28, 1))``."""
        adjusted = None
        for i, (value, t) in enumerate(zip(values, self._flat_inputs)):
            shape = getattr(value, "shape", None)
            if shape is None or len(shape) == len(t.shape):
                continue
            if len(shape) + 1 == len(t.shape) and t.shape[-1] == 1:
                value = K.expand_dims(value, -1)
            elif len(shape) == len(t.shape) + 1 and shape[-1] == 1:
                value = K.squeeze(value, -1)
            else:
                continue
            adjusted = adjusted or list(values)
            adjusted[i] = value
        return values if adjusted is None else adjusted

    def _adapted(self, values):
        """None when ``values`` fit the declared inputs; for data of another rank, the
        graph recorded again on inputs of the data's shape (once per data signature,
        with a warning), as tf.keras 2 ran such models."""
        mismatched = []
        for value, t in zip(values, self._flat_inputs):
            shape = tuple(getattr(value, "shape", ()))
            if len(shape) != len(t.shape):
                mismatched.append((t, shape))
            elif any(a is not None and a != b for a, b in zip(t.shape, shape)):
                raise ValueError(f"Model {self.name!r}: input {t.name!r} expects shape "
                                 f"{t.shape}; received {shape}.")
        if not mismatched:
            return None
        key = tuple((t.name, shape[1:]) for t, shape in mismatched)
        cache = self.__dict__.setdefault("_adapted_graphs", {})
        if key not in cache:
            cache[key] = _AdaptedGraph(self, mismatched)
        return cache[key]

    def _symbolic_io(self, x):
        values = self._adjust_ranks(self._feed(x))
        adapted = self._adapted(values)
        if adapted is None:
            return list(self._flat_inputs), list(self._flat_outputs), _same
        return list(adapted.inputs), tree.flatten(adapted.outputs)[0], adapted.translate

    def _maybe_build(self, inputs):
        self.built = True

    def _static_graph(self):
        return self._flat_inputs, self._flat_outputs

    def _flat_inputs_of(self, x):
        # the training steps' inputs, cast as a call casts them
        return list(self._adjust_ranks(cast_inputs(self._feed(x), self._input_dtypes)))

    def get_config(self):
        """The graph as JSON-able data (see :mod:`lamina.saving.graph_config`)."""
        from lamina.saving.graph_config import graph_config
        return graph_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The model ``get_config`` described, with new weights."""
        from lamina.saving.graph_config import graph_from_config
        return graph_from_config(config, custom_objects, cls)


class _AdaptedGraph:
    """A functional model's graph recorded again for data whose rank differs from the
    declared inputs' (``inputs``, ``outputs``, ``program``; ``translate`` maps other
    tensors of the model's graph, such as ``add_loss`` expressions, the same way)."""

    def __init__(self, model, mismatched):
        replacements = {t: symbolic.Input(batch_shape=(None,) + tuple(shape[1:]), dtype=t.dtype,
                                          name=t.name) for t, shape in mismatched}
        self.outputs, self.translate = symbolic.replay(
            model._outputs_struct, replacements,
            layer_error=lambda layer, error: _refused(model, mismatched, layer, error))
        self.inputs = [replacements.get(t, t) for t in model._flat_inputs]
        self.program = symbolic.Program(self.inputs, self.outputs)
        for t, shape in mismatched:
            warnings.warn(f"Model {model.name!r}: the input {t.name!r} was declared with shape "
                          f"{t.shape}, but the data has shape {shape}, of another rank; the "
                          f"model runs on the data's shape {replacements[t].shape}.",
                          stacklevel=_user_stacklevel())


def _refused(model, mismatched, layer, error):
    described = "; ".join(f"input {t.name!r} declared with shape {t.shape}, data of shape "
                          f"{shape}" for t, shape in mismatched)
    return ValueError(f"Model {model.name!r} cannot run on data of another rank than its "
                      f"inputs ({described}): the layer {layer.name!r} "
                      f"({type(layer).__name__}) refused it: {error}")


def _user_stacklevel():
    """The ``stacklevel`` of the innermost caller outside lamina (the user's line)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(root):
        frame, level = frame.f_back, level + 1
    return level
