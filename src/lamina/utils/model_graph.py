"""A model's layer graph as plain data, shared by ``summary()`` and ``plot_model()``.

>>> from lamina import layers, Model, Input
>>> x = Input((4,), name="x")
>>> model = Model(x, layers.Dense(2, name="out")(x))
>>> [(row.name, row.class_name, row.inbound) for row in layer_rows(model)]
[('x', 'InputLayer', []), ('out', 'Dense', ['x'])]
"""

from dataclasses import dataclass, field

from lamina.backend import tree
from lamina.backend.symbolic import SymbolicTensor


@dataclass
class LayerRow:
    """One layer of a model as ``summary()`` and ``plot_model()`` show it."""

    name: str
    class_name: str
    layer: object
    input_shapes: list = field(default_factory=list)
    output_shapes: list = field(default_factory=list)
    dtype: str = "float32"
    inbound: list = field(default_factory=list)
    params: int = 0
    trainable_params: int = 0
    activation: str = None
    nested: list = None

    @property
    def trainable(self):
        return bool(getattr(self.layer, "trainable", True))


def _shape_text(shapes):
    return shapes[0] if len(shapes) == 1 else shapes


def _param_counts(layer):
    weights = getattr(layer, "weights", [])
    total = sum(_size(w.shape) for w in weights)
    trainable = sum(_size(w.shape) for w in getattr(layer, "trainable_weights", []))
    return total, trainable


def _size(shape):
    count = 1
    for d in shape:
        count *= int(d)
    return count


def _activation_name(layer):
    fn = getattr(layer, "activation", None)
    if fn is None:
        return None
    return getattr(fn, "__name__", type(fn).__name__)


def _graph_rows(model, expand_nested):
    """Rows for a functional model: one per input layer, layer and K function."""
    from lamina.models.functional import InputLayer, OpLayer
    producer = {}  # id(tensor) -> names of the rows it comes from
    rows, by_layer = [], {}
    for layer, tensor in zip(model._input_layers, model._flat_inputs):
        producer[id(tensor)] = [layer.name]
        rows.append(LayerRow(layer.name, "InputLayer", layer, [tuple(tensor.shape)],
                             [tuple(tensor.shape)], tensor.dtype))
    for node in model._nodes:
        layer = node.layer if node.layer is not None else next(
            lay for lay in model._graph_layers if isinstance(lay, OpLayer) and lay.node is node)
        public = node.public_outputs if node.public_outputs is not None else node.outputs
        outputs = [t for t in tree.flatten(public)[0] if isinstance(t, SymbolicTensor)]
        inbound = []
        for t in node.inputs:
            for source in producer.get(id(t), ()):
                if source not in inbound:
                    inbound.append(source)
        input_shapes = [tuple(t.shape) for t in node.inputs if not t.static]
        if not outputs or all(t.static for t in outputs):
            # Shape arithmetic (K.shape(x)[0]) is metadata, not a layer: link through it.
            for t in tree.flatten(node.outputs)[0]:
                if isinstance(t, SymbolicTensor):
                    producer[id(t)] = inbound
            continue
        for t in tree.flatten(node.outputs)[0]:
            if isinstance(t, SymbolicTensor):
                producer[id(t)] = [layer.name]
        row = by_layer.get(id(layer))
        if row is None:
            total, trainable = _param_counts(layer)
            class_name = "KFunction" if isinstance(layer, OpLayer) else type(layer).__name__
            dtype = outputs[0].dtype if outputs else layer.dtype
            row = LayerRow(layer.name, class_name, layer, input_shapes,
                           [tuple(t.shape) for t in outputs], dtype, inbound, total, trainable,
                           _activation_name(layer))
            if expand_nested and hasattr(layer, "_nodes") and not isinstance(layer, InputLayer):
                row.nested = layer_rows(layer, expand_nested=True)
            by_layer[id(layer)] = row
            rows.append(row)
        else:
            row.inbound.extend(n for n in inbound if n not in row.inbound)
    return rows


def layer_rows(model, expand_nested=False):
    """The rows of ``model``: a functional or built Sequential model gives its graph; a
    subclassed model gives its layers (with output shapes where they are known)."""
    graph = model._functional() if hasattr(model, "_functional") else model
    if graph is not None and hasattr(graph, "_nodes"):
        return _graph_rows(graph, expand_nested)
    rows = []
    for layer in model.layers:
        total, trainable = _param_counts(layer)
        shapes = []
        for node in getattr(layer, "_inbound_nodes", [])[-1:]:
            public = node.public_outputs if node.public_outputs is not None else node.outputs
            shapes = [tuple(t.shape) for t in tree.flatten(public)[0]
                      if isinstance(t, SymbolicTensor)]
        rows.append(LayerRow(layer.name, type(layer).__name__, layer, [], shapes, layer.dtype,
                             [], total, trainable, _activation_name(layer)))
    return rows


def shape_text(shapes):
    """How a list of shapes reads in a table: one shape alone, else the list.

    >>> shape_text([(None, 3)]), shape_text([])
    ('(None, 3)', '?')
    """
    if not shapes:
        return "?"
    return str(_shape_text(shapes))
