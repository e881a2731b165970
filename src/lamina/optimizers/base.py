"""Optimizer: the base class of lamina's optimizers (``keras.optimizers.Optimizer``).

An optimizer keeps all its state in K Variables (``iterations``, the learning rate,
one slot per variable and kind) and changes it only with ``assign``, so the same
code runs eagerly on every engine and, inside a :class:`~lamina.backend.VariableScope`,
as one pure function of the bound values (the JAX train step jit-compiles it).

A subclass sets its hyperparameters in ``__init__``, creates its slots in
``build(variables)`` with :meth:`Optimizer.add_variable_from_reference`, and writes
``update_step(gradient, variable, learning_rate)`` with K functions. A class may
also name a fused engine update in its own ``_fused`` attribute (see
:mod:`lamina.backend.fused_optimizers`); subclasses do not inherit it, so an
overridden ``update_step`` always runs.

Order of one ``apply`` (as Keras 3): clip the gradients (``clipnorm`` per
gradient, or ``global_clipnorm``, or ``clipvalue``), decay the weights
(``w -= w * weight_decay * learning_rate``, decoupled from the gradient), run
``update_step`` per variable with the rate at the current ``iterations``, add 1 to
``iterations``, apply each variable's ``constraint``.

Keras 2's arguments are accepted by every optimizer, with a DeprecationWarning:
``lr`` for ``learning_rate``, and ``decay``, which divides the rate by
``1 + decay * iterations`` at each update (inside compiled steps too).

>>> from lamina import backend as K
>>> from lamina import optimizers
>>> w = K.Variable([1.0, 2.0])
>>> optimizer = optimizers.SGD(learning_rate=0.5)
>>> _ = optimizer.apply([K.convert_to_tensor([1.0, 1.0])], [w])
>>> w.numpy().tolist(), int(optimizer.iterations)
([0.5, 1.5], 1)
"""

import functools
import inspect
import math
import re
import warnings

import numpy as np

from lamina import backend as K
from lamina import initializers
from lamina._catalogue import Configurable, constructor_config, decode_config
from lamina.backend import fused_optimizers, naming
from lamina.backend.device import host_state_scope, scope_of
from lamina.backend.variables import current_scope
from lamina.optimizers import schedules


def check_number(owner, name, value, low=0.0, high=math.inf, low_open=False, optional=False):
    """``value`` as a float after checking ``low <= value <= high`` (``low < value`` with
    ``low_open``); None passes when ``optional``. Raises a ValueError naming ``owner``.

    >>> check_number("SGD", "momentum", 0.9, high=1.0)
    0.9
    """
    if value is None and optional:
        return None
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.number))
    if ok:
        value = float(value)
        ok = math.isfinite(value) and (value > low if low_open else value >= low) and \
            value <= high
    if not ok:
        bounds = f"{'>' if low_open else '>='} {low:g}" + (
            f" and <= {high:g}" if high != math.inf else "")
        raise ValueError(f"{owner}: {name} must be a number {bounds}. Received "
                         f"{name}={value!r}.")
    return value


def keras2_arguments(owner, kwargs):
    """``(kwargs, decay)``: Keras 2's optimizer arguments translated, each with a
    DeprecationWarning naming its replacement: ``lr`` becomes ``learning_rate``;
    ``decay`` (a number >= 0, 0 when absent) is taken out.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     keras2_arguments("SGD", {"lr": 0.1, "decay": 1e-4, "momentum": 0.9})
    ({'momentum': 0.9, 'learning_rate': 0.1}, 0.0001)
    """
    kwargs = dict(kwargs)
    if "lr" in kwargs:
        if "learning_rate" in kwargs:
            raise TypeError(f"{owner}: received both learning_rate and lr (Keras 2's name for "
                            f"it); give learning_rate only.")
        warnings.warn(f"{owner}: the argument lr is deprecated; use learning_rate.",
                      DeprecationWarning, stacklevel=3)
        kwargs["learning_rate"] = kwargs.pop("lr")
    decay = 0.0
    if "decay" in kwargs:
        decay = check_number(owner, "decay", kwargs.pop("decay"))
        if decay:
            warnings.warn(f"{owner}: the argument decay is deprecated (Keras 2: the rate is "
                          f"learning_rate / (1 + decay * iterations)); use learning_rate="
                          f"keras.optimizers.schedules.InverseTimeDecay(learning_rate, "
                          f"decay_steps=1, decay_rate={decay:g}).", DeprecationWarning,
                          stacklevel=3)
    return kwargs, decay


def _accept_keras2_arguments(cls):
    """Wrap ``cls.__init__`` so that it takes Keras 2's ``lr`` and ``decay`` when its own
    signature does not name them."""
    init = cls.__dict__.get("__init__")
    if init is None or {"lr", "decay"} & set(inspect.signature(init).parameters):
        return

    @functools.wraps(init)
    def keras2_init(self, *args, **kwargs):
        if "lr" not in kwargs and "decay" not in kwargs:
            init(self, *args, **kwargs)
            return
        kwargs, decay = keras2_arguments(type(self).__name__, kwargs)
        init(self, *args, **kwargs)
        self.decay = decay

    cls.__init__ = keras2_init


def _short_float(value):
    """A float32 read back as the shortest decimal that gives it (0.001, not 0.0010000000474)."""
    return float(str(np.float32(value)))


class Optimizer(Configurable):
    """Base class of the optimizers: ``Optimizer(learning_rate, weight_decay=None,
    clipnorm=None, clipvalue=None, global_clipnorm=None, name=None)``.

    ``learning_rate`` is a float >= 0 or a
    :class:`~lamina.optimizers.schedules.LearningRateSchedule`. At most one of
    ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` may be set.

    >>> from lamina import backend as K
    >>> class SignDescent(Optimizer):
    ...     def update_step(self, gradient, variable, learning_rate):
    ...         variable.assign_sub(K.sign(gradient) * K.cast(learning_rate, variable.dtype))
    >>> w = K.Variable([1.0, -1.0])
    >>> _ = SignDescent(learning_rate=0.25).apply([K.convert_to_tensor([3.0, -2.0])], [w])
    >>> w.numpy().tolist()
    [0.75, -0.75]
    """

    decay = 0.0  # Keras 2's inverse time decay of the rate (see keras2_arguments)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _accept_keras2_arguments(cls)

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        owner = type(self).__name__
        self.weight_decay = check_number(owner, "weight_decay", weight_decay, optional=True)
        self.clipnorm = check_number(owner, "clipnorm", clipnorm, optional=True)
        self.clipvalue = check_number(owner, "clipvalue", clipvalue, optional=True)
        self.global_clipnorm = check_number(owner, "global_clipnorm", global_clipnorm,
                                            optional=True)
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{owner}: only one of clipnorm, clipvalue and global_clipnorm "
                             f"can be set. Received clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}.")
        self.name = name if name is not None else naming.unique_name(owner.lower())
        with host_state_scope():  # read as numbers each step (see lamina.backend.device)
            self.iterations = K.Variable(0, trainable=False, dtype="int64",
                                         name=f"{self.name}/iterations")
        self._variables = [self.iterations]
        self._schedule = None
        self._learning_rate = None
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self._schedule = learning_rate
        else:
            rate = check_number(owner, "learning_rate", learning_rate)
            with host_state_scope():
                self._learning_rate = K.Variable(rate, trainable=False, dtype=K.floatx(),
                                                 name=f"{self.name}/learning_rate")
            self._variables.append(self._learning_rate)
        self._trainable_variables = []
        self._index = {}
        self._decay_excluded_ids = set()
        self._decay_excluded_names = ()
        self.built = False

    # -- learning rate ------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current rate: the schedule at ``iterations``, else the learning-rate
        Variable. Setting a float assigns that Variable (a compiled JAX step sees the new
        value without recompiling); setting a schedule replaces the rate.

        >>> from lamina import optimizers
        >>> optimizer = optimizers.Adam(learning_rate=0.1)
        >>> optimizer.learning_rate = 0.01
        >>> round(float(optimizer.learning_rate), 6)
        0.01
        """
        if self._schedule is not None:
            return self._schedule(self.iterations)
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            self._schedule = value
            return
        if self._schedule is not None:
            raise TypeError(
                f"{type(self).__name__}: the learning rate comes from the schedule "
                f"{self._schedule!r}; it can be replaced by another schedule, not set to a "
                f"number. Received learning_rate={value!r}.")
        self._learning_rate.assign(check_number(type(self).__name__, "learning_rate", value))

    lr = learning_rate  # Keras 2's name

    def _current_rate(self):
        """The rate an update uses: ``learning_rate``, divided by ``1 + decay *
        iterations`` when Keras 2's ``decay`` is set.

        >>> import warnings
        >>> from lamina import optimizers
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     optimizer = optimizers.SGD(lr=0.5, decay=1.0)
        >>> _ = optimizer.iterations.assign(3)
        >>> float(optimizer._current_rate())
        0.125
        """
        rate = self.learning_rate
        if not self.decay:
            return rate
        steps = K.cast(self.iterations, K.dtype(rate))
        return K.divide(rate, K.add(K.multiply(steps, self.decay), 1.0))

    # -- state ---------------------------------------------------------------------------
    @property
    def variables(self):
        """Every state Variable: ``iterations``, the learning rate (unless a schedule gives
        it), then the slots in creation order.

        >>> from lamina import backend as K
        >>> from lamina import optimizers
        >>> optimizer = optimizers.SGD(momentum=0.9, name="sgd_doc")
        >>> optimizer.build([K.Variable([1.0], name="w")])
        >>> [v.name for v in optimizer.variables]
        ['sgd_doc/iterations', 'sgd_doc/learning_rate', 'sgd_doc/w_momentum']
        """
        return list(self._variables)

    def build(self, variables):
        """Remember ``variables`` (the ones ``apply`` may update) and create the slots.
        Idempotent: a built optimizer ignores later calls. Subclasses call
        ``super().build(variables)`` first, then create their slots."""
        if self.built:
            return
        self._trainable_variables = list(variables)
        self._index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """A new state Variable (not trainable), listed in ``variables``.

        >>> from lamina import optimizers
        >>> optimizers.SGD().add_variable((2,), initializer="ones").numpy().tolist()
        [1.0, 1.0]
        """
        dtype = dtype or K.floatx()
        init = initializers.get(initializer)
        variable = K.Variable(init(tuple(shape), dtype=dtype), trainable=False, dtype=dtype,
                              name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference, name, initializer="zeros"):
        """A state Variable with ``reference``'s shape and dtype, named after it, on
        ``reference``'s device."""
        with scope_of(reference):
            return self.add_variable(reference.shape, initializer, reference.dtype,
                                     f"{reference.name}_{name}")

    def add_optimizer_variables(self, variables, name, initializer="zeros"):
        """One slot per variable of ``variables`` (a list, aligned with them)."""
        return [self.add_variable_from_reference(v, name, initializer) for v in variables]

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt the Variables of ``var_list``, and those whose name contains one of
        ``var_names``, from weight decay. Call it before the first ``apply``.

        >>> from lamina import backend as K
        >>> from lamina import optimizers
        >>> bias = K.Variable([1.0], name="bias")
        >>> optimizer = optimizers.AdamW(weight_decay=0.5, learning_rate=1.0)
        >>> optimizer.exclude_from_weight_decay(var_names=["bias"])
        >>> optimizer._use_weight_decay(bias)
        False
        """
        if self.built:
            raise ValueError(f"{type(self).__name__}: exclude_from_weight_decay() must be "
                             f"called before the optimizer is built.")
        self._decay_excluded_ids.update(id(v) for v in var_list or ())
        self._decay_excluded_names = tuple(var_names or ())

    def _use_weight_decay(self, variable):
        if self.weight_decay is None or id(variable) in self._decay_excluded_ids:
            return False
        return not any(re.search(name, variable.name) for name in self._decay_excluded_names)

    # -- updates -------------------------------------------------------------------------
    def scale_loss(self, loss):
        """The loss a training step differentiates: ``loss`` itself here; a
        :class:`~lamina.optimizers.LossScaleOptimizer` multiplies it by its scale (and
        its ``apply`` divides the gradients by it). A custom ``train_step`` calls it
        before taking gradients, so that it works with either.

        >>> from lamina import optimizers
        >>> optimizers.SGD().scale_loss(2.0)
        2.0
        """
        return loss

    def apply_gradients(self, grads_and_vars):
        """``apply`` on a list of ``(gradient, variable)`` pairs. Returns ``iterations``."""
        pairs = list(grads_and_vars)
        return self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None):
        """Update ``trainable_variables`` (by default those given to ``build``) with
        ``grads``; builds the optimizer on first use. None gradients are skipped.
        Returns ``iterations``."""
        owner = type(self).__name__
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{owner}.apply: received no trainable_variables and the "
                                 f"optimizer is not built. Pass the variables, or call "
                                 f"build(variables) first.")
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
        if len(grads) != len(variables):
            raise ValueError(f"{owner}.apply: expected one gradient per variable. Received "
                             f"{len(grads)} gradients for {len(variables)} variables.")
        kept_grads, kept_vars = [], []
        for g, v in zip(grads, variables):
            if g is None:
                continue
            if id(v) not in self._index:
                raise ValueError(f"{owner}.apply: unknown variable {v.name!r}; this optimizer "
                                 f"was built for the variables "
                                 f"{[w.name for w in self._trainable_variables]}.")
            if tuple(g.shape) != v.shape:
                raise ValueError(f"{owner}.apply: the gradient of variable {v.name!r} has shape "
                                 f"{tuple(g.shape)}; expected the variable's shape {v.shape}.")
            kept_grads.append(g)
            kept_vars.append(v)
        fused_name = type(self).__dict__.get("_fused")
        fused = fused_optimizers.lookup(fused_name) if fused_name else None
        if fused is not None and current_scope() is None and not self.decay:
            fused(self, kept_grads, kept_vars)
        else:
            self._apply_update(kept_grads, kept_vars)
        for v in kept_vars:
            if v.constraint is not None:
                v.assign(v.constraint(v))
        return self.iterations

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """The pure form of ``apply`` on a built optimizer: the values of ``variables``
        and of the built trainable variables in, their new values out, as
        ``(trainable_values, optimizer_values)``; no Variable is changed.

        >>> from lamina import backend as K
        >>> from lamina import optimizers
        >>> w = K.Variable([1.0])
        >>> optimizer = optimizers.SGD(learning_rate=0.5)
        >>> optimizer.build([w])
        >>> values = [v.value for v in optimizer.variables]
        >>> new_w, new_state = optimizer.stateless_apply(values, [K.ones(1)], [K.ones(1) * 3])
        >>> K.convert_to_numpy(new_w[0]).tolist(), int(new_state[0]), w.numpy().tolist()
        ([2.5], 1, [1.0])
        """
        owner = type(self).__name__
        if not self.built:
            raise ValueError(f"{owner}.stateless_apply: build(variables) first.")
        state, trainable = self._variables, self._trainable_variables
        for what, values, expected in (("optimizer_variables", optimizer_variables, state),
                                       ("trainable_variables", trainable_variables, trainable)):
            if len(values) != len(expected):
                raise ValueError(f"{owner}.stateless_apply: expected {len(expected)} values in "
                                 f"{what}. Received {len(values)}.")
        bindings = dict(zip(state, optimizer_variables))
        bindings.update(zip(trainable, trainable_variables))
        with K.VariableScope(bindings) as scope:
            self.apply(grads, trainable)
        return [scope.values[v] for v in trainable], [scope.values[v] for v in state]

    def _apply_update(self, grads, variables):
        """Clip, decay, update (K code). An engine's fused update replaces this."""
        grads = self._clip_gradients(grads)
        learning_rate = self._current_rate()
        if self.weight_decay is not None:
            for v in variables:
                if self._use_weight_decay(v):
                    decay = K.multiply(K.cast(learning_rate, v.dtype), self.weight_decay)
                    v.assign_sub(K.multiply(v, decay))
        self._update_steps(grads, variables, learning_rate)
        self.iterations.assign_add(1)

    def _update_steps(self, grads, variables, learning_rate):
        for g, v in zip(grads, variables):
            self.update_step(K.cast(g, v.dtype), v, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Update ``variable`` (and its slots) from ``gradient``; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_step().")

    def _slot(self, slots, variable):
        return slots[self._index[id(variable)]]

    def _clip_gradients(self, grads):
        if self.clipnorm is not None:
            return [K.multiply(g, K.divide(self.clipnorm, K.maximum(_norm(g), self.clipnorm)))
                    for g in grads]
        if self.global_clipnorm is not None and grads:
            total = functools.reduce(K.add, [K.sum(K.square(g)) for g in grads])
            scale = K.divide(self.global_clipnorm,
                             K.maximum(K.sqrt(total), self.global_clipnorm))
            return [K.multiply(g, K.cast(scale, K.dtype(g))) for g in grads]
        if self.clipvalue is not None:
            return [K.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # -- config --------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict (a schedule serialized);
        for a subclass that does not define ``get_config``, the arguments its constructor
        was called with, the learning rate and name read from the optimizer.

        >>> from lamina import optimizers
        >>> optimizers.SGD(learning_rate=0.1, clipnorm=1.0, name="sgd_cfg").get_config()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'name': 'sgd_cfg', 'learning_rate': 0.1, 'weight_decay': None, 'clipnorm': 1.0,
         'global_clipnorm': None, 'clipvalue': None, 'momentum': 0.0, 'nesterov': False}
        """
        if self._schedule is not None:
            rate = schedules.serialize(self._schedule)
        else:
            rate = _short_float(K.convert_to_numpy(self._learning_rate.value))
        config = constructor_config(self, {
            "name": self.name, "learning_rate": rate, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue}, Optimizer)
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """An optimizer built from ``get_config()``'s dict.

        >>> from lamina import optimizers
        >>> optimizers.Adam.from_config({"learning_rate": 0.5, "beta_1": 0.8}).beta_1
        0.8
        """
        config = dict(config)
        decay = config.pop("decay", 0.0)  # a Keras 2 decay, saved: no warning on loading
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        optimizer = cls(**decode_config(config))
        if decay:
            optimizer.decay = check_number(cls.__name__, "decay", decay)
        return optimizer

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _norm(x):
    return K.sqrt(K.sum(K.square(x)))
