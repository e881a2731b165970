"""History records every epoch's logs and becomes model.history; LambdaCallback calls
each given function at its hook with the hook's arguments."""

import pytest

from lamina.callbacks import CallbackList, History, LambdaCallback
from fake_model import model  # noqa: F401  (the fixture)

HOOKS = {  # hook -> the arguments the test calls it with
    "on_train_begin": ({"a": 1},), "on_train_end": ({"a": 2},),
    "on_epoch_begin": (0, {}), "on_epoch_end": (0, {"loss": 1.0}),
    "on_train_batch_begin": (1, {}), "on_train_batch_end": (1, {"loss": 2.0}),
    "on_test_begin": ({},), "on_test_end": ({"loss": 3.0},),
    "on_test_batch_begin": (2, {}), "on_test_batch_end": (2, {"loss": 4.0}),
    "on_predict_begin": ({},), "on_predict_end": ({},),
    "on_predict_batch_begin": (3, {}), "on_predict_batch_end": (3, {"outputs": 5}),
}


def test_history_records_each_epoch_and_is_set_on_the_model(model):
    callbacks = CallbackList(add_history=True, model=model, verbose=0, epochs=3, steps=1)
    callbacks.on_train_begin()
    epoch_logs = [{"loss": 1.0 / (e + 1), "val_loss": 2.0 / (e + 1)} for e in range(3)]
    for epoch, logs in enumerate(epoch_logs):
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end(epoch_logs[-1])
    history = model.history
    assert isinstance(history, History) and history.epoch == [0, 1, 2]
    assert history.history == {"loss": [1.0, 0.5, 1.0 / 3], "val_loss": [2.0, 1.0, 2.0 / 3]}


def test_history_epochs_restart_with_each_run():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 0.5})
    assert history.epoch == [0] and history.history == {"loss": [1.0, 0.5]}


def test_lambda_callback_calls_each_hook_with_its_arguments():
    calls = []
    functions = {hook: (lambda *args, hook=hook: calls.append((hook, args))) for hook in HOOKS}
    callbacks = CallbackList([LambdaCallback(**functions)])
    for hook, args in HOOKS.items():
        getattr(callbacks, hook)(*args)
    assert calls == list(HOOKS.items())


def test_lambda_callback_keras_batch_names_are_train_batch_hooks():
    calls = []
    callback = LambdaCallback(on_batch_begin=lambda batch, logs: calls.append(("begin", batch)),
                              on_batch_end=lambda batch, logs: calls.append(("end", batch)))
    callbacks = CallbackList([callback])
    callbacks.on_train_batch_begin(5, {})
    callbacks.on_train_batch_end(5, {})
    callbacks.on_test_batch_end(5, {})
    assert calls == [("begin", 5), ("end", 5)]


def test_lambda_callback_rejects_a_non_callable():
    with pytest.raises(TypeError, match=r"LambdaCallback: on_epoch_end must be a callable or "
                                        r"None. Received 'print' \(str\)"):
        LambdaCallback(on_epoch_end="print")
