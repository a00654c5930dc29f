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

from .autograd.grad_mode import state

Tensor = None  # set by npgrad.tensor once the class exists (avoids a circular import)


class InplaceOps:
    """The in-place methods of :class:`~npgrad.Tensor` (a mixin; see the module docstring)."""

    __slots__ = ()

    def _inplace(self, fn, *args):
        """Run ``fn(self, *args)`` and write the result into this tensor's own buffer.

        Under autograd the new value is computed from a copy of the old one (backward may need
        the old values, e.g. ``h.mul_(y)`` for y's gradient), so the graph stays correct; the
        version counter is bumped so that any backward that saved this tensor before refuses to
        run with the new value.
        """
        from .ops import elementwise as E
        record = state._grad and (self.requires_grad or any(
            isinstance(a, Tensor) and a.requires_grad for a in args))
        if record and self.requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        view_of = self.__dict__.get("_view_of") if record else None
        if view_of is not None and view_of[0].requires_grad and view_of[0].grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if record and view_of is None and self.grad_fn is not None and type(self.grad_fn)._view:
            # a view whose base is unknown here (e.g. expand): refuse rather than give wrong gradients
            raise RuntimeError(f"in-place {getattr(fn, '__name__', 'operation')} on a view ({self.grad_fn.name()}) "
                               "of a tensor that requires grad is not supported; use the out-of-place op "
                               "(e.g. `y = y * 2` instead of `y.mul_(2)`)")
        src = Tensor._make(self._data.copy(), self.grad_fn, self.requires_grad, None) if record else self
        if not record:
            with _no_grad_ctx():
                r = fn(src, *args)
        else:
            r = fn(src, *args)
            if r.grad_fn is not None and type(r.grad_fn)._view:
                # self owns its buffer: its new node must not look like a view op (see the check above)
                r = E.Cast.apply(r, r.dtype, False)
        E.check_inplace_dtype(r._data.dtype, self._data.dtype)
        if r._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(r._data.shape)}")
        np.copyto(self._data, r._data, casting="unsafe")
        self._version[0] += 1
        if record:
            self.grad_fn = r.grad_fn
            self.requires_grad = True
            if view_of is not None:  # written through a view: the base's graph must see it too
                view_of[0]._inplace(view_of[1], r)
            if self.__dict__.get("_views"):
                self._refresh_views()
        return self

    def _refresh_views(self):
        """After this tensor's graph changed in place, re-derive the graph of its live views
        (their data already follows, sharing memory), as PyTorch does."""
        alias = Tensor._make(self._data, self.grad_fn, True, self._version)
        for ref in list(self.__dict__["_views"].values()):
            v = ref()
            if v is not None:
                v.grad_fn = v._view_of[2](alias).grad_fn
                v.requires_grad = True
                if v.__dict__.get("_views"):
                    v._refresh_views()

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
        return self.add_(t1 * t2 * value) if value != 1 else self.add_(t1 * t2)

    def addcdiv_(self, t1, t2, value=1):
        return self.add_(t1 / t2 * value) if value != 1 else self.add_(t1 / t2)

    def lerp_(self, end, weight):
        return self.add_((end - self) * weight)

    def copy_(self, src, non_blocking=False):
        from .ops.elementwise import copy_like
        return self._inplace(copy_like, src)

    def fill_(self, value):
        from .ops.elementwise import copy_like
        return self._inplace(copy_like, value)

    def zero_(self):
        return self.fill_(0)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        from .random import _gen
        with _no_grad_ctx():
            self._data[...] = _gen(generator).uniform(a, b, self._data.shape)
        self._version[0] += 1
        return self

    def normal_(self, mean=0.0, std=1.0, generator=None):
        from .random import _gen
        with _no_grad_ctx():
            self._data[...] = _gen(generator).normal(mean, std, self._data.shape)
        self._version[0] += 1
        return self

    def bernoulli_(self, p=0.5, generator=None):
        from .random import _gen
        self._data[...] = _gen(generator).random(self._data.shape) < p
        self._version[0] += 1
        return self

    def __setitem__(self, key, value):
        from .ops.index import index_put, _convert_key
        if not (state._grad and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad))):
            # plain NumPy assignment: no full copy, views see the write
            v = value._data if isinstance(value, Tensor) else value
            try:
                self._data[_convert_key(key, self._data.shape)] = v
            except (ValueError, IndexError) as e:
                raise type(e)(f"setitem: cannot assign a value of shape {np.shape(v)} into a tensor of "
                              f"shape {tuple(self.shape)} at index {key!r}: {e}") from None
            self._version[0] += 1
            return
        self._inplace(lambda t, v: index_put(t, key, v), value)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)


def link_view(out, base, rebuild, reapply):
    """Record that ``out`` is a view of ``base`` (sharing memory), for in-place ops under autograd:
    ``rebuild(base, new_view_value)`` gives base's new value after a write through ``out``, and
    ``reapply(base)`` re-derives the view from base after base itself is modified in place."""
    out._view_of = (base, rebuild, reapply)
    if out.requires_grad:  # (a view made under no_grad stays a constant, whatever happens to base)
        import weakref
        views = base.__dict__.get("_views")
        if views is None:
            views = base._views = {}
        key = id(out)
        views[key] = weakref.ref(out, lambda _, d=views, k=key: d.pop(k, None))
    return out


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
                       (index, "masked_fill")):
        for n in names.split():
            if not hasattr(cls, n + "_"):
                setattr(cls, n + "_", _inplace_method(mod, n))
