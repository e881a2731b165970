"""RecurrentCell: what SimpleRNNCell, LSTMCell and GRUCell share — their settings, their
weights (``kernel``, ``recurrent_kernel``, ``bias``), dropout and config."""

from lamina import activations, constraints, initializers, regularizers
from lamina import backend as K
from lamina._arguments import is_number, positive_int
from lamina.layers.layer import Layer
from lamina.layers.recurrent.dropout_cell import DropoutRNNCell
from lamina.layers.settings import serialize_setting


def check_units(layer, units):
    """``units`` when it is a positive int, else a ValueError naming ``layer``."""
    if positive_int(units) is None:
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects units to be a "
                         f"positive int. Received units={units!r}.")
    return int(units)


def check_rate(layer, name, rate):
    """A dropout rate in [0, 1), else a ValueError naming ``layer``."""
    if not is_number(rate) or not 0 <= rate < 1:
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects {name} to be a "
                         f"float in [0, 1). Received {name}={rate!r}.")
    return float(rate)


class SerializedConfig:
    """``get_config`` with settings objects written as names or class/config dicts."""

    def get_config(self):
        config = super().get_config()
        return {key: serialize_setting(value) for key, value in config.items()}


class RecurrentCell(SerializedConfig, DropoutRNNCell, Layer):
    """The base of the built-in cells: ``units``, ``activation``, ``recurrent_activation``,
    ``use_bias``, the initializers, regularizers and constraints of ``kernel``,
    ``recurrent_kernel`` and ``bias``, ``dropout``, ``recurrent_dropout`` and ``seed``.
    Subclasses set ``gates`` and implement ``call``.

    >>> from lamina import layers
    >>> cell = layers.LSTMCell(3)
    >>> cell.build((None, 2)); [w.name for w in cell.weights]
    ['kernel', 'recurrent_kernel', 'bias']
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = check_units(self, units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(self, "dropout", dropout)
        self.recurrent_dropout = check_rate(self, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.seed_generator = K.SeedGenerator(seed)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def bias_shape(self):
        """The shape of ``bias``."""
        return (self.gates * self.units,)

    def bias_initial_value(self, shape, dtype=None):
        """The initial ``bias`` (the bias initializer's; LSTM's forget gate differs)."""
        return self.bias_initializer(shape, dtype=dtype)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} needs a known last "
                             f"input dimension. Received input shape {input_shape}.")
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (input_dim, width), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = self.add_weight(
            "bias", self.bias_shape(), self.bias_initial_value, regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def dropped(self, inputs, previous, training):
        """``inputs`` and ``previous`` (the previous output) times their dropout masks in
        training, unchanged otherwise."""
        if training:
            mask = self.get_dropout_mask(inputs)
            if mask is not None:
                inputs = K.multiply(inputs, mask)
            mask = self.get_recurrent_dropout_mask(previous)
            if mask is not None:
                previous = K.multiply(previous, mask)
        return inputs, previous


def forward_to_cell(*names):
    """A class decorator adding read-only properties that return the cell's attributes
    (``LSTM(4).units`` is its cell's ``units``)."""
    def decorate(cls):
        for name in names:
            setattr(cls, name, property(lambda self, name=name: getattr(self.cell, name),
                                        doc=f"The cell's ``{name}``."))
        return cls
    return decorate


CELL_SETTINGS = ("units", "activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                 "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                 "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")
