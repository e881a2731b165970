"""Projection: the einsum-shaped dense sub-layers of MultiHeadAttention.

Keras 3 builds MultiHeadAttention's query, key, value and output projections from
``EinsumDense`` layers; lamina has no public EinsumDense yet, so this private layer
keeps exactly their weight layout: a kernel of shape ``input_dims + output_dims``
contracted with the last ``len(input_dims)`` axes of the input, and a bias of shape
``output_dims`` (query: kernel ``(dim, num_heads, key_dim)``, bias
``(num_heads, key_dim)``; output: kernel ``(num_heads, value_dim, dim)``, bias
``(dim,)``).
"""

import string

from lamina import backend as K
from lamina.layers.layer import Layer


def projection_equation(free_dims, bound_dims, output_dims):
    """The einsum equation contracting the last ``bound_dims`` axes of an input with
    ``free_dims`` leading axes against a kernel ``bound + output`` axes.

    >>> projection_equation(2, 1, 2)
    'abc,cde->abde'
    """
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    output = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{output}->{free}{output}"


class Projection(Layer):
    """``einsum(equation, inputs, kernel) + bias`` with a kernel of shape
    ``input_dims + output_dims`` and a bias of shape ``output_dims``; the weights are
    made at construction.

    ``Projection(free_dims, input_dims, output_dims, use_bias=True, kernel_initializer=...,
    bias_initializer=..., kernel_regularizer=None, bias_regularizer=None,
    kernel_constraint=None, bias_constraint=None, name=None, dtype=None)``.

    >>> from lamina import backend as K
    >>> layer = Projection(2, (4,), (2, 3), kernel_initializer="ones", name="query")
    >>> K.shape(layer(K.ones((5, 7, 4)))), layer.kernel.shape, layer.bias.shape
    ((5, 7, 2, 3), (4, 2, 3), (2, 3))
    """

    def __init__(self, free_dims, input_dims, output_dims, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        input_dims, output_dims = tuple(input_dims), tuple(output_dims)
        self.equation = projection_equation(free_dims, len(input_dims), len(output_dims))
        self.kernel = self.add_weight("kernel", input_dims + output_dims, kernel_initializer,
                                      regularizer=kernel_regularizer,
                                      constraint=kernel_constraint)
        self.bias = self.add_weight("bias", output_dims, bias_initializer,
                                    regularizer=bias_regularizer,
                                    constraint=bias_constraint) if use_bias else None
        self.built = True

    def call(self, inputs):
        outputs = K.einsum(self.equation, inputs, self.kernel)
        return outputs + self.bias if self.bias is not None else outputs
