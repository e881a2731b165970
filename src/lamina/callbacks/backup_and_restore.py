"""``BackupAndRestore``: back up a training run as it goes, so that a run that was
interrupted (killed, out of memory, a preempted machine) and is started again with
the same callback goes on from its last backup and ends where an uninterrupted run
ends.

>>> import tempfile
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> backup = BackupAndRestore(tempfile.mkdtemp())
>>> backup.set_model(model)
>>> backup.on_epoch_end(0, {"loss": 0.5})  # the run is backed up here
>>> model._fit_start = {"epoch": 0, "step": 0, "shuffle_seed": None}  # as fit sets it
>>> backup.on_train_begin()  # a new run finds the backup
>>> model._fit_start["epoch"]
1
"""

import os

from lamina.callbacks._save_freq import BatchCounter, check_save_freq, first_step
from lamina.callbacks.callback import Callback
from lamina.saving import training_state


class BackupAndRestore(Callback):
    """Backs up the run in ``backup_dir`` and restores it when ``fit`` starts.

    The backup (see :mod:`lamina.saving.training_state`) holds the model's Variables
    (weights and random seed states), the optimizer's state, the position in training
    (epoch, and batch within it) and the seed of the data order (``shuffle=True``
    shuffles epoch k the same way in every run from that seed). It is written
    atomically at each epoch end (``save_freq='epoch'``) or each time ``save_freq``
    more batches have run (an int).

    When ``fit`` starts and ``backup_dir`` holds a backup, it is loaded into the model
    and ``fit`` goes on from there: from the next epoch, or from the next batch within
    the epoch (the batches already done are skipped; the epoch's logged loss and
    metrics then cover only the batches run after the restart). A backup taken after an
    epoch's last batch goes on from the next epoch. When training ends normally (all
    epochs run, or stopped by a callback) the backup is deleted, unless
    ``delete_checkpoint=False``; after an error it stays.

    The model must be built when ``fit`` starts (a functional or Sequential model with
    an ``Input`` is), and must be the same model, built by the same code, as the one
    backed up. Restarting with other data, ``batch_size`` or ``epochs`` is allowed but
    no longer reproduces the uninterrupted run.

    >>> import tempfile
    >>> backup = BackupAndRestore(tempfile.mkdtemp(), save_freq=100)
    >>> backup.save_freq, backup.delete_checkpoint
    (100, True)
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        owner = "BackupAndRestore"
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise ValueError(f"{owner}: backup_dir must be the path of a folder. Received "
                             f"backup_dir={backup_dir!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = check_save_freq(owner, save_freq)
        self.delete_checkpoint = delete_checkpoint
        self._counter = None
        self._current_epoch = 0

    def on_train_begin(self, logs=None):
        self._counter = None if self.save_freq == "epoch" else BatchCounter(self.save_freq)
        if not os.path.exists(os.path.join(self.backup_dir, training_state.STATE_FILE)):
            return
        if not self.model.built:
            raise ValueError(f"BackupAndRestore: model {self.model.name!r} is not built when "
                             f"training starts, so the backup in {self.backup_dir!r} cannot be "
                             "loaded into it. Build it first (call it on a batch, or start it "
                             "with an Input).")
        try:
            position = training_state.load_training_state(self.model, self.backup_dir)
        except ValueError as e:
            raise type(e)(f"BackupAndRestore: cannot restore the backup in {self.backup_dir!r} "
                          f"into model {self.model.name!r}: {e}") from e
        start = getattr(self.model, "_fit_start", None)
        if start is not None:
            start.update(position)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        if self._counter is not None:
            self._counter.start_epoch(first_step(self.model, epoch))

    def on_train_batch_end(self, batch, logs=None):
        if self._counter is None or not self._counter.due(batch):
            return
        steps = self.params.get("steps")
        if steps is not None and batch + 1 >= steps:
            self._back_up(self._current_epoch + 1, 0)
        else:
            self._back_up(self._current_epoch, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self._counter is None:
            self._back_up(epoch + 1, 0)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            training_state.delete_training_state(self.backup_dir)

    def _back_up(self, epoch, step):
        start = getattr(self.model, "_fit_start", None) or {}
        training_state.save_training_state(
            self.model, self.backup_dir,
            {"epoch": epoch, "step": step, "shuffle_seed": start.get("shuffle_seed")})
