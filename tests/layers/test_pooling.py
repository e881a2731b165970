"""Windowed and global pooling layers against a NumPy re-computation (a loop over the
output cells, with Keras's "same" padding: the odd padded cell at the end, padded cells
never counted), on both data formats; masked global averages; gradients against finite
differences; symbolic shapes; errors; config round trips; Keras 2's K.pool2d / K.pool3d."""

import itertools
import math

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from finite_differences import finite_differences

RNG = np.random.default_rng(5)
SHAPES = {1: (2, 7, 3), 2: (2, 7, 6, 3), 3: (2, 5, 4, 6, 2)}
DATA = {rank: RNG.standard_normal(shape).astype("float32") for rank, shape in SHAPES.items()}
MAX = {1: layers.MaxPooling1D, 2: layers.MaxPooling2D, 3: layers.MaxPooling3D}
AVERAGE = {1: layers.AveragePooling1D, 2: layers.AveragePooling2D, 3: layers.AveragePooling3D}
GLOBAL_MAX = {1: layers.GlobalMaxPooling1D, 2: layers.GlobalMaxPooling2D,
              3: layers.GlobalMaxPooling3D}
GLOBAL_AVERAGE = {1: layers.GlobalAveragePooling1D, 2: layers.GlobalAveragePooling2D,
                  3: layers.GlobalAveragePooling3D}


def _windows(size, k, s, padding):
    """The [start, stop) input cells of each output cell along one axis."""
    if padding == "valid":
        return [(i * s, i * s + k) for i in range((size - k) // s + 1)]
    out = math.ceil(size / s)
    before = max((out - 1) * s + k - size, 0) // 2
    return [(max(i * s - before, 0), min(i * s - before + k, size)) for i in range(out)]


def reference_pool(x, pool_size, strides, padding, kind):
    """Channels-last pooling by a loop over output cells."""
    spatial = x.shape[1:-1]
    axes = [_windows(n, k, s, padding) for n, k, s in zip(spatial, pool_size, strides)]
    out = np.zeros((x.shape[0],) + tuple(len(a) for a in axes) + x.shape[-1:], x.dtype)
    reduce = np.max if kind == "max" else np.mean
    for position in itertools.product(*[range(len(a)) for a in axes]):
        window = tuple(slice(*axes[d][i]) for d, i in enumerate(position))
        cells = x[(slice(None),) + window + (slice(None),)]
        out[(slice(None),) + position] = reduce(cells.reshape(x.shape[0], -1, x.shape[-1]),
                                                axis=1)
    return out


def to_format(x, data_format):
    return np.moveaxis(x, -1, 1) if data_format == "channels_first" else x


def numpy_of(tensor):
    return np.asarray(K.convert_to_numpy(tensor))


# (rank, pool_size, strides): pools that tile the input, overlap, and leave cells over.
POOLS = [(1, 2, None), (1, 3, 2), (1, 2, 1), (2, (2, 3), None), (2, 3, (2, 1)),
         (3, 2, None), (3, (3, 2, 2), (2, 1, 2))]


# Every pool channels last; one pool per rank channels first (JAX compiles each case).
CASES = [pool + ("channels_last",) for pool in POOLS] + [
    pool + ("channels_first",) for pool in (POOLS[1], POOLS[4], POOLS[6])]


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("rank, pool_size, strides, data_format", CASES)
def test_pooling_matches_numpy(rank, pool_size, strides, data_format, padding, kind):
    cls = (MAX if kind == "max" else AVERAGE)[rank]
    layer = cls(pool_size, strides=strides, padding=padding, data_format=data_format)
    x = DATA[rank]
    got = numpy_of(layer(K.convert_to_tensor(to_format(x, data_format))))
    expected = reference_pool(x, layer.pool_size, layer.strides, padding, kind[:3])
    np.testing.assert_allclose(got, to_format(expected, data_format), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["max", "average"])
def test_same_padding_with_a_pool_larger_than_the_input(kind):
    x = DATA[1][:, :2]
    layer = (MAX if kind == "max" else AVERAGE)[1](pool_size=4, strides=1, padding="same")
    got = numpy_of(layer(K.convert_to_tensor(x)))
    np.testing.assert_allclose(got, reference_pool(x, (4,), (1,), "same", kind[:3]),
                               rtol=1e-6)


def test_average_pooling_never_counts_padded_cells():
    ones = np.ones((1, 5, 5, 1), "float32")
    got = numpy_of(layers.AveragePooling2D(3, strides=2, padding="same")(K.convert_to_tensor(ones)))
    np.testing.assert_array_equal(got, np.ones((1, 3, 3, 1)))


def test_default_data_format_follows_the_global_setting():
    K.set_image_data_format("channels_first")
    try:
        layer = layers.MaxPooling2D()
        other = layers.GlobalAveragePooling2D()
    finally:
        K.set_image_data_format("channels_last")
    assert layer.data_format == other.data_format == "channels_first"
    assert layer(Input((3, 8, 6))).shape == (None, 3, 4, 3)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_global_pooling_matches_numpy(rank, data_format, keepdims):
    x = DATA[rank]
    spatial = tuple(range(1, rank + 1))
    tensor = K.convert_to_tensor(to_format(x, data_format))
    for table, reduce in ((GLOBAL_MAX, np.max), (GLOBAL_AVERAGE, np.mean)):
        layer = table[rank](data_format=data_format, keepdims=keepdims)
        expected = reduce(x, axis=spatial, keepdims=keepdims)
        if keepdims:
            expected = to_format(expected, data_format)
        np.testing.assert_allclose(numpy_of(layer(tensor)), expected, rtol=1e-5, atol=1e-6)


MASK = np.array([[True, False, True, True, False, False, True],
                 [False, False, True, False, False, False, False]])


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_average_pooling_1d_averages_the_unmasked_steps(data_format, keepdims):
    x = DATA[1]
    expected = np.stack([x[i][MASK[i]].mean(axis=0) for i in range(len(x))])
    if keepdims:
        expected = to_format(expected[:, None, :], data_format)
    layer = layers.GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims)
    got = layer(K.convert_to_tensor(to_format(x, data_format)), mask=K.convert_to_tensor(MASK))
    np.testing.assert_allclose(numpy_of(got), expected, rtol=1e-5, atol=1e-6)
    assert layer.compute_mask(K.convert_to_tensor(x), K.convert_to_tensor(MASK)) is None


def test_a_sample_with_every_step_masked_averages_to_zeros():
    mask = K.convert_to_tensor(np.array([[False] * 7, [True] * 7]))
    got = numpy_of(layers.GlobalAveragePooling1D()(K.convert_to_tensor(DATA[1]), mask=mask))
    np.testing.assert_array_equal(got[0], np.zeros(3))
    np.testing.assert_allclose(got[1], DATA[1][1].mean(axis=0), rtol=1e-5)


def test_a_mask_from_an_upstream_layer_reaches_global_average_pooling_1d():
    x = DATA[1].copy()
    x[~MASK] = 0.0
    inputs = Input((7, 3))
    pooled = layers.GlobalAveragePooling1D()(layers.Masking()(inputs))
    assert getattr(pooled, "_keras_mask", None) is None
    got = numpy_of(Model(inputs, pooled)(K.convert_to_tensor(x)))
    np.testing.assert_allclose(got, np.stack([x[i][MASK[i]].mean(axis=0) for i in range(2)]),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("shape, pool_size, strides, padding",
                         [((1, 7, 2), 3, 2, "same"), ((1, 5, 4, 1), (2, 3), (2, 1), "same"),
                          ((1, 3, 2, 3, 1), 2, 1, "valid")])
def test_pooling_gradients_match_finite_differences(shape, pool_size, strides, padding, kind):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape)
    layer = (MAX if kind == "max" else AVERAGE)[len(shape) - 2](pool_size, strides, padding)

    def reference(v):
        return reference_pool(v, layer.pool_size, layer.strides, padding, kind[:3])

    weights = rng.standard_normal(reference(x).shape)
    grad = K.grad(lambda t: K.sum(layer(t) * K.convert_to_tensor(weights)))(
        K.convert_to_tensor(x))
    expected = finite_differences(lambda v: np.sum(reference(v) * weights), x)
    np.testing.assert_allclose(numpy_of(grad), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
def test_masked_global_average_gradients_skip_masked_steps():
    x = DATA[1].astype("float64")
    layer = layers.GlobalAveragePooling1D()
    grad = numpy_of(K.grad(lambda t: K.sum(layer(t, mask=K.convert_to_tensor(MASK))))(
        K.convert_to_tensor(x)))
    expected = MASK[:, :, None] / MASK.sum(axis=1)[:, None, None] * np.ones_like(x)
    np.testing.assert_allclose(grad, expected, rtol=1e-12)


@pytest.mark.parametrize("cls, kwargs, input_shape, expected", [
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 2}, (None, 4), (None, None, 4)),
    (layers.AveragePooling1D, {"pool_size": 3, "padding": "same"}, (10, 4), (None, 4, 4)),
    (layers.MaxPooling2D, {"padding": "same", "data_format": "channels_first"},
     (2, None, 7), (None, 2, None, 4)),
    (layers.AveragePooling2D, {"pool_size": (3, 2), "strides": 1}, (9, 8, 1), (None, 7, 7, 1)),
    (layers.MaxPooling3D, {"pool_size": 2, "strides": (1, 2, 3)}, (5, None, 9, 2),
     (None, 4, None, 3, 2)),
    (layers.AveragePooling3D, {"padding": "same"}, (5, 5, 5, 3), (None, 3, 3, 3, 3)),
    (layers.GlobalMaxPooling1D, {"keepdims": True}, (None, 5), (None, 1, 5)),
    (layers.GlobalAveragePooling2D, {"data_format": "channels_first"}, (4, None, None),
     (None, 4)),
    (layers.GlobalMaxPooling3D, {}, (None, None, None, 6), (None, 6)),
])
def test_symbolic_output_shapes(cls, kwargs, input_shape, expected):
    assert cls(**kwargs)(Input(input_shape)).shape == expected
    assert tuple(cls(**kwargs).compute_output_shape((None,) + input_shape)) == expected


def test_symbolic_shapes_agree_with_eager_shapes():
    for rank, pool_size, strides in POOLS:
        layer = MAX[rank](pool_size, strides=strides, padding="same")
        eager = layer(K.convert_to_tensor(DATA[rank])).shape
        assert layer(Input(SHAPES[rank][1:])).shape == (None,) + tuple(eager[1:])


def test_wrong_rank_names_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"MaxPooling2D layer 'pool' expects inputs of rank 4. "
                                         r"Received input shape \(None, 5, 3\)"):
        layers.MaxPooling2D(name="pool")(Input((5, 3)))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling1D layer 'gap' expects inputs of "
                                         r"rank 3. Received input shape \(2, 7, 6, 3\)"):
        layers.GlobalAveragePooling1D(name="gap")(K.convert_to_tensor(DATA[2]))


def test_a_pool_larger_than_the_input_with_valid_padding():
    message = (r"AveragePooling2D layer 'avg' expects spatial dimensions of at least "
               r"pool_size=\(5, 5\) with padding='valid' \(channels_last\). Received input "
               r"shape \(None, 4, 6, 1\)")
    with pytest.raises(ValueError, match=message):
        layers.AveragePooling2D(5, name="avg")(Input((4, 6, 1)))
    with pytest.raises(ValueError, match="MaxPooling1D layer 'mp'.*pool_size=\\(8,\\)"):
        layers.MaxPooling1D(8, name="mp")(K.convert_to_tensor(DATA[1]))
    assert layers.MaxPooling1D(8, padding="same")(Input((7, 3))).shape == (None, 1, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"padding": "full"}, r" expects padding to be one of 'valid', 'same'. "
                          r"Received padding='full'"),
    ({"data_format": "NHWC"}, r": expected data_format 'channels_last' or 'channels_first'; "
                              r"received 'NHWC'"),
    ({"pool_size": 0}, r": expected pool_size to be a positive int or a tuple of 2 positive "
                       r"ints; received 0"),
    ({"strides": (1, 2, 3)}, r": expected strides to be a positive int or a tuple of 2 "
                             r"positive ints; received \(1, 2, 3\)"),
])
def test_bad_arguments_name_the_layer(kwargs, message):
    with pytest.raises(ValueError, match="MaxPooling2D layer 'bad'" + message):
        layers.MaxPooling2D(name="bad", **kwargs)


def test_global_pooling_rejects_an_unknown_data_format():
    with pytest.raises(ValueError, match=r"GlobalMaxPooling2D layer 'g': expected data_format .*"
                                         r"received 'last'"):
        layers.GlobalMaxPooling2D(data_format="last", name="g")


@pytest.mark.parametrize("cls, kwargs", [
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 1, "padding": "same"}),
    (layers.AveragePooling2D, {"pool_size": [2, 3], "data_format": "channels_first"}),
    (layers.MaxPooling3D, {"strides": (1, 2, 1), "padding": "SAME"}),
    (layers.GlobalAveragePooling1D, {"keepdims": True}),
    (layers.GlobalMaxPooling3D, {"data_format": "channels_first"}),
])
def test_config_round_trip(cls, kwargs):
    layer = cls(**kwargs)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    rank = int(cls.__name__[-2])
    for attribute in ("pool_size", "strides", "padding", "data_format", "keepdims"):
        assert getattr(clone, attribute, None) == getattr(layer, attribute, None)
    x = K.convert_to_tensor(to_format(DATA[rank], layer.data_format))
    np.testing.assert_array_equal(numpy_of(clone(x)), numpy_of(layer(x)))


def test_keras_short_aliases_name_the_same_classes():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D


@pytest.mark.parametrize("pool_mode", ["max", "avg"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_keras2_pool2d_and_pool3d_with_same_padding(pool_mode, data_format):
    x2, x3 = DATA[2], DATA[3]
    got2 = K.pool2d(K.convert_to_tensor(to_format(x2, data_format)), (3, 2), strides=(2, 2),
                    padding="same", data_format=data_format, pool_mode=pool_mode)
    np.testing.assert_allclose(
        numpy_of(got2), to_format(reference_pool(x2, (3, 2), (2, 2), "same", pool_mode),
                                  data_format), rtol=1e-5, atol=1e-6)
    got3 = K.pool3d(K.convert_to_tensor(to_format(x3, data_format)), (2, 2, 2),
                    strides=(1, 2, 2), padding="same", data_format=data_format,
                    pool_mode=pool_mode)
    np.testing.assert_allclose(
        numpy_of(got3), to_format(reference_pool(x3, (2, 2, 2), (1, 2, 2), "same", pool_mode),
                                  data_format), rtol=1e-5, atol=1e-6)
