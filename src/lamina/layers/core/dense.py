"""Dense: ``activation(inputs @ kernel + bias)`` on the last axis."""

from lamina import activations, constraints, initializers, regularizers
from lamina import backend as K
from lamina._arguments import positive_int
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.settings import serialize_setting


class Dense(Layer):
    """A densely connected layer.

    ``Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
    activity_regularizer=None, kernel_constraint=None, bias_constraint=None)``.

    >>> from lamina import backend as K, layers
    >>> dense = layers.Dense(3, activation="relu")
    >>> dense(K.Input((5,))).shape, [w.shape for w in dense.weights]
    ((None, 3), [(5, 3), (3,)])
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if positive_int(units) is None:
            raise ValueError(f"Dense {self.name!r}: units must be a positive int; "
                             f"received {units!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        last = input_shape[-1]
        if last is None:
            raise ValueError(f"Dense {self.name!r} needs a known last dimension; received "
                             f"input shape {input_shape}.")
        self.kernel = self.add_weight("kernel", (last, self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.built = True

    def call(self, inputs):
        outputs = K.matmul(inputs, self.kernel)
        if self.bias is not None:
            outputs = K.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def get_config(self):
        config = super().get_config()
        config.update(activation=activations.serialize(self.activation),
                      kernel_initializer=serialize_setting(self.kernel_initializer),
                      bias_initializer=serialize_setting(self.bias_initializer),
                      kernel_regularizer=serialize_setting(self.kernel_regularizer),
                      bias_regularizer=serialize_setting(self.bias_regularizer),
                      kernel_constraint=serialize_setting(self.kernel_constraint),
                      bias_constraint=serialize_setting(self.bias_constraint))
        return config

