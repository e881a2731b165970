"""The image K functions on JAX: NumPy's kernels (:mod:`lamina.backend.numpy.image`) run
with ``jax.numpy``. Weights and index arrays are NumPy constants computed from the static
shapes, so the functions trace once per shape inside a compiled step."""

import jax.numpy as jnp

from lamina.backend.numpy.image import Arrays, kernels

__all__ = ["resize", "extract_patches", "affine_transform", "map_coordinates", "crop_images",
           "pad_images", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]

_FUNCTIONS = kernels(Arrays(jnp))
(resize, extract_patches, affine_transform, map_coordinates, crop_images, pad_images,
 rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb) = (_FUNCTIONS[name] for name in __all__)
