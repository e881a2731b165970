"""PyDataset: a dataset of batches read by index (Keras' ``PyDataset``, formerly
``Sequence``), which ``fit`` can read again every epoch.

>>> import numpy as np
>>> class Squares(PyDataset):
...     def __len__(self):
...         return 3
...     def __getitem__(self, index):
...         x = np.full((2, 1), float(index), "float32")
...         return x, x ** 2
>>> data = Squares()
>>> len(data), data[2][1].ravel().tolist()
(3, [4.0, 4.0])
"""

from lamina._arguments import positive_int


class PyDataset:
    """Subclass it with ``__len__`` (the number of batches) and ``__getitem__(index)``
    returning ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` for batch ``index``;
    ``on_epoch_end()`` runs after each epoch (shuffle there). ``workers > 1`` reads
    batches ahead in that many threads (worth it when reading is I/O-bound);
    ``use_multiprocessing`` is not offered: threads share the dataset object safely
    and need no pickling. ``max_queue_size`` is accepted for Keras compatibility.

    >>> PyDataset(workers=2).workers
    2
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        if use_multiprocessing:
            raise ValueError("PyDataset: use_multiprocessing=True is not supported; lamina "
                             "reads batches ahead in threads (workers=N) instead.")
        if positive_int(workers) is None:
            raise ValueError(f"PyDataset: workers must be an int >= 1; received {workers!r}.")
        self.workers = int(workers)
        self.use_multiprocessing = False
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of "
                                  "batches).")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) "
                                  "returning batch number `index`.")

    def on_epoch_end(self):
        """Called after each epoch; override it to reshuffle."""
