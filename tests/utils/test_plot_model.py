"""plot_model: files in every format, layer names and edges in them, the options, and no
Graphviz needed (the layout is computed in Python, drawn with matplotlib).

The models are built once per module with few distinct weight shapes (JAX compiles each
initializer once per shape)."""

import re
import shutil

import pytest

from lamina import Input, Model, Sequential, layers, utils
from lamina import backend as K
from lamina.utils import graph_layout


class MyLayer(layers.Layer):
    """The article's two-input layer."""

    def __init__(self, output_dims):
        super().__init__()
        self.output_dims = output_dims

    def build(self, input_shape):
        dim1, dim2 = self.output_dims
        self.w1 = K.Variable(K.random_uniform(shape=[input_shape[0][-1], dim1]))
        self.b1 = K.Variable(K.random_uniform(shape=[dim1]))
        self.w2 = K.Variable(K.random_uniform(shape=[input_shape[1][-1], dim2]))
        self.b2 = K.Variable(K.random_uniform(shape=[dim2]))

    def call(self, x):
        x1, x2 = x
        return K.concatenate([K.dot(x1, self.w1) + self.b1, K.dot(x2, self.w2) + self.b2],
                             axis=-1)


@pytest.fixture(scope="module")
def two_branch():
    """The article's MyLayer model, small: reshape, two Dense branches, the merge, a head."""
    inp = Input([None, 4, 4], name="image")
    x = layers.Reshape(target_shape=[16], name="flat")(inp)
    x1 = layers.Dense(8, activation="relu", name="left")(x)
    x2 = layers.Dense(8, activation="relu", name="right")(x)
    y = MyLayer([8, 8])([x1, x2])
    y = layers.Dense(8, activation="softmax", name="head")(y)
    return Model(inp, y, name="two_branch")


@pytest.fixture(scope="module")
def nested(two_branch):
    x = Input((8,), name="feat")
    inner_in = Input((8,), name="inner_in")
    inner = Model(inner_in, layers.Dense(8, name="inner_dense")(inner_in), name="encoder")
    a = inner(x)
    b = layers.Dense(8, activation="tanh", name="side")(x)
    y = K.concatenate([a, b], axis=-1)
    y = layers.Dense(8, name="out")(y)
    return Model(x, y, name="outer")


def _text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("ext,header", [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg"),
                                         ("pdf", b"%PDF"), ("dot", b"digraph")])
def test_each_format_is_written(two_branch, tmp_path, ext, header):
    path = tmp_path / f"model.{ext}"
    result = utils.plot_model(two_branch, to_file=str(path), show_shapes=True, dpi=60)
    data = path.read_bytes()
    assert header in data[:400] if ext == "svg" else data.startswith(header)
    assert result.path == str(path) and result.format == ext
    if ext == "png":
        assert result._repr_png_() == data and result._repr_svg_() is None
    if ext == "svg":
        assert result._repr_svg_() == data.decode() and result._repr_png_() is None


def test_dot_has_every_layer_and_both_branches(two_branch, tmp_path):
    path = tmp_path / "m.dot"
    utils.plot_model(two_branch, to_file=str(path))
    text = _text(path)
    ids = dict(re.findall(r'(n\d+) \[label="([^\\"]+) \(', text))
    by_name = {name: key for key, name in ids.items()}
    assert set(by_name) == {layer.name for layer in two_branch.layers} | {"image"}
    edges = set(re.findall(r"(n\d+) -> (n\d+);", text))
    name = by_name.__getitem__
    merge = two_branch.layers[-2].name  # the MyLayer
    for a, b in [("image", "flat"), ("flat", "left"), ("flat", "right"), ("left", merge),
                 ("right", merge), (merge, "head")]:
        assert (name(a), name(b)) in edges
    assert len(edges) == 6


def test_svg_has_every_name_as_text(two_branch, tmp_path):
    path = tmp_path / "m.svg"
    utils.plot_model(two_branch, to_file=str(path), rankdir="LR")
    text = _text(path)
    names = re.findall(r"<text[^>]*>([^<]*)</text>", text)
    assert "image (InputLayer)" in names and "flat (Reshape)" in names
    for layer in two_branch.layers:
        assert f"{layer.name} ({type(layer).__name__})" in names


def test_options_put_details_in_the_boxes(two_branch, tmp_path):
    path = tmp_path / "m.dot"
    utils.plot_model(two_branch, to_file=str(path), show_shapes=True, show_dtype=True,
                     show_layer_activations=True, show_trainable=True)
    text = _text(path)
    assert "Shape: (None, None, 4, 4)" in text
    assert "Output shape: (None, 16)" in text
    assert "Input shape: [(None, 8), (None, 8)]" in text
    assert "dtype: float32" in text and "Activation: relu" in text
    assert "Activation: softmax" in text and "Trainable" in text
    utils.plot_model(two_branch, to_file=str(path))
    labels = " ".join(re.findall(r'label="([^"]*)"', _text(path)))
    assert "shape:" not in labels.lower() and "Activation" not in labels


def test_show_shapes_in_svg(two_branch, tmp_path):
    path = tmp_path / "m.svg"
    utils.plot_model(two_branch, to_file=str(path), show_shapes=True, show_layer_names=False,
                     dpi=60)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", _text(path))
    assert "(None, 16)" in texts and "Output shape" in texts
    for name in ("image", "flat", "left", "right", "head"):
        assert not any(name in t for t in texts)
    assert "Dense" in texts and "Reshape" in texts and "MyLayer" in texts


def test_hidden_names_in_dot(two_branch, tmp_path):
    path = tmp_path / "m.dot"
    utils.plot_model(two_branch, to_file=str(path), show_layer_names=False)
    labels = re.findall(r'label="([^"]*)"', _text(path))
    assert sorted(labels) == sorted(["InputLayer", "Reshape", "Dense", "Dense", "MyLayer",
                                     "Dense"])


def test_unknown_extension(two_branch, tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf, \.dot"):
        utils.plot_model(two_branch, to_file=str(tmp_path / "m.jpg"))
    with pytest.raises(ValueError, match="rankdir"):
        utils.plot_model(two_branch, to_file=str(tmp_path / "m.png"), rankdir="BT")


def test_works_without_graphviz(two_branch, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    path = tmp_path / "m.png"
    utils.plot_model(two_branch, to_file=str(path), dpi=40)
    assert path.read_bytes().startswith(b"\x89PNG")


def test_nested_expanded(nested, tmp_path):
    dot = tmp_path / "m.dot"
    utils.plot_model(nested, to_file=str(dot), expand_nested=True)
    text = _text(dot)
    assert 'subgraph "cluster_' in text and "inner_dense (Dense)" in text
    assert re.search(r"concatenate(_\d+)? \(KFunction\)", text)
    assert "lhead=" in text and "ltail=" in text
    utils.plot_model(nested, to_file=str(dot))
    assert "inner_dense" not in _text(dot) and "encoder (Functional)" in _text(dot)
    svg = tmp_path / "m.svg"
    utils.plot_model(nested, to_file=str(svg), expand_nested=True, show_shapes=True)
    text = _text(svg)
    for name in ("feat", "encoder", "inner_in", "inner_dense", "side", "out"):
        assert f">{name} (" in text
    assert re.search(r">concatenate(_\d+)? \(", text)


def test_sequential(tmp_path):
    model = Sequential([Input((8,), name="seq_in"), layers.Dense(8, name="hidden"),
                        layers.Dense(8, name="logits")], name="seq")
    path = tmp_path / "s.dot"
    utils.plot_model(model, to_file=str(path), show_shapes=True)
    text = _text(path)
    assert "hidden (Dense)" in text and "logits (Dense)" in text
    assert len(re.findall(r" -> ", text)) == 2


def test_layout_keeps_boxes_apart_and_edges_flowing():
    # the two-branch shape plus a long edge that must be routed around the middle rank
    sizes = [(120, 30), (100, 40), (80, 40), (80, 40), (140, 40), (60, 30)]
    edges = [(0, 1), (1, 2), (1, 3), (2, 4), (3, 4), (4, 5), (1, 5)]
    for rankdir in ("TB", "LR"):
        lay = graph_layout.layered_layout(sizes, edges, rankdir=rankdir)
        boxes = [lay.box(i) for i in range(len(sizes))]
        for i, a in enumerate(boxes):
            assert a[0] >= -1e-6 and a[1] >= -1e-6
            assert a[2] <= lay.width + 1e-6 and a[3] <= lay.height + 1e-6
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        axis = 1 if rankdir == "TB" else 0
        for (u, v), pts in lay.routes.items():
            assert all(p[axis] <= q[axis] + 1e-6 for p, q in zip(pts, pts[1:]))
            # the long edge's waypoints stay clear of the boxes of the ranks it crosses
            for p in pts[1:-1]:
                for x0, y0, x1, y1 in boxes:
                    inside = (x0 < p[0] < x1) and (y0 < p[1] < y1)
                    assert not inside
        assert lay.ranks == [0, 1, 2, 2, 3, 4]
