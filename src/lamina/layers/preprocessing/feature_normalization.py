"""Normalization: shift and scale features by a mean and variance given or learned
with ``adapt`` (Keras 3's ``keras.layers.Normalization``).

The learned statistics are two non-trainable weights, ``mean`` and ``variance``
(one value per index of the kept axes), so they are saved with the model and
loaded back like any weight. ``adapt`` combines the batches' statistics with the
parallel formula of Chan et al. (counts, means and sums of squared deviations), in
float64, so the result does not depend on how the data is batched.

>>> import numpy as np
>>> from lamina import layers
>>> norm = layers.Normalization()
>>> norm.adapt(np.array([[1.0], [3.0]]))
>>> norm(np.array([[5.0]])).tolist()
[[3.0]]
"""

import numpy as np

from lamina import backend as K
from lamina.backend import symbolic
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.preprocessing.adapt_data import batches


def _axes_setting(axis):
    if axis is None:
        return ()
    if isinstance(axis, int) and not isinstance(axis, bool):
        return (axis,)
    if isinstance(axis, (list, tuple)) and all(
            isinstance(a, int) and not isinstance(a, bool) for a in axis):
        return tuple(axis)
    raise TypeError(f"Normalization: axis must be an int, a tuple of ints or None; received "
                    f"{axis!r}.")


class Normalization(Layer):
    """Normalize inputs feature-wise: ``(x - mean) / sqrt(variance)``.

    ``Normalization(axis=-1, mean=None, variance=None, invert=False)``.

    ``axis`` names the axes that keep their own statistics (``-1``: one mean and
    variance per feature of the last axis; ``None``: one scalar mean and variance for
    everything); the statistics are taken over the other axes. Give ``mean`` and
    ``variance`` (broadcastable to the kept axes), or learn them from data with
    ``adapt(data, batch_size=None, steps=None)``, which may be called again and then
    replaces them. The output is ``(x - mean) / max(sqrt(variance), K.epsilon())``;
    ``invert=True`` undoes it: ``mean + x * max(sqrt(variance), K.epsilon())``.
    Before ``adapt`` a layer without ``mean`` passes its inputs unchanged (mean 0,
    variance 1).

    ``layer.mean`` and ``layer.variance`` are the statistics shaped to broadcast
    against the inputs; the learned ones are the non-trainable weights named
    ``"mean"`` and ``"variance"``.

    >>> import numpy as np
    >>> from lamina import layers
    >>> data = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0],
    ...                  [2.0, 9.0, 6.0]], "float32")
    >>> norm = layers.Normalization(axis=-1)
    >>> norm.adapt(data)
    >>> norm(data).tolist()[0]
    [-1.0, -1.0, -1.0]
    >>> np.asarray(norm.mean).tolist(), np.asarray(norm.variance).tolist()
    ([[1.0, 8.0, 5.0]], [[1.0, 1.0, 1.0]])
    >>> out = layers.Normalization(mean=3.0, variance=4.0, invert=True)(np.array([[1.0]]))
    >>> out.tolist()
    [[5.0]]
    """

    _floating_inputs = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self._kept = _axes_setting(axis)
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization {self.name!r}: give both mean and variance, or "
                             f"neither (to learn them with adapt); received mean={mean!r}, "
                             f"variance={variance!r}.")
        self.input_mean = None if mean is None else np.asarray(mean, "float64")
        self.input_variance = None if variance is None else np.asarray(variance, "float64")
        self.invert = bool(invert)
        self.adapt_mean = None
        self.adapt_variance = None

    # -- shapes ----------------------------------------------------------------
    def _kept_axes(self, input_shape):
        rank = len(input_shape)
        kept = []
        for a in self._kept:
            if not -rank <= a < rank:
                raise ValueError(f"Normalization layer {self.name!r}: axis {a} is out of range "
                                 f"for inputs of rank {rank}. Received input shape "
                                 f"{tuple(input_shape)}.")
            kept.append(a % rank)
        for a in kept:
            if input_shape[a] is None:
                raise ValueError(f"Normalization layer {self.name!r} keeps statistics along "
                                 f"axis {a}, which needs a known size. Received input shape "
                                 f"{tuple(input_shape)}.")
        return sorted(set(kept))

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        kept = self._kept_axes(input_shape)
        self._kept_axes_built = kept
        self._statistics_shape = tuple(input_shape[a] for a in kept)
        self._broadcast_shape = tuple(input_shape[a] if a in kept else 1
                                      for a in range(len(input_shape)))
        if kept:
            self.input_spec = InputSpec(ndim=len(input_shape),
                                        axes={a: input_shape[a] for a in kept})
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", self._statistics_shape, "zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight("variance", self._statistics_shape, "ones",
                                                  trainable=False)
        else:
            self._given = [self._broadcast_given(v, name) for v, name in (
                (self.input_mean, "mean"), (self.input_variance, "variance"))]
        self.built = True

    def _broadcast_given(self, value, name):
        try:
            value = np.broadcast_to(value, self._statistics_shape)
        except ValueError:
            raise ValueError(f"Normalization layer {self.name!r}: {name} of shape "
                             f"{value.shape} does not broadcast to the kept axes' shape "
                             f"{self._statistics_shape}.") from None
        return np.reshape(value, self._broadcast_shape)

    @property
    def mean(self):
        """The mean, shaped to broadcast against the inputs (None before the build)."""
        return self._statistic(0)

    @property
    def variance(self):
        """The variance, shaped to broadcast against the inputs (None before the build)."""
        return self._statistic(1)

    def _statistic(self, which):
        if not self.built:
            return None
        if self.input_mean is not None:
            return K.convert_to_tensor(self._given[which].astype(self.dtype))
        weight = self.adapt_mean if which == 0 else self.adapt_variance
        return K.reshape(weight, self._broadcast_shape)

    # -- adapt -----------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learn ``mean`` and ``variance`` from ``data`` (arrays, lists, tensors, an
        iterable of batches or a ``PyDataset``), replacing any learned before.

        >>> import numpy as np
        >>> norm = Normalization(axis=None)
        >>> norm.adapt(np.array([1.0, 2.0, 3.0, 4.0]), batch_size=3)
        >>> float(norm.adapt_mean.numpy()), round(float(norm.adapt_variance.numpy()), 4)
        (2.5, 1.25)
        """
        where = f"Normalization layer {self.name!r}"
        if self.input_mean is not None:
            raise ValueError(f"{where} was given mean and variance; it cannot also adapt them "
                             f"from data. Create it without mean and variance to adapt it.")
        count, mean, m2 = 0, None, None
        for batch in batches(data, where, batch_size, steps):
            batch = batch.astype("float64")
            if batch.ndim == 0:
                batch = batch.reshape(1)
            if not self.built:
                self._build_once(symbolic.Input(batch_shape=(None,) + batch.shape[1:],
                                                dtype=self.dtype))
            self._check_batch(batch)
            reduce = tuple(a for a in range(batch.ndim) if a not in self._kept_axes_built)
            n = int(np.prod([batch.shape[a] for a in reduce]))
            if n == 0:
                continue
            b_mean = batch.mean(axis=reduce)
            b_m2 = ((batch - batch.mean(axis=reduce, keepdims=True)) ** 2).sum(axis=reduce)
            if mean is None:
                count, mean, m2 = n, b_mean, b_m2
                continue
            delta = b_mean - mean
            total = count + n
            mean = mean + delta * (n / total)
            m2 = m2 + b_m2 + delta ** 2 * (count * n / total)
            count = total
        if mean is None:
            raise ValueError(f"{where}: adapt received no data.")
        self.adapt_mean.assign(mean.astype(self.adapt_mean.dtype))
        self.adapt_variance.assign((m2 / count).astype(self.adapt_variance.dtype))

    def _check_batch(self, batch):
        kept = self._kept_axes_built
        if batch.ndim != len(self._broadcast_shape) or any(
                batch.shape[a] != self._broadcast_shape[a] for a in kept):
            raise ValueError(f"Normalization layer {self.name!r} keeps statistics of shape "
                             f"{self._statistics_shape} along axes {kept} of inputs of rank "
                             f"{len(self._broadcast_shape)}; adapt received a batch of shape "
                             f"{batch.shape}.")

    # -- call ------------------------------------------------------------------
    def call(self, inputs):
        mean = K.cast(self.mean, inputs.dtype)
        scale = K.maximum(K.sqrt(K.cast(self.variance, inputs.dtype)), K.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis, invert=self.invert,
                      mean=None if self.input_mean is None else self.input_mean.tolist(),
                      variance=None if self.input_variance is None
                      else self.input_variance.tolist())
        return config
