"""``LambdaCallback``: a callback made of plain functions, one per hook.

>>> calls = []
>>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: calls.append((epoch, logs)),
...                           on_train_end=lambda logs: calls.append("done"))
>>> callback.on_epoch_end(0, {"loss": 0.5}); callback.on_train_end({})
>>> calls
[(0, {'loss': 0.5}), 'done']
"""

from lamina.callbacks.callback import Callback

_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
          "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end",
          "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
          "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
          "on_predict_batch_end")


class LambdaCallback(Callback):
    """Calls the given function at each hook: ``(epoch, logs)`` for the epoch hooks,
    ``(batch, logs)`` for the batch hooks, ``(logs)`` for the begin/end hooks of
    train, test and predict. Hooks given no function do nothing. ``on_batch_begin``
    and ``on_batch_end`` are Keras' names of the train batch hooks.

    >>> seen = []
    >>> callback = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    >>> callback.on_train_batch_end(4, {})
    >>> seen
    [4]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None, on_test_begin=None,
                 on_test_end=None, on_test_batch_begin=None, on_test_batch_end=None,
                 on_predict_begin=None, on_predict_end=None, on_predict_batch_begin=None,
                 on_predict_batch_end=None):
        super().__init__()
        given = locals()
        for hook in _HOOKS:
            function = given[hook]
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback: {hook} must be a callable or None. Received "
                                f"{function!r} ({type(function).__name__}).")
            setattr(self, hook, function)
