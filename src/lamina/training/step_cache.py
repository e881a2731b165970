"""Compiled steps that outlive ``compile()``.

As in Keras, a change of ``trainable`` takes effect at the next ``compile()``, which
makes a new optimizer, new metrics and new steps. On JAX each new step compiles again
(seconds for a real model), also when the model comes back to weights it trained
before (freeze, compile, fit; unfreeze, compile, fit; freeze again...). The steps a
model compiled are therefore kept under a key of everything their program depends
on, and a later step with the same key reuses the program, bound to the new
Variables (:meth:`JitStep.rebind`):

- the kind of step and how it runs (``jit_compile``, ``run_eagerly``,
  ``steps_per_execution``; a predict step depends on nothing else of ``compile``);
- the compile arguments: strings and numbers as they are, the optimizer by its class
  and configuration (``"adam"`` as ``Adam()``; its learning rate left out: it is a
  Variable, read at each step), any other object (a loss or metric instance, a
  function) by identity;
- the trainable weights (by identity, in order), every layer's ``trainable`` flag,
  the shape and dtype of every state Variable, with the model's own Variables by
  identity, and the model's ``add_loss`` terms and ``targets``.

A model with its own ``train_step`` or ``test_step`` keeps no steps (its Python may
read anything), nor does a model under a distribution (its steps lay out their
Variables), nor an engine whose steps do not compile (torch's eager steps cost
nothing to make).

>>> from lamina import optimizers
>>> config_key(optimizers.SGD(0.1)) == config_key(optimizers.SGD(0.5))
True
>>> config_key(optimizers.SGD(momentum=0.9)) == config_key(optimizers.SGD())
False
"""

from lamina.distribution.hooks import distribution
from lamina.optimizers.base import Optimizer

# steps kept per model (the oldest is dropped first)
KEPT = 8


class _Identity:
    """``value`` compared and hashed by identity (kept alive by the key)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Identity) and other.value is self.value

    def __hash__(self):
        return id(self.value)


def config_key(value):
    """A hashable key equal for compile arguments that give the same compiled program."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(config_key(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple(sorted((str(k), config_key(v)) for k, v in value.items()))
    if isinstance(value, Optimizer):
        config = {k: v for k, v in value.get_config().items() if k != "name"}
        if isinstance(config.get("learning_rate"), (int, float)):
            del config["learning_rate"]
        return (type(value), config_key(config))
    return _Identity(value)


def step_key(model, kind, variables):
    """The key of ``model``'s ``kind`` step over ``variables``, or None when such a
    step is not kept (a custom train or test step; any step under a distribution,
    whose steps lay out their Variables)."""
    if distribution() is not None:
        return None
    own = {id(v) for v in model.variables}
    state = tuple((_Identity(v) if id(v) in own else None, tuple(v.shape), str(v.dtype))
                  for v in variables)
    if kind == "predict":
        return kind, model.run_eagerly, model.jit_compile, state
    if model._custom_steps:
        return None
    config = dict(model._compile_config, optimizer=model.optimizer)  # "adam" == Adam()
    return (kind, config_key(config), state,
            tuple(_Identity(v) for v in model._trainable_for_steps or ()),
            _trainable_flags(model), config_key(model._added_losses),
            _Identity(model._user_targets))


def _trainable_flags(layer, seen=None):
    """Each layer's ``trainable`` flag, sub-layers included (a frozen layer may run
    differently, as BatchNormalization does, even without trainable weights)."""
    seen = set() if seen is None else seen
    flags = []
    for sub in layer._sublayers():
        if id(sub) not in seen:
            seen.add(id(sub))
            flags.append((_Identity(sub), sub.trainable))
            flags.extend(_trainable_flags(sub, seen))
    return tuple(flags)


class StepCache:
    """The last :data:`KEPT` compiled steps of a model, by :func:`step_key`."""

    def __init__(self):
        self.steps = {}

    def get(self, key, variables):
        """The step kept under ``key``, bound to ``variables``, or None."""
        step = self.steps.get(key) if key is not None else None
        if step is not None:
            step.rebind(variables)
        return step

    def put(self, key, step):
        if key is None or not hasattr(step, "rebind"):
            return
        self.steps.pop(key, None)
        self.steps[key] = step
        while len(self.steps) > KEPT:
            del self.steps[next(iter(self.steps))]
