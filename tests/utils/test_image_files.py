"""load_img, img_to_array, array_to_img, save_img, smart_resize (Pillow)."""

import builtins

import numpy as np
import pytest

PIL = pytest.importorskip("PIL")

import lamina  # noqa: E402
from lamina.utils import (array_to_img, img_to_array, load_img, save_img,  # noqa: E402
                          smart_resize)


def gradient(height=4, width=6):
    x = np.zeros((height, width, 3), "float32")
    x[..., 0] = np.arange(width) * 40
    x[..., 1] = np.arange(height)[:, None] * 60
    x[..., 2] = 200
    return x


def test_save_and_load_round_trip_png(tmp_path):
    path = tmp_path / "img.png"
    save_img(path, gradient(), scale=False)
    img = load_img(path)
    assert img.mode == "RGB" and img.size == (6, 4)
    np.testing.assert_array_equal(img_to_array(img), gradient())


def test_color_modes_and_target_size(tmp_path):
    path = tmp_path / "img.png"
    save_img(path, gradient(), scale=False)
    gray = img_to_array(load_img(path, color_mode="grayscale"))
    assert gray.shape == (4, 6, 1)
    # Pillow's luma: L = 0.299 R + 0.587 G + 0.114 B.
    assert gray[0, 0, 0] == round(0.114 * 200)
    assert img_to_array(load_img(path, color_mode="rgba")).shape == (4, 6, 4)
    small = img_to_array(load_img(path, target_size=(2, 3)))
    assert small.shape == (2, 3, 3)
    # nearest takes the pixel at the centre of each 2x2 block (rounded down-right).
    np.testing.assert_array_equal(small, gradient()[1::2, 1::2])
    with pytest.warns(DeprecationWarning, match="color_mode='grayscale'"):
        assert load_img(path, grayscale=True).mode == "L"


def test_keep_aspect_ratio_crops_the_centre(tmp_path):
    path = tmp_path / "wide.png"
    save_img(path, gradient(4, 8), scale=False)
    square = img_to_array(load_img(path, target_size=(4, 4), keep_aspect_ratio=True))
    np.testing.assert_array_equal(square[..., 0], np.tile(np.arange(2, 6) * 40.0, (4, 1)))


def test_array_to_img_scales_the_range_unless_asked_not_to():
    x = np.array([[[-1.0], [0.0]], [[1.0], [3.0]]])
    assert np.asarray(array_to_img(x)).tolist() == [[0, 63], [127, 255]]
    assert np.asarray(array_to_img(np.full((1, 1, 1), 7.0), scale=False)).tolist() == [[7]]
    assert array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    assert array_to_img(np.full((2, 2, 1), 1000.0), scale=False).mode == "I"


def test_channels_first_data_format():
    x = np.arange(12, dtype="float32").reshape(3, 2, 2)
    img = array_to_img(x, data_format="channels_first", scale=False)
    assert img.size == (2, 2)
    np.testing.assert_array_equal(img_to_array(img, data_format="channels_first"), x)


def test_save_img_writes_jpeg_without_alpha(tmp_path):
    path = tmp_path / "x.jpg"
    with pytest.warns(UserWarning, match="JPEG has no alpha channel"):
        save_img(path, np.zeros((4, 4, 4)), file_format="jpg")
    assert load_img(path).size == (4, 4)


def test_smart_resize_crops_then_resizes_in_float():
    x = np.zeros((4, 8, 1), "float32")
    x[:, 2:6] = 1.0
    out = smart_resize(x, (2, 2), interpolation="area")
    assert out.shape == (2, 2, 1)
    np.testing.assert_allclose(out, 1.0)
    assert smart_resize(np.zeros((2, 4, 6, 3)), (3, 3)).shape == (2, 3, 3, 3)


@pytest.mark.parametrize("call, match", [
    (lambda p: load_img(p, color_mode="cmyk"), "`color_mode` must be one of"),
    (lambda p: load_img(p, target_size=(2, 3), interpolation="cubic"),
     "`interpolation` must be one of .* received 'cubic'"),
    (lambda p: load_img(p, target_size=(0, 3)), "`target_size` must be a \\(height, width\\)"),
    (lambda p: array_to_img(np.zeros((2, 2))), "rank 3 .* received an array of shape \\(2, 2\\)"),
    (lambda p: array_to_img(np.zeros((2, 2, 2))), "1, 3 or 4 channels; received shape"),
    (lambda p: img_to_array(np.zeros((1, 2, 2, 3))), "rank 2 or 3"),
    (lambda p: img_to_array(np.zeros((2, 2)), data_format="nhwc"), "`data_format` must be"),
    (lambda p: smart_resize(np.zeros((2, 2)), (1, 1)),
     r"\(rank 3\) or a batch of images \(rank 4\)"),
])
def test_bad_arguments_name_the_argument(tmp_path, call, match):
    path = tmp_path / "img.png"
    save_img(path, gradient())
    with pytest.raises(ValueError, match=match):
        call(path)


def test_exported_under_preprocessing_image():
    assert lamina.preprocessing.image.load_img is load_img
    assert lamina.preprocessing.image.save_img is save_img


def test_without_pillow_the_error_names_the_install_command(monkeypatch):
    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(ImportError, match="pip install pillow"):
        array_to_img(np.zeros((2, 2, 3)))
