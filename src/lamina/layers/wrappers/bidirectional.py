"""Bidirectional: a recurrent layer run forwards and backwards over the same sequence,
the two outputs merged.

The forward layer is a fresh copy of the given layer (same config, name
``forward_<name>``); the backward layer is ``backward_layer`` or a copy with
``go_backwards`` flipped (name ``backward_<name>``). With ``return_sequences`` the
backward output is reversed back in time before merging, so step t of the merged
output sees the whole sequence; masked steps then give zeros in both directions
(``zero_output_for_mask``), as in Keras. ``initial_state`` holds the forward states
then the backward states; with ``return_state`` the output is followed by the forward
states then the backward states.
"""

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.wrappers.wrapper import Wrapper, deserialize_layer, serialize_layer

MERGE_MODES = ("concat", "sum", "mul", "ave", None)
_RECURRENT_ATTRIBUTES = ("return_sequences", "return_state", "go_backwards", "stateful")


def _merge(mode, forward, backward):
    if mode == "concat":
        return K.concatenate([forward, backward], axis=-1)
    if mode == "sum":
        return forward + backward
    if mode == "mul":
        return forward * backward
    if mode == "ave":
        return (forward + backward) / 2
    return [forward, backward]


def _classes(obj, found):
    """The classes of ``obj`` and of the layers and cells it holds, by name."""
    found[type(obj).__name__] = type(obj)
    values = list(vars(obj).values()) if hasattr(obj, "__dict__") else []
    for value in values:
        for item in (value if isinstance(value, (list, tuple)) else [value]):
            if hasattr(item, "get_config") and not isinstance(item, type) and \
                    type(item).__name__ not in found:
                _classes(item, found)
    return found


def _copy(layer, name, **changes):
    """A new layer from ``layer``'s config with ``changes`` (its own class, and the classes
    of the cells it holds, are found even when defined outside lamina)."""
    config = serialize_layer(layer)
    config["config"].update(changes, name=name)
    return deserialize_layer(config, _classes(layer, {}))


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Wrapper):
    """Bidirectional wrapper for recurrent layers.

    ``Bidirectional(layer, merge_mode="concat", weights=None, backward_layer=None)``:
    ``layer`` is a recurrent layer (``RNN``, ``LSTM``, ``GRU``, ``ConvLSTM2D``, ...);
    ``merge_mode`` is ``"concat"``, ``"sum"``, ``"mul"``, ``"ave"`` or None (a list of
    the forward and the backward outputs); ``weights`` (forward weights then backward
    weights) are set once the layer is built. ``return_sequences``, ``return_state`` and
    ``stateful`` are the wrapped layer's.

    >>> from lamina import backend as K, layers
    >>> bi = layers.Bidirectional(layers.LSTM(4, return_sequences=True))
    >>> bi(K.Input((5, 3))).shape
    (None, 5, 8)
    >>> [w.shape for w in bi.weights][:3]
    [(3, 16), (4, 16), (16,)]
    """

    # The given layer only serves as the template of the two copies that run: its own
    # weights, if it was built, are not this layer's.
    _untracked_attributes = Layer._untracked_attributes | {"layer"}

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(layer, **kwargs)
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional layer {self.name!r} expects merge_mode to be one "
                             f"of {MERGE_MODES}. Received merge_mode={merge_mode!r}.")
        self._check_recurrent(layer, "layer")
        base_name = _strip(_strip(layer.name, "forward_"), "backward_")
        self.forward_layer = _copy(layer, "forward_" + base_name)
        if backward_layer is None:
            self.backward_layer = _copy(layer, "backward_" + base_name,
                                        go_backwards=not layer.go_backwards)
        else:
            self._check_recurrent(backward_layer, "backward_layer")
            self.backward_layer = backward_layer
        self._check_pair()
        for direction in (self.forward_layer, self.backward_layer):
            if hasattr(direction, "zero_output_for_mask"):
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self.initial_weights = weights
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _check_recurrent(self, layer, argument):
        missing = [a for a in _RECURRENT_ATTRIBUTES if not hasattr(layer, a)]
        if not isinstance(layer, Layer) or missing:
            raise ValueError(f"Bidirectional layer {self.name!r} expects {argument} to be a "
                             f"recurrent layer (with {', '.join(_RECURRENT_ATTRIBUTES)}). "
                             f"Received {type(layer).__name__} layer "
                             f"{getattr(layer, 'name', layer)!r}.")

    def _check_pair(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(f"Bidirectional layer {self.name!r} expects the forward and the "
                             "backward layer to have different go_backwards. Received "
                             f"go_backwards={forward.go_backwards} for both.")
        for attribute in ("return_sequences", "return_state", "stateful"):
            if getattr(forward, attribute) != getattr(backward, attribute):
                raise ValueError(
                    f"Bidirectional layer {self.name!r} expects the forward and the backward "
                    f"layer to have the same {attribute}. Received "
                    f"{getattr(forward, attribute)} (forward) and "
                    f"{getattr(backward, attribute)} (backward).")

    def build(self, input_shape):
        self.build_inner(self.forward_layer, input_shape)
        self.build_inner(self.backward_layer, input_shape)
        if self.initial_weights:
            half = len(self.initial_weights) // 2
            self.forward_layer.set_weights(self.initial_weights[:half])
            self.backward_layer.set_weights(self.initial_weights[half:])
            self.initial_weights = None
        self.built = True

    def _split_state(self, initial_state):
        if initial_state is None:
            return None, None
        states = list(initial_state)
        if len(states) % 2:
            raise ValueError(f"Bidirectional layer {self.name!r} expects an even number of "
                             "initial states (the forward states, then the backward states). "
                             f"Received {len(states)}.")
        half = len(states) // 2
        return states[:half], states[half:]

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state, backward_state = self._split_state(initial_state)
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        backward = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = []
        if self.return_state:
            states = list(forward[1:]) + list(backward[1:])
            forward, backward = forward[0], backward[0]
        if self.return_sequences:
            backward = K.flip(backward, axis=1)
        output = _merge(self.merge_mode, forward, backward)
        if not self.return_state:
            return output
        return (output if self.merge_mode is None else [output]) + states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        if not self.return_state:
            return output_mask
        states = [None] * (2 * len(_state_sizes(self.forward_layer)))
        return (output_mask if self.merge_mode is None else [output_mask]) + states

    def reset_state(self):
        """Reset the states of both directions (stateful layers only)."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional layer {self.name!r}: reset_state needs a "
                                 "stateful layer. Received stateful=False.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_states = reset_state

    def get_config(self):
        config = super().get_config()
        config.pop("weights", None)
        config["layer"] = serialize_layer(self.forward_layer)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new Bidirectional from ``get_config()``'s dict (``custom_objects`` maps class
        names of recurrent layers defined outside ``lamina.layers`` to their classes)."""
        config = dict(config)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"],
                                                         custom_objects, cls.__name__)
        return super().from_config(config, custom_objects)


def _state_sizes(layer):
    size = getattr(getattr(layer, "cell", None), "state_size", None)
    if size is None:
        return [None]
    return list(size) if isinstance(size, (list, tuple)) else [size]
