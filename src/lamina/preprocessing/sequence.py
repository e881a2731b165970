"""Sequence preprocessing (Keras' ``keras.preprocessing.sequence``).

>>> pad_sequences([[1], [2, 3]]).tolist()
[[0, 1], [2, 3]]
"""

from lamina.utils.sequence_utils import pad_sequences  # noqa: F401
