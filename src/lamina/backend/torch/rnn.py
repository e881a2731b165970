"""Fused LSTM and GRU on torch: ``torch.lstm`` / ``torch.gru``, the kernels behind
``torch.nn.LSTM`` / ``torch.nn.GRU`` (cuDNN on a GPU), batch-first.

Keras's weights are re-laid out at each call, which costs a transpose (LSTM: torch's
gate order i, f, g, o is Keras's) or a concatenation of three reordered gate blocks (GRU:
torch's r, z, n against Keras's z, r, h) of each weight: about 15 us for an LSTM, 100 us
for a GRU on a CPU, under 0.5% of a step of LSTM(64) on (64, 50, 32). Keras's one LSTM bias is
torch's input bias, its recurrent bias zeros; a ``reset_after`` GRU bias's two rows are
torch's two biases.

A right-padded mask (each sample's valid steps first) runs the kernel on a packed
sequence; with ``go_backwards`` each sample's valid steps are reversed first, so the
reversed sequence's masked steps (its first ones) give zeros and keep the initial
states, as in ``K.rnn``. Any other mask, a sample with no valid step, and a GRU
without ``reset_after`` (which torch's kernel does not compute) run the loop that the
numpy and jax engines run (:mod:`lamina.backend.numpy.rnn`), with torch functions.
On the ``meta`` device (shape inference) the mask is not read. A ``recurrent_mask``
(recurrent dropout) also runs that loop: torch's kernels take no such mask.
"""

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from lamina.backend.numpy.rnn import Math, kernels, python_scan
from lamina.backend.torch.math import _t

__all__ = ["lstm", "gru"]

_lstm_loop, _gru_loop = kernels(
    Math(torch.tanh, torch.sigmoid, torch.where, python_scan(torch.stack),
         lambda z: torch.flip(z, (0,)), lambda mask: _t(mask).bool(),
         lambda z, n: z.chunk(n, -1)), _t)


def _lengths(mask, steps):
    """Each sample's number of valid steps when ``mask`` is right-padded and no sample is
    empty, else None."""
    lengths = mask.sum(1)
    right_padded = torch.arange(steps, device=mask.device)[None, :] < lengths[:, None]
    if bool(torch.equal(right_padded, mask)) and bool(lengths.min() > 0):
        return lengths
    return None


def _reverse_valid(x, lengths):
    """Each sample's valid steps in reverse order, then its padding."""
    steps = x.shape[1]
    positions = torch.arange(steps, device=x.device)[None, :]
    index = (lengths[:, None] - 1 - positions) % steps
    return x.gather(1, index[:, :, None].expand(-1, -1, x.shape[2]))


def _run(kernel_fn, inputs, hx, weights, mask, go_backwards, zero_output_for_mask, lengths):
    """``(last_output, outputs, states)`` of torch's kernel over a batch-first sequence;
    ``hx`` is torch's state, ``lengths`` those of a right-padded mask (None: no mask)."""
    train = torch.is_grad_enabled()
    if lengths is None:
        x = torch.flip(inputs, (1,)) if go_backwards else inputs
        outputs, *states = kernel_fn(x, hx, weights, True, 1, 0.0, train, False, True)
        return outputs[:, -1], outputs, states
    steps = inputs.shape[1]
    x = _reverse_valid(inputs, lengths) if go_backwards else inputs
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    order = packed.sorted_indices
    hx = tuple(h.index_select(1, order) for h in hx) if isinstance(hx, tuple) else \
        hx.index_select(1, order)
    data, *states = kernel_fn(packed.data, packed.batch_sizes, hx, weights, True, 1, 0.0,
                              train, False)
    states = [s.index_select(1, packed.unsorted_indices) for s in states]
    outputs, _ = pad_packed_sequence(
        PackedSequence(data, packed.batch_sizes, order, packed.unsorted_indices),
        batch_first=True, total_length=steps)
    last_valid = states[0][0]
    if go_backwards:
        positions = torch.arange(steps, device=x.device)[None, :]
        index = (positions + lengths[:, None]) % steps
        outputs = outputs.gather(1, index[:, :, None].expand(-1, -1, outputs.shape[2]))
        return last_valid, outputs, states
    if not zero_output_for_mask:
        valid = mask[:, :, None]
        outputs = torch.where(valid, outputs, last_valid[:, None, :])
        return last_valid, outputs, states
    return outputs[:, -1], outputs, states


def _finish(result, return_sequences):
    last, outputs, states = result
    states = [s[0] for s in states]
    return last, (outputs if return_sequences else last[:, None]), states


def _mask_lengths(inputs, mask):
    """(bool mask, lengths or None, use the fused kernel)."""
    if mask is None:
        return None, None, True
    mask = _t(mask).bool()
    if inputs.device.type == "meta":
        return mask, None, True
    lengths = _lengths(mask, inputs.shape[1])
    return mask, lengths, lengths is not None


def _torch_weights(kernel, recurrent_kernel, input_bias, recurrent_bias, swap_first_gates):
    """torch's (weight_ih, weight_hh, bias_ih, bias_hh) from Keras's layout; with
    ``swap_first_gates`` the first two of three gate blocks trade places (GRU)."""
    if swap_first_gates:
        def swap(w):
            units = w.shape[-1] // 3
            return torch.cat([w[..., units:2 * units], w[..., :units], w[..., 2 * units:]], -1)
        kernel, recurrent_kernel = swap(kernel), swap(recurrent_kernel)
        input_bias, recurrent_bias = swap(input_bias), swap(recurrent_bias)
    return [kernel.t(), recurrent_kernel.t(), input_bias, recurrent_bias]


def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, mask=None,
         go_backwards=False, return_sequences=True, zero_output_for_mask=False,
         recurrent_mask=None):
    inputs, kernel, recurrent_kernel = _t(inputs), _t(kernel), _t(recurrent_kernel)
    mask, lengths, fused = _mask_lengths(inputs, mask)
    if not fused or recurrent_mask is not None:
        return _lstm_loop(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask,
                          go_backwards, return_sequences, zero_output_for_mask, recurrent_mask)
    zeros = kernel.new_zeros(kernel.shape[1])
    weights = _torch_weights(kernel, recurrent_kernel, zeros if bias is None else _t(bias),
                             zeros, False)
    hx = (_t(initial_h)[None], _t(initial_c)[None])
    return _finish(_run(torch.lstm, inputs, hx, weights, mask, go_backwards,
                        zero_output_for_mask, lengths), return_sequences)


def gru(inputs, initial_h, kernel, recurrent_kernel, bias=None, mask=None, go_backwards=False,
        return_sequences=True, zero_output_for_mask=False, reset_after=True,
        recurrent_mask=None):
    inputs, kernel, recurrent_kernel = _t(inputs), _t(kernel), _t(recurrent_kernel)
    mask, lengths, fused = _mask_lengths(inputs, mask)
    if not fused or not reset_after or recurrent_mask is not None:
        return _gru_loop(inputs, initial_h, kernel, recurrent_kernel, bias, mask, go_backwards,
                         return_sequences, zero_output_for_mask, reset_after, recurrent_mask)
    if bias is None:
        input_bias = recurrent_bias = kernel.new_zeros(kernel.shape[1])
    else:
        input_bias, recurrent_bias = _t(bias)
    # torch's gates r, z, n against Keras's z, r, h
    weights = _torch_weights(kernel, recurrent_kernel, input_bias, recurrent_bias, True)
    return _finish(_run(torch.gru, inputs, _t(initial_h)[None], weights, mask, go_backwards,
                        zero_output_for_mask, lengths), return_sequences)
