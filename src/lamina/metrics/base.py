"""The :class:`Metric` base class: a stateful object whose state lives in K.Variables.

``update_state`` and ``result`` are written with K functions and ``Variable.assign``
only, so the training engine can run them inside a compiled step: on JAX inside
``jax.jit``, under a ``K.VariableScope`` that binds every metric variable to a traced
value and collects the assignments (``stateless_update_state`` does exactly that).

>>> from lamina import backend as K
>>> class Count(Metric):
...     def __init__(self, name="count", dtype=None):
...         super().__init__(dtype=dtype, name=name)
...         self.count = self.add_variable((), name="count")
...     def update_state(self, values, sample_weight=None):
...         self.count.assign_add(K.cast(K.size(values), self.dtype))
...     def result(self):
...         return self.count.value
>>> m = Count()
>>> float(m([1.0, 2.0])), float(m([3.0]))
(2.0, 3.0)
>>> m.reset_state(); float(m.result())
0.0
"""

import re

from lamina import backend as K
from lamina import initializers
from lamina._catalogue import Configurable, constructor_config
from lamina.backend.variables import current_scope


def _snake_case(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def squeeze_or_expand_to_same_rank(x1, x2):
    """``x1`` and ``x2`` with ranks made equal where they differ by one and the longer
    one ends in a dimension of size 1: a rank-1 partner gets a trailing axis, any
    other longer tensor loses its trailing axis. Other rank pairs are returned as is.

    >>> from lamina import backend as K
    >>> a, b = squeeze_or_expand_to_same_rank(K.ones((4, 1)), K.ones((4,)))
    >>> K.shape(a), K.shape(b)
    ((4, 1), (4, 1))
    >>> a, b = squeeze_or_expand_to_same_rank(K.ones((4, 3, 1)), K.ones((4, 3)))
    >>> K.shape(a), K.shape(b)
    ((4, 3), (4, 3))
    """
    rank1, rank2 = K.ndim(x1), K.ndim(x2)
    if rank1 == rank2 + 1 and K.int_shape(x1)[-1] == 1:
        if rank2 == 1:
            x2 = K.expand_dims(x2, -1)
        else:
            x1 = K.squeeze(x1, -1)
    elif rank2 == rank1 + 1 and K.int_shape(x2)[-1] == 1:
        if rank1 == 1:
            x1 = K.expand_dims(x1, -1)
        else:
            x2 = K.squeeze(x2, -1)
    return x1, x2


class Metric(Configurable):
    """Base class of every metric: ``Metric(dtype=None, name=None)``.

    Subclasses create their state with :meth:`add_variable` in ``__init__`` (or in
    :meth:`build`, when it depends on the data's shapes) and implement
    ``update_state(...)`` and ``result()``. ``dtype`` (default ``K.floatx()``) is the
    dtype of the state and of the result; ``name`` defaults to the class name in
    snake case.

    >>> Metric(name="m").get_config()
    {'name': 'm', 'dtype': 'float32'}
    """

    def __init__(self, dtype=None, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string. Received "
                            f"name={name!r}.")
        self.name = name or _snake_case(type(self).__name__)
        self._dtype = K.standardize_dtype(dtype) if dtype is not None else K.floatx()
        self._variables = []
        self._initializers = []
        self.built = True

    @property
    def dtype(self):
        """The dtype of the metric's state and result."""
        return self._dtype

    @property
    def variables(self):
        """The metric's state: a list of non-trainable K.Variables.

        >>> from lamina.metrics import Mean
        >>> [v.name for v in Mean().variables]
        ['total', 'count']
        """
        return list(self._variables)

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """A new non-trainable K.Variable of ``shape``, filled by ``initializer`` (a name
        or an initializer object of :mod:`lamina.initializers`), added to
        :attr:`variables`; :meth:`reset_state` refills it with the same initializer.

        >>> m = Metric(name="m")
        >>> v = m.add_variable((2,), initializer="ones", name="v")
        >>> v.numpy().tolist(), v.trainable, m.variables == [v]
        ([1.0, 1.0], False, True)
        """
        initializer = initializers.get(initializer)
        dtype = K.standardize_dtype(dtype) if dtype is not None else self._dtype
        shape = tuple(shape)
        variable = K.Variable(initializer(shape, dtype=dtype), trainable=False, name=name,
                              dtype=dtype)
        self._variables.append(variable)
        self._initializers.append(initializer)
        return variable

    def build(self, y_true_shape, y_pred_shape):
        """Create the variables whose shapes depend on the data (``AUC`` with
        ``multi_label=True``, ``F1Score``). The training engine calls it eagerly before
        compiling a step; metrics whose variables exist from ``__init__`` have nothing
        to create and are built already.

        >>> m = Metric(name="m"); m.build((None, 3), (None, 3)); m.built
        True
        """
        self.built = True

    def _check_built(self, y_true, y_pred):
        """Build from the data's shapes on first use; inside a VariableScope (a compiled
        step) new variables would escape the scope, so ask for an eager build instead."""
        if self.built:
            return
        if current_scope() is not None:
            raise RuntimeError(
                f"{type(self).__name__} {self.name!r}: its variables depend on the data's "
                f"shapes and do not exist yet. Call build(y_true_shape, y_pred_shape) or "
                f"update_state once outside a VariableScope before running it in one.")
        self.build(K.int_shape(y_true), K.int_shape(y_pred))

    def update_state(self, *args, **kwargs):
        """Accumulate statistics from one batch (implemented by subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_state().")

    def result(self):
        """The metric's value computed from its state (implemented by subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement result().")

    def reset_state(self):
        """Refill every variable with its initial value (by default zeros).

        >>> from lamina.metrics import Sum
        >>> m = Sum(); m.update_state([1.0, 2.0]); m.reset_state(); float(m.result())
        0.0
        """
        for variable, initializer in zip(self._variables, self._initializers):
            variable.assign(initializer(variable.shape, dtype=variable.dtype))

    def __call__(self, *args, **kwargs):
        """``update_state(*args, **kwargs)``, then ``result()``.

        >>> from lamina.metrics import Mean
        >>> m = Mean(); float(m([1.0, 3.0])), float(m([5.0]))
        (2.0, 3.0)
        """
        self.update_state(*args, **kwargs)
        return self.result()

    # -- pure-function forms, for compiled steps ------------------------------------
    def _run_in_scope(self, metric_variables, fn):
        variables = self._variables
        if len(metric_variables) != len(variables):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected "
                             f"{len(variables)} metric variable values (one per "
                             f"variable). Received {len(metric_variables)}.")
        with K.VariableScope(dict(zip(variables, metric_variables))) as scope:
            out = fn()
        return out, [scope.values[v] for v in variables]

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """The new values of :attr:`variables` after ``update_state(*args, **kwargs)``
        starting from ``metric_variables``; the stored values stay as they are.

        >>> from lamina.metrics import Sum
        >>> m = Sum()
        >>> new = m.stateless_update_state([K.convert_to_tensor(1.0)], [2.0, 3.0])
        >>> float(K.convert_to_numpy(new[0])), float(m.result())
        (6.0, 0.0)
        """
        return self._run_in_scope(metric_variables,
                                  lambda: self.update_state(*args, **kwargs))[1]

    def stateless_result(self, metric_variables):
        """``result()`` computed from ``metric_variables`` instead of the stored state.

        >>> from lamina.metrics import Mean
        >>> m = Mean()
        >>> values = [K.convert_to_tensor(6.0), K.convert_to_tensor(3.0)]
        >>> float(K.convert_to_numpy(m.stateless_result(values)))
        2.0
        """
        return self._run_in_scope(metric_variables, self.result)[0]

    def stateless_reset_state(self):
        """The values :attr:`variables` would have after ``reset_state()``.

        >>> from lamina.metrics import Mean
        >>> [float(K.convert_to_numpy(v)) for v in Mean().stateless_reset_state()]
        [0.0, 0.0]
        """
        return self._run_in_scope([v.value for v in self._variables], self.reset_state)[1]

    # -- configuration ---------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict: for a subclass that does
        not define ``get_config``, the arguments its constructor was called with.

        >>> class Hits(Metric):
        ...     def __init__(self, threshold=0.5, name="hits"):
        ...         super().__init__(name=name)
        ...         self.threshold = threshold
        >>> Hits(0.7).get_config()
        {'name': 'hits', 'threshold': 0.7}
        >>> from lamina.metrics import BinaryAccuracy
        >>> BinaryAccuracy.from_config(BinaryAccuracy(threshold=0.7).get_config()).threshold
        0.7
        """
        return constructor_config(self, {"name": self.name, "dtype": self.dtype}, Metric)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
