"""Training: ``compile``, the engine-compiled steps, the epoch loops and the data
adapters that :class:`~lamina.Model` uses (see :mod:`lamina.training.trainer`).

>>> from lamina.training import PyDataset
>>> PyDataset().workers
1
"""

from lamina.training.py_dataset import PyDataset  # noqa: F401
