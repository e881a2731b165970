"""model.summary(): the table, its options, nested models."""

import pytest

from lamina import Input, Model, Sequential, layers
from lamina import backend as K


def lines_of(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def chain_model():
    x = Input((4,), name="features")
    h = layers.Dense(3, name="hidden")(x)
    return Model(x, layers.Dense(2, name="head", trainable=False)(h), name="chain")


def test_table_rows_and_totals():
    lines = lines_of(chain_model())
    assert lines[0] == 'Model: "chain"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    rows = [line for line in lines if line.startswith(" ") and "(" in line][1:]
    assert [row.split()[0] for row in rows] == ["features", "hidden", "head"]
    assert "(None, 3)" in rows[1] and rows[1].rstrip().endswith("15")
    assert "Total params: 23 (92.00 B)" in lines
    assert "Trainable params: 15 (60.00 B)" in lines
    assert "Non-trainable params: 8 (32.00 B)" in lines
    assert all(len(line) <= 65 for line in lines)


def test_show_trainable_adds_a_column():
    lines = lines_of(chain_model(), show_trainable=True)
    assert "Trainable" in lines[2]
    head = next(line for line in lines if line.startswith(" head"))
    hidden = next(line for line in lines if line.startswith(" hidden"))
    assert head.rstrip().endswith("N") and hidden.rstrip().endswith("Y")


def test_line_length_and_positions_and_print_fn():
    lines = lines_of(chain_model(), line_length=80, positions=[0.5, 0.8, 1.0])
    assert lines[1] == "_" * 80
    assert lines[2].index("Output Shape") == 40


def test_branching_graph_has_connected_to_column():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    model = Model([a, b], layers.Add(name="sum")([layers.Dense(2, name="da")(a), b]))
    lines = lines_of(model)
    assert "Connected to" in lines[2]
    row = next(line for line in lines if line.startswith(" sum"))
    assert row.rstrip().endswith("da, b")


def test_nested_model_expands_when_asked():
    x = Input((3,))
    inner = Model(x, layers.Dense(2, name="inner_dense")(x), name="inner")
    y = Input((3,))
    outer = Model(y, layers.Dense(1, name="outer_dense")(inner(y)))
    collapsed = lines_of(outer)
    expanded = lines_of(outer, expand_nested=True)
    assert not any("inner_dense" in line for line in collapsed)
    assert any("inner (Functional)" in line for line in collapsed)
    assert any("inner_dense (Dense)" in line for line in expanded)


def test_sequential_and_subclassed_summaries():
    seq = Sequential([Input((5,)), layers.Dense(2)], name="seq")
    assert "Total params: 12 (48.00 B)" in lines_of(seq)

    class Sub(Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d = layers.Dense(3)

        def call(self, inputs):
            return self.d(inputs)

    sub = Sub()
    with pytest.raises(ValueError, match="has not been built yet"):
        sub.summary()
    sub(K.ones((1, 2)))
    assert "Total params: 9 (36.00 B)" in lines_of(sub)
