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

import numpy as np

from . import _backend
from ._views import (LastWriteGrad, Overwrite, StridedView, ViewWrite, _advanced, _invalidate_multi,  # noqa: F401
                     _Invalidated, _multi_message, _track_saved_output, check_no_overlap, check_no_partial_overlap,
                     link_view, mark_multi_output, overlap_plan, write_overlapping)
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
        # (None unless elements of self share memory: unfold, as_strided)
        plan = None if self._data.flags.c_contiguous else overlap_plan(self._data)
        src = Tensor._make(self._data.copy(), self.grad_fn, self.requires_grad, None) if record else self
        edge = None
        if plan is not None and record and view_of is not None and self.requires_grad:
            # the op's edge to the old values passes only the elements written last (PyTorch's
            # CopySlices); what the op saves keeps the view's own graph (for double backward)
            edge = LastWriteGrad.apply(src, plan.last).grad_fn
        if not record:
            with _no_grad_ctx():
                r = fn(src, *args)
        elif edge is None:
            r = fn(src, *args)
        else:
            src.grad_fn, old_fn = edge, src.grad_fn
            try:
                r = fn(src, *args)
            finally:
                src.grad_fn = old_fn
        if record:
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
        if plan is None:
            np.copyto(self._data, r._data, casting="unsafe")
        else:  # element after element, as PyTorch: later elements read what earlier ones wrote
            write_overlapping(self._data, r._data, plan, None if fn is _copy_into else lambda: _recompute(self, fn, args))
        self._version[0] += 1
        _invalidate_multi(self)
        if record:
            self.grad_fn = r.grad_fn
            self.requires_grad = True
            _track_saved_output(r, self, as_view=edge is not None)
            if view_of is not None:  # written through a view: the root's graph must see it too
                root = view_of[0]
                old = Tensor._make(root._data, root.grad_fn, root.requires_grad, None)
                root.grad_fn = ViewWrite.apply(old, r, view_of[1]).grad_fn
                root.requires_grad = True
                root._refresh_views()  # (self too: its memory may repeat, as an expanded tensor's)
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
        from .ops.elementwise import lerp
        return self._inplace(lerp, end, weight)  # (one op: each element reads self once, as PyTorch's)

    def _check_operands(self, *args):
        """The overlap rule of ``_inplace`` for ops composed of others (their operands are read
        by the composed op, not by the final write)."""
        for a in args:
            if isinstance(a, Tensor) and a is not self:
                check_no_partial_overlap(self._data, a._data)

    def copy_(self, src, non_blocking=False):
        return self._inplace(_copy_into, src)

    def fill_(self, value):
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        return self._inplace(_copy_into, value, _overlap_ok=True)  # (allowed on expanded tensors, as PyTorch)

    def masked_fill_(self, mask, value):
        from .ops.index import masked_fill
        return self._inplace(masked_fill, mask, value, _overlap_ok=True)

    def zero_(self):
        return self.fill_(0)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        check_no_overlap(self._data)
        from .random import _gen_like
        with _no_grad_ctx():
            self._data[...] = _gen_like(self._data, generator).uniform(a, b, self._data.shape)
        self._version[0] += 1
        return self

    def normal_(self, mean=0.0, std=1.0, generator=None):
        check_no_overlap(self._data)
        from .random import _gen_like
        with _no_grad_ctx():
            self._data[...] = _gen_like(self._data, generator).normal(mean, std, self._data.shape)
        self._version[0] += 1
        return self

    def bernoulli_(self, p=0.5, generator=None):
        check_no_overlap(self._data)
        from .random import _gen_like
        self._data[...] = _gen_like(self._data, generator).random(self._data.shape) < p
        self._version[0] += 1
        return self

    def __setitem__(self, key, value):
        from .ops.index import index_put, _convert_key, _is_basic
        if state._grad and self.requires_grad and _advanced(key):  # (index_put_ checks this first)
            self._check_leaf_write(True, self.__dict__.get("_view_of"))
        k = _convert_key(key, self._data.shape, self._data)
        basic = _is_basic(k, type(self._data))
        if basic:  # x[basic] = v is a copy_ into the view x[basic]: PyTorch checks it for overlap
            region = self._data[k]
            if type(region) is not type(self._data):  # (a scalar: NumPy's full index)
                region = np.asarray(region)
            check_no_overlap(region)
            if isinstance(value, Tensor):
                check_no_partial_overlap(region, value._data, assign=True)
        if not (state._grad and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad))):
            # plain NumPy assignment: no full copy, views see the write
            v = value._data if isinstance(value, Tensor) else value
            if type(v) is not type(self._data) and _backend._BACKENDS and (
                    _backend.is_device_array(self._data) or _backend.is_device_array(v)):
                v = _value_on_device_of(self._data, value, basic)
            try:
                self._data[k] = v
            except (ValueError, IndexError) as e:
                # a value that does not broadcast to the indexed region: RuntimeError, as PyTorch
                kind = RuntimeError if isinstance(e, ValueError) else IndexError
                raise kind(f"setitem: cannot assign a value of shape {np.shape(v)} into a tensor of "
                           f"shape {tuple(self.shape)} at index {key!r}: {e}") from None
            self._version[0] += 1
            _invalidate_multi(self)
            return
        if basic:  # a copy_ into the view self[key], as PyTorch (the write is that view's, not self's)
            from .ops.index import getitem
            lead = 0  # (PyTorch drops the value's leading size-1 dims)
            while isinstance(value, Tensor) and lead < value.dim() - region.ndim and value.shape[lead] == 1:
                lead += 1
            if lead:
                value = value[(0,) * lead]
            getitem(self, k)._inplace(_copy_into, value, _overlap_ok=True)
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


def _value_on_device_of(arr, value, basic):
    """A value written into ``arr``, on ``arr``'s device.  Numbers stay numbers; lists and NumPy
    arrays move; a tensor on another device moves into a basic index (a copy_, as in PyTorch) or
    when it is 0-d, and is refused elsewhere (PyTorch's index_put_)."""
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(v, (int, float, bool, np.number, np.bool_)):
        return v
    have, want = _backend.device_of(v), _backend.device_of(arr)
    if isinstance(value, Tensor) and have != want and not basic and v.ndim:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{want} and {have}!")
    if _backend.is_device_array(v):
        return _backend.transfer(v, want)
    return _backend.like(arr, np.asarray(v, dtype=arr.dtype))


def _copy_into(t, src):
    from .ops.elementwise import copy_like
    if isinstance(src, Tensor) and type(src._data) is not type(t._data):
        src = src.to(t.device)  # a copy between devices (differentiable), as PyTorch's copy_
    value = copy_like(t, src)
    return Overwrite.apply(t, value) if t.requires_grad and state._grad else value


def _recompute(t, fn, args):
    """``fn(t, *args)`` on what ``t`` holds now, outside the graph."""
    with _no_grad_ctx():
        return fn(Tensor._make(t._data.copy(), None, False, None), *args)._data


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
