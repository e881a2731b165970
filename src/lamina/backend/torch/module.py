"""LayerModule: on the torch engine every lamina Layer, and so every Model, is a
``torch.nn.Module``.

What a torch user can do with a lamina model (or a layer):

- ``model.parameters()`` / ``named_parameters()``: the trainable weights, as the very
  ``torch.nn.Parameter`` objects the Variables store. An optimizer stepping them
  changes the lamina weights (``predict``, ``get_weights`` and ``fit`` see it).
- ``state_dict()`` / ``load_state_dict()``: every weight, non-trainable ones (the
  moving statistics of ``BatchNormalization``, the weights of a layer with
  ``trainable = False``) as buffers; loading copies into the weights in place.
- ``to(device)`` / ``cpu()`` / ``cuda()`` move the Variables' storage (a dtype
  conversion such as ``double()`` changes the Variables' dtype too); ``zero_grad()``,
  ``requires_grad_()``, ``children()``, ``modules()``, ``named_modules()`` work as on
  any module.
- ``train()`` / ``eval()``: a call that neither passes ``training`` nor runs inside
  another layer's call runs in the mode last set; before either is called such a
  call runs in inference mode, as on every engine (so ``layer.training`` is False
  until ``train()``). ``fit``, ``evaluate`` and ``predict`` set their own mode.
- ``model(tensor)`` and ``forward(tensor)`` run lamina's ``__call__``; a lamina
  layer stored on a user's ``torch.nn.Module`` is its sub-module, and its weights
  are among that module's parameters.

**Weights appear once they exist.** A lamina layer creates most weights in
``build``, at its first call (or when its model gets an ``Input``). Until then they
are not among ``parameters()`` (nor in ``state_dict()``, nor moved by ``to()``), as
with torch's lazy modules; reading the parameters of an unbuilt layer that creates
weights in ``build`` warns. Build the model (call it once, or give it an ``Input``)
before handing ``parameters()`` to an optimizer, or before moving it.

**Names.** A weight or sub-layer is named by the attribute that holds it
(``self.dense1 = Dense(...)`` gives ``dense1.kernel``); one inside a list, tuple or
dict by the attribute and the position or key, joined by ``_`` (``_layers_0.kernel``
in a ``Sequential``); a weight made by ``add_weight`` and stored nowhere else by its
name. Names never hold a ``.`` (torch splits names there), and a name already taken
gets a ``_`` appended. So two models built by the same code have the same names,
whatever names lamina gave their layers, and one's ``state_dict()`` loads into the
other.

Design, and why:

- *Inheriting torch.nn.Module on the torch engine only.* torch recognises
  sub-modules by ``isinstance(value, torch.nn.Module)`` (in ``Module.__setattr__``,
  ``ModuleList``, ``Sequential``), so a layer has to be one to sit in a user's
  module. ``lamina.layers.Layer`` takes its base from the engine (this class on
  torch, ``object`` elsewhere); nothing outside ``lamina/backend/torch`` imports torch.
- *Derived, not synchronised, bookkeeping.* torch reads a module's ``_parameters``,
  ``_buffers`` and ``_modules`` dicts (``named_modules`` recurses through
  ``_modules``; ``named_parameters``, ``state_dict``, ``load_state_dict`` and
  ``_apply`` read the other two). Here the three are computed from lamina's own
  tracking each time torch reads them (the Variables and sub-layers stored on the
  layer, in attribute order, as ``Layer.weights`` finds them), so they are never
  stale: not after ``build``, not after an attribute is set or a failed build is
  rolled back, not after ``trainable`` changes. Keeping real dicts in step would
  cost a check on every attribute set, lamina's hot path; the derived dicts cost a
  walk over the layer's attributes only when a torch API asks. A dict torch writes
  into (``_apply`` replacing a parameter or a buffer) writes through to the Variable.
- *No torch attribute machinery on the hot path.* ``Layer.__setattr__`` stores
  attributes directly (torch's ``Module.__setattr__`` would file Parameters and
  Modules away from the instance dict lamina tracks), and ``__delattr__`` too.
  ``Module.__getattr__`` runs only for missing attributes; here it re-raises a
  property's own ``AttributeError`` (``layer.output`` of an uncalled layer), which
  torch's would replace by "no attribute". Any ``__getattr__`` keeps CPython from
  specialising attribute reads on the class (tens of nanoseconds each): measured,
  an eager ``Dense`` call costs about 0.3 µs more (of 7.5), a train step on a small
  model nothing measurable once lamina's tracking walk skips torch's own attributes
  (hook tables: ``_untracked_attributes``), and building a layer about 4 µs more
  (``Module.__init__``).
- *A plain torch module stored on a lamina layer* (``self.proj = torch.nn.Linear``)
  is a sub-module for torch's APIs (its parameters are among ``parameters()``,
  ``to()`` moves it), but not a lamina layer: ``fit`` trains Variables only.
- *torch's forward hooks do not run*: lamina's ``Layer.__call__`` (shape checks,
  building, the call context, masks, symbolic calls) is the entry point, and
  ``forward`` calls it.

Layers are modules when the torch engine runs (``LAMINA_BACKEND=torch``):

>>> import torch
>>> from lamina import Input, Model, backend as K, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(2, name="out")(x))
>>> if K.backend() == "torch":
...     print(isinstance(model, torch.nn.Module),
...           [name for name, _ in model.named_parameters()],
...           model.get_layer("out").kernel.value is next(model.parameters()))
... else:
...     print(True, ['_graph_layers_0.kernel', '_graph_layers_0.bias'], True)
True ['_graph_layers_0.kernel', '_graph_layers_0.bias'] True
"""

import warnings

import torch

from lamina.backend import dtypes as _dtypes


def _variable_class():
    from lamina.backend.variables import Variable
    return Variable


class _Tracking:
    """A layer's own Variables and direct sub-modules, each under its torch name."""

    __slots__ = ("variables", "modules")

    def __init__(self, layer):
        variable_class = _variable_class()
        self.variables, self.modules = {}, {}
        taken, seen = set(), {id(layer)}

        def put(into, name, value):
            name = name.replace(".", "_") or "_"
            while name in taken:
                name += "_"
            taken.add(name)
            into[name] = value

        def visit(value, name):
            if isinstance(value, variable_class):
                if id(value) not in seen:
                    seen.add(id(value))
                    put(self.variables, name, value)
            elif isinstance(value, torch.nn.Module):
                if id(value) not in seen:
                    seen.add(id(value))
                    put(self.modules, name, value)
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    visit(item, f"{name}_{i}")
            elif isinstance(value, dict):
                for key, item in value.items():
                    visit(item, f"{name}_{key}")

        skip = layer._untracked_attributes
        for key, value in layer.__dict__.items():
            if key not in skip:
                visit(value, key)
        for variable in layer._added_weights:
            visit(variable, variable.name)


class _WeightSlots(dict):
    """``_parameters`` or ``_buffers`` of a layer: name -> the Variable's storage.
    Storing a tensor under a name (``Module._apply`` moving a buffer, or a parameter
    it cannot move in place) makes it that Variable's storage."""

    __slots__ = ("_layer", "_variables")

    def __init__(self, layer, variables):
        super().__init__((name, v._value) for name, v in variables.items())
        self._layer, self._variables = layer, variables

    def __setitem__(self, name, tensor):
        variable = self._variables.get(name)
        if variable is None:
            layer = self._layer
            raise TypeError(f"{type(layer).__name__} layer {layer.name!r} has no weight named "
                            f"{name!r} to store a tensor in; its weights are its Variables "
                            f"({sorted(self._variables)}): store a K.Variable on the layer, "
                            "or use add_weight, to add one.")
        if tensor is not variable._value:
            if isinstance(tensor, torch.nn.Parameter):
                variable._value = tensor
            else:
                variable._value.data = tensor
        super().__setitem__(name, variable._value)


class _ModuleSlots(dict):
    """``_modules`` of a layer: name -> sub-module. Storing one (``add_module``) sets
    the layer's attribute of that name."""

    __slots__ = ("_layer",)

    def __init__(self, layer, modules):
        super().__init__(modules)
        self._layer = layer

    def __setitem__(self, name, module):
        setattr(self._layer, name, module)
        super().__setitem__(name, module)


def _builds_weights(layer):
    """True when ``layer``'s class defines its own ``build`` (the base class's
    creates nothing)."""
    base = next(cls for cls in type(layer).__mro__ if LayerModule in cls.__bases__)
    return type(layer).build is not base.build


def _warn_unbuilt(layer):
    if not layer.built and _builds_weights(layer):
        warnings.warn(
            f"{type(layer).__name__} layer {layer.name!r} is not built yet, so its weights "
            "do not exist: parameters(), state_dict() and to() leave them out. Call the "
            "model on data (or give it an Input) first, then create the optimizer.",
            stacklevel=2)


class _Derived:
    """A data descriptor for torch's bookkeeping dicts, computed from lamina's
    tracking at each read; ``Module.__init__`` storing its empty dict is ignored."""

    def __init__(self, kind):
        self.kind = kind

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        tracking = _Tracking(layer)
        if self.kind == "modules":
            return _ModuleSlots(layer, tracking.modules)
        if self.kind == "parameters":
            _warn_unbuilt(layer)
        trainable = layer.trainable
        wanted = self.kind == "parameters"
        return _WeightSlots(layer, {name: v for name, v in tracking.variables.items()
                                    if (trainable and v.trainable) is wanted})

    def __set__(self, layer, value):
        if value:
            raise TypeError(f"{type(layer).__name__} layer {layer.name!r}: _{self.kind} is "
                            "derived from the layer's Variables and sub-layers; expected an "
                            f"empty dict, received a {type(value).__name__} of {len(value)}.")


class LayerModule(torch.nn.Module):
    """The torch engine's base of ``lamina.layers.Layer``: a ``torch.nn.Module``
    whose parameters, buffers and sub-modules are the layer's Variables and
    sub-layers (see the module docstring).

    >>> from lamina import backend as K, layers
    >>> dense = layers.Dense(2)
    >>> _ = dense(K.ones((4, 3)))
    >>> if K.backend() == "torch":
    ...     print(sorted(dense.state_dict()), dense.eval().training)
    ... else:
    ...     print(['bias', 'kernel'], False)
    ['bias', 'kernel'] False
    """

    _parameters = _Derived("parameters")
    _buffers = _Derived("buffers")
    _modules = _Derived("modules")
    # torch's own attributes (hook tables, flags) hold no weights or sub-layers: lamina's
    # tracking skips them (Layer adds them to its untracked attributes)
    _untracked_attributes = frozenset(torch.nn.Module().__dict__) | {"_default_training"}

    def __init__(self):
        torch.nn.Module.__init__(self)
        del self.__dict__["_default_training"]  # no mode until train() or eval()

    @property
    def training(self):
        """True after ``train()``, False after ``eval()`` and before either."""
        return self._default_training is True

    @training.setter
    def training(self, mode):
        object.__setattr__(self, "_default_training", bool(mode))

    def forward(self, *args, **kwargs):
        """Call the layer (lamina's ``__call__``), as torch's ``Module.__call__`` would."""
        return self(*args, **kwargs)

    def __getattr__(self, name):
        descriptor = getattr(type(self), name, None)
        if hasattr(descriptor, "__get__"):
            return descriptor.__get__(self, type(self))  # re-raises the property's error
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        object.__delattr__(self, name)

    def __dir__(self):
        return object.__dir__(self)

    def register_parameter(self, name, param):
        """Not available: a lamina layer's weights are its Variables."""
        raise TypeError(f"{type(self).__name__} layer {self.name!r}: register_parameter"
                        f"({name!r}, ...) is not supported; lamina tracks Variables. Store "
                        f"K.Variable(value) on the layer, or use add_weight({name!r}, ...).")

    def register_buffer(self, name, tensor, persistent=True):
        """Not available: a lamina layer's state is its Variables."""
        raise TypeError(f"{type(self).__name__} layer {self.name!r}: register_buffer"
                        f"({name!r}, ...) is not supported; lamina tracks Variables. Store "
                        "K.Variable(value, trainable=False) on the layer for state it saves.")

    def _apply(self, fn, recurse=True):
        super()._apply(fn, recurse)
        for variable in _Tracking(self).variables.values():
            variable._dtype = _dtypes.standardize_dtype(variable._value.dtype)
        return self

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args):
        # assign=True would rebind attributes to raw tensors; a lamina weight keeps
        # its Variable and Parameter, so loading always copies into it.
        local_metadata = dict(local_metadata, assign_to_params_buffers=False)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)
