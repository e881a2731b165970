"""Image preprocessing layers, as in ``keras.layers``: resizing and cropping
(``Resizing``, ``CenterCrop``, ``RandomCrop``) and random augmentation (``RandomFlip``,
``RandomRotation``, ``RandomZoom``, ``RandomTranslation``, ``RandomContrast``,
``RandomBrightness``), which act only in training.

>>> from lamina import layers
>>> layers.RandomFlip("horizontal").mode
'horizontal'
"""

from lamina.layers.preprocessing.image.geometric import (RandomFlip, RandomRotation,
                                                         RandomTranslation, RandomZoom)
from lamina.layers.preprocessing.image.intensity import RandomBrightness, RandomContrast
from lamina.layers.preprocessing.image.sizing import CenterCrop, RandomCrop, Resizing

__all__ = ["Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast", "RandomBrightness"]
