"""Reduction metrics: :class:`Sum`, :class:`Mean` and :class:`MeanMetricWrapper`, the
running (weighted) mean of any per-sample function ``fn(y_true, y_pred)``.

Sample weights follow Keras: a weight of shape ``(batch,)`` (or ``(batch, 1)``)
weights each sample; a weight with more dimensions weights elements, and the
values are first averaged over the dimensions the weight does not have.

>>> from lamina.metrics import Mean
>>> m = Mean()
>>> m.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 1.0, 0.0])
>>> float(m.result())
1.5
"""

from lamina import backend as K
from lamina.metrics.base import Metric, squeeze_or_expand_to_same_rank


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """``(values, sample_weight)`` reduced to one value (and one weight) per sample:
    values are weighted, then reduced with ``reduce_fn`` over every axis after the
    first. ``sample_weight`` stays None when None.

    >>> from lamina import backend as K
    >>> v, w = reduce_to_samplewise_values(K.ones((2, 3)), [2.0, 0.5], K.sum, "float32")
    >>> K.convert_to_numpy(v).tolist(), K.convert_to_numpy(w).tolist()
    ([6.0, 1.5], [2.0, 0.5])
    """
    values = K.cast(K.convert_to_tensor(values), dtype)
    if sample_weight is not None:
        sample_weight = K.cast(K.convert_to_tensor(sample_weight), dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank, values_rank = K.ndim(sample_weight), K.ndim(values)
        if values_rank > weight_rank:
            values = reduce_fn(values, axis=tuple(range(weight_rank, values_rank)))
        sample_weight = K.broadcast_to(sample_weight, K.shape(values))
        values = K.multiply(values, sample_weight)
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_rank)))
    if K.ndim(values) > 1:
        values = reduce_fn(values, axis=tuple(range(1, K.ndim(values))))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of every value seen: ``Sum(name="sum", dtype=None)``.

    >>> m = Sum()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> m.update_state([[1.0, 2.0]], sample_weight=[10.0])
    >>> float(m.result())
    46.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, K.sum, self.dtype)
        self.total.assign_add(K.sum(values))

    def result(self):
        return K.copy(self.total.value)


class Mean(Metric):
    """The (weighted) mean of every value seen: ``Mean(name="mean", dtype=None)``.
    The result is ``total / count``, 0 before any update.

    >>> m = Mean()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> float(m.result())
    4.0
    >>> m.update_state([2.0], sample_weight=[4.0]); float(m.result())
    3.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, K.mean,
                                                            self.dtype)
        self.total.assign_add(K.sum(values))
        if sample_weight is not None:
            count = K.sum(sample_weight)
        elif K.ndim(values) >= 1:
            count = K.shape(values)[0]
        else:
            count = 1
        self.count.assign_add(K.cast(count, self.dtype))

    def result(self):
        return K.divide_no_nan(self.total.value, self.count.value)


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, which returns one value per
    sample (or per element): ``MeanMetricWrapper(fn, name=None, dtype=None, **kwargs)``.
    ``name`` defaults to ``fn``'s ``__name__``.

    >>> from lamina import backend as K
    >>> def absolute_error(y_true, y_pred):
    ...     return K.abs(K.subtract(y_true, y_pred))
    >>> m = MeanMetricWrapper(absolute_error)
    >>> m.update_state([1.0, 2.0], [1.5, 4.0]); m.name, float(m.result())
    ('absolute_error', 1.25)
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be a callable "
                            f"fn(y_true, y_pred). Received fn={fn!r}.")
        if name is None:
            name = getattr(fn, "__name__", "mean_metric_wrapper")
            name = "mean_metric_wrapper" if name == "<lambda>" else name
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """The name, dtype and ``fn``'s keyword arguments (the constructor arguments of
        the subclasses), and for a plain wrapper ``fn``'s name: a custom ``fn`` is stored
        by name, and ``lamina.metrics.deserialize`` finds it in ``custom_objects``.

        >>> from lamina.metrics import binary_accuracy
        >>> MeanMetricWrapper(binary_accuracy, threshold=0.6).get_config()
        {'name': 'binary_accuracy', 'dtype': 'float32', 'fn': 'binary_accuracy', 'threshold': 0.6}
        """
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        """A wrapper built from ``get_config()``'s dict; ``config["fn"]`` is the function
        or its name (a built-in metric function, or one in a custom object scope or the
        registry).

        >>> from lamina.metrics import binary_accuracy
        >>> config = {"fn": binary_accuracy, "name": "acc", "threshold": 0.6}
        >>> MeanMetricWrapper.from_config(config).name
        'acc'
        >>> MeanMetricWrapper.from_config(dict(config, fn="binary_accuracy"))._fn is binary_accuracy
        True
        """
        if cls is not MeanMetricWrapper and "fn" not in config:
            return cls(**config)
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            from lamina.metrics import _function
            fn = _function(fn, None)
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper.from_config: config['fn'] must be a "
                            f"function or a function's name. Received {fn!r}.")
        return cls(fn, **config)
