"""Small benchmark datasets as NumPy arrays, in Keras' format: ``mnist``,
``fashion_mnist`` and ``cifar10``, each with ``load_data()`` returning
``(x_train, y_train), (x_test, y_test)``.

Files are downloaded once into ``$LAMINA_HOME/datasets`` (``~/.lamina/datasets``)
and verified against their published hashes before every use; see
``lamina.datasets._download`` for the cache's rules.

>>> from lamina import datasets
>>> datasets.cifar10.SOURCE.hash_algorithm, datasets.mnist.SOURCE.hash_algorithm
('md5', 'sha256')
"""

from lamina.datasets import cifar10, fashion_mnist, mnist  # noqa: F401
