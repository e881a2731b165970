"""The PyTorch engine: every K function on torch tensors, autograd training.

Variables are ``torch.nn.Parameter`` objects, so autograd and torch optimizers see
them. Shape inference runs functions on the ``meta`` device (no data, no compute),
falling back to small CPU zero tensors for the few operations that have no meta
implementation. Every lamina layer is a ``torch.nn.Module`` (``layer_base``, see
:mod:`lamina.backend.torch.module`).

>>> from lamina.backend import torch as engine
>>> engine.name
'torch'
"""

from lamina.backend.torch.core import *  # noqa: F401,F403
from lamina.backend.torch.math import *  # noqa: F401,F403
from lamina.backend.torch.arrays import *  # noqa: F401,F403
from lamina.backend.torch.nn import *  # noqa: F401,F403
from lamina.backend.torch.random import *  # noqa: F401,F403
from lamina.backend.torch.rnn import *  # noqa: F401,F403
from lamina.backend.torch.activations_extra import *  # noqa: F401,F403
from lamina.backend.torch.ctc import *  # noqa: F401,F403
from lamina.backend.torch.image import *  # noqa: F401,F403
from lamina.backend.torch.extra import *  # noqa: F401,F403
from lamina.backend.torch.linalg import *  # noqa: F401,F403

from lamina.backend.torch.training import compile_step  # noqa: E402,F401
from lamina.backend.torch.module import LayerModule as layer_base  # noqa: E402,F401
from lamina.backend.torch.placement import (  # noqa: E402,F401
    current_device, device_name, device_scope, host_state_scope, scope_of,
    tensor_device_name, visible_devices)
from lamina.backend.torch import placement as _placement  # noqa: E402

_placement.set_current_device(_placement.default_device())

name = "torch"
