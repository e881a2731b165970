"""Fourier transforms as Keras 3 has them: complex values travel as ``(real, imag)``
pairs of float tensors, and the result is such a pair.

``rfft`` is a specification (see :mod:`lamina.backend.dispatch`). ``fft``, ``fft2``,
``ifft2`` and ``irfft`` take the pair as their one argument, which the dispatcher does not
search for symbolic tensors, so :func:`_pair_call` does its work: it records a graph node
when the pair is symbolic and otherwise calls the engine's function of the same name.
``stft``, ``istft`` and ``extract_sequences`` are written from these and other K
functions, so they run the same way on every engine.

>>> from lamina import backend as K
>>> real, imag = K.fft((K.ones(4), K.zeros(4)))
>>> K.convert_to_numpy(real).tolist()
[4.0, 0.0, 0.0, 0.0]
"""

import numpy as _np

from lamina.backend import symbolic as _symbolic
from lamina.backend import tree as _tree
from lamina.backend.dispatch import describe as _describe
from lamina.backend.dispatch import op as _op
from lamina.backend.variables import Variable as _Variable
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math


def _static_shape(x):
    """The shape of ``x`` as a tuple, None for an unknown (symbolic) length."""
    return tuple(x.shape)


def fft(x):
    """Discrete Fourier transform over the last axis of the complex ``x = (real, imag)``.

    >>> from lamina import backend as K
    >>> real, imag = K.fft((K.convert_to_tensor([1.0, 0.0]), K.zeros(2)))
    >>> K.convert_to_numpy(real).tolist(), K.convert_to_numpy(imag).tolist()
    ([1.0, 1.0], [0.0, 0.0])
    """
    return _pair_call(fft, x)


def fft2(x):
    """2-D discrete Fourier transform over the last two axes of ``x = (real, imag)``.

    >>> from lamina import backend as K
    >>> real, imag = K.fft2((K.ones((2, 2)), K.zeros((2, 2))))
    >>> K.convert_to_numpy(real).tolist()
    [[4.0, 0.0], [0.0, 0.0]]
    """
    return _pair_call(fft2, x)


def ifft2(x):
    """Inverse of ``fft2``: the 2-D inverse transform of ``x = (real, imag)``.

    >>> from lamina import backend as K
    >>> real, imag = K.ifft2((K.convert_to_tensor([[4.0, 0.0], [0.0, 0.0]]), K.zeros((2, 2))))
    >>> K.convert_to_numpy(real).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    return _pair_call(ifft2, x)


@_op
def rfft(x, fft_length=None):
    """Fourier transform of the real ``x`` over its last axis: the ``fft_length // 2 + 1``
    non-negative frequencies, as ``(real, imag)``.

    >>> from lamina import backend as K
    >>> real, imag = K.rfft(K.ones(4))
    >>> K.convert_to_numpy(real).tolist()
    [4.0, 0.0, 0.0]
    """


def irfft(x, fft_length=None):
    """Inverse of ``rfft``: the real signal (of ``fft_length`` samples, default
    ``2 * (n - 1)``) whose non-negative frequencies are ``x = (real, imag)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.irfft((K.convert_to_tensor([4.0, 0.0, 0.0]), K.zeros(3)))).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _pair_call(irfft, x, fft_length)


def _pair_call(function, x, *static):
    """``function(x, *static)`` on the engine, for ``x = (real, imag)``; a graph node
    when ``x`` holds a symbolic tensor. Errors name ``function`` and what it received."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{function.__name__}: x must be a pair (real, imag) of tensors of one "
                         f"shape; received {_describe(x)}.")
    if _tree.any_leaf(lambda v: isinstance(v, _symbolic.SymbolicTensor), x):
        return _symbolic.record(function, (tuple(x),) + static, {}, name=function.__name__)
    from lamina.backend import engine
    x = tuple(v.value if isinstance(v, _Variable) else v for v in x)
    try:
        return getattr(engine, function.__name__)(x, *static)
    except Exception as e:
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{function.__name__}: cannot apply to {_describe(x)}: {detail}") from e


for _function in (fft, fft2, ifft2, irfft):
    _function._lamina_graph_function = True


def _window(window, sequence_length, fft_length, dtype):
    """The window (``"hann"``, ``"hamming"``, None or a 1-D tensor) centred in ``fft_length``."""
    if window is None:
        values = _np.ones(sequence_length)
    elif isinstance(window, str):
        n = _np.arange(sequence_length)
        weights = {"hann": (0.5, 0.5), "hamming": (0.54, 0.46)}.get(window)
        if weights is None:
            raise ValueError(f"stft: window must be 'hann', 'hamming', None or a tensor; "
                             f"received {window!r}.")
        values = weights[0] - weights[1] * _np.cos(2 * _np.pi * n / sequence_length)
    else:
        values = _np.asarray(_core.convert_to_numpy(window), dtype=_np.float64)
        if values.shape != (sequence_length,):
            raise ValueError(f"stft: window must have shape ({sequence_length},) "
                             f"(sequence_length); received {values.shape}.")
    left = (fft_length - sequence_length) // 2
    values = _np.pad(values, (left, fft_length - sequence_length - left))
    return _core.convert_to_tensor(values, dtype)


def _check_lengths(name, sequence_length, fft_length):
    if sequence_length > fft_length:
        raise ValueError(f"{name}: sequence_length ({sequence_length}) must not exceed "
                         f"fft_length ({fft_length}).")


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the real ``x`` over its last axis: frames of
    ``sequence_length`` samples every ``sequence_stride``, windowed, then ``rfft`` of
    ``fft_length``. Returns ``(real, imag)`` of shape ``(..., frames, fft_length // 2 + 1)``.
    ``center=True`` pads ``fft_length // 2`` samples (reflected) on each side first.

    >>> from lamina import backend as K
    >>> real, imag = K.stft(K.ones(16), 8, 4, 8)
    >>> K.int_shape(real)
    (5, 5)
    """
    _check_lengths("stft", sequence_length, fft_length)
    x = _core.convert_to_tensor(x) if isinstance(x, list) else x
    if _core.dtype(x) not in ("float16", "bfloat16", "float32", "float64"):
        x = _core.cast(x, "float32")
    if center:
        pad = [(0, 0)] * (_core.ndim(x) - 1) + [(fft_length // 2, fft_length // 2)]
        x = _arrays.pad(x, pad, mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    frames = _math.multiply(frames, _window(window, sequence_length, fft_length,
                                            _core.dtype(x)))
    return rfft(frames, fft_length)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis
    of ``x``: shape ``(..., frames, sequence_length)``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.extract_sequences(K.arange(7), 3, 2)).tolist()
    [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    """
    x = _core.convert_to_tensor(x) if isinstance(x, list) else x
    length = _static_shape(x)[-1]
    if length is None or length < sequence_length:
        raise ValueError(f"extract_sequences: the last axis ({length} samples) must be known "
                         f"and hold at least one sequence of {sequence_length}.")
    count = 1 + (length - sequence_length) // sequence_stride
    index = _np.arange(count)[:, None] * sequence_stride + _np.arange(sequence_length)[None, :]
    return _arrays.take(x, _core.convert_to_tensor(index, "int32"), axis=-1)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse of ``stft``: the signal whose short-time transform is ``x = (real, imag)``
    (overlap-added frames divided by the summed squared window). ``length`` cuts or pads
    the result to that many samples.

    >>> from lamina import backend as K
    >>> signal = K.sin(K.arange(32, dtype="float32"))
    >>> back = K.istft(K.stft(signal, 8, 2, 8), 8, 2, 8, length=32)
    >>> float(K.max(K.abs(back - signal))) < 1e-4
    True
    """
    _check_lengths("istft", sequence_length, fft_length)
    frames = irfft(x, fft_length)
    dtype = _core.dtype(frames)
    win = _window(window, sequence_length, fft_length, dtype)
    frames = _math.multiply(frames, win)
    count = _static_shape(frames)[-2]
    total = fft_length + sequence_stride * (count - 1)
    positions = (_np.arange(count)[:, None] * sequence_stride
                 + _np.arange(fft_length)[None, :]).reshape(-1)
    lead = _static_shape(frames)[:-2]
    flat = _arrays.reshape(frames, (-1, count * fft_length)) if lead else \
        _arrays.reshape(frames, (1, count * fft_length))
    ids = _core.convert_to_tensor(positions, "int32")
    summed = _arrays.transpose(_core.segment_sum(_arrays.transpose(flat), ids, total))
    squared = _np.zeros(total)
    _np.add.at(squared, positions, _np.tile(_np.square(_core.convert_to_numpy(win)), count))
    start = fft_length // 2 if center else 0
    end = total - fft_length // 2 if center else total
    if length is not None:
        end = start + length
    squared = _np.where(squared > 1e-11, squared, 1.0)
    summed = _math.divide(summed, _core.convert_to_tensor(squared, dtype))
    summed = summed[:, start:min(end, total)]
    if end > total:
        summed = _arrays.pad(summed, [(0, 0), (0, end - total)])
    lead = tuple(-1 if d is None else d for d in lead)
    return _arrays.reshape(summed, lead + (end - start,))

