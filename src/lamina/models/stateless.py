"""``stateless_call``: a model run as a pure function of given variable values.

Keras 3's contract: ``model.stateless_call(trainable_variables,
non_trainable_variables, *args, **kwargs)`` calls the model with the values given in
place of its Variables' (in the order of ``model.trainable_variables`` and
``model.non_trainable_variables``, seed states included) and returns ``(outputs,
non_trainable_variables)``, the second the values after the call (batch statistics,
seed states); ``return_losses=True`` adds the losses of the call. No Variable
changes. The values may be JAX tracers (``jax.jit``, ``jax.grad``) or torch tensors
that require gradients, so a hand-written training loop can differentiate it.

>>> import numpy as np
>>> from lamina import backend as K, Input, Model, layers
>>> x = Input((2,)); model = Model(x, layers.Dense(1, kernel_initializer="ones")(x))
>>> doubled = [2.0 * K.convert_to_tensor(v.value) for v in model.trainable_variables]
>>> out, _ = model.stateless_call(doubled, [], np.ones((1, 2), "float32"))
>>> float(K.convert_to_numpy(out)[0, 0]), float(model(np.ones((1, 2), "float32"))[0, 0])
(4.0, 2.0)
"""

from lamina import backend as K


class StatelessCall:
    """``stateless_call`` (mixed into :class:`~lamina.Model`)."""

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses=False, **kwargs):
        """``(outputs, non_trainable_variables)`` of calling the model on ``*args,
        **kwargs`` with the given variable values (see the module docstring); with
        ``return_losses=True``, ``(outputs, non_trainable_variables, losses)``.

        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> x = Input((3,)); norm = layers.BatchNormalization(momentum=0.0)
        >>> model = Model(x, norm(x))
        >>> trainable = [v.value for v in model.trainable_variables]
        >>> state = [v.value for v in model.non_trainable_variables]
        >>> data = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]], "float32")
        >>> _, state = model.stateless_call(trainable, state, data, training=True)
        >>> K.convert_to_numpy(state[0]).tolist(), K.convert_to_numpy(norm.moving_mean).tolist()
        ([2.0, 3.0, 4.0], [0.0, 0.0, 0.0])
        """
        if not self.built:
            raise ValueError(f"Model {self.name!r}: stateless_call needs the model's "
                             "variables: build it first (call it once on data, or build it "
                             "from Input()).")
        trainable = self.trainable_variables
        trainable_ids = {id(v) for v in trainable}
        non_trainable = [v for v in self.non_trainable_variables if id(v) not in trainable_ids]
        bindings = {}
        for what, variables, values in (
                ("trainable_variables", trainable, trainable_variables),
                ("non_trainable_variables", non_trainable, non_trainable_variables)):
            values = list(values)
            if len(values) != len(variables):
                raise ValueError(f"Model {self.name!r}: stateless_call expects "
                                 f"{len(variables)} values in {what} (one per entry of "
                                 f"model.{what}); received {len(values)}.")
            for variable, value in zip(variables, values):
                bindings[variable] = _checked_value(self, what, variable, value)
        with K.VariableScope(bindings) as scope:
            outputs = self(*args, **kwargs)
            losses = list(self.losses) if return_losses else None
        new_state = [scope.values[v] for v in non_trainable]
        if return_losses:
            return outputs, new_state, losses
        return outputs, new_state


def _checked_value(model, what, variable, value):
    if isinstance(value, K.Variable):
        value = value.value
    elif not K.is_tensor(value):
        value = K.convert_to_tensor(value, dtype=variable.dtype)
    shape = tuple(value.shape)
    if shape != tuple(variable.shape):
        raise ValueError(f"Model {model.name!r}: stateless_call received a value of shape "
                         f"{shape} in {what} for the variable {variable.name!r} of shape "
                         f"{tuple(variable.shape)}.")
    return value
