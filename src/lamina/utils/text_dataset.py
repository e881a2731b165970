"""text_dataset_from_directory: a dataset of the ``.txt`` files of a directory, one
subdirectory per class, read batch by batch.

>>> WHERE
'text_dataset_from_directory'
"""

import numpy as np

from lamina.utils.directory_index import directory_datasets

WHERE = "text_dataset_from_directory"


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """Batches ``(texts, labels)`` of the ``.txt`` files under ``directory``: texts as a
    NumPy array of str (UTF-8 decoded, cut to ``max_length`` characters when given),
    labels as in :func:`~lamina.utils.image_dataset_from_directory` (``"int"``,
    ``"categorical"``, ``"binary"`` or ``None``), with the same ``validation_split``,
    ``subset`` and ``seed`` rules. Turn texts into numbers before ``fit``, e.g. with
    ``data.map(lambda x, y: (tokenizer.texts_to_matrix(x), y))``.

    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> for cls, text in (("neg", "bad film"), ("pos", "great film")):
    ...     os.makedirs(os.path.join(root, cls))
    ...     with open(os.path.join(root, cls, "review.txt"), "w") as f:
    ...         _ = f.write(text)
    >>> data = text_dataset_from_directory(root, shuffle=False, verbose=False)
    >>> texts, labels = data[0]
    >>> texts.tolist(), labels.tolist(), data.class_names
    (['bad film', 'great film'], [0, 1], ['neg', 'pos'])
    >>> data = text_dataset_from_directory(root, max_length=3, label_mode="binary",
    ...                                    shuffle=False, verbose=False)
    >>> data[0][0].tolist(), data[0][1].tolist()
    (['bad', 'gre'], [[0.0], [1.0]])
    """
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(
            max_length, (int, np.integer)) or max_length < 1):
        raise ValueError(f"{WHERE}: `max_length` must be None or an int >= 1; received "
                         f"{max_length!r}.")

    def load_file(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return np.asarray(text if max_length is None else text[:max_length])

    return directory_datasets(WHERE, directory, (".txt",), load_file, labels, label_mode,
                              class_names, batch_size, shuffle, seed, validation_split,
                              subset, follow_links, verbose, kind="text files")
