"""``explain(loss)``: the backward pass of a small graph as a table, the way one works it by hand.

For each node, in the order backward visits it: its operation, its value, the gradient arriving
(d loss / d node) and its local derivatives (d node / d each input).  Multiplying a local
derivative by the arriving gradient gives what flows on to that input: the chain rule, one row at
a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..tensor import Tensor
from . import _trace


@dataclass
class ExplainRow:
    """One line of an :class:`ExplainTable`.

    ``value`` and ``grad`` are ndarrays (``None`` when unknown); ``local`` maps each input's label to
    d(this node)/d(that input); ``inputs`` lists the input labels in argument order.
    """
    step: int
    name: str
    op: str
    value: np.ndarray | None
    grad: np.ndarray | None
    local: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)

    def sent(self, name):
        """The gradient this node passes to input ``name``: local derivative times arriving gradient."""
        if self.grad is None or name not in self.local:
            return None
        loc = self.local[name]
        return loc * self.grad if loc.shape == self.grad.shape else None


class ExplainTable:
    """The rows of a backward pass; ``str(table)`` prints them, ``table['w']`` finds one by name."""

    def __init__(self, rows):
        self.rows = list(rows)
        out = self.rows[0].name if self.rows else "L"
        self.headers = ("step", "node", "op", "value", f"d{out}/dnode (arriving)", "local derivatives")

    def __getitem__(self, name):
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"explain: no node named {name!r}; nodes are {[r.name for r in self.rows]}")

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def cells(self):
        """Rows as lists of strings, in the order of :attr:`headers`."""
        out = []
        for r in self.rows:
            local = ", ".join(f"d{_p(r.name)}/d{_p(k)} = {_trace.fmt(v)}" for k, v in r.local.items())
            out.append([str(r.step), r.name, r.op, _trace.fmt(r.value), _trace.fmt(r.grad), local or "-"])
        return out

    def __str__(self):
        cells = [list(self.headers)] + self.cells()
        widths = [max(len(c[i]) for c in cells) for i in range(len(self.headers))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if any(r.value is None for r in self.rows):
            lines.append("(? = a value the graph does not keep; pass the tensor in names= to show it)")
        return "\n".join(lines)

    def to_markdown(self):
        cells = [list(self.headers)] + self.cells()
        lines = ["| " + " | ".join(row) + " |" for row in cells]
        lines.insert(1, "|" + "---|" * len(self.headers))
        return "\n".join(lines)

    __repr__ = __str__


def _p(name):
    """Parenthesise a label that is an expression, so d(2*w)/dw reads right."""
    return name if name.isidentifier() else f"({name})"


def explain(output, names=None):
    """Tabulate the backward pass from a scalar ``output`` to every leaf that requires grad.

    ``names`` maps labels to tensors of the graph (leaves or intermediate results) so rows can be
    read by name and intermediate values shown.  Call it before ``output.backward()`` (or after
    ``backward(retain_graph=True)``): it re-runs backward with the graph retained, and leaves'
    ``.grad`` are not changed.

    >>> import npgrad
    >>> w = npgrad.tensor(3.0, requires_grad=True); b = npgrad.tensor(4.0, requires_grad=True)
    >>> x = 2 * w + 3 * b; y = 2 * b + 1; z = x * y
    >>> t = explain(z, names={'z': z, 'x': x, 'y': y, 'w': w, 'b': b})
    >>> float(t['w'].grad), float(t['b'].grad), float(t['z'].local['x'])
    (18.0, 63.0, 9.0)
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"explain: output must be a Tensor, got {type(output).__name__}")
    if output.numel() != 1:
        raise ValueError(f"explain: output must be a scalar (one element), got shape {tuple(output.shape)}")
    if not output.requires_grad:
        raise ValueError("explain: output does not require grad, so there is no backward pass to explain")
    nodes, order = _trace.collect(output, names)
    if not _trace.graph_alive(nodes):
        raise RuntimeError("explain: the graph's saved values were freed by an earlier backward(); call "
                           "explain(loss) before loss.backward(), or use loss.backward(retain_graph=True)")
    _trace.backprop(output, nodes, order, protect=list((names or {}).values()))
    labels = {k: _trace.label(nodes[k], i) for i, k in enumerate(order)}
    rows = []
    for i, key in enumerate(order):
        n = nodes[key]
        local = {labels[k]: d for k, d in _trace.local_derivatives(n, nodes)}
        grad = n.grad if key != order[0] else np.ones_like(np.asarray(output._data))
        rows.append(ExplainRow(i, labels[key], n.op, n.value, grad, local,
                               [labels[k] for k in n.inputs if k is not None]))
    return ExplainTable(rows)
