"""``History``: the record of each epoch's logs that ``fit`` returns.

>>> history = History()
>>> history.on_train_begin()
>>> for epoch, loss in enumerate([0.9, 0.5]):
...     history.on_epoch_end(epoch, {"loss": loss})
>>> history.epoch, history.history
([0, 1], {'loss': [0.9, 0.5]})
"""

from lamina.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs: ``history[name]`` is the list of that value per epoch
    and ``epoch`` the list of epoch numbers. ``fit`` adds one to every run and sets it
    as ``model.history``; ``fit`` returns it.

    >>> history = History()
    >>> history.on_train_begin()
    >>> history.on_epoch_end(0, {"loss": 0.25, "val_loss": 0.5})
    >>> history.history["val_loss"]
    [0.5]
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            self.model.history = self
