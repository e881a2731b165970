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
            return [scope.values[v] for v in self.variables], out

        self._pure = pure
        self._compiled = jax.jit(pure)

    def __call__(self, *args):
        variables = self.variables
        values, out = self._compiled([v._value for v in variables], args)
        for v, value in zip(variables, values):
            v._value = value
        return out


class ScopedStep(JitStep):
    """``run_eagerly=True``: the same pure function, uncompiled, for debugging."""

    def __init__(self, fn, variables):
        super().__init__(fn, variables)
        self._compiled = self._pure


def compile_step(fn, variables, jit_compile=True, differentiable=False):
    """A :class:`JitStep` (a :class:`ScopedStep` when ``jit_compile`` is False)."""
    return (JitStep if jit_compile in (True, "auto") else ScopedStep)(fn, variables)
