"""The view machinery behind in-place ops: which tensors share memory with which (``link_view``),
the graph of a write through a view (``ViewWrite``, PyTorch's CopySlices) and of a view after its
root was written (``StridedView``), PyTorch's overlap rules for writes, and multi-output views.

A view records its root tensor and a function taking the view on any array shaped like the root;
a write anywhere is a write into the root, whose live views then re-derive their graph, as PyTorch.

>>> import npgrad
>>> a = npgrad.zeros(2, 3)
>>> a.t()[1].fill_(5.0)
tensor([5., 5.])
>>> a
tensor([[0., 5., 0.],
        [0., 5., 0.]])
"""
from __future__ import annotations

import weakref

import numpy as np

from . import _backend
from .autograd.function import Function
from .autograd.grad_mode import state

Tensor = None  # set by npgrad.tensor once the class exists (avoids a circular import)


def link_view(out, base, fn):
    """Record that ``out`` is a view of ``base`` (sharing memory) for in-place ops under autograd.

    ``fn(array)`` takes the view on any array shaped as ``base`` (a NumPy view, writable where
    the array is).  Views of views are recorded against their root with the composed function,
    so that a write anywhere is a write into the root (as PyTorch's views of a base).
    """
    if "_multi" in base.__dict__:
        out._multi = (0, None)
        _register_multi(out)
    vo = base.__dict__.get("_view_of")
    if vo is not None:
        root, f0 = vo
        out._view_of = (root, lambda a: fn(f0(a)))
    else:
        out._view_of = (base, fn)
        root = base
    # (a view made under no_grad stays a constant, whatever happens to its root)
    if state._grad:
        views = root.__dict__.get("_views")
        if views is None:
            views = root._views = {}
        key = id(out)
        views[key] = weakref.ref(out, lambda _, d=views, k=key: d.pop(k, None))
    return out


def mark_multi_output(views, name):
    """Outputs of an op returning several views (split, chunk, unbind): PyTorch forbids writing to
    them in place under autograd, and they cannot be used once their base was written in place."""
    for i, v in enumerate(views):
        v._multi = (i, name)
        _register_multi(v)
    return views


def _multi_message(t, what):
    i, name = t.__dict__["_multi"]
    if name is None:  # a view of such an output: PyTorch names the view's own op
        name = t.grad_fn.name().replace("Backward0", "") if t.grad_fn is not None else "View"
    return (f"Output {i} of {name} is a view and {what}. This view is the output of a function that returns "
            "multiple views. Such functions do not allow the output views to be modified inplace. You should "
            "replace the inplace operation by an out-of-place one.")


#: id of a version counter -> weak references to the multi-output views sharing it (every alias of
#: some memory shares its counter, so a write through any alias finds them)
_MULTI = {}


def _register_multi(v):
    key = id(v._version)
    refs = _MULTI.setdefault(key, [])
    refs.append(weakref.ref(v, lambda r, k=key: _forget(k, r)))


def _forget(key, ref):
    refs = _MULTI.get(key)
    if refs is not None:
        refs[:] = [r for r in refs if r is not ref]
        if not refs:
            del _MULTI[key]


def _invalidate_multi(t):
    """Any write (recorded or not, through any alias) makes the multi-output views of the memory
    unusable in a graph: PyTorch regenerates a view's graph after a write to its base, and
    refuses to for these views."""
    if t._ver is None or not _MULTI:
        return
    for ref in _MULTI.get(id(t._ver), ()):
        v = ref()
        if v is not None and v._ver is t._ver and v.requires_grad:
            v.grad_fn = _Invalidated(_multi_message(v, "its base or another view of its base has been modified "
                                                       "inplace"))


class _Invalidated:
    """The graph node of a view that may no longer be used: any use raises PyTorch's error."""
    _view = False

    def __init__(self, message):
        self.__dict__["message"] = message

    def __bool__(self):  # (ops take ``a.grad_fn or a`` when recording)
        raise RuntimeError(self.__dict__["message"])

    def __getattr__(self, name):
        raise RuntimeError(self.__dict__["message"])

    def name(self):
        return "InvalidatedViewBackward0"


def _advanced(key):
    """Whether an index (before conversion) uses index arrays or masks (PyTorch's index_put_)."""
    items = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (list, np.ndarray, Tensor, bool)) or _backend.is_device_array(k) for k in items)


def check_no_overlap(arr):
    """PyTorch refuses most writes into a tensor whose elements share memory (an expanded one)."""
    if arr.size == 0:
        return
    for n, st in zip(arr.shape, arr.strides):
        if st == 0 and n > 1:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                               "to a single memory location. Please clone() the tensor before performing the "
                               "operation.")


def _repeats(arr):
    return arr.size != 0 and any(st == 0 and n > 1 for n, st in zip(arr.shape, arr.strides))


def check_no_partial_overlap(out, arr, assign=False):
    """PyTorch's rule for an operand of an in-place op: it may be the written memory exactly (same
    place, same strides) or elsewhere, but not partly the same (the result would depend on the
    order of the writes).  ``assign``: ``x[key] = arr``, where ``arr`` is first broadcast to the
    written region (then only the sizes above 1 and their strides must agree)."""
    if type(arr) is not type(out):
        return  # (memory of two devices never overlaps)
    if assign:  # (PyTorch drops the value's leading size-1 dims, then expands it to the region)
        lead = 0
        while lead < arr.ndim - out.ndim and arr.shape[lead] == 1:
            lead += 1
        try:
            arr = np.broadcast_to(arr[(0,) * lead], out.shape)
        except ValueError:
            return  # (the assignment reports the shape mismatch)
    if out.size == 0 or arr.size == 0 or not (_dense(out) and _dense(arr)):
        return  # (not checked, as PyTorch's "too hard" case)
    a0, b0 = address(out), address(arr)
    if a0 is None or b0 is None:
        return  # (a device array module that does not tell where its arrays are)
    a1, b1 = a0 + out.nbytes, b0 + arr.nbytes
    # (the stride of a size-1 dim is arbitrary in NumPy: PyTorch's would match)
    same = out.shape == arr.shape and all(a == b for a, b, n in zip(out.strides, arr.strides, out.shape) if n != 1)
    if (a0 == b0 and a1 == b1 and same) or a1 <= b0 or b1 <= a0:
        return
    if np.may_share_memory(out, arr):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                           "refer to a single memory location. Please clone() the tensor before performing the "
                           "operation.")


class OverlapPlan:
    """How PyTorch writes into an array whose elements share memory (an unfold or as_strided
    window, an expanded dim): one element after the other, in TensorIterator's order, each
    reading what the earlier ones wrote.  ``occ``: each element's rank among those writing the
    same memory (host ints), ``last``: whether it writes last there, ``rounds``: the most elements
    writing one place.  Elements of equal rank write distinct memory, so a write is ``rounds``
    vectorized steps, each computing the op on what memory holds after the previous step."""

    __slots__ = ("occ", "last", "rounds")

    def __init__(self, occ, last, rounds):
        self.occ, self.last, self.rounds = occ, last, rounds


def overlap_plan(arr):
    """The :class:`OverlapPlan` of a write into ``arr``, or None when its elements are distinct
    memory (found from the strides alone for every usual array)."""
    if arr.size < 2:
        return None
    flags = arr.flags
    if flags.c_contiguous or flags.f_contiguous:
        return None
    shape, strides, size = arr.shape, arr.strides, arr.itemsize
    if len(shape) == 1:
        if abs(strides[0]) >= size:
            return None
    elif len(shape) == 2:
        (n0, n1), (s0, s1) = shape, (abs(strides[0]), abs(strides[1]))
        if s0 > s1:
            n0, n1, s0, s1 = n1, n0, s1, s0
        if (s0 >= size or n0 == 1) and (s1 >= s0 * (n0 - 1) + size or n1 == 1):
            return None
    else:
        span = size
        for st, n in sorted((abs(st), n) for n, st in zip(shape, strides) if n != 1):
            if st < span:
                break
            span += st * (n - 1)
        else:
            return None  # each dim steps over all the memory of the smaller ones
    offs = np.zeros(shape, dtype=np.int64)
    for d, (n, st) in enumerate(zip(shape, strides)):
        offs += (np.arange(n, dtype=np.int64) * st).reshape((n,) + (1,) * (len(shape) - d - 1))
    perm = _write_order(shape, strides)
    seq = offs.transpose(perm).ravel()  # the written memory, element by element, in PyTorch's order
    if len(np.unique(seq)) == seq.size:
        return None
    where = np.arange(arr.size).reshape(shape).transpose(perm).ravel()
    order = np.argsort(seq, kind="stable")
    s = seq[order]
    first = np.ones(s.size, dtype=bool)
    first[1:] = s[1:] != s[:-1]
    steps = np.arange(s.size)
    rank = steps - np.maximum.accumulate(np.where(first, steps, 0))
    occ = np.empty(arr.size, dtype=np.int64)
    last = np.empty(arr.size, dtype=bool)
    occ[where[order]] = rank
    last[where[order]] = np.append(first[1:], True)
    return OverlapPlan(occ.reshape(shape), last.reshape(shape), int(rank.max()) + 1)


def _write_order(shape, strides):
    """The dims of ``shape`` outermost first, as PyTorch's TensorIterator visits the elements of a
    write with these strides (its reorder_dimensions: by the written strides, equal strides by size,
    then by a contiguous input's strides)."""
    n = len(shape)
    contiguous, acc = [0] * n, 1
    for d in range(n - 1, -1, -1):
        contiguous[d], acc = acc, acc * shape[d]

    def should_swap(d0, d1):
        for st in (strides, contiguous):
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    perm = list(range(n - 1, -1, -1))  # innermost first
    for i in range(1, n):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm[::-1]


def write_overlapping(dst, value, plan, recompute=None):
    """Write ``value`` (shaped as ``dst``) into ``dst``, whose elements share memory, as PyTorch
    would: ``recompute()`` gives the op's result on what ``dst`` holds now, for the elements that
    read what earlier ones wrote; without it (a copy of values that do not depend on ``dst``) the
    last element writing each place wins."""
    mask = plan.last if recompute is None else plan.occ == 0
    for k in range(1 if recompute is None else plan.rounds):
        if k:
            value, mask = recompute(), plan.occ == k
        m = mask if type(dst) is np.ndarray else _backend.like(dst, mask)
        dst[m] = value[m]


class LastWriteGrad(Function):
    """The edge from an in-place op to the old values of a view whose elements share memory: the
    gradient goes on only from the elements that write their memory last, so that the view's own
    backward (which sums over the elements sharing memory) gives PyTorch's CopySlices gradient, a
    copy into the base where each place gets the gradient of the element written there last."""

    def name(self):
        return "CopySlices"

    @staticmethod
    def forward(ctx, x, last):
        ctx.last = last
        return x

    @staticmethod
    def backward(ctx, g):
        return _KeepLast.apply(g, ctx.last), None


class _KeepLast(Function):
    """``g`` zeroed where ``last`` is False; its own gradient passes everywhere, as the gradient of
    PyTorch's copy into the overlapping region (a double backward through CopySlices)."""

    @staticmethod
    def forward(ctx, g, last):
        return g * (last if type(g) is np.ndarray else _backend.like(g, last))

    @staticmethod
    def backward(ctx, gg):
        return gg, None


def address(arr):
    """Where the first element of ``arr`` lives (host or device memory), or None when its array
    module does not say (CuPy does: ``arr.data.ptr``)."""
    if type(arr) is np.ndarray:
        return arr.__array_interface__["data"][0]
    if not _backend.is_device_array(arr):
        return np.asarray(arr).__array_interface__["data"][0]
    return getattr(getattr(arr, "data", None), "ptr", None)


def _dense(arr):
    """Non-overlapping and dense: some order of the dims is C-contiguous (strides ignored for size 1)."""
    expected = arr.itemsize
    for st, n in sorted((st, n) for n, st in zip(arr.shape, arr.strides) if n != 1):
        if st != expected:
            return False
        expected *= n
    return True


def _track_saved_output(r, t, as_view=False):
    """An op that saved its output (sigmoid, exp, ...) now has it in ``t``'s buffer: later in-place
    writes to ``t`` must be seen by that op's version check.  ``as_view``: the output is read back
    as ``t`` itself, whose graph then goes through its root (PyTorch's, for a view whose elements
    share memory: a double backward sums over the elements sharing memory)."""
    node = r.grad_fn
    if node is None or r._ver is None or getattr(node, "_out_ver", None) is not r._ver:
        return
    from .autograd.function import _OUT
    node._out_ver = t._version
    node._out_data = t._data
    node._saved_ver = tuple(t._version[0] if s is _OUT else v for s, v in zip(node._saved, node._saved_ver))
    if as_view:
        node._saved = tuple(t if s is _OUT else s for s in node._saved)


class StridedView(Function):
    """A view of a root tensor given by a NumPy view function (the graph of a view after its root
    was written in place); the gradient scatters back, summing where the view repeats memory."""
    _view = True

    def name(self):
        return "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, fn):
        ctx.fn, ctx.shape = fn, x.shape
        return fn(x)

    @staticmethod
    def backward(ctx, g):
        return ViewAdjoint.apply(g, ctx.fn, ctx.shape), None


class ViewAdjoint(Function):
    """Zeros of the root's shape with ``g`` added at the positions the view ``fn`` reads."""

    @staticmethod
    def forward(ctx, g, fn, shape):
        ctx.fn = fn
        n = int(np.prod(shape))
        xp = _backend.array_module(g)
        idx = xp.asarray(fn(xp.arange(n).reshape(shape))).ravel()
        out = xp.bincount(idx, weights=g.astype(np.float64, copy=False).ravel(), minlength=n)
        return out.astype(g.dtype, copy=False).reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return StridedView.apply(gg, ctx.fn).contiguous(), None, None


class ViewWrite(Function):
    """The root's value after ``value`` was written into its view ``fn`` (PyTorch's CopySlices)."""

    def name(self):
        return "CopySlices"

    @staticmethod
    def forward(ctx, root, value, fn):
        ctx.fn = fn
        out = root.copy()
        view = fn(out)
        view[...] = value
        ctx.repeats = _repeats(view)  # (``out`` is dense: any memory the view repeats is the view's own doing)
        return out

    @staticmethod
    def backward(ctx, g):
        gr = gv = None
        if ctx.repeats:  # a write into repeated memory has no gradient (PyTorch raises)
            check_no_overlap(ctx.fn(_backend.array_module(g._data).empty(g._data.shape, dtype=bool)))
        if ctx.needs_input_grad[0]:
            keep = _backend.array_module(g._data).ones(g._data.shape, dtype=g._data.dtype)
            ctx.fn(keep)[...] = 0
            gr = g * Tensor._make(keep, None, False, None)
        if ctx.needs_input_grad[1]:
            gv = StridedView.apply(g, ctx.fn).contiguous()
        return gr, gv, None


class Overwrite(Function):
    """``x`` replaced by ``value`` (``copy_``, ``fill_``, ``zero_``): x stays in the graph with a zero
    gradient, as PyTorch's CopyBackwards (so what x's graph saved is still checked at backward)."""

    def name(self):
        return "CopyBackwards"

    @staticmethod
    def forward(ctx, x, value):
        return value.copy(order="K") if _backend.is_device_array(value) else np.array(value, copy=True)

    @staticmethod
    def backward(ctx, g):
        return Tensor._make(np.zeros_like(g._data), None, False, None), g
