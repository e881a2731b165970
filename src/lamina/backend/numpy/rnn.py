"""Fused LSTM and GRU on NumPy: one matrix product projects the inputs of every step,
then a plain loop runs the recurrence (on JAX each step of ``lax.scan`` projects its
own input instead, see :func:`sequence_and_step`).

The step functions here are written over a small set of array functions (``Math``:
tanh, sigmoid, where) and slicing, so the jax engine runs the same steps inside one
``lax.scan`` and the torch engine in its fallback loop (masks that are not right-padded,
GRU without ``reset_after``): the three engines compute one formula.
"""

import numpy as np

from lamina.backend.numpy.nn import sigmoid as _sigmoid

__all__ = ["lstm", "gru"]


class Math:
    """The array functions a recurrent loop needs, from one engine: ``scan(body, carry,
    xs) -> (carry, outputs stacked on a first time axis)``, ``flip`` (reverse the first
    axis), ``as_bool`` (a mask as a boolean tensor) and ``split(z, n)`` (``n`` equal
    pieces of the last axis, in one call: on torch one ``chunk``, whose gradient is one
    concatenation, where four slices give four zero-filled gradients to add) besides
    the element-wise ones."""

    def __init__(self, tanh, sigmoid, where, scan, flip, as_bool, split):
        self.tanh = tanh
        self.sigmoid = sigmoid
        self.where = where
        self.scan = scan
        self.flip = flip
        self.as_bool = as_bool
        self.split = split


def python_scan(stack):
    """A ``scan`` as a Python loop, stacking the outputs with ``stack``. Each sequence is
    split into its steps once (``list``: views; for torch one ``unbind``, whose gradient
    is one stack, where indexing per step gives each step a zero-filled gradient of the
    whole sequence)."""
    def scan(body, carry, xs):
        outputs = []
        for x_t in zip(*(list(x) for x in xs)):
            carry, output = body(carry, x_t)
            outputs.append(output)
        return carry, (stack(outputs) if outputs[0] is not None else None)
    return scan


def dropped(h, recurrent_mask):
    """``h`` times the recurrent dropout mask (unchanged without one)."""
    return h if recurrent_mask is None else h * recurrent_mask


def lstm_step(m, recurrent_kernel, recurrent_mask=None):
    """``step(z_t, (h, c)) -> (output, (h, c))`` for the projected input ``z_t``
    (``x_t @ kernel + bias``), gates i, f, g, o; ``recurrent_mask`` (samples, units)
    multiplies ``h`` in the recurrent product."""
    def step(z_t, states):
        h, c = states
        z_i, z_f, z_g, z_o = m.split(z_t + dropped(h, recurrent_mask) @ recurrent_kernel, 4)
        i, f, g, o = m.sigmoid(z_i), m.sigmoid(z_f), m.tanh(z_g), m.sigmoid(z_o)
        c = f * c + i * g
        h = o * m.tanh(c)
        return h, (h, c)
    return step


def gru_step(m, recurrent_kernel, recurrent_bias, reset_after, recurrent_mask=None):
    """``step(z_t, (h,)) -> (output, (h,))`` for the projected input ``z_t``, gates
    z, r, h; ``recurrent_bias`` is added to ``h @ recurrent_kernel`` (None: none);
    ``recurrent_mask`` multiplies ``h`` in the recurrent products, not in the update."""
    units = recurrent_kernel.shape[0]

    def step(z_t, states):
        h, = states
        h_in = dropped(h, recurrent_mask)
        x_z, x_r, x_h = m.split(z_t, 3)
        if reset_after:
            inner = h_in @ recurrent_kernel
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            h_z, h_r, h_h = m.split(inner, 3)
            z = m.sigmoid(x_z + h_z)
            r = m.sigmoid(x_r + h_r)
            candidate = m.tanh(x_h + r * h_h)
        else:
            inner = h_in @ recurrent_kernel[:, :2 * units]
            z = m.sigmoid(x_z + inner[..., :units])
            r = m.sigmoid(x_r + inner[..., units:])
            candidate = m.tanh(x_h + (r * h_in) @ recurrent_kernel[:, 2 * units:])
        h = z * h + (1 - z) * candidate
        return h, (h,)
    return step


def masked(m, step, zero_output_for_mask):
    """A scan body ``((states, previous), (z_t, mask_t)) -> ((states, output), output)``:
    a masked sample keeps its states and repeats ``previous`` (or gives zeros)."""
    def body(carry, xs):
        states, previous = carry
        z_t, mask_t = xs
        output, new_states = step(z_t, states)
        keep = mask_t[:, None]
        output = m.where(keep, output, 0 * output if zero_output_for_mask else previous)
        new_states = tuple(m.where(keep, n, s) for n, s in zip(new_states, states))
        return (new_states, output), output
    return body


def projection(kernel, bias):
    """``x -> x @ kernel + bias`` (no bias when None)."""
    def project(x):
        z = x @ kernel
        return z if bias is None else z + bias
    return project


def sequence_and_step(m, inputs, kernel, bias, go_backwards, step, in_loop):
    """The time-major sequence a loop of ``step`` runs over (reversed with
    ``go_backwards``) and that loop's step: the inputs of every step projected at once
    and ``step`` itself, or, ``in_loop``, the inputs and a step that projects its own
    input first (on JAX's CPU backend, in ``lax.scan``, about 20% faster per training
    step: the small products stay in cache, and no projected sequence is stored for the
    gradient)."""
    x = inputs.swapaxes(0, 1)
    x = m.flip(x) if go_backwards else x
    project = projection(kernel, bias)
    if not in_loop:
        return project(x), step

    def projecting_step(x_t, states):
        return step(project(x_t), states)
    return x, projecting_step


def gru_biases(bias, reset_after):
    """(input bias, recurrent bias) of a GRU: the two rows of a reset_after bias."""
    if bias is None:
        return None, None
    return (bias[0], bias[1]) if reset_after else (bias, None)


def run(m, step, z, states, mask, go_backwards, return_sequences, zero_output_for_mask):
    """``(last_output, outputs, states)`` of the recurrence of ``step`` over the
    time-major projection ``z``; ``mask`` is a boolean (samples, time) tensor or None."""
    if mask is None:
        def body(carry, xs):
            output, new_states = step(xs[0], carry)
            return new_states, output if return_sequences else None
        states, outputs = m.scan(body, tuple(states), (z,))
        last = states[0]
    else:
        mask = m.flip(mask.T) if go_backwards else mask.T
        (states, last), outputs = m.scan(masked(m, step, zero_output_for_mask),
                                         (tuple(states), 0 * states[0]), (z, mask))
    outputs = outputs.swapaxes(0, 1) if return_sequences else last[:, None]
    return last, outputs, list(states)


def kernels(m, asarray, project_in_loop=False):
    """The engine functions ``lstm`` and ``gru`` computed with ``m`` (a Math) on arrays
    made by ``asarray``; ``project_in_loop``: each step projects its own input (see
    :func:`sequence_and_step`), else one product projects every step's first."""
    def bool_mask(mask):
        return None if mask is None else m.as_bool(mask)

    def optional(array):
        return None if array is None else asarray(array)

    def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, mask=None,
             go_backwards=False, return_sequences=True, zero_output_for_mask=False,
             recurrent_mask=None):
        z, step = sequence_and_step(
            m, asarray(inputs), asarray(kernel), optional(bias), go_backwards,
            lstm_step(m, asarray(recurrent_kernel), optional(recurrent_mask)), project_in_loop)
        return run(m, step, z, (asarray(initial_h), asarray(initial_c)), bool_mask(mask),
                   go_backwards, return_sequences, zero_output_for_mask)

    def gru(inputs, initial_h, kernel, recurrent_kernel, bias=None, mask=None,
            go_backwards=False, return_sequences=True, zero_output_for_mask=False,
            reset_after=True, recurrent_mask=None):
        input_bias, recurrent_bias = gru_biases(optional(bias), reset_after)
        z, step = sequence_and_step(
            m, asarray(inputs), asarray(kernel), input_bias, go_backwards,
            gru_step(m, asarray(recurrent_kernel), recurrent_bias, reset_after,
                     optional(recurrent_mask)), project_in_loop)
        return run(m, step, z, (asarray(initial_h),), bool_mask(mask), go_backwards,
                   return_sequences, zero_output_for_mask)

    return lstm, gru


lstm, gru = kernels(Math(np.tanh, _sigmoid, np.where, python_scan(np.stack), lambda z: z[::-1],
                         lambda mask: np.asarray(mask).astype(bool),
                         lambda z, n: np.split(z, n, axis=-1)), np.asarray)
