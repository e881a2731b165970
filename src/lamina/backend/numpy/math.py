"""NumPy implementations of the math, array and core K functions (see numpy_api)."""

import numpy as np

from lamina.backend.numpy_api import implement as _implement

globals().update(_implement(np))
