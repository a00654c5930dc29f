"""In-place tensor ops (``add_``, ``mul_``, ``x[i] = v``, ``-=`` ...) under autograd.

An in-place op computes the out-of-place result and writes it into the tensor's own buffer,
bumping the version counter that saved tensors check (PyTorch's rule: modifying a tensor that
backward still needs raises instead of giving wrong gradients).  Writes through a view update
the base's graph, and a base's views re-derive their graph after the base changes, as in PyTorch.

>>> import npgrad
>>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
>>> h = x * 1
>>> h.mul_(3)[0] = 0.0
>>> h.sum().backward(); x.grad
tensor([0., 3.])
"""
from __future__ import annotations

import weakref

import numpy as np

from .autograd.function import Function
from .autograd.grad_mode import state

Tensor = None  # set by npgrad.tensor once the class exists (avoids a circular import)


class InplaceOps:
    """The in-place methods of :class:`~npgrad.Tensor` (a mixin; see the module docstring)."""

    __slots__ = ()

    def _inplace(self, fn, *args, _overlap_ok=False):
        """Run ``fn(self, *args)`` and write the result into this tensor's own buffer.

        Under autograd the new value is computed from a copy of the old one (backward may need
        the old values, e.g. ``h.mul_(y)`` for y's gradient), so the graph stays correct; the
        version counter is bumped so that any backward that saved this tensor before refuses to
        run with the new value.  A write through a view becomes a write into its root tensor
        (``ViewWrite``), whose other views then re-derive their graph from it, as in PyTorch.
        """
        if not _overlap_ok:
            check_no_overlap(self._data)
            for a in args:
                if isinstance(a, Tensor) and a is not self:
                    check_no_partial_overlap(self._data, a._data)
        record = state._grad and (self.requires_grad or any(
            isinstance(a, Tensor) and a.requires_grad for a in args))
        view_of = self.__dict__.get("_view_of") if record else None
        self._check_leaf_write(record, view_of)
        if record and "_multi" in self.__dict__:
            raise RuntimeError(_multi_message(self, "is being modified inplace"))
        if record and view_of is None and self.grad_fn is not None and type(self.grad_fn)._view:
            # a view whose base is unknown here: refuse rather than give wrong gradients
            raise RuntimeError(f"in-place {getattr(fn, '__name__', 'operation')} on a view ({self.grad_fn.name()}) "
                               "of a tensor that requires grad is not supported; use the out-of-place op "
                               "(e.g. `y = y * 2` instead of `y.mul_(2)`)")
        src = Tensor._make(self._data.copy(), self.grad_fn, self.requires_grad, None) if record else self
        if not record:
            with _no_grad_ctx():
                r = fn(src, *args)
        else:
            r = fn(src, *args)
            if not r.requires_grad:  # overwritten by a constant (fill_, zero_, copy_ of a constant)
                r = Overwrite.apply(src, r)
            elif r.grad_fn is not None and type(r.grad_fn)._view:
                # self owns its buffer: its new node must not look like a view op (see the check above)
                from .ops import elementwise as E
                r = E.Cast.apply(r, r.dtype, False)
        from .ops import elementwise as E
        E.check_inplace_dtype(r._data.dtype, self._data.dtype)
        if r._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(r._data.shape)}")
        np.copyto(self._data, r._data, casting="unsafe")
        self._version[0] += 1
        _invalidate_multi(self)
        if record:
            self.grad_fn = r.grad_fn
            self.requires_grad = True
            _track_saved_output(r, self)
            if view_of is not None:  # written through a view: the root's graph must see it too
                root = view_of[0]
                old = Tensor._make(root._data, root.grad_fn, root.requires_grad, None)
                root.grad_fn = ViewWrite.apply(old, r, view_of[1]).grad_fn
                root.requires_grad = True
                root._refresh_views(skip=self)
            elif self.__dict__.get("_views"):
                self._refresh_views()
        return self

    def _check_leaf_write(self, record, view_of):
        """PyTorch refuses in-place writes to a leaf that requires grad, or to a view of one."""
        if view_of is not None and view_of[0].requires_grad and view_of[0].grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if record and self.requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _refresh_views(self, skip=None):
        """After this (root) tensor's graph changed in place, re-derive the graph of its live views
        (their data already follows, sharing memory), as PyTorch does."""
        views = self.__dict__.get("_views")
        if not views:
            return
        alias = Tensor._make(self._data, self.grad_fn, self.requires_grad, self._version)
        for ref in list(views.values()):
            v = ref()
            if v is not None and v is not skip:
                if "_multi" in v.__dict__:
                    v.grad_fn = _Invalidated(_multi_message(v, "its base or another view of its base has been "
                                                               "modified inplace"))
                else:
                    v.grad_fn = StridedView.apply(alias, v._view_of[1]).grad_fn
                v.requires_grad = alias.requires_grad

    def add_(self, other, alpha=1):
        from .ops.elementwise import add
        return self._inplace(add, other, alpha)

    def sub_(self, other, alpha=1):
        from .ops.elementwise import sub
        return self._inplace(sub, other, alpha)

    def mul_(self, other):
        from .ops.elementwise import mul
        return self._inplace(mul, other)

    def div_(self, other, rounding_mode=None):
        from .ops.elementwise import div
        return self._inplace(div, other, rounding_mode)

    def pow_(self, exponent):
        from .ops.elementwise import pow
        return self._inplace(pow, exponent)

    def clamp_(self, min=None, max=None):
        from .ops.elementwise import clamp
        return self._inplace(clamp, min, max)

    clip_ = clamp_

    def neg_(self):
        from .ops.elementwise import neg
        return self._inplace(neg)

    def exp_(self):
        from .ops.elementwise import exp
        return self._inplace(exp)

    def sqrt_(self):
        from .ops.elementwise import sqrt
        return self._inplace(sqrt)

    def relu_(self):
        from .ops.elementwise import relu
        return self._inplace(relu)

    def addcmul_(self, t1, t2, value=1):
        self._check_operands(t1, t2)
        return self.add_(t1 * t2 * value) if value != 1 else self.add_(t1 * t2)

    def addcdiv_(self, t1, t2, value=1):
        self._check_operands(t1, t2)
        return self.add_(t1 / t2 * value) if value != 1 else self.add_(t1 / t2)

    def lerp_(self, end, weight):
        self._check_operands(end, weight)
        return self.add_((end - self) * weight)

    def _check_operands(self, *args):
        """The overlap rule of ``_inplace`` for ops composed of others (their operands are read
        by the composed op, not by the final write)."""
        for a in args:
            if isinstance(a, Tensor) and a is not self:
                check_no_partial_overlap(self._data, a._data)

    def copy_(self, src, non_blocking=False):
        from .ops.elementwise import copy_like
        return self._inplace(copy_like, src)

    def fill_(self, value):
        from .ops.elementwise import copy_like
        return self._inplace(copy_like, value, _overlap_ok=True)  # (allowed on expanded tensors, as PyTorch)

    def masked_fill_(self, mask, value):
        from .ops.index import masked_fill
        return self._inplace(masked_fill, mask, value, _overlap_ok=True)

    def zero_(self):
        return self.fill_(0)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        check_no_overlap(self._data)
        from .random import _gen
        with _no_grad_ctx():
            self._data[...] = _gen(generator).uniform(a, b, self._data.shape)
        self._version[0] += 1
        return self

    def normal_(self, mean=0.0, std=1.0, generator=None):
        check_no_overlap(self._data)
        from .random import _gen
        with _no_grad_ctx():
            self._data[...] = _gen(generator).normal(mean, std, self._data.shape)
        self._version[0] += 1
        return self

    def bernoulli_(self, p=0.5, generator=None):
        check_no_overlap(self._data)
        from .random import _gen
        self._data[...] = _gen(generator).random(self._data.shape) < p
        self._version[0] += 1
        return self

    def __setitem__(self, key, value):
        from .ops.index import index_put, _convert_key, _is_basic
        if state._grad and self.requires_grad and _advanced(key):  # (index_put_ checks this first)
            self._check_leaf_write(True, self.__dict__.get("_view_of"))
        k = _convert_key(key, self._data.shape)
        if _is_basic(k):  # x[basic] = v is a copy_ into the view x[basic]: PyTorch checks it for overlap
            region = np.asarray(self._data[k])
            check_no_overlap(region)
            if isinstance(value, Tensor):
                check_no_partial_overlap(region, value._data, assign=True)
        if not (state._grad and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad))):
            # plain NumPy assignment: no full copy, views see the write
            v = value._data if isinstance(value, Tensor) else value
            try:
                self._data[k] = v
            except (ValueError, IndexError) as e:
                raise type(e)(f"setitem: cannot assign a value of shape {np.shape(v)} into a tensor of "
                              f"shape {tuple(self.shape)} at index {key!r}: {e}") from None
            self._version[0] += 1
            _invalidate_multi(self)
            return
        self._inplace(lambda t, v: index_put(t, key, v), value, _overlap_ok=True)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)


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
    return any(isinstance(k, (list, np.ndarray, Tensor, bool)) for k in items)


def check_no_overlap(arr):
    """PyTorch refuses most writes into a tensor whose elements share memory (an expanded one)."""
    if arr.size == 0:
        return
    for n, st in zip(arr.shape, arr.strides):
        if st == 0 and n > 1:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                               "to a single memory location. Please clone() the tensor before performing the "
                               "operation.")


def check_no_partial_overlap(out, arr, assign=False):
    """PyTorch's rule for an operand of an in-place op: it may be the written memory exactly (same
    place, same strides) or elsewhere, but not partly the same (the result would depend on the
    order of the writes).  ``assign``: ``x[key] = arr``, where ``arr`` is first broadcast to the
    written region (then only the sizes above 1 and their strides must agree)."""
    if assign:
        try:
            arr = np.broadcast_to(arr, out.shape)
        except ValueError:
            return  # (the assignment reports the shape mismatch)
    if out.size == 0 or arr.size == 0 or not (_dense(out) and _dense(arr)):
        return  # (not checked, as PyTorch's "too hard" case)
    a0, b0 = out.__array_interface__["data"][0], arr.__array_interface__["data"][0]
    a1, b1 = a0 + out.nbytes, b0 + arr.nbytes
    # (the stride of a size-1 dim is arbitrary in NumPy: PyTorch's would match)
    same = out.shape == arr.shape and all(a == b for a, b, n in zip(out.strides, arr.strides, out.shape) if n != 1)
    if (a0 == b0 and a1 == b1 and same) or a1 <= b0 or b1 <= a0:
        return
    if np.may_share_memory(out, arr):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                           "refer to a single memory location. Please clone() the tensor before performing the "
                           "operation.")


def _dense(arr):
    """Non-overlapping and dense: some order of the dims is C-contiguous (strides ignored for size 1)."""
    expected = arr.itemsize
    for st, n in sorted((st, n) for n, st in zip(arr.shape, arr.strides) if n != 1):
        if st != expected:
            return False
        expected *= n
    return True


def _track_saved_output(r, t):
    """An op that saved its output (sigmoid, exp, ...) now has it in ``t``'s buffer: later in-place
    writes to ``t`` must be seen by that op's version check."""
    node = r.grad_fn
    if node is None or r._ver is None or getattr(node, "_out_ver", None) is not r._ver:
        return
    from .autograd.function import _OUT
    node._out_ver = t._version
    node._out_data = t._data
    node._saved_ver = tuple(t._version[0] if s is _OUT else v for s, v in zip(node._saved, node._saved_ver))


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
        idx = np.asarray(fn(np.arange(n).reshape(shape))).ravel()
        out = np.bincount(idx, weights=np.asarray(g, dtype=np.float64).ravel(), minlength=n)
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
        fn(out)[...] = value
        return out

    @staticmethod
    def backward(ctx, g):
        gr = gv = None
        check_no_overlap(ctx.fn(g._data))  # a write into repeated memory has no gradient (PyTorch raises)
        if ctx.needs_input_grad[0]:
            keep = np.ones(g._data.shape, dtype=g._data.dtype)
            ctx.fn(keep)[...] = 0
            gr = g * Tensor._make(keep, None, False, None)
        if ctx.needs_input_grad[1]:
            gv = StridedView.apply(g, ctx.fn).contiguous()
        return gr, gv, None


class Overwrite(Function):
    """``x`` replaced by a constant (``fill_``, ``zero_``): still in the graph, with a zero gradient."""

    def name(self):
        return "FillBackward0"

    @staticmethod
    def forward(ctx, x, value):
        return np.array(value, copy=True)

    @staticmethod
    def backward(ctx, g):
        return Tensor._make(np.zeros_like(g._data), None, False, None), None


def _no_grad_ctx():
    from .autograd.grad_mode import no_grad
    return no_grad()


def _inplace_method(mod, name):
    """``x.name_(*args)``: the out-of-place op written back into ``x`` (see ``InplaceOps._inplace``)."""
    def method(self, *args, **kwargs):
        fn = getattr(mod, name)
        return self._inplace(lambda t, *a: fn(t, *a, **kwargs), *args)
    method.__name__ = method.__qualname__ = name + "_"
    return method


def add_unary_inplace_methods(cls, elementwise, index):
    for mod, names in ((elementwise, "abs log log1p sigmoid tanh sin cos rsqrt sign floor ceil round trunc "
                                     "reciprocal square clamp_min clamp_max remainder fmod"),
                       (index, "")):
        for n in names.split():
            if not hasattr(cls, n + "_"):
                setattr(cls, n + "_", _inplace_method(mod, n))
