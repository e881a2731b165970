"""``LearningRateScheduler``: set the learning rate at each epoch from a function.

>>> class Optimizer:
...     learning_rate = 0.1
>>> class Model:
...     optimizer = Optimizer()
>>> scheduler = LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch >= 1 else lr)
>>> scheduler.set_model(Model())
>>> for epoch in range(3):
...     scheduler.on_epoch_begin(epoch)
>>> scheduler.model.optimizer.learning_rate
0.025
"""

import inspect
import numbers

from lamina.callbacks._learning_rate import read_learning_rate
from lamina.callbacks.callback import Callback


def _positional_arity(schedule):
    """How many positional arguments ``schedule`` takes (2 when it takes any number)."""
    try:
        parameters = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):
        return 2
    kinds = [p.kind for p in parameters]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return 2
    return sum(kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
               for kind in kinds)


class LearningRateScheduler(Callback):
    """At the start of each epoch, sets ``model.optimizer.learning_rate`` to
    ``schedule(epoch, lr)``, where ``lr`` is the current rate (a ``schedule(epoch)``
    taking one argument works too). ``verbose=1`` prints each new rate. The epoch
    logs get the rate as ``"learning_rate"``.

    >>> import math
    >>> class Optimizer:
    ...     learning_rate = 1.0
    >>> class Model:
    ...     optimizer = Optimizer()
    >>> scheduler = LearningRateScheduler(lambda epoch: math.exp(-epoch), verbose=1)
    >>> scheduler.set_model(Model())
    >>> scheduler.on_epoch_begin(2)
    Epoch 3: LearningRateScheduler setting learning rate to 0.1353352832366127.
    >>> logs = {}; scheduler.on_epoch_end(2, logs); round(logs["learning_rate"], 4)
    0.1353
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler: schedule must be a callable "
                            "(epoch, lr) -> new learning rate. Received "
                            f"{schedule!r} ({type(schedule).__name__}).")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_rate = _positional_arity(schedule) >= 2

    def on_epoch_begin(self, epoch, logs=None):
        if self._takes_rate:
            current = read_learning_rate("LearningRateScheduler", self.model)
            learning_rate = self.schedule(epoch, current)
        else:
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
            raise ValueError("LearningRateScheduler: schedule must return a float. Received "
                             f"{learning_rate!r} ({type(learning_rate).__name__}) at epoch "
                             f"{epoch}.")
        learning_rate = float(learning_rate)
        self.model.optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = read_learning_rate("LearningRateScheduler", self.model)
