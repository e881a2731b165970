"""Symbolic tensors, the graph nodes that produce them, and shape inference.

A :class:`SymbolicTensor` stands for a tensor whose value is not known yet (a model
input, a layer's output, the labels). Any K function or operator applied to one
records a :class:`Node` — the function and its arguments — and returns new
symbolic tensors.

Shape inference is abstract evaluation, not a rule per function (DESIGN.md,
principle 1). Every unknown dimension (None) is filled with a size, the function
is run on the engine abstractly (``jax.eval_shape``, torch's ``meta`` device, or
small zero arrays on NumPy), and this is done in two runs with different sizes: an
output dimension that differs between the two runs is unknown (None). The per-run
values ("probes") are kept on each tensor, so each node is evaluated once per
run, on its inputs' probes.

Each unknown dimension is its own symbol with its own sizes: the batch (axis 0 of
every input, labels and sample weights included) takes the run's *fill* size, any
other unknown axis of an input a size of its own (:mod:`~lamina.backend.probe_sizes`),
so that unrelated unknowns never look equal and a reshape cannot fold one into the
batch.
When a function cannot run on the probes because unknown sizes meet sizes they do
not fit (``(None, None) + (None, 5)``), the unknown axes of its inputs are tried
equal to each other, then at the known sizes of the other inputs, as Keras's shape
rules read ``None`` ("any size"): ``(None, None) + (None, 5)`` has shape
``(None, 5)``.

Outputs that are not arrays (``K.shape(x)`` gives a tuple) are *static*: a value
equal in both runs is returned as a plain Python value (``K.shape(x)[1:]`` is
``(28, 28)``), a value that differs is a static SymbolicTensor (the batch size).

>>> from lamina import backend as K
>>> x = K.Input((28, 28))
>>> y = K.reshape(x, (-1, 784)) * 2.0
>>> y.shape, y.dtype
((None, 784), 'float32')
>>> K.shape(x)[1:]
(28, 28)
"""

import contextlib
import itertools
import math
import re

from lamina._arguments import as_ints, is_int
from lamina.backend import dtypes, probe_sizes, tree
from lamina.backend.variables import VariableScope

_uids = itertools.count()
_probing = [0]  # > 0 while a node is evaluated on probes for shape inference
_fills = []  # the fill (batch size) of each probe run in progress, innermost last


def is_probing():
    """True while shape inference runs a function on probe values (not real data).

    >>> is_probing()
    False
    """
    return _probing[0] > 0


def symbolic_shape(shape):
    """``shape`` with None for the batch while a probe run is in progress, also in a
    :func:`concrete` block inside one: the shape given to a layer built during shape
    inference (its first axis the probe's batch). The other axes keep their probe sizes,
    which cannot be told from known sizes; a layer holding sub-layers builds them
    beforehand with their symbolic shapes (``Layer._build_sublayers``), so this only
    concerns layers created inside ``call``.

    >>> symbolic_shape((83, 3))
    (83, 3)
    """
    shape = tuple(shape)
    if _fills and shape and shape[0] == _fills[-1]:
        return (None,) + shape[1:]
    return shape


@contextlib.contextmanager
def concrete():
    """A block that runs outside any probe run or binding scope: array operations give
    real values on the current device and Variables are read and assigned for real.
    Layers build their weights in one, whatever triggered the build.

    >>> from lamina import backend as K
    >>> with concrete():
    ...     K.convert_to_numpy(K.ones((2,))).tolist()
    [1.0, 1.0]
    """
    probing = _probing[0]
    _probing[0] = 0
    with VariableScope.suspended(), _engine().concrete_scope():
        try:
            yield
        finally:
            _probing[0] = probing


def _engine():
    from lamina.backend import engine
    return engine


class Node:
    """One recorded call: ``fn(*args, **kwargs)`` whose arguments hold symbolic tensors.

    ``inputs`` lists the distinct symbolic tensors among the arguments; ``outputs`` is
    the call's result with symbolic tensors in place of arrays; ``direct`` nodes are
    evaluated by calling ``fn`` on the probes (functions of static metadata, such as
    ``K.shape``) instead of abstractly.
    """

    __slots__ = ("fn", "args", "kwargs", "name", "inputs", "outputs", "flat_outputs",
                 "direct", "layer", "public_outputs", "_probes", "_rebuild", "_resize")

    def __init__(self, fn, args, kwargs, name, direct=False, layer=None):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.name = name
        self.direct = direct
        self.layer = layer
        self._probes = {}
        seen, inputs = set(), []
        for leaf in tree.flatten((args, kwargs))[0]:
            if isinstance(leaf, SymbolicTensor) and id(leaf) not in seen:
                seen.add(id(leaf))
                inputs.append(leaf)
        self.inputs = inputs
        self.outputs = None
        self.flat_outputs = None
        self.public_outputs = None
        self._rebuild = None
        self._resize = None  # {fill: {id(input): {axis: size}}}: see _probe_resized

    def call(self, substitute):
        """Run ``fn`` with every symbolic input replaced by ``substitute(tensor)``."""
        args, kwargs = tree.map_structure(
            lambda v: substitute(v) if isinstance(v, SymbolicTensor) else v,
            (self.args, self.kwargs))
        return self.fn(*args, **kwargs)

    def probe(self, fill):
        """The flat list of output probes for the unknown-dimension size ``fill``."""
        try:
            return self._probes[fill]
        except KeyError:
            pass
        engine = _engine()
        _probing[0] += 1
        _fills.append(fill)
        try:
            result = self._probe_result(engine, fill)
        finally:
            _probing[0] -= 1
            _fills.pop()
        flat, self._rebuild = tree.flatten(result)
        self._probes[fill] = flat
        return flat

    def _probe_result(self, engine, fill):
        with VariableScope(read=lambda v: engine.probe_variable(v._storage_value())):
            if self.direct:
                result = self.call(lambda t: t.probe(fill))
            else:
                args, kwargs = tree.map_structure(
                    lambda v: self._input_probe(engine, v, fill)
                    if isinstance(v, SymbolicTensor) else v, (self.args, self.kwargs))
                result = engine.abstract_eval(self.fn, args, kwargs)
        return result

    def _input_probe(self, engine, tensor, fill):
        probe = tensor.probe(fill)
        sizes = self._resize.get(fill, {}).get(id(tensor)) if self._resize else None
        if not sizes:
            return probe
        shape = tuple(sizes.get(axis, d) for axis, d in enumerate(probe.shape))
        return engine.probe_array(shape, tensor.dtype)

    def __repr__(self):
        return f"<Node {self.name} inputs={len(self.inputs)}>"


class SymbolicTensor:
    """A tensor of known rank and dtype whose values are not known yet.

    ``shape`` is a tuple with None for unknown dimensions; ``dtype`` a dtype name.
    ``node`` is the Node that produced it (None for an input); ``static`` marks a
    Python value rather than an array (an unknown dimension size).

    >>> from lamina import backend as K
    >>> x = K.Input((3,), name="features")
    >>> x.shape, x.name, x.node is None
    ((None, 3), 'features', True)
    """

    _lamina_symbolic = True
    __array_ufunc__ = None  # ndarray (op) SymbolicTensor defers to the tensor's operators
    __array_priority__ = 1000

    def __init__(self, shape, dtype, node=None, index=0, name=None, static=False, value_fn=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.node = node
        self.index = index
        self.static = static
        self.name = name if name is not None else f"tensor_{next(_uids)}"
        self._probes = {}
        self._value_fn = value_fn
        self._keras_history = None
        self._shape_source = None  # a tensor whose probe shapes this input takes
        if node is None and not static:
            self._unknown = tuple(probe_sizes.next_unknown_symbol() if d is None and axis else None
                                  for axis, d in enumerate(self.shape))

    @property
    def ndim(self):
        return len(self.shape)

    def probe(self, fill):
        """A value standing for this tensor when each unknown dimension has size ``fill``."""
        if self.node is not None:
            return self.node.probe(fill)[self.index]
        try:
            return self._probes[fill]
        except KeyError:
            pass
        if self._shape_source is not None:
            concrete = tuple(self._shape_source.probe(fill).shape)
        else:
            concrete = tuple(d if d is not None else fill if symbol is None
                             else probe_sizes.unknown_size(symbol, fill)
                             for d, symbol in zip(self.shape, self._unknown))
        value = self._value_fn(concrete) if self._value_fn else \
            _engine().probe_array(concrete, self.dtype)
        self._probes[fill] = value
        return value

    def __repr__(self):
        kind = "static value" if self.static else f"shape={self.shape}, dtype={self.dtype}"
        return f"<SymbolicTensor {self.name} {kind}>"

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError(f"The truth value of the symbolic tensor {self.name} is not known "
                        "while the model is being built. Use K.cond or K.where to branch "
                        "on tensor values.")

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of the symbolic tensor {self.name} with shape {self.shape} "
                            "is not known; use K.shape(x)[0].")
        return self.shape[0]

    def __iter__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"cannot iterate over the symbolic tensor {self.name} with shape "
                            f"{self.shape}: its first dimension is not known.")
        return (self[i] for i in range(self.shape[0]))

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"The symbolic tensor {self.name} has no value yet: it stands for "
                        "data that flows through a model. Call the model on arrays "
                        "(model(x) or model.predict(x)) to get values.")


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):
    """A symbolic model input: ``shape`` excludes the batch dimension.

    ``Input(shape, batch_size=None, dtype=None, name=None)``; ``batch_shape`` gives the
    full shape instead. Unknown dimensions are None.

    >>> from lamina import backend as K
    >>> K.Input((None, 28, 28)).shape
    (None, None, 28, 28)
    """
    if batch_shape is None:
        if shape is None:
            raise ValueError("Input: give `shape` (without the batch dimension) or `batch_shape`.")
        try:
            shape = as_ints(shape)
        except TypeError:
            raise TypeError(f"Input: `shape` must be a tuple of ints or None; received {shape!r}.") from None
        batch_shape = (batch_size,) + shape
    for d in batch_shape:
        if d is not None and (not is_int(d) or d < 0):
            raise ValueError(f"Input: every dimension must be a non-negative int or None; "
                             f"received shape {tuple(batch_shape)}.")
    batch_shape = as_ints(batch_shape)
    dtype = dtypes.standardize_dtype(dtype)
    from lamina.backend.naming import unique_name
    return SymbolicTensor(batch_shape, dtype, name=name or unique_name("input_layer"))


def _probe_pair(node, fills):
    return node.probe(fills[0]), node.probe(fills[1])


def _output_leaf(node, index, a, b, is_array):
    if is_array(a):
        shape = tuple(da if da == db else None for da, db in zip(a.shape, b.shape))
        return SymbolicTensor(shape, dtypes.standardize_dtype(a.dtype), node, index,
                              name=f"{node.name}_{next(_uids)}")
    same = a == b
    if isinstance(same, bool) and same:
        return a
    static_shape = (len(a),) if isinstance(a, (tuple, list)) else ()
    return SymbolicTensor(static_shape, "int32", node, index, static=True,
                          name=f"{node.name}_{next(_uids)}")


def record(fn, args, kwargs, name, direct=False, layer=None):
    """Record ``fn(*args, **kwargs)`` on symbolic arguments and return its symbolic result.

    Tries each pair of fill sizes the engine proposes (small arrays first on NumPy),
    then, pair after pair, other sizes for the unknown axes of the inputs
    (:func:`~lamina.backend.probe_sizes.probe_other_sizes`); when all fail, raises the
    error of the last pair run as given, naming ``name``.
    """
    engine = _engine()
    node = Node(fn, args, kwargs, name, direct=direct, layer=layer)
    error = None
    for fills in engine.probe_fills:
        try:
            probes_a, probes_b = _probe_pair(node, fills)
            break
        except Exception as e:  # the last pair's error is re-raised below
            node._probes.clear()
            error = e
    else:
        found = None
        for fills in () if direct else engine.probe_fills:  # small sizes first on NumPy
            found = probe_sizes.probe_other_sizes(node, engine, fills)
            if found is not None:
                break
        if found is None:
            _raise_record_error(node, engine.probe_fills[-1], error)
        probes_a, probes_b = found
    flat = [_output_leaf(node, i, a, b, engine.is_array)
            for i, (a, b) in enumerate(zip(probes_a, probes_b))]
    node.flat_outputs = flat
    node.outputs = node._rebuild(flat)
    return node.outputs


def _raise_record_error(node, fills, error):
    """Raise ``error`` from recording ``node``, as the K function's error naming the
    symbolic shapes; the engine's own words are dropped when they show probe sizes."""
    info = getattr(node.fn, "_lamina_op", None)
    if info is None:
        raise error
    from lamina.backend import dispatch
    cause = error.__cause__ or error
    message = _symbolic_shapes_in(node, fills, str(cause))
    if _shows_probe_sizes(node, fills, message):
        message = "no sizes of the unknown (None) dimensions fit"
    if message != str(cause):
        cause = type(cause)(message)
    raise dispatch._fail(info, cause, node.args, node.kwargs) from error


def _unknown_probe_shapes(node, fills):
    """``(input, probe shape)`` for each array input of the node with an unknown size
    and each of the ``fills``."""
    for t in node.inputs:
        if t.static or None not in t.shape:
            continue
        for fill in fills:
            shape = getattr(t.probe(fill), "shape", None)
            if shape is not None:
                yield t, tuple(int(d) for d in shape)


def _symbolic_shapes_in(node, fills, message):
    """``message`` with each input's probe shape, written as a tuple or a list, replaced
    by its symbolic shape (None for unknown sizes)."""
    for t, shape in _unknown_probe_shapes(node, fills):
        sizes = ", ".join(map(str, shape))
        symbolic = ", ".join("None" if d is None else str(d) for d in t.shape)
        for opening, closing in ("()", "[]"):
            message = message.replace(opening + sizes + closing, opening + symbolic + closing)
    return message


def _shows_probe_sizes(node, fills, message):
    """Whether ``message`` holds a size standing for an unknown dimension of the node's
    inputs (or the element count of such a probe)."""
    numbers = {int(n) for n in re.findall(r"\d+", message)}
    return any(numbers & ({d for d, known in zip(shape, t.shape) if known is None}
                          | {math.prod(shape)})
               for t, shape in _unknown_probe_shapes(node, fills))


def topological_nodes(outputs):
    """The nodes needed to compute ``outputs``, each after the nodes it depends on.

    >>> from lamina import backend as K
    >>> x = K.Input((2,)); y = K.exp(x) + 1.0
    >>> [n.name for n in topological_nodes([y])]
    ['exp', 'add']
    """
    order, state = [], {}
    stack = [(t.node, False) for t in reversed(tree.flatten(outputs)[0])
             if isinstance(t, SymbolicTensor) and t.node is not None]
    while stack:
        node, done = stack.pop()
        if done:
            if state.get(id(node)) != 2:
                state[id(node)] = 2
                order.append(node)
            continue
        if id(node) in state:
            continue
        state[id(node)] = 1
        stack.append((node, True))
        for t in reversed(node.inputs):
            if t.node is not None and id(t.node) not in state:
                stack.append((t.node, False))
    return order


def graph_inputs(outputs):
    """The input tensors (symbolic tensors with no node) that ``outputs`` depend on.

    >>> from lamina import backend as K
    >>> a = K.Input((2,), name="a"); b = K.Input((2,), name="b")
    >>> [t.name for t in graph_inputs(a * 2.0)]
    ['a']
    """
    found, seen = [], set()
    leaves = [t for t in tree.flatten(outputs)[0] if isinstance(t, SymbolicTensor)]
    for node in topological_nodes(outputs):
        leaves.extend(node.inputs)
    for t in leaves:
        if t.node is None and id(t) not in seen:
            seen.add(id(t))
            found.append(t)
    return found


def replay(structure, replacements, layer_error=None):
    """``structure`` (symbolic tensors of a recorded graph) recorded anew with some of
    the graph's inputs replaced: ``replacements`` maps an input tensor to its stand-in.

    Nodes that depend on a replaced input are recorded again, in graph order, with the
    same functions and layers (no new weights, each layer's input checks run again);
    the others are kept. An error recording a layer node is raised as
    ``layer_error(layer, error)`` when given. Returns the new structure and a function
    that maps any other structure of the graph's tensors the same way (one ``replay``
    call records each node once).

    >>> from lamina import backend as K
    >>> x = K.Input((None, 4)); y = K.sum(x, axis=1) * 2.0
    >>> new, translate = replay(y, {x: K.Input((4,))})
    >>> y.shape, new.shape, translate(x).shape
    ((None, 4), (None,), (None, 4))
    """
    mapping = {id(old): new for old, new in replacements.items()}

    def swap(value):
        return mapping.get(id(value), value) if isinstance(value, SymbolicTensor) else value

    def translate(other):
        for node in topological_nodes(other):
            if node.outputs is None or id(node) in recorded or \
                    not any(id(t) in mapping for t in node.inputs):
                continue
            recorded.add(id(node))
            args, kwargs = tree.map_structure(swap, (node.args, node.kwargs))
            try:
                if node.layer is not None:
                    node.layer._check_inputs(args[0])
                outputs = record(node.fn, args, kwargs, node.name, direct=node.direct,
                                 layer=node.layer)
            except Exception as e:
                if node.layer is None or layer_error is None:
                    raise
                raise layer_error(node.layer, e) from e
            for old, new in zip(node.flat_outputs, tree.flatten(outputs)[0]):
                if isinstance(old, SymbolicTensor):
                    mapping[id(old)] = new
            for old in node.flat_outputs:
                old_mask = getattr(old, "_keras_mask", None)
                if old_mask is not None and isinstance(mapping.get(id(old)), SymbolicTensor):
                    mapping[id(old)]._keras_mask = swap(old_mask)
            new_node = next((t.node for t in tree.flatten(outputs)[0]
                             if isinstance(t, SymbolicTensor)), None)
            if new_node is not None and node.public_outputs is not None:
                new_node.public_outputs = tree.map_structure(swap, node.public_outputs)
        return tree.map_structure(swap, other)

    recorded = set()
    return translate(structure), translate


class Program:
    """A recorded graph compiled for repeated evaluation: ``Program(inputs, outputs)``.

    ``run(values)`` takes one concrete value per input (in the order of ``inputs``)
    and returns ``outputs`` with every symbolic tensor replaced by its value. The
    node order and argument substitutions are worked out once, here. Raises a
    ValueError naming an input the outputs need that is not among ``inputs``.

    >>> import numpy as np
    >>> from lamina import backend as K
    >>> x = K.Input((2,)); y = K.exp(x) * 2.0
    >>> program = Program([x], y)
    >>> K.convert_to_numpy(program.run([np.zeros((1, 2), "float32")])).tolist()
    [[2.0, 2.0]]
    """

    def __init__(self, inputs, outputs):
        self.inputs = list(inputs)
        self.outputs = outputs
        self.nodes = topological_nodes(outputs)
        slots = {id(t): i for i, t in enumerate(self.inputs)}
        for t in graph_inputs(outputs):
            if id(t) not in slots:
                names = ", ".join(repr(i.name) for i in self.inputs) or "none"
                raise ValueError(f"The outputs depend on the input {t.name!r} (shape {t.shape}), "
                                 f"which is not among the given inputs ({names}).")
        steps = []
        for node in self.nodes:
            leaves, rebuild = tree.flatten((node.args, node.kwargs))
            holes = [(i, slots[id(v)]) for i, v in enumerate(leaves)
                     if isinstance(v, SymbolicTensor)]
            out_slots = []
            for i, t in enumerate(node.flat_outputs):
                if isinstance(t, SymbolicTensor):
                    slots[id(t)] = len(slots)
                    out_slots.append((i, slots[id(t)]))
            steps.append(_Step(node, leaves, rebuild, holes, out_slots, slots))
        self._steps = steps
        self._size = len(slots)
        out_leaves, self._rebuild_outputs = tree.flatten(outputs)
        self._output_slots = [slots[id(t)] if isinstance(t, SymbolicTensor) else None
                              for t in out_leaves]
        self._output_constants = out_leaves

    def run(self, values):
        env = [None] * self._size
        env[:len(values)] = values
        for step in self._steps:
            step.run(env)
        return self._rebuild_outputs([
            env[slot] if slot is not None else constant
            for slot, constant in zip(self._output_slots, self._output_constants)])


class _Step:
    """One node of a Program: how to fill its arguments from the slots and where its
    results go. Nodes whose positional arguments are each a tensor or a constant, with
    constant keyword arguments, and whose result is one tensor or a layer's
    ``(outputs, losses, mask)`` with a single output, skip the generic flatten and
    rebuild of arguments and results (most nodes of a model are of this kind)."""

    __slots__ = ("fn", "leaves", "rebuild", "holes", "out_slots", "arg_slots", "kwargs",
                 "constants", "out_kind", "single_slot")

    def __init__(self, node, leaves, rebuild, holes, out_slots, slots):
        self.fn, self.leaves, self.rebuild = node.fn, leaves, rebuild
        self.holes, self.out_slots = holes, out_slots
        self.arg_slots = None
        top_args = [slots.get(id(a)) if isinstance(a, SymbolicTensor) else None
                    for a in node.args]
        simple_args = all(isinstance(a, SymbolicTensor) or not tree.any_leaf(
            lambda v: isinstance(v, SymbolicTensor), a) for a in node.args)
        simple_kwargs = not tree.any_leaf(lambda v: isinstance(v, SymbolicTensor), node.kwargs)
        if simple_args and simple_kwargs:
            self.arg_slots = top_args
            self.constants = list(node.args)
            self.kwargs = dict(node.kwargs)
        outputs = node.outputs
        self.out_kind = "generic"
        self.single_slot = None
        if isinstance(outputs, SymbolicTensor) and len(out_slots) == 1:
            self.out_kind, self.single_slot = "tensor", out_slots[0][1]
        elif node.layer is not None and isinstance(outputs, tuple) and len(outputs) == 3 \
                and isinstance(outputs[0], SymbolicTensor) and not tree.flatten(outputs[1])[0] \
                and outputs[2] is None and len(out_slots) == 1:
            self.out_kind, self.single_slot = "layer", out_slots[0][1]

    def run(self, env):
        if self.arg_slots is not None:
            args = [c if s is None else env[s] for s, c in zip(self.arg_slots, self.constants)]
            result = self.fn(*args, **self.kwargs)
        else:
            filled = list(self.leaves)
            for i, slot in self.holes:
                filled[i] = env[slot]
            args, kwargs = self.rebuild(filled)
            result = self.fn(*args, **kwargs)
        kind = self.out_kind
        if kind == "tensor":
            env[self.single_slot] = result
        elif kind == "layer" and not result[1] and result[2] is None \
                and not isinstance(result[0], (list, tuple, dict)):
            env[self.single_slot] = result[0]
        else:
            flat = tree.flatten(result)[0]
            for i, slot in self.out_slots:
                env[slot] = flat[i]


def evaluate(outputs, feed):
    """Compute ``outputs`` (a structure of symbolic tensors) from concrete values.

    ``feed`` maps each needed input SymbolicTensor to its value; a missing input
    raises a ValueError naming it.

    >>> import numpy as np
    >>> from lamina import backend as K
    >>> x = K.Input((2,)); y = x * 3.0
    >>> K.convert_to_numpy(evaluate(y, {x: np.ones((1, 2), "float32")})).tolist()
    [[3.0, 3.0]]
    """
    inputs = list(feed)
    return Program(inputs, outputs).run([feed[t] for t in inputs])


def num_elements(shape):
    """The number of elements of a fully known shape.

    >>> num_elements((2, 3))
    6
    """
    return math.prod(shape)
