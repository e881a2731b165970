"""``TerminateOnNaN``: stop training at the first batch whose loss is NaN or infinite,
and with ``restore_last_good=True`` put back the Variables from before that batch.

>>> class Model:
...     stop_training = False
>>> callback = TerminateOnNaN(); callback.set_model(Model())
>>> callback.on_train_batch_end(11, {"loss": 0.3})
>>> callback.on_train_batch_end(12, {"loss": float("nan")})
Batch 12: Invalid loss, terminating training
>>> callback.model.stop_training
True
"""

import math

from lamina import backend as K
from lamina.callbacks.callback import Callback


def _finite(values):
    return all(bool(K.convert_to_numpy(K.all(K.isfinite(v)))) for v in values
               if K.standardize_dtype(K.dtype(v)).startswith(("float", "bfloat")))


class TerminateOnNaN(Callback):
    """Sets ``model.stop_training = True`` and prints ``"Batch 12: Invalid loss,
    terminating training"`` when a training batch's ``"loss"`` is NaN or infinite.

    It reads the loss at every batch (``float(logs["loss"])``), so the batch's
    computation must finish before the next one starts.

    ``restore_last_good`` (default False, which leaves the Variables as the bad batch
    made them) copies the model's Variables and the optimizer's state before each
    batch (twice their memory, and a copy per batch), and when the loss turns bad
    assigns them back, so that ``fit`` returns a model from before the bad batch. A
    loss is computed before its batch's update, so when the Variables before the bad
    batch already hold NaN or inf (the update of the batch before diverged) the ones
    from before that batch are restored. With ``steps_per_execution`` above 1, a
    batch here is a group of that many.

    >>> import numpy as np
    >>> from lamina import backend as K, Input, Model, layers
    >>> x = Input((1,)); model = Model(x, layers.Dense(1, kernel_initializer="ones")(x))
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> callback = TerminateOnNaN(restore_last_good=True); callback.set_model(model)
    >>> callback.on_train_begin()
    >>> callback.on_train_batch_begin(0)
    >>> _ = model.layers[-1].kernel.assign([[np.nan]])  # what a diverging update leaves
    >>> callback.on_train_batch_end(0, {"loss": K.convert_to_tensor(float("inf"))})
    Batch 0: Invalid loss, terminating training
    Batch 0: restored the Variables from before batch 0
    >>> model.layers[-1].kernel.numpy().tolist()
    [[1.0]]
    """

    def __init__(self, restore_last_good=False):
        super().__init__()
        if not isinstance(restore_last_good, bool):
            raise TypeError(f"TerminateOnNaN: restore_last_good must be True or False; received "
                            f"{restore_last_good!r}.")
        self.restore_last_good = restore_last_good
        self._snapshots = []  # [(batch, variables, their values)], the latest last

    def _variables(self):
        found = list(self.model.variables)
        optimizer = getattr(self.model, "optimizer", None)
        found += list(getattr(optimizer, "variables", ()))
        return found

    def on_train_begin(self, logs=None):
        self._snapshots = []

    def on_train_batch_begin(self, batch, logs=None):
        if self.restore_last_good:
            variables = self._variables()
            snapshot = (batch, variables, [K.copy(v.value) for v in variables])
            self._snapshots = self._snapshots[-1:] + [snapshot]

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
            if self.restore_last_good:
                self._restore(batch)

    def _restore(self, batch):
        good = [s for s in reversed(self._snapshots) if _finite(s[2])]
        if not good:
            print(f"Batch {batch}: no finite Variables were saved; nothing restored")
            return
        before, variables, values = good[0]
        for variable, value in zip(variables, values):
            variable.assign(value)
        self._snapshots = []
        print(f"Batch {batch}: restored the Variables from before batch {before}")
