"""``draw_graph(tensor)``: the computation graph as Graphviz DOT text, rendered to PNG/SVG.

Data flows left to right as in the forward pass: leaves (inputs and parameters) feed operations,
which feed the output.  Each box shows the operation, shape, value and gradient when they are small.
Rendering uses Graphviz's ``dot`` program when it is installed, otherwise matplotlib.
"""
from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np

from .._optional import require
from ..tensor import Tensor
from . import _fonts, _trace


def draw_graph(tensor, names=None, filename=None, format=None, show_grad=True, max_elements=9):
    """Return the DOT text of the graph that produced ``tensor``; save a drawing if ``filename`` is given.

    ``names`` maps labels to tensors of the graph (leaves or intermediates).  With ``show_grad`` and a
    scalar ``tensor`` whose graph is still alive, every node's gradient d tensor/d node is computed
    (graph retained, leaves' ``.grad`` untouched); otherwise leaves show their existing ``.grad``.
    ``format`` ('png', 'svg', 'pdf') defaults to the file's extension.

    >>> import npgrad
    >>> w = npgrad.tensor(3.0, requires_grad=True)
    >>> dot = draw_graph(w * w + 1, names={'w': w})
    >>> dot.startswith('digraph') and 'Mul' in dot
    True
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: tensor must be a Tensor, got {type(tensor).__name__}")
    nodes, order = _trace.collect(tensor, names)
    if show_grad and tensor.requires_grad and tensor.numel() == 1 and _trace.graph_alive(nodes):
        _trace.backprop(tensor, nodes, order, protect=list((names or {}).values()))
        if tensor.grad_fn is not None:
            nodes[order[0]].grad = np.ones_like(np.asarray(tensor._data))
    dot = to_dot(nodes, order, show_grad, max_elements)
    if filename is not None:
        render(dot, filename, format)
    return dot


def to_dot(nodes, order, show_grad=True, max_elements=9):
    """DOT text for collected nodes (see :func:`npgrad.viz._trace.collect`)."""
    ids = {k: f"n{i}" for i, k in enumerate(order)}
    lines = ["digraph G {", '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for i, key in enumerate(order):
        n = nodes[key]
        text = _label_lines(n, i, show_grad, max_elements)
        color = "#dbeafe" if n.leaf is not None else ("#fde68a" if i == 0 else "#e5e7eb")
        lines.append(f'  {ids[key]} [label="{_escape(chr(10).join(text))}", fillcolor="{color}"];')
    for key in reversed(order):
        for src in nodes[key].inputs:
            if src is not None:
                lines.append(f"  {ids[src]} -> {ids[key]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _label_lines(n, index, show_grad, max_elements):
    title = _trace.label(n, index)
    head = title if n.leaf is not None or n.name else n.op
    if n.name and n.leaf is None:
        head = f"{n.name} = {n.op}"
    shape = n.value.shape if n.value is not None else (n.grad.shape if n.grad is not None else None)
    text = [head]
    if shape:                                   # a scalar's shape () says nothing: left out
        text.append(f"shape {tuple(shape)}")
    if n.value is not None:
        text.append("value " + _trace.fmt(n.value, max_elements))
    if show_grad and n.grad is not None:
        text.append("grad " + _trace.fmt(n.grad, max_elements))
    return text


def _escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(dot, filename, format=None):
    """Draw DOT text into ``filename`` with Graphviz, or with matplotlib when ``dot`` is missing."""
    fmt = (format or os.path.splitext(str(filename))[1].lstrip(".") or "png").lower()
    exe = shutil.which("dot")
    if exe is not None:
        res = subprocess.run([exe, f"-T{fmt}", "-o", str(filename)], input=dot.encode(), capture_output=True)
        if res.returncode == 0:
            return str(filename)
    _render_matplotlib(dot, filename, fmt)
    return str(filename)


def _parse(dot):
    """Labels and edges of the DOT text this module writes (not a general DOT parser)."""
    labels, colors, edges = {}, {}, []
    for line in dot.splitlines():
        line = line.strip()
        if "->" in line:
            a, b = line.rstrip(";").split("->")
            edges.append((a.strip(), b.strip()))
        elif line.startswith("n") and "[label=" in line:
            nid = line.split()[0]
            text = line.split('label="', 1)[1].split('", fillcolor')[0]
            labels[nid] = text.replace("\\n", "\n").replace('\\"', '"')
            colors[nid] = line.split('fillcolor="', 1)[1].split('"')[0] if 'fillcolor="' in line else "#e5e7eb"
    return labels, colors, edges


def _render_matplotlib(dot, filename, fmt):
    plt = require("matplotlib.pyplot", "drawing a graph without Graphviz")
    _fonts.enable_cjk()
    labels, colors, edges = _parse(dot)
    depth = {nid: 0 for nid in labels}
    for _ in range(len(labels)):           # longest path from the output, so inputs sit on the left
        for a, b in edges:
            depth[a] = max(depth[a], depth[b] + 1)
    maxd = max(depth.values(), default=0)
    columns = {}
    for nid in labels:
        columns.setdefault(maxd - depth[nid], []).append(nid)
    pos = {nid: (c, r - (len(ids) - 1) / 2) for c, ids in columns.items() for r, nid in enumerate(ids)}
    fig, ax = plt.subplots(figsize=(2.6 * (maxd + 1), 1.6 * max(len(v) for v in columns.values())))
    for a, b in edges:
        ax.annotate("", xy=pos[b], xytext=pos[a], arrowprops=dict(arrowstyle="->", shrinkA=30, shrinkB=30))
    for nid, text in labels.items():
        ax.text(*pos[nid], text, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", fc=colors[nid]))
    ax.set_xlim(-0.7, maxd + 0.7)
    ys = [p[1] for p in pos.values()]
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    fig.savefig(filename, format=fmt, bbox_inches="tight")
    plt.close(fig)
