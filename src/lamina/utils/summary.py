"""``model.summary()``: the Keras table of layers, output shapes and parameter counts.

>>> from lamina import layers, Model, Input
>>> x = Input((4,), name="x")
>>> model = Model(x, layers.Dense(2, name="out")(x), name="tiny")
>>> model.summary(line_length=60)
Model: "tiny"
____________________________________________________________
 Layer (type)              Output Shape         Param #
============================================================
 x (InputLayer)            (None, 4)            0
____________________________________________________________
 out (Dense)               (None, 2)            10
============================================================
Total params: 10 (40.00 B)
Trainable params: 10 (40.00 B)
Non-trainable params: 0 (0.00 B)
____________________________________________________________
"""

import numpy as np

from lamina.utils.model_graph import layer_rows, shape_text


def readable_size(num_bytes):
    """Bytes in the unit that reads best (1024-based), two decimals.

    >>> readable_size(1774840), readable_size(400)
    ('1.69 MB', '400.00 B')
    """
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1024 or unit == "GB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024


def _weight_bytes(weights):
    return sum(int(np.prod(w.shape)) * np.dtype(_numpy_dtype(w.dtype)).itemsize for w in weights)


def _numpy_dtype(name):
    return "float16" if name == "bfloat16" else name


def _is_chain(rows):
    consumers = {}
    for row in rows:
        if len(row.inbound) > 1:
            return False
        for name in row.inbound:
            consumers[name] = consumers.get(name, 0) + 1
    return all(count <= 1 for count in consumers.values())


def _layer_cell(name, class_name, width):
    """``name (Class)`` in at most ``width`` characters: a long name is cut first, and
    when the class alone takes more than half the room, both are cut (with an ellipsis),
    so that the class stays recognisable.

    >>> _layer_cell("a_quite_long_dense_name", "Dense", 20)
    'a_quite_lon… (Dense)'
    >>> _layer_cell("encoder_block", "TransformerEncoderBlock", 24)
    'encoder_b… (Transforme…)'
    """
    cell = f"{name} ({class_name})"
    room = width - 3                                    # " (" and ")"
    if len(cell) <= width or room < 4:
        return _cut(cell, width)
    name_room = max(room - len(class_name), min(len(name), room // 2))
    return f"{_cut(name, name_room)} ({_cut(class_name, room - name_room)})"


def _cut(cell, width):
    return cell if len(cell) <= width else cell[:max(width - 1, 0)] + "…"


def _cells(row, show_connections, show_trainable, positions):
    cells = [_layer_cell(row.name, row.class_name, positions[0] - 2),
             shape_text(row.output_shapes), f"{row.params:,}"]
    if show_connections:
        cells.append(", ".join(row.inbound))
    if show_trainable:
        cells.append("Y" if row.trainable else "N")
    return cells


def _line(cells, positions):
    """The cells at their columns; each is cut to leave a space before the next column
    (the first column also starts with one), so no cell runs into the next."""
    text, start = "", 0
    for i, (cell, end) in enumerate(zip(cells, positions)):
        last = i == len(positions) - 1
        room = end - start - (1 if start == 0 else 0) - (0 if last else 1)
        piece = (" " if start == 0 else "") + _cut(cell, room)
        text = (text + piece).ljust(end)
        start = end
    return text.rstrip()


def _rows_lines(rows, positions, show_connections, show_trainable, line_length, indent=""):
    lines = []
    for i, row in enumerate(rows):
        lines.append(indent + _line(_cells(row, show_connections, show_trainable, positions),
                                     positions))
        if row.nested:
            lines.append(indent + "|" + "¯" * (line_length - 2 - len(indent)) + "|")
            lines.extend(_rows_lines(row.nested, positions, show_connections, show_trainable,
                                     line_length, indent + "| "))
            lines.append(indent + "¯" * (line_length - len(indent)))
        if i < len(rows) - 1:
            lines.append("_" * line_length)
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False):
    """Print ``model``'s summary with ``print_fn`` (default ``print``); see ``Model.summary``."""
    if not model.built and not getattr(model, "_tensors", None):
        raise ValueError(f"Model {model.name!r} has not been built yet: call it on data, or "
                         "give the first layer an input_shape, before summary().")
    rows = layer_rows(model, expand_nested=expand_nested)
    show_connections = not _is_chain(rows)
    headers = ["Layer (type)", "Output Shape", "Param #"]
    if show_connections:
        headers.append("Connected to")
    if show_trainable:
        headers.append("Trainable")
    line_length = line_length or (98 if show_connections else 65) + (11 if show_trainable else 0)
    if positions is None:
        positions = [0.45, 0.80, 1.0] if not show_connections else [0.33, 0.55, 0.67, 1.0]
        if show_trainable:
            positions = [p * (line_length - 11) / line_length for p in positions] + [1.0]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    positions = list(positions)[:len(headers)]
    weights = model.weights
    trainable = model.trainable_weights
    trainable_ids = {id(w) for w in trainable}
    non_trainable = [w for w in weights if id(w) not in trainable_ids]
    count = lambda ws: sum(int(np.prod(w.shape)) for w in ws)  # noqa: E731
    lines = [f'Model: "{model.name}"', "_" * line_length, _line(headers, positions),
             "=" * line_length]
    lines += _rows_lines(rows, positions, show_connections, show_trainable, line_length)
    lines += ["=" * line_length,
              f"Total params: {count(weights):,} ({readable_size(_weight_bytes(weights))})",
              f"Trainable params: {count(trainable):,} "
              f"({readable_size(_weight_bytes(trainable))})",
              f"Non-trainable params: {count(non_trainable):,} "
              f"({readable_size(_weight_bytes(non_trainable))})",
              "_" * line_length]
    emit = print_fn or print
    for line in lines:
        emit(line)
