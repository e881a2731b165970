"""What EarlyStopping and ReduceLROnPlateau share: checking their arguments and
deciding whether a monitored value improves by going down or up.

>>> improves("EarlyStopping", "val_accuracy", "auto")
'up'
"""

import math

from lamina._arguments import is_int, is_number

_MODES = ("auto", "min", "max")
_UP = ("acc", "auc", "precision", "recall", "f1_score", "fbeta_score", "iou", "r2_score",
       "true_positives", "true_negatives", "sensitivity", "specificity")
_DOWN = ("loss", "error", "crossentropy", "hinge", "divergence", "poisson", "cosh",
         "false_positives", "false_negatives", "mse", "mae", "mape", "msle")


def check_count(owner, name, value):
    """``value`` if it is an int >= 0 (a patience, a number of epochs), else a ValueError.

    >>> check_count("EarlyStopping", "patience", 3)
    3
    """
    if not is_int(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be an int >= 0. Received {name}={value!r}.")
    return value


def check_number(owner, name, value):
    """``value`` if it is a number (not NaN), else a ValueError.

    >>> check_number("EarlyStopping", "baseline", 0.5)
    0.5
    """
    if not is_number(value) or math.isnan(value):
        raise ValueError(f"{owner}: {name} must be a number. Received {name}={value!r}.")
    return value


def check_mode(owner, mode):
    """``mode`` if it is one of 'auto', 'min', 'max', else a ValueError naming ``owner``.

    >>> check_mode("EarlyStopping", "max")
    'max'
    """
    if mode not in _MODES:
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max'. Received mode={mode!r}.")
    return mode


def improves(owner, monitor, mode):
    """``'down'`` or ``'up'``: the direction in which ``monitor`` gets better.

    ``mode='auto'`` decides from the name (``val_`` removed): losses and errors go
    down, accuracies, AUC, precision, recall go up; other names need an explicit mode.

    >>> improves("EarlyStopping", "val_loss", "auto"), improves("EarlyStopping", "score", "max")
    ('down', 'up')
    """
    if mode == "min":
        return "down"
    if mode == "max":
        return "up"
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if any(part in name for part in _DOWN):
        return "down"
    if any(part in name for part in _UP):
        return "up"
    raise ValueError(f"{owner}: cannot tell whether monitor={monitor!r} improves by going down "
                     "or up. Pass mode='min' (lower is better) or mode='max' (higher is "
                     "better).")
