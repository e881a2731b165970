"""``clone_model`` and ``model_from_json``: a model's architecture with new weights.

>>> from lamina import Input, Model, layers, models
>>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
>>> clone = models.clone_model(model)
>>> clone.output.shape, clone.weights[0] is model.weights[0]
((None, 2), False)
"""

import json


def model_from_json(json_string, custom_objects=None):
    """The model (with new weights) that ``model.to_json()`` described."""
    from lamina.saving.serialization import deserialize_lamina_object
    return deserialize_lamina_object(json.loads(json_string), custom_objects=custom_objects)


def _fresh_layer(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A model of the same structure as ``model``, with new layers and new weights.

    ``clone_function(layer) -> layer`` makes each new layer (default: the layer's class
    from its config); ``input_tensors`` (Input tensors) replace the model's inputs."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential
    from lamina.saving.graph_config import graph_config, graph_from_config
    clone_function = clone_function or _fresh_layer
    if isinstance(model, Sequential):
        inputs = input_tensors if input_tensors is not None else (
            [_input_like(t) for t in model.inputs] if model.inputs else [])
        return Sequential(list(inputs[:1]) + [clone_function(l) for l in model.layers],
                          name=model.name)
    if not isinstance(model, Functional):
        return clone_function(model)
    config = graph_config(model)
    layers = {layer.name: layer for layer in model.layers}
    config["layers"] = [clone_function(layers[c["config"]["name"]]) for c in config["layers"]]
    return graph_from_config(config, cls=type(model), inputs=input_tensors)


def _input_like(tensor):
    from lamina.backend.symbolic import Input
    return Input(batch_shape=tensor.shape, dtype=tensor.dtype, name=tensor.name)
