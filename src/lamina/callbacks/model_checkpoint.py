"""``ModelCheckpoint``: save the model (or its weights) during training, at each epoch
end or every N batches, always or only when a monitored value improves.

>>> import os, tempfile
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> folder = tempfile.mkdtemp()
>>> checkpoint = ModelCheckpoint(os.path.join(folder, "model-{epoch:02d}.lamina"))
>>> checkpoint.set_model(model)
>>> checkpoint.on_epoch_end(0, {"loss": 0.5})
>>> sorted(os.listdir(folder))
['model-01.lamina']
"""

import math
import os
import warnings

from lamina.callbacks._monitor import check_mode, check_number, improves
from lamina.callbacks._save_freq import BatchCounter, check_save_freq, first_step
from lamina.callbacks.callback import Callback


def _number(value):
    """A log value as a Python float when it is a number (0-d tensors included)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


class ModelCheckpoint(Callback):
    """Saves the model to ``filepath`` during ``fit``.

    ``filepath`` may hold format fields filled with ``epoch`` (counted from 1), the
    logs' values and, when saving every N batches, ``batch`` (counted from 1 in its
    epoch): ``"ckpt-{epoch:02d}-{val_loss:.2f}.lamina"``. The whole model is saved as
    ``model.save`` does, or with ``save_weights_only=True`` its weights as
    ``model.save_weights`` does; lamina's suffixes are ``.lamina`` and
    ``.weights.safetensors``. Keras names (``"best.keras"``, ``"best.weights.h5"``) work
    too: the file is lamina's format under that name, with a warning (once per
    process) that Keras cannot read it. Missing folders are made.

    ``save_freq='epoch'`` saves at each epoch end; an int N saves each time N more
    training batches have run (the logs are then the epoch's running values so far).

    ``save_best_only=True`` saves only when ``monitor`` is better than the best value
    saved so far (lower or higher, by ``mode``: 'min', 'max', or 'auto' from the name);
    ``initial_value_threshold`` is the value to beat first. A filepath without format
    fields then always holds the best model. When the logs lack ``monitor``, nothing is
    saved and a warning (once) names the keys they hold. ``verbose=1`` prints a line
    for each decision.

    >>> import os, tempfile
    >>> from lamina import Input, Model, layers
    >>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
    >>> path = os.path.join(tempfile.mkdtemp(), "best.weights.safetensors")
    >>> checkpoint = ModelCheckpoint(path, monitor="val_loss", save_best_only=True,
    ...                              save_weights_only=True, verbose=1)
    >>> checkpoint.set_model(model)
    >>> for epoch, val_loss in enumerate([0.5, 0.7, 0.25]):
    ...     checkpoint.on_epoch_end(epoch, {"val_loss": val_loss})  # doctest: +ELLIPSIS
    Epoch 1: val_loss improved from inf to 0.50000; saving the weights to ...
    Epoch 2: val_loss did not improve on 0.50000
    Epoch 3: val_loss improved from 0.50000 to 0.25000; saving the weights to ...
    >>> checkpoint.best
    0.25
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        owner = "ModelCheckpoint"
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = check_mode(owner, mode)
        self.save_freq = check_save_freq(owner, save_freq)
        self._direction = improves(owner, monitor, self.mode) if save_best_only else "down"
        if initial_value_threshold is None:
            self.best = math.inf if self._direction == "down" else -math.inf
        else:
            self.best = float(check_number(owner, "initial_value_threshold",
                                           initial_value_threshold))
        self._counter = None if save_freq == "epoch" else BatchCounter(save_freq)
        self._current_epoch = 0
        self._warned = False

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        if self._counter is not None:
            self._counter.start_epoch(first_step(self.model, epoch))

    def on_train_batch_end(self, batch, logs=None):
        if self._counter is not None and self._counter.due(batch):
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._counter is None:
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = {name: _number(value) for name, value in (logs or {}).items()}
        filepath = self._file_path(epoch, batch, logs)
        what = "the weights" if self.save_weights_only else "the model"
        if not self.save_best_only:
            self._say(f"Epoch {epoch + 1}: saving {what} to {filepath}")
            self._write(filepath)
            return
        current = logs.get(self.monitor)
        if not isinstance(current, float):
            self._warn_missing(logs)
            return
        if self._better(current):
            self._say(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}; saving {what} to {filepath}")
            self.best = current
            self._write(filepath)
        else:
            self._say(f"Epoch {epoch + 1}: {self.monitor} did not improve on {self.best:.5f}")

    def _better(self, value):
        return value < self.best if self._direction == "down" else value > self.best

    def _file_path(self, epoch, batch, logs):
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise KeyError(f"ModelCheckpoint: filepath={self.filepath!r} names the field "
                           f"{e.args[0]!r}, which is neither 'epoch' nor a key of the logs "
                           f"({', '.join(sorted(fields)) or 'none'}).") from None
        except (ValueError, IndexError) as e:
            raise ValueError(f"ModelCheckpoint: cannot fill in filepath={self.filepath!r} with "
                             f"epoch and the logs {fields}: {e}.") from None

    def _write(self, filepath):
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _warn_missing(self, logs):
        if self._warned:
            return
        self._warned = True
        warnings.warn(f"ModelCheckpoint: save_best_only needs monitor={self.monitor!r} as a "
                      "number in the logs, so nothing is saved. Available keys: "
                      f"{', '.join(logs) or 'none'}.", stacklevel=3)

    def _say(self, message):
        if self.verbose > 0:
            print(message)
