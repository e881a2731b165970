"""StackedRNNCells: several cells run as one, each feeding the next."""

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.recurrent.cell_protocol import cell_function, state_shapes
from lamina.layers.recurrent.cell_protocol import output_size as cell_output_size
from lamina.layers.recurrent.serialization import deserialize_cell, serialize_cell


class StackedRNNCells(Layer):
    """Cells stacked into one: at each step the first cell reads the input, each next cell
    the previous cell's output; the output is the last cell's. ``state_size`` lists the
    cells' state sizes, and ``call`` takes and returns one list of states per cell.

    >>> from lamina import backend as K, layers
    >>> cells = layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(2)])
    >>> layers.RNN(cells)(K.Input((5, 3))).shape, cells.state_size
    ((None, 2), [[4, 4], 2])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size",
                                                                     None) is None:
                raise ValueError(f"StackedRNNCells layer {self.name!r} expects cells with "
                                 f"`call(inputs, states)` and `state_size`. Received {cell!r}.")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size):
        """One list of initial states per cell."""
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                cell_states = make(batch_size=batch_size)
                states.append(list(cell_states) if isinstance(cell_states, (list, tuple))
                              else [cell_states])
                continue
            states.append([K.zeros((batch_size,) + shape, dtype=getattr(cell, "dtype", None))
                           for shape in state_shapes(cell.state_size)])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            input_shape = tuple(input_shape[:-1]) + (cell_output_size(cell),)
        self.built = True

    def call(self, inputs, states, training=None):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            cell_states = list(cell_states) if isinstance(cell_states, (list, tuple)) else \
                [cell_states]
            inputs, cell_states = cell_function(cell, training)(inputs, cell_states)
            new_states.append(list(cell_states) if isinstance(cell_states, (list, tuple))
                              else [cell_states])
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_cell(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["cells"] = [deserialize_cell(c, custom_objects, cls.__name__)
                           for c in config["cells"]]
        return cls(**config)
