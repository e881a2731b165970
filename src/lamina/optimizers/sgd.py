"""SGD: gradient descent with optional momentum and Nesterov momentum (Keras 3's form).

Without momentum ``w -= lr * g``. With momentum ``m = momentum * m - lr * g`` and
``w += m`` (Nesterov: ``w += momentum * m - lr * g``).

>>> from lamina import backend as K
>>> w = K.Variable([1.0])
>>> optimizer = SGD(learning_rate=0.1, momentum=0.5)
>>> for _ in range(2):
...     _ = optimizer.apply([K.ones(1)], [w])
>>> round(float(w.numpy()[0]), 4)
0.75
"""

from lamina import backend as K
from lamina.optimizers.base import Optimizer, check_number


class SGD(Optimizer):
    """``SGD(learning_rate=0.01, momentum=0.0, nesterov=False, **base_arguments)``;
    ``momentum`` in [0, 1].

    >>> SGD(momentum=0.9, nesterov=True).get_config()["nesterov"]
    True
    """

    _fused = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.momentum = check_number("SGD", "momentum", momentum, high=1.0)
        self.nesterov = bool(nesterov)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum") \
            if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate):
        step = K.multiply(gradient, K.cast(learning_rate, variable.dtype))
        if self.momentum == 0:
            variable.assign_sub(step)
            return
        m = self._slot(self.momentums, variable)
        m.assign(K.subtract(K.multiply(m, self.momentum), step))
        if self.nesterov:
            variable.assign_add(K.subtract(K.multiply(m, self.momentum), step))
        else:
            variable.assign_add(m)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
