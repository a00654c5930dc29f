"""The steps of the view/in-place fuzzer (see fuzz_views.py): each returns a description and a
function ``fn(lib, *tensors)`` that runs the same step on PyTorch and on npgrad."""
from __future__ import annotations

import numpy as np


def _dim(d, n):
    return d.int(0, n - 1)


def _index(d, k, neg=False):
    """An index into a dim of size ``k`` (0 on an empty dim: both libraries must raise)."""
    return d.int(-k if neg else 0, k - 1) if k else 0


def _reshape_target(d, s):
    n = len(s)
    opts = [(-1,), s + (1,), (1,) + s]
    if int(np.prod(s)) == 1:
        opts.append(())
    for i in range(n - 1):
        opts.append(s[:i] + (s[i] * s[i + 1],) + s[i + 2:])
        opts.append(s[:i] + (-1,) + s[i + 2:])
    for i, k in enumerate(s):
        for f in (2, 3):
            if k % f == 0 and k > f:
                opts.append(s[:i] + (f, k // f) + s[i + 1:])
    return d.choice(opts)


def _expand_target(d, s):
    new = [d.choice((1, 2, 3, -1)) if k == 1 else d.choice((k, -1)) for k in s]
    if d.int(0, 2) == 0:
        new = [d.int(1, 3)] + new
    return tuple(new)


def view_op(d, s):
    """A view-producing (or, in PyTorch, copying) op applicable to a tensor of shape ``s``."""
    n = len(s)
    kinds = ["reshape", "view", "unsqueeze", "squeeze", "expand", "broadcast_to", "contiguous", "clone"]
    if n:
        kinds += ["slice", "slice", "select", "flip", "fancy", "mask", "index_select", "transpose", "movedim",
                  "flatten", "narrow", "split", "chunk", "unbind", "unfold"]
    if n >= 2:
        kinds += ["diagonal", "diagonal", "permute", "t"]
    k = d.choice(kinds)
    if k in ("reshape", "view"):
        tgt = _reshape_target(d, s)
        return f".{k}{tgt}", lambda L, a: getattr(a, k)(*tgt) if tgt else getattr(a, k)(())
    if k == "unsqueeze":
        i = d.int(-n - 1, n)
        return f".unsqueeze({i})", lambda L, a: a.unsqueeze(i)
    if k == "squeeze":
        if n == 0 or d.int(0, 1):
            return ".squeeze()", lambda L, a: a.squeeze()
        i = d.int(-n, n - 1)
        return f".squeeze({i})", lambda L, a: a.squeeze(i)
    if k in ("expand", "broadcast_to"):
        tgt = _expand_target(d, s)
        if k == "expand":
            return f".expand{tgt}", lambda L, a: a.expand(*tgt)
        tgt = tuple(abs(t) for t in tgt)
        return f".broadcast_to({tgt})", lambda L, a: L.broadcast_to(a, tgt)
    if k in ("contiguous", "clone"):
        return f".{k}()", lambda L, a: getattr(a, k)()
    i = _dim(d, n) if n else 0
    lead = (slice(None),) * i
    if k in ("slice", "narrow"):
        a0 = d.int(0, s[i])
        b0 = d.int(a0, s[i])
        if k == "narrow":
            def fn(L, a):
                # narrow is a slice; spelled as one where the library lacks the method
                return a.narrow(i, a0, b0 - a0) if hasattr(a, "narrow") else a[lead + (slice(a0, b0),)]
            return f".narrow({i}, {a0}, {b0 - a0})", fn
        st = d.choice((1, 1, 2))
        return f"[{':, ' * i}{a0}:{b0}:{st}]", lambda L, a: a[lead + (slice(a0, b0, st),)]
    if k == "select":
        j = _index(d, s[i], neg=True)
        return f"[{':, ' * i}{j}]", lambda L, a: a[lead + (j,)]
    if k == "unfold":
        size, step = d.int(0, s[i] + 1), d.int(1, 2)
        return f".unfold({i}, {size}, {step})", lambda L, a: a.unfold(i, size, step)
    if k in ("split", "chunk", "unbind"):
        size = d.int(1, 3)
        if k == "unbind":
            j = d.int(0, max(s[i] - 1, 0))
            return f".unbind({i})[{j}]", lambda L, a: a.unbind(i)[j]
        pieces = -(-s[i] // size) if k == "split" else len(range(0, s[i], -(-s[i] // size) or 1)) if s[i] else 1
        j = d.int(0, max(pieces - 1, 0))
        return f".{k}({size}, {i})[{j}]", lambda L, a: getattr(a, k)(size, i)[j]
    if k == "flip":
        dims = sorted({_dim(d, n) for _ in range(d.int(1, n))})
        return f".flip({dims})", lambda L, a: a.flip(dims)
    if k == "fancy":
        idx = [_index(d, s[0], neg=True) for _ in range(d.int(1, 3))]
        return f"[{idx}]", lambda L, a: a[idx]
    if k == "mask":
        return "[t > 0]", lambda L, a: a[a > 0]
    if k == "index_select":
        idx = [_index(d, s[i]) for _ in range(d.int(1, 3))]
        return f".index_select({i}, {idx})", lambda L, a: a.index_select(i, L.tensor(idx))
    if k == "transpose":
        j = _dim(d, n)
        return f".transpose({i}, {j})", lambda L, a: a.transpose(i, j)
    if k == "movedim":
        j = _dim(d, n)
        return f".movedim({i}, {j})", lambda L, a: a.movedim(i, j)
    if k == "flatten":
        j = d.int(i, n - 1)
        return f".flatten({i}, {j})", lambda L, a: a.flatten(i, j)
    if k == "diagonal":
        j = d.choice([x for x in range(n) if x != i])
        off = d.int(-2, 2)
        return f".diagonal({off}, {i}, {j})", lambda L, a: a.diagonal(off, i, j)
    if k == "permute":
        perm = list(range(n))
        for m in range(n - 1, 0, -1):  # a drawn Fisher-Yates shuffle
            r = d.int(0, m)
            perm[m], perm[r] = perm[r], perm[m]
        return f".permute({perm})", lambda L, a: a.permute(*perm)
    return ".t()", lambda L, a: a.t()


def _operand_shape(d, s):
    """A shape that broadcasts to ``s``."""
    keep = d.int(0, len(s))
    return tuple(1 if d.int(0, 2) == 0 else k for k in s[len(s) - keep:])


def _operand(prog, s, dst=None):
    """A tensor operand for a target of shape ``s``: a fresh leaf, a constant, or a live tensor.

    Not a live tensor that shares memory with the target without both being dense: PyTorch does
    not check that case and its result depends on the order in which it writes the elements."""
    d = prog.d
    live = [p for p in prog.env if _broadcasts(tuple(p[0].shape), s) and not _unordered(p[0], dst)]
    k = d.int(0, 3)
    if k == 0 and live:
        return d.choice(live)
    return prog.leaf(_operand_shape(d, s), requires_grad=k != 1)


def _unordered(t, dst):
    if dst is None or t.numel() == 0 or dst[0].numel() == 0:
        return False
    same = t.untyped_storage().data_ptr() == dst[0].untyped_storage().data_ptr()
    return same and not (t.is_contiguous() and dst[0].is_contiguous())


def _broadcasts(a, s):
    if len(a) > len(s):
        return False
    return all(x == 1 or x == y for x, y in zip(a[::-1], s[::-1]))


def inplace_op(prog, s, dst=None):
    """An in-place write to a tensor of shape ``s``: ``(desc, fn(lib, dst, *operands), operands)``."""
    d = prog.d
    n = len(s)
    k = d.choice(["add_", "sub_", "mul_", "div_", "copy_", "zero_", "fill_", "clamp_", "setitem", "setitem",
                  "masked_fill_", "iadd", "neg_", "sigmoid_", "setitem_fancy", "setitem_mask", "pow_", "abs_",
                  "addcmul_", "lerp_", "no_grad", "data", "detach"])
    if k in ("no_grad", "data", "detach"):
        # writes autograd does not record: through .data/.detach() (sharing the version counter or
        # not, as PyTorch) and under no_grad
        c = d.choice((0.5, -2.0))
        if k == "no_grad":
            def fn(L, a):
                with L.no_grad():
                    return a.mul_(c)
            return f" *= {c} under no_grad", fn, []
        return f".{k}.add_({c})", lambda L, a: getattr(a, k)() .add_(c) if k == "detach" else a.data.add_(c), []
    if k == "pow_":
        return ".pow_(2)", lambda L, a: a.pow_(2), []
    if k == "abs_":
        return ".abs_()", lambda L, a: a.abs_(), []
    if k in ("addcmul_", "lerp_"):
        o = _operand(prog, s, dst)
        if k == "lerp_":
            return ".lerp_(o, 0.25)", lambda L, a, b: a.lerp_(b, 0.25), [o]
        return ".addcmul_(o, o, value=0.5)", lambda L, a, b: a.addcmul_(b, b, value=0.5), [o]
    if k in ("add_", "sub_", "mul_", "div_", "copy_", "iadd"):
        if d.int(0, 3) == 0 and k != "copy_":
            c = d.choice((0.5, -1.5, 2.0))
            return f".{k}({c})", (lambda L, a: a.__iadd__(c)) if k == "iadd" else (
                lambda L, a: getattr(a, k)(c)), []
        o = _operand(prog, s, dst)
        if k == "div_":
            return ".div_(o.abs() + 1)", lambda L, a, b: a.div_(b.abs() + 1), [o]
        if k == "iadd":
            return " += o", lambda L, a, b: a.__iadd__(b), [o]
        if k == "add_" and d.int(0, 1):
            return ".add_(o, alpha=-2)", lambda L, a, b: a.add_(b, alpha=-2), [o]
        return f".{k}(o{tuple(o[0].shape)})", lambda L, a, b: getattr(a, k)(b), [o]
    if k in ("zero_", "neg_", "sigmoid_"):
        return f".{k}()", lambda L, a: getattr(a, k)(), []
    if k == "fill_":
        return ".fill_(1.25)", lambda L, a: a.fill_(1.25), []
    if k == "clamp_":
        lo, hi = d.choice(((-0.5, 0.5), (0.0, None), (None, 0.25)))
        return f".clamp_({lo}, {hi})", lambda L, a: a.clamp_(lo, hi), []
    if k == "masked_fill_":
        return ".masked_fill_(t > 0, -3.0)", lambda L, a: a.masked_fill_(a > 0, -3.0), []
    if k == "setitem_mask":
        return "[t < 0] = 7.0", lambda L, a: a.__setitem__(a < 0, 7.0), []
    if n == 0:
        return "[...] = 2.5", lambda L, a: a.__setitem__(Ellipsis, 2.5), []
    i = _dim(d, n)
    lead = (slice(None),) * i
    if k == "setitem_fancy":
        idx = [_index(d, s[0]) for _ in range(d.int(1, 2))]
        return f"[{idx}] = -1.0", lambda L, a: a.__setitem__(idx, -1.0), []
    if d.int(0, 1):
        j = _index(d, s[i])
        key = lead + (j,)
        sub = s[:i] + s[i + 1:]
    else:
        a0 = _index(d, s[i])
        key = lead + (slice(a0, None),)
        sub = s[:i] + (s[i] - a0,) + s[i + 1:]
    if d.int(0, 1):
        return f"[{key}] = 0.75", lambda L, a: a.__setitem__(key, 0.75), []
    o = _operand(prog, sub, dst)
    return f"[{key}] = o{tuple(o[0].shape)}", lambda L, a, b: a.__setitem__(key, b), [o]


def compute_op(prog, s):
    """An out-of-place op (a new graph node): ``(desc with {} for the input, fn, operands)``."""
    d = prog.d
    k = d.choice(["mul", "add", "sin", "square", "sum", "where"])
    if k in ("mul", "add"):
        o = _operand(prog, s)
        sym = "*" if k == "mul" else "+"
        return "{} " + sym + f" o{tuple(o[0].shape)}", (lambda L, a, b: a * b) if k == "mul" else (
            lambda L, a, b: a + b), [o]
    if k == "sin":
        return "{}.sin()", lambda L, a: a.sin(), []
    if k == "square":
        return "{} * {}", lambda L, a: a * a, []
    if k == "where":
        return "where({} > 0, {}, 0.5)", lambda L, a: L.where(a > 0, a, L.tensor(0.5, dtype=L.float64)), []
    if len(s) == 0:
        return "{}.sum()", lambda L, a: a.sum(), []
    i = d.int(0, len(s) - 1)
    keep = bool(d.int(0, 1))
    return "{}" + f".sum({i}, keepdim={keep})", lambda L, a: a.sum(i, keepdim=keep), []
