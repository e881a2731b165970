"""Image preprocessing (Keras' ``keras.preprocessing.image``): image files and arrays,
and Keras 2's ``ImageDataGenerator`` for augmented batches.

>>> import numpy as np
>>> img_to_array(array_to_img(np.zeros((2, 2, 3)))).shape
(2, 2, 3)
"""

from lamina.utils.image_utils import (  # noqa: F401
    array_to_img, img_to_array, load_img, save_img, smart_resize)
