"""PyTorch implementations of the K functions of
:mod:`lamina.backend.ops.activations_extra`, on ``torch.nn.functional`` where it has
the function."""

import torch
import torch.nn.functional as F

from lamina.backend.numpy.activations_extra import _glu_halves
from lamina.backend.torch.nn import _float

__all__ = ["celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus",
           "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold"]


def _value(v, like):
    return v.to(like.dtype) if isinstance(v, torch.Tensor) else v


def celu(x, alpha=1.0):
    return F.celu(_float(x), alpha=alpha)


def glu(x, axis=-1):
    x = _float(x)
    _glu_halves(x, axis)
    return F.glu(x, dim=axis)


def hard_shrink(x, threshold=0.5):
    x = _float(x)
    return torch.where(x.abs() > threshold, x, torch.zeros((), dtype=x.dtype, device=x.device))


def hard_tanh(x):
    return F.hardtanh(_float(x))


def soft_shrink(x, threshold=0.5):
    x = _float(x)
    return torch.sign(x) * torch.clamp(x.abs() - threshold, min=0)


def sparse_plus(x):
    x = _float(x)
    middle = torch.square(x + 1) / 4
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    return torch.where(x <= -1, zero, torch.where(x >= 1, x, middle))


def sparse_sigmoid(x):
    return torch.clamp((_float(x) + 1) / 2, 0, 1)


def sparsemax(x, axis=-1):
    x = _float(x)
    moved = torch.movedim(x, axis, -1)
    ordered = torch.sort(moved, dim=-1, descending=True).values
    ranks = torch.arange(1, moved.shape[-1] + 1, dtype=x.dtype, device=x.device)
    support = (1 + ranks * ordered > torch.cumsum(ordered, dim=-1)).to(x.dtype)
    size = support.sum(dim=-1, keepdim=True)
    tau = ((ordered * support).sum(dim=-1, keepdim=True) - 1) / size
    return torch.movedim(torch.clamp(moved - tau, min=0), -1, axis)


def squareplus(x, b=4):
    x = _float(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2


def tanh_shrink(x):
    return F.tanhshrink(_float(x))


def threshold(x, threshold, default_value):
    x = _float(x)
    default = _value(default_value, x)
    if not isinstance(default, torch.Tensor):
        default = torch.tensor(default, dtype=x.dtype, device=x.device)
    return torch.where(x > _value(threshold, x), x, default)
