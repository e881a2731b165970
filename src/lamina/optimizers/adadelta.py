"""Adadelta: steps scaled by running averages of squared gradients and squared steps
(Keras 3's form).

``a = rho * a + (1 - rho) * g**2``,
``d = -sqrt(s + epsilon) / sqrt(a + epsilon) * g``,
``s = rho * s + (1 - rho) * d**2``, then ``w += lr * d``.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = Adadelta(learning_rate=1.0, rho=0.0, epsilon=1.0).apply([K.ones(1) * 3], [w])
>>> round(float(w.numpy()[0]), 4)
0.0513
"""

from lamina import backend as K
from lamina.optimizers.base import Optimizer, check_number


class Adadelta(Optimizer):
    """``Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-07, **base_arguments)``.

    >>> Adadelta().get_config()["rho"]
    0.95
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-07, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.rho = check_number("Adadelta", "rho", rho, high=1.0)
        self.epsilon = check_number("Adadelta", "epsilon", epsilon)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.accumulated_grads = self.add_optimizer_variables(variables, "accumulated_grad")
        self.accumulated_deltas = self.add_optimizer_variables(variables, "accumulated_delta")

    def update_step(self, gradient, variable, learning_rate):
        rho = self.rho
        grads = self._slot(self.accumulated_grads, variable)
        deltas = self._slot(self.accumulated_deltas, variable)
        grads.assign(K.add(K.multiply(grads, rho), K.multiply(K.square(gradient), 1.0 - rho)))
        ratio = K.divide(K.sqrt(K.add(deltas, self.epsilon)), K.sqrt(K.add(grads, self.epsilon)))
        delta = K.negative(K.multiply(ratio, gradient))
        deltas.assign(K.add(K.multiply(deltas, rho), K.multiply(K.square(delta), 1.0 - rho)))
        variable.assign_add(K.multiply(delta, K.cast(learning_rate, variable.dtype)))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
