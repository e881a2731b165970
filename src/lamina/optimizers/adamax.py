"""Adamax: Adam with the infinity norm in place of the second moment (Keras 3's form).

``m += (g - m) * (1 - beta_1)``, ``u = max(beta_2 * u, |g|)``, then
``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))`` at step ``t = iterations + 1``.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = Adamax(learning_rate=0.1, epsilon=0.0).apply([K.ones(1) * 3], [w])
>>> round(float(w.numpy()[0]), 4)
0.9
"""

from lamina import backend as K
from lamina.optimizers.adam import bias_correction
from lamina.optimizers.base import Optimizer, check_number


class Adamax(Optimizer):
    """``Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
    **base_arguments)``.

    >>> Adamax(beta_2=0.99).get_config()["beta_2"]
    0.99
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1 = check_number("Adamax", "beta_1", beta_1, high=1.0)
        self.beta_2 = check_number("Adamax", "beta_2", beta_2, high=1.0)
        self.epsilon = check_number("Adamax", "epsilon", epsilon)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum")
        self.norms = self.add_optimizer_variables(variables, "norm")

    def update_step(self, gradient, variable, learning_rate):
        m = self._slot(self.momentums, variable)
        u = self._slot(self.norms, variable)
        m.assign_add(K.multiply(K.subtract(gradient, m), 1.0 - self.beta_1))
        u.assign(K.maximum(K.multiply(u, self.beta_2), K.abs(gradient)))
        correction = bias_correction(self, self.beta_1, variable.dtype)
        variable.assign_sub(K.divide(K.multiply(m, K.cast(learning_rate, variable.dtype)),
                                     K.multiply(K.add(u, self.epsilon), correction)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
