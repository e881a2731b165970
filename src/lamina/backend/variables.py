"""Variable: an engine-neutral, mutable tensor (a model weight, an optimizer slot).

A Variable keeps its value in the engine's storage: a ``torch.nn.Parameter`` on
torch (so autograd sees it), a JAX array on jax, a NumPy array on numpy. Every K
function accepts it in place of a tensor.

Inside a :class:`VariableScope` a Variable is *bound*: reading it returns the
value the scope holds, and assigning it records the new value in the scope and
leaves the storage alone. This is how one stateful Python program (a layer, an
optimizer) runs as a pure function: the JAX train step binds every Variable to a
traced value, runs the code, and collects the new values (DESIGN.md, principle 4).

Mixed precision uses the same hook: while a layer whose dtype policy is mixed runs
its ``call``, an :class:`AutocastScope` is the active scope, and reading a Variable
tagged with a compute dtype (``variable.autocast``, set by the layer) returns its
value cast to that dtype. Outside such a call no scope is added, so reading a
Variable costs what it always did.

>>> from lamina import backend as K
>>> v = K.Variable([1.0, 2.0], name="v")
>>> _ = v.assign_add([1.0, 1.0]); K.convert_to_numpy(v).tolist()
[2.0, 3.0]
>>> with K.VariableScope({v: K.zeros(2)}) as scope:
...     _ = v.assign(v + 5.0)
>>> K.convert_to_numpy(scope.values[v]).tolist(), K.convert_to_numpy(v).tolist()
([5.0, 5.0], [2.0, 3.0])
"""

import contextlib
import itertools
import threading

import numpy as np

from lamina.backend import dtypes

_state = threading.local()
_names = itertools.count()


def current_scope():
    """The innermost active :class:`VariableScope`, or None.

    >>> current_scope() is None
    True
    """
    return getattr(_state, "scope", None)


class _NestedScope:
    """A scope that Variables consult while it is the innermost one (``with``); the
    one it replaced is its ``_parent``, made current again on exit."""

    _parent = None

    def __enter__(self):
        self._parent = current_scope()
        _state.scope = self
        return self

    def __exit__(self, *exc):
        _state.scope = self._parent
        return False


class VariableScope(_NestedScope):
    """Bind Variables to values for a ``with`` block and collect their assignments.

    ``bindings`` maps Variable -> value. Reading a bound Variable returns the bound
    value; reading an unbound one returns ``read(variable)`` (by default its
    stored value). Every assignment lands in ``scope.values`` and its Variable in
    ``scope.assigned``; the storage is never touched.

    >>> from lamina import backend as K
    >>> v = K.Variable(1.0)
    >>> with K.VariableScope() as s:
    ...     _ = v.assign(3.0)
    >>> float(K.convert_to_numpy(s.values[v])), float(K.convert_to_numpy(v))
    (3.0, 1.0)
    """

    def __init__(self, bindings=None, read=None):
        self.values = dict(bindings) if bindings else {}
        self.assigned = []
        self._read = read
        self._parent = None

    def read(self, variable):
        try:
            return self.values[variable]
        except KeyError:
            value = self._read(variable) if self._read else variable._storage_value()
            self.values[variable] = value
            return value

    def write(self, variable, value):
        if all(v is not variable for v in self.assigned):
            self.assigned.append(variable)
        self.values[variable] = value

    @staticmethod
    @contextlib.contextmanager
    def suspended():
        """A block where no scope is active: Variables are read and assigned for real.

        >>> from lamina import backend as K
        >>> v = K.Variable(1.0)
        >>> with K.VariableScope():
        ...     with K.VariableScope.suspended():
        ...         _ = v.assign(2.0)
        >>> float(K.convert_to_numpy(v))
        2.0
        """
        saved = current_scope()
        _state.scope = None
        try:
            yield
        finally:
            _state.scope = saved


class AutocastScope(_NestedScope):
    """Read the Variables tagged with a compute dtype (``variable.autocast``, e.g.
    ``"float16"``) cast to it, for a ``with`` block; others, and every assignment, go
    to the enclosing scope (or to the Variables themselves when there is none). The
    float32 Variable stays the one the optimizer updates; gradients reach it through
    the cast.

    >>> from lamina import backend as K
    >>> w = K.Variable([1.5], name="w")
    >>> w.autocast = "float16"
    >>> with AutocastScope():
    ...     K.dtype(w.value)
    'float16'
    >>> K.dtype(w.value), w.dtype
    ('float32', 'float32')
    """

    @property
    def values(self):
        return self._parent.values if self._parent is not None else {}

    @property
    def assigned(self):
        return self._parent.assigned if self._parent is not None else []

    def read(self, variable):
        parent = self._parent
        value = parent.read(variable) if parent is not None else variable._storage_value()
        dtype = variable.autocast
        if dtype and dtype != variable._dtype:
            return Variable._ops.cast(value, dtype)
        return value

    def write(self, variable, value):
        if self._parent is not None:
            self._parent.write(variable, value)
        else:
            variable._store(value)


class Variable:
    """A mutable, named tensor that K functions and operators accept.

    ``Variable(initial_value, trainable=True, name=None, dtype=None,
    regularizer=None, constraint=None)``. ``initial_value`` is an array, a nested
    list, a scalar or a zero-argument callable returning one. With ``dtype=None``
    a float value takes ``floatx()`` and other values keep their dtype.
    ``regularizer`` (weight -> scalar) adds a penalty to the training loss;
    ``constraint`` (weight -> weight) is applied after each optimizer update.

    >>> from lamina import backend as K
    >>> w = K.Variable(K.ones((2, 3)), name="w", trainable=False)
    >>> w.shape, w.dtype, w.trainable, w.name
    ((2, 3), 'float32', False, 'w')
    """

    __array_ufunc__ = None  # ndarray (op) Variable defers to Variable's operators
    _engine = None  # set by lamina.backend when the engine is chosen
    # True while only this Variable can hold its stored value (a compiled JAX step
    # made it and nobody has read it since): the step may then donate the buffer.
    _exclusive = False
    # The dtype a mixed precision layer's call reads this Variable in (inside an
    # AutocastScope); None: never cast. Set by the layer that owns it.
    autocast = None

    def __init__(self, initial_value, trainable=True, name=None, dtype=None,
                 regularizer=None, constraint=None):
        if callable(initial_value) and not hasattr(initial_value, "shape"):
            initial_value = initial_value()
        if isinstance(initial_value, Variable):
            initial_value = initial_value.value
        if hasattr(initial_value, "_lamina_symbolic"):
            raise TypeError(
                f"Variable {name or ''}: the initial value must be concrete, not the symbolic "
                f"tensor {initial_value!r}. Variables hold weights; create them in build().")
        engine = Variable._engine
        if dtype is None:
            probe = initial_value if hasattr(initial_value, "dtype") else np.asarray(initial_value)
            dtype = dtypes.standardize_dtype(probe.dtype)
            if dtypes.is_float(dtype):
                dtype = dtypes.config.floatx() if dtype == "float64" else dtype
        dtype = dtypes.standardize_dtype(dtype)
        self._trainable = bool(trainable)
        self._value = engine.make_variable(initial_value, dtype, self._trainable)
        self._dtype = dtype
        self.name = name if name is not None else f"variable_{next(_names)}"
        self.regularizer = regularizer
        self.constraint = constraint

    # -- value -------------------------------------------------------------
    def _storage_value(self):
        self._exclusive = False
        return self._value

    @property
    def value(self):
        """The current value (the bound one inside a :class:`VariableScope`)."""
        scope = getattr(_state, "scope", None)
        if scope is None:
            self._exclusive = False
            return self._value
        return scope.read(self)

    def assign(self, value):
        """Set the value; the shape must stay the same. Returns the Variable.

        >>> from lamina import backend as K
        >>> v = K.Variable([1.0, 2.0]); _ = v.assign([3.0, 4.0]); K.convert_to_numpy(v).tolist()
        [3.0, 4.0]
        """
        if isinstance(value, Variable):
            value = value.value
        engine = Variable._engine
        value = engine.convert_to_tensor(value, self._dtype)
        if tuple(value.shape) != self.shape:
            raise ValueError(f"Variable {self.name!r}: cannot assign a value of shape "
                             f"{tuple(value.shape)} to a variable of shape {self.shape}.")
        scope = getattr(_state, "scope", None)
        if scope is not None:
            scope.write(self, value)
        else:
            self._store(value)
        return self

    def _store(self, value):
        """Write ``value`` (an engine tensor of the right dtype and shape) to the storage."""
        self._value = Variable._engine.assign_variable(self._value, value)
        self._exclusive = False

    def assign_add(self, delta):
        """Add ``delta`` to the value in place. Returns the Variable."""
        return self.assign(Variable._ops.add(self.value, delta))

    def assign_sub(self, delta):
        """Subtract ``delta`` from the value in place. Returns the Variable."""
        return self.assign(Variable._ops.subtract(self.value, delta))

    # -- metadata ----------------------------------------------------------
    @property
    def shape(self):
        return tuple(self._value.shape)

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._value.shape)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        Variable._engine.set_trainable(self._value, self._trainable)

    def numpy(self):
        """The value as a NumPy array (a copy)."""
        return np.array(Variable._engine.convert_to_numpy(self.value))

    def __array__(self, dtype=None, copy=None):
        out = Variable._engine.convert_to_numpy(self.value)
        return out.astype(dtype) if dtype is not None else out

    def __repr__(self):
        return (f"<Variable name={self.name!r} shape={self.shape} dtype={self.dtype} "
                f"trainable={self.trainable}>")

    __hash__ = object.__hash__

    def __bool__(self):
        return bool(self.numpy())

    def __float__(self):
        return float(self.numpy())

    def __int__(self):
        return int(self.numpy())

    def __len__(self):
        return self.shape[0]
