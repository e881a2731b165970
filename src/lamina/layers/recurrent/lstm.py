"""LSTMCell and LSTM; the layer runs the engine's fused kernel (``K.lstm``) when its
configuration is the kernel's."""

from lamina import initializers
from lamina import backend as K
from lamina.layers.recurrent.cell_base import CELL_SETTINGS, RecurrentCell, forward_to_cell
from lamina.layers.recurrent.fused_rnn import FusedRNN


class LSTMCell(RecurrentCell):
    """The cell of a long short-term memory layer (Hochreiter and Schmidhuber, 1997).

    With ``z = x @ kernel + h @ recurrent_kernel + bias`` split into the gates i, f, c, o
    (Keras's order): ``c = f * c + i * activation(z_c)``, ``h = o * activation(c)``, where
    ``i, f, o`` are ``recurrent_activation`` of their parts. States ``[h, c]``; the
    output is ``h``. ``unit_forget_bias`` starts the forget gate's bias at 1.

    ``LSTMCell(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
    bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
    recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
    recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
    seed=None)``.

    >>> from lamina import backend as K, layers
    >>> cell = layers.LSTMCell(2)
    >>> output, (h, c) = cell(K.ones((1, 3)), [K.zeros((1, 2)), K.zeros((1, 2))])
    >>> [w.shape for w in cell.weights], K.convert_to_numpy(cell.bias).tolist()
    ([(3, 8), (2, 8), (8,)], [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def bias_initial_value(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype=dtype)
        units = self.units
        return K.concatenate([self.bias_initializer((units,), dtype=dtype),
                              initializers.get("ones")((units,), dtype=dtype),
                              self.bias_initializer((2 * units,), dtype=dtype)], axis=0)

    def call(self, inputs, states, training=None):
        h, c = states
        inputs, dropped_h = self.dropped(inputs, h, training)
        z = K.matmul(inputs, self.kernel) + K.matmul(dropped_h, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        units = self.units
        i = self.recurrent_activation(z[:, :units])
        f = self.recurrent_activation(z[:, units:2 * units])
        c = f * c + i * self.activation(z[:, 2 * units:3 * units])
        h = self.recurrent_activation(z[:, 3 * units:]) * self.activation(c)
        return h, [h, c]


@forward_to_cell(*CELL_SETTINGS, "recurrent_activation", "unit_forget_bias")
class LSTM(FusedRNN):
    """A long short-term memory layer: :class:`RNN` over an :class:`LSTMCell`.

    ``LSTM(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, ...,
    unit_forget_bias=True, ..., dropout=0.0, recurrent_dropout=0.0, seed=None,
    return_sequences=False, return_state=False, go_backwards=False, stateful=False,
    unroll=False)``: the cell's arguments, then the RNN's. Weights: ``kernel``
    (input_dim, 4 * units), ``recurrent_kernel`` (units, 4 * units), ``bias``
    (4 * units,), gates i, f, c, o.

    With tanh, sigmoid and no unrolling the layer runs the engine's fused kernel,
    ``K.lstm`` (torch's ``torch.lstm``, one ``lax.scan`` on JAX; recurrent dropout's
    mask enters it as an input); otherwise the cell step by step. Both give the same
    results.

    >>> from lamina import backend as K, layers
    >>> output, h, c = layers.LSTM(4, return_state=True)(K.Input((6, 3)))
    >>> output.shape, c.shape
    ((None, 4), (None, 4))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def fused_kernel(self, sequences, initial_state, mask, recurrent_mask=None):
        cell = self.cell
        return K.lstm(sequences, initial_state[0], initial_state[1], cell.kernel,
                      cell.recurrent_kernel, cell.bias, mask=mask,
                      go_backwards=self.go_backwards, return_sequences=self.return_sequences,
                      zero_output_for_mask=self.zero_output_for_mask,
                      recurrent_mask=recurrent_mask)
