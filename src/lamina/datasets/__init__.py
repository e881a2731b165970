"""Small benchmark datasets as NumPy arrays, in Keras' format: ``mnist``,
``fashion_mnist``, ``cifar10``, ``cifar100``, ``imdb``, ``reuters``,
``boston_housing`` and ``california_housing``, each with ``load_data()`` returning
``(x_train, y_train), (x_test, y_test)``.

Files are downloaded once into ``$LAMINA_HOME/datasets`` (``~/.lamina/datasets``)
and verified against their published hashes before every use; see
``lamina.datasets._download`` for the cache's rules.

>>> from lamina import datasets
>>> datasets.cifar10.SOURCE.hash_algorithm, datasets.mnist.SOURCE.hash_algorithm
('md5', 'sha256')
"""

from lamina.datasets import cifar10, fashion_mnist, mnist  # noqa: F401
from lamina.datasets import (  # noqa: F401
    boston_housing, california_housing, cifar100, imdb, reuters)
