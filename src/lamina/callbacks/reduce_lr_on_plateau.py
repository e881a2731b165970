"""``ReduceLROnPlateau``: lower the learning rate when a monitored value stops improving.

>>> class Optimizer:
...     learning_rate = 0.1
>>> class Model:
...     optimizer = Optimizer()
>>> model = Model()
>>> reducer = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
>>> reducer.set_model(model); reducer.on_train_begin()
>>> for epoch, loss in enumerate([0.5, 0.5, 0.5]):
...     reducer.on_epoch_end(epoch, {"loss": loss})
>>> model.optimizer.learning_rate
0.025
"""

import math
import warnings

import numpy as np

from lamina._arguments import is_number
from lamina.callbacks._learning_rate import read_learning_rate
from lamina.callbacks._monitor import check_count, check_mode, improves
from lamina.callbacks.callback import Callback


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` once ``monitor`` has not improved (by
    more than ``min_delta``, in the direction of ``mode``) for ``patience`` epochs.

    After a reduction, the next ``cooldown`` epochs are calm (they do not count
    towards ``patience``; Keras' counter makes its calm one epoch shorter, so that
    its ``cooldown=1`` has no effect). The rate never goes below ``min_lr``. The rate is read as
    ``float(model.optimizer.learning_rate)`` and set by assigning a float to it; the
    epoch logs get its current value as ``"learning_rate"``. A missing ``monitor``
    warns, naming the keys the logs hold.

    >>> class Optimizer:
    ...     learning_rate = 1.0
    >>> class Model:
    ...     optimizer = Optimizer()
    >>> model = Model()
    >>> reducer = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=0, cooldown=1)
    >>> reducer.set_model(model); reducer.on_train_begin()
    >>> rates = []
    >>> for epoch in range(4):
    ...     logs = {"val_loss": 1.0}
    ...     reducer.on_epoch_end(epoch, logs)
    ...     rates.append(logs["learning_rate"])
    >>> rates, model.optimizer.learning_rate
    ([1.0, 1.0, 0.5, 0.5], 0.25)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        owner = "ReduceLROnPlateau"
        if not is_number(factor) or \
                not 0 <= factor < 1:
            raise ValueError(f"{owner}: factor must be a number in [0, 1) (the rate is "
                             f"multiplied by it). Received factor={factor!r}.")
        for name, value in (("min_delta", min_delta), ("min_lr", min_lr)):
            if not is_number(value) or \
                    not math.isfinite(value) or value < 0:
                raise ValueError(f"{owner}: {name} must be a finite number >= 0. Received "
                                 f"{name}={value!r}.")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = check_count(owner, "patience", patience)
        self.verbose = verbose
        self.mode = check_mode(owner, mode)
        self.min_delta = float(min_delta)
        self.cooldown = check_count(owner, "cooldown", cooldown)
        self.min_lr = float(min_lr)
        self._direction = improves(owner, monitor, self.mode)
        self._reset()

    def _reset(self):
        self.best = math.inf if self._direction == "down" else -math.inf
        self.wait = 0
        self.cooldown_counter = 0

    def _better(self, value):
        if self._direction == "down":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def in_cooldown(self):
        """Whether the calm epochs after a reduction are still running.

        >>> ReduceLROnPlateau(cooldown=2).in_cooldown()
        False
        """
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        learning_rate = read_learning_rate("ReduceLROnPlateau", self.model)
        logs["learning_rate"] = learning_rate
        if self.monitor not in logs:
            warnings.warn(f"ReduceLROnPlateau: monitor={self.monitor!r} is not in the epoch "
                          f"logs, so the learning rate is left as it is. Available keys: "
                          f"{', '.join(logs)}.", stacklevel=2)
            return
        value = float(logs[self.monitor])
        improved = self._better(value)
        if improved:
            self.best = value
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
            return
        if improved:
            self.wait = 0
            return
        self.wait += 1
        # The stored rate may be float32: compare with min_lr rounded the same way, so
        # that a rate already at min_lr is not "reduced" to it again and again.
        if self.wait >= self.patience and learning_rate > float(np.float32(self.min_lr)):
            new_rate = max(learning_rate * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_rate
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{new_rate}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0
