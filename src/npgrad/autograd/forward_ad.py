"""Forward-mode automatic differentiation with dual numbers (``npgrad.autograd.forward_ad``).

A dual tensor carries a primal value and a tangent.  Inside ``dual_level()``, each primitive
pushes tangents forward with its Jacobian-vector product (the rules below, one per primitive):
one forward pass gives the derivative along one input direction — forward accumulation.

>>> import npgrad
>>> import npgrad.autograd.forward_ad as fwAD
>>> with fwAD.dual_level():
...     x = fwAD.make_dual(npgrad.tensor(2.0), npgrad.tensor(1.0))
...     y = x * x + x.sin()
...     round(fwAD.unpack_dual(y).tangent.item(), 4)
3.5839
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _backend
from .grad_mode import state

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class dual_level:
    """Context manager in which dual tensors propagate tangents."""

    def __enter__(self):
        state.fw_level += 1
        return state.fw_level

    def __exit__(self, *exc):
        state.fw_level -= 1
        return False


def enter_dual_level():
    state.fw_level += 1
    return state.fw_level


def exit_dual_level(level=None):
    state.fw_level = max(state.fw_level - 1, 0)


def make_dual(tensor, tangent, level=None):
    """A tensor with ``tensor``'s value carrying ``tangent`` (same shape) as its directional derivative."""
    from ..tensor import Tensor
    if not state.fw_level:
        raise RuntimeError("make_dual: no dual level is active; use it inside `with dual_level():`")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise ValueError(f"make_dual: tangent shape {tuple(tangent.shape)} must match the primal's "
                         f"{tuple(tensor.shape)}")
    t = Tensor._make(tensor._data, tensor.grad_fn, tensor.requires_grad, tensor._version)
    tan = tangent._data
    if _backend.device_of(tan) != _backend.device_of(tensor._data):
        raise RuntimeError(f"make_dual: the tangent is on {tangent.device}, the primal on {tensor.device}; "
                           "they must be on the same device")
    t._fw_tangent = tan.astype(tensor._data.dtype, copy=False)
    return t


def unpack_dual(tensor, level=None):
    from ..tensor import Tensor
    tan = tensor._fw_tangent
    primal = Tensor._make(tensor._data, None, False, tensor._version)
    return UnpackedDualTensor(primal, None if tan is None else Tensor._make(tan, None, False, None))


def jvp(fn, primals, tangents):
    """``(fn(*primals), J @ tangents)`` in one forward pass."""
    from ..tensor import Tensor
    single = isinstance(primals, Tensor)
    primals = (primals,) if single else tuple(primals)
    tangents = (tangents,) if isinstance(tangents, Tensor) else tuple(tangents)
    with dual_level():
        duals = [make_dual(p, t) for p, t in zip(primals, tangents)]
        out = fn(*duals)
        p, t = unpack_dual(out)
        if t is None:
            t = Tensor._make(np.zeros_like(p._data), None, False, None)
    return p, t


# -- the Jacobian-vector product of each primitive ------------------------------------------------
def _rules():
    from ..ops import elementwise as E, reduce as R, shape as S, linalg as L, index as I

    def sumto(t, shape):
        lead = t.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and t.shape[i + lead] != 1)
        return np.sum(t, axis=axes, keepdims=True).reshape(shape) if axes else t

    return {
        E.Add: lambda c, a, t, o: t[0] + t[1],
        E.Sub: lambda c, a, t, o: t[0] - t[1],
        E.Mul: lambda c, a, t, o: t[0] * a[1] + a[0] * t[1],
        E.Div: lambda c, a, t, o: t[0] / a[1] - o * t[1] / a[1],
        E.PowScalar: lambda c, a, t, o: a[1] * np.power(a[0], a[1] - 1) * t[0],
        E.Pow: lambda c, a, t, o: a[1] * np.power(a[0], a[1] - 1) * t[0] + o * np.log(np.where(a[0] == 0, 1, a[0])) * t[1],
        E.Neg: lambda c, a, t, o: -t[0],
        E.Abs: lambda c, a, t, o: np.sign(a[0]) * t[0],
        E.Exp: lambda c, a, t, o: o * t[0],
        E.Log: lambda c, a, t, o: t[0] / a[0],
        E.Log1p: lambda c, a, t, o: t[0] / (1 + a[0]),
        E.Sqrt: lambda c, a, t, o: t[0] / (2 * o),
        E.Rsqrt: lambda c, a, t, o: -0.5 * o ** 3 * t[0],
        E.Sin: lambda c, a, t, o: np.cos(a[0]) * t[0],
        E.Cos: lambda c, a, t, o: -np.sin(a[0]) * t[0],
        E.Tanh: lambda c, a, t, o: (1 - o * o) * t[0],
        E.Sigmoid: lambda c, a, t, o: o * (1 - o) * t[0],
        E.Relu: lambda c, a, t, o: (a[0] > 0) * t[0],
        E.Clamp: lambda c, a, t, o: E._inside(a[0], a[1], a[2]) * t[0],
        E.Maximum: lambda c, a, t, o: _pick(E._split_mask(a[0], a[1]), t[0], t[1]),
        E.Minimum: lambda c, a, t, o: _pick(E._split_mask(a[1], a[0]), t[0], t[1]),
        E.Where: lambda c, a, t, o: np.where(a[0], t[1], t[2]),
        E.Cast: lambda c, a, t, o: t[0].astype(o.dtype),
        R.Sum: lambda c, a, t, o: np.sum(t[0], axis=c.axes, keepdims=c.keepdim),
        R.Mean: lambda c, a, t, o: (np.mean(t[0], axis=c.axes, keepdims=c.keepdim) if c.n
                                    else np.full_like(o, np.nan)),
        R.SumTo: lambda c, a, t, o: sumto(t[0], o.shape),
        L.MatMul: lambda c, a, t, o: np.matmul(t[0], a[1]) + np.matmul(a[0], t[1]),
        S.Reshape: lambda c, a, t, o: t[0].reshape(o.shape),
        S.Permute: lambda c, a, t, o: t[0].transpose(c.perm),
        S.Expand: lambda c, a, t, o: np.broadcast_to(t[0], o.shape),
        S.Flip: lambda c, a, t, o: np.flip(t[0], c.axes),
        S.Diagonal: lambda c, a, t, o: np.diagonal(t[0], *c.args),
        S.DiagonalScatter: lambda c, a, t, o: S.DiagonalScatter.forward(_Ctx(), t[0], a[1], *c.args),
        S.Cat: lambda c, a, t, o: np.concatenate([x for i, x in enumerate(t) if not (c.skip and c.skip[i])],
                                                  axis=c.axis),
        S.Gather: lambda c, a, t, o: t[0][S._full_index(c.idx, c.axis)],
        S.ScatterAdd: lambda c, a, t, o: _scatter_add(t[0], c, t[3]),
        S.Pad: lambda c, a, t, o: np.pad(t[0], a[1]),
        I.GetItem: lambda c, a, t, o: t[0][c.key],
        I.IndexPut: lambda c, a, t, o: _index_put(t[0], a[1], t[2]),
        I.IndexAdd: lambda c, a, t, o: I.IndexAdd.forward(_Ctx(), t[0], a[1], a[2]),
        E.Sign: lambda c, a, t, o: np.zeros_like(o),
        E.Remainder: lambda c, a, t, o: t[0] - a[2](a[0] / a[1]) * t[1],
        R.Amax: lambda c, a, t, o: _reduced(R._tie_share(a[0], o.reshape(R._keep_shape(a[0].shape, c.axes)), c.axes)
                                            * t[0], c.axes, o.shape),
        R.Prod: lambda c, a, t, o: _reduced(R._prod_of_others(a[0], c.axes) * t[0], c.axes, o.shape),
        R.Norm2: lambda c, a, t, o: _reduced(a[0] * t[0], c.axes, o.shape) / np.where(o == 0, 1, o),
        R.StdSqrt: lambda c, a, t, o: np.where(o == 0, 0, t[0] / np.where(o == 0, 1, 2 * o)).astype(o.dtype),
        R.Cumsum: lambda c, a, t, o: np.cumsum(t[0], axis=c.axis),
        R.LogSumExp: lambda c, a, t, o: _reduced(np.exp(a[0] - o.reshape(c.keep_shape)) * t[0], a[1], o.shape),
        R.Cumprod: lambda c, a, t, o: _cumprod_jvp(a[0], t[0], o, c.axis),
        L.Einsum: lambda c, a, t, o: _einsum_jvp(c, a, t),
    }


class _Ctx:
    """A throwaway ctx for reusing a primitive's forward on tangents."""


def _pick(m, ta, tb):
    return m * ta + (1 - m) * tb


def _reduced(v, axes, shape):
    return np.sum(v, axis=axes, keepdims=True).reshape(shape)


def _scatter_add(t0, c, ts):
    from ..ops.shape import _full_index
    out = t0.astype(np.result_type(t0, ts), copy=True)
    np.add.at(out, _full_index(c.idx, c.axis), ts[tuple(slice(0, s) for s in c.idx.shape)])
    return out


def _index_put(t0, key, tv):
    out = t0.copy()
    out[key] = tv
    return out


def _cumprod_jvp(x, t, out, axis):
    """d out_j = d out_{j-1} x_j + out_{j-1} t_j (a recurrence along one axis: zeros are fine)."""
    x, t, out = (np.moveaxis(v, axis, 0) for v in (x, t, out))
    d = np.empty_like(out)
    d[0] = t[0]
    for j in range(1, len(x)):
        d[j] = d[j - 1] * x[j] + out[j - 1] * t[j]
    return np.moveaxis(d, 0, axis)


def _einsum_jvp(c, a, t):
    eq = ",".join(c.ins) + "->" + c.out
    total = 0
    for i, ti in enumerate(t):
        if isinstance(ti, np.ndarray) or _backend.is_device_array(ti):
            ops = list(a)
            ops[i] = ti
            total = total + np.einsum(eq, *ops)
    return total


_RULES = None


def propagate(cls, ctx, args, out):
    """Tangent of ``out`` from the tangents of the tensor arguments (None if none carries one)."""
    global _RULES
    from ..tensor import Tensor
    tans = [a._fw_tangent if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tans):
        return None
    if _RULES is None:
        _RULES = _rules()
    rule = _RULES.get(cls) or getattr(cls, "jvp", None)  # (a primitive may state its own jvp)
    if rule is None:  # a subclass of a primitive with a rule (e.g. an indexing copy) shares it
        rule = next((_RULES[b] for b in cls.__mro__[1:] if b in _RULES), None)
    if rule is None:
        raise NotImplementedError(f"forward-mode AD is not implemented for {cls.__name__}")
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    tangents = [t if t is not None else (np.zeros_like(a) if (isinstance(a, np.ndarray) or _backend.is_device_array(a))
                                         and a.dtype.kind == "f" else 0)
                for t, a in zip(tans, arrays)]
    res = rule(ctx, arrays, tangents, out)
    if res is None:
        raise NotImplementedError(f"forward-mode AD is not implemented for {cls.__name__}")
    if out.dtype.kind != "f":
        return None
    if type(out) is np.ndarray:
        return np.asarray(res, dtype=out.dtype)
    # on a device: a number (a zero tangent) becomes an array there
    return res.astype(out.dtype, copy=False) if _backend.is_device_array(res) else np.full_like(out, res)
