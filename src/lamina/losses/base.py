"""``Loss``, the base class of losses, and ``LossFunctionWrapper``, which makes a
``Loss`` of any function ``(y_true, y_pred, **kwargs) -> per-sample loss``.

A ``Loss`` is called as ``loss(y_true, y_pred, sample_weight=None)``: it converts both
to its dtype (``floatx`` by default), computes the per-sample losses with ``call`` and
weights and reduces them (see ``lamina.losses.reduction``). It keeps no state, and
works on symbolic tensors, where it records the graph expression of the loss.

>>> from lamina import backend as K
>>> class MeanCubedError(Loss):
...     def call(self, y_true, y_pred):
...         return K.mean(K.abs(y_true - y_pred) ** 3, axis=-1)
>>> float(MeanCubedError()([[0.0, 0.0]], [[1.0, 2.0]]))
4.5
>>> float(MeanCubedError(reduction="sum")([[0.0], [0.0]], [[1.0], [2.0]]))
9.0
"""

import re

from lamina import backend as K
from lamina._catalogue import Configurable, constructor_config
from lamina.backend.naming import unique_name
from lamina.losses._inputs import align_ranks, as_tensor
from lamina.losses.reduction import reduce_weighted_values, standardize_reduction


def _snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class Loss(Configurable):
    """Base class of losses: subclasses implement ``call(y_true, y_pred)`` returning the
    per-sample losses.

    ``reduction`` is ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
    ``"mean_with_sample_weight"``, ``"none"`` or ``None``; ``dtype`` the dtype both
    ``y_true`` and ``y_pred`` are converted to (default ``K.floatx()``); ``name``
    defaults to the class name in snake case.

    >>> from lamina import backend as K
    >>> class AbsoluteError(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return K.mean(K.abs(y_true - y_pred), axis=-1)
    >>> loss = AbsoluteError(reduction=None)
    >>> K.convert_to_numpy(loss([[1.0], [2.0]], [[0.0], [0.0]], sample_weight=[1.0, 0.5])).tolist()
    [1.0, 1.0]
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction, type(self).__name__)
        self._dtype = K.standardize_dtype(dtype or K.floatx())

    @property
    def dtype(self):
        """The dtype of the loss's computations.

        >>> MeanOfInputs = type("MeanOfInputs", (Loss,), {})
        >>> MeanOfInputs(dtype="float64").dtype
        'float64'
        """
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = as_tensor(y_pred, self.dtype)
        y_true = as_tensor(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight=sample_weight,
                                      mask=self._loss_mask(y_true, y_pred),
                                      reduction=self.reduction, owner=type(self).__name__)

    def call(self, y_true, y_pred):
        """The per-sample losses (no weighting, no reduction); subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement "
                                  f"call(y_true, y_pred).")

    def _loss_mask(self, y_true, y_pred):
        """A boolean tensor of the per-sample losses' shape (False: left out of the
        reduction), or None."""
        return None

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict: for a subclass that does
        not define ``get_config``, the arguments its constructor was called with.

        >>> MeanOfInputs = type("MeanOfInputs", (Loss,), {})
        >>> MeanOfInputs(name="m", reduction="sum").get_config()
        {'name': 'm', 'reduction': 'sum', 'dtype': 'float32'}
        >>> class Scaled(Loss):
        ...     def __init__(self, factor=0.1, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.factor = factor
        >>> Scaled(2.0, name="s").get_config()
        {'name': 's', 'reduction': 'sum_over_batch_size', 'dtype': 'float32', 'factor': 2.0}
        """
        return constructor_config(
            self, {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}, Loss)


class LossFunctionWrapper(Loss):
    """A ``Loss`` computing ``fn(y_true, y_pred, **kwargs)`` as its per-sample losses
    (after aligning ranks that differ by a trailing axis of size 1).

    >>> from lamina import backend as K
    >>> def scaled_error(y_true, y_pred, scale=1.0):
    ...     return K.mean(K.abs(y_true - y_pred), axis=-1) * scale
    >>> loss = LossFunctionWrapper(scaled_error, scale=2.0)
    >>> loss.name, float(loss([1.0, 2.0], [[0.0], [0.0]]))
    ('scaled_error', 3.0)
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError(f"LossFunctionWrapper: fn must be a callable "
                             f"(y_true, y_pred) -> per-sample loss. Received fn={fn!r}.")
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = align_ranks(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        """The constructor arguments; ``fn`` as ``lamina.losses.serialize`` describes it.

        >>> def half_error(y_true, y_pred):
        ...     return (y_pred - y_true) / 2.0
        >>> LossFunctionWrapper(half_error).get_config()["fn"]
        {'class_name': 'function', 'config': 'half_error'}
        """
        from lamina.losses import serialize
        return {**super().get_config(), "fn": serialize(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The wrapper ``get_config()`` described; a custom ``fn`` is found in
        ``custom_objects`` (a dict of names to functions).

        >>> from lamina import losses
        >>> wrapper = LossFunctionWrapper(losses.mean_absolute_error, reduction="sum")
        >>> LossFunctionWrapper.from_config(wrapper.get_config()).fn is losses.mean_absolute_error
        True
        """
        from lamina.losses import deserialize
        config = dict(config)
        config["fn"] = deserialize(config["fn"], custom_objects)
        return cls(**config)


class BuiltinLoss(LossFunctionWrapper):
    """The base of lamina's named losses (``MeanSquaredError``, ...): a
    ``LossFunctionWrapper`` of a fixed function whose keyword arguments are the class's
    own constructor arguments, attributes and config entries.

    >>> from lamina import losses
    >>> loss = losses.Huber(delta=2.0)
    >>> loss.delta, loss.get_config()["delta"], isinstance(loss, LossFunctionWrapper)
    (2.0, 2.0, True)
    """

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_config(self):
        return {**Loss.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
