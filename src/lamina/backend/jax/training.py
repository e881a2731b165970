"""The JAX engine's steps: one pure, jit-compiled function per step
(see :mod:`lamina.backend.stepping`)."""

import jax

from lamina.backend.variables import VariableScope


class JitStep:
    """``fn`` compiled as a pure function of ``variables``' values and its arguments.

    Each call reads the Variables' stored values, runs the compiled function, and
    stores the new values back. JAX traces again only when an argument's shape or
    dtype changes (the last, smaller batch of an epoch).
    """

    def __init__(self, fn, variables):
        self.variables = list(variables)

        def pure(values, args):
            with VariableScope(dict(zip(self.variables, values))) as scope:
                out = fn(*args)
            assigned = {id(v) for v in scope.assigned}
            # Only the assigned Variables come back (keyed by position): returning an
            # unchanged weight would copy it out of the compiled function every call.
            return {i: scope.values[v] for i, v in enumerate(self.variables)
                    if id(v) in assigned}, out

        def pure_many(values, stacked):
            def body(carry, args):
                updates, out = pure(carry, args)
                return [updates.get(i, v) for i, v in enumerate(carry)], out
            values, outs = jax.lax.scan(body, values, stacked)
            return dict(enumerate(values)), jax.tree_util.tree_map(lambda o: o[-1], outs)

        self._pure = pure
        self._compiled = jax.jit(pure)
        self._compiled_many = jax.jit(pure_many)

    def __call__(self, *args):
        return self._run(self._compiled, args)

    def run_many(self, batches):
        """Run the step once per element of ``batches`` (argument tuples of equal
        shapes) inside one compiled loop (``steps_per_execution``); returns the last
        step's results."""
        stacked = jax.tree_util.tree_map(lambda *leaves: jax.numpy.stack(leaves), *batches)
        return self._run(self._compiled_many, stacked)

    def _run(self, compiled, args):
        variables = self.variables
        updates, out = compiled([v._value for v in variables], args)
        for i, value in updates.items():
            variables[i]._value = value
        return out


class ScopedStep(JitStep):
    """``run_eagerly=True``: the same pure function, uncompiled, for debugging."""

    def __init__(self, fn, variables):
        super().__init__(fn, variables)
        self._compiled = self._pure

    def run_many(self, batches):
        out = None
        for args in batches:
            out = self(*args)
        return out


def compile_step(fn, variables, jit_compile=True, differentiable=False):
    """A :class:`JitStep` (a :class:`ScopedStep` when ``jit_compile`` is False)."""
    return (JitStep if jit_compile in (True, "auto") else ScopedStep)(fn, variables)
