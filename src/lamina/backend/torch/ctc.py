"""PyTorch implementations of :mod:`lamina.backend.ops.ctc`: ``torch.nn.functional.ctc_loss``
and greedy decoding."""

import torch
import torch.nn.functional as F

from lamina.backend.numpy.ctc import check_ctc_shapes, check_strategy
from lamina.backend.torch.nn import _float, _tensor

__all__ = ["ctc_loss", "ctc_decode"]


def _ints(x):
    return _tensor(x).to(torch.int64)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    output = _float(output)
    target, target_length, output_length = (_ints(v) for v in
                                            (target, target_length, output_length))
    check_ctc_shapes(target, output, target_length, output_length)
    log_probs = F.log_softmax(output, dim=-1).transpose(0, 1)
    labels = target.clamp(0, output.shape[-1] - 1)
    return F.ctc_loss(log_probs, labels, output_length, target_length, blank=int(mask_index),
                      reduction="none")


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    check_strategy(strategy)
    log_probs = F.log_softmax(_float(inputs), dim=-1)
    max_time = log_probs.shape[1]
    scores, best = log_probs.max(dim=-1)
    steps = torch.arange(max_time, device=best.device)[None, :]
    outside = steps >= _ints(sequence_lengths)[:, None]
    best = best.masked_fill(outside, mask_index)
    scores = scores.masked_fill(outside, 0.0)
    if merge_repeated:
        repeated = torch.zeros_like(outside)
        repeated[:, 1:] = best[:, 1:] == best[:, :-1]
        best = best.masked_fill(repeated, mask_index)
    dropped = best == mask_index
    order = torch.argsort(torch.where(dropped, max_time + steps, steps), dim=-1)
    decoded = torch.gather(best.masked_fill(dropped, -1), 1, order).to(torch.int32)
    return decoded[None], -scores.sum(dim=1, keepdim=True)
