"""Walk a recorded graph through its public surface (``grad_fn``, ``next_functions``, hooks).

Shared by :func:`npgrad.viz.explain` and :func:`npgrad.viz.draw_graph`.  Nothing here changes the
engine: gradients are obtained by running ``autograd.grad`` with ``retain_graph=True`` while
temporary hooks on each node record the gradient arriving there, so the caller's graph stays usable.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import autograd
from ..tensor import Tensor


@dataclass
class Node:
    """One vertex of the graph: an operation (``grad_fn``) or a leaf tensor."""
    key: int
    op: str
    fn: object = None              # the grad_fn, None for a leaf
    leaf: Tensor | None = None     # the tensor, for a leaf
    inputs: list = field(default_factory=list)   # keys of the nodes feeding this one (None: constant)
    value: np.ndarray | None = None
    grad: np.ndarray | None = None
    name: str = ""


def _key(obj):
    """A node's identity: the grad_fn object, or the leaf tensor behind an AccumulateGrad."""
    var = getattr(obj, "variable", None)
    return id(var) if var is not None else id(obj)


def op_name(fn):
    """``MulBackward0`` -> ``Mul``: the forward operation a node differentiates."""
    name = fn.name() if hasattr(fn, "name") else type(fn).__name__
    for suffix in ("Backward0", "Backward1", "Backward"):
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def collect(tensor, names=None):
    """Nodes reachable from ``tensor`` in backward order (the output first, leaves last).

    Returns ``(nodes, order)``: ``nodes`` maps key -> :class:`Node`, ``order`` lists keys so that
    every node comes before each node that feeds it, the order in which backward visits them.
    """
    names = _name_table(names)
    nodes = {}
    root = tensor.grad_fn if tensor.grad_fn is not None else tensor
    _add_node(nodes, root, names)
    post = []           # iterative post-order DFS, then reversed: a topological order from the root
    stack = [(root, iter(_children(root)))]
    seen = {_key(root): True}
    while stack:
        obj, it = stack[-1]
        for child in it:
            if child is None or _key(child) in seen:
                continue
            seen[_key(child)] = True
            _add_node(nodes, child, names)
            stack.append((child, iter(_children(child))))
            break
        else:
            stack.pop()
            post.append(_key(obj))
    order = post[::-1]
    for key in order:
        n = nodes[key]
        n.inputs = [None if c is None else _key(c) for c in _children(n.fn)] if n.fn is not None else []
    nodes[_key(root)].value = np.asarray(tensor._data)
    _fill_values(nodes, order, names)
    return nodes, order


def _name_table(names):
    table = {}
    for name, t in (names or {}).items():
        if not isinstance(t, Tensor):
            raise TypeError(f"explain: names[{name!r}] must be a Tensor, got {type(t).__name__}")
        table[id(t.grad_fn) if t.grad_fn is not None else id(t)] = (name, t)
    return table


def _children(obj):
    if isinstance(obj, Tensor) or obj is None or hasattr(obj, "variable"):
        return []
    return [f for f, _ in obj.next_functions]


def _add_node(nodes, obj, names):
    var = obj if isinstance(obj, Tensor) else getattr(obj, "variable", None)
    key = _key(obj)
    if var is not None:
        node = Node(key, "leaf", leaf=var, value=np.asarray(var._data))
        if var.grad is not None:
            node.grad = np.asarray(var.grad._data)
    else:
        node = Node(key, op_name(obj), fn=obj)
    if key in names:
        node.name, t = names[key]
        node.value = np.asarray(t._data)
    nodes[key] = node


def _fill_values(nodes, order, names):
    """Intermediate values a node's consumers saved for backward (e.g. Mul keeps both factors)."""
    for key in order:
        fn = nodes[key].fn
        if fn is None:
            continue
        try:
            saved = fn.saved_tensors
        except RuntimeError:          # freed by an earlier backward: values stay unknown
            continue
        for s in saved:
            if isinstance(s, Tensor) and s.grad_fn is not None and id(s.grad_fn) in nodes:
                target = nodes[id(s.grad_fn)]
                if target.value is None:
                    target.value = np.asarray(s._data)


def graph_alive(nodes):
    """False when a backward without ``retain_graph=True`` already freed the saved values."""
    for n in nodes.values():
        if n.fn is not None:
            try:
                n.fn.saved_tensors
            except RuntimeError:
                return False
    return True


def backprop(tensor, nodes, order, protect=None):
    """Run backward (graph retained) and record the gradient arriving at every node.

    Leaves' ``.grad`` are not touched: ``autograd.grad`` returns their gradients instead.
    """
    leaves = [n.leaf for n in (nodes[k] for k in order) if n.leaf is not None and n.leaf.requires_grad]
    if tensor.grad_fn is None or not leaves:
        return
    active = [True]
    for key in order:
        n = nodes[key]
        if n.fn is not None:
            n.fn.register_hook(_recorder(n, active))
    # intermediates with retain_grad() would receive this run's gradient: keep their .grad as it was
    kept = [(t, t.grad) for t in (protect or []) if t.grad_fn is not None and t.retains_grad]
    try:
        grads = autograd.grad(tensor, leaves, retain_graph=True, allow_unused=True)
    finally:
        active[0] = False      # the hooks stay on the nodes but do nothing from now on
        for t, g in kept:
            t.grad = g
    for leaf, g in zip(leaves, grads):
        nodes[id(leaf)].grad = None if g is None else np.asarray(g._data)


def _recorder(node, active):
    def hook(g):
        if active[0]:
            node.grad = np.asarray(g._data).copy()
    return hook


def local_derivatives(node, nodes):
    """d(node output)/d(each input): the node's backward applied to a gradient of ones.

    For elementwise operations this is exactly the local derivative, element by element; for
    others (sums, matrix products) it is the Jacobian-transpose times ones, i.e. how much each input
    element moves the sum of the outputs.  Needs the node's saved values (graph not yet freed).
    """
    if node.fn is None or node.grad is None:
        return []
    ones = Tensor._make(np.ones_like(node.grad), None, False, None)
    with autograd.no_grad():
        out = type(node.fn).backward(node.fn, ones)
    out = out if isinstance(out, tuple) else (out,)
    res = []
    for key, g in zip(node.inputs, out):
        if key is None or g is None:
            continue
        g = np.asarray(g._data if isinstance(g, Tensor) else g)
        target = nodes[key]
        shape = target.value.shape if target.value is not None else (
            target.grad.shape if target.grad is not None else g.shape)
        res.append((key, _sum_to(g, shape)))
    return res


def _sum_to(g, shape):
    """Undo broadcasting: sum ``g`` down to ``shape``."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead > 0 else g
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def label(node, index):
    """How a node is referred to in tables and drawings: its given name, else op and step number."""
    if node.name:
        return node.name
    if node.leaf is not None:
        return f"leaf{index}"
    return f"{node.op.lower()}{index}"


def fmt(arr, max_elements=9, precision=4):
    """A compact rendering of a value: ``162``, ``0.9700``, ``[1 2]`` or ``<shape (3, 4)>``."""
    if arr is None:
        return "?"
    arr = np.asarray(arr)
    if arr.size == 1:
        v = arr.reshape(()).item()
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, int) or float(v).is_integer() and abs(v) < 1e12:
            return str(int(v))
        return f"{v:.{precision}g}"
    if arr.size <= max_elements:
        if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all():
            arr = arr.astype(np.int64)          # [3 6] rather than [3. 6.]
        return np.array2string(arr, precision=precision, separator=" ", suppress_small=True).replace("\n", "")
    return f"<shape {tuple(arr.shape)}>"
