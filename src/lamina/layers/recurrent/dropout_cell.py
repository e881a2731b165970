"""DropoutRNNCell: the dropout masks of a recurrent cell, drawn once per sequence."""

from lamina import backend as K


class DropoutRNNCell:
    """Mixin of cells with ``dropout`` (on the inputs) and ``recurrent_dropout`` (on the
    previous output) and a ``seed_generator``: each mask is drawn at its first request
    and reused at every step of the sequence, until ``reset_dropout_mask`` /
    ``reset_recurrent_dropout_mask`` (the RNN layer draws them before its loop and resets
    them after it, so a compiled loop draws nothing inside).

    >>> from lamina import backend as K, layers
    >>> cell = layers.SimpleRNNCell(2, dropout=0.5, seed=1)
    >>> first = cell.get_dropout_mask(K.ones((1, 4)))
    >>> first is cell.get_dropout_mask(K.ones((1, 4)))
    True
    >>> sorted(set(K.convert_to_numpy(first).ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    """

    _dropout_mask = None
    _recurrent_dropout_mask = None

    def get_dropout_mask(self, step_input):
        """The mask multiplying the inputs (None without ``dropout``)."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = K.dropout(K.ones_like(step_input), self.dropout,
                                           seed=self.seed_generator)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input):
        """The mask multiplying the previous output (None without ``recurrent_dropout``)."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = K.dropout(K.ones_like(step_input),
                                                     self.recurrent_dropout,
                                                     seed=self.seed_generator)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forget the input mask: the next request draws a new one."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forget the recurrent mask: the next request draws a new one."""
        self._recurrent_dropout_mask = None
