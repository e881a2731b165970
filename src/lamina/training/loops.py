"""The epoch loops: ``fit``, ``evaluate`` and ``predict``, driving the compiled steps
and the callbacks.

The loop does per batch only what a hand-written loop does: take the next batch,
run the step, call the callbacks that want batch events (the progress bar redraws
at most every 0.05 s and reads the logs only then).

>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((2,)); model = Model(x, layers.Dense(1)(x))
>>> model.compile(optimizer="sgd", loss="mse")
>>> model.predict(np.ones((5, 2), "float32"), verbose=0).shape
(5, 1)
"""

import itertools

from lamina._arguments import is_int
from lamina.backend import config, stepping, tree
from lamina.distribution import hooks as distributed
from lamina.training import data_adapters, label_checks, nonfinite, predicting
from lamina.training.argument_checks import check_fit_arguments, check_loop_arguments
from lamina.training.trainer import _floats
from lamina.utils.traceback_utils import filter_traceback


def _callback_list(model, callbacks, verbose, epochs, steps, history=False):
    from lamina.callbacks import CallbackList
    stepping.listen_to_compiles(None)  # a progress bar sets itself (a loop that raised left one)
    callbacks, verbose = distributed.callbacks(callbacks, verbose)  # process 0 writes
    if isinstance(callbacks, CallbackList):
        return callbacks
    return CallbackList(callbacks, add_history=history, add_progbar=verbose != 0, model=model,
                        verbose=verbose, epochs=epochs, steps=steps)


def _capped(count, cap):
    """``count`` limited to ``cap`` (the settings ``max_epochs`` and
    ``max_steps_per_epoch`` of :mod:`lamina.config`); None is no limit."""
    return count if cap is None or count is None else min(count, cap)


class Loops:
    """``fit``, ``evaluate`` and ``predict`` (mixed into :class:`~lamina.Model`)."""

    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` epochs; returns the :class:`~lamina.callbacks.History`.

        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> x = Input((2,)); model = Model(x, layers.Dense(1)(x))
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> if K.backend() != "numpy":
        ...     history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
        ...     print(len(history.history["loss"]))
        ... else:
        ...     print(2)
        2
        """
        self._assert_compiled("fit")
        checked = check_fit_arguments(batch_size, epochs, verbose, validation_split,
                                      initial_epoch, steps_per_epoch, validation_steps,
                                      validation_batch_size, validation_freq)
        (batch_size, epochs, verbose, validation_split, initial_epoch, steps_per_epoch,
         validation_steps, validation_batch_size, validation_freq) = checked.values()
        self._check_can_train("fit")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapters.train_validation_split(
                (x, y, sample_weight), validation_split)
        adapter = data_adapters.get_data_adapter(
            x, y, sample_weight, batch_size=batch_size, steps=steps_per_epoch, shuffle=shuffle,
            class_weight=class_weight, where="fit")
        val_adapter = None
        if validation_data is not None:
            val_adapter = self._validation_adapter(validation_data,
                                                   validation_batch_size or batch_size,
                                                   validation_steps)
        epochs, max_steps = _capped(epochs, config.max_epochs()), config.max_steps_per_epoch()
        callbacks = _callback_list(self, callbacks, verbose, epochs,
                                   _capped(adapter.steps, max_steps), history=True)
        self.stop_training = False
        self._fit_start = {"epoch": initial_epoch, "step": 0,
                           "shuffle_seed": getattr(adapter, "shuffle_seed", None)}
        callbacks.on_train_begin()
        loss_watch = nonfinite.LossWatch(callbacks, epochs)
        start = self._fit_start  # BackupAndRestore moves it to where its backup left off
        if start["shuffle_seed"] is not None:
            adapter.shuffle_seed = start["shuffle_seed"]
        epoch_logs = {}
        for epoch in range(start["epoch"], epochs):
            self._reset_trackers()
            callbacks.on_epoch_begin(epoch)
            logs = None
            skip = start["step"] if epoch == start["epoch"] else 0
            remaining = label_checks.checked(
                self, "train", adapter, itertools.islice(adapter.epoch(epoch), skip, max_steps),
                "fit")
            remaining = distributed.batches(self, remaining, adapter)
            for step, batches in self._executions(remaining, skip):
                callbacks.on_train_batch_begin(step)
                logs = self._run_step("train", *batches)
                callbacks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if logs is None:
                break  # the data ran out (a generator without steps_per_epoch)
            epoch_logs = _floats(logs)
            loss_watch.epoch_end(epoch, epoch_logs)
            if val_adapter is not None and self._validates(epoch, validation_freq):
                val_logs = self._evaluate_adapter(val_adapter, callbacks, "fit (validation_data)")
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callbacks.on_train_end(epoch_logs)
        return self.history

    def _executions(self, batches, first_step=0):
        """``(index of the last step, batches)`` for each compiled call: groups of
        ``steps_per_execution`` batches of one shape, or single batches; ``batches``
        starts at step ``first_step``."""
        size = self.steps_per_execution
        if size == 1:
            for step, batch in enumerate(batches, first_step):
                yield step, (batch,)
            return
        group, signature = [], None
        for step, batch in enumerate(batches, first_step):
            shapes = [tuple(a.shape) for a in tree.flatten(batch)[0] if a is not None]
            if group and shapes != signature:
                for i, pending in enumerate(group):
                    yield step - len(group) + i, (pending,)
                group = []
            group.append(batch)
            signature = shapes
            if len(group) == size:
                yield step, tuple(group)
                group = []
        for i, pending in enumerate(group):
            yield step - len(group) + 1 + i, (pending,)

    def _validation_adapter(self, data, batch_size, steps):
        if isinstance(data, (tuple, list)) and len(data) in (2, 3) and not \
                isinstance(data[0], data_adapters.PyDataset):
            x, y, sw = data_adapters.unpack_x_y_sample_weight(tuple(data))
            return data_adapters.get_data_adapter(x, y, sw, batch_size=batch_size, steps=steps,
                                                  where="validation_data")
        return data_adapters.get_data_adapter(data, steps=steps, where="validation_data")

    @staticmethod
    def _validates(epoch, freq):
        if is_int(freq):
            return (epoch + 1) % freq == 0
        return (epoch + 1) in freq

    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss and metrics on the data, averaged over its samples. Without compiled
        metrics, the total loss as a float (compile losses, ``add_loss`` terms, layer
        losses and weight penalties added up); with metrics, the list ``[loss, metric,
        ...]`` in ``metrics_names`` order; with ``return_dict=True``, every logged value
        by name, each loss term included.

        >>> import numpy as np
        >>> from lamina import Input, Model, layers, regularizers
        >>> x = Input((2,))
        >>> out = layers.Dense(1, kernel_initializer="zeros",
        ...                    kernel_regularizer=regularizers.L2(0.1))(x)
        >>> model = Model(x, out)
        >>> model.compile(loss="mse")
        >>> model.evaluate(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
        1.0
        >>> logs = model.evaluate(np.ones((4, 2)), np.ones((4, 1)), verbose=0, return_dict=True)
        >>> sorted(logs)
        ['layer_losses', 'loss', 'mean_squared_error']
        >>> model.compile(loss="mse", metrics=["mae"])
        >>> model.evaluate(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
        [1.0, 1.0]
        """
        self._assert_compiled("evaluate")
        batch_size, verbose, steps = check_loop_arguments(
            "evaluate", batch_size, verbose, steps).values()
        adapter = data_adapters.get_data_adapter(x, y, sample_weight, batch_size=batch_size,
                                                 steps=steps, where="evaluate")
        callbacks = _callback_list(self, callbacks, verbose, 1, adapter.steps)
        return self._batch_result(self._evaluate_adapter(adapter, callbacks), return_dict)

    def _evaluate_adapter(self, adapter, callbacks, where="evaluate"):
        self._reset_trackers()
        callbacks.on_test_begin()
        logs = None
        batches = label_checks.checked(self, "test", adapter, adapter.epoch(), where)
        batches = distributed.batches(self, batches, adapter)
        for step, batch in enumerate(batches):
            callbacks.on_test_batch_begin(step)
            logs = self._run_step("test", batch)
            callbacks.on_test_batch_end(step, logs)
        if logs is None:
            raise ValueError("evaluate: the data holds no batches.")
        logs = _floats(logs)
        callbacks.on_test_end(logs)
        return logs

    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The outputs for ``x`` as NumPy arrays (a list or dict for several outputs).

        >>> import numpy as np
        >>> from lamina import Input, Model, layers
        >>> x = Input((2,)); model = Model(x, layers.Dense(3)(x))
        >>> model.predict(np.ones((10, 2)), batch_size=4, verbose=0).shape
        (10, 3)
        """
        batch_size, verbose, steps = check_loop_arguments(
            "predict", batch_size, verbose, steps).values()
        adapter = data_adapters.get_data_adapter(x, batch_size=batch_size, steps=steps,
                                                 where="predict")
        callbacks = _callback_list(self, callbacks, verbose, 1, adapter.steps)
        callbacks.on_predict_begin()
        step, full = None, getattr(adapter, "batch_size", None)
        for i, batch in enumerate(distributed.batches(self, adapter.epoch(), adapter)):
            callbacks.on_predict_batch_begin(i)
            if step is None:
                step = self._steps().get("predict") or self._step_function("predict", batch)
                outputs, full = predicting.Collector(step), full or predicting.rows(batch)
            out = step(batch, full)
            outputs.add(out)
            callbacks.on_predict_batch_end(i, {"outputs": out})
        callbacks.on_predict_end()
        if step is None:
            raise ValueError("predict: the data holds no batches.")
        return outputs.result()
