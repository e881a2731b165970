"""A functional model's graph as JSON data, and the graph rebuilt from it.

The graph is the list of its nodes in call order. A layer node names its layer; a K
function node names the K function (``"lamina.backend.ops.math:add"``; only
functions of lamina's K catalogue resolve); a node of Python shape arithmetic names
the operator. Arguments are data: numbers, strings, tuples, slices, small arrays, and
references to symbolic tensors (a model input, a target, or output ``i`` of node
``n``). The symbolic losses of ``Model.add_loss`` and the ``model.targets`` they use
are saved with the graph. Rebuilding calls the layers and K functions again on new
inputs, which records the same graph.

>>> from lamina import backend as K, Input, Model, layers
>>> x = Input((4,), name="x")
>>> y = K.sigmoid(layers.Dense(2, name="d")(x)) * 2.0
>>> config = graph_config(Model(x, y))
>>> [node.get("layer") or node.get("op") for node in config["nodes"]]
['d', 'lamina.backend.ops.nn:sigmoid', 'lamina.backend.ops.math:multiply']
>>> rebuilt = graph_from_config(config)
>>> rebuilt.output.shape, [layer.name for layer in rebuilt.layers][:2]
((None, 2), ['x', 'd'])
"""

import operator
import sys

import numpy as np

from lamina.backend import symbolic, tree
from lamina.backend.symbolic import SymbolicTensor
from lamina.saving.errors import FormatError

_OPERATORS = {f.__name__: f for f in (
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
    operator.mod, operator.pow, operator.neg, operator.pos, operator.abs, operator.getitem,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne)}
_OPS_PACKAGE = "lamina.backend.ops."
MAX_ARRAY_ELEMENTS = 1 << 20


# -- saving ------------------------------------------------------------------------
class _Encoder:
    """Turns node arguments into JSON data, with references for symbolic tensors."""

    def __init__(self, where):
        self.refs = {}
        self.where = where

    def __call__(self, value, node_name):
        if isinstance(value, SymbolicTensor):
            try:
                return self.refs[id(value)]
            except KeyError:
                raise ValueError(f"{self.where}: {node_name!r} uses the symbolic tensor "
                                 f"{value.name!r}, which is not computed from the model's "
                                 "inputs (or model.targets); it cannot be saved.") from None
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            items = [self(v, node_name) for v in value]
            return items if isinstance(value, list) else {"__tuple__": items}
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                raise ValueError(f"{self.where}: {node_name!r} has a dict argument with "
                                 f"non-string keys {list(value)}; it cannot be saved.")
            return {"__dict__": {k: self(v, node_name) for k, v in value.items()}}
        if isinstance(value, slice):
            return {"__slice__": [self(value.start, node_name), self(value.stop, node_name),
                                  self(value.step, node_name)]}
        if value is Ellipsis:
            return {"__ellipsis__": True}
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.dtype):
            return str(value)
        return self._array(value, node_name)

    def _array(self, value, node_name):
        from lamina import backend as K
        if isinstance(value, K.Variable):
            raise ValueError(f"{self.where}: {node_name!r} reads the Variable {value.name!r}, "
                             "which belongs to no layer; only a layer's Variables are saved. "
                             "Create it with add_weight in a layer.")
        try:
            array = np.asarray(K.convert_to_numpy(value))
        except Exception:
            raise ValueError(f"{self.where}: {node_name!r} has an argument of type "
                             f"{type(value).__name__} ({value!r:.60}) that cannot be saved; "
                             "arguments must be numbers, strings, tuples, arrays or "
                             "symbolic tensors.") from None
        if array.dtype == object:
            raise ValueError(f"{self.where}: {node_name!r} has an argument {value!r:.60} of "
                             f"type {type(value).__name__} that cannot be saved.")
        return {"__array__": {"dtype": str(array.dtype), "shape": list(array.shape),
                              "data": array.ravel().tolist()}}


def _function_name(node, where):
    fn = node.fn
    if _is_graph_function(fn) and fn.__module__.startswith(_OPS_PACKAGE):
        return {"op": f"{fn.__module__}:{fn.__name__}"}
    if _OPERATORS.get(getattr(fn, "__name__", None)) is fn:
        return {"operator": fn.__name__}
    raise ValueError(f"{where}: the graph node {node.name!r} calls {fn!r}, which is neither a "
                     "layer nor a K function; it cannot be saved. Wrap it in a layer.")


def graph_config(model, where=None):
    """The JSON-able description of ``model``'s graph (a Functional model)."""
    from lamina.saving.serialization import serialize_lamina_object
    where = where or f"Model {model.name!r}"
    encode = _Encoder(where)
    inputs = model.inputs
    for i, t in enumerate(inputs):
        encode.refs[id(t)] = {"__input__": i}
    targets = getattr(model, "_user_targets", None) or []
    for i, t in enumerate(targets):
        encode.refs[id(t)] = {"__target__": i}
    added = [(n, t) for n, t in getattr(model, "_added_losses", ())
             if isinstance(t, SymbolicTensor)]
    ends = list(model.outputs) + [t for _, t in added]
    nodes, layers, names, seen_layers = [], [], [], set()
    for index, node in enumerate(symbolic.topological_nodes(ends)):
        args = encode(list(node.args), node.name)
        kwargs = encode(dict(node.kwargs), node.name)["__dict__"]
        if node.layer is not None:
            entry = {"layer": node.layer.name}
            if id(node.layer) not in seen_layers:
                seen_layers.add(id(node.layer))
                layers.append(serialize_lamina_object(node.layer))
                names.append(node.layer.name)
        else:
            entry = _function_name(node, where)
        entry.update(name=node.name, args=args, kwargs=kwargs)
        nodes.append(entry)
        for j, leaf in enumerate(node.flat_outputs):
            if isinstance(leaf, SymbolicTensor):
                encode.refs[id(leaf)] = {"__node__": [index, j]}
    config = {"name": model.name, "inputs": [_tensor_spec(t) for t in inputs],
              "layers": layers, "nodes": nodes,
              # the names the nodes call the layers by (a get_config may leave them out)
              "layer_names": names,
              "input_structure": encode(model.input, "inputs"),
              "output_structure": encode(model.output, "outputs")}
    if targets:
        config["targets"] = [_tensor_spec(t) for t in targets]
    if added:
        config["added_losses"] = [[n, encode(t, n)] for n, t in added]
    return config


def _tensor_spec(t):
    return {"name": t.name, "batch_shape": list(t.shape), "dtype": t.dtype}


# -- loading -------------------------------------------------------------------------
class _Decoder:
    """Turns JSON data back into node arguments, resolving references."""

    def __init__(self, inputs, targets):
        self.inputs, self.targets, self.node_outputs = inputs, targets, []

    def __call__(self, value):
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            if value is None or isinstance(value, (bool, int, float, str)):
                return value
            raise FormatError(f"unexpected value {value!r:.60} in the graph.")
        if len(value) != 1:
            raise FormatError(f"unexpected object {value!r:.100} in the graph.")
        (kind, body), = value.items()
        if kind == "__tuple__":
            return tuple(self(_list(body, kind)))
        if kind == "__dict__":
            if not isinstance(body, dict):
                raise FormatError(f"__dict__ must hold an object; found {body!r:.60}.")
            return {k: self(v) for k, v in body.items()}
        if kind == "__slice__":
            return slice(*self(_list(body, kind, 3)))
        if kind == "__ellipsis__":
            return Ellipsis
        if kind == "__array__":
            return _array(body)
        if kind in ("__input__", "__target__"):
            pool = self.inputs if kind == "__input__" else self.targets
            return _pick(pool, body, kind)
        if kind == "__node__":
            index, position = _list(body, kind, 2)
            return _pick(_pick(self.node_outputs, index, "node"), position, "node output")
        raise FormatError(f"unknown entry {kind!r:.60} in the graph.")


def _list(body, kind, length=None):
    if not isinstance(body, list) or (length is not None and len(body) != length):
        raise FormatError(f"{kind} must hold a list" + (f" of {length}" if length else "") +
                          f"; found {body!r:.60}.")
    return body


def _pick(pool, index, what):
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(pool):
        raise FormatError(f"the graph refers to {what} {index!r:.20}, which does not exist "
                          f"(there are {len(pool)}).")
    return pool[index]


def _array(body):
    if not isinstance(body, dict) or set(body) != {"dtype", "shape", "data"}:
        raise FormatError(f"an __array__ needs dtype, shape and data; found {body!r:.100}.")
    shape, data = _list(body["shape"], "shape"), _list(body["data"], "data")
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise FormatError(f"an __array__ has an invalid shape {shape!r:.60}.")
    size = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if size != len(data) or size > MAX_ARRAY_ELEMENTS:
        raise FormatError(f"an __array__ of shape {tuple(shape)} holds {len(data)} values.")
    try:
        dtype = np.dtype(body["dtype"])
    except TypeError:
        raise FormatError(f"an __array__ has an unknown dtype {body['dtype']!r:.40}.") from None
    if dtype.kind not in "biuf":
        raise FormatError(f"an __array__ has the dtype {dtype}, not a number type.")
    return np.asarray(data, dtype=dtype).reshape(shape)


def _replayer(entry):
    """``replay(args, kwargs, name)`` recording again the function node ``entry`` names: a
    K function is called (it records itself), other graph functions are recorded."""
    if "operator" in entry:
        name = entry["operator"]
        if name not in _OPERATORS:
            raise FormatError(f"the graph names the operator {name!r:.60}; known: "
                              f"{sorted(_OPERATORS)}.")
        fn = _OPERATORS[name]
        return lambda args, kwargs, name: symbolic.record(fn, tuple(args), kwargs, name=name,
                                                          direct=True)
    reference = entry.get("op")
    module_name, _, name = str(reference).partition(":")
    module = sys.modules.get(module_name) if module_name.startswith(_OPS_PACKAGE) else None
    fn = getattr(module, name, None) if module is not None and not name.startswith("_") \
        else None
    if not _is_graph_function(fn):
        raise FormatError(f"the graph names the function {reference!r:.100}, which is not a "
                          "function of lamina's K catalogue; a file can only name those.")
    if getattr(fn, "_lamina_op", None) is not None:
        return lambda args, kwargs, name: fn(*args, **kwargs)
    return lambda args, kwargs, name: symbolic.record(fn, tuple(args), kwargs, name=name)


def _is_graph_function(fn):
    """A K function, or a lamina function that K functions record as their node."""
    return getattr(fn, "_lamina_op", None) is not None or \
        getattr(fn, "_lamina_graph_function", False) is True


def _spec_input(spec, what):
    if not isinstance(spec, dict) or not {"name", "batch_shape", "dtype"} <= set(spec):
        raise FormatError(f"every {what} needs name, batch_shape and dtype; found "
                          f"{spec!r:.100}.")
    try:
        return symbolic.Input(batch_shape=tuple(spec["batch_shape"]), dtype=spec["dtype"],
                              name=str(spec["name"]))
    except (TypeError, ValueError) as e:
        raise FormatError(f"the {what} {spec['name']!r:.40} is invalid: {e}") from None


def graph_from_config(config, custom_objects=None, cls=None, inputs=None):
    """Rebuild the functional model ``graph_config`` described (as ``cls``, default
    :class:`~lamina.models.Functional`); ``inputs`` (Input tensors) replace the saved
    inputs."""
    from lamina.models.functional import Functional
    from lamina.saving.serialization import deserialize_as
    if not isinstance(config, dict) or not {"inputs", "layers", "nodes"} <= set(config):
        raise FormatError(f"a functional model config needs inputs, layers and nodes; found "
                          f"keys {sorted(config) if isinstance(config, dict) else config!r:.100}.")
    specs = _list(config["inputs"], "inputs")
    inputs = [_spec_input(s, "input") for s in specs] if inputs is None else list(inputs)
    if len(inputs) != len(specs):
        raise ValueError(f"the model has {len(specs)} inputs; received {len(inputs)} input "
                         "tensors.")
    targets = [_spec_input(s, "target") for s in _list(config.get("targets", []), "targets")]
    layers = {}
    layer_configs = _list(config["layers"], "layers")
    names = _list(config.get("layer_names", [None] * len(layer_configs)), "layer_names")
    if len(names) != len(layer_configs):
        raise FormatError(f"the graph has {len(layer_configs)} layers but {len(names)} "
                          "layer names.")
    for layer_config, name in zip(layer_configs, names):
        layer = deserialize_as(layer_config, "layer", custom_objects)
        if isinstance(name, str) and name != layer.name:
            layer.name = name  # a get_config without the name: the graph calls it by this one
        layers[layer.name] = layer
    decode = _Decoder(inputs, targets)
    for entry in _list(config["nodes"], "nodes"):
        if not isinstance(entry, dict):
            raise FormatError(f"a graph node must be an object; found {entry!r:.60}.")
        args, kwargs = decode(_list(entry.get("args"), "args")), decode(
            {"__dict__": entry.get("kwargs")})
        if "layer" in entry:
            layer = layers.get(entry["layer"])
            if layer is None:
                raise FormatError(f"a graph node calls the layer {entry['layer']!r:.60}, "
                                  "which the config does not define.")
            before = len(layer._inbound_nodes)
            layer(*args, **kwargs)
            if len(layer._inbound_nodes) == before:
                raise FormatError(f"calling the layer {layer.name!r} recorded no node.")
            flat = layer._inbound_nodes[-1].flat_outputs
        else:
            replay = _replayer(entry)
            flat = _flat_outputs(replay(args, kwargs, str(entry.get("name"))))
        decode.node_outputs.append(flat)
    model_cls = cls or Functional
    model = model_cls(decode(config.get("input_structure")),
                      decode(config.get("output_structure")), name=config.get("name"))
    if targets:
        model._user_targets = targets
    for name, ref in _list(config.get("added_losses", []), "added_losses"):
        model.add_loss(decode(ref), name=str(name))
    return model


def _flat_outputs(outputs):
    leaves = tree.flatten(outputs)[0]
    node = next((leaf.node for leaf in leaves if isinstance(leaf, SymbolicTensor)), None)
    return node.flat_outputs if node is not None else leaves
