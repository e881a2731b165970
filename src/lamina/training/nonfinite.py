"""The warning ``fit`` gives once when the training loss turns NaN or infinite.

As in Keras, ``fit`` trains on after a non-finite loss; it warns at the end of the
first epoch whose loss is not finite and points to ``TerminateOnNaN``. The check
reads the epoch's logs, which ``fit`` fetches from the device anyway: checking each
batch would make every step wait for the device (the logged loss is a running mean
of the epoch, so a bad batch shows in its epoch's value). ``TerminateOnNaN`` pays
that wait and names the batch.

>>> import warnings
>>> watch = LossWatch([], epochs=5)
>>> watch.epoch_end(0, {"loss": 0.7})
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     watch.epoch_end(1, {"loss": float("nan")})
...     watch.epoch_end(2, {"loss": float("nan")})
>>> [str(w.message)[:46] for w in caught]
['fit: the training loss is nan in epoch 2/5: a ']
"""

import math
import warnings


class LossWatch:
    """Warns once, at the first epoch whose logged ``"loss"`` is NaN or infinite,
    unless ``callbacks`` hold a ``TerminateOnNaN`` (which reports it itself)."""

    def __init__(self, callbacks, epochs):
        from lamina.callbacks import TerminateOnNaN
        listed = getattr(callbacks, "callbacks", callbacks)
        self.active = not any(isinstance(c, TerminateOnNaN) for c in listed)
        self.epochs = epochs

    def epoch_end(self, epoch, logs):
        """Check the epoch logs of ``epoch`` (counted from 0), floats."""
        loss = logs.get("loss")
        if not self.active or loss is None or math.isfinite(loss):
            return
        self.active = False
        warnings.warn(
            f"fit: the training loss is {loss} in epoch {epoch + 1}/{self.epochs}: a batch of "
            "this epoch gave a NaN or infinite loss, and the Variables may hold NaN from then "
            "on. Training goes on, as in Keras. To stop at the first such batch (and learn "
            "which it is), pass callbacks=[lamina.callbacks.TerminateOnNaN()]; with "
            "TerminateOnNaN(restore_last_good=True) the model also gets back the Variables "
            "from before that batch.", RuntimeWarning, stacklevel=4)
