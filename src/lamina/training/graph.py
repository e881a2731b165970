"""The training graph: one symbolic program from a model's inputs, its labels
(``model.targets``) and sample weights to its outputs and every loss term.

Every loss is a graph expression (DESIGN.md, principle 5): a ``compile`` loss is
``loss(target, output, sample_weight)`` recorded on the symbolic targets, a
``Model.add_loss`` expression is already one, and the losses layers add in
``call`` (``add_loss``, activity regularizers) are outputs of their graph nodes.
Only weight penalties and zero-argument ``add_loss`` callables are computed from
the Variables at each step. The program is built once per data signature (the
shapes without the batch size, and the dtypes).

>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> model.compile(optimizer="sgd", loss="mse")
>>> graph = TrainingGraph(model, np.zeros((4, 3), "float32"), np.zeros((4, 2), "float32"), None)
>>> graph.term_names
['loss']
"""

from lamina import backend as K
from lamina.backend import symbolic, tree
from lamina.backend.symbolic import SymbolicTensor
from lamina.layers.layer import _ContextScope


def data_signature(structure):
    """The shapes (without the batch size) and dtypes of a batch's arrays.

    >>> import numpy as np
    >>> data_signature((np.zeros((5, 2), "float32"), None))
    (((2,), 'float32'), None)
    """
    return tree.map_structure(
        lambda a: None if a is None else (tuple(a.shape[1:]), K.standardize_dtype(a.dtype)),
        structure)


def placeholder(array, name=None):
    """A symbolic tensor standing for batches like ``array`` (any batch size).

    >>> import numpy as np
    >>> placeholder(np.zeros((4, 3), "int32")).shape
    (None, 3)
    """
    return K.Input(batch_shape=(None,) + tuple(array.shape[1:]),
                   dtype=K.standardize_dtype(array.dtype), name=name)


def _compatible(symbolic_shape, shape):
    return len(symbolic_shape) == len(shape) and all(
        a is None or b is None or a == b for a, b in zip(symbolic_shape, shape))


class TrainingGraph:
    """The program of ``model`` for batches like ``(x, y, sample_weight)``.

    ``run(x, y, sample_weight, training)`` returns ``(total, terms, y_pred, masks)``:
    the total loss, the value of each term named in ``term_names`` (the total first),
    the flat list of outputs and their masks (None for an output without one). A model
    without any loss raises a ValueError, unless ``require_loss`` is False (a
    ``compute_loss`` override gives the loss): ``total`` is then None and ``terms``
    empty.
    """

    def __init__(self, model, x, y, sample_weight, require_loss=True):
        self.model = model
        inputs, outputs, translate = model._symbolic_io(x)
        self.outputs = outputs
        names = model._output_names()
        flat_y = model._flat_targets(y, "y")
        flat_sw = model._flat_targets(sample_weight, "sample_weight") if sample_weight is not None \
            else [None] * len(outputs)
        targets = []
        for i, (out, label) in enumerate(zip(outputs, flat_y)):
            targets.append(None if label is None else self._target(i, out, label, names[i]))
        weights = [None if w is None else placeholder(w, f"{names[i]}_sample_weight")
                   for i, w in enumerate(flat_sw)]
        self.targets, self.weights = targets, weights
        named_terms = model._compiled_loss.terms(outputs, targets, weights, names)
        named_terms += [(name, translate(term)) for name, term in model._symbolic_added_losses()]
        layer_losses = _layer_losses(outputs + [t for _, t in named_terms])
        self._callable_losses = model._callable_losses()
        self._regularized = [v for v in model.trainable_weights + model.non_trainable_weights
                             if v.regularizer is not None]
        extra = bool(layer_losses or self._regularized)
        count = len(named_terms) + len(self._callable_losses) + extra
        if not count and require_loss:
            raise ValueError(f"Model {model.name!r} has no loss to train on: compile it with "
                             "loss=..., or add one with model.add_loss(...).")
        self.term_names = ["loss"]
        if count > 1:
            self.term_names += [name for name, _ in named_terms]
            self.term_names += [name for name, _ in self._callable_losses]
            if extra:
                self.term_names.append("layer_losses")
        feeds = list(inputs) + [t for t in targets if t is not None] \
            + [w for w in weights if w is not None]
        self._slots = ([i for i, t in enumerate(targets) if t is not None],
                       [i for i, w in enumerate(weights) if w is not None])
        masks = [getattr(out, "_keras_mask", None) for out in outputs]
        self._program = symbolic.Program(
            feeds, (outputs, [t for _, t in named_terms], layer_losses, masks))
        self._extra = extra

    def _target(self, index, output, label, name):
        user = self.model._user_targets
        if user is not None and user[index] is not None:
            target = user[index]
            if not _compatible(target.shape, (None,) + tuple(label.shape[1:])):
                raise ValueError(
                    f"Model {self.model.name!r}: model.targets[{index}] (output {name!r}) has "
                    f"shape {target.shape}; the labels given for it have shape "
                    f"{tuple(label.shape)}.")
            return target
        return placeholder(label, f"{name}_target")

    def run(self, x, y, sample_weight, training):
        target_slots, weight_slots = self._slots
        values = self.model._flat_inputs_of(x)
        flat_y = self.model._flat_targets(y, "y")
        values += [flat_y[i] for i in target_slots]
        if weight_slots:
            flat_sw = self.model._flat_targets(sample_weight, "sample_weight")
            values += [flat_sw[i] for i in weight_slots]
        with _ContextScope(training):
            y_pred, terms, layer_losses, masks = self._program.run(values)
        values = list(terms) + [K.cast(fn(), K.floatx()) for _, fn in self._callable_losses]
        if self._extra:
            extra = list(layer_losses) + [v.regularizer(v) for v in self._regularized]
            values.append(_sum(extra))
        if not values:  # a graph made with require_loss=False for a model with no loss
            return None, [], y_pred, masks
        total = _sum(values)
        if len(self.term_names) > 1:
            return total, [total] + values, y_pred, masks
        return total, [total], y_pred, masks


def _sum(values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _layer_losses(tensors):
    """The losses that layer calls in the graph of ``tensors`` added, each once."""
    found, seen = [], set()
    for node in symbolic.topological_nodes(tensors):
        if node.layer is None or not isinstance(node.outputs, tuple) or len(node.outputs) != 3:
            continue
        for loss in tree.flatten(node.outputs[1])[0]:
            if isinstance(loss, SymbolicTensor) and id(loss) not in seen:
                seen.add(id(loss))
                found.append(K.cast(loss, K.floatx()))
    return found
