"""Convolution layers against the direct NumPy convolutions of
``test_convolutional_reference`` on every engine (both data formats, every padding,
strides, dilation, groups), symbolic output shapes, weight names and shapes, errors,
config round trips, regularizers and Keras 2's ``K.conv1d/2d/3d`` in a custom layer.

The reference is the same float64 NumPy computation on every engine, so passing here on
jax, torch and numpy also means the engines agree with each other.
"""

import json
import math

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers
from test_convolutional_reference import (conv, conv_transpose, depthwise_conv,
                                          separable_conv, transposed_length)

RNG = np.random.default_rng(0)
SPATIAL = {1: (9,), 2: (7, 6), 3: (5, 4, 5)}
TOLERANCE = dict(rtol=2e-5, atol=2e-5)


def N(x):
    return np.asarray(K.convert_to_numpy(x), dtype="float64")


def _inputs(rank, channels, data_format, batch=2):
    """Random inputs in ``data_format`` and the same values channels-last (float64)."""
    x = RNG.normal(size=(batch,) + SPATIAL[rank] + (channels,))
    given = x if data_format == "channels_last" else np.moveaxis(x, -1, 1)
    return K.convert_to_tensor(given.astype("float32")), x


def _channels_last(y, data_format):
    return y if data_format == "channels_last" else np.moveaxis(y, 1, -1)


def _randomize(layer):
    """Random weights (the bias too, which starts at zero) in float32; returned as float64."""
    values = [RNG.normal(size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(values)
    return [v.astype("float64") for v in values]


def _run(layer, x):
    layer.build(tuple(x.shape))
    weights = _randomize(layer)
    return N(layer(x)), weights


CONV = {1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}
TRANSPOSE = {1: layers.Conv1DTranspose, 2: layers.Conv2DTranspose, 3: layers.Conv3DTranspose}


# -- Conv1D / Conv2D / Conv3D -----------------------------------------------------------
@pytest.mark.parametrize("rank, data_format, padding, strides, dilation, groups", [
    (1, "channels_last", "valid", 1, 1, 1),
    (1, "channels_first", "same", 2, 1, 1),
    (1, "channels_last", "causal", 1, 2, 2),
    (1, "channels_first", "causal", 2, 1, 1),
    (2, "channels_last", "valid", (2, 1), 1, 1),
    (2, "channels_first", "valid", 1, (2, 1), 2),
    (2, "channels_last", "same", 2, 1, 4),
    (2, "channels_first", "same", (1, 2), 2, 1),
    (2, "channels_last", "same", 2, 2, 1),
    (3, "channels_last", "same", (1, 2, 2), 1, 2),
    (3, "channels_first", "valid", 1, (2, 1, 1), 1),
])
def test_conv_matches_numpy(rank, data_format, padding, strides, dilation, groups):
    layer = CONV[rank](8, 3 if rank < 3 else (2, 3, 2), strides=strides, padding=padding,
                       data_format=data_format, dilation_rate=dilation, groups=groups,
                       activation="relu")
    x, x_last = _inputs(rank, 4, data_format)
    out, (kernel, bias) = _run(layer, x)
    assert kernel.shape == layer.kernel_size + (4 // groups, 8)
    as_tuple = (lambda v: (v,) * rank if isinstance(v, int) else v)
    expected = np.maximum(conv(x_last, kernel, as_tuple(strides), padding, as_tuple(dilation),
                               groups) + bias, 0)
    np.testing.assert_allclose(_channels_last(out, data_format), expected, **TOLERANCE)


def test_conv_without_bias_and_with_a_named_initializer():
    layer = layers.Conv2D(3, 2, use_bias=False, kernel_initializer="ones")
    x, x_last = _inputs(2, 4, "channels_last")
    out = N(layer(x))
    assert [w.name for w in layer.weights] == ["kernel"]
    np.testing.assert_allclose(out, conv(x_last, np.ones((2, 2, 4, 3)), (1, 1), "valid",
                                         (1, 1)), **TOLERANCE)


# -- transposed convolutions ------------------------------------------------------------
@pytest.mark.parametrize("rank, data_format, padding, strides, output_padding, dilation", [
    (1, "channels_last", "valid", 2, None, 1),
    (1, "channels_first", "same", 3, 1, 1),
    (1, "channels_last", "valid", 1, None, 2),
    (2, "channels_last", "same", 2, None, 1),
    (2, "channels_first", "valid", (2, 3), (1, 2), 1),
    (2, "channels_last", "same", 2, (0, 1), 1),
    (2, "channels_first", "same", 1, None, (2, 1)),
    (3, "channels_last", "valid", (1, 2, 1), None, 1),
    (3, "channels_first", "same", 2, 1, 1),
])
def test_conv_transpose_matches_numpy(rank, data_format, padding, strides, output_padding,
                                      dilation):
    kernel_size = {1: 3, 2: (3, 2), 3: 2}[rank]
    layer = TRANSPOSE[rank](5, kernel_size, strides=strides, padding=padding,
                            output_padding=output_padding, data_format=data_format,
                            dilation_rate=dilation)
    x, x_last = _inputs(rank, 3, data_format)
    out, (kernel, bias) = _run(layer, x)
    assert kernel.shape == layer.kernel_size + (5, 3)
    expected = conv_transpose(x_last, kernel, layer.strides, padding, layer.output_padding,
                              layer.dilation_rate) + bias
    np.testing.assert_allclose(_channels_last(out, data_format), expected, **TOLERANCE)


# -- depthwise and separable ------------------------------------------------------------
@pytest.mark.parametrize("rank, data_format, padding, strides, dilation, multiplier", [
    (1, "channels_last", "same", 1, 2, 2),
    (1, "channels_first", "valid", 2, 1, 1),
    (2, "channels_last", "valid", (2, 1), 1, 3),
    (2, "channels_first", "same", 1, (1, 2), 2),
])
def test_depthwise_conv_matches_numpy(rank, data_format, padding, strides, dilation,
                                      multiplier):
    layer = (layers.DepthwiseConv1D if rank == 1 else layers.DepthwiseConv2D)(
        3, strides=strides, padding=padding, depth_multiplier=multiplier,
        data_format=data_format, dilation_rate=dilation)
    x, x_last = _inputs(rank, 4, data_format)
    out, (kernel, bias) = _run(layer, x)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert kernel.shape == (3,) * rank + (4, multiplier)
    expected = depthwise_conv(x_last, kernel, layer.strides, padding, layer.dilation_rate) + bias
    np.testing.assert_allclose(_channels_last(out, data_format), expected, **TOLERANCE)


@pytest.mark.parametrize("rank, data_format, padding, strides, dilation, multiplier", [
    (1, "channels_last", "valid", 2, 1, 2),
    (1, "channels_first", "same", 1, 2, 1),
    (2, "channels_last", "same", 2, 1, 1),
    (2, "channels_first", "valid", 1, 2, 2),
])
def test_separable_conv_matches_numpy(rank, data_format, padding, strides, dilation,
                                      multiplier):
    layer = (layers.SeparableConv1D if rank == 1 else layers.SeparableConv2D)(
        6, 3, strides=strides, padding=padding, depth_multiplier=multiplier,
        data_format=data_format, dilation_rate=dilation, activation="tanh")
    x, x_last = _inputs(rank, 4, data_format)
    out, (depthwise, pointwise, bias) = _run(layer, x)
    assert [w.name for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert pointwise.shape == (1,) * rank + (4 * multiplier, 6)
    expected = np.tanh(separable_conv(x_last, depthwise, pointwise, layer.strides, padding,
                                      layer.dilation_rate) + bias)
    np.testing.assert_allclose(_channels_last(out, data_format), expected, **TOLERANCE)


def test_a_model_of_every_kind_matches_the_numpy_chain():
    """One functional model, the same seeded weights on every engine: its output is the
    NumPy chain's, so the engines agree with one another."""
    from lamina import Input, Model
    inputs = Input((7, 6, 4))
    hidden = layers.Conv2D(6, 3, padding="same", groups=2, activation="relu")(inputs)
    hidden = layers.DepthwiseConv2D(2, depth_multiplier=2)(hidden)
    hidden = layers.SeparableConv2D(4, 3, strides=2, padding="same")(hidden)
    outputs = layers.Conv2DTranspose(3, 3, strides=2)(hidden)
    model = Model(inputs, outputs)
    weights = [np.random.default_rng(11).normal(size=w.shape).astype("float32") * 0.5
               for w in model.weights]
    model.set_weights(weights)
    x = np.random.default_rng(12).normal(size=(2, 7, 6, 4)).astype("float32")
    w = [v.astype("float64") for v in weights]
    h = np.maximum(conv(x.astype("float64"), w[0], (1, 1), "same", (1, 1), 2) + w[1], 0)
    h = depthwise_conv(h, w[2], (1, 1), "valid", (1, 1)) + w[3]
    h = separable_conv(h, w[4], w[5], (2, 2), "same", (1, 1)) + w[6]
    expected = conv_transpose(h, w[7], (2, 2), "valid", None, (1, 1)) + w[8]
    out = N(model(K.convert_to_tensor(x)))
    assert out.shape == expected.shape == (2, 7, 7, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


# -- symbolic shapes --------------------------------------------------------------------
def _conv_length(n, k, s, d, padding):
    if n is None:
        return None
    if padding == "valid":
        return math.ceil((n - ((k - 1) * d + 1) + 1) / s)
    return math.ceil(n / s)


@pytest.mark.parametrize("make, input_shape", [
    (lambda: layers.Conv1D(5, 3, strides=2), (11, 2)),
    (lambda: layers.Conv1D(5, 3, padding="causal", dilation_rate=3), (None, 2)),
    (lambda: layers.Conv2D(4, (3, 2), strides=(2, 3), padding="same"), (9, None, 3)),
    (lambda: layers.Conv2D(4, 3, data_format="channels_first"), (3, 8, 10)),
    (lambda: layers.Conv3D(2, 2, dilation_rate=2), (6, 5, 7, 1)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2), (8, 9, 3)),
    (lambda: layers.SeparableConv1D(7, 4, padding="same", strides=3), (10, 2)),
])
def test_symbolic_output_shape(make, input_shape):
    layer = make()
    channels_last = layer.data_format == "channels_last"
    spatial = input_shape[:-1] if channels_last else input_shape[1:]
    lengths = tuple(_conv_length(n, k, s, d, layer.padding) for n, k, s, d in
                    zip(spatial, layer.kernel_size, layer.strides, layer.dilation_rate))
    channels = getattr(layer, "filters", None) or \
        input_shape[-1 if channels_last else 0] * layer.depth_multiplier
    expected = (None,) + (lengths + (channels,) if channels_last else (channels,) + lengths)
    assert layer(K.Input(input_shape)).shape == expected
    concrete = tuple(3 if n is None else n for n in input_shape)
    eager = tuple(layer(K.zeros((2,) + concrete)).shape)
    assert eager[0] == 2 and all(e == s or s is None for e, s in zip(eager[1:], expected[1:]))


@pytest.mark.parametrize("strides, padding, output_padding", [
    (2, "valid", None), (2, "same", None), (3, "valid", 1), (2, "same", 1), (1, "same", 0)])
def test_symbolic_output_shape_of_conv_transpose(strides, padding, output_padding):
    layer = layers.Conv2DTranspose(4, (3, 4), strides=strides, padding=padding,
                                   output_padding=output_padding)
    op = (None, None) if output_padding is None else (output_padding,) * 2
    expected = tuple(transposed_length(n, k, strides, 1, padding, p)
                     for n, k, p in zip((5, 6), (3, 4), op))
    assert layer(K.Input((5, 6, 2))).shape == (None,) + expected + (4,)
    assert layer(K.Input((None, 6, 2))).shape == (None, None, expected[1], 4)


# -- errors -----------------------------------------------------------------------------
def test_wrong_rank_names_the_layer_symbolic_and_eager():
    layer = layers.Conv2D(4, 3, name="c2")
    with pytest.raises(ValueError, match=r"Conv2D layer 'c2' expects inputs of rank 4.*"
                                         r"\(None, 8, 3\)"):
        layer(K.Input((8, 3)))
    with pytest.raises(ValueError, match=r"'c2' expects inputs of rank 4.*\(2, 8, 3\)"):
        layer(K.zeros((2, 8, 3)))
    built = layers.Conv1D(2, 3, name="c1")
    built(K.zeros((1, 5, 2)))
    with pytest.raises(ValueError, match=r"'c1' expects inputs of rank 3.*\(1, 5, 5, 2\)"):
        built(K.zeros((1, 5, 5, 2)))


def test_kernel_larger_than_the_input_names_the_layer():
    with pytest.raises(ValueError, match=r"Conv2D layer 'big' expects spatial dimensions of "
                                         r"at least \(5, 5\).*\(None, 4, 9, 1\)"):
        layers.Conv2D(2, 3, dilation_rate=2, name="big")(K.Input((4, 9, 1)))
    with pytest.raises(ValueError, match=r"SeparableConv1D layer 'sep'.*at least \(4,\)"):
        layers.SeparableConv1D(2, 4, name="sep")(K.zeros((1, 3, 2)))
    # 'same' padding and transposed convolutions accept any size
    assert layers.Conv2D(2, 5, padding="same")(K.Input((2, 2, 1))).shape == (None, 2, 2, 2)
    assert layers.Conv1DTranspose(2, 5)(K.Input((1, 1))).shape == (None, 5, 2)


def test_kernel_larger_than_a_later_eager_input_names_the_layer():
    layer = layers.Conv1D(2, 4, name="later")
    layer(K.zeros((1, 6, 1)))
    with pytest.raises(ValueError, match=r"Conv1D layer 'later'.*larger than the padded input"):
        layer(K.zeros((1, 3, 1)))


@pytest.mark.parametrize("make, pattern", [
    (lambda: layers.Conv2D(4, 3, padding="full", name="p"),
     r"Conv2D layer 'p'.*padding 'valid' or 'same'.*received 'full'"),
    (lambda: layers.Conv2D(4, 3, padding="causal", name="p"),
     r"Conv2D layer 'p'.*'causal' padding exists for Conv1D only.*received 'causal'"),
    (lambda: layers.DepthwiseConv1D(3, padding="causal", name="p"), r"received 'causal'"),
    (lambda: layers.Conv1D(4, 3, data_format="NCW", name="d"),
     r"Conv1D layer 'd'.*'channels_last' or 'channels_first'.*received 'NCW'"),
    (lambda: layers.Conv2D(6, 3, groups=4, name="g"),
     r"Conv2D layer 'g' expects filters divisible by groups; received filters=6, groups=4"),
    (lambda: layers.Conv2D(0, 3, name="f"), r"Conv2D layer 'f'.*filters.*positive.*0"),
    (lambda: layers.Conv3D(2, (3, 3), name="k"),
     r"Conv3D layer 'k'.*kernel_size.*tuple of 3 positive ints; received \(3, 3\)"),
    (lambda: layers.Conv1D(2, 3, strides=0, name="s"), r"'s'.*strides.*received 0"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2, name="t"),
     r"Conv2DTranspose layer 't' expects each output_padding smaller than its stride; "
     r"received output_padding=\(2, 2\), strides=\(2, 2\)"),
    (lambda: layers.SeparableConv2D(2, 3, depth_multiplier=-1, name="m"),
     r"SeparableConv2D layer 'm'.*depth_multiplier.*-1"),
])
def test_constructor_errors_name_the_layer(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_input_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"Conv2D layer 'g2' expects input channels divisible "
                                         r"by groups=2; received 3 channels"):
        layers.Conv2D(4, 3, groups=2, name="g2")(K.Input((5, 5, 3)))


def test_unknown_channels_and_wrong_channel_count_after_build():
    with pytest.raises(ValueError, match=r"'u' expects a known channel dimension.*"
                                         r"\(None, 5, None\)"):
        layers.Conv1D(4, 3, name="u")(K.Input((5, None)))
    layer = layers.Conv1D(4, 3, name="w")
    layer(K.Input((5, 2)))
    with pytest.raises(ValueError, match=r"'w' expects a last dimension of 2.*\(None, 5, 3\)"):
        layer(K.Input((5, 3)))


# -- config, regularizers, constraints --------------------------------------------------
@pytest.mark.parametrize("make, input_shape", [
    (lambda: layers.Conv1D(3, 2, padding="CAUSAL", dilation_rate=2, activation="relu",
                           kernel_regularizer="l2", activity_regularizer="l1"), (6, 2)),
    (lambda: layers.Conv2D(4, [3, 2], strides=(2, 1), groups=2, data_format="channels_first",
                           kernel_initializer="he_normal", bias_constraint="non_neg"),
     (2, 6, 5)),
    (lambda: layers.Conv3D(2, 2, use_bias=False), (3, 3, 3, 1)),
    (lambda: layers.Conv2DTranspose(3, 3, strides=2, output_padding=1, padding="same"),
     (4, 4, 2)),
    (lambda: layers.Conv1DTranspose(2, 2, dilation_rate=2), (4, 3)),
    (lambda: layers.Conv3DTranspose(2, 2), (2, 2, 2, 1)),
    (lambda: layers.DepthwiseConv1D(3, depth_multiplier=2, depthwise_regularizer="l1"),
     (5, 2)),
    (lambda: layers.DepthwiseConv2D(2, bias_initializer="ones"), (4, 4, 2)),
    (lambda: layers.SeparableConv1D(4, 3, pointwise_constraint="unit_norm"), (6, 2)),
    (lambda: layers.SeparableConv2D(4, 2, depth_multiplier=2, activation="sigmoid"),
     (5, 5, 3)),
])
def test_config_round_trip_gives_the_same_layer(make, input_shape):
    layer = make()
    config = layer.get_config()
    json.dumps(config)
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    x = K.convert_to_tensor(RNG.normal(size=(2,) + input_shape).astype("float32"))
    expected = N(layer(x))
    clone.build(tuple(x.shape))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(N(clone(x)), expected, rtol=1e-6, atol=1e-6)
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]


def test_config_holds_keras_forms():
    config = layers.Conv2D(8, 3, padding="SAME", name="c").get_config()
    assert config["kernel_size"] == (3, 3) and config["strides"] == (1, 1)
    assert config["padding"] == "same" and config["data_format"] == K.image_data_format()
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["activation"] == "linear" and config["groups"] == 1


def test_default_names_are_keras_names():
    assert layers.Conv2D(1, 1).name.startswith("conv2d")
    assert layers.Conv2DTranspose(1, 1).name.startswith("conv2d_transpose")
    assert layers.SeparableConv1D(1, 1).name.startswith("separable_conv1d")


def test_kernel_regularizer_and_activity_regularizer_join_the_losses():
    layer = layers.Conv1D(2, 2, kernel_regularizer="l2", activity_regularizer="l1",
                          bias_initializer="ones")
    x = K.convert_to_tensor(RNG.normal(size=(3, 5, 2)).astype("float32"))
    out = N(layer(x))
    kernel = layer.kernel.numpy().astype("float64")
    penalties = sorted(float(N(loss)) for loss in layer.losses)
    expected = sorted([0.01 * np.sum(kernel ** 2), 0.01 * np.sum(np.abs(out)) / 3])
    np.testing.assert_allclose(penalties, expected, rtol=1e-5)


# -- Keras 2 K.conv1d / conv2d / conv3d in a custom layer --------------------------------
class Keras2Conv(layers.Layer):
    """A custom layer written with Keras 2's backend convolutions."""

    def __init__(self, rank, filters, kernel_size, padding="valid", strides=1,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank, self.filters, self.kernel_size = rank, filters, kernel_size
        self.padding, self.strides, self.data_format = padding, strides, data_format

    def build(self, input_shape):
        channels = input_shape[1 if self.data_format == "channels_first" else -1]
        self.kernel = K.variable(RNG.normal(size=(self.kernel_size,) * self.rank
                                            + (channels, self.filters)).astype("float32"))

    def call(self, inputs):
        fn = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}[self.rank]
        strides = self.strides if self.rank == 1 else (self.strides,) * self.rank
        return fn(inputs, self.kernel, strides=strides, padding=self.padding,
                  data_format=self.data_format)


@pytest.mark.parametrize("rank, padding, strides, data_format", [
    (1, "causal", 1, "channels_last"), (1, "same", 2, "channels_first"),
    (2, "valid", 1, "channels_last"), (2, "same", 2, "channels_first"),
    (3, "same", 1, "channels_last"),
])
def test_keras2_backend_convolutions_in_a_custom_layer(rank, padding, strides, data_format):
    layer = Keras2Conv(rank, 3, 2, padding=padding, strides=strides, data_format=data_format)
    x, x_last = _inputs(rank, 2, data_format)
    symbolic = layer(K.Input(tuple(x.shape[1:])))
    out = N(layer(x))
    expected = conv(x_last, layer.kernel.numpy().astype("float64"), (strides,) * rank, padding,
                    (1,) * rank)
    np.testing.assert_allclose(_channels_last(out, data_format), expected, **TOLERANCE)
    assert symbolic.shape == (None,) + out.shape[1:]


@pytest.mark.skipif(K.backend() != "torch", reason="torch's memory formats")
@pytest.mark.parametrize("layer, shape", [
    (layers.Conv1D(4, 3), (2, 9, 3)), (layers.Conv2D(4, 3), (2, 7, 6, 1)),
    (layers.Conv3D(4, 2), (2, 5, 4, 5, 2)), (layers.Conv2DTranspose(4, 3, strides=2), (2, 4, 4, 3)),
    (layers.Conv1DTranspose(2, 3), (2, 5, 3)), (layers.SeparableConv1D(4, 3), (2, 9, 3)),
])
def test_channels_last_outputs_are_contiguous_on_torch(layer, shape):
    """channels_last runs on torch's channels-last kernels: the result is plain NHWC memory,
    not a strided view of a channels-first result that every later op would pay for."""
    out = layer(K.zeros(shape))
    assert out.is_contiguous() and tuple(out.shape[:1]) == shape[:1]
