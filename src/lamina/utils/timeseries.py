"""timeseries_dataset_from_array: sliding windows over a time series, as a dataset.

>>> import numpy as np
>>> data = timeseries_dataset_from_array(np.arange(6), None, sequence_length=3, batch_size=None)
>>> [w.tolist() for w in data]
[[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
"""

import numpy as np

from lamina.utils.dataset_utils import Dataset


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"timeseries_dataset_from_array: `{name}` must be an int >= 1; "
                         f"received {name}={value!r}.")
    return int(value)


def _bounds(start_index, end_index, length):
    start = 0 if start_index is None else start_index
    end = length if end_index is None else end_index
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) \
            or not 0 <= start < length:
        raise ValueError("timeseries_dataset_from_array: `start_index` must be an int in "
                         f"[0, {length}) for data of length {length}; received "
                         f"start_index={start_index!r}.")
    if isinstance(end, bool) or not isinstance(end, (int, np.integer)) \
            or not start < end <= length:
        raise ValueError("timeseries_dataset_from_array: `end_index` must be an int greater "
                         f"than start_index={start} and at most the data length {length}; "
                         f"received end_index={end_index!r}.")
    return int(start), int(end)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Windows of ``sequence_length`` timesteps taken from ``data[start_index:end_index]``:
    window ``i`` starts at timestep ``start_index + i * sequence_stride`` and takes every
    ``sampling_rate``-th step. With ``targets``, window starting at timestep ``t`` is
    paired with ``targets[t]``. Returns a :class:`~lamina.utils.dataset_utils.Dataset`
    of batches ``(windows, targets)`` (or ``windows`` alone), ``batch_size`` windows
    each (``None``: single windows), in a new order each epoch when ``shuffle``.

    >>> x = np.arange(10)
    >>> data = timeseries_dataset_from_array(x, x[3:], sequence_length=3, batch_size=2)
    >>> windows, targets = data[0]
    >>> windows.tolist(), targets.tolist(), len(data)
    ([[0, 1, 2], [1, 2, 3]], [3, 4], 4)
    >>> data = timeseries_dataset_from_array(x, None, 2, sequence_stride=3, sampling_rate=2,
    ...                                      batch_size=None, start_index=1)
    >>> [w.tolist() for w in data]
    [[1, 3], [4, 6], [7, 9]]
    """
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("timeseries_dataset_from_array: `data` must be an array with a time "
                         f"axis first; received a scalar {data!r}.")
    sequence_length = _positive_int(sequence_length, "sequence_length")
    sequence_stride = _positive_int(sequence_stride, "sequence_stride")
    sampling_rate = _positive_int(sampling_rate, "sampling_rate")
    start, end = _bounds(start_index, end_index, len(data))
    span = (sequence_length - 1) * sampling_rate + 1
    count = end - start - span + 1
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets) - start)
    if count <= 0:
        raise ValueError(f"timeseries_dataset_from_array: a window of sequence_length="
                         f"{sequence_length} with sampling_rate={sampling_rate} spans {span} "
                         f"timesteps, more than the {end - start} timesteps of data from "
                         f"start_index={start} to end_index={end} (or of `targets`).")
    starts = start + np.arange(0, count, sequence_stride)
    steps = np.arange(sequence_length) * sampling_rate

    def load(index):
        first = starts[np.asarray(index)]
        windows = data[first[:, None] + steps]
        return windows if targets is None else (windows, targets[first])

    return Dataset(load, len(starts), batch_size=batch_size, shuffle=shuffle, seed=seed)
