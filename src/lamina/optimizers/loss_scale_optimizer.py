"""LossScaleOptimizer: dynamic loss scaling around another optimizer, for float16.

float16 gradients underflow to zero where float32 ones would not. The training step
multiplies the loss by a scale (``scale_loss``) before differentiating, and ``apply``
divides the gradients by it again before the inner optimizer sees them:

- when every gradient is finite, the inner optimizer updates the variables, and after
  ``dynamic_growth_steps`` such steps in a row the scale doubles;
- when one is not (the scaled loss overflowed), the update is skipped, the scale
  halves and the count of finite steps starts again.

The scale (``dynamic_scale``) and the count (``step_counter``) are Variables listed in
``variables``, so they are saved with the optimizer and updated inside compiled steps
(where the skip is a selection between the updated and the old values). ``compile``
wraps the optimizer of a model whose dtype policy is ``"mixed_float16"`` in one.

>>> from lamina import backend as K, optimizers
>>> w = K.Variable([1.0])
>>> optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.5),
...                                           initial_scale=4.0)
>>> _ = optimizer.apply([K.convert_to_tensor([4.0])], [w])  # the gradient of a scaled loss
>>> w.numpy().tolist()
[0.5]
>>> _ = optimizer.apply([K.convert_to_tensor([float("inf")])], [w])  # skipped
>>> w.numpy().tolist(), float(optimizer.dynamic_scale.numpy())
([0.5], 2.0)
"""

import functools

from lamina import backend as K
from lamina._arguments import is_int
from lamina.backend import naming
from lamina.backend.variables import VariableScope, current_scope
from lamina.optimizers.base import Optimizer, check_number


class LossScaleOptimizer(Optimizer):
    """``LossScaleOptimizer(inner_optimizer, initial_scale=2.0**15,
    dynamic_growth_steps=2000, name=None)``: ``inner_optimizer`` updated with the
    unscaled gradients of a scaled loss (see the module docstring). Its learning rate
    and ``iterations`` are the inner optimizer's.

    A custom ``train_step`` scales its loss with ``optimizer.scale_loss(loss)`` before
    taking gradients and passes them to ``optimizer.apply`` (or ``apply_gradients``).

    >>> from lamina import optimizers
    >>> optimizer = optimizers.LossScaleOptimizer(optimizers.Adam(), name="lso_doc")
    >>> float(optimizer.dynamic_scale.numpy()), optimizer.dynamic_growth_steps
    (32768.0, 2000)
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None):
        owner = type(self).__name__
        if isinstance(inner_optimizer, dict):
            from lamina import optimizers
            inner_optimizer = optimizers.deserialize(inner_optimizer)
        if not isinstance(inner_optimizer, Optimizer) or isinstance(inner_optimizer,
                                                                    LossScaleOptimizer):
            raise TypeError(f"{owner}: inner_optimizer must be an Optimizer (not a "
                            f"LossScaleOptimizer); received {inner_optimizer!r}.")
        if not is_int(dynamic_growth_steps) or dynamic_growth_steps < 1:
            raise ValueError(f"{owner}: dynamic_growth_steps must be an int >= 1. Received "
                             f"dynamic_growth_steps={dynamic_growth_steps!r}.")
        self.inner_optimizer = inner_optimizer
        self.initial_scale = check_number(owner, "initial_scale", initial_scale, low_open=True)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self.name = name if name is not None else naming.unique_name("loss_scale_optimizer")
        self.step_counter = K.Variable(0, trainable=False, dtype="int64",
                                       name=f"{self.name}/step_counter")
        self.dynamic_scale = K.Variable(self.initial_scale, trainable=False, dtype="float32",
                                        name=f"{self.name}/dynamic_scale")

    # -- what the inner optimizer holds ------------------------------------------------
    @property
    def iterations(self):
        """The inner optimizer's count of applied (not skipped) updates."""
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate (setting it sets the inner one's).

        >>> from lamina import optimizers
        >>> lso = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.5))
        >>> lso.learning_rate = 0.25
        >>> float(lso.inner_optimizer.learning_rate.numpy())
        0.25
        """
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def built(self):
        """Whether the inner optimizer is built."""
        return self.inner_optimizer.built

    @property
    def _trainable_variables(self):
        return self.inner_optimizer._trainable_variables

    @property
    def _variables(self):
        return self.inner_optimizer.variables + [self.step_counter, self.dynamic_scale]

    @property
    def variables(self):
        """The inner optimizer's Variables, then ``step_counter`` and ``dynamic_scale``."""
        return self._variables

    def build(self, variables):
        """Build the inner optimizer for ``variables`` (its slots)."""
        self.inner_optimizer.build(variables)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """The inner optimizer's ``exclude_from_weight_decay``."""
        self.inner_optimizer.exclude_from_weight_decay(var_list, var_names)

    # -- scaling -------------------------------------------------------------------------
    def scale_loss(self, loss):
        """``loss`` times the current scale (in the loss's dtype).

        >>> from lamina import backend as K, optimizers
        >>> optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=8.0)
        >>> float(optimizer.scale_loss(K.convert_to_tensor(0.5)))
        4.0
        """
        return K.multiply(loss, K.cast(self.dynamic_scale, K.dtype(loss)))

    def apply(self, grads, trainable_variables=None):
        """Unscale ``grads``; when all are finite, let the inner optimizer apply them
        (and double the scale after ``dynamic_growth_steps`` such steps), else skip the
        update and halve the scale. Returns ``iterations``."""
        grads = list(grads)
        inverse = K.divide(1.0, self.dynamic_scale)
        unscaled = [None if g is None else K.multiply(g, K.cast(inverse, K.dtype(g)))
                    for g in grads]
        checks = [K.all(K.isfinite(g)) for g in unscaled if g is not None]
        finite = functools.reduce(K.logical_and, checks) if checks else \
            K.convert_to_tensor(True)
        if current_scope() is None:  # eager: skip the update in Python
            if bool(K.convert_to_numpy(finite)):
                self.inner_optimizer.apply(unscaled, trainable_variables)
        else:  # inside a compiled step: keep the old values where a gradient is not finite
            self._select_update(finite, unscaled, trainable_variables)
        self._adjust_scale(finite)
        return self.iterations

    def _select_update(self, finite, grads, trainable_variables):
        with VariableScope(read=current_scope().read) as trial:
            self.inner_optimizer.apply(grads, trainable_variables)
        for variable in trial.assigned:
            variable.assign(K.where(finite, trial.values[variable], variable.value))

    def _adjust_scale(self, finite):
        count = K.where(finite, self.step_counter + 1, 0)
        grow = K.greater_equal(count, self.dynamic_growth_steps)
        scale = K.where(finite, K.where(grow, self.dynamic_scale * 2.0, self.dynamic_scale),
                        self.dynamic_scale * 0.5)
        self.step_counter.assign(K.where(grow, 0, count))
        self.dynamic_scale.assign(scale)

    # -- config --------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, the inner optimizer serialized.

        >>> from lamina import optimizers
        >>> config = optimizers.LossScaleOptimizer(optimizers.SGD(), name="lso_cfg").get_config()
        >>> config["inner_optimizer"]["class_name"], config["initial_scale"]
        ('SGD', 32768.0)
        """
        from lamina import optimizers
        return {"name": self.name, "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer ``get_config()`` described (the inner one rebuilt too).

        >>> from lamina import optimizers
        >>> lso = optimizers.LossScaleOptimizer(optimizers.Adam(learning_rate=0.1))
        >>> type(LossScaleOptimizer.from_config(lso.get_config()).inner_optimizer).__name__
        'Adam'
        """
        from lamina import optimizers
        config = dict(config)
        inner = config.get("inner_optimizer")
        if isinstance(inner, dict):
            config["inner_optimizer"] = optimizers.deserialize(inner, custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<LossScaleOptimizer name={self.name!r} inner={self.inner_optimizer!r}>"
