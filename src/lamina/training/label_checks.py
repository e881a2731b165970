"""The range check of integer class labels that ``fit`` and ``evaluate`` run on the
host before the first step.

A sparse loss or metric (``sparse_categorical_crossentropy``,
``sparse_categorical_accuracy``, ``sparse_top_k_categorical_accuracy``, as functions,
names or classes) reads a label as an index into its output's last axis. A label
outside ``[0, classes)`` gives no error inside a compiled step: the loss takes a
score of 0 or of another class. So the labels are checked here, on the host: array
data once per call (all of it), a generator's batches one by one as they come (the
labels a generator yields on an accelerator are left unchecked, since reading them
would wait for the device at every batch).

>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((2,)); model = Model(x, layers.Dense(3, activation="softmax", name="probs")(x))
>>> model.compile(loss="sparse_categorical_crossentropy")
>>> model.evaluate(np.ones((2, 2)), np.array([0, 3]), verbose=0)
Traceback (most recent call last):
  ...
ValueError: evaluate: sparse_categorical_crossentropy read the labels (y) of output 'probs' as indices of its 3 classes (0 to 2); the labels hold values from 0 to 3: 1 of 2 are out of range. Such labels would give a loss of 0 and wrong metrics without an error.
"""

import weakref

import numpy as np

from lamina import backend as K
from lamina.training import data_adapters

_checked = weakref.WeakSet()  # the array adapters whose labels passed, once per call


def _sparse_functions():
    from lamina import losses, metrics
    return {losses.sparse_categorical_crossentropy, metrics.sparse_categorical_crossentropy,
            metrics.sparse_categorical_accuracy, metrics.sparse_top_k_categorical_accuracy}


def _sparse_use(obj, functions):
    """``(name, axis, ignore_class)`` when the loss or metric ``obj`` reads integer
    class labels whose classes lie along ``axis`` of the output, else None."""
    fn = getattr(obj, "fn", None) or getattr(obj, "_fn", None)
    if fn not in functions:
        return None
    kwargs = getattr(obj, "_fn_kwargs", {})
    if kwargs.get("from_sorted_ids"):
        return None  # y_pred holds class ids: its size is no class count
    return getattr(obj, "name", None) or fn.__name__, kwargs.get("axis", -1), \
        kwargs.get("ignore_class")


def _rules(model, batch):
    """``{output index: (output name, classes, ignore_classes, [users])}`` for the
    outputs whose labels a sparse loss or metric reads, given that the step for
    batches like ``batch`` is prepared."""
    if model._custom_steps:
        return {}  # a train_step or test_step of its own may use y in its own way
    x, y, sample_weight = data_adapters.unpack_x_y_sample_weight(batch)
    if y is None:
        return {}
    outputs = model._training_graph(x, y, sample_weight).outputs
    names = model._output_names()
    functions = _sparse_functions()
    users = [(i, loss) for i, (loss, _) in enumerate(model._compiled_loss.objects(names))]
    users += [(i, metric) for i, metric, _, _ in model._compiled_metrics.per_output or ()]
    rules = {}
    for i, obj in users:
        use = _sparse_use(obj, functions)
        if use is None:
            continue
        name, axis, ignore = use
        shape = outputs[i].shape
        classes = shape[axis] if shape else None
        if classes is None:
            continue
        _, _, ignored, used_by = rules.setdefault(i, (names[i], classes, set(), []))
        if ignore is not None:
            ignored.add(int(ignore))
        used_by.append(name)
    return rules


def _host_values(array, any_device):
    """``array`` as a NumPy array when it is on the host (or ``any_device``), else None."""
    if array is None:
        return None
    if isinstance(array, np.ndarray):
        return array
    if any_device:
        return K.convert_to_numpy(array)
    if callable(getattr(array, "devices", None)):  # a JAX array
        on_host = all(d.platform == "cpu" for d in array.devices())
    else:  # a torch tensor
        on_host = getattr(getattr(array, "device", None), "type", "cpu") == "cpu"
    return K.convert_to_numpy(array) if on_host else None


def check_labels(rules, flat_y, where, any_device=True, batch=None):
    """Raise a ValueError naming the output, the labels' range and the number of
    classes when a label of ``flat_y`` (one array per output) lies outside its
    output's classes (values in ``ignore_class`` excepted).

    >>> check_labels({0: ("probs", 3, set(), ["sparse_categorical_accuracy"])},
    ...              [np.array([2, -1])], "fit")
    Traceback (most recent call last):
      ...
    ValueError: fit: sparse_categorical_accuracy read the labels (y) of output 'probs' as indices of its 3 classes (0 to 2); the labels hold values from -1 to 2: 1 of 2 are out of range. Such labels would give a loss of 0 and wrong metrics without an error.
    """
    for i, (name, classes, ignored, users) in rules.items():
        labels = _host_values(flat_y[i], any_device)
        if labels is None or labels.size == 0:
            continue
        labels = labels.reshape(-1)
        kept = labels[~np.isin(labels, list(ignored))] if ignored else labels
        bad = np.count_nonzero((kept < 0) | (kept >= classes))
        if not bad:
            continue
        found = f"{_number(kept.min())} to {_number(kept.max())}"
        ignoring = f" (ignore_class {sorted(ignored)} left aside)" if ignored else ""
        place = "" if batch is None else f" in batch {batch}"
        raise ValueError(
            f"{where}: {' and '.join(users)} read the labels (y) of output {name!r} as "
            f"indices of its {classes} classes (0 to {classes - 1}); the labels{place} hold "
            f"values from {found}{ignoring}: {bad} of {labels.size} are out of range. Such "
            "labels would give a loss of 0 and wrong metrics without an error.")


def _number(value):
    value = value.item()
    return int(value) if float(value).is_integer() else value


def checked(model, kind, adapter, batches, where):
    """``batches`` (of ``adapter``, for the ``kind`` ``"train"`` or ``"test"`` step),
    their labels checked by :func:`check_labels` before the step runs on them: array
    data all at once on the first batch of the call, other data batch by batch."""
    iterator = iter(batches)
    if adapter in _checked:
        yield from iterator
        return
    for count, batch in enumerate(iterator):
        if count == 0:
            model._steps().get(kind) or model._step_function(kind, batch)
            rules = _rules(model, batch)
            if rules and isinstance(adapter, data_adapters.ArrayAdapter):
                check_labels(rules, model._flat_targets(adapter.data[1], "y"), where)
            if isinstance(adapter, data_adapters.ArrayAdapter):
                _checked.add(adapter)
            if not rules or adapter in _checked:
                yield batch
                yield from iterator
                return
        y = data_adapters.unpack_x_y_sample_weight(batch)[1]
        check_labels(rules, model._flat_targets(y, "y"), where, any_device=False, batch=count)
        yield batch
