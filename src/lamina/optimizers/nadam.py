"""Nadam: Adam with Nesterov momentum (Keras 3's form, momentum schedule
``u_t = beta_1 * (1 - 0.5 * 0.96**t)``).

At step ``t = iterations + 1`` the running product ``P_t = u_1 * ... * u_t`` (a float64
state Variable) is updated once, then per variable ``m`` and ``v`` move as in Adam
and ``w -= lr * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)`` with
``m_hat = u_{t+1} * m / (1 - P_t * u_{t+1}) + (1 - u_t) * g / (1 - P_t)``. The scalar
coefficients are computed in float64 and then cast.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = Nadam(learning_rate=0.1).apply([K.ones(1)], [w])
>>> round(float(w.numpy()[0]), 4)
0.8937
"""

from lamina import backend as K
from lamina.optimizers.base import Optimizer, check_number

_DECAY = 0.96


class Nadam(Optimizer):
    """``Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
    **base_arguments)``.

    >>> Nadam().get_config()["epsilon"]
    1e-07
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1 = check_number("Nadam", "beta_1", beta_1, high=1.0)
        self.beta_2 = check_number("Nadam", "beta_2", beta_2, high=1.0)
        self.epsilon = check_number("Nadam", "epsilon", epsilon)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum")
        self.velocities = self.add_optimizer_variables(variables, "velocity")
        self.u_product = self.add_variable((), initializer="ones", dtype="float64",
                                           name="u_product")

    def _momentum_schedule(self, offset):
        step = K.cast(K.add(self.iterations, offset), "float64")
        return K.multiply(K.subtract(1.0, K.multiply(K.power(_DECAY, step), 0.5)), self.beta_1)

    def _update_steps(self, grads, variables, learning_rate):
        self.u_product.assign(K.multiply(self.u_product, self._momentum_schedule(1)))
        super()._update_steps(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        u_t, u_next = self._momentum_schedule(1), self._momentum_schedule(2)
        product = self.u_product.value
        step = K.cast(K.add(self.iterations, 1), "float64")
        m_coef = K.cast(K.divide(u_next, K.subtract(1.0, K.multiply(product, u_next))), dtype)
        g_coef = K.cast(K.divide(K.subtract(1.0, u_t), K.subtract(1.0, product)), dtype)
        v_coef = K.cast(K.divide(1.0, K.subtract(1.0, K.power(
            K.convert_to_tensor(self.beta_2, "float64"), step))), dtype)
        m = self._slot(self.momentums, variable)
        v = self._slot(self.velocities, variable)
        m.assign_add(K.multiply(K.subtract(gradient, m), 1.0 - self.beta_1))
        v.assign_add(K.multiply(K.subtract(K.square(gradient), v), 1.0 - self.beta_2))
        m_hat = K.add(K.multiply(m, m_coef), K.multiply(gradient, g_coef))
        denominator = K.add(K.sqrt(K.multiply(v, v_coef)), self.epsilon)
        variable.assign_sub(K.divide(K.multiply(m_hat, K.cast(learning_rate, dtype)),
                                     denominator))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
