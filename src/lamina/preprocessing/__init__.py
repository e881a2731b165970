"""Data preprocessing: ``sequence`` (``pad_sequences``), Keras 2's ``text``
(``Tokenizer``) and ``image`` (``ImageDataGenerator``, image files), and the dataset
functions also found in ``lamina.utils``.

>>> from lamina import preprocessing
>>> preprocessing.sequence.pad_sequences([[1, 2], [3]]).tolist()
[[1, 2], [0, 3]]
"""

from lamina.preprocessing import image, sequence, text  # noqa: F401
from lamina.utils.image_dataset import image_dataset_from_directory  # noqa: F401
from lamina.utils.text_dataset import text_dataset_from_directory  # noqa: F401
from lamina.utils.timeseries import timeseries_dataset_from_array  # noqa: F401
