"""Fused recurrent kernels: one LSTM or GRU layer over a whole sequence in one call.

The recurrent layers use them when their configuration is the one the kernels
compute (tanh, sigmoid); every other configuration runs the
general path, ``K.rnn`` over the layer's cell, with the same results. Weights keep
Keras's layout: ``kernel`` is ``(input_dim, gates * units)``, ``recurrent_kernel``
``(units, gates * units)``, gates in the order i, f, c, o (LSTM) and z, r, h (GRU).

Each engine runs its fastest form: torch calls ``torch.lstm`` / ``torch.gru`` (the
kernels behind ``torch.nn.LSTM`` / ``torch.nn.GRU``), JAX one ``lax.scan`` after one
matrix product for the input projection of every step, NumPy a plain loop.

A ``mask`` (samples, time) works as in ``K.rnn``: a masked step keeps the states and
repeats the previous output (zeros before the first unmasked step), or gives zeros
with ``zero_output_for_mask``. ``go_backwards`` reads the sequence from its end, and
the outputs come in that order. A ``recurrent_mask`` (samples, units), recurrent
dropout's mask drawn once per sequence, multiplies the previous output ``h`` wherever it
enters a product with ``recurrent_kernel``, at every step (not in the states
themselves); torch then runs its loop, as its kernels take no such mask. Both return
``(last_output, outputs, new_states)``; ``outputs`` has one step only when
``return_sequences`` is False.

>>> from lamina import backend as K
>>> last, outputs, (h, c) = K.lstm(K.Input((5, 3)), K.Input((4,)), K.Input((4,)),
...                                K.ones((3, 16)), K.ones((4, 16)))
>>> K.int_shape(last), K.int_shape(outputs), K.int_shape(c)
((None, 4), (None, 5, 4), (None, 4))
"""

from lamina.backend.dispatch import op as _op

__all__ = ["lstm", "gru"]


@_op
def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, mask=None,
         go_backwards=False, return_sequences=True, zero_output_for_mask=False,
         recurrent_mask=None):
    """An LSTM layer over ``inputs`` (samples, time, features), activation tanh and
    recurrent activation sigmoid: per step, with ``z = x @ kernel + (h * recurrent_mask)
    @ recurrent_kernel + bias`` split into i, f, g, o, ``c = sigmoid(f) * c +
    sigmoid(i) * tanh(g)`` and ``h = sigmoid(o) * tanh(c)``. Returns
    ``(last_output, outputs, [h, c])``.

    >>> from lamina import backend as K
    >>> x = K.ones((2, 3, 1))
    >>> last, outputs, (h, c) = K.lstm(x, K.zeros((2, 1)), K.zeros((2, 1)),
    ...                                K.ones((1, 4)), K.zeros((1, 4)))
    >>> round(float(K.convert_to_numpy(last)[0, 0]), 4), K.int_shape(outputs)
    (0.6225, (2, 3, 1))
    """


@_op
def gru(inputs, initial_h, kernel, recurrent_kernel, bias=None, mask=None, go_backwards=False,
        return_sequences=True, zero_output_for_mask=False, reset_after=True,
        recurrent_mask=None):
    """A GRU layer over ``inputs`` (samples, time, features), activation tanh and
    recurrent activation sigmoid: with ``d = h * recurrent_mask`` (``h`` without a mask),
    gates z, r from ``x @ kernel + d @ recurrent_kernel``, candidate ``hh = tanh(x_h +
    r * (d @ U_h + b_h))`` with ``reset_after`` (the bias is then (2, 3 * units): input
    and recurrent biases), ``tanh(x_h + (r * d) @ U_h)`` without, and ``h = z * h +
    (1 - z) * hh``. Returns ``(last_output, outputs, [h])``.

    >>> from lamina import backend as K
    >>> x = K.ones((2, 3, 1))
    >>> last, outputs, (h,) = K.gru(x, K.zeros((2, 1)), K.ones((1, 3)), K.zeros((1, 3)))
    >>> round(float(K.convert_to_numpy(last)[0, 0]), 4), K.int_shape(outputs)
    (0.464, (2, 3, 1))
    """
