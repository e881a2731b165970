"""What rebuilding a model from a file may allocate: no more weights than the file holds.

A model file's config declares sizes (``Dense(units=...)``, kernel sizes, input
shapes) and its weights entry declares tensors; a crafted config could declare a
layer of gigabytes next to a weights entry of a few bytes. While
:func:`weight_budget` is active (in this thread), every ``Layer.add_weight`` first
(through ``lamina.layers.layer.weight_check``) charges the bytes of the weight it is about to create (its shape and dtype, known
before anything is allocated) to the budget, the size of the file's weights, and a
weight that does not fit raises a :class:`FormatError` naming the layer before its
initializer runs. A model that matches its file fits exactly (the file stores every
Variable the model has); the budget leaves 64 KiB more, so that a Variable a build
creates without saving it is no reason to refuse a file.

Input shapes are config numbers too: :func:`check_input_shape` bounds the size of one
example of a model input by the size of the weights in bytes (or 2**20 values,
whichever is more): shape inference runs on arrays of a few examples on the NumPy
engine, and building may create arrays of that size.

>>> from lamina import layers
>>> with weight_budget(4 * 4, "demo.lamina"):
...     layers.Dense(units=50_000_000, name="wide").build((None, 3))
Traceback (most recent call last):
...
lamina.saving.errors.FormatError: demo.lamina: layer 'wide' declares the weight 'kernel' of shape (3, 50000000) (600000000 bytes); the file's weights hold 16 bytes in all, so the config does not describe the weights saved with it.
"""

import contextlib
import math
import threading

import numpy as np

from lamina.saving.errors import FormatError

_state = threading.local()
MIN_INPUT_VALUES = 1 << 20
SLACK_BYTES = 1 << 16  # room for Variables a build may create and the file need not hold


class _Budget:
    def __init__(self, nbytes, where):
        self.nbytes, self.where, self.used = nbytes, where, 0

    def charge(self, layer, name, shape, dtype):
        try:
            dims = () if shape is None else tuple(int(d) for d in shape)
            itemsize = np.dtype(_numpy_name(dtype or layer.dtype)).itemsize
        except (TypeError, ValueError, OverflowError):
            return  # add_weight itself reports a shape or dtype it cannot take
        if any(d < 0 for d in dims):
            return
        size = math.prod(dims) * itemsize
        if self.used + size > self.nbytes + SLACK_BYTES:
            raise FormatError(
                f"{self.where}: layer {layer.name!r} declares the weight {name!r} of shape "
                f"{dims} ({size} bytes); the file's weights hold {self.nbytes} bytes in all"
                + (f", {self.used} of them taken by the layers before" if self.used else "")
                + ", so the config does not describe the weights saved with it.")
        self.used += size


def _numpy_name(dtype):
    from lamina import backend as K
    name = K.standardize_dtype(dtype)
    return "uint16" if name == "bfloat16" else name  # the same size, without ml_dtypes


@contextlib.contextmanager
def weight_budget(nbytes, where):
    """A block in which the layers of this thread create at most ``nbytes`` bytes of
    weights in all (the size of the weights of the file ``where``)."""
    from lamina.layers.layer import weight_check
    previous = getattr(_state, "budget", None)
    _state.budget = budget = _Budget(nbytes, where)
    token = weight_check.set(budget.charge)
    try:
        yield
    finally:
        weight_check.reset(token)
        _state.budget = previous


def check_input_shape(shape, what):
    """Raise a :class:`FormatError` when one example of ``shape`` (a declared input
    shape, batch axis first) holds more values than the active budget allows.

    >>> with weight_budget(400, "demo.lamina"):
    ...     check_input_shape((None, 1 << 30), "the input 'x'")
    Traceback (most recent call last):
    ...
    lamina.saving.errors.FormatError: demo.lamina: the input 'x' declares the shape (None, 1073741824), 1073741824 values per example; a model whose weights hold 400 bytes may declare at most 1048576.
    """
    budget = getattr(_state, "budget", None)
    if budget is None:
        return
    try:
        values = math.prod(int(d) for d in tuple(shape)[1:] if d is not None)
    except (TypeError, ValueError):
        return  # not a shape: the model's own checks report it
    limit = max(budget.nbytes, MIN_INPUT_VALUES)
    if values > limit:
        raise FormatError(f"{budget.where}: {what} declares the shape {tuple(shape)}, {values} "
                          f"values per example; a model whose weights hold {budget.nbytes} "
                          f"bytes may declare at most {limit}.")
