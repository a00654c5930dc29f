"""Tracing: run a model's forward once and record every operation with its attributes.

Two levels are recorded, whichever carries more meaning:

* **modules** whose type is in the module table (``BatchNorm2d``, ``LayerNorm``, ``LSTM``, ...) are
  recorded as one operation, and the primitives inside them are not;
* everywhere else, each primitive (each ``Function.apply``: ``Linear``, ``Conv2d``, ``Add``,
  ``Reshape``, ...) is recorded with its non-tensor arguments (axes, stride, padding, eps, ...).

Recording switches on only inside :func:`tracing`: it replaces ``Function.apply`` (and the two
in-place entry points of ``Tensor``, and ``cast`` for the integer casts that need no Function) for
the duration and registers forward hooks on the model's
modules, then puts everything back; outside it nothing is different and nothing costs more.

A value is named by a *value id*: ``("in", k)`` for the k-th model input, ``(i, j)`` for output j of
record i.  A tensor that is no recorded value (a parameter, a buffer, a constant made inside
``forward``) is kept as the object itself and becomes an initializer when exported.
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


class ExportError(RuntimeError):
    """A model, or an operation in it, that ``npgrad.onnx.export`` cannot express."""


class Record:
    """One traced operation: a ``Function`` class or a module, its arguments and outputs."""
    __slots__ = ("kind", "op", "args", "kwargs", "vids", "data", "outs", "out_shapes", "path", "owner")

    def __init__(self, kind, op, args, kwargs, leaves, vids, outs, path, owner):
        self.kind, self.op, self.args, self.kwargs, self.vids = kind, op, args, kwargs, vids
        self.outs, self.path, self.owner = outs, path, owner
        self.out_shapes = [tuple(o._data.shape) for o in outs]
        # the values of the arrays that become constants, as they were here (a later in-place write
        # must not change them); and of every argument of the ops whose export reads values
        values = kind == "function" and op.__name__ in VALUE_OPS
        self.data = [np.array(_array(a)) if _array(a) is not None and (v is None or values) else None
                     for a, v in zip(leaves, vids)]

    def where(self):
        """``model.3 (MyBlock)``: where in the model this operation ran."""
        return f"{self.path} ({self.owner})"

    def op_name(self):
        return type(self.op).__name__ if self.kind == "module" else self.op.__name__


#: primitives whose export looks at argument values (to recover a slope, or to see an arg-max)
VALUE_OPS = ("LeakyRelu", "Gather")


def _array(obj):
    if isinstance(obj, Tensor):
        return obj._data
    return obj if isinstance(obj, np.ndarray) else None


def flatten(obj):
    """The leaves (tensors, arrays, None, numbers) of nested tuples/lists/dicts, depth first."""
    if isinstance(obj, (tuple, list)):
        return [leaf for item in obj for leaf in flatten(item)]
    if isinstance(obj, dict):
        return [leaf for item in obj.values() for leaf in flatten(item)]
    return [obj]


class Trace:
    """The records of one forward run, and the map from live objects to value ids."""

    def __init__(self, module_table, fold_constants):
        self.records = []
        self.module_table = module_table
        self.fold = fold_constants
        self._vid = {}        # id(Tensor or ndarray) -> value id
        self._keep = []       # every object whose id is in _vid stays alive, so ids are not reused
        self._stack = [("model", "Module", False)]
        self._suspend = 0
        self._tracked = []    # tracked tensors (for the view checks of in-place writes)

    # -- values ---------------------------------------------------------------------------------
    def bind(self, obj, vid):
        self._vid[id(obj)] = vid
        self._keep.append(obj)
        if isinstance(obj, Tensor):
            self._vid[id(obj._data)] = vid
            self._keep.append(obj._data)
            self._tracked.append(obj)

    def vid_of(self, obj):
        """The value id of a traced tensor (or of the array behind one), else None."""
        if isinstance(obj, Tensor):
            v = self._vid.get(id(obj))
            return v if v is not None else self._vid.get(id(obj._data))
        if isinstance(obj, np.ndarray):
            return self._vid.get(id(obj))
        return None

    def where(self):
        path, owner = self._stack[-1][:2]
        return f"{path} ({owner})"

    # -- recording ------------------------------------------------------------------------------
    def add(self, kind, op, args, kwargs, leaves, outs):
        vids = [self.vid_of(a) for a in leaves]
        if self.fold and all(v is None for v in vids):
            return  # computed from constants only: its result is a constant too
        outs = [o for o in outs if isinstance(o, Tensor)]
        path, owner = self._stack[-1][:2]
        rec = Record(kind, op, args, kwargs, leaves, vids, outs, path, owner)
        self._keep.append(rec)
        i = len(self.records)
        self.records.append(rec)
        for j, o in enumerate(outs):
            self.bind(o, (i, j))

    def function(self, cls, args, kwargs, out):
        if not self._suspend:
            self.add("function", cls, args, kwargs, args, [out])

    def enter(self, module, path, args, kwargs):
        entry = self.module_table.get(type(module))
        whole = not self._suspend and entry is not None and entry[0](module)
        self._stack.append((path, type(module).__name__, whole))
        if whole:
            self._suspend += 1

    def leave(self, module, args, kwargs, output):
        path, owner, whole = self._stack.pop()
        if whole:
            self._suspend -= 1
            leaves = flatten(args) + flatten(kwargs)
            self._stack.append((path, owner, False))
            self.add("module", module, args, kwargs, leaves, flatten(output))
            self._stack.pop()

    def inplace(self, target, result):
        """``target`` now holds ``result``'s value (an in-place op): later uses must see the new value."""
        if self._suspend or self.vid_of(target) is None and self.vid_of(result) is None:
            return
        if "_view_of" in target.__dict__ or any(
                t is not target and t.__dict__.get("_view_of", (None,))[0] is target for t in self._tracked):
            raise ExportError(f"onnx.export: {self.where()}: an in-place operation writes into a tensor that "
                              "shares memory with another one (a view); this is not supported: use the "
                              "out-of-place operation")
        vid = self.vid_of(result)
        if vid is None:
            raise ExportError(f"onnx.export: {self.where()}: an in-place operation replaced a traced value by a "
                              "constant; this is not supported")
        self._vid[id(target)] = vid
        self._vid[id(target._data)] = vid

    def setitem(self, target):
        if not self._suspend and self.vid_of(target) is not None:
            raise ExportError(f"onnx.export: {self.where()}: index assignment (x[...] = v) into a traced tensor "
                              "is not supported; build the tensor with torch.cat/torch.where instead")


_active = None


def _traced_apply(orig):
    def apply(cls, *args, **kwargs):
        out = orig.__get__(None, cls)(*args, **kwargs)
        tr = _active
        if tr is not None:
            tr.function(cls, args, kwargs, out)
        return out
    return classmethod(apply)


def _traced_inplace(orig):
    def _inplace(self, fn, *args, **kwargs):
        got = []

        def run(*a, **k):
            r = fn(*a, **k)
            got.append(r)
            return r
        res = orig(self, run, *args, **kwargs)
        if _active is not None and got:
            _active.inplace(self, got[-1])
        return res
    return _inplace


def _traced_setitem(orig):
    def __setitem__(self, *args, **kwargs):
        if _active is not None:
            _active.setitem(self)
        return orig(self, *args, **kwargs)
    return __setitem__


def _traced_cast(orig, cast_fn):
    # integer <-> float casts skip Function.apply (no gradient flows through them): record them here
    def cast(x, dt, *args, **kwargs):
        out = orig(x, dt, *args, **kwargs)
        tr = _active
        if tr is not None and out is not x and tr.vid_of(out) is None:
            tr.function(cast_fn, (x, dt, False), {}, out)
        return out
    return cast


@contextlib.contextmanager
def tracing(model, module_table, fold_constants=True):
    """Within the block, ops run by ``model`` (and any other npgrad code) are recorded into the trace."""
    global _active
    if _active is not None:
        raise ExportError("onnx.export: already tracing (export is not reentrant)")
    trace = Trace(module_table, fold_constants)
    trace._stack[0] = ("model", type(model).__name__, False)
    saved = {name: Tensor.__dict__.get(name) for name in ("_inplace", "__setitem__")}
    orig_apply = Function.__dict__["apply"]
    handles = []
    for path, m in model.named_modules():
        full = "model" + ("." + path if path else "")
        handles.append(m.register_forward_pre_hook(
            lambda mod, a, k, p=full: trace.enter(mod, p, a, k), with_kwargs=True))
        handles.append(m.register_forward_hook(
            lambda mod, a, k, out: trace.leave(mod, a, k, out), with_kwargs=True))
    from ..ops import elementwise
    orig_cast = elementwise.cast
    Function.apply = _traced_apply(orig_apply)
    elementwise.cast = _traced_cast(orig_cast, elementwise.Cast)
    Tensor._inplace = _traced_inplace(Tensor._inplace)
    Tensor.__setitem__ = _traced_setitem(Tensor.__setitem__)
    _active = trace
    try:
        yield trace
    finally:
        _active = None
        Function.apply = orig_apply
        elementwise.cast = orig_cast
        for name, value in saved.items():
            if value is None:
                delattr(Tensor, name)
            else:
                setattr(Tensor, name, value)
        for h in handles:
            h.remove()
