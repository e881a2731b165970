"""Image preprocessing (Keras' ``keras.preprocessing.image``): image files and arrays,
and Keras 2's ``ImageDataGenerator`` with its iterators and NumPy transformations.

>>> import numpy as np
>>> img_to_array(array_to_img(np.zeros((2, 2, 3)))).shape
(2, 2, 3)
"""

from lamina.preprocessing.image_generator import ImageDataGenerator  # noqa: F401
from lamina.preprocessing.image_iterators import (  # noqa: F401
    DirectoryIterator, Iterator, NumpyArrayIterator)
from lamina.preprocessing.image_transforms import (  # noqa: F401
    apply_affine_transform, apply_brightness_shift, apply_channel_shift, flip_axis,
    transform_matrix)
from lamina.utils.image_utils import (  # noqa: F401
    array_to_img, img_to_array, load_img, save_img, smart_resize)
