"""The torch engine's steps: eager autograd, ``torch.no_grad`` for inference steps,
``torch.compile`` on request (see :mod:`lamina.backend.stepping`)."""

import functools

import torch

from lamina.backend.stepping import EagerStep


def compile_step(fn, variables, jit_compile=False, differentiable=False):
    """``fn`` run eagerly; under ``torch.no_grad()`` unless ``differentiable``;
    through ``torch.compile`` when ``jit_compile`` is True."""
    if not differentiable:
        fn = _no_grad(fn)
    if jit_compile is True:
        fn = torch.compile(fn)
    return EagerStep(fn)


def _no_grad(fn):
    @functools.wraps(fn)
    def run(*args):
        with torch.no_grad():
            return fn(*args)
    return run
