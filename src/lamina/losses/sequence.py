"""The CTC loss of sequence models (speech, handwriting): :func:`ctc` and :class:`CTC`,
as in Keras 3, on ``K.ctc_loss``.

``y_true`` holds label sequences ``(batch, max_label_length)`` padded with 0, which
is also the blank class; ``y_pred`` holds logits ``(batch, max_time, num_classes)``
(not softmax probabilities). Every output step counts.

>>> from lamina import backend as K
>>> from lamina.losses import sequence
>>> round(float(sequence.ctc([[1, 0]], K.zeros((1, 2, 2)))[0]), 4)
0.2877
"""

from lamina import backend as K
from lamina.losses._inputs import as_float, as_tensor
from lamina.losses.base import BuiltinLoss


def ctc(y_true, y_pred):
    """The CTC negative log-likelihood of each label sequence, shape ``(batch,)``; a
    sequence's length is its number of non-zero labels.

    >>> from lamina import backend as K
    >>> logits = K.log(K.convert_to_tensor([[[0.5, 0.5], [0.25, 0.75]]]))
    >>> round(float(ctc([[1]], logits)[0]), 4)
    0.1335
    """
    y_pred = as_float(y_pred)
    y_true = as_tensor(y_true)
    if len(y_true.shape) != 2 or len(y_pred.shape) != 3:
        raise ValueError(f"ctc expects integer labels y_true of shape (batch, "
                         f"max_label_length) and logits y_pred of shape (batch, max_time, "
                         f"num_classes). Received y_true shape {tuple(y_true.shape)} and "
                         f"y_pred shape {tuple(y_pred.shape)}.")
    labels = K.cast(y_true, "int32")
    label_length = K.sum(K.cast(K.not_equal(labels, 0), "int32"), axis=-1)
    steps = K.shape(y_pred)[1]
    output_length = K.cast(K.ones_like(label_length) * steps, "int32")
    return K.ctc_loss(labels, y_pred, label_length, output_length, mask_index=0)


class CTC(BuiltinLoss):
    """The CTC loss (:func:`ctc`): ``CTC(reduction="sum_over_batch_size", name="ctc",
    dtype=None)``.

    >>> from lamina import backend as K
    >>> round(float(CTC()([[1, 0], [1, 1]], K.zeros((2, 3, 2)))), 4)
    1.1836
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction, name, dtype)
