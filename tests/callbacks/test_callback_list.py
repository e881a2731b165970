"""CallbackList: every hook reaches every callback in order; batch hooks nobody
overrides cost nothing (they are never looked up); History and ProgbarLogger are
added once; params and the model reach every callback."""

import pytest

from lamina import backend as K
from lamina.callbacks import (Callback, CallbackList, History, LambdaCallback, ProgbarLogger,
                              TerminateOnNaN)
from fake_model import model  # noqa: F401  (the fixture)

ALL_HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
             "on_predict_batch_begin", "on_predict_batch_end"]


def _recording(hook):
    def record(self, *args):
        self.calls.append((self.name, hook, args))
    return record


class Recorder(Callback):
    def __init__(self, name, calls):
        super().__init__()
        self.name, self.calls = name, calls


for _hook in ALL_HOOKS:
    setattr(Recorder, _hook, _recording(_hook))


def test_every_hook_reaches_every_callback_in_order():
    calls = []
    callbacks = CallbackList([Recorder("a", calls), Recorder("b", calls)])
    logs = {"loss": K.convert_to_tensor(0.5)}
    for hook in ALL_HOOKS:
        args = (3, logs) if "epoch_" in hook or "batch_" in hook else (logs,)
        getattr(callbacks, hook)(*args)
    expected = []
    for hook in ALL_HOOKS:
        args = (3, logs) if "epoch_" in hook or "batch_" in hook else (logs,)
        expected += [("a", hook, args), ("b", hook, args)]
    assert calls == expected


def test_missing_logs_arrive_as_an_empty_dict():
    seen = []
    callbacks = CallbackList([LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs),
                                             on_train_batch_end=lambda b, logs: seen.append(logs))])
    callbacks.on_epoch_end(0)
    callbacks.on_train_batch_end(0)
    assert seen == [{}, {}]


def test_batch_hooks_nobody_overrides_are_never_called(monkeypatch):
    calls = []
    for hook in ALL_HOOKS:
        if "batch" in hook:
            monkeypatch.setattr(Callback, hook, lambda self, batch, logs=None, h=hook:
                                calls.append(h))
    callbacks = CallbackList([History(), Callback()], verbose=0, epochs=1, steps=100)
    callbacks.on_train_begin()
    for batch in range(100):
        for hook in ALL_HOOKS:
            if "batch" in hook:
                getattr(callbacks, hook)(batch, {"loss": 1.0})
    assert calls == []


def test_overridden_batch_hooks_are_found_under_every_name():
    seen = []

    class ByKerasAlias(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(("alias", batch))

    class ByTestHook(Callback):
        def on_test_batch_begin(self, batch, logs=None):
            seen.append(("test", batch))

    by_instance = LambdaCallback(
        on_predict_batch_end=lambda batch, logs: seen.append(("lambda", batch)))
    callbacks = CallbackList([ByKerasAlias(), ByTestHook(), by_instance])
    callbacks.on_train_batch_end(1)
    callbacks.on_batch_end(2)
    callbacks.on_test_batch_begin(3)
    callbacks.on_predict_batch_end(4)
    callbacks.on_test_batch_end(5)
    assert seen == [("alias", 1), ("alias", 2), ("test", 3), ("lambda", 4)]


def test_hooks_added_after_construction_are_found_when_a_run_begins():
    seen = []
    callback = Callback()
    callbacks = CallbackList([callback])
    callback.on_train_batch_begin = lambda batch, logs: seen.append(batch)
    callbacks.on_train_batch_begin(0)
    callbacks.on_train_begin()
    callbacks.on_train_batch_begin(1)
    assert seen == [1]


def test_history_and_progbar_are_added_once_and_history_is_set_on_the_model(model):
    callbacks = CallbackList([TerminateOnNaN()], add_history=True, add_progbar=True, model=model,
                             verbose=0, epochs=2, steps=None)
    kinds = [type(c) for c in callbacks.callbacks]
    assert kinds == [TerminateOnNaN, History, ProgbarLogger]
    assert model.history is callbacks.callbacks[1]
    mine = History()
    again = CallbackList([mine, ProgbarLogger()], add_history=True, add_progbar=True, model=model)
    assert [type(c) for c in again.callbacks] == [History, ProgbarLogger]
    assert model.history is mine
    assert CallbackList().callbacks == []


def test_model_and_params_reach_every_callback(model):
    inner = [History(), TerminateOnNaN()]
    callbacks = CallbackList([inner[0], [inner[1]]], model=model, verbose=2, epochs=3, steps=7)
    assert callbacks.callbacks == inner
    for callback in inner:
        assert callback.model is model
        assert callback.params == {"verbose": 2, "epochs": 3, "steps": 7}


def test_non_callbacks_are_rejected_with_what_was_received():
    with pytest.raises(TypeError, match=r"CallbackList: expected lamina.callbacks.Callback.*"
                                        r"Received 'print_loss' \(str\)"):
        CallbackList(["print_loss"])
