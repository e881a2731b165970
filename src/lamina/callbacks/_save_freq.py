"""When ModelCheckpoint and BackupAndRestore save: ``save_freq`` is ``'epoch'`` (at
each epoch end) or an int N (each time N more training batches have run, counted
across epochs).

>>> counter = BatchCounter(2)
>>> counter.start_epoch(first_step=0)
>>> [counter.due(batch) for batch in range(5)]
[False, True, False, True, False]
"""

from lamina._arguments import is_int


def check_save_freq(owner, save_freq):
    """``save_freq`` if it is ``'epoch'`` or an int >= 1, else a ValueError naming ``owner``.

    >>> check_save_freq("ModelCheckpoint", 10)
    10
    """
    if save_freq == "epoch":
        return save_freq
    if not is_int(save_freq) or save_freq < 1:
        raise ValueError(f"{owner}: save_freq must be 'epoch' or an int >= 1 (a number of "
                         f"batches). Received save_freq={save_freq!r}.")
    return save_freq


def first_step(model, epoch):
    """The index of the first batch ``fit`` runs in ``epoch``: past 0 only in the epoch a
    resumed run starts in (``model._fit_start``, see ``BackupAndRestore``).

    >>> class Model:
    ...     _fit_start = {"epoch": 2, "step": 3}
    >>> first_step(Model(), 2), first_step(Model(), 3)
    (3, 0)
    """
    start = getattr(model, "_fit_start", None)
    if start is not None and start["epoch"] == epoch:
        return start["step"]
    return 0


class BatchCounter:
    """Counts the training batches that ran; ``due(batch)`` is true each time ``every``
    more have run since the last time it was. ``batch`` is the index of the last batch
    run (several at once with ``steps_per_execution``); call ``start_epoch`` before each
    epoch's first batch.

    >>> counter = BatchCounter(3)
    >>> counter.start_epoch(first_step=0)
    >>> counter.due(1), counter.due(3)  # two batches, then two more at once
    (False, True)
    """

    def __init__(self, every):
        self.every = every
        self.seen = 0
        self.last = -1

    def start_epoch(self, first_step=0):
        """Forget the previous epoch's batch indices; this epoch starts at ``first_step``."""
        self.last = first_step - 1

    def due(self, batch):
        """Whether ``every`` batches have run since the last time this was true."""
        self.seen += batch - self.last
        self.last = batch
        if self.seen >= self.every:
            self.seen = 0
            return True
        return False
