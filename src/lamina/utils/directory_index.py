"""The files of a directory of classes (one subdirectory per class) with their labels,
and the argument checks and training/validation split shared by
``image_dataset_from_directory`` and ``text_dataset_from_directory``.

>>> import os, tempfile
>>> root = tempfile.mkdtemp()
>>> for name in ("b/1.txt", "a/2.txt", "a/3.txt"):
...     os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
...     open(os.path.join(root, name), "w").close()
>>> paths, labels, names = index_directory(root, "inferred", (".txt",), shuffle=False)
>>> [os.path.relpath(p, root) for p in paths], labels.tolist(), names
(['a/2.txt', 'a/3.txt', 'b/1.txt'], [0, 0, 1], ['a', 'b'])
"""

import os

import numpy as np

LABEL_MODES = ("int", "categorical", "binary", None)


def _files(directory, formats, follow_links):
    found = []
    for root, dirs, files in os.walk(directory, followlinks=follow_links):
        dirs.sort()
        found += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats)]
    return sorted(found)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, where="index_directory"):
    """``(file_paths, labels, class_names)`` for the files ending in ``formats`` under
    ``directory``: with ``labels="inferred"`` each subdirectory is a class (in
    alphanumeric order, or the order of ``class_names``); with a list of labels they
    follow the sorted file paths; with ``None`` labels are None. ``shuffle`` shuffles
    paths and labels together with ``seed``.

    >>> import tempfile
    >>> index_directory(tempfile.mkdtemp(), None, (".txt",))
    ([], None, None)
    """
    if not os.path.isdir(directory):
        raise ValueError(f"{where}: `directory` must be an existing directory; received "
                         f"{directory!r}.")
    if isinstance(labels, str):
        subdirs = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)) and not d.startswith("."))
        if class_names is not None:
            missing = [c for c in class_names if c not in subdirs]
            if missing:
                raise ValueError(f"{where}: `class_names` {list(class_names)} name "
                                 f"subdirectories that {directory!r} lacks: {missing}; it "
                                 f"has {subdirs}.")
            subdirs = list(class_names)
        paths, label_list = [], []
        for index, subdir in enumerate(subdirs):
            found = _files(os.path.join(directory, subdir), formats, follow_links)
            paths += found
            label_list += [index] * len(found)
        label_array, class_names = np.asarray(label_list, dtype="int32"), list(subdirs)
    else:
        if class_names is not None:
            raise ValueError(f"{where}: `class_names` can only be given with "
                             f"labels='inferred'; received labels={labels!r}.")
        paths = _files(directory, formats, follow_links)
        label_array = None
        if labels is not None:
            label_array = np.asarray(labels, dtype="int32")
            if label_array.shape != (len(paths),):
                raise ValueError(f"{where}: `labels` must have one label per file; received "
                                 f"{len(labels)} labels for {len(paths)} files in "
                                 f"{directory!r}.")
            class_names = [str(v) for v in sorted(set(label_array.tolist()))]
    if shuffle:
        order = np.random.RandomState(np.random.randint(1_000_000) if seed is None
                                      else seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        label_array = None if label_array is None else label_array[order]
    return paths, label_array, class_names


def check_arguments(where, labels, label_mode, validation_split, subset, shuffle, seed,
                    batch_size):
    """The checks of the directory functions' arguments, with errors naming them.

    >>> check_arguments("f", "inferred", "int", 0.2, "training", True, None, 32)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: f: with validation_split and shuffle=True, give `seed` so that ...
    """
    if not (labels is None or isinstance(labels, (list, tuple, np.ndarray))
            or (isinstance(labels, str) and labels == "inferred")):
        raise ValueError(f"{where}: `labels` must be 'inferred', None or a list of integer "
                         f"labels; received {labels!r}.")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{where}: `label_mode` must be one of {LABEL_MODES}; received "
                         f"{label_mode!r}.")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"{where}: `batch_size` must be None or an int >= 1; received "
                         f"{batch_size!r}.")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"{where}: `validation_split` must be strictly between 0 and 1; "
                         f"received {validation_split!r}.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{where}: `subset` must be 'training', 'validation', 'both' or None; "
                         f"received {subset!r}.")
    if bool(validation_split) != bool(subset):
        raise ValueError(f"{where}: `subset` and `validation_split` go together; received "
                         f"validation_split={validation_split!r}, subset={subset!r}.")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{where}: with validation_split and shuffle=True, give `seed` so that "
                         "the training and validation subsets do not overlap.")


def encode_labels(labels, label_mode, class_names, where):
    """Labels as ``int`` (int32), ``categorical`` (one-hot float32) or ``binary`` (float32
    column) arrays.

    >>> encode_labels(np.array([1, 0]), "categorical", ["a", "b"], "f").tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if label_mode == "binary":
        if len(class_names) != 2:
            raise ValueError(f"{where}: label_mode='binary' needs exactly 2 classes; found "
                             f"{len(class_names)}: {class_names}.")
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(len(class_names), dtype="float32")[labels]
    return labels.astype("int32")


def split_subsets(paths, labels, validation_split, subset, verbose):
    """``[(paths, labels)]`` for the subset(s) asked for: validation is the last
    ``validation_split`` fraction of the (shuffled) files, as in Keras.

    >>> split_subsets(list("abcd"), None, 0.25, "both", verbose=False)
    [(['a', 'b', 'c'], None), (['d'], None)]
    """
    if not validation_split:
        return [(paths, labels)]
    count = int(validation_split * len(paths))
    cut = len(paths) - count
    parts = {"training": (paths[:cut], None if labels is None else labels[:cut]),
             "validation": (paths[cut:], None if labels is None else labels[cut:])}
    names = ("training", "validation") if subset == "both" else (subset,)
    chosen = []
    for name in names:
        if verbose:
            print(f"Using {len(parts[name][0])} files for {name}.")
        chosen.append(parts[name])
    return chosen


def directory_datasets(where, directory, formats, load_file, labels, label_mode, class_names,
                       batch_size, shuffle, seed, validation_split, subset, follow_links,
                       verbose, kind="files"):
    """The dataset (or ``(training, validation)`` pair for ``subset="both"``) of the files
    of ``directory``: ``load_file(path)`` gives one sample's array, stacked in batches
    with the encoded labels.

    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> open(os.path.join(root, "a.txt"), "w").close()
    >>> data = directory_datasets("f", root, (".txt",), os.path.basename, None, "int", None,
    ...                           8, False, None, None, None, False, False)
    >>> data[0].tolist(), data.file_paths == [os.path.join(root, "a.txt")]
    (['a.txt'], True)
    """
    from lamina.utils.dataset_utils import Dataset

    check_arguments(where, labels, label_mode, validation_split, subset, shuffle, seed,
                    batch_size)
    if labels is None:
        label_mode = None
    paths, label_array, class_names = index_directory(
        directory, labels, formats, class_names, shuffle, seed, follow_links, where)
    if not paths:
        raise ValueError(f"{where}: no {kind} found in {directory!r}; the allowed file "
                         f"extensions are {formats}.")
    if verbose:
        print(f"Found {len(paths)} files" + ("." if label_mode is None else
                                             f" belonging to {len(class_names)} classes."))
    if label_mode is not None:
        label_array = encode_labels(label_array, label_mode, class_names, where)
    else:
        label_array = None
    datasets = []
    for part_paths, part_labels in split_subsets(paths, label_array, validation_split,
                                                    subset, verbose):
        def load(index, part_paths=part_paths, part_labels=part_labels):
            index = np.asarray(index)
            samples = np.stack([load_file(part_paths[i]) for i in index])
            return samples if part_labels is None else (samples, part_labels[index])

        datasets.append(Dataset(load, len(part_paths), batch_size=batch_size, shuffle=shuffle,
                                seed=seed, class_names=class_names, file_paths=part_paths))
    return tuple(datasets) if subset == "both" else datasets[0]
