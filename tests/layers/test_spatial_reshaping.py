"""UpSampling1D/2D/3D, ZeroPadding1D/2D/3D and Cropping1D/2D/3D against NumPy (np.repeat,
np.pad, slicing; bilinear upsampling against half-pixel-centre interpolation written
out per output cell), on both data formats, with symbolic shapes (unknown batch and
spatial sizes), errors and config round trips."""

import numpy as np
import pytest

from lamina import Input, layers
from lamina import backend as K

RNG = np.random.default_rng(11)
DATA = {1: RNG.standard_normal((2, 5, 3)).astype("float32"),
        2: RNG.standard_normal((2, 5, 4, 3)).astype("float32"),
        3: RNG.standard_normal((2, 3, 4, 5, 2)).astype("float32")}
UPSAMPLING = {1: layers.UpSampling1D, 2: layers.UpSampling2D, 3: layers.UpSampling3D}
ZERO_PADDING = {1: layers.ZeroPadding1D, 2: layers.ZeroPadding2D, 3: layers.ZeroPadding3D}
CROPPING = {1: layers.Cropping1D, 2: layers.Cropping2D, 3: layers.Cropping3D}


def to_format(x, data_format):
    return np.moveaxis(x, -1, 1) if data_format == "channels_first" else x


def run(layer, x, data_format="channels_last"):
    """The layer on ``x`` (channels last) given in ``data_format``; the result channels
    last again."""
    out = np.asarray(K.convert_to_numpy(layer(K.convert_to_tensor(to_format(x, data_format)))))
    return np.moveaxis(out, 1, -1) if data_format == "channels_first" else out


FORMATS = ["channels_last", "channels_first"]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("rank, size", [(2, (2, 3)), (2, 1), (3, (2, 1, 3)), (3, 2)])
def test_nearest_upsampling_repeats_cells(rank, size, data_format):
    layer = UPSAMPLING[rank](size, data_format=data_format)
    expected = DATA[rank]
    for axis, factor in enumerate(layer.size, start=1):
        expected = np.repeat(expected, factor, axis=axis)
    np.testing.assert_array_equal(run(layer, DATA[rank], data_format), expected)


def test_upsampling_1d_repeats_steps():
    np.testing.assert_array_equal(run(layers.UpSampling1D(3), DATA[1]),
                                  np.repeat(DATA[1], 3, axis=1))
    assert layers.UpSampling1D()(Input((None, 4))).shape == (None, None, 4)


def bilinear_reference(x, factors):
    """Half-pixel centres (``align_corners=False``): output cell i samples the input at
    (i + 0.5) / factor - 0.5, clamped to the edges, between its two neighbours."""
    out = x
    for axis, factor in zip((1, 2), factors):
        size = out.shape[axis]
        rows = []
        for i in range(size * factor):
            position = min(max((i + 0.5) / factor - 0.5, 0.0), size - 1)
            low = int(np.floor(position))
            high = min(low + 1, size - 1)
            weight = position - low
            rows.append((1 - weight) * np.take(out, low, axis=axis)
                        + weight * np.take(out, high, axis=axis))
        out = np.stack(rows, axis=axis)
    return out


@pytest.mark.parametrize("size, data_format", [((2, 3), "channels_last"),
                                               ((3, 1), "channels_first")])
def test_bilinear_upsampling_uses_half_pixel_centres(size, data_format):
    layer = layers.UpSampling2D(size, data_format=data_format, interpolation="bilinear")
    np.testing.assert_allclose(run(layer, DATA[2], data_format),
                               bilinear_reference(DATA[2], size), rtol=1e-5, atol=1e-6)


def test_bilinear_upsampling_of_integer_images_gives_floats():
    pixels = np.array([[[[0], [4]], [[8], [12]]]], dtype="int32")
    layer = layers.UpSampling2D(interpolation="bilinear")
    got = np.asarray(K.convert_to_numpy(layer(K.convert_to_tensor(pixels))))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, bilinear_reference(pixels.astype("float64"), (2, 2)),
                               rtol=1e-6)


@pytest.mark.skipif(K.backend() != "torch",
                    reason="an independent oracle: torch's interpolate, loaded by the torch "
                           "engine (importing torch elsewhere costs seconds)")
def test_bilinear_upsampling_agrees_with_torch_interpolate():
    import torch
    x = DATA[2]
    expected = torch.nn.functional.interpolate(
        torch.tensor(np.moveaxis(x, -1, 1)), scale_factor=(2, 3), mode="bilinear",
        align_corners=False).numpy()
    layer = layers.UpSampling2D((2, 3), interpolation="bilinear")
    np.testing.assert_allclose(run(layer, x), np.moveaxis(expected, 1, -1), rtol=1e-5,
                               atol=1e-6)


# (rank, argument, the (before, after) pairs it means)
EDGES = [(1, 2, ((2, 2),)), (1, (0, 3), ((0, 3),)), (2, 1, ((1, 1), (1, 1))),
         (2, (2, 0), ((2, 2), (0, 0))), (2, ((0, 1), (2, 1)), ((0, 1), (2, 1))),
         (3, 1, ((1, 1),) * 3), (3, (1, 0, 2), ((1, 1), (0, 0), (2, 2))),
         (3, ((0, 1), (1, 0), (0, 2)), ((0, 1), (1, 0), (0, 2)))]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("rank, argument, pairs", EDGES)
def test_zero_padding_matches_numpy(rank, argument, pairs, data_format):
    layer = ZERO_PADDING[rank](argument, data_format=data_format)
    assert layer.padding == pairs
    expected = np.pad(DATA[rank], ((0, 0),) + pairs + ((0, 0),))
    np.testing.assert_array_equal(run(layer, DATA[rank], data_format), expected)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("rank, argument, pairs", EDGES)
def test_cropping_matches_numpy(rank, argument, pairs, data_format):
    layer = CROPPING[rank](argument, data_format=data_format)
    assert layer.cropping == pairs
    window = tuple(slice(before, size - after)
                   for (before, after), size in zip(pairs, DATA[rank].shape[1:-1]))
    expected = DATA[rank][(slice(None),) + window]
    np.testing.assert_array_equal(run(layer, DATA[rank], data_format), expected)


def test_keras_defaults():
    assert layers.ZeroPadding1D().padding == ((1, 1),)
    assert layers.ZeroPadding2D().padding == ((1, 1), (1, 1))
    assert layers.ZeroPadding3D().padding == ((1, 1),) * 3
    assert layers.Cropping1D().cropping == ((1, 1),)
    assert layers.Cropping2D().cropping == ((0, 0), (0, 0))
    assert layers.Cropping3D().cropping == ((1, 1),) * 3
    assert layers.UpSampling1D().size == (2,)
    assert layers.UpSampling2D().size == (2, 2)
    assert layers.UpSampling2D().interpolation == "nearest"
    assert layers.UpSampling3D().size == (2, 2, 2)


def test_padding_then_cropping_gives_the_input_back():
    inputs = K.convert_to_tensor(DATA[2])
    padded = layers.ZeroPadding2D(((1, 2), (0, 3)))(inputs)
    restored = layers.Cropping2D(((1, 2), (0, 3)))(padded)
    np.testing.assert_array_equal(np.asarray(K.convert_to_numpy(restored)), DATA[2])


@pytest.mark.parametrize("layer, input_shape, expected", [
    (layers.UpSampling2D((2, 3)), (None, None, 3), (None, None, None, 3)),
    (layers.UpSampling2D(2, interpolation="bilinear"), (4, None, 3), (None, 8, None, 3)),
    (layers.UpSampling2D(2, data_format="channels_first"), (3, 4, 5), (None, 3, 8, 10)),
    (layers.UpSampling3D((1, 2, 3)), (2, None, 4, 1), (None, 2, None, 12, 1)),
    (layers.ZeroPadding1D((1, 2)), (None, 4), (None, None, 4)),
    (layers.ZeroPadding2D(((1, 0), 2)), (5, 5, 1), (None, 6, 9, 1)),
    (layers.ZeroPadding3D(1, data_format="channels_first"), (2, 3, None, 3),
     (None, 2, 5, None, 5)),
    (layers.Cropping1D(2), (None, 4), (None, None, 4)),
    (layers.Cropping2D(((1, 1), (2, 0))), (5, None, 3), (None, 3, None, 3)),
    (layers.Cropping3D(((0, 1), 1, 0), data_format="channels_first"), (2, 4, 4, 4),
     (None, 2, 3, 2, 4)),
])
def test_symbolic_output_shapes(layer, input_shape, expected):
    assert layer(Input(input_shape)).shape == expected


def test_a_layer_built_on_unknown_sizes_runs_on_any_size():
    inputs = Input((None, None, 3))
    layer = layers.Cropping2D(1)
    assert layer(inputs).shape == (None, None, None, 3)
    np.testing.assert_array_equal(run(layer, DATA[2]), DATA[2][:, 1:-1, 1:-1])


def test_wrong_rank_names_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"UpSampling2D layer 'up' expects inputs of rank 4. "
                                         r"Received input shape \(None, 5, 3\)"):
        layers.UpSampling2D(name="up")(Input((5, 3)))
    with pytest.raises(ValueError, match=r"ZeroPadding3D layer 'zp' expects inputs of rank 5. "
                                         r"Received input shape \(2, 5, 4, 3\)"):
        layers.ZeroPadding3D(name="zp")(K.convert_to_tensor(DATA[2]))


def test_cropping_everything_is_an_error():
    message = (r"Cropping2D layer 'crop' expects spatial dimensions longer than the cropping "
               r"\(\(2, 2\), \(0, 0\)\) \(channels_last\); axis 1 would keep 0 cells. "
               r"Received input shape \(None, 4, 5, 3\)")
    with pytest.raises(ValueError, match=message):
        layers.Cropping2D((2, 0), name="crop")(Input((4, 5, 3)))
    with pytest.raises(ValueError, match=r"Cropping1D layer 'c1'.*would keep -1 cells. "
                                         r"Received input shape \(2, 5, 3\)"):
        layers.Cropping1D((3, 3), name="c1")(K.convert_to_tensor(DATA[1]))
    layer = layers.Cropping1D((3, 3), name="late")
    assert layer(Input((None, 3))).shape == (None, None, 3)
    with pytest.raises(ValueError, match=r"Cropping1D layer 'late'.*would keep -1 cells"):
        layer(K.convert_to_tensor(DATA[1]))


@pytest.mark.parametrize("cls, argument, value, form", [
    (layers.Cropping2D, "cropping", -1, "an int, a tuple of 2 ints or a tuple of 2 pairs"),
    (layers.Cropping1D, "cropping", (1, -2), "an int, a pair of ints"),
    (layers.Cropping3D, "cropping", ((1, 1), (0, -1), 2), "an int, a tuple of 3 ints"),
    (layers.ZeroPadding2D, "padding", (1, 2, 3), "an int, a tuple of 2 ints"),
    (layers.ZeroPadding1D, "padding", "same", "an int, a pair of ints"),
    (layers.ZeroPadding3D, "padding", ((1, 2, 3), 1, 1), "an int, a tuple of 3 ints"),
])
def test_bad_edges_name_the_layer(cls, argument, value, form):
    with pytest.raises(ValueError, match=rf"{cls.__name__} layer 'bad' expects {argument} to be "
                                         rf"{form}.*non-negative. Received "
                                         rf"{argument}={value!r}".replace("(", r"\(")
                       .replace(")", r"\)")):
        cls(value, name="bad")


@pytest.mark.parametrize("make, message", [
    (lambda: layers.UpSampling2D(interpolation="bicubic", name="bad"),
     r"UpSampling2D layer 'bad' expects interpolation to be one of 'nearest', 'bilinear'. "
     r"Received interpolation='bicubic'"),
    (lambda: layers.UpSampling3D(0, name="bad"),
     r"UpSampling3D layer 'bad': expected size to be a positive int or a tuple of 3 positive "
     r"ints; received 0"),
    (lambda: layers.ZeroPadding2D(data_format="NCHW", name="bad"),
     r"ZeroPadding2D layer 'bad': expected data_format 'channels_last' or 'channels_first'; "
     r"received 'NCHW'"),
    (lambda: layers.Cropping3D(data_format="first", name="bad"),
     r"Cropping3D layer 'bad': expected data_format"),
])
def test_bad_arguments_name_the_layer(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("cls, kwargs, rank", [
    (layers.UpSampling1D, {"size": 3}, 1),
    (layers.UpSampling2D, {"size": [2, 1], "interpolation": "bilinear",
                           "data_format": "channels_first"}, 2),
    (layers.UpSampling3D, {"size": (1, 2, 1)}, 3),
    (layers.ZeroPadding1D, {"padding": (1, 2)}, 1),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (0, 2)), "data_format": "channels_first"}, 2),
    (layers.ZeroPadding3D, {"padding": 1}, 3),
    (layers.Cropping1D, {"cropping": 2}, 1),
    (layers.Cropping2D, {"cropping": [[1, 0], [0, 2]]}, 2),
    (layers.Cropping3D, {"cropping": (0, 1, 1), "data_format": "channels_first"}, 3),
])
def test_config_round_trip(cls, kwargs, rank):
    layer = cls(**kwargs)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    x = K.convert_to_tensor(to_format(DATA[rank], layer.data_format))
    np.testing.assert_array_equal(np.asarray(K.convert_to_numpy(clone(x))),
                                  np.asarray(K.convert_to_numpy(layer(x))))
