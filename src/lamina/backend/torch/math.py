"""torch implementations of the math, array and core K functions."""

import torch

from lamina.backend.torch.core import to_torch_dtype


def add(x1, x2):
    return torch.add(x1, x2)


def multiply(x1, x2):
    return torch.mul(x1, x2)


def reshape(x, newshape):
    return torch.reshape(x, tuple(newshape))


def shape(x):
    return tuple(x.shape)


def dot(x1, x2):
    return torch.matmul(x1, x2)


def ones(shape, dtype=None):
    from lamina.backend import config
    return torch.ones(shape, dtype=to_torch_dtype(dtype or config.floatx()))
