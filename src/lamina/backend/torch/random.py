"""torch random draws.

Outside a training step (weight initializers, eager calls) the numbers come from
lamina's reference generator, :mod:`lamina.backend.numpy.random`, seeded by the
same (seed, counter) pair, and are converted: a model built with the same seed
starts with the same weights on torch, JAX and NumPy. Inside a step run by
:func:`lamina.backend.torch.training.compile_step` (dropout masks, noise layers),
under ``torch.compile``, or when a distribution parameter needs a gradient, each
pair seeds its own torch Generator, so the draws stay on the device and in the
autograd graph.
"""

import contextlib

import numpy as np
import torch

from lamina.backend.numpy import random as _reference
from lamina.backend.torch.core import _from_numpy, target_device, to_torch_dtype

_in_step = [False]  # True while a compiled step runs: draws are torch-native


@contextlib.contextmanager
def step_draws(native=True):
    """A block whose draws come from torch Generators (``native=True``, a training
    step) or from the reference generator (``native=False``, weights built inside a step)."""
    outer = _in_step[0]
    _in_step[0] = native
    try:
        yield
    finally:
        _in_step[0] = outer


def _native(*values):
    """True when a draw must stay in torch: inside a step, under ``torch.compile``, or
    with a parameter that needs a gradient."""
    if _in_step[0] or torch.compiler.is_compiling():
        return True
    return torch.is_grad_enabled() and any(
        isinstance(v, torch.Tensor) and v.requires_grad for v in values)


def _to_numpy(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        return value.float().numpy() if value.dtype == torch.bfloat16 else value.numpy()
    return np.asarray(value)


def _pair(seed_pair):
    return np.asarray(_to_numpy(seed_pair), dtype=np.int64)


def _to_device(array, dtype, device):
    return _from_numpy(np.asarray(array)).to(device=device, dtype=dtype)


def _generator(seed_pair, device):
    seed, counter = (int(v) for v in _pair(seed_pair))
    gen = torch.Generator(device=device if device.type != "meta" else "cpu")
    gen.manual_seed((seed * 1_000_003 + counter * 7_919 + 1) % (2**63 - 1))
    return gen


def seed_engine(seed):
    torch.manual_seed(seed)


def random_draw(kind, shape, dtype, seed_pair, **p):
    device = target_device()
    dt = to_torch_dtype(dtype)
    if device.type == "meta":
        return torch.empty(shape, dtype=dt, device="meta")
    if not _native(*p.values()):
        reference_dtype = "float32" if dtype == "bfloat16" else dtype
        draw = _reference.random_draw(kind, shape, reference_dtype, _pair(seed_pair),
                                      **{k: _to_numpy(v) for k, v in p.items()})
        return _to_device(draw, dt, device)
    float_dt = dt if dt.is_floating_point else torch.float32
    gen = _generator(seed_pair, device)
    if kind == "normal":
        out = torch.randn(shape, generator=gen, dtype=float_dt, device=device) * p["stddev"] + p["mean"]
    elif kind == "uniform":
        out = torch.rand(shape, generator=gen, dtype=float_dt, device=device) * (p["maxval"] - p["minval"]) \
            + p["minval"]
    elif kind == "truncated_normal":
        out = torch.empty(shape, dtype=float_dt, device=device)
        torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=gen)
        out = out * p["stddev"] + p["mean"]
    elif kind == "bernoulli":
        probs = torch.as_tensor(p["p"], dtype=torch.float32, device=device)
        out = torch.rand(shape, generator=gen, device=device) < probs
    elif kind == "binomial":
        counts = torch.as_tensor(p["counts"], dtype=torch.float32, device=device).expand(shape)
        probs = torch.as_tensor(p["probabilities"], dtype=torch.float32,
                                device=device).expand(shape)
        out = torch.binomial(counts.contiguous(), probs.contiguous(), generator=gen)
    elif kind == "randint":
        out = torch.randint(int(p["minval"]), int(p["maxval"]), shape, generator=gen,
                            device=device)
    elif kind == "gamma":
        out = _gamma(p["alpha"], shape, gen, device)
    elif kind == "beta":
        a, b = _gamma(p["alpha"], shape, gen, device), _gamma(p["beta"], shape, gen, device)
        out = a / (a + b)
    else:
        raise ValueError(f"random: unknown distribution {kind!r}")
    return out.to(dt)


def _gamma(alpha, shape, gen, device):
    alpha = torch.as_tensor(alpha, dtype=torch.float64, device=device).expand(shape).contiguous()
    return torch._standard_gamma(alpha, generator=gen)


def random_categorical(logits, num_samples, dtype, seed_pair):
    logits = torch.as_tensor(logits)
    dt = to_torch_dtype(dtype)
    if logits.device.type == "meta":
        return torch.empty((logits.shape[0], num_samples), dtype=dt, device="meta")
    if not _native():
        draw = _reference.random_categorical(_to_numpy(logits), num_samples, "int64",
                                             _pair(seed_pair))
        return _to_device(draw, dt, logits.device)
    probs = torch.softmax(logits.float(), dim=-1)
    gen = _generator(seed_pair, logits.device)
    return torch.multinomial(probs, num_samples, replacement=True, generator=gen).to(dt)


def random_shuffle(x, axis, seed_pair):
    if x.device.type == "meta":
        return x
    if not _native():
        order = _reference.random_shuffle(np.arange(x.shape[axis]), 0, _pair(seed_pair))
        return torch.index_select(x, axis, _to_device(order, torch.int64, x.device))
    gen = _generator(seed_pair, x.device)
    order = torch.randperm(x.shape[axis], generator=gen, device=x.device)
    return torch.index_select(x, axis, order)
