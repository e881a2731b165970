"""serialize_lamina_object / deserialize_lamina_object: the data format, and loading
treated as data (crafted configs run nothing)."""

import json
import sys

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers, regularizers
from lamina.saving import (deserialize_lamina_object, register_serializable,
                           serialize_lamina_object)
from test_object_registry import clean_registry  # noqa: F401 (autouse: registry restored)


def through_json(value):
    return json.loads(json.dumps(value))


def scaled(x):
    """A module-level function of this test module, saved by reference."""
    return x * 3


class Offset(regularizers.Regularizer):
    def __init__(self, offset=1.0):
        self.offset = offset

    def __call__(self, x):
        return K.sum(x) + self.offset


# -- the format --------------------------------------------------------------------------
def test_plain_values_pass_through():
    value = {"a": [1, 2.5, "s", None, True], "b": {"c": False}}
    assert serialize_lamina_object(value) == value
    assert deserialize_lamina_object(value) == value


def test_tuples_survive_json_also_nested():
    value = {"shape": (2, (3, 4)), "items": [(1,), ()]}
    data = through_json(serialize_lamina_object(value))
    assert data["shape"] == {"class_name": "__tuple__",
                             "items": [2, {"class_name": "__tuple__", "items": [3, 4]}]}
    assert deserialize_lamina_object(data) == value


def test_numpy_scalars_and_dtypes_become_plain_values():
    data = serialize_lamina_object({"f": np.float32(0.5), "i": np.int64(3), "b": np.bool_(True),
                                    "d": np.dtype("float16"), "t": np.int8})
    assert data == {"f": 0.5, "i": 3, "b": True, "d": "float16", "t": "int8"}
    assert [type(v) for v in data.values()] == [float, int, bool, str, str]


def test_numpy_arrays_round_trip_with_their_dtype():
    array = np.arange(6, dtype="int16").reshape(2, 3)
    rebuilt = deserialize_lamina_object(through_json(serialize_lamina_object(array)))
    assert rebuilt.dtype == np.int16
    np.testing.assert_array_equal(rebuilt, array)


def test_object_format_names_public_module_and_class():
    data = serialize_lamina_object(layers.Dense(2, name="d"))
    assert (data["module"], data["class_name"], data["registered_name"]) == \
        ("lamina.layers", "Dense", None)
    assert data["config"]["units"] == 2


def test_registered_class_is_saved_with_its_registered_name():
    register_serializable(package="Ser")(Offset)
    data = through_json(serialize_lamina_object(Offset(2.0)))
    assert data == {"module": __name__, "class_name": "Offset", "config": {"offset": 2.0},
                    "registered_name": "Ser>Offset"}
    assert deserialize_lamina_object(data).offset == 2.0


def test_unregistered_custom_class_needs_custom_objects():
    data = through_json(serialize_lamina_object(Offset(2.0)))
    assert data["registered_name"] == "Offset"
    with pytest.raises(ValueError, match=r"class 'Offset' of module .*custom_objects="
                                         r"\{'Offset': Offset\}.*register_serializable"):
        deserialize_lamina_object(data)
    assert deserialize_lamina_object(data, custom_objects={"Offset": Offset}).offset == 2.0


def test_custom_objects_reach_objects_nested_in_a_layer_config():
    dense = layers.Dense(2, kernel_regularizer=Offset(0.5), name="nested")
    data = through_json(serialize_lamina_object(dense))
    with pytest.raises(ValueError, match="Offset"):
        deserialize_lamina_object(data)
    rebuilt = deserialize_lamina_object(data, custom_objects={"Offset": Offset})
    assert isinstance(rebuilt.kernel_regularizer, Offset)
    assert rebuilt.kernel_regularizer.offset == 0.5


def test_config_without_module_is_found_in_lamina_modules():
    rebuilt = deserialize_lamina_object({"class_name": "Dense", "config": {"units": 4}})
    assert isinstance(rebuilt, layers.Dense) and rebuilt.units == 4


def test_objects_already_built_pass_through():
    layer = layers.Dense(2)
    assert deserialize_lamina_object(layer) is layer
    assert deserialize_lamina_object({"layer": layer})["layer"] is layer


@pytest.mark.parametrize("value, message", [
    ({1: "a"}, r"dict keys must be strings.*the key 1 of type int"),
    (object(), r"cannot serialize <object object.*of type object"),
    (lambda x: x, r"cannot save the function .*<lambda>.* by reference"),
])
def test_values_that_cannot_be_saved_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        serialize_lamina_object(value)


def test_closures_are_refused():
    def inner(x):
        return x

    with pytest.raises(ValueError, match=r"defined inside another function"):
        serialize_lamina_object(inner)


# -- function references --------------------------------------------------------------
def test_module_level_function_needs_registration_or_custom_objects_in_safe_mode():
    data = through_json(serialize_lamina_object(scaled))
    assert data == {"class_name": "__function__", "module": scaled.__module__,
                    "function_name": "scaled", "registered_name": None}
    with pytest.raises(ValueError, match=r"function 'scaled' of module .*custom_objects="
                                         r"\{'scaled': scaled\}.*safe_mode=False"):
        deserialize_lamina_object(data)
    assert deserialize_lamina_object(data, custom_objects={"scaled": scaled}) is scaled
    register_serializable(package="Ser")(scaled)
    assert deserialize_lamina_object(through_json(serialize_lamina_object(scaled))) is scaled


def test_unsafe_mode_imports_the_module_of_a_function():
    data = through_json(serialize_lamina_object(scaled))
    assert scaled.__module__ in sys.modules
    assert deserialize_lamina_object(data, safe_mode=False) is scaled


def test_unsafe_mode_does_not_import_classes():
    data = through_json(serialize_lamina_object(Offset(1.0)))
    with pytest.raises(ValueError, match="class 'Offset'"):
        deserialize_lamina_object(data, safe_mode=False)


def test_the_outermost_safe_mode_holds_for_nested_objects():
    class Holder(regularizers.Regularizer):
        def __init__(self, fn=None):
            self.fn = fn

    data = through_json(serialize_lamina_object(Holder(scaled)))
    with pytest.raises(ValueError, match="function 'scaled'"):
        deserialize_lamina_object(data, custom_objects={"Holder": Holder})
    rebuilt = deserialize_lamina_object(data, custom_objects={"Holder": Holder},
                                        safe_mode=False)
    assert rebuilt.fn is scaled


# -- crafted configs: nothing runs -----------------------------------------------------
def _class_config(module, name, config):
    return {"module": module, "class_name": name, "config": config, "registered_name": None}


def _function_config(module, name):
    return {"class_name": "__function__", "module": module, "function_name": name}


def crafted_configs(marker):
    command = f"touch {marker}"
    write = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": _class_config("os", "system", {"command": command}),
        "builtins.eval": _class_config("builtins", "eval", {"source": write}),
        "subprocess.Popen": _class_config("subprocess", "Popen",
                                          {"args": ["touch", str(marker)]}),
        "posix.system": _class_config("posix", "system", {"command": command}),
        "lamina dotted name": _class_config("lamina.layers", "os.system",
                                            {"command": command}),
        "registered name": {**_class_config("os", "system", {"command": command}),
                            "registered_name": "os>system"},
        "os.system function": _function_config("os", "system"),
        "builtins.eval function": _function_config("builtins", "eval"),
        "nested function": _class_config(
            "lamina.layers", "Dense", {"units": _function_config("os", "system")}),
    }


@pytest.mark.parametrize("case", sorted(crafted_configs("m")))
def test_crafted_configs_raise_and_run_nothing(case, tmp_path):
    marker = tmp_path / "marker"
    config = through_json(crafted_configs(marker)[case])
    with pytest.raises(ValueError, match=r"Could not deserialize the (class|function) "):
        deserialize_lamina_object(config)
    assert not marker.exists()


def test_refusal_names_class_module_and_the_ways_to_provide_it():
    with pytest.raises(ValueError) as info:
        deserialize_lamina_object(_class_config("subprocess", "Popen", {"args": ["ls"]}))
    message = str(info.value)
    assert "'Popen' of module 'subprocess'" in message
    assert "lamina.layers" in message and "imports no module" in message
    assert "custom_objects={'Popen': Popen}" in message
    assert "@lamina.saving.register_serializable()" in message


@pytest.mark.parametrize("name, reason", [
    ("__class__", "it is not a public name"),
    ("__init__", "it is not a public name"),
    ("_catalogue", "it is not a public name"),
    ("np", "it is not a lamina class"),
    ("K", "it is not a lamina class"),
    ("NoSuchLayer", "it is not a lamina class"),
])
def test_dunders_private_names_modules_and_unknown_names_are_refused(name, reason):
    with pytest.raises(ValueError, match=f"class '{name}' of module 'lamina.layers': {reason}"):
        deserialize_lamina_object(_class_config("lamina.layers", name, {}))


def test_functions_of_lamina_modules_resolve_but_other_attributes_do_not():
    from lamina import activations
    assert deserialize_lamina_object(_function_config("lamina.activations", "relu")) is \
        activations.relu
    with pytest.raises(ValueError, match="function 'K' of module 'lamina.activations'"):
        deserialize_lamina_object(_function_config("lamina.activations", "K"))
    with pytest.raises(ValueError, match="function 'Dense' of module 'lamina.layers'"):
        deserialize_lamina_object(_function_config("lamina.layers", "Dense"))


@pytest.mark.parametrize("config, message", [
    ({"class_name": "__numpy__", "config": {"value": [1], "dtype": "O"}},
     "must have a numeric or bool dtype"),
    ({"class_name": "__tuple__", "items": "ab"}, "__tuple__ items must be a list"),
    (_class_config(["lamina.layers"], "Dense", {}), "module must be a string"),
    (_class_config("lamina.layers", "Dense", [1]), "the config of 'Dense' must be a dict"),
])
def test_malformed_configs_are_refused(config, message):
    with pytest.raises(ValueError, match=message):
        deserialize_lamina_object(config)


def test_config_that_does_not_fit_the_constructor_names_the_class():
    with pytest.raises(TypeError, match=r"Could not rebuild 'Dense' from its config"):
        deserialize_lamina_object(_class_config("lamina.layers", "Dense", {"unit": 3}))
