"""Boston housing prices (StatLib, 1970s): 506 suburbs described by 13 attributes,
with the median home value in k$ as the target.

The dataset has an ethical problem: one attribute was built on the assumption that
racial self-segregation affects house prices. ``california_housing`` (``"small"``) is
a replacement. The data is the ``boston_housing.npz`` file Keras uses, downloaded once
into ``$LAMINA_HOME/datasets`` and checked against the SHA-256 in Keras'
``keras/src/datasets/boston_housing.py``.

>>> from lamina.datasets import boston_housing
>>> boston_housing.SOURCE.url
'https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz'
"""

from lamina.datasets._download import Remote, cache_path, fetch
from lamina.datasets._tabular import check_test_split, read_xy, shuffled_split

SOURCE = Remote(
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz",
    "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5")


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: float arrays of shape ``(n, 13)`` and
    targets of shape ``(n,)``, the rows shuffled with ``seed`` and the last
    ``test_split`` of them (102 of 506 by default) kept for testing.

    ``path`` is where the file is cached, relative to ``$LAMINA_HOME/datasets``; the
    first call downloads it from ``SOURCE.url``, or place the file there by hand.

    >>> from lamina.datasets import boston_housing
    >>> (x_train, y_train), (x_test, y_test) = boston_housing.load_data()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((404, 13), (102, 13))
    """
    check_test_split(test_split, "boston_housing")
    x, y = read_xy(fetch("boston_housing", SOURCE, cache_path(path)), "boston_housing")
    return shuffled_split(x, y, test_split, seed, "boston_housing")
