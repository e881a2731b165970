"""Adam and AdamW: adaptive moment estimation (Keras 3's form).

``m += (g - m) * (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)`` (with ``amsgrad``
the running maximum of ``v``), then ``w -= alpha * m / (sqrt(v) + epsilon)`` with
``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` at step ``t = iterations + 1``.
The bias corrections are computed in float64 and then cast, so that float32 runs
do not lose ``1 - beta_2**t`` to rounding. AdamW is Adam with decoupled weight
decay on by default.

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> _ = Adam(learning_rate=0.1).apply([K.ones(1) * 3], [w])
>>> round(float(w.numpy()[0]), 4)
0.9
"""

from lamina import backend as K
from lamina.optimizers.base import Optimizer, check_number


def bias_correction(optimizer, beta, dtype, offset=1):
    """``1 - beta ** (iterations + offset)``, computed in float64, cast to ``dtype``.

    >>> from lamina import backend as K
    >>> round(float(bias_correction(Adam(), 0.5, "float32")), 4)
    0.5
    """
    step = K.cast(K.add(optimizer.iterations, offset), "float64")
    return K.cast(K.subtract(1.0, K.power(K.convert_to_tensor(beta, "float64"), step)), dtype)


def adam_step_size(optimizer, learning_rate, dtype):
    """``lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` at ``t = iterations + 1``, in float64
    and cast to ``dtype``."""
    step = K.cast(K.add(optimizer.iterations, 1), "float64")
    correction_1 = K.subtract(1.0, K.power(K.convert_to_tensor(optimizer.beta_1, "float64"),
                                           step))
    correction_2 = K.subtract(1.0, K.power(K.convert_to_tensor(optimizer.beta_2, "float64"),
                                           step))
    alpha = K.divide(K.multiply(K.cast(learning_rate, "float64"), K.sqrt(correction_2)),
                     correction_1)
    return K.cast(alpha, dtype)


class Adam(Optimizer):
    """``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False,
    **base_arguments)``.

    >>> Adam(amsgrad=True).get_config()["amsgrad"]
    True
    """

    _fused = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, high=1.0)
        self.beta_2 = check_number(owner, "beta_2", beta_2, high=1.0)
        self.epsilon = check_number(owner, "epsilon", epsilon)
        self.amsgrad = bool(amsgrad)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum")
        self.velocities = self.add_optimizer_variables(variables, "velocity")
        self.velocity_hats = self.add_optimizer_variables(variables, "velocity_hat") \
            if self.amsgrad else []

    def update_step(self, gradient, variable, learning_rate):
        alpha = adam_step_size(self, learning_rate, variable.dtype)
        m = self._slot(self.momentums, variable)
        v = self._slot(self.velocities, variable)
        m.assign_add(K.multiply(K.subtract(gradient, m), 1.0 - self.beta_1))
        v.assign_add(K.multiply(K.subtract(K.square(gradient), v), 1.0 - self.beta_2))
        if self.amsgrad:
            v_hat = self._slot(self.velocity_hats, variable)
            v = v_hat.assign(K.maximum(v_hat, v))
        variable.assign_sub(K.divide(K.multiply(m, alpha), K.add(K.sqrt(v), self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: ``AdamW(learning_rate=0.001, weight_decay=0.004,
    beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False, **base_arguments)``.

    >>> AdamW().weight_decay
    0.004
    """

    _fused = "adam"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-07, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number >= 0. Received "
                             "weight_decay=None.")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
