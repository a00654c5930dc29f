"""Classification losses of ``npgrad.nn.functional`` (cross-entropy, NLL, BCE), with PyTorch's
``reduction`` semantics ('mean' | 'sum' | 'none'), and the helpers every loss shares.

Cross-entropy, BCE and BCE-with-logits are fused primitives: they are computed from log-probabilities
or logits in a form that never overflows, and their gradients (softmax - target, sigmoid - target)
never pass through a log or a division that could blow up. Regression and margin losses live in
``pointwise_losses.py``, the losses PyTorch lacks in ``extra_losses.py``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..ops import elementwise as E
from ..tensor import Size, Tensor
from .activation_functional import log_softmax, softplus

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _legacy_reduction(size_average, reduce, reduction):
    """Map PyTorch's deprecated ``size_average``/``reduce`` flags onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  f"{'mean' if reduce and size_average else 'sum' if reduce else 'none'}' instead.", stacklevel=3)
    return ("mean" if size_average else "sum") if reduce else "none"


def _check_reduction(reduction, who):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{who}: {reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_tensor(x, like):
    if isinstance(x, Tensor):
        return x
    return _const(_backend.like(like._data, np.asarray(x, dtype=like._data.dtype)))


def _as0d(v, dtype):
    """A reduction's result as a 0-d array of ``dtype`` (NumPy reduces to scalars, a device to 0-d arrays)."""
    return np.asarray(v, dtype=dtype) if not _backend.is_device_array(v) else v.astype(dtype, copy=False)


def _input_dtype(weight, input):
    """A BCE weight or pos_weight in the input's dtype: PyTorch's kernels cast it, the loss keeps the input's."""
    weight = _as_tensor(weight, input)
    return weight if weight._data.dtype == input._data.dtype else weight.to(input.dtype)


def _float_target(target, input, who):
    """A target of the input's floating dtype (PyTorch requires matching dtypes; ints are converted)."""
    target = _as_tensor(target, input)
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    return target


def _warn_size(input, target, who):
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f"{who}: Using a target size ({Size(target.shape)!r}) that is different to the input size "
                      f"({Size(input.shape)!r}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
        try:
            np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise RuntimeError(f"{who}: the size of input {tuple(input.shape)} and target {tuple(target.shape)} "
                               "are not broadcastable") from None


def _same_size(input, target, who):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{who}: Using a target size ({Size(target.shape)!r}) that is different to the input size "
                         f"({Size(input.shape)!r}) is deprecated. Please ensure they have the same size.")


# -- cross-entropy and NLL -----------------------------------------------------------------------
class CrossEntropy(Function):
    """Fused log_softmax + NLL on (M, C) logits, reduced inside.

    Each row's loss is ``-sum_c q_c log p_c`` for an effective target distribution ``q`` (one-hot,
    class weights, label smoothing, or given probabilities); its gradient is ``sum(q) p - q``.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, eps):
        logp = x - x.max(axis=1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
        m, c = logp.shape
        ctx.reduction, ctx.eps, ctx.weight = reduction, eps, weight
        if target.dtype.kind in "iu":
            valid = None if ignore_index is None or not (target == ignore_index).any() else target != ignore_index
            y = target if valid is None else np.where(valid, target, 0)
            rows = _backend.array_module(x).arange(m)
            wy = weight[y] if weight is not None else None
            loss = -logp[rows, y]
            if wy is not None:
                loss *= wy
            if eps:
                smooth = -(logp * weight).sum(1) if weight is not None else -logp.sum(1)
                loss = loss * (1 - eps) + smooth * (eps / c)
            if valid is not None:
                loss[~valid] = 0
            if wy is None:
                denom = m if valid is None else int(valid.sum())
            else:
                denom = wy.sum() if valid is None else wy[valid].sum()
            ctx.y, ctx.valid, ctx.rows, ctx.wy = y, valid, rows, wy
        else:
            q = _soft_q(target, weight, eps, c)
            loss = -(q * logp).sum(1)
            denom = m
            ctx.y = None
        ctx.denom = denom
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[0] else None, logp if (need[0] or need[1]) else None,
                              target if ctx.y is None else None)
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "sum":
            return _as0d(total, x.dtype)
        if denom:
            return _as0d(total / x.dtype.type(denom), x.dtype)
        # a zero total weight (all targets ignored): nan, as PyTorch (its nll part is 0 / 0, smoothed or not)
        return _as0d(total * x.dtype.type(np.nan), x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, logp, target = ctx.saved_tensors
        if ctx.reduction == "mean" and ctx.y is not None and not ctx.denom and ctx.needs_input_grad[0]:
            # a zero total weight (every target ignored or weighted 0): as PyTorch, nan on the rows whose
            # target counts (-w / 0 through log_softmax), 0 on the ignored rows
            keep = ctx.y >= 0 if ctx.valid is None else ctx.valid
            pattern = np.where(keep[:, None], np.nan, 0.0).astype(logp._data.dtype) + np.zeros_like(logp._data)
            return _const(pattern) * g, None, None, None, None, None
        if (not state._grad and ctx.y is not None and ctx.wy is None and not ctx.eps
                and ctx.needs_input_grad[0]):
            # the hot path (class indices, no weights/smoothing, plain backward): softmax - onehot
            r = g._data / logp._data.dtype.type(ctx.denom) if ctx.reduction == "mean" else g._data
            return _const(_onehot_grad(logp._data, ctx, r if r.ndim == 0 else r[:, None])), None, None, None, None, None
        r = g / float(ctx.denom) if ctx.reduction == "mean" else g
        if ctx.reduction == "none":
            r = r.reshape(-1, 1)
        create_graph = state._grad
        if create_graph and x is not None:
            logp = log_softmax(x, 1)  # differentiable, so the gradient can be differentiated again
        gx = gt = None
        if ctx.needs_input_grad[0]:
            q = _dense_q(ctx, logp.shape, logp._data.dtype, target)
            gx = (E.exp(logp) * _const(q.sum(1, keepdims=True)) - _const(q)) * r
        if ctx.needs_input_grad[1]:  # probability targets: dL/dt = -(1 - eps) w log p
            w = 1.0 - ctx.eps
            gt = -logp * r * w if ctx.weight is None else -logp * _const(ctx.weight * w) * r
        return gx, gt, None, None, None, None


def _soft_q(target, weight, eps, c):
    q = target * (1 - eps) + eps / c if eps else target
    return q * weight if weight is not None else q


def _onehot_grad(logp, ctx, r):
    p = np.exp(logp)
    p[ctx.rows, ctx.y] -= 1
    if ctx.valid is not None:
        p[~ctx.valid] = 0
    p *= r
    return p


def _dense_q(ctx, shape, dtype, target):
    m, c = shape
    if ctx.y is None:
        return _soft_q(target._data, ctx.weight, ctx.eps, c).astype(dtype, copy=False)
    q = _backend.array_module(ctx.y).zeros(shape, dtype=dtype)
    q[ctx.rows, ctx.y] = (1 - ctx.eps) * (ctx.wy if ctx.wy is not None else 1)
    if ctx.eps:
        q += (ctx.eps / c) * (ctx.weight if ctx.weight is not None else 1)
    if ctx.valid is not None:
        q[~ctx.valid] = 0
    return q


def _check_class_dtypes(input, target, who, allow_probs):
    """PyTorch's reading of a target: the input's shape means class probabilities (floating point), any
    other shape class indices (int64, or uint8).  An int (3,) target for (3,) logits is not indices."""
    if allow_probs and input._data.dtype.kind != "f":
        raise NotImplementedError(f"{who}: \"log_softmax\" not implemented for '{input.dtype}' (logits must be "
                                  f"floating point, got {input.dtype}; convert them with .float())")
    if allow_probs and tuple(target.shape) == tuple(input.shape):
        if target._data.dtype.kind != "f":
            idx_shape = tuple(input.shape[:1]) + tuple(input.shape[2:]) if input.ndim > 1 else ()
            raise RuntimeError(f"{who}: Expected floating point type for target with class probabilities, got "
                               f"{target.dtype} (a target of the input's shape {tuple(input.shape)} holds class "
                               f"probabilities; class indices have shape {idx_shape})")
    elif target._data.dtype not in (np.int64, np.uint8):
        hint = ("class indices must be integers: convert the labels with .long()"
                if target._data.dtype.kind == "f" else "convert the class indices with .long()")
        raise RuntimeError(f"{who}: expected target dtype to be Long or Byte (int64 or uint8), but got "
                           f"{target.dtype}; {hint}")


def _class_layout(input, target, who, allow_probs):
    """Bring (N, C, d1, ...) input to (M, C) rows and target to (M,) or (M, C); return the 'none' shape."""
    if input.ndim == 0:
        raise ValueError(f"{who}: input must have at least 1 dim (C) or 2 dims (N, C), got a 0-d tensor")
    probs = target._data.dtype.kind == "f"
    if probs and not allow_probs:
        raise RuntimeError(f"{who}: expected target of integer class indices, got dtype {target.dtype}")
    if not probs and target._data.dtype.kind not in "iu":
        raise RuntimeError(f"{who}: expected target of class indices (int) or class probabilities (float), got "
                           f"{target.dtype}")
    if input.ndim == 1:  # a single sample (C,)
        input, target = input.unsqueeze(0), target.unsqueeze(0)
        return input, target, ()
    n, c = input.shape[0], input.shape[1]
    if probs:
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"{who}: class-probability target must have the shape of input "
                               f"{tuple(input.shape)}, got {tuple(target.shape)}")
    elif target.shape[0] != n:
        raise ValueError(f"{who}: Expected input batch_size ({n}) to match target batch_size ({target.shape[0]}).")
    elif tuple(target.shape) != (n,) + tuple(input.shape[2:]):
        raise RuntimeError(f"{who}: expected target of shape {(n,) + tuple(input.shape[2:])} for input of shape "
                           f"{tuple(input.shape)}, got {tuple(target.shape)}")
    out_shape = (n,) + tuple(input.shape[2:])
    if input.ndim > 2:
        perm = _to_last(input.ndim)
        input = input.permute(perm).reshape(-1, c)
        target = target.permute(perm).reshape(-1, c) if probs else target.reshape(-1)
    return input, target, out_shape


def _to_last(ndim):
    """The permutation moving the class dim 1 to the end: (N, C, d1, ...) -> (N, d1, ..., C)."""
    return (0,) + tuple(range(2, ndim)) + (1,)


def _check_classes(y, c, ignore_index, who):
    """Raise for a class index outside ``0..c-1`` (other than ``ignore_index``).  Returns
    ``ignore_index`` when some target may equal it, else None (then nothing needs masking)."""
    if not y.size:
        return None
    lo, hi = y.min(), y.max()
    if lo < 0 or hi >= c:
        bad = (y < 0) | (y >= c)
        if ignore_index is not None:
            bad &= y != ignore_index
        if bad.any():
            raise IndexError(f"{who}: Target {int(y[bad][0])} is out of bounds (valid classes are 0..{c - 1}).")
    return ignore_index if ignore_index is not None and lo <= ignore_index <= hi else None


def _weight_array(weight, c, dtype, who):
    if weight is None:
        return None
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if tuple(w.shape) != (c,):
        raise RuntimeError(f"{who}: weight tensor should be defined either for all {c} classes or no classes but "
                           f"got weight tensor of shape: {list(w.shape)}")
    return w.astype(dtype, copy=False)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy of logits ``input`` (N, C) or (N, C, d1, ...) against class indices (N, ...)
    or class probabilities (same shape as input), in one fused, stable primitive.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> round(F.cross_entropy(npgrad.tensor([[0.0, 0.0]]), npgrad.tensor([1])).item(), 4)
    0.6931
    >>> F.cross_entropy(npgrad.tensor([[1000.0, -1000.0]]), npgrad.tensor([1])).item()
    2000.0
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "cross_entropy")
    if not label_smoothing <= 1.0:  # PyTorch checks only the upper bound (negative smoothing is a method)
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    target = target if isinstance(target, Tensor) else _const(np.asarray(target))
    _check_class_dtypes(input, target, "cross_entropy", True)
    xs, ts = input._data.shape, target._data.shape
    if len(xs) == 2 and len(ts) == 1 and xs[0] == ts[0] and target._data.dtype.kind in "iu":
        x, t, out_shape = input, target, ts  # the common (N, C) case needs no relayout
    else:
        x, t, out_shape = _class_layout(input, target, "cross_entropy", True)
    c = x._data.shape[1]
    w = _weight_array(weight, c, x._data.dtype, "cross_entropy")
    if t._data.dtype.kind in "iu":
        ignore_index = _check_classes(t._data, c, ignore_index, "cross_entropy")
    elif t._data.dtype != x._data.dtype:
        t = t.to(x.dtype)
    # PyTorch smooths only for label_smoothing > 0: a negative value is accepted and ignored
    out = CrossEntropy.apply(x, t, w, ignore_index, reduction, max(float(label_smoothing), 0.0))
    return out.reshape(out_shape) if reduction == "none" else out


class NllLoss(Function):
    """-w_y x[y] per row of (M, C) log-probabilities; linear, so its gradient is a constant pattern."""

    @staticmethod
    def forward(ctx, x, y, weight, ignore_index, reduction):
        m, c = x.shape
        valid = y != ignore_index
        yy = np.where(valid, y, 0)
        xp = _backend.array_module(x)
        rows = xp.arange(m)
        coef = (weight[yy] if weight is not None else xp.ones(m, x.dtype)) * valid
        loss = -x[rows, yy] * coef
        ctx.rows, ctx.y, ctx.coef, ctx.reduction, ctx.shape = rows, yy, coef, reduction, x.shape
        ctx.valid = valid
        ctx.denom = coef.sum()
        if reduction == "none":
            return loss
        with np.errstate(invalid="ignore", divide="ignore"):
            return _as0d(loss.sum() / ctx.denom if reduction == "mean" else loss.sum(), x.dtype)

    @staticmethod
    def backward(ctx, g):
        pattern = np.zeros_like(ctx.coef, shape=ctx.shape, dtype=g._data.dtype)
        pattern[ctx.rows, ctx.y] = -ctx.coef
        if ctx.reduction == "mean":
            if float(ctx.denom) == 0:  # -w/0 (nan) at the counted targets only: the ignored ones keep 0 (PyTorch)
                pattern[ctx.rows, ctx.y] = np.where(ctx.valid, np.nan, 0).astype(pattern.dtype)
            else:
                g = g / float(ctx.denom)
        elif ctx.reduction == "none":
            g = g.reshape(-1, 1)
        return _const(pattern) * g, None, None, None, None


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, ...) at class indices ``target``.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> logp = F.log_softmax(npgrad.tensor([[2.0, 0.0]]), 1)
    >>> bool(F.nll_loss(logp, npgrad.tensor([0])) == F.cross_entropy(npgrad.tensor([[2.0, 0.0]]), npgrad.tensor([0])))
    True
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "nll_loss")
    target = target if isinstance(target, Tensor) else _const(np.asarray(target))
    _check_class_dtypes(input, target, "nll_loss", False)
    x, t, out_shape = _class_layout(input, target, "nll_loss", False)
    c = x.shape[1]
    w = _weight_array(weight, c, x._data.dtype, "nll_loss")
    _check_classes(t._data, c, ignore_index, "nll_loss")
    out = NllLoss.apply(x, t._data, w, ignore_index, reduction)
    return out.reshape(out_shape) if reduction == "none" else out


# -- binary cross-entropy --------------------------------------------------------------------------
class BinaryCrossEntropy(Function):
    """-(t log p + (1 - t) log(1 - p)) with each log clamped at -100 (PyTorch's rule: finite for p in {0, 1});
    d/dp = (p - t) / max(p (1 - p), 1e-12), d/dt = log(1 - p) - log(p)."""

    @staticmethod
    def forward(ctx, p, t):
        for name, a in (("input", p), ("target", t)):
            if a.size and not ((a >= 0) & (a <= 1)).all():  # nan fails too: it would give a nan loss silently
                bad = a[~((a >= 0) & (a <= 1))].flat[0]
                raise RuntimeError(f"binary_cross_entropy: all elements of {name} should be between 0 and 1, "
                                   f"got {bad}")
        with np.errstate(divide="ignore"):
            lp = np.maximum(np.log(p), -100)
            l1p = np.maximum(np.log1p(-p), -100)
        ctx.save_for_backward(p, t)
        return -(t * lp + (1 - t) * l1p)

    @staticmethod
    def backward(ctx, g):
        p, t = ctx.saved_tensors
        gp = gt = None
        if ctx.needs_input_grad[0]:
            gp = g * (p - t) / E.clamp_min(p * (1 - p), 1e-12)
        if ctx.needs_input_grad[1]:
            gt = g * (E.clamp_min(E.log1p(-p), -100) - E.clamp_min(E.log(p), -100))
        return gp, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against targets in [0, 1].

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.binary_cross_entropy(npgrad.tensor([0.0]), npgrad.tensor([1.0])).item()
    100.0
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "binary_cross_entropy")
    target = _float_target(target, input, "binary_cross_entropy")
    _same_size(input, target, "binary_cross_entropy")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * _input_dtype(weight, input)
    return _reduce(loss, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """(1 - t) x + c * softplus(-x), c = 1 + (pos_weight - 1) t; d/dx = c sigmoid(x) - pos_weight t."""

    @staticmethod
    def forward(ctx, x, t, pw):
        sp = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # softplus(-x), never overflows
        ctx.save_for_backward(x, t, pw)
        if pw is None:
            return (1 - t) * x + sp
        return (1 - t) * x + (1 + (pw - 1) * t) * sp

    @staticmethod
    def backward(ctx, g):
        x, t, pw = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gt = gpw = None
        if need[0]:
            s = E.sigmoid(x)
            gx = g * (s - t) if pw is None else g * ((1 + (pw - 1) * t) * s - pw * t)
        if need[1] or need[2]:
            sp = softplus(-x)
            if need[1]:
                gt = -g * x if pw is None else g * ((pw - 1) * sp - x)
            if need[2]:
                gpw = g * t * sp
        return gx, gt, gpw


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable primitive; ``pos_weight`` weighs the positive term.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.binary_cross_entropy_with_logits(npgrad.tensor([-500.0]), npgrad.tensor([1.0])).item()
    500.0
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    target = _float_target(target, input, "binary_cross_entropy_with_logits")
    _same_size(input, target, "binary_cross_entropy_with_logits")
    pw = None if pos_weight is None else _input_dtype(pos_weight, input)
    if pw is not None:
        try:
            np.broadcast_shapes(tuple(pw.shape), tuple(input.shape))
        except ValueError:
            raise RuntimeError(f"binary_cross_entropy_with_logits: pos_weight of shape {tuple(pw.shape)} does not "
                               f"broadcast with input of shape {tuple(input.shape)}") from None
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pw)
    if weight is not None:
        loss = loss * _input_dtype(weight, input)
    return _reduce(loss, reduction)
