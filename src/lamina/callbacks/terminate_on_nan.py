"""``TerminateOnNaN``: stop training at the first batch whose loss is NaN or infinite.

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

from lamina.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Sets ``model.stop_training = True`` and prints ``"Batch 12: Invalid loss,
    terminating training"`` when a training batch's ``"loss"`` is NaN or infinite.

    It reads the loss at every batch (``float(logs["loss"])``), so the batch's
    computation must finish before the next one starts.

    >>> from lamina import backend as K
    >>> class Model:
    ...     stop_training = False
    >>> callback = TerminateOnNaN(); callback.set_model(Model())
    >>> callback.on_train_batch_end(0, {"loss": K.convert_to_tensor(float("inf"))})
    Batch 0: Invalid loss, terminating training
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
