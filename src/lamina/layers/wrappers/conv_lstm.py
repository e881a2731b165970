"""ConvLSTM1D, ConvLSTM2D, ConvLSTM3D: an :class:`RNN` over a :class:`ConvLSTMCell`.

The input convolution of every time step runs at once, before the loop (time folded
into the batch, as in TimeDistributed); the loop (``K.rnn``) then runs only the
recurrent convolution and the gates, step by step. Masks, ``go_backwards``,
``initial_state``, ``return_state``, ``stateful`` and dropout work as in every RNN.

Sequences of up to ``UNROLL_STEPS`` steps run the loop unrolled (``K.rnn(unroll=True)``):
on a CPU, XLA runs a convolution and its gradients several times slower inside a
compiled loop than in straight-line code (hand-written JAX, a training step of two
ConvLSTM2D(16, 3) on (4, 10, 32, 32, 1): 0.69 s as a loop, 0.12 s unrolled; with 32
filters and 20 steps, 8.5 s against 0.76 s). The unrolled program takes longer to
compile (there 4.4 s against 1.6 s for the first step), which a few steps pay back.
Engines that loop in Python (torch, NumPy) run the same steps either way; longer
sequences keep the loop, whose program size does not grow with the sequence.
"""

from lamina import backend as K
from lamina.layers.layer import InputSpec
from lamina.layers.recurrent.cell_base import forward_to_cell
from lamina.layers.recurrent.rnn import RNN
from lamina.layers.settings import serialize_setting
from lamina.layers.wrappers.conv_lstm_cell import ConvLSTMCell, conv_arguments
from lamina.layers.wrappers.time_distributed import fold, unfold

UNROLL_STEPS = 64

_CELL_SETTINGS = ("filters", "kernel_size", "strides", "padding", "data_format",
                  "dilation_rate", "activation", "recurrent_activation", "use_bias",
                  "kernel_initializer", "recurrent_initializer", "bias_initializer",
                  "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                  "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                  "bias_constraint", "dropout", "recurrent_dropout")


@forward_to_cell(*_CELL_SETTINGS)
class ConvLSTM(RNN):
    """The base of ConvLSTM1D/2D/3D: ``rank`` spatial dimensions, then the arguments of
    :class:`ConvLSTMCell` and of :class:`RNN`. Inputs are (samples, time, *spatial,
    channels) with ``channels_last``, (samples, time, channels, *spatial) with
    ``channels_first``; the weights are the cell's ``kernel``, ``recurrent_kernel`` and
    ``bias``.

    >>> from lamina import backend as K
    >>> ConvLSTM(1, filters=2, kernel_size=3)(K.Input((4, 8, 3))).shape
    (None, 6, 2)
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        name = kwargs.get("name")
        conv_arguments(type(self).__name__ + (f" layer {name!r}" if name else ""), rank,
                       filters, kernel_size, strides, padding, data_format, dilation_rate)
        cell = ConvLSTMCell(
            rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="conv_lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.input_spec = InputSpec(ndim=rank + 3)

    def inner_loop(self, sequences, initial_state, mask, training=None):
        cell = self.cell
        if training and cell.dropout > 0:
            sequences = sequences * K.expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1)
        recurrent_mask = cell.get_recurrent_dropout_mask(initial_state[0]) if training else None
        input_gates = unfold(cell.input_convolution(fold(sequences)), sequences)

        def step(gates, states):
            return cell.step(gates, states, recurrent_mask)

        steps = K.int_shape(input_gates)[1]
        return K.rnn(step, input_gates, initial_state, go_backwards=self.go_backwards,
                     mask=mask, unroll=steps is not None and steps <= UNROLL_STEPS,
                     zero_output_for_mask=self.zero_output_for_mask,
                     return_all_outputs=self.return_sequences)

    def get_config(self):
        """Every argument, the defaults included (ConvLSTM1D/2D/3D pass most of theirs
        as keywords, which the captured constructor arguments would otherwise omit)."""
        config = super().get_config()
        config.update({name: serialize_setting(getattr(self.cell, name))
                       for name in _CELL_SETTINGS + ("seed",)})
        config.update(activity_regularizer=serialize_setting(self.activity_regularizer),
                      return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful)
        return config


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM: inputs (samples, time, steps, channels).

    ``ConvLSTM1D(filters, kernel_size, strides=1, padding="valid", data_format=None,
    dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
    bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
    recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
    recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
    go_backwards=False, stateful=False)``.

    >>> from lamina import backend as K, layers
    >>> layer = layers.ConvLSTM1D(4, 3, padding="same", return_sequences=True)
    >>> layer(K.Input((5, 8, 2))).shape, [w.shape for w in layer.weights]
    ((None, 5, 8, 4), [(3, 2, 16), (3, 4, 16), (16,)])
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(1, filters, kernel_size, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM: inputs (samples, time, rows, cols, channels).

    ``ConvLSTM2D(filters, kernel_size, strides=1, padding="valid", data_format=None,
    dilation_rate=1, ...)``: the same arguments as :class:`ConvLSTM1D`, with
    ``kernel_size``, ``strides`` and ``dilation_rate`` an int or 2 ints.

    >>> from lamina import backend as K, layers
    >>> layer = layers.ConvLSTM2D(4, 3, strides=2, return_state=True)
    >>> output, h, c = layer(K.Input((None, 9, 9, 2)))
    >>> output.shape, c.shape
    ((None, 4, 4, 4), (None, 4, 4, 4))
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)


class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM: inputs (samples, time, depth, rows, cols, channels).

    ``ConvLSTM3D(filters, kernel_size, ...)``: the same arguments as
    :class:`ConvLSTM1D`, with ``kernel_size``, ``strides`` and ``dilation_rate`` an int
    or 3 ints.

    >>> from lamina import backend as K, layers
    >>> layers.ConvLSTM3D(2, 2)(K.Input((3, 4, 4, 4, 1))).shape
    (None, 3, 3, 3, 2)
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(3, filters, kernel_size, **kwargs)
