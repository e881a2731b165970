"""A layered (Sugiyama-style) layout of a directed acyclic graph, in pure Python.

``plot_model`` uses it to place a model's layers without the Graphviz program. The steps:

1. ranks: each node's rank is its longest path from a source (a node with no inbound edge);
2. edges spanning several ranks get one dummy node per rank they cross, so they are routed
   through the gaps between boxes instead of across them;
3. order within each rank: barycenter sweeps (down, then up), keeping the order with the
   fewest crossings;
4. coordinates: ranks are stacked along the rank axis; across it, each node is pulled towards
   the mean of its neighbours and the overlaps are removed exactly with a weighted isotonic
   regression (pool-adjacent-violators), sweep after sweep;
5. edges: a start port on the source's far side, waypoints through dummies, an end port on the
   consumer's near side (ports spread when a node has several edges on one side).

Coordinates are screen-like: x to the right, y downwards, in the caller's unit (points).

>>> lay = layered_layout([(60, 20), (40, 20), (40, 20), (60, 20)],
...                      [(0, 1), (0, 2), (1, 3), (2, 3)])
>>> lay.ranks
[0, 1, 1, 2]
>>> [round(x) for x, _ in lay.centers]       # the two branches side by side, the rest centred
[54, 20, 88, 54]
>>> [round(y) for _, y in lay.centers]
[10, 70, 70, 130]
>>> lay.routes[(0, 1)][0], lay.routes[(0, 1)][-1]   # from the bottom of 0 to the top of 1
((45.0, 20.0), (20.0, 60.0))
"""

from dataclasses import dataclass, field


@dataclass
class Layout:
    """Where ``layered_layout`` put each node (its centre) and each edge (its waypoints)."""

    centers: list
    sizes: list
    ranks: list
    routes: dict = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0
    rankdir: str = "TB"

    def box(self, i):
        """``(x0, y0, x1, y1)`` of node ``i``."""
        (x, y), (w, h) = self.centers[i], self.sizes[i]
        return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def assign_ranks(n, edges):
    """Longest-path ranks from the sources; nodes of a graph with no edge form one column.

    >>> assign_ranks(4, [(0, 1), (1, 2), (0, 2), (2, 3)])
    [0, 1, 2, 3]
    >>> assign_ranks(3, [])
    [0, 1, 2]
    """
    if not edges:
        return list(range(n))
    preds = [[] for _ in range(n)]
    for u, v in edges:
        preds[v].append(u)
    rank = [None] * n

    def visit(v, stack=()):
        if rank[v] is None:
            if v in stack:
                raise ValueError("the graph has a cycle")
            rank[v] = 1 + max((visit(u, stack + (v,)) for u in preds[v]), default=-1)
        return rank[v]

    for v in range(n):
        visit(v)
    return rank


def count_crossings(order, edges_between):
    """Crossings of the edges between consecutive ranks, given each rank's ``order``.

    >>> count_crossings([[0, 1], [2, 3]], [[(0, 3), (1, 2)]])
    1
    """
    pos = {v: i for rank in order for i, v in enumerate(rank)}
    total = 0
    for edges in edges_between:
        pairs = sorted((pos[u], pos[v]) for u, v in edges)
        for i, (a, b) in enumerate(pairs):
            for c, d in pairs[i + 1:]:
                if c > a and d < b:
                    total += 1
    return total


def _order_ranks(order, preds, succs, sweeps=6):
    edges_between = [[(u, v) for u in order[r] for v in succs[u]] for r in range(len(order) - 1)]
    best = [list(rank) for rank in order]
    best_count = count_crossings(best, edges_between)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        ranks = range(1, len(order)) if down else range(len(order) - 2, -1, -1)
        for r in ranks:
            ref = order[r - 1] if down else order[r + 1]
            ref_pos = {v: i for i, v in enumerate(ref)}
            keyed = []
            for i, v in enumerate(order[r]):
                nbrs = [ref_pos[u] for u in (preds[v] if down else succs[v]) if u in ref_pos]
                keyed.append((sum(nbrs) / len(nbrs) if nbrs else i, i, v))
            order[r] = [v for _, _, v in sorted(keyed)]
        count = count_crossings(order, edges_between)
        if count < best_count:
            best, best_count = [list(rank) for rank in order], count
        if best_count == 0:
            break
    return best


def isotonic_place(desired, weights, offsets):
    """Positions ``x`` closest (weighted least squares) to ``desired`` with
    ``x[i+1] - x[i] >= offsets[i+1] - offsets[i]``: pool-adjacent-violators on ``x - offsets``.

    >>> isotonic_place([0, 0], [1, 1], [0, 10])
    [-5.0, 5.0]
    >>> isotonic_place([0, 30], [1, 1], [0, 10])
    [0.0, 30.0]
    """
    blocks = []  # [value, weight, count]
    for d, w, o in zip(desired, weights, offsets):
        blocks.append([d - o, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks[-1]
            blocks[-1] = [(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2]
    out = []
    for value, _, count in blocks:
        out.extend([float(value)] * count)
    return [y + o for y, o in zip(out, offsets)]


def layered_layout(sizes, edges, rankdir="TB", rank_gap=40.0, node_gap=28.0, dummy_size=8.0,
                   margin=0.0, port_step=18.0):
    """Lay out a DAG with nodes of ``sizes`` (``(width, height)`` each) and ``edges``
    (``(u, v)`` node indices; u feeds v). ``rankdir`` "TB" stacks ranks top to bottom, "LR" left
    to right. Returns a ``Layout`` whose ``routes[(u, v)]`` are the edge's waypoints: the start
    port, then an entry and an exit point per dummy node, then the end port."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' or 'LR', got {rankdir!r}")
    n = len(sizes)
    edges = list(dict.fromkeys((u, v) for u, v in edges if u != v))
    lr = rankdir == "LR"
    # along: extent on the rank axis; across: extent within a rank
    along = [float(w if lr else h) for w, h in sizes]
    across = [float(h if lr else w) for w, h in sizes]
    rank = assign_ranks(n, edges)
    # dummy nodes for long edges
    chains = {}
    preds, succs = [[] for _ in range(n)], [[] for _ in range(n)]
    rank_of = list(rank)
    for u, v in edges:
        chain = [u]
        for r in range(rank[u] + 1, rank[v]):
            d = len(rank_of)
            rank_of.append(r)
            along.append(0.0)
            across.append(dummy_size)
            preds.append([])
            succs.append([])
            chain.append(d)
        chain.append(v)
        for a, b in zip(chain, chain[1:]):
            succs[a].append(b)
            preds[b].append(a)
        chains[(u, v)] = chain
    total = len(rank_of)
    is_dummy = [i >= n for i in range(total)]
    n_ranks = max(rank_of, default=-1) + 1
    order = [[] for _ in range(n_ranks)]
    for v in _initial_order(total, preds, succs, rank_of):
        order[rank_of[v]].append(v)
    order = _order_ranks(order, preds, succs)
    # rank axis: bands
    band = [max((along[v] for v in order[r]), default=0.0) for r in range(n_ranks)]
    band_start, pos = [], margin
    for r in range(n_ranks):
        band_start.append(pos)
        pos += band[r] + rank_gap
    along_extent = pos - rank_gap + margin if n_ranks else 2 * margin
    # across the ranks: iterative placement
    x = [0.0] * total
    offsets_of = []
    for r in range(n_ranks):
        offs, o = [], 0.0
        for i, v in enumerate(order[r]):
            if i:
                prev = order[r][i - 1]
                o += (across[prev] + across[v]) / 2 + _gap(prev, v, is_dummy, node_gap)
            offs.append(o)
        offsets_of.append(offs)
        for v, o in zip(order[r], offs):
            x[v] = o - offs[-1] / 2
    def link(u, v):
        """How strongly u and v pull on each other: hard along chains (one edge between a
        node with one consumer and a node with one producer, or through dummies)."""
        a, b = (u, v) if rank_of[u] < rank_of[v] else (v, u)
        if is_dummy[a] or is_dummy[b]:
            return 8.0 if is_dummy[a] and is_dummy[b] else 4.0
        return 8.0 if len(succs[a]) == 1 and len(preds[b]) == 1 else 1.0

    for it in range(12):
        mode = ("down", "up", "both")[it % 3] if it < 9 else "both"
        ranks = range(n_ranks) if mode != "up" else range(n_ranks - 1, -1, -1)
        for r in ranks:
            desired, weights = [], []
            for v in order[r]:
                nbrs = (preds[v] if mode == "down" else succs[v] if mode == "up"
                        else preds[v] + succs[v])
                if nbrs:
                    pull = [link(u, v) for u in nbrs]
                    desired.append(sum(x[u] * p for u, p in zip(nbrs, pull)) / sum(pull))
                    weights.append(sum(pull))
                else:
                    desired.append(x[v])
                    weights.append(0.25)
            for v, xv in zip(order[r], isotonic_place(desired, weights, offsets_of[r])):
                x[v] = xv
    _straighten(x, order, rank_of, across, is_dummy, preds, succs, chains, node_gap)
    lo = min((x[v] - across[v] / 2 for v in range(total)), default=0.0)
    hi = max((x[v] + across[v] / 2 for v in range(total)), default=0.0)
    x = [xv - lo + margin for xv in x]
    across_extent = hi - lo + 2 * margin
    center_along = [band_start[rank_of[v]] + band[rank_of[v]] / 2 for v in range(total)]

    def point(a, c):
        return (float(c), float(a)) if not lr else (float(a), float(c))

    # ports: spread a node's edges on each side, ordered by the other end's position
    out_port, in_port = {}, {}
    for v in range(n):
        for side, nbr_list, store in (("out", succs[v], out_port), ("in", preds[v], in_port)):
            ordered = sorted(nbr_list, key=lambda u: x[u])
            k = len(ordered)
            step = min(port_step, across[v] * 0.7 / max(k - 1, 1))
            for i, u in enumerate(ordered):
                store[(v, u)] = x[v] + (i - (k - 1) / 2) * step
    routes = {}
    for (u, v), chain in chains.items():
        pts = [point(center_along[u] + along[u] / 2, out_port[(u, chain[1])])]
        for d in chain[1:-1]:
            r = rank_of[d]
            pts.append(point(band_start[r], x[d]))
            pts.append(point(band_start[r] + band[r], x[d]))
        pts.append(point(center_along[v] - along[v] / 2, in_port[(v, chain[-2])]))
        routes[(u, v)] = pts
    centers = [point(center_along[v], x[v]) for v in range(n)]
    width, height = (across_extent, along_extent) if not lr else (along_extent, across_extent)
    return Layout(centers, [tuple(map(float, s)) for s in sizes], rank, routes, float(width),
                  float(height), rankdir)


def _straighten(x, order, rank_of, across, is_dummy, preds, succs, chains, node_gap):
    """Final touch: make chain links and long edges exactly straight where that fits."""
    where = {v: (r, i) for r, rank in enumerate(order) for i, v in enumerate(rank)}

    def fits(v, target):
        r, i = where[v]
        rank = order[r]
        if i > 0:
            u = rank[i - 1]
            if x[u] + (across[u] + across[v]) / 2 + _gap(u, v, is_dummy, node_gap) > target + 1e-6:
                return False
        if i + 1 < len(rank):
            u = rank[i + 1]
            if target + (across[u] + across[v]) / 2 + _gap(v, u, is_dummy, node_gap) > x[u] + 1e-6:
                return False
        return True

    for _ in range(2):
        for chain in chains.values():
            dummies = chain[1:-1]
            if not dummies:
                u, v = chain
                if len(succs[u]) == 1 and len(preds[v]) == 1 and abs(x[u] - x[v]) > 1e-6:
                    if fits(v, x[u]):
                        x[v] = x[u]
                    elif fits(u, x[v]):
                        x[u] = x[v]
                continue
            candidates = sorted({x[d] for d in dummies} | {x[chain[0]], x[chain[-1]]},
                                key=lambda c: sum(abs(x[d] - c) for d in dummies))
            for c in candidates:
                if all(fits(d, c) for d in dummies):
                    for d in dummies:
                        x[d] = c
                    break


def _gap(a, b, is_dummy, node_gap):
    if is_dummy[a] and is_dummy[b]:
        return node_gap / 3
    if is_dummy[a] or is_dummy[b]:
        return node_gap / 2
    return node_gap


def _initial_order(total, preds, succs, rank_of):
    """Depth-first from the sources, so that each branch starts out contiguous."""
    seen, out = set(), []

    def visit(v):
        stack = [v]
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            out.append(v)
            stack.extend(reversed(succs[v]))

    for v in range(total):
        if not preds[v]:
            visit(v)
    for v in range(total):
        visit(v)
    return out


def edge_path(points, rankdir="TB"):
    """Bezier path vertices and codes (matplotlib's MOVETO=1, LINETO=2, CURVE4=4) through an
    edge's waypoints: curves across the gaps between ranks, leaving and entering along the rank
    axis, straight lines through dummy nodes.

    >>> verts, codes = edge_path([(0, 0), (10, 40)])
    >>> verts
    [(0, 0), (0, 20.0), (10, 20.0), (10, 40)]
    >>> codes
    [1, 4, 4, 4]
    """
    verts, codes = [points[0]], [1]
    for i, (p, q) in enumerate(zip(points, points[1:])):
        if i % 2 == 1:  # through a dummy node
            verts.append(q)
            codes.append(2)
            continue
        if rankdir == "LR":
            mid = (p[0] + q[0]) / 2
            verts += [(mid, p[1]), (mid, q[1]), q]
        else:
            mid = (p[1] + q[1]) / 2
            verts += [(p[0], mid), (q[0], mid), q]
        codes += [4, 4, 4]
    return verts, codes
