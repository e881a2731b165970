"""The Circle loss of Sun et al. (2020) for metric learning: :func:`circle` and
:class:`Circle`.

``y_true`` holds integer labels ``(batch,)`` and ``y_pred`` L2-normalized embeddings
``(batch, dim)``. For each anchor, pairs with the same label (positives) are pulled
towards a cosine distance below ``margin`` and pairs with different labels
(negatives) pushed beyond ``1 - margin``, each pair weighted by how far it is from its
optimum, with ``gamma`` the scale:
``softplus(logsumexp(-gamma * wp * (margin - dp)) + logsumexp(gamma * wn * (1 - margin
- dn)))`` over the positive distances ``dp`` and negative distances ``dn``, with
``wp = max(margin + dp, 0)`` and ``wn = max(1 + margin - dn, 0)``.

>>> from lamina import backend as K
>>> from lamina.losses import metric_learning
>>> loss = metric_learning.circle([0, 0, 1], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], gamma=1.0)
>>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
[0.5459, 0.5459, 0.0]
"""

from lamina import backend as K
from lamina import ops
from lamina.losses._inputs import as_float, as_tensor
from lamina.losses.base import BuiltinLoss

_EMPTY = -1e30  # the logit of a pair that is not in the set: exp() of it is 0


def _labels(x, owner, name):
    x = as_tensor(x)
    if len(x.shape) == 2 and x.shape[-1] == 1:
        x = K.squeeze(x, -1)
    if len(x.shape) != 1:
        raise ValueError(f"{owner} expects {name} of shape (batch,). Received shape "
                         f"{tuple(x.shape)}.")
    return K.cast(x, "int32")


def _masked_logsumexp(x, mask):
    return K.logsumexp(K.where(mask, x, K.cast(_EMPTY, K.dtype(x))), axis=1)


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """One Circle loss value per anchor (row of ``y_pred``), against the reference set
    ``ref_embeddings`` with labels ``ref_labels`` (by default the batch itself; then
    ``remove_diagonal`` leaves out each anchor's pair with itself). An anchor without
    positives, or whose loss underflows, gets 0.

    >>> from lamina import backend as K
    >>> loss = circle([0, 1], [[1.0, 0.0], [0.0, 1.0]], ref_labels=[0, 1],
    ...               ref_embeddings=[[0.6, 0.8], [0.0, 1.0]], remove_diagonal=False, gamma=1.0)
    >>> [round(v, 4) for v in K.convert_to_numpy(loss).tolist()]
    [0.6163, 0.8659]
    """
    y_pred = as_float(y_pred)
    labels = _labels(y_true, "circle", "y_true")
    if len(y_pred.shape) != 2:
        raise ValueError(f"circle expects embeddings y_pred of shape (batch, dim). Received "
                         f"shape {tuple(y_pred.shape)}.")
    references = y_pred if ref_embeddings is None else as_tensor(ref_embeddings,
                                                                 K.dtype(y_pred))
    ref_labels = labels if ref_labels is None else _labels(ref_labels, "circle",
                                                           "ref_labels")
    distances = K.maximum(1.0 - K.matmul(y_pred, K.transpose(references)), 0.0)
    positive = K.equal(K.expand_dims(labels, 1), K.expand_dims(ref_labels, 0))
    negative = K.logical_not(positive)
    if remove_diagonal:
        diagonal = ops.eye(K.shape(y_pred)[0], K.shape(references)[0], dtype="bool")
        positive = K.logical_and(positive, K.logical_not(diagonal))
    positive_weights = K.maximum(margin + distances, 0.0)
    negative_weights = K.maximum(1.0 + margin - distances, 0.0)
    positive_logits = -gamma * positive_weights * (margin - distances)
    negative_logits = gamma * negative_weights * (1.0 - margin - distances)
    return K.softplus(_masked_logsumexp(positive_logits, positive)
                      + _masked_logsumexp(negative_logits, negative))


class Circle(BuiltinLoss):
    """The Circle loss (:func:`circle`) of a batch against itself: ``Circle(gamma=80.0,
    margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle",
    dtype=None)``. Anchors whose loss is 0 (no positive in the batch) are left out of
    the mean.

    >>> loss = Circle(gamma=1.0)
    >>> round(float(loss([0, 0, 1], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])), 4)
    0.5459
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, reduction, name, dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def _loss_mask(self, y_true, y_pred):
        return K.greater(self.call(y_true, y_pred), 0.0)
