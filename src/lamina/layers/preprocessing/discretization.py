"""Discretization: numbers to the index of the bin they fall in (Keras 3's
``keras.layers.Discretization``).

``adapt`` computes exact quantiles: it keeps every value it reads and takes, for
bin ``i`` of ``num_bins``, the value of rank ``floor(i * n / num_bins)`` in the
sorted data. Keras computes approximate quantiles within ``epsilon``; exact ones
are within any ``epsilon``, which lamina accepts and keeps in the config but does
not need.

>>> from lamina import layers
>>> layers.Discretization(bin_boundaries=[0.0, 1.0])([-0.5, 0.5, 1.5]).tolist()
[0, 1, 2]
"""

import numpy as np

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.layers.preprocessing.adapt_data import batches

_MODES = ("int", "one_hot", "multi_hot", "count")


class Discretization(Layer):
    """Bucket numbers by boundaries: a value ``x`` goes to bin ``i`` when
    ``bin_boundaries[i - 1] <= x < bin_boundaries[i]`` (bin 0 below the first
    boundary, bin ``len(bin_boundaries)`` from the last one up).

    ``Discretization(bin_boundaries=None, num_bins=None, epsilon=0.01,
    output_mode="int", sparse=False, dtype=None, name=None)``.

    Give ``bin_boundaries`` (sorted), or ``num_bins`` and call
    ``adapt(data, batch_size=None, steps=None)`` to place ``num_bins - 1`` boundaries
    at the data's quantiles (adapt may run again and replaces them); a layer given
    neither can be created, as in Keras, but raises when called. ``output_mode``
    is ``"int"`` (the bin indices, int64), or ``"one_hot"``, ``"multi_hot"``,
    ``"count"`` (vectors of ``len(bin_boundaries) + 1``, floats), encoded as in
    ``CategoryEncoding``. ``sparse=True`` is refused (dense tensors only). The
    boundaries are part of the config (``get_config``), so a saved model keeps
    those ``adapt`` found.

    >>> import numpy as np
    >>> from lamina import layers
    >>> data = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    >>> layer = layers.Discretization(num_bins=4, epsilon=0.01)
    >>> layer.adapt(data)
    >>> layer.bin_boundaries
    [0.0, 1.0, 3.0]
    >>> layer(data).tolist()
    [[0, 2, 3, 1], [1, 3, 2, 1]]
    """

    autocast = False

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        encoding.check_mode("Discretization", output_mode, _MODES)
        encoding.check_not_sparse("Discretization", sparse)
        if dtype is None:
            dtype = "int64" if output_mode == "int" else K.floatx()
        super().__init__(dtype=dtype, name=name)
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(
                num_bins, int) or num_bins < 1):
            raise ValueError(f"Discretization {self.name!r}: num_bins must be a positive int; "
                             f"received {num_bins!r}.")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(bin_boundaries).ravel()]
            if any(b > a for b, a in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"Discretization {self.name!r}: bin_boundaries must be "
                                 f"sorted; received {bin_boundaries}.")
            if num_bins is not None and len(bin_boundaries) != num_bins - 1:
                raise ValueError(f"Discretization {self.name!r}: give bin_boundaries or "
                                 f"num_bins; with both, num_bins must be "
                                 f"len(bin_boundaries) + 1. Received num_bins={num_bins} and "
                                 f"{len(bin_boundaries)} boundaries.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse

    def adapt(self, data, batch_size=None, steps=None):
        """Place ``num_bins - 1`` boundaries at the quantiles of ``data`` (arrays, lists,
        tensors, an iterable of batches or a ``PyDataset``).

        >>> layer = Discretization(num_bins=2)
        >>> layer.adapt([[1.0], [2.0], [3.0], [4.0]])
        >>> layer.bin_boundaries
        [3.0]
        """
        where = f"Discretization layer {self.name!r}"
        if self.num_bins is None:
            raise ValueError(f"{where} was given bin_boundaries and no num_bins; adapt needs "
                             f"num_bins.")
        values = [b.astype("float64").ravel() for b in batches(data, where, batch_size, steps)]
        values = np.sort(np.concatenate(values)) if values else np.zeros(0)
        values = values[~np.isnan(values)]
        if not values.size:
            raise ValueError(f"{where}: adapt received no data.")
        ranks = [min(values.size - 1, (i * values.size) // self.num_bins)
                 for i in range(1, self.num_bins)]
        self.bin_boundaries = [float(values[r]) for r in ranks]

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization layer {self.name!r} has no bin boundaries: "
                             f"create it with bin_boundaries, or with num_bins and call "
                             f"adapt(data) first (num_bins={self.num_bins}).")
        inputs = K.convert_to_tensor(inputs)
        if not K.standardize_dtype(inputs.dtype).startswith("float"):
            inputs = K.cast(inputs, "float64")
        boundaries = K.convert_to_tensor(
            np.asarray(self.bin_boundaries, K.standardize_dtype(inputs.dtype)))
        indices = K.cast(K.digitize(inputs, boundaries), "int64")
        if self.output_mode == "int":
            return indices if self.dtype == "int64" else K.cast(indices, self.dtype)
        return encoding.encode(indices, len(self.bin_boundaries) + 1, self.output_mode,
                               self.dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoding.output_shape(input_shape, len(self.bin_boundaries or ()) + 1,
                                     self.output_mode)

    def get_config(self):
        config = super().get_config()
        config.update(bin_boundaries=self.bin_boundaries, num_bins=self.num_bins,
                      epsilon=self.epsilon, output_mode=self.output_mode, sparse=self.sparse)
        return config
