"""Preprocessing layers: feature layers (``Normalization``, lookups, hashing, text) and
image layers (resizing, cropping, random augmentation), as in ``keras.layers``.
"""

from lamina.layers.preprocessing.feature_normalization import Normalization  # noqa: F401,E402
from lamina.layers.preprocessing.discretization import Discretization  # noqa: F401,E402
from lamina.layers.preprocessing.category_encoding import CategoryEncoding  # noqa: F401,E402
from lamina.layers.preprocessing.hashing import Hashing  # noqa: F401,E402
from lamina.layers.preprocessing.string_lookup import StringLookup  # noqa: F401,E402
from lamina.layers.preprocessing.integer_lookup import IntegerLookup  # noqa: F401,E402
from lamina.layers.preprocessing.text_vectorization import TextVectorization  # noqa: F401,E402
from lamina.layers.preprocessing.image import *  # noqa: F401,F403
