"""``Callback``, the base class of the hooks ``fit``, ``evaluate`` and ``predict`` call,
and ``CallbackList``, which calls the hooks of several callbacks.

A training loop calls a ``CallbackList`` at every batch, so its per-batch cost
matters: the list finds once, when a run begins, which callbacks override each
batch hook, and a batch hook calls only those (none: one empty loop).

Batch logs map names to values that may be engine tensors (0-d torch tensors,
JAX arrays) or Python floats; a callback converts one with ``float()`` only when it
needs the number. Epoch logs hold Python floats.

>>> class Printer(Callback):
...     def on_epoch_end(self, epoch, logs=None):
...         print(f"epoch {epoch}: loss {logs['loss']:.2f}")
>>> callbacks = CallbackList([Printer()], epochs=2, verbose=0, steps=None)
>>> callbacks.on_epoch_end(0, {"loss": 0.5})
epoch 0: loss 0.50
"""

_BATCH_HOOKS = {
    # the hook CallbackList calls -> the names a callback may override to receive it
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


class Callback:
    """Base class of callbacks: override the hooks you need; the others do nothing.

    ``model`` is the model being trained (set by ``set_model``) and ``params`` the
    run's parameters (``verbose``, ``epochs``, ``steps``, set by ``set_params``).
    ``on_batch_begin`` and ``on_batch_end`` are the Keras names of the train batch
    hooks: overriding either one is the same as overriding the train batch hook.

    >>> class CountBatches(Callback):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.batches = 0
    ...     def on_train_batch_end(self, batch, logs=None):
    ...         self.batches += 1
    >>> counter = CountBatches()
    >>> for batch in range(3):
    ...     counter.on_train_batch_end(batch, {"loss": 0.1})
    >>> counter.batches
    3
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        """Attach the model the hooks act on (``self.model``).

        >>> callback = Callback(); callback.set_model("a model"); callback.model
        'a model'
        """
        self.model = model

    def set_params(self, params):
        """Set the run's parameters (``self.params``): ``verbose``, ``epochs``, ``steps``.

        >>> callback = Callback(); callback.set_params({"epochs": 3}); callback.params
        {'epochs': 3}
        """
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs=None):
        """Called once when ``fit`` ends; ``logs`` are the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (counted from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of epoch ``epoch`` with its logs (Python floats, including
        the ``val_`` ones)."""

    def on_batch_begin(self, batch, logs=None):
        """Keras' name of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """Keras' name of ``on_train_batch_end``."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training batch ``batch`` (counted from 0 in each epoch)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after training batch ``batch`` with its logs (values may be tensors)."""
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        """Called when ``evaluate`` (or the validation inside ``fit``) starts."""

    def on_test_end(self, logs=None):
        """Called when ``evaluate`` (or the validation inside ``fit``) ends."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before evaluation batch ``batch``."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after evaluation batch ``batch`` with its logs."""

    def on_predict_begin(self, logs=None):
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs=None):
        """Called when ``predict`` ends."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before prediction batch ``batch``."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after prediction batch ``batch``; ``logs["outputs"]`` may hold its
        predictions."""


def _overrides(callback, names):
    """Whether ``callback`` replaces any of the hooks ``names`` (in its class, or as an
    instance attribute as ``LambdaCallback`` does)."""
    for name in names:
        if name in vars(callback) or getattr(type(callback), name) is not getattr(Callback, name):
            return True
    return False


def _flatten(callbacks, out):
    for callback in callbacks:
        if isinstance(callback, (list, tuple)):
            _flatten(callback, out)
        elif isinstance(callback, Callback):
            out.append(callback)
        else:
            raise TypeError("CallbackList: expected lamina.callbacks.Callback instances. "
                            f"Received {callback!r} ({type(callback).__name__}).")
    return out


class CallbackList(Callback):
    """Calls each hook of several callbacks, in order.

    ``add_history`` appends a ``History`` (also set as ``model.history``) and
    ``add_progbar`` a ``ProgbarLogger``, unless ``callbacks`` already hold one.
    ``params`` (``verbose``, ``epochs``, ``steps``; ``steps`` is None when the number
    of batches is unknown) are passed to every callback.

    Which callbacks override each batch hook is found when the list is built and
    again at every ``on_train_begin``, ``on_test_begin`` and ``on_predict_begin``;
    replace ``callbacks`` only between runs.

    >>> from lamina.callbacks import LambdaCallback
    >>> seen = []
    >>> record = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    >>> callbacks = CallbackList([record], add_history=True, verbose=0, epochs=1, steps=2)
    >>> [type(c).__name__ for c in callbacks.callbacks]
    ['LambdaCallback', 'History']
    >>> callbacks.on_train_begin()
    >>> callbacks.on_train_batch_end(0, {"loss": 1.0})
    >>> callbacks.on_test_batch_end(0, {"loss": 1.0})  # nobody listens: nothing runs
    >>> seen
    [0]
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = _flatten(callbacks or (), [])
        self._add_default_callbacks(add_history, add_progbar)
        self._find_batch_hooks()
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        from lamina.callbacks.history import History
        from lamina.callbacks.progbar_logger import ProgbarLogger
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        has_progbar = any(isinstance(c, ProgbarLogger) for c in self.callbacks)
        if add_progbar and not has_progbar:
            self.callbacks.append(ProgbarLogger())

    def _find_batch_hooks(self):
        for hook, names in _BATCH_HOOKS.items():
            setattr(self, "_" + hook,
                    tuple(getattr(c, hook) for c in self.callbacks if _overrides(c, names)))

    def set_model(self, model):
        """Attach ``model`` to every callback (and set ``model.history``)."""
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params):
        """Pass ``params`` to every callback."""
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def _call_all(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None):
        self._find_batch_hooks()
        self._call_all("on_train_begin", {} if logs is None else logs)

    def on_train_end(self, logs=None):
        self._call_all("on_train_end", {} if logs is None else logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call_all("on_epoch_begin", epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call_all("on_epoch_end", epoch, {} if logs is None else logs)

    def on_test_begin(self, logs=None):
        self._find_batch_hooks()
        self._call_all("on_test_begin", {} if logs is None else logs)

    def on_test_end(self, logs=None):
        self._call_all("on_test_end", {} if logs is None else logs)

    def on_predict_begin(self, logs=None):
        self._find_batch_hooks()
        self._call_all("on_predict_begin", {} if logs is None else logs)

    def on_predict_end(self, logs=None):
        self._call_all("on_predict_end", {} if logs is None else logs)

    def on_train_batch_begin(self, batch, logs=None):
        for hook in self._on_train_batch_begin:
            hook(batch, {} if logs is None else logs)

    def on_train_batch_end(self, batch, logs=None):
        for hook in self._on_train_batch_end:
            hook(batch, {} if logs is None else logs)

    def on_test_batch_begin(self, batch, logs=None):
        for hook in self._on_test_batch_begin:
            hook(batch, {} if logs is None else logs)

    def on_test_batch_end(self, batch, logs=None):
        for hook in self._on_test_batch_end:
            hook(batch, {} if logs is None else logs)

    def on_predict_batch_begin(self, batch, logs=None):
        for hook in self._on_predict_batch_begin:
            hook(batch, {} if logs is None else logs)

    def on_predict_batch_end(self, batch, logs=None):
        for hook in self._on_predict_batch_end:
            hook(batch, {} if logs is None else logs)

    on_batch_begin = on_train_batch_begin
    on_batch_end = on_train_batch_end
