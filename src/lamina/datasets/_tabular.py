"""What ``boston_housing`` and ``california_housing`` share: an ``.npz`` of features
``x`` and targets ``y`` (read with pickling off), shuffled with a seed and split.

>>> import numpy as np
>>> (x_train, y_train), (x_test, y_test) = shuffled_split(
...     np.arange(10).reshape(5, 2), np.arange(5), test_split=0.2, seed=0, dataset="demo")
>>> x_train.shape, x_test.shape, sorted(y_train.tolist() + y_test.tolist())
((4, 2), (1, 2), [0, 1, 2, 3, 4])
"""

import numpy as np


def check_test_split(test_split, dataset):
    """``test_split`` when it is in [0, 1), else a ValueError naming ``dataset``."""
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or \
            not 0 <= test_split < 1:
        raise ValueError(f"{dataset}.load_data: test_split must be a number in [0, 1). "
                         f"Received test_split={test_split!r}.")
    return test_split


def read_xy(local, dataset):
    """The arrays ``x`` and ``y`` of the ``.npz`` file at ``local``, one target per row."""
    with np.load(local, allow_pickle=False) as arrays:
        missing = [key for key in ("x", "y") if key not in arrays.files]
        if missing:
            raise ValueError(f"{dataset}.load_data: expected {local} to hold ['x', 'y']. It "
                             f"lacks {missing} (it holds {arrays.files}).")
        x, y = arrays["x"], arrays["y"]
    if len(x) != len(y):
        raise ValueError(f"{dataset}.load_data: expected {local} to hold one target per row "
                         f"of x. Received {len(x)} rows and {len(y)} targets.")
    return x, y


def shuffled_split(x, y, test_split, seed, dataset):
    """``(x_train, y_train), (x_test, y_test)``: the rows shuffled with
    ``np.random.RandomState(seed)``, the last ``test_split`` of them for testing."""
    check_test_split(test_split, dataset)
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
