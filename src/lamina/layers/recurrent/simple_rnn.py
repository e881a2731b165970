"""SimpleRNNCell and SimpleRNN: ``h = activation(x @ kernel + h @ recurrent_kernel + bias)``."""

from lamina import backend as K
from lamina.layers.recurrent.cell_base import CELL_SETTINGS, RecurrentCell, forward_to_cell
from lamina.layers.recurrent.rnn import RNN


class SimpleRNNCell(RecurrentCell):
    """The cell of a fully-connected RNN: ``output = activation(x @ kernel + h @
    recurrent_kernel + bias)``, which is also the new state.

    ``SimpleRNNCell(units, activation="tanh", use_bias=True,
    kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
    bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
    bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
    bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None)``.

    >>> from lamina import backend as K, layers
    >>> cell = layers.SimpleRNNCell(3)
    >>> output, states = cell(K.ones((2, 4)), [K.zeros((2, 3))])
    >>> K.int_shape(output), [w.shape for w in cell.weights]
    ((2, 3), [(4, 3), (3, 3), (3,)])
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=None, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def call(self, inputs, states, training=None):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        inputs, dropped_previous = self.dropped(inputs, previous, training)
        h = K.matmul(inputs, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + K.matmul(dropped_previous, self.recurrent_kernel))
        return output, ([output] if isinstance(states, (list, tuple)) else output)


@forward_to_cell(*CELL_SETTINGS)
class SimpleRNN(RNN):
    """A fully-connected RNN layer: :class:`RNN` over a :class:`SimpleRNNCell`.

    ``SimpleRNN(units, activation="tanh", use_bias=True, ..., dropout=0.0,
    recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
    go_backwards=False, stateful=False, unroll=False)``: the cell's arguments, then the
    RNN's. The weights are the cell's: ``kernel`` (input_dim, units),
    ``recurrent_kernel`` (units, units), ``bias`` (units,).

    >>> from lamina import backend as K, layers
    >>> layers.SimpleRNN(4, return_sequences=True)(K.Input((6, 3))).shape
    (None, 6, 4)
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
