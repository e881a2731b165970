"""RMSprop: divide the gradient by a running root mean square (Keras 3's form).

``v = rho * v + (1 - rho) * g**2``; centered also keeps ``a = rho * a + (1 - rho) * g``
and uses ``v - a**2``; the step ``lr * g / sqrt(v + epsilon)`` is applied directly
or through momentum ``m = momentum * m + step``, ``w -= m``.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = RMSprop(learning_rate=0.1, rho=0.0, epsilon=0.0).apply([K.ones(1) * 4], [w])
>>> round(float(w.numpy()[0]), 4)
0.9
"""

from lamina import backend as K
from lamina.optimizers.base import Optimizer, check_number


class RMSprop(Optimizer):
    """``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False,
    **base_arguments)``.

    >>> RMSprop(centered=True).get_config()["rho"]
    0.9
    """

    _fused = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.rho = check_number("RMSprop", "rho", rho, high=1.0)
        self.momentum = check_number("RMSprop", "momentum", momentum, high=1.0)
        self.epsilon = check_number("RMSprop", "epsilon", epsilon)
        self.centered = bool(centered)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.velocities = self.add_optimizer_variables(variables, "velocity")
        self.momentums = self.add_optimizer_variables(variables, "momentum") \
            if self.momentum > 0 else []
        self.average_gradients = self.add_optimizer_variables(variables, "average_gradient") \
            if self.centered else []

    def update_step(self, gradient, variable, learning_rate):
        rho = self.rho
        velocity = self._slot(self.velocities, variable)
        velocity.assign(K.add(K.multiply(velocity, rho),
                              K.multiply(K.square(gradient), 1.0 - rho)))
        denominator = velocity.value
        if self.centered:
            average = self._slot(self.average_gradients, variable)
            average.assign(K.add(K.multiply(average, rho), K.multiply(gradient, 1.0 - rho)))
            denominator = K.subtract(denominator, K.square(average))
        denominator = K.add(denominator, self.epsilon)
        increment = K.divide(K.multiply(gradient, K.cast(learning_rate, variable.dtype)),
                             K.sqrt(denominator))
        if self.momentum > 0:
            m = self._slot(self.momentums, variable)
            m.assign(K.add(K.multiply(m, self.momentum), increment))
            variable.assign_sub(m)
        else:
            variable.assign_sub(increment)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
