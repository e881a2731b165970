"""The import lines real Keras 2 and Keras 3 programs use work with ``keras`` replaced by
``lamina``, give lamina's own classes, and the names they import build working models;
layers.Input / InputLayer with Keras 3's and Keras 2's arguments; layers.serialize and
deserialize; the registry and backend names of keras.utils, keras.saving, keras.backend."""

import importlib
import json

import numpy as np
import pytest

import lamina
from lamina import backend as K
from lamina import layers

# (module, names) as Keras 2 programs import them: `from keras.<module> import <names>`.
KERAS2_IMPORTS = [
    ("layers.core", ["Dense", "Dropout", "Activation", "Flatten", "Lambda", "Reshape", "Permute",
                     "RepeatVector", "Masking", "SpatialDropout1D", "ActivityRegularization"]),
    ("layers.convolutional", ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D",
                              "Convolution3D", "Conv2DTranspose", "Convolution2DTranspose",
                              "SeparableConv2D", "SeparableConvolution2D", "UpSampling2D",
                              "ZeroPadding2D", "Cropping2D"]),
    ("layers.pooling", ["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
                        "GlobalMaxPooling1D", "MaxPool1D", "AvgPool3D", "GlobalMaxPool2D",
                        "GlobalAvgPool1D"]),
    ("layers.recurrent", ["LSTM", "GRU", "SimpleRNN", "RNN", "LSTMCell", "GRUCell"]),
    ("layers.normalization", ["BatchNormalization", "LayerNormalization"]),
    ("layers.wrappers", ["TimeDistributed", "Bidirectional", "Wrapper"]),
    ("layers.embeddings", ["Embedding"]),
    ("layers.merge", ["Add", "Concatenate", "Multiply", "Subtract", "Average", "Maximum",
                      "Minimum", "Dot", "add", "concatenate", "multiply", "subtract", "average",
                      "maximum", "minimum", "dot"]),
    ("layers.advanced_activations", ["LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "ReLU",
                                     "Softmax"]),
    ("layers.noise", ["GaussianNoise", "GaussianDropout", "AlphaDropout"]),
    ("layers.convolutional_recurrent", ["ConvLSTM2D"]),
    ("layers", ["Input", "InputLayer", "serialize", "deserialize", "Convolution1DTranspose",
                "SeparableConvolution1D", "MaxPool3D", "GlobalAvgPool3D"]),
    ("engine", ["Input", "InputLayer", "InputSpec", "Layer", "Model", "get_source_inputs"]),
    ("engine.topology", ["Input", "InputLayer", "Layer", "Network", "get_source_inputs"]),
    ("engine.training", ["Model"]),
    ("engine.base_layer", ["Layer", "InputSpec"]),
    ("utils", ["register_keras_serializable", "get_custom_objects", "CustomObjectScope",
               "custom_object_scope", "serialize_keras_object", "deserialize_keras_object",
               "get_registered_name", "get_registered_object", "clear_session",
               "get_source_inputs", "is_keras_tensor", "standardize_dtype"]),
    ("saving", ["serialize_keras_object", "deserialize_keras_object",
                "register_keras_serializable", "get_custom_objects"]),
    ("backend", ["get_uid", "is_float_dtype", "is_int_dtype", "clear_session"]),
]


@pytest.mark.parametrize("module, names", KERAS2_IMPORTS, ids=[m for m, _ in KERAS2_IMPORTS])
def test_keras_import_lines_give_lamina_objects(module, names):
    imported = importlib.import_module(f"lamina.{module}")
    missing = [name for name in names if not hasattr(imported, name)]
    assert not missing, f"from lamina.{module} import ... lacks {missing}"
    for name in names:
        public = getattr(layers, name, None)
        if public is not None and module.startswith("layers"):
            assert getattr(imported, name) is public, f"lamina.{module}.{name} is another object"


def test_keras_aliases_name_the_same_classes():
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D


def test_a_keras_2_script_built_from_the_old_module_paths_runs():
    from lamina.engine.training import Model
    from lamina.layers.advanced_activations import LeakyReLU
    from lamina.layers.convolutional import Convolution2D
    from lamina.layers.core import Dense, Dropout, Flatten
    from lamina.layers.merge import concatenate
    from lamina.layers.normalization import BatchNormalization
    from lamina.layers.pooling import MaxPool2D
    from lamina.engine.topology import Input
    image = Input(shape=(8, 8, 1))
    side = Input(shape=(3,))
    with pytest.warns(DeprecationWarning, match="negative_slope") as caught:
        leaky = LeakyReLU(alpha=0.1)
    assert caught[0].filename == __file__
    h = MaxPool2D()(leaky(Convolution2D(4, 3, padding="same")(image)))
    h = concatenate([Flatten()(BatchNormalization()(h)), side])
    model = Model([image, side], Dense(2, activation="softmax")(Dropout(0.5)(h)))
    out = model.predict([np.ones((3, 8, 8, 1), "float32"), np.ones((3, 3), "float32")],
                        verbose=0)
    assert out.shape == (3, 2)
    np.testing.assert_allclose(np.asarray(out).sum(axis=-1), 1.0, rtol=1e-5)


def test_layers_input_takes_keras_3_arguments():
    x = layers.Input(shape=(4,), batch_size=2, dtype="float64", name="features")
    assert (x.shape, x.dtype, x.name) == ((2, 4), "float64", "features")
    assert layers.Input(batch_shape=(None, 3)).shape == (None, 3)
    assert layers.Input(tensor=x) is x
    assert lamina.Input is layers.Input


@pytest.mark.parametrize("kwargs, message", [
    ({"shape": (2,), "sparse": True}, "sparse=True"),
    ({"shape": (2,), "optional": True}, "optional=True"),
    ({}, "give `shape`"),
    ({"shape": (3,), "tensor": K.Input((2,))}, r"shape \(None, 2\).*\(None, 3\)"),
])
def test_layers_input_rejects_what_it_cannot_make(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Input(**kwargs)


def test_input_layer_keras_3_and_keras_2_arguments_start_a_sequential_model():
    for first in (layers.InputLayer(shape=(4,)), layers.InputLayer(input_shape=(4,)),
                  layers.InputLayer(batch_input_shape=(None, 4)),
                  layers.InputLayer(batch_shape=(None, 4), dtype="float32")):
        model = lamina.Sequential([first, layers.Dense(3)])
        assert model.output.shape == (None, 3)
        assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    config = layers.InputLayer(shape=(5,), name="x").get_config()
    rebuilt = layers.InputLayer.from_config(json.loads(json.dumps(config)))
    assert (rebuilt.name, rebuilt.output.shape) == ("x", (None, 5))
    with pytest.raises(TypeError, match="unexpected arguments \\['units'\\]"):
        layers.InputLayer(shape=(2,), units=3)


def test_layers_serialize_and_deserialize_round_trip_and_refuse_non_layers():
    layer = layers.PReLU(shared_axes=[1], name="act")
    config = json.loads(json.dumps(layers.serialize(layer)))
    clone = layers.deserialize(config)
    assert type(clone) is layers.PReLU and clone.get_config() == layer.get_config()
    assert layers.deserialize({"class_name": "Dense", "config": {"units": 4}}).units == 4
    with pytest.raises(ValueError, match="not a layer"):
        layers.deserialize({"class_name": "MeanSquaredError", "config": {}})
    with pytest.raises(TypeError, match="expects a Layer"):
        layers.serialize("dense")


def test_get_source_inputs_follows_the_graph_to_the_inputs():
    from lamina.utils import get_source_inputs
    a, b, c = K.Input((2,), name="a"), K.Input((2,), name="b"), K.Input((2,), name="c")
    out = layers.Dense(1)(layers.add([a, K.exp(b)]))
    assert sorted(t.name for t in get_source_inputs(out)) == ["a", "b"]
    assert get_source_inputs(c) == [c]
    with pytest.raises(TypeError, match="symbolic tensor"):
        get_source_inputs(K.ones((2,)))


def test_utils_registry_names_are_the_saving_registry():
    from lamina import saving, utils

    @utils.register_keras_serializable(package="Paths")
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    try:
        assert utils.get_registered_name(Scale) == "Paths>Scale"
        assert utils.get_registered_object("Paths>Scale") is Scale
        assert utils.get_custom_objects() is saving.get_custom_objects()
        data = utils.serialize_keras_object(Scale(3.0))
        assert saving.deserialize_keras_object(json.loads(json.dumps(data))).factor == 3.0
    finally:
        del utils.get_custom_objects()["Paths>Scale"]
    with utils.custom_object_scope({"Twice": Scale}):
        assert utils.get_registered_object("Twice") is Scale
    assert utils.get_registered_object("Twice") is None


def test_clear_session_restarts_layer_names_and_uids():
    from lamina import utils
    utils.clear_session()
    assert layers.Dense(1).name == "dense" and layers.Dense(1).name == "dense_1"
    assert K.get_uid("dense") == 3
    utils.clear_session()
    assert layers.Dense(1).name == "dense" and K.get_uid("paths_uid") == 1


def test_dtype_predicates_and_keras_tensor_check():
    from lamina import utils
    assert K.is_float_dtype("float16") and not K.is_float_dtype("int32")
    assert K.is_int_dtype("uint8") and not K.is_int_dtype("bool")
    assert utils.standardize_dtype(np.float64) == "float64"
    assert utils.is_keras_tensor(K.Input((2,))) and not utils.is_keras_tensor(K.ones((2,)))


def test_utils_sequence_is_keras2s_name_for_py_dataset():
    import lamina

    class Batches(lamina.utils.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return np.full((4, 3), index, "float32"), np.zeros((4, 1), "float32")

    assert isinstance(Batches(), lamina.utils.PyDataset)
    if lamina.backend.backend() != "numpy":
        model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
        model.compile("sgd", "mse")
        assert len(model.fit(Batches(), epochs=1, verbose=0).history["loss"]) == 1
