"""The NumPy engine's steps run as written (no compilation, no gradients)."""

from lamina.backend.stepping import EagerStep


def compile_step(fn, variables, jit_compile=False, differentiable=False):
    """``fn`` unchanged: NumPy has no compiler (see :mod:`lamina.backend.stepping`)."""
    return EagerStep(fn)
