"""``EarlyStopping``: stop training when a monitored value stops improving.

>>> class Model:
...     stop_training = False
>>> model = Model()
>>> stopper = EarlyStopping(monitor="loss", patience=1)
>>> stopper.set_model(model); stopper.on_train_begin()
>>> for epoch, loss in enumerate([0.5, 0.4, 0.45, 0.44]):
...     stopper.on_epoch_end(epoch, {"loss": loss})
...     if model.stop_training:
...         break
>>> epoch, stopper.stopped_epoch
(2, 2)
"""

import warnings

from lamina.callbacks._monitor import check_count, check_mode, check_number, improves
from lamina.callbacks.callback import Callback


class EarlyStopping(Callback):
    """Stops training (``model.stop_training = True``) once ``monitor`` has not improved
    for ``patience`` epochs.

    An epoch improves on the best so far when it is better by more than ``min_delta``
    (in the direction given by ``mode``: 'min', 'max', or 'auto' from the name).
    Epochs before ``start_from_epoch`` are ignored. With ``baseline``, the patience
    counter only restarts once the value also beats the baseline. With
    ``restore_best_weights``, the weights of the best epoch (``model.get_weights()``)
    are put back (``model.set_weights``) when training ends. A missing ``monitor``
    warns, naming the keys the logs hold, and the epoch is skipped.

    >>> class Model:
    ...     stop_training = False
    ...     weights = [0]
    ...     def get_weights(self): return list(self.weights)
    ...     def set_weights(self, weights): self.weights = list(weights)
    >>> model = Model()
    >>> stopper = EarlyStopping(monitor="val_accuracy", patience=1, restore_best_weights=True)
    >>> stopper.set_model(model); stopper.on_train_begin()
    >>> for epoch, accuracy in enumerate([0.6, 0.8, 0.7, 0.75]):
    ...     model.weights = [epoch]
    ...     stopper.on_epoch_end(epoch, {"val_accuracy": accuracy})
    >>> stopper.on_train_end()
    >>> model.stop_training, stopper.best_epoch, model.weights
    (True, 1, [1])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        owner = "EarlyStopping"
        self.monitor = monitor
        self.min_delta = abs(check_number(owner, "min_delta", min_delta))
        self.patience = check_count(owner, "patience", patience)
        self.verbose = verbose
        self.mode = check_mode(owner, mode)
        self.baseline = None if baseline is None else check_number(owner, "baseline", baseline)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = check_count(owner, "start_from_epoch", start_from_epoch)
        self._direction = improves(owner, monitor, self.mode)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def _better(self, value, reference):
        if reference is None:
            return True
        if self._direction == "down":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            warnings.warn(f"EarlyStopping: monitor={self.monitor!r} is not in the epoch logs, "
                          f"so this epoch is skipped. Available keys: {', '.join(logs)}.",
                          stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        value = float(logs[self.monitor])
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._better(value, self.best):
            self.best = value
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
