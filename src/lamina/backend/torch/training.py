"""The torch engine's steps: eager autograd, ``torch.no_grad`` for inference steps,
``torch.compile`` on request (see :mod:`lamina.backend.stepping`). Random draws
inside a step come from torch Generators (see :mod:`lamina.backend.torch.random`)."""

import functools

import torch

from lamina.backend.stepping import EagerStep
from lamina.backend.torch.random import step_draws


def compile_step(fn, variables, jit_compile=False, differentiable=False):
    """``fn`` run eagerly; under ``torch.no_grad()`` unless ``differentiable``;
    through ``torch.compile`` when ``jit_compile`` is True; with torch-native draws."""
    if not differentiable:
        fn = _no_grad(fn)
    if jit_compile is True:
        fn = torch.compile(fn)
    return EagerStep(_native_draws(fn))


def _no_grad(fn):
    @functools.wraps(fn)
    def run(*args):
        with torch.no_grad():
            return fn(*args)
    return run


def _native_draws(fn):
    @functools.wraps(fn)
    def run(*args):
        with step_draws():
            return fn(*args)
    return run
