"""RNN: a recurrent layer running any cell over the time axis of its inputs."""

from lamina import backend as K
from lamina.backend import tree
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.recurrent.cell_base import SerializedConfig
from lamina.layers.recurrent.cell_protocol import cell_function, state_shapes
from lamina.layers.recurrent.dropout_cell import DropoutRNNCell
from lamina.layers.recurrent.serialization import deserialize_cell, serialize_cell
from lamina.layers.recurrent.stacked_cells import StackedRNNCells


def layer_error(layer, message):
    """A ValueError about ``layer`` that its call reports unchanged."""
    error = ValueError(f"{type(layer).__name__} layer {layer.name!r} {message}")
    error._lamina_layer = True
    return error


class RNN(SerializedConfig, Layer):
    """A recurrent layer: runs ``cell`` over the time axis of inputs (samples, time, ...).

    ``RNN(cell, return_sequences=False, return_state=False, go_backwards=False,
    stateful=False, unroll=False, zero_output_for_mask=False)``. ``cell`` is a Layer or
    any object with ``state_size`` (an int, or a list of ints, one per state), optionally
    ``output_size``, and ``call(inputs, states, training=None) -> (output, new_states)``
    (Keras's cell protocol); a list of cells is stacked (:class:`StackedRNNCells`).

    The layer returns the last output, or every step's with ``return_sequences``, and with
    ``return_state`` a tuple ``(output, *final_states)``. Its call takes ``initial_state``
    (a list of tensors, symbolic too), ``mask`` (samples, time): a masked step keeps the
    states and repeats the previous output (zeros with ``zero_output_for_mask``), and
    ``training``. ``go_backwards`` reads the sequence from its end. A ``stateful`` layer
    (its batch size fixed: ``Input(batch_shape=...)``) starts each call from the states
    the previous call ended with, kept in non-trainable Variables, ``states``, until
    ``reset_states()``. The loop is ``K.rnn``; ``unroll`` is passed to it.

    >>> from lamina import backend as K, layers
    >>> class MinimalCell(layers.Layer):
    ...     state_size = 4
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight("w", (input_shape[-1], 4))
    ...     def call(self, inputs, states):
    ...         output = K.tanh(K.dot(inputs, self.w) + states[0])
    ...         return output, [output]
    >>> rnn = layers.RNN(MinimalCell(), return_sequences=True)
    >>> rnn(K.Input((7, 3))).shape
    (None, 7, 4)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects a cell with a "
                             f"`call(inputs, states)` method. Received {cell!r}.")
        if getattr(cell, "state_size", None) is None:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects a cell with a "
                             f"`state_size` attribute (an int or a list of ints, one per "
                             f"state). Received {type(cell).__name__} without one.")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states = None
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    @property
    def state_size(self):
        """The cell's ``state_size``."""
        return self.cell.state_size

    # -- building ---------------------------------------------------------------------
    def build(self, sequences_shape):
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        elif not isinstance(self.cell, Layer) and callable(getattr(self.cell, "build", None)):
            self.cell.build(step_shape)
        if self.stateful:
            batch = sequences_shape[0]
            if batch is None:
                raise ValueError(
                    f"{type(self).__name__} layer {self.name!r} is stateful, so it needs a "
                    f"fixed batch size: give the first layer `batch_shape` "
                    f"(`Input(batch_shape=(32, ...))`). Received input shape "
                    f"{tuple(sequences_shape)}.")
            self.states = [K.Variable(K.convert_to_tensor(s), trainable=False,
                                      name=f"state_{i}")
                           for i, s in enumerate(self._flat_initial_state(batch))]
        self.built = True

    def get_initial_state(self, batch_size):
        """The states a sequence starts from: the cell's ``get_initial_state`` when it has
        one, else zeros of each ``state_size``. A list (nested for stacked cells)."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            states = make(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        return [K.zeros((batch_size,) + shape, dtype=self._cell_dtype())
                for shape in state_shapes(self.cell.state_size)]

    def _cell_dtype(self):
        """The dtype of the states: the cell's compute dtype (bfloat16 under
        ``mixed_bfloat16``, where the variables stay float32)."""
        return getattr(self.cell, "compute_dtype", None) or self.compute_dtype

    def _flat_initial_state(self, batch_size):
        return tree.flatten(self.get_initial_state(batch_size))[0]

    def reset_states(self, states=None):
        """Set a stateful layer's states to zeros, or to ``states`` (a list of arrays)."""
        if not self.stateful:
            raise layer_error(self, "is not stateful: reset_states() needs stateful=True.")
        if self.states is None:
            return
        values = self._flat_initial_state(self.states[0].shape[0]) if states is None else \
            tree.flatten(states)[0]
        if len(values) != len(self.states):
            raise layer_error(self, f"expects {len(self.states)} states in reset_states. "
                                    f"Received {len(values)}.")
        for variable, value in zip(self.states, values):
            variable.assign(value)

    # -- calling ----------------------------------------------------------------------
    def _check_initial_state(self, given, expected):
        if len(given) != len(expected):
            raise layer_error(self, f"expects initial_state to be a list of {len(expected)} "
                                    f"tensor(s), one per state of its cell. Received "
                                    f"{len(given)}.")
        for i, (state, default) in enumerate(zip(given, expected)):
            shape, want = tuple(K.int_shape(state)), tuple(K.int_shape(default))
            if len(shape) != len(want) or any(
                    a is not None and b is not None and a != b for a, b in zip(shape, want)):
                raise layer_error(self, f"expects initial_state[{i}] of shape {want}. "
                                        f"Received shape {shape}.")

    def _initial_states(self, sequences, initial_state):
        """(flat initial states, rebuild: flat list -> the cell's structure)."""
        defaults, rebuild = tree.flatten(self.get_initial_state(K.shape(sequences)[0]))
        if initial_state is not None:
            given = tree.flatten(initial_state if isinstance(initial_state, (list, tuple))
                                 else [initial_state])[0]
            self._check_initial_state(given, defaults)
            return given, rebuild
        if self.stateful:
            # A copy: the states are assigned in place after the loop, while the
            # engine's autograd may still hold the values read here (torch).
            return [K.copy(v.value) for v in self.states], rebuild
        return defaults, rebuild

    def inner_loop(self, sequences, initial_state, mask, training=None):
        """``(last_output, outputs, final states)`` of the cell over ``sequences`` from
        ``initial_state`` (a flat list): ``K.rnn`` over the cell. LSTM and GRU replace it
        with the engine's fused kernel when their configuration allows."""
        rebuild = self._rebuild_states
        call = cell_function(self.cell, training)

        def step(inputs, states):
            output, new_states = call(inputs, rebuild(list(states)))
            if not isinstance(new_states, (list, tuple)):
                new_states = [new_states]
            return output, tree.flatten(new_states)[0]

        return K.rnn(step, sequences, initial_state, go_backwards=self.go_backwards, mask=mask,
                     unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask,
                     return_all_outputs=self.return_sequences)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        states, self._rebuild_states = self._initial_states(sequences, initial_state)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        try:
            if training:
                self._draw_dropout_masks(self.cell, sequences[:, 0], states)
            last_output, outputs, states = self.inner_loop(sequences, states, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            for variable, state in zip(self.states, states):
                variable.assign(K.stop_gradient(state))
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output,) + tuple(states)
        return output

    def _draw_dropout_masks(self, cell, step_input, states):
        """Draw the cells' dropout masks before the loop (a compiled loop draws nothing)."""
        if isinstance(cell, DropoutRNNCell):
            cell.get_dropout_mask(step_input)
            cell.get_recurrent_dropout_mask(states[0])
        if isinstance(cell, StackedRNNCells):
            position = 0
            for inner in cell.cells:
                count = len(state_shapes(inner.state_size))
                inner_states = list(states[position:position + count])
                self._draw_dropout_masks(inner, step_input, inner_states)
                step_input, _ = inner(step_input, inner_states)
                position += count

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            count = len(self.states) if self.states is not None else len(
                state_shapes(self.cell.state_size))
            return [output_mask] + [None] * count
        return output_mask

    # -- configuration ----------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        if "cell" in config:
            config["cell"] = serialize_cell(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "cell" in config:
            config["cell"] = deserialize_cell(config["cell"], custom_objects, cls.__name__)
        return cls(**config)


def _reset_dropout_masks(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for inner in getattr(cell, "cells", ()):
        _reset_dropout_masks(inner)
