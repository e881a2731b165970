"""Weighting and reducing per-sample losses to the value a ``Loss`` returns (Keras 3's
reductions).

* ``"sum_over_batch_size"`` (the default) and ``"mean"``: the sum of the weighted
  losses divided by their number of elements;
* ``"sum"``: the sum of the weighted losses;
* ``"mean_with_sample_weight"``: the sum of the weighted losses divided by the sum of
  the sample weights, each counted once per loss value it weights (a scalar weight
  gives the plain mean; Keras 3 divides by the sum of the weights as given); the
  number of elements when there are no weights;
* ``"none"`` or ``None``: the weighted losses themselves.

A ``sample_weight`` of shape ``(batch,)``, ``(batch, 1)`` or the losses' own shape
weights each sample: a trailing axis of size 1 is dropped from a weight of higher
rank than the losses, and a weight of lower rank is extended with axes of size 1, so
that it weights whole samples (per-sample losses ``(batch,)`` with weights
``(batch, 1)``; losses ``(batch, steps)`` with weights ``(batch,)``).

>>> from lamina import backend as K
>>> losses = K.convert_to_tensor([1.0, 3.0])
>>> float(reduce_weighted_values(losses, sample_weight=[1.0, 0.0]))
0.5
>>> float(reduce_weighted_values(losses, sample_weight=[1.0, 0.0],
...                              reduction="mean_with_sample_weight"))
1.0
"""

from lamina import backend as K
from lamina.losses._inputs import as_tensor, shape_of, shapes_fit

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction, owner="Loss"):
    """``reduction`` if it is one of ``REDUCTIONS``; else a ValueError naming ``owner``.

    >>> standardize_reduction("sum")
    'sum'
    """
    if isinstance(reduction, str) or reduction is None:
        if reduction in REDUCTIONS:
            return reduction
    raise ValueError(f"{owner}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}. "
                     f"Received reduction={reduction!r}.")


def _weight_like(weight, values, owner):
    """``weight`` with a trailing size-1 axis dropped, or size-1 axes added, to multiply
    ``values``."""
    given, rank = shape_of(weight), len(values.shape)
    if len(weight.shape) == rank + 1 and weight.shape[-1] == 1:
        weight = K.squeeze(weight, -1)
    if 0 < len(weight.shape) < rank:
        for _ in range(rank - len(weight.shape)):
            weight = K.expand_dims(weight, -1)
    if not shapes_fit(shape_of(weight), shape_of(values), broadcast=True):
        raise ValueError(f"{owner}: sample_weight of shape {given} cannot weight "
                         f"the per-sample losses of shape {shape_of(values)}. Expected a "
                         f"weight of shape (batch,), (batch, 1) or the losses' shape.")
    return weight


def _divide_by_count(numerator, x):
    """``numerator / size(x)`` (0 for an empty ``x``); a plain division where the size is a
    static number."""
    count = K.size(x)
    if isinstance(count, int):
        return numerator / count if count else K.zeros_like(numerator)
    return K.divide_no_nan(numerator, K.cast(count, K.dtype(numerator)))


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", owner="Loss"):
    """``values`` (per-sample losses) weighted by ``sample_weight`` and by ``mask`` (a
    boolean tensor of ``values``' shape: False entries count for nothing, not even in
    the number of elements that ``"sum_over_batch_size"`` divides by), then reduced.
    ``owner`` names the loss in error messages.

    >>> from lamina import backend as K
    >>> losses = K.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> float(reduce_weighted_values(losses, sample_weight=[1.0, 0.5], reduction="sum"))
    6.5
    >>> mask = K.convert_to_tensor([[True, False], [True, True]])
    >>> float(reduce_weighted_values(losses, mask=mask))
    2.6666667461395264
    """
    reduction = standardize_reduction(reduction, owner)
    dtype = K.dtype(values)
    weight = None
    if sample_weight is not None:
        weight = _weight_like(as_tensor(sample_weight, dtype), values, owner)
    if mask is not None:
        mask = K.cast(mask, dtype)
        if reduction in ("sum_over_batch_size", "mean"):
            mask = mask / K.maximum(_divide_by_count(K.sum(mask), mask), K.epsilon())
        weight = mask if weight is None else weight * mask
    if weight is not None:
        values = values * weight
    if reduction in (None, "none") or not values.shape:
        return values
    total = K.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        return K.divide_no_nan(total, K.sum(weight * K.ones_like(values)))
    return _divide_by_count(total, values)
