"""The JAX engine's steps: one pure, jit-compiled function per step
(see :mod:`lamina.backend.stepping`).

The compiled step *donates* the buffers of the Variables it assigns (weights,
optimizer slots, metric and seed state): XLA writes their new values into the
memory of the old ones, and the step stores the new arrays back into the
Variables. A donated array is deleted, so the step only donates a buffer that
nothing else can hold: one the step itself produced (``Variable._exclusive``).
Any other (a value the user read with ``variable.value``, passed to ``assign``
or gave the constructor) is copied once first, and the user's array keeps its
value.

>>> from lamina import backend as K
>>> v = K.Variable(1.0, trainable=False)
>>> held = v.value  # an array the user keeps
>>> def add(d):
...     v.assign_add(d)
>>> step = K.engine.compile_step(add, [v])
>>> step(K.convert_to_tensor(2.0)); step(K.convert_to_tensor(2.0))
>>> float(v.numpy())
5.0
>>> float(held) if K.backend() == "jax" else 1.0  # on jax: the value it had, not deleted
1.0
"""

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend import stepping
from lamina.backend.jax.placement import check_batch_devices
from lamina.backend.variables import VariableScope


def _copy(value):
    """A new buffer holding ``value``, which the step may donate (a transfer on the
    device, with no program to compile)."""
    return jax.device_put(value, may_alias=False)


def _spec(value, leading=0):
    return jax.ShapeDtypeStruct(value.shape[leading:], value.dtype)


class JitStep:
    """``fn`` compiled as a pure function of ``variables``' values and its arguments.

    Each call passes the Variables' stored values to the compiled function (the
    buffers of those the step assigns are donated) and stores the new values back.
    JAX traces again only when an argument's shape or dtype changes (the last,
    smaller batch of an epoch). The Variables the step assigns are found on the
    first call, from the trace the compiled function then reuses.
    """

    compiles_per_shape = True

    def __init__(self, fn, variables):
        self.where = stepping.step_owner(fn)
        # each Variable once: one buffer cannot be donated twice in a call
        self.variables = list({id(v): v for v in variables}.values())

        def pure(values, args):
            with VariableScope(dict(zip(self.variables, values))) as scope:
                out = fn(*args)
            assigned = {id(v) for v in scope.assigned}
            # Only the assigned Variables come back (keyed by position): returning an
            # unchanged weight would copy it out of the compiled function every call.
            return {i: scope.values[v] for i, v in enumerate(self.variables)
                    if id(v) in assigned}, out

        self._pure = pure
        self._traced = jax.jit(pure)  # traced once per signature, inlined below
        self._donated = None  # positions of the Variables the step assigns
        self._name = getattr(fn, "__name__", "step")
        self._watch = None  # over the compile in progress (see stepping.watch_compile)

    def __call__(self, *args):
        if self._donated is None:
            self._first_trace(args)
        return self._run(self._compiled, args)

    def run_many(self, batches):
        """Run the step once per element of ``batches`` (argument tuples of equal
        shapes) inside one compiled loop (``steps_per_execution``); returns the last
        step's results."""
        if self._donated is None:
            self._first_trace(batches[0])
        stacked = jax.tree_util.tree_map(lambda *leaves: jnp.stack(leaves), *batches)
        return self._run(self._compiled_many, stacked)

    def rebind(self, variables):
        """Run the compiled program on ``variables`` from now on: a list like the one
        the step was made with (the same shapes and dtypes, each in the same role:
        another compile's optimizer slots and metric state)."""
        variables = list({id(v): v for v in variables}.values())
        if len(variables) != len(self.variables):
            raise ValueError(f"rebind expects {len(self.variables)} Variables like the "
                             f"step's own; received {len(variables)}.")
        self.variables = variables
        if self._donated is not None:
            donated = set(self._donated)
            self._donated_vars = [variables[i] for i in self._donated]
            self._kept_vars = [v for i, v in enumerate(variables) if i not in donated]

    @property
    def assigns_state(self):
        """Whether the step assigns any Variable (None before its first call)."""
        return None if self._donated is None else bool(self._donated)

    @staticmethod
    def fetch(arrays):
        """The step's output arrays ``arrays`` (a list) as NumPy arrays, fetched
        together (the transfers overlap; one wait for all)."""
        return [np.asarray(a) for a in jax.device_get(arrays)]

    # -- compiling -------------------------------------------------------------------
    def _compiling(self):
        """Called when a trace starts (the compile ends when the call returns)."""
        if self._watch is None:
            self._watch = stepping.watch_compile(self._name)

    def _compiled_now(self):
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def _first_trace(self, args):
        self._compiling()
        try:
            self._find_assigned(args)
        except BaseException:
            self._compiled_now()
            raise

    def _find_assigned(self, args):
        values = [v._value for v in self.variables]
        updates, _ = self._traced.trace(values, args).out_info
        donated, donated_set = sorted(updates), set(updates)
        self._donated = donated
        kept = [i for i in range(len(self.variables)) if i not in donated_set]
        self._donated_vars = [self.variables[i] for i in donated]
        self._kept_vars = [self.variables[i] for i in kept]

        def merge(donated_values, kept_values, extra=None):
            values = [None] * len(self.variables)
            for i, value in zip(donated, donated_values):
                values[i] = value
            for i, value in zip(kept, kept_values):
                values[i] = value
            for i, value in (extra or {}).items():
                values[i] = value
            return values

        def step(donated_values, kept_values, args):
            self._compiling()
            updates, out = self._traced(merge(donated_values, kept_values), args)
            new = [updates.pop(i, value) for i, value in zip(donated, donated_values)]
            return new, updates, out  # updates: assigned on this signature only

        def many(donated_values, kept_values, stacked):
            self._compiling()
            values = merge(donated_values, kept_values)
            per_step = jax.tree_util.tree_map(lambda a: _spec(a, 1), stacked)
            assigned = jax.eval_shape(self._traced, [_spec(v) for v in values], per_step)[0]
            extra = {i: values[i] for i in assigned if i not in donated_set}

            def body(carry, args):
                carried, extra = carry
                step_updates, out = self._traced(merge(carried, kept_values, extra), args)
                return ([step_updates.get(i, value) for i, value in zip(donated, carried)],
                        {i: step_updates.get(i, value) for i, value in extra.items()}), out

            (new, extra), outs = jax.lax.scan(body, (list(donated_values), extra), stacked)
            return new, extra, jax.tree_util.tree_map(lambda o: o[-1], outs)

        self._compiled = jax.jit(step, donate_argnums=0)
        self._compiled_many = jax.jit(many, donate_argnums=0)

    def _run(self, compiled, args):
        donated = [v._value if v._exclusive else _copy(v._value) for v in self._donated_vars]
        try:
            new, extra, out = compiled(donated, [v._value for v in self._kept_vars], args)
        except ValueError as e:
            if "incompatible devices" in str(e):
                check_batch_devices(jax.tree_util.tree_leaves(args), self.variables,
                                    self.where)
            raise
        finally:
            if self._watch is not None:
                self._compiled_now()
        for variable, value in zip(self._donated_vars, new):
            variable._value = value
            variable._exclusive = True
        for i, value in extra.items():  # may be an input forwarded as it is
            self.variables[i]._value = value
            self.variables[i]._exclusive = False
        return out


class ScopedStep(JitStep):
    """``run_eagerly=True``: the same pure function, uncompiled, for debugging."""

    compiles_per_shape = False

    def __call__(self, *args):
        updates, out = self._pure([v._value for v in self.variables], args)
        for i, value in updates.items():
            self.variables[i]._value = value
            self.variables[i]._exclusive = False
        return out

    def run_many(self, batches):
        out = None
        for args in batches:
            out = self(*args)
        return out


def compile_step(fn, variables, jit_compile=True, differentiable=False):
    """A :class:`JitStep` (a :class:`ScopedStep` when ``jit_compile`` is False)."""
    return (JitStep if jit_compile in (True, "auto") else ScopedStep)(fn, variables)
