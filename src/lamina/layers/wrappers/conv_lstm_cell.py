"""ConvLSTMCell: one step of a convolutional LSTM, for 1, 2 or 3 spatial dimensions.

The four gates (input, forget, cell, output, in that order, as in Keras) share one
kernel of shape ``(*kernel_size, input_channels, 4 * filters)`` and one recurrent kernel
``(*kernel_size, filters, 4 * filters)``: each step runs one convolution of the input
and one of the previous output (strides 1, "same" padding) and splits the result into
the gates along the channel axis.

It is an :class:`LSTMCell` whose matrix products are convolutions: it keeps the LSTM
cell's settings (``units`` is ``filters``), bias initialisation (``unit_forget_bias``)
and dropout masks, drawn once per sequence (the RNN layer draws them before its loop)
and reused at every step, as in Keras. ``input_convolution`` and ``step`` are the two
halves of a step, so that a layer can convolve every time step of the input at once
and loop over the recurrent half only.
"""

from lamina import backend as K
from lamina._arguments import as_ints, is_int, positive_int
from lamina.layers.recurrent.lstm import LSTMCell


def _conv_tuple(value, rank, name, owner):
    values = (value,) * rank if is_int(value) \
        else tuple(value) if isinstance(value, (list, tuple)) else None
    if values is None or len(values) != rank or not all(
            positive_int(v) is not None for v in values):
        raise ValueError(f"{owner} expects {name} to be a positive int or a tuple of {rank} "
                         f"positive ints. Received {name}={value!r}.")
    return as_ints(values)


def conv_arguments(owner, rank, filters, kernel_size, strides, padding, data_format,
                   dilation_rate):
    """The convolution arguments of a ConvLSTM, checked and normalized: ``filters``, then
    ``kernel_size``, ``strides`` and ``dilation_rate`` as tuples of ``rank`` ints,
    ``padding`` in lower case and ``data_format`` (the default one when None). A
    ValueError names ``owner``, the argument and the value received.

    >>> conv_arguments("ConvLSTM2D", 2, 4, 3, 1, "Same", None, (2, 1))
    (4, (3, 3), (1, 1), 'same', 'channels_last', (2, 1))
    """
    if positive_int(filters) is None:
        raise ValueError(f"{owner} expects filters to be a positive int. "
                         f"Received filters={filters!r}.")
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{owner} expects padding to be 'valid' or 'same'. "
                         f"Received padding={padding!r}.")
    data_format = K.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{owner} expects data_format to be 'channels_last' or "
                         f"'channels_first'. Received data_format={data_format!r}.")
    return (int(filters), _conv_tuple(kernel_size, rank, "kernel_size", owner),
            _conv_tuple(strides, rank, "strides", owner), padding, data_format,
            _conv_tuple(dilation_rate, rank, "dilation_rate", owner))


def conv_output_size(size, kernel, stride, dilation, padding):
    """The length of one spatial axis after a convolution (None stays None).

    >>> conv_output_size(7, 3, 2, 1, "valid"), conv_output_size(7, 3, 2, 1, "same")
    (3, 4)
    """
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - dilation * (kernel - 1) - 1) // stride + 1


class ConvLSTMCell(LSTMCell):
    """One step of a convolutional LSTM over inputs with ``rank`` spatial dimensions.

    ``ConvLSTMCell(rank, filters, kernel_size, strides=1, padding="valid",
    data_format=None, dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
    use_bias=True, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
    bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
    recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
    recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
    seed=None)``. ``call(inputs, states)`` takes one time step ``(batch, *spatial,
    channels)`` and ``states = [h, c]``, and returns ``(h, [h, c])``.

    >>> from lamina import backend as K
    >>> cell = ConvLSTMCell(2, filters=4, kernel_size=3, padding="same")
    >>> cell.build((None, 5, 5, 2))
    >>> h, (h2, c) = cell(K.ones((1, 5, 5, 2)), cell.get_initial_state(batch_size=1))
    >>> K.shape(h), [w.shape for w in cell.weights]
    ((1, 5, 5, 4), [(3, 3, 2, 16), (3, 3, 4, 16), (16,)])
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        owner = type(self).__name__
        arguments = conv_arguments(owner, rank, filters, kernel_size, strides, padding,
                                   data_format, dilation_rate)
        super().__init__(
            filters, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.rank = rank
        (self.filters, self.kernel_size, self.strides, self.padding, self.data_format,
         self.dilation_rate) = arguments
        self.channel_axis = -1 if self.data_format == "channels_last" else 1
        self.step_shape = None

    @property
    def state_size(self):
        """The shapes of ``h`` and ``c`` without the batch, once built (the filters before)."""
        if self.step_shape is None:
            return [self.filters, self.filters]
        shape = self.state_shape(self.step_shape)[1:]
        return [shape, shape]

    @property
    def output_size(self):
        return self.filters

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects one time step "
                             f"of rank {self.rank + 2} (batch, {self.rank} spatial axes, "
                             f"channels). Received input shape {input_shape}.")
        if None in input_shape[1:]:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} needs known spatial "
                             f"dimensions and channels. Received input shape {input_shape}.")
        channels = input_shape[self.channel_axis]
        self.step_shape = input_shape
        gates = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, gates),
                                      self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", self.kernel_size + (self.filters, gates),
            self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = self.add_weight(
            "bias", (gates,), self.bias_initial_value, regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def state_shape(self, input_shape):
        """The shape of ``h`` and ``c`` for one time step of shape ``input_shape``.

        >>> ConvLSTMCell(1, 3, 2, strides=2).state_shape((4, 9, 5))
        (4, 4, 3)
        """
        spatial_axes = range(1, self.rank + 1) if self.channel_axis == -1 else \
            range(2, self.rank + 2)
        spatial = tuple(conv_output_size(input_shape[axis], k, s, d, self.padding)
                        for axis, k, s, d in zip(spatial_axes, self.kernel_size, self.strides,
                                                 self.dilation_rate))
        if self.channel_axis == -1:
            return (input_shape[0],) + spatial + (self.filters,)
        return (input_shape[0], self.filters) + spatial

    def get_initial_state(self, batch_size=None):
        """Zero ``[h, c]`` for ``batch_size`` sequences (the cell must be built)."""
        zeros = K.zeros((batch_size,) + self.state_shape(self.step_shape)[1:],
                        dtype=self.compute_dtype)
        return [zeros, zeros]

    def input_convolution(self, inputs):
        """The input's contribution to the four gates, bias included (added by the
        convolution itself: no second pass over the gates)."""
        return K.conv(inputs, self.kernel, strides=self.strides, padding=self.padding,
                      data_format=self.data_format, dilation_rate=self.dilation_rate,
                      bias=self.bias)

    def step(self, input_gates, states, recurrent_mask=None):
        """One step from the input's gate contributions (``input_convolution``), the
        previous ``h`` multiplied by ``recurrent_mask`` when given: returns ``(h, [h, c])``."""
        h_previous, c_previous = states
        if recurrent_mask is not None:
            h_previous = h_previous * recurrent_mask
        gates = input_gates + K.conv(h_previous, self.recurrent_kernel, strides=1,
                                     padding="same", data_format=self.data_format)
        i, f, g, o = K.split(gates, 4, axis=self.channel_axis)
        i, f, o = (self.recurrent_activation(v) for v in (i, f, o))
        c = f * c_previous + i * self.activation(g)
        h = o * self.activation(c)
        return h, [h, c]

    def call(self, inputs, states, training=None):
        inputs, h_previous = self.dropped(inputs, states[0], training)
        return self.step(self.input_convolution(inputs), [h_previous, states[1]])
