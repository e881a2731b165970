"""Utilities: random seeding, plot_model, label encoding, the progress bar, PyDataset
(also under Keras 2's name ``Sequence``), data sets from arrays and folders, image files.

>>> import lamina
>>> lamina.utils.set_random_seed(0)
>>> lamina.utils.to_categorical([0, 2]).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from lamina.utils.random_seed import set_random_seed  # noqa: F401
from lamina.utils.plot_model import plot_model  # noqa: F401
from lamina.utils.numerical import normalize, to_categorical  # noqa: F401
from lamina.utils.progbar import Progbar  # noqa: F401
from lamina.training.py_dataset import PyDataset  # noqa: F401
from lamina.training.py_dataset import PyDataset as Sequence  # noqa: F401  (Keras 2's name)
from lamina.training.data_adapters import (  # noqa: F401
    pack_x_y_sample_weight, unpack_x_y_sample_weight)
from lamina.utils.source_inputs import get_source_inputs  # noqa: F401
from lamina.backend import clear_session, is_keras_tensor, standardize_dtype  # noqa: F401
from lamina.saving.object_registry import (  # noqa: F401
    CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name,
    get_registered_object, register_keras_serializable)
from lamina.saving.serialization import (  # noqa: F401
    deserialize_lamina_object as deserialize_keras_object,
    serialize_lamina_object as serialize_keras_object)
from lamina.utils.io_utils import (  # noqa: F401
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled)
from lamina.utils.sequence_utils import pad_sequences  # noqa: F401
from lamina.utils.dataset_utils import split_dataset  # noqa: F401
from lamina.utils.timeseries import timeseries_dataset_from_array  # noqa: F401
from lamina.utils.image_dataset import image_dataset_from_directory  # noqa: F401
from lamina.utils.text_dataset import text_dataset_from_directory  # noqa: F401
from lamina.utils.image_utils import (  # noqa: F401
    array_to_img, img_to_array, load_img, save_img, smart_resize)
