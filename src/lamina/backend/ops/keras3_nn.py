"""``lamina.ops.nn``: the neural-network functions under Keras 3's ``keras.ops.nn`` names
(activations, convolutions, pooling, normalizations, losses, attention).

>>> from lamina.ops import nn
>>> from lamina import backend as K
>>> K.convert_to_numpy(nn.relu(K.convert_to_tensor([-1.0, 2.0]))).tolist()
[0.0, 2.0]
"""

from lamina.backend.ops.nn import *  # noqa: F401,F403
from lamina.backend.ops.nn_extra import *  # noqa: F401,F403
from lamina.backend.ops.activations_extra import *  # noqa: F401,F403,E402
from lamina.backend.ops.ctc import *  # noqa: F401,F403,E402
