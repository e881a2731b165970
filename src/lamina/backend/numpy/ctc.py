"""NumPy implementations of :mod:`lamina.backend.ops.ctc`: the CTC forward algorithm in
log space and greedy decoding.

``implement(xp, scan, to_float)`` writes them once over a NumPy-compatible array
module; the jax engine builds its own from ``jax.numpy`` and ``jax.lax.scan``, which
makes the loss differentiable there. Impossible paths carry the log-probability
``NEG`` (a huge finite negative number, so that gradients stay finite).
"""

import numpy as np

from lamina.backend.numpy.nn import _float

__all__ = ["ctc_loss", "ctc_decode"]

NEG = -1e30


def check_ctc_shapes(target, output, target_length, output_length):
    """A ValueError naming ``ctc_loss`` unless the shapes fit (shared by every engine)."""
    if len(target.shape) != 2 or len(output.shape) != 3 or \
            tuple(target_length.shape) != (output.shape[0],) or \
            tuple(output_length.shape) != (output.shape[0],) or \
            target.shape[0] != output.shape[0]:
        raise ValueError(f"ctc_loss: expected target (batch, max_label_length), output "
                         f"(batch, max_time, num_classes) and lengths (batch,). Received "
                         f"target {tuple(target.shape)}, output {tuple(output.shape)}, "
                         f"target_length {tuple(target_length.shape)} and output_length "
                         f"{tuple(output_length.shape)}.")


def check_strategy(strategy):
    """Greedy decoding is the one strategy available."""
    if strategy != "greedy":
        raise ValueError(f"ctc_decode: strategy must be 'greedy' (beam search is not "
                         f"available in lamina). Received strategy={strategy!r}.")


def python_scan(step, carry, xs):
    """``jax.lax.scan``'s contract (the last carry only) as a Python loop."""
    for x in zip(*xs):
        carry, _ = step(carry, x)
    return carry, None


def implement(xp, scan, to_float):
    """``{"ctc_loss": ..., "ctc_decode": ...}`` over the array module ``xp``, with
    ``scan(step, carry, xs)`` looping over the leading axis of the arrays ``xs``."""

    def log_softmax(x):
        shifted = x - xp.max(x, axis=-1, keepdims=True)
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))

    def logsumexp3(a, b, c):
        top = xp.maximum(xp.maximum(a, b), c)
        return top + xp.log(xp.exp(a - top) + xp.exp(b - top) + xp.exp(c - top))

    def shift(x, by, fill):
        pad = xp.full(x.shape[:1] + (by,), fill, dtype=x.dtype)
        return xp.concatenate([pad, x], axis=1)[:, :x.shape[1]]

    def ctc_loss(target, output, target_length, output_length, mask_index=0):
        output = to_float(output)
        target, target_length, output_length = (xp.asarray(v).astype("int32") for v in
                                                (target, target_length, output_length))
        check_ctc_shapes(target, output, target_length, output_length)
        batch, max_time, classes = output.shape
        log_probs = log_softmax(output)
        labels = xp.clip(target, 0, classes - 1)
        # The extended labels: blank, l1, blank, l2, ..., blank.
        extended = xp.full((batch, 2 * target.shape[1] + 1), mask_index, dtype="int32")
        if target.shape[1]:
            interleaved = xp.stack([xp.full_like(labels, mask_index), labels], axis=-1)
            extended = xp.concatenate([interleaved.reshape(batch, -1),
                                       extended[:, :1]], axis=1)
        skip = (extended != mask_index) & (extended != shift(extended, 2, mask_index))
        emissions = xp.take_along_axis(log_probs, xp.broadcast_to(
            extended[:, None, :], (batch, max_time, extended.shape[1])), axis=2)
        neg = xp.asarray(NEG, dtype=output.dtype)
        start = xp.concatenate([xp.zeros((batch, 1), output.dtype),
                                xp.full((batch, extended.shape[1] - 1), NEG, output.dtype)],
                               axis=1)

        def step(alpha, inputs):
            emission, t = inputs
            merged = logsumexp3(alpha, shift(alpha, 1, NEG),
                                xp.where(skip, shift(alpha, 2, NEG), neg))
            running = (t < output_length)[:, None]
            return xp.where(running, xp.maximum(merged + emission, neg), alpha), None

        alpha, _ = scan(step, start, (xp.moveaxis(emissions, 1, 0),
                                      xp.arange(max_time, dtype="int32")))
        last = (2 * target_length)[:, None]
        final = xp.take_along_axis(alpha, last, axis=1)[:, 0]
        before = xp.take_along_axis(alpha, xp.maximum(last - 1, 0), axis=1)[:, 0]
        before = xp.where(target_length > 0, before, neg)
        top = xp.maximum(final, before)
        return -(top + xp.log(xp.exp(final - top) + xp.exp(before - top)))

    def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100,
                   top_paths=1, merge_repeated=True, mask_index=0):
        check_strategy(strategy)
        log_probs = log_softmax(to_float(inputs))
        batch, max_time = log_probs.shape[:2]
        lengths = xp.asarray(sequence_lengths).astype("int32")
        best = xp.argmax(log_probs, axis=-1).astype("int32")
        scores = xp.max(log_probs, axis=-1)
        outside = xp.arange(max_time)[None, :] >= lengths[:, None]
        best = xp.where(outside, mask_index, best)
        scores = xp.where(outside, xp.zeros_like(scores), scores)
        if merge_repeated:
            repeated = best == shift(best, 1, -1)
            best = xp.where(repeated, mask_index, best)
        dropped = best == mask_index
        steps = xp.arange(max_time)[None, :]
        order = xp.argsort(xp.where(dropped, max_time + steps, steps), axis=-1)
        decoded = xp.take_along_axis(xp.where(dropped, -1, best), order, axis=-1)
        return decoded[None], -xp.sum(scores, axis=1, keepdims=True)

    return {"ctc_loss": ctc_loss, "ctc_decode": ctc_decode}


globals().update(implement(np, python_scan, _float))
