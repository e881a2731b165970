"""Layer: the base class of every layer and model.

A layer is written as an ordinary stateful object (DESIGN.md, principle 4):

- ``__init__(self, ...)`` stores the settings that do not depend on the input;
- ``build(self, input_shape)`` runs automatically before the first call, with the
  input's shape (a tuple with None for unknown dimensions) or, when the layer is
  called on a list of tensors, the list of their shapes, and creates the weights;
- ``call(self, inputs, training=None, mask=None)`` computes the output with K
  functions.

Every ``K.Variable`` stored on the layer — as an attribute, in ``__init__``,
``build`` or later, also inside lists, tuples and dicts — is a weight, and so are
the weights of every layer stored on it.

Called on concrete tensors a layer computes at once. Called on symbolic tensors it
records one graph node (see :mod:`lamina.backend.symbolic`) whose function returns
the outputs, the losses the call added (``add_loss``, the activity regularizer)
and the output mask; all three are symbolic tensors of the same graph, so a model
evaluates them together.

>>> from lamina import backend as K, layers
>>> class Scale(layers.Layer):
...     def build(self, input_shape):
...         self.w = K.Variable(K.ones((input_shape[-1],)), name="w")
...     def call(self, inputs):
...         return inputs * self.w
>>> layer = Scale()
>>> y = layer(K.Input((4,)))
>>> y.shape, len(layer.weights), layer.count_params()
((None, 4), 1, 4)
"""

import contextvars
import inspect
import re
import threading

import numpy as np

from lamina import backend as K
from lamina import dtype_policies
from lamina._arguments import as_ints, plain
from lamina._catalogue import record_init_arguments
from lamina.backend import symbolic, tree
from lamina.backend.naming import unique_name
from lamina.backend.symbolic import SymbolicTensor
from lamina.backend.variables import AutocastScope
from lamina.layers.call_inputs import NATIVE_DTYPES, TENSOR_CLASSES, convert_arguments

_state = threading.local()
# A check each new weight passes before it is allocated: set by lamina.saving while it
# rebuilds a model from a file (saving/load_budget.py), None otherwise.
weight_check = contextvars.ContextVar("lamina_weight_check", default=None)

# The engine's base of every layer: ``torch.nn.Module`` on torch (see
# lamina.backend.torch.module), a plain object elsewhere.
_EngineLayer = getattr(K.engine, "layer_base", object)


def _snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class CallContext:
    """State shared by the layers of one outermost call: the training flag and the
    losses added during the call (collected for the training step)."""

    def __init__(self, training):
        self.training = training
        self.losses = []


def current_context():
    """The CallContext of the call in progress, or None."""
    return getattr(_state, "context", None)


class _ContextScope:
    def __init__(self, training):
        self.context = current_context()
        self.owner = self.context is None
        if self.owner:
            self.context = CallContext(training)

    def __enter__(self):
        if self.owner:
            _state.context = self.context
        return self.context

    def __exit__(self, *exc):
        if self.owner:
            _state.context = None
        return False


def _shape_of(structure):
    return tree.map_structure(
        lambda t: symbolic.symbolic_shape(t.shape) if hasattr(t, "shape") else None, structure)


def _snapshot(attributes):
    """A copy of a layer's attributes deep enough to undo a build: the lists, dicts and
    sets it holds are copied (a build appends weights to them), their items are not."""
    return {k: v.copy() if type(v) in (list, dict, set) else v for k, v in attributes.items()}


def _accepts(fn, name):
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


class _Where:
    """``"Dense layer 'dense'"`` for error messages, formatted only when one is raised."""

    __slots__ = ("layer",)

    def __init__(self, layer):
        self.layer = layer

    def __format__(self, spec):
        return f"{type(self.layer).__name__} layer {self.layer.name!r}"


class InputSpec:
    """What a layer accepts: rank (``ndim``, ``min_ndim``, ``max_ndim``) and known sizes
    of given axes (``axes={-1: 784}``). Checked at every call, symbolic or eager.

    >>> InputSpec(min_ndim=2, axes={-1: 8}).ndim is None
    True
    """

    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None, dtype=None):
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.max_ndim = max_ndim
        self.axes = dict(axes or {})
        self.dtype = dtype

    def check(self, layer, shape):
        rank = len(shape)
        where = _Where(layer)
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(f"{where} expects inputs of rank {self.ndim}. "
                             f"Received input shape {shape}.")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(f"{where} expects inputs of rank >= {self.min_ndim}. "
                             f"Received input shape {shape}.")
        if self.max_ndim is not None and rank > self.max_ndim:
            raise ValueError(f"{where} expects inputs of rank <= {self.max_ndim}. "
                             f"Received input shape {shape}.")
        for axis, size in self.axes.items():
            if size is None or -rank > axis or axis >= rank:
                continue
            if shape[axis] is not None and shape[axis] != size:
                name = "last dimension" if axis == -1 else f"dimension {axis}"
                raise ValueError(f"{where} expects a {name} of {size}. "
                                 f"Received input shape {shape}.")


class Layer(_EngineLayer):
    """The base class of layers: see the module docstring for the contract.

    ``Layer(trainable=True, name=None, dtype=None, input_shape=None)``;
    ``input_shape`` (without the batch) lets the first layer of a Sequential
    build the model.

    >>> from lamina import backend as K, layers
    >>> class MyDense(layers.Layer):
    ...     def __init__(self, units=32):
    ...         super(MyDense, self).__init__()
    ...         self.units = units
    ...     def build(self, input_shape):
    ...         self.w = K.variable(K.random_normal(shape=[input_shape[-1], self.units]))
    ...         self.b = K.Variable(K.zeros((self.units,)))
    ...         self.a = K.Variable(K.zeros((self.units,)), trainable=False)
    ...     def call(self, inputs):
    ...         return K.dot(inputs, self.w) + self.b
    >>> layer = MyDense(3)
    >>> layer(K.ones((2, 5))).shape[-1], layer.count_params()
    (3, 21)
    >>> [len(layer.trainable_weights), len(layer.non_trainable_weights)]
    [2, 1]
    """

    # Attributes that hold layers without owning them (graph bookkeeping).
    # attributes that hold no weights or sub-layers of this layer (the trainable list a
    # compiled step reads is a copy, _added_weights are added in their own order), and the
    # engine base's bookkeeping (torch's hooks)
    _untracked_attributes = frozenset({"_inbound_nodes", "_init_arguments", "_added_weights",
                                       "_trainable_for_steps"}) | getattr(
        _EngineLayer, "_untracked_attributes", frozenset())
    # How a call converts its inputs (see lamina.layers.call_inputs): floating inputs are
    # cast to ``input_dtype`` when ``autocast`` (Keras's attribute) is True; bool and
    # integer inputs too when the layer's computation is floating (``_floating_inputs``).
    autocast = True
    _floating_inputs = False
    # the training flag of a call that passes none and runs inside no other call:
    # None (inference, the Keras default) unless the engine sets it (torch's train()
    # and eval())
    _default_training = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        record_init_arguments(cls)

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None,
                 batch_input_shape=None, input_dim=None, activity_regularizer=None, **kwargs):
        allowed = {"batch_size", "autocast", "input_length"}
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(unknown)}.")
        super().__init__()
        object.__setattr__(self, "_layer_ready", False)
        self.name = name if name is not None else unique_name(_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype_policy = dtype
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._added_weights = []
        self._inbound_nodes = []
        self._last_losses = []
        if isinstance(activity_regularizer, str):
            from lamina import regularizers
            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = as_ints(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (kwargs.get("batch_size"),) + as_ints(input_shape)
        else:
            self._batch_input_shape = None
        object.__setattr__(self, "_layer_ready", True)

    def __setattr__(self, name, value):
        if not self.__dict__.get("_layer_ready", False) and name not in (
                "_layer_ready", "_init_arguments") and isinstance(value, (K.Variable, Layer)):
            Layer.__init__(self)  # a subclass stored a weight before calling super().__init__()
        object.__setattr__(self, name, value)

    # -- the contract --------------------------------------------------------
    def build(self, input_shape):
        """Create the weights; called once with the input shape(s)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The computation; the base class returns its inputs unchanged."""
        return inputs

    def compute_mask(self, inputs, mask=None):
        """The output mask: the input mask when the layer supports masking, else None."""
        return mask if self.supports_masking else None

    # -- dtypes --------------------------------------------------------------
    @property
    def dtype_policy(self):
        """The layer's :class:`~lamina.dtype_policies.DTypePolicy`. Set it to a policy,
        a name (``"mixed_bfloat16"``) or None (the global policy) before the layer is
        built.

        >>> from lamina import layers
        >>> layer = layers.Dense(2, dtype="mixed_float16")
        >>> layer.dtype_policy, layer.dtype, layer.compute_dtype
        (<DTypePolicy "mixed_float16">, 'float32', 'float16')
        """
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        try:
            policy = dtype_policies.get(value)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{type(self).__name__} layer {self.name!r}: {e}") from None
        object.__setattr__(self, "_dtype_policy", policy)
        object.__setattr__(self, "_compute_dtype", policy.compute_dtype)
        # the dtype a mixed policy's call reads the variables in; None for the others,
        # whose calls add nothing (see _run)
        object.__setattr__(self, "_autocast_dtype", policy.compute_dtype
                           if policy.compute_dtype != policy.variable_dtype else None)

    @property
    def dtype(self):
        """The dtype of the layer's variables (the policy's ``variable_dtype``), as in
        Keras 3; setting it sets the policy."""
        return self._dtype_policy.variable_dtype

    @dtype.setter
    def dtype(self, value):
        self.dtype_policy = value

    @property
    def variable_dtype(self):
        """The dtype of the layer's variables."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self):
        """The dtype of the layer's computations: its floating inputs are cast to it and,
        under a mixed policy, its variables are read in it inside ``call``."""
        return self._compute_dtype

    # -- calling -------------------------------------------------------------
    @property
    def input_dtype(self):
        """The dtype floating inputs are cast to before ``call``: the compute dtype.

        >>> import numpy as np
        >>> from lamina import backend as K, layers
        >>> layer = layers.Dense(2)
        >>> layer.input_dtype, K.dtype(layer(np.ones((1, 3), "float64")))
        ('float32', 'float32')
        """
        return self._compute_dtype

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"{type(self).__name__} layer {self.name!r}: call it on a "
                                "tensor (or a list of tensors).")
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        cls = inputs.__class__
        if len(args) == 1 and (not kwargs or (len(kwargs) == 1 and "training" in kwargs)) and (
                (cls in TENSOR_CLASSES and inputs.dtype is NATIVE_DTYPES.get(self.input_dtype))
                or (cls is SymbolicTensor and inputs.dtype == self.input_dtype)):
            symbolic_call = cls is SymbolicTensor  # one tensor of the right dtype: the common case
        else:
            args, kwargs, symbolic_call = convert_arguments(self, args, kwargs)
            inputs = args[0]
        self._check_inputs(inputs)
        if symbolic_call:
            return self._symbolic_call(args, kwargs)
        return self._run_in_context(args, kwargs, kwargs.get("training"))[0]

    def _run_in_context(self, args, kwargs, training):
        """``_run`` inside the call context: the one in progress, else a new one with
        ``training`` (entering a scope only when there is none keeps nested calls cheap)."""
        if current_context() is not None:
            return self._run(args, kwargs)
        with _ContextScope(self._default_training if training is None else training):
            return self._run(args, kwargs)

    def _check_inputs(self, inputs):
        if hasattr(inputs, "shape") and inputs.__class__ not in (list, tuple, dict):
            if self.input_spec is not None:
                self.input_spec.check(self, tuple(inputs.shape))
            return
        for leaf in tree.flatten(inputs)[0]:
            if not hasattr(leaf, "shape"):
                raise TypeError(
                    f"{type(self).__name__} layer {self.name!r} expects tensors as inputs; "
                    f"received {leaf!r} of type {type(leaf).__name__}.")
        if self.input_spec is not None and not isinstance(inputs, (list, tuple, dict)):
            self.input_spec.check(self, tuple(inputs.shape))

    def _build_once(self, inputs):
        """Build for ``inputs`` unless built: outside any shape inference or trace (the
        weights are real arrays on the current device), given the symbolic shapes. A
        build that fails leaves this layer, and every layer built within it, as it was,
        and raises an error naming the layer, its input shape and the cause."""
        if self.built:
            return
        journal = getattr(_state, "build_journal", None)
        outermost = journal is None
        if outermost:
            journal = _state.build_journal = []
        journal.append((self, _snapshot(self.__dict__)))
        try:
            with symbolic.concrete():
                self._maybe_build(inputs)
        except Exception as e:
            if outermost:
                for layer, saved in reversed(journal):
                    layer.__dict__.clear()
                    layer.__dict__.update(_snapshot(saved))
            raise self._build_error(e, inputs) from e
        finally:
            if outermost:
                _state.build_journal = None

    def _build_error(self, error, inputs):
        if repr(self.name) in str(error):  # the build's own error names the layer
            return error
        return self._layer_error(error, inputs, "built for")

    def _maybe_build(self, inputs):
        """Run ``build`` with the input shape(s); overridden by models that build a graph."""
        shapes = _shape_of(inputs)
        self.build(shapes)
        self.built = True
        object.__setattr__(self, "_build_shapes", shapes)

    def _run(self, args, kwargs):
        """Build if needed, call, apply the activity regularizer; return
        (outputs, losses added by this call, output mask)."""
        if not self.built:
            self._build_once(args[0])
        context = getattr(_state, "context", None)
        kwargs = dict(kwargs)
        takes_training, takes_mask = self._call_arguments()
        if takes_training:
            if kwargs.get("training") is None:
                kwargs["training"] = context.training if context is not None else None
        else:
            kwargs.pop("training", None)
        mask = kwargs.get("mask")
        if not takes_mask:
            kwargs.pop("mask", None)
        start = len(context.losses) if context is not None else 0
        object.__setattr__(self, "_current_losses", [])
        try:
            if self._autocast_dtype is None:
                outputs = self.call(*args, **kwargs)
            else:
                outputs = self._autocast_call(args, kwargs)
        except Exception as e:
            raise self._layer_error(e, args[0]) from e
        if self.activity_regularizer is not None:
            for out in tree.flatten(outputs)[0]:
                self.add_loss(K.divide(self.activity_regularizer(out),
                                       K.cast(K.shape(out)[0], K.dtype(out))))
        losses = self._current_losses
        if context is not None:
            losses = context.losses[start:] + losses  # sub-layers' losses, then this layer's
        if not symbolic.is_probing():
            object.__setattr__(self, "_last_losses", losses)
        if context is not None and losses:
            del context.losses[start:]
            context.losses.extend(losses)
        if mask is None and not self.supports_masking and \
                type(self).compute_mask is Layer.compute_mask:
            return outputs, losses, None
        return outputs, losses, self.compute_mask(args[0], mask)

    def _autocast_call(self, args, kwargs):
        """``call`` under a mixed policy: the float variables of this layer and of its
        sub-layers with a mixed policy are read in their compute dtype (tagged on the
        first such call; ``add_weight(autocast=False)`` opts a weight out)."""
        if not self.__dict__.get("_autocast_tagged", False):
            _tag_autocast_variables(self)
            object.__setattr__(self, "_autocast_tagged", True)
        with AutocastScope():
            return self.call(*args, **kwargs)

    def _call_arguments(self):
        """Whether ``call`` takes ``training`` and ``mask`` (read from its signature once)."""
        call = self.call
        function = getattr(call, "__func__", call)
        cached = self.__dict__.get("_call_signature")
        if cached is None or cached[0] is not function:
            cached = (function, _accepts(call, "training"), _accepts(call, "mask"))
            object.__setattr__(self, "_call_signature", cached)
        return cached[1], cached[2]

    def _layer_error(self, error, inputs, doing="called on"):
        """``error`` raised again naming this layer, what it was ``doing`` ("called on",
        "built for") and the input shape: a TypeError for a TypeError, else a ValueError.
        An error already raised this way by an inner layer is kept."""
        if getattr(error, "_lamina_layer", False):
            return error
        cls = TypeError if isinstance(error, TypeError) else ValueError
        new = cls(f"{type(self).__name__} layer {self.name!r} could not be {doing} inputs "
                  f"of shape {_shape_of(inputs)}: {error}")
        new._lamina_layer = True
        return new

    def _call_symbolically(self, args, kwargs):
        """Run ``call`` on the symbolic tensors themselves (K functions record nodes that
        nothing keeps): the sub-layers it calls see the symbolic shapes."""
        kwargs = {k: v for k, v in kwargs.items()
                  if k not in ("training", "mask") or _accepts(self.call, k)}
        with _ContextScope(None):
            self.call(*args, **kwargs)

    def _diagnose(self, args, kwargs, error):
        """The error to report when shape inference of a call failed: run ``call`` once more
        on the symbolic tensors themselves, so that the K function that fails reports the
        symbolic shapes (None for unknown sizes) rather than the probe sizes."""
        try:
            self._call_symbolically(args, kwargs)
        except Exception as symbolic_error:
            return self._layer_error(symbolic_error, args[0])
        return error

    def _build_sublayers(self, args, kwargs):
        """Build the sub-layers ``call`` uses, before the first shape inference of this
        layer, by calling it on the symbolic tensors: they are given their symbolic input
        shapes (None where a size is unknown), as they would be in a functional model. An
        error here is left to shape inference, which reports it."""
        try:
            self._call_symbolically(args, kwargs)
        except Exception:  # reported by the shape inference that follows
            pass

    def _symbolic_call(self, args, kwargs):
        inputs = args[0]
        masks = tree.map_structure(lambda t: getattr(t, "_keras_mask", None), inputs)
        if "mask" not in kwargs and tree.any_leaf(lambda m: m is not None, masks):
            kwargs = dict(kwargs, mask=masks)
        self._build_once(inputs)
        if any(not layer.built for layer in self._sublayers()):
            self._build_sublayers(args, kwargs)

        def run(*a, **k):
            return self._run_in_context(a, k, None)

        try:
            outputs, losses, output_mask = symbolic.record(run, args, kwargs, name=self.name,
                                                           layer=self)
        except Exception as error:
            raise self._diagnose(args, kwargs, error) from error
        node = next((leaf.node for leaf in tree.flatten(outputs)[0]
                     if isinstance(leaf, SymbolicTensor)), None)
        if node is not None:
            node.public_outputs = outputs
            self._inbound_nodes.append(node)
        self._last_losses = list(losses)
        if output_mask is not None:
            for out, m in zip(tree.flatten(outputs)[0], tree.flatten(output_mask)[0]):
                if isinstance(out, SymbolicTensor):
                    out._keras_mask = m
        return outputs

    # -- weights -------------------------------------------------------------
    def add_weight(self, name=None, shape=None, initializer=None, dtype=None, trainable=True,
                   regularizer=None, constraint=None, autocast=True):
        """Create a weight, track it and return it.

        ``initializer`` is a name (``"glorot_uniform"``), an Initializer, or a
        callable ``(shape, dtype) -> tensor``; floats default to glorot_uniform,
        other dtypes to zeros. ``dtype`` defaults to the policy's variable dtype;
        under a mixed policy, ``call`` reads the weight in the compute dtype unless
        ``autocast`` is False (statistics kept in float32).

        >>> from lamina import layers
        >>> layer = layers.Layer()
        >>> w = layer.add_weight(name="w", shape=(2, 3), initializer="ones")
        >>> w.shape, layer.count_params()
        ((2, 3), 6)
        """
        from lamina import constraints, initializers, regularizers
        dtype = K.standardize_dtype(dtype) if dtype is not None else self.dtype
        shape = () if shape is None else tuple(int(d) for d in shape)
        check = weight_check.get()
        if check is not None:
            check(self, name, shape, dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.startswith(("float", "bfloat")) else "zeros"
        init = initializers.get(initializer)
        variable = K.Variable(lambda: init(shape, dtype=dtype), trainable=trainable,
                              name=name or f"weight_{len(self._added_weights)}", dtype=dtype,
                              regularizer=regularizers.get(regularizer),
                              constraint=constraints.get(constraint))
        if not autocast:
            variable.autocast = False
        self._added_weights.append(variable)
        return variable

    def _find(self, cls, skip):
        """The objects of class ``cls`` stored on the layer, also inside lists, tuples and
        dicts, in attribute order, each once; attributes named in ``skip`` are left out."""
        found, seen = [], {id(self)}

        def visit(value):
            if isinstance(value, cls):
                if id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    visit(v)
            elif isinstance(value, dict):
                for v in value.values():
                    visit(v)

        for key, value in self.__dict__.items():
            if key not in skip:
                visit(value)
        return found

    def _own_variables(self):
        found = self._find(K.Variable, skip=self._untracked_attributes)
        return _unique(found + self._added_weights)

    def _sublayers(self):
        return self._find(Layer, skip=self._untracked_attributes)

    @property
    def weights(self):
        """Every weight: the layer's own, then its sub-layers', each once."""
        return _unique(self._own_variables()
                       + [w for layer in self._sublayers() for w in layer.weights])

    def _seed_states(self):
        from lamina.backend.ops.random import SeedGenerator
        states = [v.state for v in self.__dict__.values() if isinstance(v, SeedGenerator)]
        return _unique(states + [s for layer in self._sublayers() for s in layer._seed_states()])

    @property
    def variables(self):
        """Every Variable the layer's computation reads or updates: the weights, then the
        state of its random seed generators (which are not weights: they are neither
        saved by ``get_weights`` nor counted by ``count_params``). A compiled train step
        binds all of them.

        >>> from lamina import layers
        >>> drop = layers.Dropout(0.5, seed=1)
        >>> len(drop.weights), len(drop.variables)
        (0, 1)
        """
        return _unique(self.weights + self._seed_states())

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers():
            layer.trainable = value

    @property
    def trainable_weights(self):
        """The weights that training updates (none when ``trainable`` is False)."""
        if not self.trainable:
            return []
        own = [v for v in self._own_variables() if v.trainable]
        subs = [w for layer in self._sublayers() for w in layer.trainable_weights]
        return _unique(own + subs)

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        """The weights that training does not update."""
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    @property
    def non_trainable_variables(self):
        """The variables that training does not update by gradient (seed states included)."""
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.variables if id(v) not in trainable]

    def get_weights(self):
        """The weights' values as a list of NumPy arrays."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays, in the order of ``weights``."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"{type(self).__name__} layer {self.name!r}: set_weights expects "
                             f"a list of {len(own)} arrays; received {len(weights)}.")
        for variable, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(value.shape) != variable.shape:
                raise ValueError(
                    f"{type(self).__name__} layer {self.name!r}: weight {variable.name!r} has "
                    f"shape {variable.shape}; received an array of shape {tuple(value.shape)}.")
        for variable, value in zip(own, weights):
            variable.assign(np.asarray(value))

    def count_params(self):
        """The number of scalars in all weights."""
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # -- losses --------------------------------------------------------------
    def add_loss(self, loss):
        """Add a loss term (a scalar tensor, symbolic or concrete) computed in ``call``."""
        if not hasattr(self, "_current_losses"):
            self._current_losses = []
        self._current_losses.append(loss)

    @property
    def losses(self):
        """The losses added by the last call (by its sub-layers, then by this layer), then
        the weight-regularizer penalties."""
        return list(self._last_losses) + self.regularization_losses()

    def regularization_losses(self):
        """The penalties of the weights that have a regularizer."""
        return [v.regularizer(v) for v in self.weights if v.regularizer is not None]

    # -- graph ---------------------------------------------------------------
    def _single_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"{type(self).__name__} layer {self.name!r} has no {what}: it "
                                 "has not been called on a symbolic tensor.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"{type(self).__name__} layer {self.name!r} has been called "
                                 f"{len(self._inbound_nodes)} times; its {what} is ambiguous. "
                                 "Use the tensors its calls returned.")
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The symbolic input of the layer's only call."""
        args = self._single_node("input").args
        return args[0]

    @property
    def output(self):
        """The symbolic output of the layer's only call."""
        return self._single_node("output").public_outputs

    @property
    def input_shape(self):
        """Keras 2: the shape of ``input`` (a structure of shapes for several inputs).

        >>> from lamina import Input, layers
        >>> dense = layers.Dense(2)
        >>> _ = dense(Input((3,)))
        >>> dense.input_shape, dense.output_shape
        ((None, 3), (None, 2))
        """
        return tree.map_structure(lambda t: tuple(t.shape), self.input)

    @property
    def output_shape(self):
        """Keras 2: the shape of ``output``; for a layer that takes an ``output_shape``
        argument (Lambda, MultiHeadAttention), that argument."""
        if "_output_shape_argument" in self.__dict__:
            return self.__dict__["_output_shape_argument"]
        return tree.map_structure(lambda t: tuple(t.shape), self.output)

    @output_shape.setter
    def output_shape(self, value):
        self.__dict__["_output_shape_argument"] = value

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``, by abstract evaluation of ``call``."""
        def as_input(shape):
            return symbolic.Input(batch_shape=tuple(shape), dtype=self.dtype)

        is_list = isinstance(input_shape, list) or (
            isinstance(input_shape, tuple) and input_shape and
            isinstance(input_shape[0], (tuple, list)))
        inputs = [as_input(s) for s in input_shape] if is_list else as_input(input_shape)
        self._build_once(inputs)

        def run(x):
            with _ContextScope(None):
                return self._run((x,), {})[0]

        outputs = symbolic.record(run, (inputs,), {}, name=self.name)
        return tree.map_structure(lambda t: t.shape, outputs)

    # -- configuration -------------------------------------------------------
    def get_config(self):
        """The constructor arguments, captured when the layer was created; ``dtype`` is
        the name of the layer's dtype policy (``"float32"``, ``"mixed_bfloat16"``)."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": self._dtype_policy.name}
        captured = self.__dict__.get("_init_arguments")
        if captured is not None:
            init, args, kwargs = captured
            bound = inspect.signature(init).bind_partial(self, *args, **kwargs)
            bound.apply_defaults()
            for key, value in list(bound.arguments.items())[1:]:
                parameter = inspect.signature(init).parameters[key]
                if parameter.kind is parameter.VAR_KEYWORD:
                    config.update(plain(value))
                elif parameter.kind is not parameter.VAR_POSITIONAL:
                    config[key] = plain(value)
        if "dtype" in config:  # the policy's name, however it was given
            config["dtype"] = self._dtype_policy.name
        return config

    @classmethod
    def from_config(cls, config):
        """A new layer from the output of ``get_config``. ``name``, ``trainable`` and
        ``dtype`` are set after construction when the constructor does not take them
        (the article's ``MyDense.__init__(self, units)``)."""
        config = dict(config)
        parameters = inspect.signature(cls.__init__).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        later = {} if takes_any else {key: config.pop(key) for key in ("name", "trainable", "dtype")
                                      if key in config and key not in parameters}
        layer = cls(**config)
        if "name" in later:
            layer.name = later["name"]
        if "dtype" in later:
            layer.dtype_policy = later["dtype"]
        if "trainable" in later:
            layer.trainable = later["trainable"]
        return layer

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _tag_autocast_variables(layer):
    """Tag the float variables of ``layer`` and of its sub-layers that have a mixed
    policy with their compute dtype, the dtype an AutocastScope reads them in; those
    already tagged (or opted out) are left alone."""
    target = layer._autocast_dtype
    if target is not None:
        for variable in layer._own_variables():
            if variable.autocast is None and variable.dtype in ("float32", "float64"):
                variable.autocast = target
    for sublayer in layer._sublayers():
        _tag_autocast_variables(sublayer)


def _unique(values):
    seen, out = set(), []
    for v in values:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out

