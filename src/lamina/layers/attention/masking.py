"""Masks for attention scores: the causal mask, masks as booleans, the masked softmax.

Masked positions get the score ``-1e9`` (``-3e4`` in float16) before the softmax,
as Keras does, so they receive a probability of zero; a row with every position
masked gets a uniform distribution.

>>> from lamina import backend as K
>>> from lamina.layers.attention.masking import causal_mask, masked_softmax
>>> K.convert_to_numpy(causal_mask(K.ones((1, 3, 2)), K.ones((1, 3, 2)))).astype(int).tolist()
[[[1, 0, 0], [1, 1, 0], [1, 1, 1]]]
>>> scores = K.zeros((1, 3))
>>> K.convert_to_numpy(masked_softmax(scores, K.constant([[True, True, False]]), -1)).tolist()
[[0.5, 0.5, 0.0]]
"""

from lamina import backend as K


def _large_negative(dtype):
    return -3e4 if K.standardize_dtype(dtype) == "float16" else -1e9


def as_bool(mask):
    """``mask`` (bool, int or float: nonzero keeps) as a boolean tensor, or None.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(as_bool(K.constant([1.0, 0.0]))).tolist()
    [True, False]
    """
    return None if mask is None else K.cast(mask, "bool")


def combine(*masks):
    """The logical and of the masks that are not None (None when all are None).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(combine(None, K.constant([True, False]), K.constant([True, True]))).tolist()
    [True, False]
    """
    result = None
    for mask in masks:
        if mask is not None:
            result = mask if result is None else K.logical_and(result, mask)
    return result


def causal_mask(query, value):
    """``(1, Tq, Tv)`` booleans, True where the query step (axis 1 of ``query``) may see
    the value step (axis 1 of ``value``): the value step is not later.

    >>> from lamina import backend as K
    >>> K.shape(causal_mask(K.ones((2, 4, 3)), K.ones((2, 5, 3))))
    (1, 4, 5)
    """
    ones = K.ones((1, K.shape(query)[1], K.shape(value)[1]), dtype="int32")
    return K.greater_equal(K.cumsum(ones, axis=-2), K.cumsum(ones, axis=-1))


def masked_softmax(scores, mask, axis):
    """The softmax of ``scores`` over ``axis`` (an int or a tuple), with the positions where
    the boolean ``mask`` (broadcast against ``scores``) is False set to a large negative
    score first.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(masked_softmax(K.zeros((2,)), None, -1)).tolist()
    [0.5, 0.5]
    >>> fully_masked = K.zeros((1, 2, 2)) == 1.0
    >>> K.convert_to_numpy(masked_softmax(K.ones((1, 2, 2)), fully_masked, (1, 2))).tolist()
    [[[0.25, 0.25], [0.25, 0.25]]]
    """
    if mask is not None:
        scores = K.where(mask, scores, K.cast(_large_negative(K.dtype(scores)), K.dtype(scores)))
    if not isinstance(axis, int) and len(axis) == 1:
        axis = axis[0]
    return K.softmax(scores, axis=axis)
