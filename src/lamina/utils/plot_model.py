"""``plot_model``: a picture of a model's layer graph, drawn in pure Python.

No Graphviz program is needed: the layers are placed by ``graph_layout.layered_layout`` (a
Sugiyama-style layered layout) and drawn with matplotlib's Agg/SVG/PDF backends, headless, no
pyplot. The ``.dot`` output is written by this module too (no pydot), for those who want to run
Graphviz on it themselves.

>>> import os, tempfile
>>> from lamina import layers, Model, Input
>>> x = Input((4,), name="x")
>>> model = Model(x, layers.Dense(2, activation="relu", name="out")(x), name="tiny")
>>> path = os.path.join(tempfile.mkdtemp(), "tiny.dot")
>>> plot_model(model, path, show_shapes=True, show_layer_activations=True)  # doctest: +ELLIPSIS
ModelPlot('...tiny.dot')
>>> print(open(path).read())  # doctest: +NORMALIZE_WHITESPACE
digraph "tiny" {
  graph [rankdir=TB, dpi=200, compound=true, nodesep=0.4, ranksep=0.45];
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];
  node [fillcolor="#e8eef8", color="#4a6fa5"];
  edge [color="#555555", arrowsize=0.7];
  n0 [label="x (InputLayer)\\nShape: (None, 4)", fillcolor="#e3f2e1", color="#5b8c5a"];
  n1 [label="out (Dense)\\nInput shape: (None, 4)\\nOutput shape: (None, 2)\\nActivation: relu"];
  n0 -> n1;
}
"""

import os
from dataclasses import dataclass, field

from lamina.utils.graph_layout import edge_path, layered_layout
from lamina.utils.model_graph import layer_rows, shape_text

FORMATS = ("png", "svg", "pdf", "dot")

# points (1/72 inch)
_HEADER_SIZE = 10.0
_BODY_SIZE = 8.5
_PAD_X, _PAD_Y = 10.0, 6.0
_LINE = 1.32
_SEP = 5.0          # space around the rule under the header
_COL_GAP = 6.0
_CLUSTER_PAD = 12.0
_MARGIN = 12.0

_STYLE = {  # kind: (fill, edge)
    "input": ("#e3f2e1", "#5b8c5a"),
    "function": ("#fff4d6", "#b58b2a"),
    "layer": ("#e8eef8", "#4a6fa5"),
    "model": ("#efe6f7", "#7a5a9e"),
    "frozen": ("#eeeeee", "#8a8a8a"),
    "cluster": ("#f8f8fb", "#8a8aa0"),
}
_ARROW = "#555555"
_LABEL_GREY = "#5a5a5a"


class ModelPlot:
    """What ``plot_model`` returns: the written file, shown inline by Jupyter (PNG or SVG)."""

    def __init__(self, path, fmt):
        self.path, self.format = str(path), fmt

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return f"ModelPlot({self.path!r})"

    def _read(self, mode="rb"):
        with open(self.path, mode) as f:
            return f.read()

    def _repr_png_(self):
        return self._read() if self.format == "png" else None

    def _repr_svg_(self):
        return self._read("r") if self.format == "svg" else None

    def _repr_pdf_(self):
        return self._read() if self.format == "pdf" else None


@dataclass
class _Node:
    key: str            # unique id (dot node id)
    name: str
    header: str
    table: list         # [(label, value)]
    kind: str
    inner: object = None  # a _Graph for an expanded nested model
    size: tuple = (0.0, 0.0)
    header_size: tuple = (0.0, 0.0)
    label_width: float = 0.0
    value_width: float = 0.0


@dataclass
class _Graph:
    nodes: list
    edges: list         # [(u, v)] indices into nodes
    layout: object = None
    consumers: dict = field(default_factory=dict)


def _kind(row, show_trainable):
    if show_trainable and not row.trainable:
        return "frozen"
    if row.class_name == "InputLayer":
        return "input"
    if row.class_name == "KFunction":
        return "function"
    if hasattr(row.layer, "_nodes") or hasattr(row.layer, "_functional"):
        return "model"
    return "layer"


def _table(row, opts):
    table = []
    if opts["show_shapes"]:
        if row.class_name == "InputLayer":
            table.append(("Shape", shape_text(row.output_shapes)))
        else:
            if row.input_shapes:
                table.append(("Input shape", shape_text(row.input_shapes)))
            table.append(("Output shape", shape_text(row.output_shapes)))
    if opts["show_dtype"]:
        table.append(("dtype", str(row.dtype)))
    if opts["show_layer_activations"] and row.activation:
        table.append(("Activation", row.activation))
    if opts["show_trainable"]:
        table.append(("Trainable", "\u2713 yes" if row.trainable else "\u2717 no"))
    return table


def _build_graph(rows, opts, prefix="n"):
    nodes, index = [], {}
    for i, row in enumerate(rows):
        key = f"{prefix}{i}"
        header = f"{row.name} ({row.class_name})" if opts["show_layer_names"] else row.class_name
        node = _Node(key, row.name, header, _table(row, opts), _kind(row, opts["show_trainable"]))
        if row.nested:
            node.inner = _build_graph(row.nested, opts, prefix=f"{key}_")
            node.kind = "cluster"
        index[row.name] = i
        nodes.append(node)
    edges = [(index[src], i) for i, row in enumerate(rows) for src in row.inbound if src in index]
    graph = _Graph(nodes, edges)
    for u, v in edges:
        graph.consumers.setdefault(u, []).append(v)
    return graph


# ---------------------------------------------------------------- .dot text


def _dot_escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_label(node):
    lines = [node.header] + [f"{label}: {value}" for label, value in node.table]
    return "\\n".join(_dot_escape(line) for line in lines)


def _entry(graph, i):
    """The dot node an edge into node ``i`` points at (a nested model: its first source)."""
    node = graph.nodes[i]
    if node.inner is None:
        return node.key
    inner = node.inner
    sources = [j for j in range(len(inner.nodes)) if all(v != j for _, v in inner.edges)]
    return _entry(inner, sources[0] if sources else 0)


def _exit(graph, i):
    node = graph.nodes[i]
    if node.inner is None:
        return node.key
    inner = node.inner
    sinks = [j for j in range(len(inner.nodes)) if j not in inner.consumers]
    return _exit(inner, sinks[-1] if sinks else len(inner.nodes) - 1)


def _dot_body(graph, indent):
    lines = []
    for node in graph.nodes:
        if node.inner is not None:
            fill, edge = _STYLE["cluster"]
            lines.append(f'{indent}subgraph "cluster_{node.key}" {{')
            lines.append(f'{indent}  label="{_dot_label(node)}"; style="dashed,rounded,filled"; '
                         f'fillcolor="{fill}"; color="{edge}"; fontname="Helvetica"; '
                         f'fontsize=10;')
            lines += _dot_body(node.inner, indent + "  ")
            lines.append(f"{indent}}}")
            continue
        attrs = f'label="{_dot_label(node)}"'
        if node.kind != "layer":
            fill, edge = _STYLE[node.kind]
            attrs += f', fillcolor="{fill}", color="{edge}"'
        lines.append(f"{indent}{node.key} [{attrs}];")
    for u, v in graph.edges:
        attrs = []
        if graph.nodes[u].inner is not None:
            attrs.append(f'ltail="cluster_{graph.nodes[u].key}"')
        if graph.nodes[v].inner is not None:
            attrs.append(f'lhead="cluster_{graph.nodes[v].key}"')
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"{indent}{_exit(graph, u)} -> {_entry(graph, v)}{tail};")
    return lines


def model_to_dot_text(graph, name, rankdir, dpi):
    """The Graphviz source of a built ``_Graph``."""
    fill, edge = _STYLE["layer"]
    lines = [f'digraph "{_dot_escape(name)}" {{',
             f"  graph [rankdir={rankdir}, dpi={dpi}, compound=true, nodesep=0.4, "
             f"ranksep=0.45];",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             f'  node [fillcolor="{fill}", color="{edge}"];',
             f'  edge [color="{_ARROW}", arrowsize=0.7];']
    lines += _dot_body(graph, "  ")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- measuring and layout


class _Measurer:
    def __init__(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties
        self._renderer = FigureCanvasAgg(Figure(dpi=72)).get_renderer()
        self._props = {bold: FontProperties(size=_HEADER_SIZE if bold else _BODY_SIZE,
                                            weight="bold" if bold else "normal")
                       for bold in (True, False)}
        self._cache = {}

    def width(self, text, bold=False):
        key = (text, bold)
        if key not in self._cache:
            w, _, _ = self._renderer.get_text_width_height_descent(text, self._props[bold],
                                                                   ismath=False)
            self._cache[key] = float(w)
        return self._cache[key]


def _measure(graph, measurer, rankdir):
    header_h = _HEADER_SIZE * _LINE
    body_h = _BODY_SIZE * _LINE
    for node in graph.nodes:
        head_w = measurer.width(node.header, bold=True)
        node.header_size = (head_w, header_h)
        node.label_width = max((measurer.width(lab) for lab, _ in node.table), default=0.0)
        node.value_width = max((measurer.width(val) for _, val in node.table), default=0.0)
        table_w = node.label_width + _COL_GAP + node.value_width if node.table else 0.0
        table_h = len(node.table) * body_h + (2 * _SEP if node.table else 0.0)
        if node.inner is not None:
            _measure(node.inner, measurer, rankdir)
            _layout(node.inner, rankdir)
            lay = node.inner.layout
            w = max(head_w, table_w, lay.width) + 2 * _CLUSTER_PAD
            h = header_h + table_h + lay.height + _CLUSTER_PAD * 2 + _SEP
        else:
            w = max(head_w, table_w) + 2 * _PAD_X
            h = header_h + table_h + 2 * _PAD_Y
        node.size = (w, h)


def _layout(graph, rankdir):
    graph.layout = layered_layout([n.size for n in graph.nodes], graph.edges, rankdir=rankdir)


# ---------------------------------------------------------------- drawing


def _draw_text_block(ax, node, x0, y0, w):
    """Header (and the table under a rule) of ``node`` whose box starts at (x0, y0)."""
    cx = x0 + w / 2
    header_h = node.header_size[1]
    ax.text(cx, y0 + header_h / 2, node.header, ha="center", va="center",
            fontsize=_HEADER_SIZE, fontweight="bold", color="#1a1a1a", parse_math=False)
    y = y0 + header_h
    if not node.table:
        return y
    y += _SEP
    ax.plot([x0 + 6, x0 + w - 6], [y - _SEP / 2, y - _SEP / 2], color="#b8b8c8", lw=0.6)
    table_w = node.label_width + _COL_GAP + node.value_width
    split = cx - table_w / 2 + node.label_width
    body_h = _BODY_SIZE * _LINE
    for label, value in node.table:
        ym = y + body_h / 2
        ax.text(split, ym, label, ha="right", va="center", fontsize=_BODY_SIZE,
                color=_LABEL_GREY, parse_math=False)
        ax.text(split + _COL_GAP, ym, value, ha="left", va="center", fontsize=_BODY_SIZE,
                color="#1a1a1a", parse_math=False)
        y += body_h
    return y + _SEP


def _draw_graph(ax, graph, ox, oy):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path
    lay = graph.layout
    for i, node in enumerate(graph.nodes):
        x0, y0, x1, y1 = lay.box(i)
        x0, y0, x1, y1 = x0 + ox, y0 + oy, x1 + ox, y1 + oy
        w, h = x1 - x0, y1 - y0
        fill, edge = _STYLE[node.kind]
        radius = 8.0 if node.kind == "function" else 4.0
        ax.add_patch(FancyBboxPatch((x0, y0), w, h, boxstyle=f"round,pad=0,rounding_size={radius}",
                                    facecolor=fill, edgecolor=edge, lw=1.0 if node.inner is None
                                    else 0.9, ls="-" if node.inner is None else (0, (4, 3)),
                                    zorder=1))
        if node.inner is None:
            ty = y0 + _PAD_Y
            _draw_text_block(ax, node, x0, ty, w)
        else:
            bottom = _draw_text_block(ax, node, x0, y0 + _CLUSTER_PAD / 2, w)
            inner = node.inner.layout
            _draw_graph(ax, node.inner, x0 + (w - inner.width) / 2,
                        bottom + _SEP + _CLUSTER_PAD / 2)
    for (u, v), points in lay.routes.items():
        pts = [(px + ox, py + oy) for px, py in points]
        verts, codes = edge_path(pts, lay.rankdir)
        ax.add_patch(FancyArrowPatch(path=Path(verts, codes), arrowstyle="-|>,head_length=0.55,"
                                     "head_width=0.28", mutation_scale=12, color=_ARROW, lw=1.1,
                                     shrinkA=0, shrinkB=0, zorder=2))


def _render(graph, path, fmt, dpi):
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    lay = graph.layout
    width, height = lay.width + 2 * _MARGIN, lay.height + 2 * _MARGIN
    fig = Figure(figsize=(width / 72, height / 72), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    _draw_graph(ax, graph, _MARGIN, _MARGIN)
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 3}):
        fig.savefig(path, format=fmt, dpi=dpi, facecolor="white")


# ---------------------------------------------------------------- the API


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False):
    """Draw ``model``'s layer graph into ``to_file`` (``.png``, ``.svg``, ``.pdf`` or ``.dot``,
    by its extension) and return a ``ModelPlot`` that Jupyter shows inline.

    Every box shows the layer's name (unless ``show_layer_names=False``) and class; optionally
    its input and output shapes, dtype, activation and whether it is trainable. Arrows go from
    each layer to the layers that consume its output; ``rankdir`` "TB" draws top to bottom, "LR"
    left to right; ``expand_nested`` draws nested models as boxes holding their own graph.
    Works without the Graphviz program (the layout is computed in Python)."""
    fmt = os.path.splitext(str(to_file))[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"plot_model: cannot write {str(to_file)!r}: unsupported file extension "
                         f"{('.' + fmt) if fmt else '(none)'}; supported: "
                         f"{', '.join('.' + f for f in FORMATS)}")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    if not model.built and not getattr(model, "_tensors", None):
        raise ValueError(f"Model {model.name!r} has not been built yet: call it on data, or "
                         "give the first layer an input_shape, before plot_model().")
    opts = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, show_layer_activations=show_layer_activations,
                show_trainable=show_trainable)
    graph = _build_graph(layer_rows(model, expand_nested=expand_nested), opts)
    directory = os.path.dirname(os.path.abspath(str(to_file)))
    os.makedirs(directory, exist_ok=True)
    if fmt == "dot":
        with open(to_file, "w", encoding="utf-8") as f:
            f.write(model_to_dot_text(graph, model.name, rankdir, dpi))
    else:
        _measure(graph, _Measurer(), rankdir)
        _layout(graph, rankdir)
        _render(graph, to_file, fmt, dpi)
    return ModelPlot(to_file, fmt)
