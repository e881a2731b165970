"""model.summary() never runs a column into the next: long layer names, long class
names and long connection lists are cut with an ellipsis at their column's width, and
every column starts where its header starts, after a space."""

import pytest

from lamina import Input, Model, layers


class AVeryLongCustomLayerClassNameIndeed(layers.Layer):
    def call(self, inputs):
        return inputs


def lines_of(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def rows_and_columns(lines, headers):
    header = lines[2]
    starts = [header.index(name) for name in headers]
    rows = [line for line in lines[4:] if line.startswith(" ") and line.strip()
            and not line.startswith(("Total", "Trainable", "Non-trainable"))]
    return rows, starts


def assert_columns_separate(rows, starts):
    for row in rows:
        for start in starts:
            if start >= len(row):   # an input's empty "Connected to"
                continue
            assert row[start - 1] == " " and row[start] != " ", (row, start)


@pytest.mark.parametrize("kwargs", [{}, {"show_trainable": True}, {"line_length": 80}])
def test_long_layer_and_class_names_are_cut_at_the_column(kwargs):
    x = Input((4,), name="x")
    h = layers.Dense(2, name="a_really_quite_long_dense_layer_name")(x)
    y = AVeryLongCustomLayerClassNameIndeed(name="custom_block_with_a_long_name")(h)
    lines = lines_of(Model(x, y, name="long"), **kwargs)
    width = len(lines[1])
    assert all(len(line) <= width for line in lines)
    rows, starts = rows_and_columns(lines, ["Output Shape", "Param #"])
    assert_columns_separate(rows, starts)
    dense = next(row for row in rows if row.startswith(" a_really"))
    custom = next(row for row in rows if row.startswith(" custom_bl"))
    assert "… (Dense)" in dense and "(None, 2)" in dense
    assert "… (AVeryLong" in custom and custom[:starts[0]].rstrip().endswith("…)")


def test_long_connections_are_cut_and_columns_stay_apart_in_a_graph():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    long_a = layers.Dense(2, name="first_branch_with_a_very_long_name")(a)
    long_b = layers.Dense(2, name="second_branch_with_a_very_long_name")(b)
    joined = layers.Concatenate(name="joined_with_an_equally_long_layer_name")([long_a, long_b])
    lines = lines_of(Model([a, b], joined))
    assert all(len(line) <= len(lines[1]) for line in lines)
    rows, starts = rows_and_columns(lines, ["Output Shape", "Param #", "Connected to"])
    assert_columns_separate(rows, starts)
    joined_row = next(row for row in rows if row.startswith(" joined"))
    assert joined_row.endswith("…") and joined_row[starts[2]:].startswith("first_branch")
