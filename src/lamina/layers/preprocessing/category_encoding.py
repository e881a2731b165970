"""CategoryEncoding: integer category ids as one-hot, multi-hot or count vectors
(Keras 3's ``keras.layers.CategoryEncoding``).

>>> from lamina import layers
>>> layers.CategoryEncoding(num_tokens=3, output_mode="one_hot")([2, 0]).tolist()
[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
"""

from lamina import backend as K
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding

_MODES = ("one_hot", "multi_hot", "count")


class CategoryEncoding(Layer):
    """Encode integer ids in ``[0, num_tokens)`` as vectors of ``num_tokens``.

    ``CategoryEncoding(num_tokens=None, output_mode="multi_hot", sparse=False)``;
    ``call(inputs, count_weights=None)``.

    - ``"one_hot"``: each id becomes a one-hot vector; a last axis of size 1 is
      replaced by the encoding, another last axis gets a new axis after it;
    - ``"multi_hot"``: each sample (the last axis) becomes one vector with 1 for
      every id present;
    - ``"count"``: like ``"multi_hot"`` with the number of times each id appears,
      or the sum of ``count_weights`` (same shape as the inputs) over its
      occurrences.

    Ids outside ``[0, num_tokens)`` contribute nothing. The output has the layer's
    dtype (``float32`` by default). ``sparse=True`` is refused (dense tensors only).

    >>> from lamina import layers
    >>> layers.CategoryEncoding(num_tokens=4)([[0, 1], [0, 0], [1, 2], [3, 1]]).tolist()
    [[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]]
    >>> counts = layers.CategoryEncoding(num_tokens=3, output_mode="count")
    >>> counts([[0, 1, 1]], count_weights=[[0.5, 1.0, 2.0]]).tolist()
    [[0.5, 3.0, 0.0]]
    """

    autocast = False

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        encoding.check_mode(f"CategoryEncoding {self.name!r}", output_mode, _MODES)
        encoding.check_not_sparse(f"CategoryEncoding {self.name!r}", sparse)
        if num_tokens is None or isinstance(num_tokens, bool) or not isinstance(
                num_tokens, int) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding {self.name!r}: num_tokens must be a positive "
                             f"int (the number of categories); received {num_tokens!r}.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding layer {self.name!r}: count_weights is only "
                             f"used with output_mode='count'; this layer has output_mode="
                             f"{self.output_mode!r}.")
        if count_weights is not None:
            count_weights = K.convert_to_tensor(count_weights)
        if count_weights is not None and tuple(count_weights.shape) != tuple(inputs.shape):
            raise ValueError(f"CategoryEncoding layer {self.name!r}: count_weights must have "
                             f"the inputs' shape {tuple(inputs.shape)}; received "
                             f"{tuple(count_weights.shape)}.")
        return encoding.encode(inputs, self.num_tokens, self.output_mode, self.dtype,
                               count_weights=count_weights)

    def compute_output_shape(self, input_shape):
        return encoding.output_shape(input_shape, self.num_tokens, self.output_mode)

    def get_config(self):
        config = super().get_config()
        config.update(num_tokens=self.num_tokens, output_mode=self.output_mode,
                      sparse=self.sparse)
        return config
