"""Connectionist temporal classification (Graves et al., 2006): ``ctc_loss`` and
``ctc_decode``, as in Keras 3's ``keras.ops``.

The model's ``output`` holds logits of shape ``(batch, max_time, num_classes)`` (a
log-softmax is applied here); class ``mask_index`` is the blank. Targets are integer
label sequences ``(batch, max_label_length)`` whose first ``target_length`` entries
count. Each is a specification (see :mod:`lamina.backend.dispatch`) bound to the
engine's function (``backend/<engine>/ctc.py``): torch's ``ctc_loss`` on torch, the
forward algorithm in log space on NumPy and JAX (differentiable there).

>>> from lamina import backend as K
>>> logits = K.zeros((1, 2, 2))  # two steps, classes {blank, 1}, all equally likely
>>> round(float(K.ctc_loss([[1]], logits, [1], [2])[0]), 4)  # -log(3 / 4)
0.2877
"""

from lamina.backend.dispatch import op as _op

__all__ = ["ctc_loss", "ctc_decode"]


@_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """The negative log-likelihood of each target sequence under the CTC alignment
    model, shape ``(batch,)``. ``target``: ``(batch, max_label_length)`` integer
    labels; ``output``: ``(batch, max_time, num_classes)`` logits;
    ``target_length`` / ``output_length``: ``(batch,)`` lengths; ``mask_index``: the
    blank class. A target that cannot be aligned within its output length gets a huge
    (or infinite, on torch) loss.

    >>> from lamina import backend as K
    >>> logits = K.log(K.convert_to_tensor([[[0.5, 0.5], [0.25, 0.75]]]))
    >>> # the paths for [1] are (1, 1), (1, blank) and (blank, 1): 0.375 + 0.125 + 0.375
    >>> round(float(K.ctc_loss([[1]], logits, [1], [2])[0]), 4)
    0.1335
    """


@_op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """The most likely label sequences for ``inputs`` (logits ``(batch, max_time,
    num_classes)``) over the first ``sequence_lengths`` steps: ``(decoded, scores)``.

    ``strategy="greedy"`` (the one available) takes the most likely class at each
    step, merges repeated classes (with ``merge_repeated``) and drops the blank
    ``mask_index``. ``decoded`` has shape ``(1, batch, max_time)``, each sequence
    padded with -1; ``scores`` ``(batch, 1)`` is minus the summed log-probabilities of
    the chosen classes.

    >>> from lamina import backend as K
    >>> logits = K.log(K.convert_to_tensor([[[0.1, 0.8, 0.1], [0.1, 0.8, 0.1],
    ...                                      [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]]))
    >>> decoded, scores = K.ctc_decode(logits, [4])
    >>> K.convert_to_numpy(decoded).tolist()
    [[[1, 2, -1, -1]]]
    """
