"""A name in a config resolves only to an object of the kind its field holds: an
activation to an activation function, a layer to a Layer class, a model to a Model
class; any other public lamina function or class is refused before it is called."""

import json
import zipfile

import numpy as np
import pytest

from lamina import Input, Model, activations, layers
from lamina.saving import deserialize_lamina_object, load_model


def _function(module, name):
    return {"class_name": "__function__", "module": module, "function_name": name,
            "registered_name": None}


def _saved(folder, activation="relu", compiled=False):
    x = Input((3,), name="x")
    model = Model(x, layers.Dense(2, activation=activation, name="dense")(x))
    if compiled:
        model.compile(optimizer="sgd", loss="mse")
    path = folder / "valid.lamina"
    model.save(path)
    return path


def _rewrite(path, change):
    with zipfile.ZipFile(path) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    config = json.loads(entries["config.json"])
    change(config)
    entries["config.json"] = json.dumps(config).encode()
    crafted = path.parent / "crafted.lamina"
    with zipfile.ZipFile(crafted, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return crafted


def _dense(config):
    return next(layer for layer in config["model"]["config"]["layers"]
                if layer["class_name"] == "Dense")["config"]


@pytest.mark.parametrize("reference", [
    _function("lamina.models", "load_model"),
    _function(None, "load_model"),
    _function("lamina.losses", "mean_squared_error"),
    _function("lamina.activations", "deserialize"),
    _function("lamina.layers", "concatenate"),
], ids=["models.load_model", "load_model-without-module", "a-loss", "activations.deserialize",
        "layers.concatenate"])
def test_an_activation_naming_another_lamina_function_is_refused(tmp_path, reference):
    path = _rewrite(_saved(tmp_path), lambda c: _dense(c).update(activation=reference))
    with pytest.raises(ValueError, match="not an activation function") as info:
        load_model(path)
    assert str(path) in str(info.value) and repr(reference["function_name"]) in str(info.value)


def test_an_activation_naming_an_activation_loads(tmp_path):
    path = _rewrite(_saved(tmp_path, "tanh"),
                    lambda c: _dense(c).update(activation=_function("lamina.activations",
                                                                    "relu")))
    model = load_model(path)
    assert model.get_layer("dense").activation is activations.relu
    data = -np.ones((1, 3), "float32") * 100
    assert (model.predict(data, verbose=0) >= 0).all()


@pytest.mark.parametrize("module,name,expected", [
    ("lamina.losses", "MeanSquaredError", "not a Layer class"),
    ("lamina.layers", "InputSpec", "not a Layer class"),
    ("lamina.optimizers", "SGD", "not a Layer class"),
])
def test_a_layer_naming_a_class_that_is_no_layer_is_refused(tmp_path, module, name, expected):
    def craft(config):
        layer = next(entry for entry in config["model"]["config"]["layers"]
                     if entry["class_name"] == "Dense")
        layer.update(module=module, class_name=name, config={})

    with pytest.raises(ValueError, match=expected):
        load_model(_rewrite(_saved(tmp_path), craft))


def test_an_initializer_field_naming_a_regularizer_is_refused(tmp_path):
    def craft(config):
        _dense(config)["kernel_initializer"] = {"module": "lamina.regularizers",
                                                "class_name": "L2", "config": {"l2": 1.0}}

    with pytest.raises(ValueError, match="'L2'.*not an Initializer class"):
        load_model(_rewrite(_saved(tmp_path), craft))


def test_the_model_must_name_a_model_class(tmp_path):
    def craft(config):
        config["model"] = {"module": "lamina.layers", "class_name": "Dense",
                           "config": {"units": 2}, "registered_name": None}

    with pytest.raises(ValueError, match="'Dense'.*not a Model class"):
        load_model(_rewrite(_saved(tmp_path), craft))


def test_a_compiled_loss_naming_an_activation_is_refused(tmp_path):
    def craft(config):
        config["compile_config"]["loss"] = _function("lamina.activations", "relu")

    path = _rewrite(_saved(tmp_path, compiled=True), craft)
    with pytest.raises(ValueError, match="'relu'.*not a loss"):
        load_model(path)
    assert load_model(path, compile=False).get_layer("dense").units == 2


def test_custom_objects_are_the_callers_choice_and_load(tmp_path):
    def doubled(x):
        return x * 2.0

    path = _rewrite(_saved(tmp_path),
                    lambda c: _dense(c).update(activation=_function("my.module", "doubled")))
    model = load_model(path, custom_objects={"doubled": doubled})
    assert model.get_layer("dense").activation is doubled


def test_deserialize_lamina_object_keeps_resolving_every_kind_of_lamina_object():
    relu = deserialize_lamina_object(_function("lamina.activations", "relu"))
    loss = deserialize_lamina_object(_function("lamina.losses", "mean_squared_error"))
    dense = deserialize_lamina_object({"module": "lamina.layers", "class_name": "Dense",
                                       "config": {"units": 3}})
    assert relu is activations.relu and loss.__name__ == "mean_squared_error"
    assert dense.units == 3
    with pytest.raises(ValueError, match="'load_model'.*not a Layer class, the kind lamina.mod"):
        deserialize_lamina_object(_function("lamina.models", "load_model"))
