"""``ProgbarLogger``: the progress bars ``fit``, ``evaluate`` and ``predict`` print.

>>> logger = ProgbarLogger()
>>> logger.set_params({"verbose": 2, "epochs": 2, "steps": 3})
>>> logger.on_train_begin()
>>> logger.on_epoch_begin(0)
Epoch 1/2
>>> for batch in range(3):
...     logger.on_train_batch_end(batch, {"loss": 0.5})
>>> logger.on_epoch_end(0, {"loss": 0.4})  # doctest: +ELLIPSIS
3/3 - 0s - ...s/step - loss: 0.4000
"""

from lamina.backend import stepping
from lamina.callbacks.callback import Callback
from lamina.utils import io_utils
from lamina.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints an ``"Epoch 3/10"`` header and a :class:`~lamina.utils.progbar.Progbar`
    per epoch of ``fit`` (the header too when there is one epoch, and in a log file
    as on a terminal), one bar for ``evaluate`` and one for ``predict``; the
    validation inside ``fit`` prints nothing.

    Follows ``params["verbose"]``: 1 a live bar on a terminal (the final line only
    elsewhere), 2 one line per epoch, 0 nothing. Batch logs are the running values
    of the epoch's metrics, so the bar shows each name's latest value; the epoch's
    line shows the epoch logs. When ``params["steps"]`` is None, the first epoch's
    bar counts batches without a target, and later epochs use its count. A compile
    that takes over a second shows a note (``compiling the train step...``) on the
    bar's line (verbose 1 and 2).

    >>> logger = ProgbarLogger()
    >>> logger.set_params({"verbose": 0, "epochs": 1, "steps": None})
    >>> logger.on_predict_begin(); logger.on_predict_batch_end(0); logger.on_predict_end()
    >>> logger.target
    1
    """

    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.seen = 0
        self.progbar = None
        self._in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        verbose = 1 if verbose == "auto" else verbose
        if verbose not in (0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"ProgbarLogger: params['verbose'] must be 0, 1, 2 or 'auto'. "
                             f"Received {verbose!r}.")
        self.verbose = verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _start_progbar(self):
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose, stateless_metrics=())

    def _listen_to_compiles(self):
        if self.verbose:
            stepping.listen_to_compiles(self._note)

    def _note(self, text):
        if self.progbar is None:
            self._start_progbar()
        self.progbar.note(text)

    def _advance(self, batch, logs):
        if self.progbar is None:
            self._start_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, logs, finalize=False)

    def _finish(self, logs):
        if self.progbar is None:
            self._start_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, logs, finalize=True)

    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._listen_to_compiles()

    def on_train_end(self, logs=None):
        self._in_fit = False
        stepping.listen_to_compiles(None)

    def on_epoch_begin(self, epoch, logs=None):
        self._start_progbar()
        if self.verbose:
            io_utils.print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._start_progbar()
            self._listen_to_compiles()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._advance(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)
            stepping.listen_to_compiles(None)

    def on_predict_begin(self, logs=None):
        self._start_progbar()
        self._listen_to_compiles()

    def on_predict_batch_end(self, batch, logs=None):
        self._advance(batch, None)

    def on_predict_end(self, logs=None):
        self._finish(logs)
        stepping.listen_to_compiles(None)
