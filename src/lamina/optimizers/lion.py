"""Lion: sign-of-interpolated-momentum updates (Keras 3's form).

``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``, then
``m = beta_2 * m + (1 - beta_2) * g``.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = Lion(learning_rate=0.1).apply([K.ones(1) * 5], [w])
>>> round(float(w.numpy()[0]), 4)
0.9
"""

from lamina import backend as K
from lamina.optimizers.base import Optimizer, check_number


class Lion(Optimizer):
    """``Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99, **base_arguments)``;
    ``beta_1`` in (0, 1].

    >>> Lion().get_config()["beta_2"]
    0.99
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1 = check_number("Lion", "beta_1", beta_1, high=1.0, low_open=True)
        self.beta_2 = check_number("Lion", "beta_2", beta_2, high=1.0)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        m = self._slot(self.momentums, variable)
        direction = K.add(K.multiply(m, self.beta_1), K.multiply(gradient, 1.0 - self.beta_1))
        variable.assign_sub(K.multiply(K.sign(direction), K.cast(learning_rate, variable.dtype)))
        m.assign(K.add(K.multiply(m, self.beta_2), K.multiply(gradient, 1.0 - self.beta_2)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
