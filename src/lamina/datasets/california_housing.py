"""California housing prices (1990 U.S. census): 20,640 block groups described by 8
features (median income, house age, average rooms and bedrooms, population, average
occupancy, latitude, longitude), with the median house value in dollars as the target.

The data is the ``california_housing.npz`` file Keras uses, downloaded once into
``$LAMINA_HOME/datasets`` and checked against the SHA-256 in Keras'
``keras/src/datasets/california_housing.py``.

>>> from lamina.datasets import california_housing
>>> california_housing.SOURCE.hash_algorithm
'sha256'
"""

from lamina.datasets._download import Remote, cache_path, fetch
from lamina.datasets._tabular import check_test_split, read_xy, shuffled_split

SOURCE = Remote(
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz",
    "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f")

SMALL_SIZE = 600


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: float arrays of shape ``(n, 8)`` and
    targets of shape ``(n,)``, the rows shuffled with ``seed`` and the last
    ``test_split`` of them kept for testing. ``version="large"`` is all 20,640 rows;
    ``"small"`` the file's first 600, a stand-in for ``boston_housing``.

    ``path`` is where the file is cached, relative to ``$LAMINA_HOME/datasets``; the
    first call downloads it from ``SOURCE.url``, or place the file there by hand.

    >>> from lamina.datasets import california_housing
    >>> (x_train, y_train), _ = california_housing.load_data("small")  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (480, 8)
    """
    if version not in ("large", "small"):
        raise ValueError(f"california_housing.load_data: version must be 'large' or 'small'. "
                         f"Received version={version!r}.")
    check_test_split(test_split, "california_housing")
    x, y = read_xy(fetch("california_housing", SOURCE, cache_path(path)),
                   "california_housing")
    if version == "small":
        x, y = x[:SMALL_SIZE], y[:SMALL_SIZE]
    return shuffled_split(x, y, test_split, seed, "california_housing")
