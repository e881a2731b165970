"""GRUCell and GRU; the layer runs the engine's fused kernel (``K.gru``) when its
configuration is the kernel's."""

from lamina import backend as K
from lamina.layers.recurrent.cell_base import CELL_SETTINGS, RecurrentCell, forward_to_cell
from lamina.layers.recurrent.fused_rnn import FusedRNN


class GRUCell(RecurrentCell):
    """The cell of a gated recurrent unit layer (Cho et al., 2014).

    Gates z, r (Keras's order z, r, h) are ``recurrent_activation`` of ``x @ kernel +
    h @ recurrent_kernel + biases``; the candidate is ``activation(x_h + r * (h @ U_h +
    b_h))`` with ``reset_after`` (the default, cuDNN's form; the bias is then (2,
    3 * units): input and recurrent biases), ``activation(x_h + (r * h) @ U_h)``
    without; ``h = z * h + (1 - z) * candidate`` is the output and the one state.

    ``GRUCell(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
    bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
    bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
    bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
    seed=None)``.

    >>> from lamina import backend as K, layers
    >>> cell = layers.GRUCell(2)
    >>> output, states = cell(K.ones((1, 3)), [K.zeros((1, 2))])
    >>> [w.shape for w in cell.weights]
    [(3, 6), (2, 6), (2, 6)]
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.reset_after = bool(reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        inputs, dropped_h = self.dropped(inputs, h, training)
        units = self.units
        x = K.matmul(inputs, self.kernel)
        input_bias = recurrent_bias = None
        if self.bias is not None:
            input_bias, recurrent_bias = (self.bias[0], self.bias[1]) if self.reset_after \
                else (self.bias, None)
            x = x + input_bias
        if self.reset_after:
            inner = K.matmul(dropped_h, self.recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            z = self.recurrent_activation(x[:, :units] + inner[:, :units])
            r = self.recurrent_activation(x[:, units:2 * units] + inner[:, units:2 * units])
            candidate = self.activation(x[:, 2 * units:] + r * inner[:, 2 * units:])
        else:
            inner = K.matmul(dropped_h, self.recurrent_kernel[:, :2 * units])
            z = self.recurrent_activation(x[:, :units] + inner[:, :units])
            r = self.recurrent_activation(x[:, units:2 * units] + inner[:, units:])
            candidate = self.activation(
                x[:, 2 * units:] + K.matmul(r * dropped_h, self.recurrent_kernel[:, 2 * units:]))
        h = z * h + (1 - z) * candidate
        return h, ([h] if isinstance(states, (list, tuple)) else h)


@forward_to_cell(*CELL_SETTINGS, "recurrent_activation", "reset_after")
class GRU(FusedRNN):
    """A gated recurrent unit layer: :class:`RNN` over a :class:`GRUCell`.

    ``GRU(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, ...,
    dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
    return_state=False, go_backwards=False, stateful=False, unroll=False,
    reset_after=True)``: the cell's arguments, then the RNN's. Weights: ``kernel``
    (input_dim, 3 * units), ``recurrent_kernel`` (units, 3 * units), ``bias``
    (2, 3 * units) with ``reset_after``, else (3 * units,); gates z, r, h.

    With tanh, sigmoid and no unrolling the layer runs the engine's fused kernel,
    ``K.gru`` (torch's ``torch.gru`` when ``reset_after`` and no recurrent dropout, one
    ``lax.scan`` on JAX); otherwise the cell step by step. Both give the same results.

    >>> from lamina import backend as K, layers
    >>> layers.GRU(4, return_sequences=True)(K.Input((6, 3))).shape
    (None, 6, 4)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, **kwargs):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def fused_kernel(self, sequences, initial_state, mask, recurrent_mask=None):
        cell = self.cell
        return K.gru(sequences, initial_state[0], cell.kernel, cell.recurrent_kernel, cell.bias,
                     mask=mask, go_backwards=self.go_backwards,
                     return_sequences=self.return_sequences,
                     zero_output_for_mask=self.zero_output_for_mask,
                     reset_after=cell.reset_after, recurrent_mask=recurrent_mask)
