"""lamina.ops.image against NumPy, scipy.ndimage and jax.image references, on every engine."""

import colorsys

import numpy as np
import pytest

from lamina import backend as K
from lamina import ops
from lamina.ops import image

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(size=(2, 5, 7, 3)).astype("float32")


def value(x):
    return np.asarray(K.convert_to_numpy(x))


def test_ops_image_is_reachable_both_ways():
    assert ops.image is image and callable(image.resize)


@pytest.mark.parametrize("method", ["bilinear", "bicubic", "lanczos3", "nearest"])
@pytest.mark.parametrize("size,antialias", [((8, 4), False), ((3, 11), True), ((2, 3), False)])
def test_resize_matches_jax_image_resize(method, size, antialias):
    jax_image = pytest.importorskip("jax.image")
    expected = jax_image.resize(IMAGES, (2, *size, 3), {"bilinear": "linear", "bicubic": "cubic"}
                                .get(method, method), antialias=antialias)
    got = value(image.resize(IMAGES, size, interpolation=method, antialias=antialias))
    np.testing.assert_allclose(got, np.asarray(expected), rtol=1e-5, atol=1e-5)


def test_resize_known_bilinear_values_and_integer_images():
    x = np.array([[0, 10], [20, 30]], "uint8")[None, :, :, None]
    got = value(image.resize(x, (4, 4)))[0, :, :, 0]
    assert got.dtype == np.float32
    np.testing.assert_allclose(got[0], [0.0, 2.5, 7.5, 10.0])
    np.testing.assert_allclose(got[:, 0], [0.0, 5.0, 15.0, 20.0])
    nearest = value(image.resize(x, (4, 4), interpolation="nearest"))
    assert nearest.dtype == np.uint8 and nearest[0, :, :, 0].tolist()[1] == [0, 0, 10, 10]


def test_resize_layouts_and_single_images_agree():
    batch = value(image.resize(IMAGES, (4, 6)))
    first = value(image.resize(np.transpose(IMAGES, (0, 3, 1, 2)), (4, 6),
                               data_format="channels_first"))
    np.testing.assert_allclose(np.transpose(first, (0, 2, 3, 1)), batch, rtol=1e-6)
    np.testing.assert_allclose(value(image.resize(IMAGES[1], (4, 6))), batch[1], rtol=1e-6)


def test_resize_crop_and_pad_to_aspect_ratio():
    x = np.arange(32, dtype="float32").reshape(1, 4, 8, 1)
    cropped = value(image.resize(x, (2, 2), crop_to_aspect_ratio=True))
    np.testing.assert_allclose(cropped, value(image.resize(x[:, :, 2:6], (2, 2))))
    padded = value(image.resize(np.ones((1, 2, 4, 1), "float32"), (4, 4),
                                pad_to_aspect_ratio=True, fill_value=-1.0))[0, :, :, 0]
    assert padded[:, 0].tolist() == [-1.0, 1.0, 1.0, -1.0]


def test_resize_errors_name_the_argument():
    with pytest.raises(ValueError, match="resize: expected interpolation .* received 'cubic'"):
        image.resize(IMAGES, (2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match="resize: expected images of rank 3 .* shape \\(5, 7\\)"):
        image.resize(IMAGES[0, :, :, 0], (2, 2))
    with pytest.raises(ValueError, match="cannot both be True"):
        image.resize(IMAGES, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)


def test_shapes_are_inferred_on_symbolic_images():
    assert K.int_shape(image.resize(K.Input((None, None, 3)), (8, 8))) == (None, 8, 8, 3)
    assert K.int_shape(image.extract_patches(K.Input((32, 32, 3)), 8)) == (None, 4, 4, 192)
    transform = K.Input((8,))
    assert K.int_shape(image.affine_transform(K.Input((6, 5, 2)), transform)) == (None, 6, 5, 2)
    assert K.int_shape(image.crop_images(K.Input((6, 5, 2)), 1, 1, 2, 2)) == (None, 3, 2, 2)


def _patches_reference(x, size, strides, dilation, pads):
    x = np.pad(x, [(0, 0), *pads, (0, 0)])
    (kh, kw), (sh, sw), (dh, dw) = size, strides, dilation
    rows = (x.shape[1] - (kh - 1) * dh - 1) // sh + 1
    cols = (x.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], rows, cols, kh * kw * x.shape[3]), x.dtype)
    for r in range(rows):
        for c in range(cols):
            window = x[:, r * sh:r * sh + (kh - 1) * dh + 1:dh,
                       c * sw:c * sw + (kw - 1) * dw + 1:dw]
            out[:, r, c] = window.reshape(x.shape[0], -1)
    return out


def test_extract_patches_side_by_side_is_a_reshape():
    x = RNG.uniform(size=(2, 6, 8, 3)).astype("float32")
    expected = x.reshape(2, 3, 2, 4, 2, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 3, 4, 12)
    np.testing.assert_array_equal(value(image.extract_patches(x, 2)), expected)
    first = value(image.extract_patches(np.transpose(x, (0, 3, 1, 2)), 2,
                                        data_format="channels_first"))
    np.testing.assert_array_equal(np.transpose(first, (0, 2, 3, 1)), expected)


@pytest.mark.parametrize("size,strides,dilation,padding,pads", [
    ((2, 3), (1, 2), 1, "valid", [(0, 0), (0, 0)]),
    ((3, 3), 2, 1, "same", [(1, 1), (0, 1)]),  # 5 rows, 6 columns
    ((2, 2), 1, 2, "valid", [(0, 0), (0, 0)]),
])
def test_extract_patches_strides_dilation_and_padding(size, strides, dilation, padding, pads):
    x = RNG.uniform(size=(1, 5, 6, 2)).astype("float32")
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    expected = _patches_reference(x, size, pair(strides), pair(dilation), pads)
    got = value(image.extract_patches(x[0], size, strides=strides, dilation_rate=dilation,
                                      padding=padding))
    np.testing.assert_allclose(got, expected[0])


def test_affine_transform_identity_translation_and_rotation():
    x = RNG.uniform(size=(2, 4, 4, 3)).astype("float32")
    identity = [1, 0, 0, 0, 1, 0, 0, 0]
    np.testing.assert_allclose(value(image.affine_transform(x, identity)), x, rtol=1e-6)
    shifted = value(image.affine_transform(x, [1, 0, -1, 0, 1, -2, 0, 0], fill_value=9.0))
    np.testing.assert_allclose(shifted[:, 2:, 1:], x[:, :2, :3], rtol=1e-6)
    assert np.all(shifted[:, :2] == 9.0) and np.all(shifted[:, :, 0] == 9.0)
    # a quarter turn about the centre (1.5, 1.5): output (x, y) reads input (3 - y, x)
    quarter = [0, -1, 3, 1, 0, 0, 0, 0]
    for interpolation in ("nearest", "bilinear"):
        turned = value(image.affine_transform(x, quarter, interpolation=interpolation))
        np.testing.assert_allclose(turned, np.rot90(x, k=1, axes=(1, 2)), rtol=1e-6)
    pixels = (x * 255).astype("uint8")
    turned = value(image.affine_transform(pixels, quarter))
    assert turned.dtype == np.uint8
    np.testing.assert_array_equal(turned, np.rot90(pixels, k=1, axes=(1, 2)))


def test_affine_transform_one_row_per_image_and_channels_first():
    x = RNG.uniform(size=(2, 3, 4, 1)).astype("float32")
    rows = np.array([[1, 0, 0, 0, 1, 0, 0, 0], [-1, 0, 3, 0, 1, 0, 0, 0]], "float32")
    got = value(image.affine_transform(x, rows, interpolation="nearest"))
    np.testing.assert_allclose(got[0], x[0])
    np.testing.assert_allclose(got[1], x[1, :, ::-1])
    first = value(image.affine_transform(np.transpose(x, (0, 3, 1, 2)), rows,
                                         interpolation="nearest", data_format="channels_first"))
    np.testing.assert_allclose(np.transpose(first, (0, 2, 3, 1)), got)


_SCIPY_MODES = {"constant": "grid-constant", "nearest": "nearest", "wrap": "grid-wrap",
                "mirror": "mirror", "reflect": "reflect"}


@pytest.mark.parametrize("fill_mode", list(_SCIPY_MODES))
@pytest.mark.parametrize("order", [0, 1])
def test_map_coordinates_matches_scipy(fill_mode, order):
    ndimage = pytest.importorskip("scipy.ndimage")
    x = RNG.uniform(size=(4, 5)).astype("float32")
    coordinates = RNG.uniform(-6, 10, size=(2, 3, 7)).astype("float32")
    expected = ndimage.map_coordinates(x, coordinates, order=order, mode=_SCIPY_MODES[fill_mode],
                                       cval=0.5)
    got = value(image.map_coordinates(x, coordinates, order, fill_mode=fill_mode, fill_value=0.5))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant"])
def test_affine_transform_rotation_matches_scipy(fill_mode):
    ndimage = pytest.importorskip("scipy.ndimage")
    x = RNG.uniform(size=(1, 6, 5, 1)).astype("float32")
    angle = 0.4
    c, s = np.cos(angle), np.sin(angle)
    cx, cy = 2.0, 2.5
    transform = [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy, 0, 0]
    ys, xs = np.mgrid[0:6, 0:5].astype("float64")
    source = np.stack([s * xs + c * ys + transform[5], c * xs - s * ys + transform[2]])
    expected = ndimage.map_coordinates(x[0, :, :, 0], source, order=1,
                                       mode=_SCIPY_MODES[fill_mode], cval=0.0)
    got = value(image.affine_transform(x, transform, fill_mode=fill_mode))[0, :, :, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_affine_transform_rejects_bad_arguments():
    with pytest.raises(ValueError, match="affine_transform: expected fill_mode .* 'edge'"):
        image.affine_transform(IMAGES, [1, 0, 0, 0, 1, 0, 0, 0], fill_mode="edge")
    with pytest.raises(ValueError, match=r"affine_transform: expected transform of shape \(8,\)"):
        image.affine_transform(IMAGES, [1, 0, 0, 0, 1, 0])


def test_crop_and_pad_images():
    x = RNG.uniform(size=(2, 5, 7, 3)).astype("float32")
    np.testing.assert_array_equal(value(image.crop_images(x, 1, 2, target_height=3,
                                                          target_width=4)), x[:, 1:4, 2:6])
    np.testing.assert_array_equal(value(image.crop_images(x[0], bottom_cropping=1,
                                                          right_cropping=2, top_cropping=0,
                                                          left_cropping=1)), x[0, :4, 1:5])
    padded = value(image.pad_images(x, 1, 2, target_height=8, target_width=10))
    np.testing.assert_array_equal(padded, np.pad(x, [(0, 0), (1, 2), (2, 1), (0, 0)]))
    first = value(image.pad_images(np.transpose(x, (0, 3, 1, 2)), 1, 2, 0, 0,
                                   data_format="channels_first"))
    np.testing.assert_array_equal(first, np.pad(np.transpose(x, (0, 3, 1, 2)),
                                                [(0, 0), (0, 0), (1, 0), (2, 0)]))


def test_crop_and_pad_errors_say_what_is_missing():
    with pytest.raises(ValueError, match="crop_images: expected exactly two of top_cropping"):
        image.crop_images(IMAGES, 1, 1)
    with pytest.raises(ValueError, match="pad_images: an axis of size 5 cannot"):
        image.pad_images(IMAGES, top_padding=1, left_padding=0, target_height=3, target_width=7)


def test_rgb_to_grayscale_weights_and_layouts():
    x = RNG.uniform(size=(2, 3, 4, 3)).astype("float32")
    expected = (x @ np.array([0.2989, 0.5870, 0.1140], "float32"))[..., None]
    np.testing.assert_allclose(value(image.rgb_to_grayscale(x)), expected, rtol=1e-6)
    first = value(image.rgb_to_grayscale(np.transpose(x, (0, 3, 1, 2)),
                                         data_format="channels_first"))
    np.testing.assert_allclose(first[:, 0], expected[..., 0], rtol=1e-6)
    with pytest.raises(ValueError, match="rgb_to_grayscale: expected 3 channels"):
        image.rgb_to_grayscale(x[..., :2])


def test_rgb_hsv_round_trip_matches_colorsys():
    x = RNG.uniform(size=(3, 4, 3)).astype("float32")
    x[0, 0] = [0.5, 0.5, 0.5]
    hsv = value(image.rgb_to_hsv(x))
    expected = np.array([colorsys.rgb_to_hsv(*p) for p in x.reshape(-1, 3)]).reshape(x.shape)
    np.testing.assert_allclose(hsv, expected, atol=1e-5)
    np.testing.assert_allclose(value(image.hsv_to_rgb(hsv)), x, atol=1e-5)
    with pytest.raises(TypeError, match="rgb_to_hsv: expected float images"):
        image.rgb_to_hsv(np.zeros((2, 2, 3), "uint8"))


@pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine has no gradients")
def test_resize_and_affine_transform_gradients_match_finite_differences():
    from finite_differences import finite_differences
    x = RNG.uniform(size=(1, 3, 4, 1))
    weights = RNG.uniform(size=(1, 5, 4, 1))
    # no sampled point falls on a whole pixel position, where bilinear sampling has a kink
    transform = np.array([0.9, 0.1, 0.31, -0.13, 1.1, 0.23, 0.01, -0.02])

    def resized(images):
        return image.resize(images, (5, 4), interpolation="bicubic")

    def warped(t):
        return image.affine_transform(K.convert_to_tensor(x[0]), t, fill_mode="reflect")

    for fn, at, reference_weights in ((resized, x, weights), (warped, transform, x[0])):
        tensor_weights = K.convert_to_tensor(reference_weights)
        grad = K.grad(lambda a: K.sum(fn(a) * tensor_weights))(K.convert_to_tensor(at))
        expected = finite_differences(
            lambda a: float(np.sum(value(fn(K.convert_to_tensor(a))) * reference_weights)), at)
        np.testing.assert_allclose(value(grad), expected, rtol=1e-4, atol=1e-6)


def test_image_functions_are_graph_nodes_that_save_and_load(tmp_path):
    from lamina import Input, Model, layers, models
    inputs = Input((8, 8, 3))
    patches = image.extract_patches(image.resize(inputs, (4, 4), interpolation="bicubic"), 2)
    outputs = layers.Dense(2)(layers.Reshape((4, 12))(patches))
    model = Model(inputs, outputs)
    assert tuple(model.outputs[0].shape) == (None, 4, 2)
    x = RNG.uniform(size=(3, 8, 8, 3)).astype("float32")
    path = tmp_path / "patches.lamina"
    model.save(path)
    np.testing.assert_allclose(models.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)
