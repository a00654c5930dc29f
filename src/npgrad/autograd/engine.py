"""Reverse-mode execution: walk the recorded graph once, from the output back to the leaves.

The walk is iterative (no recursion limit: a chain of 100,000 ops is fine) and deterministic: the
nodes run in reverse order of creation (PyTorch's engine orders its ready nodes the same way).
This module is the one place where a gradient computed in an output's broadcast shape is summed
back down to its input's shape.
"""
from __future__ import annotations

import sys
from heapq import heapify, heappop, heappush

import numpy as np

from .. import _backend
from .function import _FREED, _check_finite
from .grad_mode import state

Tensor = None  # set by npgrad.tensor (avoids a circular import)


def _fit(g, shape, dtype):
    """Sum ``g`` down to ``shape`` (undo broadcasting) and cast it to ``dtype``."""
    if g._data.shape != shape:
        from ..ops.reduce import sum_to
        g = sum_to(g, shape)
    if g._data.dtype != dtype:
        g = g.to(dtype)
    return g


def run_backward(roots, root_grads, retain_graph, create_graph, wanted=None, accumulate=True):
    """Propagate ``root_grads`` from ``roots`` (tensors) through the graph.

    With ``accumulate`` the gradients of leaves are added into their ``.grad``; with ``wanted``
    (a list of tensors) the gradients reaching those tensors are returned instead, in order.
    """
    # ``pending`` is a heap of the nodes holding a gradient, the most recently created first.  Each
    # node's gradient comes only from nodes created after it, so when a node is popped every
    # contribution to its gradient has arrived (its senders all have higher numbers: either they
    # ran already or one of their own senders, higher still, would be on the heap first).
    grads = {}       # id(node) -> the gradient of its output, summed so far
    leaf_grads = {}  # id(leaf) -> its gradient, summed so far
    leaves = []      # the leaves reached, in order of first arrival
    pending = []
    for t, g in zip(roots, root_grads):
        node = t.grad_fn
        if node is None:
            _add_leaf(leaf_grads, leaves, t, g)
        elif id(node) in grads:
            grads[id(node)] = grads[id(node)] + g
        else:
            grads[id(node)] = g
            heappush(pending, (-node._seq, node))

    # leaves with post-accumulate hooks (DistributedDataParallel's) are finished as soon as their last
    # contribution arrives, so the hook can start communication while the rest of backward runs
    waiting = _leaf_edge_counts(pending) if accumulate and post_hooks_live[0] and pending else None
    capture = None
    if wanted is not None:
        capture = {}
        for t in wanted:
            capture[id(t.grad_fn if t.grad_fn is not None else t)] = None
    # only for the wanted gradients: the nodes that lead to none of them do not run (and keep what they saved)
    leads = _leads_to(pending, capture) if capture is not None else None
    if leads is not None:
        pending = [e for e in pending if leads[id(e[1])] or id(e[1]) in capture]
        heapify(pending)

    anomaly = state._anomaly
    grad_was, captured_was = state._grad, state.captured
    state.grad_enabled = create_graph  # the backward's own ops build a graph only for create_graph
    state.captured = capture
    try:
        while pending:
            node = heappop(pending)[1]
            g = grads.pop(id(node))
            if node._hooks:
                for hook in node._hooks:
                    r = hook(g)
                    if r is not None:
                        g = r
            if capture is not None and id(node) in capture:
                capture[id(node)] = g
            if leads is not None and not leads[id(node)]:
                continue
            gin = _backward_checked(node, g) if anomaly else type(node).backward(node, g)
            if type(gin) is not tuple:
                gin = (gin,)
            nxts = node._next
            if len(gin) < len(nxts):
                raise RuntimeError(f"function {node.name()} returned {len(gin)} gradients, "
                                   f"expected {len(nxts)}")
            metas = node._meta
            i = -1
            for nxt, gi in zip(nxts, gin):
                i += 1
                if nxt is None or gi is None:
                    if waiting and nxt is not None and id(nxt) in waiting:
                        _arrived(waiting, nxt, leaf_grads, create_graph)
                    continue
                if not isinstance(gi, Tensor):
                    gi = Tensor._make(_backend.as_array(gi), None, False, None)
                if metas is not None:
                    shape, dt = metas[i]
                    d = gi._data
                    if d.shape != shape or (d.dtype is not dt and d.dtype != dt):
                        gi = _fit(gi, shape, dt)
                if anomaly:
                    _check_finite(gi._data, f"Function '{node.name()}' returned nan or inf values in its {i}th "
                                               f"output (the gradient for its input {i}).")
                if isinstance(nxt, Tensor):
                    _add_leaf(leaf_grads, leaves, nxt, gi)
                    if waiting and id(nxt) in waiting:
                        gi = None
                        _arrived(waiting, nxt, leaf_grads, create_graph)
                else:
                    key = id(nxt)
                    if leads is not None and not leads[key] and key not in capture:
                        continue
                    prev = grads.get(key)
                    if prev is None:
                        grads[key] = gi
                        heappush(pending, (-nxt._seq, nxt))
                    else:
                        grads[key] = prev + gi
            if not retain_graph and node._saved is not None:
                # free what forward saved; a later backward through this node raises when it
                # reaches for it (nodes that saved nothing can be run again, as in PyTorch)
                node._saved = _FREED

        gin = gi = g = prev = d = None  # drop loop references, so a fresh gradient can be kept uncopied
        results = None
        if capture is not None:
            results = []
            for t in wanted:
                if t.grad_fn is None:
                    g = leaf_grads.get(id(t))
                    results.append(_leaf_hooks(t, g) if g is not None else None)
                else:
                    results.append(capture[id(t.grad_fn)])
            g = None
        if accumulate:
            for leaf in leaves:
                g = leaf_grads.pop(id(leaf), None)
                if g is None:       # finished early (post-accumulate hook)
                    continue
                if leaf._hooks:
                    g = _leaf_hooks(leaf, g)
                if leaf._grad is None and not create_graph and _fresh(g, leaf):
                    leaf._grad = g  # the common first gradient: kept without a copy
                else:
                    _accumulate(leaf, g, create_graph)
                del g
                if leaf._post_acc_hooks:
                    _post_hooks(leaf)
    finally:
        state.grad_enabled = grad_was
        state.captured = captured_was
    return results


def _leads_to(pending, targets):
    """``{id(node): whether a target (an id in ``targets``: a node or a leaf) lies below it}`` for the graph
    below the ``pending`` nodes (a post-order walk; the graph is acyclic)."""
    leads = {}
    stack = [(entry[1], False) for entry in pending]
    while stack:
        node, done = stack.pop()
        if done:
            leads[id(node)] = any(nxt is not None and (id(nxt) in targets or leads.get(id(nxt), False))
                                  for nxt in node._next)
        elif id(node) not in leads:
            leads[id(node)] = False
            stack.append((node, True))
            for nxt in node._next:
                if nxt is not None and not isinstance(nxt, Tensor) and id(nxt) not in leads:
                    stack.append((nxt, False))
    return leads


# number of live ``register_post_accumulate_grad_hook`` hooks: the dependency count below is paid for
# only while one exists
post_hooks_live = [0]


def _leaf_edge_counts(pending):
    """``{id(leaf): edges into it}`` for the hooked leaves of the graph below the ``pending`` nodes."""
    counts, seen = {}, {}
    stack = [entry[1] for entry in pending]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = True
        for nxt in node._next:
            if nxt is None:
                continue
            if isinstance(nxt, Tensor):
                if nxt._post_acc_hooks:
                    counts[id(nxt)] = counts.get(id(nxt), 0) + 1
            elif id(nxt) not in seen:
                stack.append(nxt)
    return counts


def _arrived(waiting, leaf, leaf_grads, create_graph):
    """One contribution to ``leaf`` has been computed; after the last, accumulate it and run its hooks."""
    waiting[id(leaf)] -= 1
    if waiting[id(leaf)]:
        return
    del waiting[id(leaf)]
    g = leaf_grads.pop(id(leaf), None)
    if g is None:       # every contribution was None: nothing to accumulate
        return
    if leaf._hooks:
        g = _leaf_hooks(leaf, g)
    _accumulate(leaf, g, create_graph)
    _post_hooks(leaf)


def _post_hooks(leaf):
    for hook in list(leaf._post_acc_hooks):
        hook(leaf)


def _add_leaf(leaf_grads, leaves, leaf, g):
    prev = leaf_grads.get(id(leaf))
    if prev is None:
        leaf_grads[id(leaf)] = g
        leaves.append(leaf)
    else:
        leaf_grads[id(leaf)] = prev + g


def _backward_checked(node, g):
    """Run ``node.backward`` in anomaly mode: the ops inside it are not checked one by one, so a
    nan is reported against the backward node the user's op created (e.g. SqrtBackward0)."""
    state.anomaly = False
    try:
        return type(node).backward(node, g)
    finally:
        state.anomaly = True


def _leaf_hooks(t, g):
    if t._hooks:
        for hook in t._hooks:
            r = hook(g)
            if r is not None:
                g = r
    return g


def _sole_owner(g):
    """True when tensor ``g`` and its array are referenced only by the engine's own frames.

    The counts are those of the call in run_backward (its local ``g``, this call's argument and
    ``_accumulate``'s) plus getrefcount's own reference; anything more means someone else holds it.
    """
    data = g._data
    return (data.base is None and data.flags.writeable and g.grad_fn is None and not g.requires_grad
            and sys.getrefcount(g) <= _G_REFS and sys.getrefcount(data) <= _DATA_REFS)


_G_REFS = 4
_DATA_REFS = 4


def _fresh(g, leaf):
    """``_sole_owner`` for the call in run_backward's last loop (its local ``g``, this call's
    argument and getrefcount's), with the dtype check: may ``g`` become ``leaf.grad`` as is?"""
    data = g._data
    return (data.dtype == leaf._data.dtype and data.base is None and g.grad_fn is None and not g.requires_grad
            and sys.getrefcount(g) <= _G_REFS - 1 and sys.getrefcount(data) <= _DATA_REFS - 1
            and data.flags.writeable)


def _accumulate(leaf, g, create_graph):
    """Add ``g`` into ``leaf.grad`` (in place when no graph of the gradient is being built)."""
    # (``_grad`` rather than the ``grad`` property: a leaf's gradient slot, read without the
    # non-leaf warning check)
    if not create_graph:
        data = g._data
        cur = leaf._grad
        if cur is None:
            if _sole_owner(g) and data.dtype == leaf._data.dtype:
                # a fresh gradient array that nothing else references: keep it without a copy
                leaf._grad = g
            else:
                # g may alias a user-supplied gradient, a saved tensor or another leaf's gradient
                leaf._grad = Tensor._make(data.astype(leaf._data.dtype, copy=True), None, False, None)
        else:
            cur = cur._data
            if cur.flags.writeable and cur.base is None:
                np.add(cur, data, out=cur, casting="unsafe")
            else:
                leaf._grad = Tensor._make(cur + data, None, False, None)
    else:
        g = g if g._data.dtype == leaf._data.dtype else g.to(leaf.dtype)
        leaf._grad = g if leaf._grad is None else leaf._grad + g


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """``npgrad.autograd.backward``: accumulate d(tensors)/d(leaf) into each leaf's ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    grads = _make_grads(tensors, grad_tensors, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        res = run_backward(tensors, grads, retain_graph, create_graph, wanted=inputs, accumulate=False)
        for t, g in zip(inputs, res):
            if g is not None:
                _accumulate(t, g, create_graph)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated into .grad).

    >>> import npgrad
    >>> x = npgrad.tensor(3.0, requires_grad=True)
    >>> (g,) = npgrad.autograd.grad(x ** 3, x, create_graph=True)
    >>> g.item(), npgrad.autograd.grad(g, x)[0].item()
    (27.0, 18.0)
    """
    if not only_inputs:
        import warnings
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.", stacklevel=2)
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True (vmap over grad_outputs) is not supported; "
                                  "call grad once per row of grad_outputs")
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(f"grad: inputs[{i}] does not require grad")
    grads = _make_grads(outputs, grad_outputs, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    res = run_backward(outputs, grads, retain_graph, create_graph, wanted=inputs, accumulate=False)
    for i, g in enumerate(res):
        if g is None:
            if materialize_grads:
                res[i] = Tensor._make(np.zeros_like(inputs[i]._data), None, False, None)
            elif not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (inputs[{i}]) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(res)


def _make_grads(outputs, grad_outputs, where):
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    else:
        grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{where}: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    res = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: outputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError("element %d of tensors does not require grad and does not have a grad_fn" % i)
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"(got a tensor of shape {tuple(t.shape)})")
            g = Tensor._make(_backend.array_module(t._data).ones(t._data.shape, t._data.dtype), None, False, None)
        elif not isinstance(g, Tensor):
            g = Tensor._make(_backend.like(t._data, np.asarray(g, dtype=t._data.dtype)), None, False, None)
        if g._data.shape != t._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} "
                               f"and output[{i}] has a shape of {tuple(t.shape)}.")
        if _backend._BACKENDS and g.device != t.device:
            raise RuntimeError(f"invalid gradient at index {i} - expected device {t.device} but got {g.device}")
        res.append(g)
    return res
