"""The image K functions on torch: NumPy's kernels (:mod:`lamina.backend.numpy.image`)
through the few torch functions whose names or arguments differ from NumPy's. Constants
(resampling weights, indices) are made on the images' device, so the functions also run
on the ``meta`` device (shape inference)."""

import torch
import torch.nn.functional as F

from lamina.backend import config
from lamina.backend.numpy.image import Arrays, kernels
from lamina.backend.torch.core import convert_to_tensor, to_torch_dtype

__all__ = ["resize", "extract_patches", "affine_transform", "map_coordinates", "crop_images",
           "pad_images", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]


class TorchArrays(Arrays):
    """``Arrays`` over torch."""

    def __init__(self):
        super().__init__(torch, clip=torch.clamp, mod=torch.remainder, moveaxis=torch.movedim,
                         transpose=torch.permute, expand_dims=torch.unsqueeze,
                         concatenate=torch.cat)

    def tensor(self, x):
        return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)

    def is_float(self, x):
        return x.is_floating_point()

    def to_float(self, x):
        return x if x.is_floating_point() else x.to(to_torch_dtype(config.floatx()))

    def cast_like(self, x, like):
        return x.to(like.dtype)

    def const(self, value, like):
        return torch.as_tensor(value, dtype=like.dtype, device=like.device)

    def index(self, value, like=None):
        if isinstance(value, torch.Tensor):
            return value.to(torch.int64)
        device = like.device if like is not None else None
        return torch.as_tensor(value, dtype=torch.int64, device=device)

    def take(self, x, indices, axis):
        return torch.index_select(x, axis, self.index(indices, x))

    def pad(self, x, pairs, value):
        flat = [amount for pair in reversed(pairs) for amount in pair]
        return F.pad(x, flat, value=value)

    def int_limits(self, x):
        info = torch.iinfo(x.dtype)
        return info.min, info.max

    def arange(self, n, like):
        return torch.arange(n, dtype=like.dtype, device=like.device)


_FUNCTIONS = kernels(TorchArrays())
(resize, extract_patches, affine_transform, map_coordinates, crop_images, pad_images,
 rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb) = (_FUNCTIONS[name] for name in __all__)
