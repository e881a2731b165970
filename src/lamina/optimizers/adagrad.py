"""Adagrad: per-element rates from the sum of squared gradients (Keras 3's form).

``a += g**2`` (``a`` starts at ``initial_accumulator_value``), then
``w -= lr * g / sqrt(a + epsilon)``.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = Adagrad(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=0.0).apply(
...     [K.ones(1) * 2], [w])
>>> round(float(w.numpy()[0]), 4)
0.9
"""

from lamina import backend as K
from lamina import initializers
from lamina.optimizers.base import Optimizer, check_number


class Adagrad(Optimizer):
    """``Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07,
    **base_arguments)``.

    >>> Adagrad().get_config()["initial_accumulator_value"]
    0.1
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.initial_accumulator_value = check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value)
        self.epsilon = check_number("Adagrad", "epsilon", epsilon)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        start = initializers.Constant(self.initial_accumulator_value)
        self.accumulators = self.add_optimizer_variables(variables, "accumulator", start)

    def update_step(self, gradient, variable, learning_rate):
        accumulator = self._slot(self.accumulators, variable)
        accumulator.assign_add(K.square(gradient))
        variable.assign_sub(K.divide(K.multiply(gradient, K.cast(learning_rate, variable.dtype)),
                                     K.sqrt(K.add(accumulator, self.epsilon))))

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
