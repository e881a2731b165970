"""The torch engine's steps: eager autograd, ``torch.no_grad`` for inference steps,
``torch.compile`` on request (see :mod:`lamina.backend.stepping`). Random draws
inside a step come from torch Generators (see :mod:`lamina.backend.torch.random`)."""

import functools

import torch

from lamina.backend import tree
from lamina.backend.stepping import EagerStep, step_owner
from lamina.backend.torch.placement import (batch_mover, current_device, gather_state,
                                             set_current_device, step_home)
from lamina.backend.torch.random import step_draws


def compile_step(fn, variables, jit_compile=False, differentiable=False):
    """``fn`` run eagerly; under ``torch.no_grad()`` unless ``differentiable``;
    through ``torch.compile`` when ``jit_compile`` is True; with torch-native draws;
    its batch first put on the device of ``variables`` (one check per step)."""
    where = step_owner(fn)
    if not differentiable:
        fn = _no_grad(fn)
    if jit_compile is True:
        fn = torch.compile(fn)
    home = step_home(variables)
    gather_state(variables, home)
    return EagerStep(_placed(_native_draws(fn), batch_mover(home, where), home))


def _placed(fn, move, home):
    """``fn`` on its batch moved to ``home``, with ``home`` as the current device (the
    constants a layer makes land beside its weights, whatever scope ``fit`` runs in)."""
    @functools.wraps(fn)
    def run(*args):
        args = tree.map_structure(move, args)
        previous = current_device()
        set_current_device(home)
        try:
            return fn(*args)
        finally:
            set_current_device(previous)
    return run


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
