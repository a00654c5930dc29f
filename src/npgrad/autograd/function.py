"""The ``Function`` base: one differentiable primitive = ``forward`` and ``backward`` side by side.

Built-in primitives subclass :class:`Function` directly.  Their ``forward(ctx, *args)`` receives
NumPy arrays (tensor arguments are unwrapped) and returns one array; their
``backward(ctx, grad)`` receives the gradient of the output as a :class:`~npgrad.Tensor` and returns
one gradient per positional argument (``None`` where there is none), written with npgrad ops so
that ``create_graph=True`` can differentiate the backward pass itself.

A gradient may come back in the broadcast shape of the output: the engine sums it down to the
input's shape (the only place where broadcasting is undone) and casts it to the input's dtype.

The instance created for each call is both PyTorch's ``ctx`` and the graph node (``grad_fn``).
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import _backend
from .grad_mode import state

_FREED = object()
_OUT = object()

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

_new = object.__new__
#: creation order of graph nodes: a node's inputs come from nodes created before it, so running
#: the nodes from the highest number down is a topological order of any graph (see the engine)
_next_seq = itertools.count().__next__
#: all-False ``needs_input_grad`` tuples of the common arities (longer ones are built per call)
_FALSES = [(False,) * n for n in range(64)]
_NEEDS = {}


def _zeros(n):
    return _ZERO_VERSIONS[n] if n < 16 else (0,) * n


_ZERO_VERSIONS = [(0,) * n for n in range(16)]


def _needs_tuple(n, mask):
    """The ``needs_input_grad`` tuple for ``n`` arguments and a bit mask, shared (not allocated per op)."""
    if n >= 16:  # rare wide ops (cat/stack of many tensors): too many masks to be worth caching
        return tuple(bool(mask >> i & 1) for i in range(n))
    key = mask | (1 << n)  # the top bit marks n: unique since mask < 2**n
    t = _NEEDS.get(key)
    if t is None:
        t = _NEEDS[key] = tuple(bool(mask >> i & 1) for i in range(n))
    return t


#: ``needs_input_grad`` tuples of 0-3 arguments indexed by their bit mask (the common arities)
_NEEDS_BY_MASK = [[_needs_tuple(n, m) for m in range(1 << n)] for n in range(4)]

Tensor = None  # set by npgrad.tensor once the class exists (avoids a circular import)
_make = None


class Function:
    """Base class of differentiable operations.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, grad_output)`` as static
    methods and are called through ``apply``.  ``ctx.save_for_backward(*arrays)`` keeps what
    backward needs; ``ctx.saved_tensors`` gives it back as tensors (checking that none was
    modified in place since); ``ctx.needs_input_grad`` tells which arguments want a gradient.
    """

    __slots__ = ("_next", "_meta", "_seq", "_saved", "_saved_ver", "needs_input_grad", "_hooks",
                 "_out_ver", "_out_data", "__dict__", "__weakref__")

    #: True for ops whose output shares memory with their first argument (reshape, slicing, ...):
    #: the output then shares the argument's version counter, so in-place writes through
    #: either one are seen by the checks of both.
    _view = False
    #: public ``autograd.Function`` subclasses see tensors, built-in primitives see arrays.
    _tensor_io = False

    # -- ctx API -------------------------------------------------------------------------
    def save_for_backward(self, *items):
        self._saved = items

    def mark_non_differentiable(self, *outputs):
        """Outputs of a user-defined Function that get no gradient (their results do not require grad)."""
        self._non_differentiable = [id(o) for o in outputs]

    def set_materialize_grads(self, value):
        pass

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(SECOND_BACKWARD)
        if saved is None:
            return ()
        vers = self._saved_ver
        if vers is None:
            # the usual case: every saved tensor was at version 0 and the output is not among them
            # (one object less per node for the garbage collector); unchanged, they are returned as is
            for item in saved:
                if isinstance(item, Tensor) and item._ver is not None and item._ver[0]:
                    break
            else:
                return saved
            vers = _zeros(len(saved))
        out = []
        for item, ver in zip(saved, vers):
            if item is _OUT:
                if self._out_ver[0] != ver:
                    _raise_modified(self, "output 0 of " + self.name(), ver, self._out_ver[0], self._out_data)
                item = Tensor._make(self._out_data, self, True, self._out_ver)
            elif ver is not None and isinstance(item, Tensor) and _version_of(item) != ver:
                _raise_modified(self, "an input of " + self.name(), ver, _version_of(item), item._data)
            out.append(item)
        return tuple(out)

    @property
    def next_functions(self):

        return tuple((AccumulateGrad(n) if isinstance(n, Tensor) else n, 0) for n in self._next)

    def name(self):
        return type(self).__name__ + "Backward0"

    def register_hook(self, fn):
        """Hook called with the gradient of this node's output before its backward runs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)

    def __repr__(self):
        return f"<{self.name()} object>"

    # -- calling -------------------------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        T = Tensor
        ctx = _new(cls)
        ctx._saved = None
        ctx._hooks = None
        if not state.recording_any and not cls._tensor_io:
            # fast path (no_grad, e.g. inside backward): no graph, no bookkeeping
            try:  # (a try costs nothing until it raises)
                ctx.needs_input_grad = _FALSES[len(args)]
            except IndexError:  # 64 or more arguments: built for this call
                ctx.needs_input_grad = (False,) * len(args)
            arrays = []
            for a in args:
                arrays.append(a._data if isinstance(a, T) else a)
            try:
                out = cls.forward(ctx, *arrays, **kwargs)
            except TypeError as e:
                if not _backend._BACKENDS:
                    raise
                args, arrays = _backend.on_one_device(args, arrays, e)
                out = cls.forward(ctx, *arrays, **kwargs)
            if type(out) is not np.ndarray:
                out = _backend.as_array(out)
            return _make(out, None, False, args[0]._version if cls._view and isinstance(args[0], T) else None)
        arrays = []
        mask = 0
        bit = 1
        grad_on = state._grad
        for a in args:
            if isinstance(a, T):
                arrays.append(a._data)
                if grad_on and a.requires_grad:
                    mask |= bit
            else:
                arrays.append(a)
            bit <<= 1
        record = mask != 0
        n = len(args)
        # set before forward, so forward can save only what the wanted gradients need
        ctx.needs_input_grad = _NEEDS_BY_MASK[n][mask] if n < 4 else _needs_tuple(n, mask)
        if cls._tensor_io:
            return _apply_tensor_io(cls, ctx, args, kwargs, record)
        try:
            raw = cls.forward(ctx, *arrays, **kwargs)
        except TypeError as e:
            if not _backend._BACKENDS:
                raise
            # arrays on two devices: PyTorch's error, or (a CPU scalar tensor) moved and run again
            args, arrays = _backend.on_one_device(args, arrays, e)
            ctx._saved = None
            raw = cls.forward(ctx, *arrays, **kwargs)
        out = raw if type(raw) is np.ndarray else _backend.as_array(raw)
        return _finish(cls, ctx, args, out, record, raw)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")


def _finish(cls, ctx, args, out, record, raw=None):
    """Wrap ``out`` as a tensor and, when a gradient is wanted, connect ``ctx`` into the graph."""
    version = args[0]._version if cls._view and isinstance(args[0], Tensor) else None
    if state._anomaly:
        _check_finite(out, f"Function '{cls.__name__}' returned nan or inf values in its output")
    tangent = None
    if state._fw:
        from .forward_ad import propagate
        tangent = propagate(cls, ctx, args, out)
    if record:
        # _meta (shape, dtype per input) is only kept when some input differs from the output in
        # shape or dtype: only then can a gradient need summing down or casting in the engine
        needs = ctx.needs_input_grad
        nxt = []
        meta = None
        oshape = out.shape
        odt = out.dtype
        for a, need in zip(args, needs):
            if need:
                nxt.append(a.grad_fn or a)
                d = a._data
                if meta is None and (d.shape != oshape or (d.dtype is not odt and d.dtype != odt)):
                    meta = [(b._data.shape, b._data.dtype) if nb else None for b, nb in zip(args, needs)]
            else:
                nxt.append(None)
        ctx._next = nxt
        ctx._meta = meta
        ctx._seq = _next_seq()
        t = _make(out, ctx, True, version)
        if ctx._saved is not None and _resolve_saved(ctx, args, out, raw):
            ctx._out_ver = t._version  # the output was saved: its in-place writes must be seen
    else:
        t = _make(out, None, False, version)
    if tangent is not None:
        t._fw_tangent = tangent
    return t


def _resolve_saved(ctx, args, out, raw=None):
    """Turn the arrays forward saved into tensors (inputs), an output marker, or constants,
    recording each tensor's version so in-place modification is caught at backward time.
    Returns whether the output itself was saved."""
    items = []
    vers = []
    saved_out = False
    for s in ctx._saved:
        if s is None or type(s) is float or type(s) is int:
            items.append(s)
            vers.append(None)
            continue
        if isinstance(s, Tensor):
            s = s._data
        # (a 0-d result may come back from NumPy as a scalar ``raw``, wrapped into ``out``)
        if s is out or (s is raw and raw is not None):
            items.append(_OUT)
            vers.append(0)
            ctx._out_data = out
            saved_out = True
            continue
        for a in args:
            if isinstance(a, Tensor) and a._data is s:
                items.append(a)
                v = a._ver  # (no counter yet: version 0)
                vers.append(0 if v is None else v[0])
                break
        else:
            # constants: arrays become tensors; numbers (a Python scalar operand) stay numbers
            is_array = isinstance(s, np.ndarray) or _backend.is_device_array(s)
            items.append(Tensor._make(s, None, False, None) if is_array else s)
            vers.append(None)
    ctx._saved = tuple(items)
    ctx._saved_ver = tuple(vers) if saved_out or any(vers) else None
    return saved_out


def _version_of(t):
    """A tensor's version without creating its counter (a tensor without one is at version 0)."""
    v = t._ver
    return 0 if v is None else v[0]


def _apply_tensor_io(cls, ctx, args, kwargs, record):
    """User-defined Functions (PyTorch style) see detached tensors in forward and backward."""

    from .grad_mode import no_grad
    det = [a.detach() if isinstance(a, Tensor) else a for a in args]
    setup = getattr(cls, "setup_context", None)
    with no_grad():
        if setup is None or getattr(setup, "_default", False):
            out = cls.forward(ctx, *det, **kwargs)
        else:  # PyTorch's other style: forward(*args) without ctx, then setup_context(ctx, inputs, output)
            out = cls.forward(*det, **kwargs)
            setup(ctx, tuple(det), out)
    if isinstance(out, tuple):
        return _apply_multi_output(cls, ctx, args, out, record)
    if not isinstance(out, Tensor):
        raise TypeError(f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}")
    if id(out) in ctx.__dict__.get("_non_differentiable", ()):
        return _make(out._data, None, False, None)
    # identify saved inputs by their shared array
    return _finish(cls, ctx, args, out._data, record)


def _apply_multi_output(cls, ctx, args, outs, record):
    """A forward that returned several tensors.  The graph node (``ctx``) gets one output: the
    differentiable results flattened and concatenated; each result is a ``_Piece`` of it, so the
    engine hands the node every result's gradient at once (zeros for results not used), as PyTorch
    hands them to ``backward``."""
    skip = ctx.__dict__.get("_non_differentiable", ())
    diff = [i for i, o in enumerate(outs)
            if isinstance(o, Tensor) and o._data.dtype.kind in "fc" and id(o) not in skip]
    results = [_make(o._data, None, False, None) if isinstance(o, Tensor) else o for o in outs]
    if not record or not diff:
        return tuple(results)
    arrays = [outs[i]._data for i in diff]
    dtype = np.result_type(*arrays)
    packed = _backend.array_module(arrays[0]).concatenate([a.reshape(-1).astype(dtype) for a in arrays])
    pieces, offset = [], 0
    for i, a in zip(diff, arrays):
        pieces.append((i, offset, a.size, a.shape, a.dtype))
        offset += a.size
    ctx.__class__ = _packed_class(cls)
    ctx._pieces, ctx._n_outputs = pieces, len(outs)
    whole = _finish(ctx.__class__, ctx, args, packed, record)
    for i, start, size, shape, dt in pieces:
        results[i] = _Piece.apply(whole, start, size, shape, dt)
    return tuple(results)


_PACKED = {}


def _packed_class(cls):
    """``cls`` with a backward that takes the packed gradient apart and calls ``cls.backward`` with one
    gradient per output (None for outputs that are not differentiable)."""
    packed = _PACKED.get(cls)
    if packed is None:
        def backward(ctx, g):
            grads = [None] * ctx._n_outputs
            for i, start, size, shape, dt in ctx._pieces:
                grads[i] = g[start:start + size].reshape(shape).to(dt)
            return cls.backward(ctx, *grads)
        packed = _PACKED[cls] = type(cls.__name__, (cls,), {"backward": staticmethod(backward),
                                                              "__qualname__": cls.__qualname__})
    return packed


class _Piece(Function):
    """One result of a multi-output Function: a slice of the packed output, reshaped."""

    @staticmethod
    def forward(ctx, packed, start, size, shape, dtype):
        ctx.span = (packed.shape[0], start, size)
        return packed[start:start + size].reshape(shape).astype(dtype)

    def name(self):
        return self._next[0].name()  # (the Function's node: results show the Function's name)

    @staticmethod
    def backward(ctx, g):
        from ..nn.functional import pad
        n, start, size = ctx.span
        return pad(g.reshape(-1), (start, n - start - size)), None, None, None, None


def _check_finite(arr, message):
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise RuntimeError(message)


def _raise_modified(ctx, what, expected, got, arr):
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{arr.dtype} {list(arr.shape)}], which is {what}, is at version {got}; "
        f"expected version {expected} instead.")


class AccumulateGrad:
    """Stand-in node for a leaf in ``next_functions`` (for display and graph walking)."""
    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad object>"
