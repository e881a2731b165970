"""NumPy implementations of the math, array and core K functions (see numpy_api)."""

import numpy as np

from lamina.backend.numpy_api import implement as _implement

globals().update(_implement(np))

from lamina.backend.numpy_extra_api import implement as _implement_extra  # noqa: E402
from lamina.backend.numpy_linalg_api import implement as _implement_linalg  # noqa: E402

globals().update(_implement_extra(np))
globals().update(_implement_linalg(np))
