"""FusedRNN: the base of LSTM and GRU, which run the engine's fused kernel when their
configuration is the kernel's and their cell step by step otherwise."""

from lamina import activations
from lamina import backend as K
from lamina.layers.recurrent.rnn import RNN


class FusedRNN(RNN):
    """An RNN whose ``inner_loop`` is ``fused_kernel(sequences, initial_state, mask,
    recurrent_mask)`` when ``uses_fused_kernel()``: activation tanh, recurrent activation
    sigmoid, no unrolling. Input dropout multiplies the whole sequence by the cell's one
    mask first, as the cell does at each step; recurrent dropout's mask, drawn once per
    sequence, enters the kernel as ``recurrent_mask`` (None outside training), which
    multiplies the previous output at each step as the cell does.

    >>> from lamina import layers
    >>> layers.LSTM(2).uses_fused_kernel(), layers.GRU(2, activation="relu").uses_fused_kernel()
    (True, False)
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    def uses_fused_kernel(self):
        """Whether the layer runs the engine's fused kernel rather than its cell."""
        cell = self.cell
        return (cell.activation is activations.tanh and
                cell.recurrent_activation is activations.sigmoid and not self.unroll)

    def fused_kernel(self, sequences, initial_state, mask, recurrent_mask=None):
        """``(last_output, outputs, states)`` from the engine's fused kernel."""
        raise NotImplementedError

    def inner_loop(self, sequences, initial_state, mask, training=None):
        if not self.uses_fused_kernel():
            return super().inner_loop(sequences, initial_state, mask, training)
        cell = self.cell
        recurrent_mask = None
        if training:
            if cell.dropout > 0:
                sequences = K.multiply(
                    sequences, K.expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1))
            recurrent_mask = cell.get_recurrent_dropout_mask(initial_state[0])
        return self.fused_kernel(sequences, initial_state, mask, recurrent_mask)
