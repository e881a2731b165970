"""How ``predict`` and ``predict_on_batch`` run a model's predict step on batches.

Outputs stay where the step put them (on the device) and come back to NumPy in
groups: every :data:`FETCH_BYTES` of pending outputs and at the end, one fetch per
group (:meth:`Collector.add`), so no batch waits for the one before it to finish.

On an engine that compiles one program per input shape (JAX), a batch whose size is
not a *bucket* (a power of two, or the loop's full batch size) is padded up to the
next bucket and its outputs fetched and sliced back (a slice on the device would
compile once per size), so predicting on 1, 2, 3, ... 40 samples compiles a handful
of programs instead of one per size. Padding repeats the batch's
own rows (valid inputs for any model, integer token ids included).

Padding is only correct for a per-sample model: row ``i`` of every output depends on
row ``i`` of the inputs alone. A model whose outputs mix the samples (a batch mean, a
size read from ``K.shape(x)[0]``, random draws in inference) would change. The rule:

- a predict step that assigns state (a stateful RNN, a layer updating a Variable in
  inference) is never padded;
- otherwise, the first batch that needs padding is a *probe*: it runs unpadded (the
  result returned) and padded, and padding is used from then on only if the padded
  run gives exactly the same outputs for the real rows. A probe batch whose rows are
  all equal proves nothing (a batch mean of equal rows is one of them) and leaves the
  question open for the next batch.

>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((2,)); model = Model(x, layers.Dense(3)(x))
>>> [model.predict(np.ones((n, 2)), verbose=0).shape for n in (3, 5)]
[(3, 3), (5, 3)]
>>> bucket_size(5, 32), bucket_size(20, 32), bucket_size(40, None)
(8, 32, 64)
"""

import numpy as np

from lamina.backend import tree

# pending output bytes after which predict fetches them to NumPy (bounds device memory)
FETCH_BYTES = 1 << 28


def bucket_size(rows, full):
    """The padded size of a batch of ``rows`` samples: the next power of two, at most
    ``full`` (the loop's batch size; None for a single batch).

    >>> bucket_size(3, 32), bucket_size(32, 32), bucket_size(1, 32)
    (4, 32, 1)
    """
    size = 1 << max(rows - 1, 0).bit_length()
    return size if full is None else min(size, max(full, rows))


def _rows(leaves):
    return int(leaves[0].shape[0]) if leaves and getattr(leaves[0], "ndim", 0) else None


def rows(batch):
    """The number of samples in ``batch`` (None when it has no batch axis).

    >>> rows((np.ones((3, 2)), np.ones((3,))))
    3
    """
    return _rows(tree.flatten(batch)[0])


def _padded(leaves, rows, size):
    index = np.arange(size) % rows
    return [np.take(leaf, index, axis=0) for leaf in leaves]


def _distinct_rows(leaves):
    return any(not (leaf == leaf[:1]).all() for leaf in leaves)


class Padding:
    """Runs a compiled predict ``step`` on batches, padding those of odd sizes (see the
    module's rule). ``per_sample`` is True once a probe showed padding gives the
    unpadded outputs, False when it did not or the step assigns state."""

    def __init__(self, step):
        self.step = step
        self.per_sample = None if getattr(step, "compiles_per_shape", False) else False

    def __getattr__(self, name):  # the step's own (fetch, rebind, distribution, ...)
        return getattr(self.step, name)

    def __call__(self, batch, full=None):
        if self.per_sample is False:
            return self.step(batch)
        leaves, rebuild = tree.flatten(batch)
        rows = _rows(leaves)
        if rows is None or rows == full or rows == bucket_size(rows, full) or \
                not all(isinstance(leaf, np.ndarray) and leaf.ndim and leaf.shape[0] == rows
                        for leaf in leaves):
            return self.step(batch)
        size = bucket_size(rows, full)
        if self.per_sample is None:
            return self._probe(batch, leaves, rebuild, rows, size)
        out, rebuild = tree.flatten(self.step(rebuild(_padded(leaves, rows, size))))
        # sliced in NumPy: a slice on the device would compile once per size
        return rebuild([a[:rows] for a in self.step.fetch(out)])

    def _probe(self, batch, leaves, rebuild, rows, size):
        exact = self.step(batch)
        if getattr(self.step, "assigns_state", True):
            self.per_sample = False
            return exact
        if not _distinct_rows(leaves):
            return exact
        padded = self.step(rebuild(_padded(leaves, rows, size)))
        wanted = self.step.fetch(tree.flatten(exact)[0])
        got = self.step.fetch(tree.flatten(padded)[0])
        self.per_sample = all(a.shape == b[:rows].shape and
                              np.array_equal(a, b[:rows], equal_nan=a.dtype.kind in "fc")
                              for a, b in zip(wanted, got))
        return exact


class Collector:
    """The outputs of predict's batches: kept as the step returned them and fetched to
    NumPy by ``step.fetch`` every :data:`FETCH_BYTES` pending bytes and at the end."""

    def __init__(self, step):
        self.step = step
        self.rebuild = None
        self.pending, self.fetched = [], []
        self.limit = 0  # batches pending before a fetch, set by the first batch

    def add(self, out):
        leaves, self.rebuild = tree.flatten(out)
        self.pending.append(leaves)
        if not self.limit:
            size = sum(int(getattr(leaf, "nbytes", 0)) for leaf in leaves)
            self.limit = max(1, FETCH_BYTES // max(size, 1))
        if len(self.pending) >= self.limit:
            self._fetch()

    def _fetch(self):
        flat = [leaf for leaves in self.pending for leaf in leaves]
        values, width = self.step.fetch(flat), len(self.pending[0])
        self.fetched += [values[i:i + width] for i in range(0, len(values), width)]
        self.pending = []

    def result(self):
        """The outputs of every batch, concatenated, in the model's output structure."""
        if self.pending:
            self._fetch()
        return self.rebuild([np.concatenate(parts) for parts in zip(*self.fetched)])
