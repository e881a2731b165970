"""The calls ``fit``, ``evaluate`` and ``predict`` make into lamina.distribution:
each returns its argument unchanged when no distribution is set.

- :func:`batches`: each batch laid out for the distribution (on torch this
  process's rows of it; on jax global arrays split over the batch axis);
- :func:`step`: the compiled step wrapped by the engine (Variables laid out, logs
  global, predict outputs gathered);
- :func:`gradients`: the gradients of the global batch (torch's all-reduce);
- :func:`callbacks`: on processes other than 0, no progress bar and none of the
  callbacks that write files (``BackupAndRestore`` still restores).

>>> gradients([1.0]) if distribution() is None else [1.0]
[1.0]
"""

from lamina.callbacks.callback import Callback
from lamina.distribution.devices import engine_half
from lamina.distribution.distributions import distribution
from lamina.distribution.processes import process_index


def batches(model, source, adapter):
    """The batches of ``source`` (from ``adapter``) laid out for the distribution; also
    drops ``model``'s compiled steps made for another distribution."""
    current = distribution()
    steps = model.__dict__.get("_step_functions") or {}
    if any(getattr(s, "distribution", None) is not current for s in steps.values()):
        steps.clear()
    if current is None:
        return source
    from lamina.training.data_adapters import ArrayAdapter
    is_global = isinstance(adapter, ArrayAdapter) or current.auto_shard_dataset
    half = engine_half("fit")
    if getattr(adapter, "shuffle_seed", None) is not None and half.process_count() > 1:
        adapter.shuffle_seed = half.broadcast_int(adapter.shuffle_seed)  # one order for all
    return (half.distribute_batch(batch, current, is_global) for batch in source)


def step(model, kind, compiled):
    """``compiled`` wrapped for the distribution in use."""
    current = distribution()
    if current is None:
        return compiled
    return engine_half("fit").DistributedStep(compiled, model, kind, current,
                                              variable_paths(model))


def gradients(grads):
    """The gradients of the whole global batch."""
    if distribution() is None:
        return grads
    return engine_half("fit").reduce_gradients(grads)


def callbacks(given, verbose):
    """``(callbacks, verbose)`` for this process: as given on process 0."""
    if distribution() is None or process_index() == 0:
        return given, verbose
    from lamina.callbacks import (BackupAndRestore, CSVLogger, CallbackList, ModelCheckpoint,
                                  ProgbarLogger, TensorBoard)
    if isinstance(given, CallbackList):
        return given, 0
    kept = []
    for callback in CallbackList(given).callbacks:
        if isinstance(callback, BackupAndRestore):
            kept.append(_RestoreOnly(callback))
        elif not isinstance(callback, (ModelCheckpoint, CSVLogger, TensorBoard, ProgbarLogger)):
            kept.append(callback)
    return kept, 0


def metric_variables(model):
    """The Variables of ``model``'s loss trackers and metrics (totals and counts): its
    step state less its weights and its optimizers' slots.

    >>> from lamina import Input, Model, layers
    >>> x = Input((2,)); model = Model(x, layers.Dense(1)(x))
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> metric_variables(model)
    []
    """
    skip = {id(v) for v in model.variables}
    optimizers = [model.optimizer] + [h for h in model._own_state_holders()
                                      if not hasattr(h, "result")]
    skip.update(id(v) for o in optimizers for v in getattr(o, "variables", ()))
    return [v for v in model._state_variables() if id(v) not in skip]


def variable_paths(model):
    """``id(variable) -> "layer/sub_layer/name"`` for the model's weights, the paths
    a :class:`LayoutMap` is matched against.

    >>> from lamina import Input, Model, layers
    >>> x = Input((2,)); model = Model(x, layers.Dense(3, name="dense_a")(x))
    >>> sorted(variable_paths(model).values())
    ['dense_a/bias', 'dense_a/kernel']
    """
    paths = {}

    def visit(layer, prefix):
        for variable in layer._own_variables():
            paths.setdefault(id(variable), prefix + variable.name)
        for sub in layer._sublayers():
            visit(sub, f"{prefix}{sub.name}/")

    for layer in model._sublayers():
        visit(layer, f"{layer.name}/")
    for variable in model._own_variables():
        paths.setdefault(id(variable), variable.name)
    return paths


class _RestoreOnly(Callback):
    """A ``BackupAndRestore`` that restores at the start of training and writes nothing."""

    def __init__(self, callback):
        super().__init__()
        self._callback = callback

    def set_model(self, model):
        super().set_model(model)
        self._callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self._callback.set_params(params)

    def on_train_begin(self, logs=None):
        self._callback.on_train_begin(logs)
