"""The table from recorded primitives (``Function`` classes, by name) to ONNX nodes.

Each entry is ``emit(b, rec) -> output name``: ``b`` is the :class:`~npgrad.onnx.graph.Builder`
(``b.value(k)`` names argument ``k``, ``b.node`` adds a node) and ``rec.args`` holds the
primitive's non-tensor arguments (axes, geometry, eps, ...).  A primitive missing here cannot be
exported, and says so with the model path where it ran.
"""
from __future__ import annotations

import math

import numpy as np

from .graph import onnx_type

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
PRIMITIVES = {}


def primitive(*names):
    def deco(fn):
        for n in names:
            PRIMITIVES[n] = fn
        return fn
    return deco


def _out_dtype(rec):
    return rec.outs[0]._data.dtype


def _operand(b, rec, k):
    """A tensor argument, or a Python number as a constant of the output's dtype."""
    a = rec.args[k]
    if isinstance(a, (int, float, bool, np.number)) and not isinstance(a, np.ndarray):
        return b.scalar(a, _out_dtype(rec))
    return b.value(k)


# -- elementwise -------------------------------------------------------------------------------
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow", "PowScalar": "Pow",
           "Maximum": "Max", "Minimum": "Min"}
_UNARY = {"Neg": "Neg", "Abs": "Abs", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Sin": "Sin", "Cos": "Cos",
          "Tanh": "Tanh", "Sigmoid": "Sigmoid", "Relu": "Relu", "Erf": "Erf", "Sign": "Sign",
          "StdSqrt": "Sqrt", "Contiguous": "Identity"}


@primitive(*_BINARY)
def _binary(b, rec):
    return b.node(_BINARY[rec.op.__name__], [_operand(b, rec, 0), _operand(b, rec, 1)])


@primitive(*_UNARY)
def _unary(b, rec):
    out = b.node(_UNARY[rec.op.__name__], [b.value(0)])
    if rec.op.__name__ == "StdSqrt" and len(rec.args) > 1 and rec.args[1] is not None:  # (a float32 std, in float64)
        out = b.node("Cast", [out], to=onnx_type(_out_dtype(rec)))
    return out


@primitive("Rsqrt")
def _rsqrt(b, rec):
    return b.node("Reciprocal", [b.node("Sqrt", [b.value(0)])])


@primitive("Log1p")
def _log1p(b, rec):
    return b.node("Log", [b.node("Add", [b.value(0), b.scalar(1, _out_dtype(rec))])])


@primitive("Where")
def _where(b, rec):
    return b.node("Where", [b.value(0), _operand(b, rec, 1), _operand(b, rec, 2)])


@primitive("Clamp")
def _clamp(b, rec):
    dt = _out_dtype(rec)
    lo, hi = rec.args[1], rec.args[2]
    return b.node("Clip", [b.value(0), "" if lo is None else b.scalar(lo, dt), "" if hi is None else b.scalar(hi, dt)])


@primitive("Cast")
def _cast(b, rec):
    return b.node("Cast", [b.value(0)], to=onnx_type(_out_dtype(rec)))


@primitive("Elu")
def _elu(b, rec):
    return b.node("Elu", [b.value(0)], alpha=float(rec.args[1]))


@primitive("Gelu")
def _gelu(b, rec):
    x = b.value(0)
    if b.opset >= 20:
        return b.node("Gelu", [x])
    dt = _out_dtype(rec)
    erf = b.node("Erf", [b.node("Mul", [x, b.scalar(math.sqrt(0.5), dt)])])
    half = b.node("Mul", [x, b.scalar(0.5, dt)])
    return b.node("Mul", [half, b.node("Add", [erf, b.scalar(1.0, dt)])])


@primitive("Softplus")
def _softplus(b, rec):
    beta, dt = float(rec.args[1]), _out_dtype(rec)
    if beta == 1.0:
        return b.node("Softplus", [b.value(0)])
    sp = b.node("Softplus", [b.node("Mul", [b.value(0), b.scalar(beta, dt)])])
    return b.node("Div", [sp, b.scalar(beta, dt)])


@primitive("LeakyRelu")
def _leaky_relu(b, rec):
    # F.leaky_relu passes the slope as an array computed from x: recover the one slope it holds
    x, s = b.array(0), b.array(1)
    slopes = np.unique(s[~(x > 0)])
    if len(slopes) != 1 or not np.all(s[x > 0] == 1):
        x2, s2 = b.array(0, 2), b.array(1, 2)
        slopes = np.unique(s2[~(x2 > 0)])
        if len(slopes) != 1:
            b.error("leaky_relu: the negative slope could not be recovered from the traced values")
    return b.node("LeakyRelu", [b.value(0)], alpha=float(slopes[0]))


@primitive("Softmax", "LogSoftmax")
def _softmax(b, rec):
    return b.node(rec.op.__name__, [b.value(0)], axis=int(rec.args[1]))


# -- linear algebra, convolution, pooling --------------------------------------------------------
@primitive("MatMul")
def _matmul(b, rec):
    return b.node("MatMul", [b.value(0), b.value(1)])


@primitive("Linear")
def _linear(b, rec):
    x, w = b.value(0), b.value(1)
    bias = b.value(2) if rec.args[2] is not None else None
    if len(b.shape(0)) == 2:
        return b.node("Gemm", [x, w] + ([bias] if bias else []), transB=1)
    y = b.node("MatMul", [x, b.node("Transpose", [w], perm=[1, 0])])
    return b.node("Add", [y, bias]) if bias else y


def _pads(p4):
    return [int(p4[0]), int(p4[2]), int(p4[1]), int(p4[3])]  # (t, b, l, r) -> ONNX (t, l, b, r)


@primitive("Conv2d")
def _conv(b, rec):
    stride, pad, dil, groups = rec.args[3]
    ins = [b.value(0), b.value(1)] + ([b.value(2)] if rec.args[2] is not None else [])
    return b.node("Conv", ins, strides=list(stride), pads=_pads(pad), dilations=list(dil), group=int(groups),
                  kernel_shape=list(b.shape(1)[2:]))


@primitive("ConvTranspose2d")
def _conv_transpose(b, rec):
    (stride, pad, dil, groups), out_hw = rec.args[3], rec.args[4]
    kernel, in_hw = b.shape(1)[2:], b.shape(0)[2:]
    opad = [o - ((n - 1) * s - p0 - p1 + d * (k - 1) + 1)
            for o, n, s, p0, p1, d, k in zip(out_hw, in_hw, stride, pad[0::2], pad[1::2], dil, kernel)]
    ins = [b.value(0), b.value(1)] + ([b.value(2)] if rec.args[2] is not None else [])
    return b.node("ConvTranspose", ins, strides=list(stride), pads=_pads(pad), dilations=list(dil),
                  group=int(groups), kernel_shape=list(kernel), output_padding=opad)


def _ceil_mode(in_hw, out_hw, kernel, stride, pad4, dil):
    from ..ops.conv import out_size
    floor = tuple(out_size(n, k, s, pad4[2 * i], pad4[2 * i + 1], d)
                  for i, (n, k, s, d) in enumerate(zip(in_hw, kernel, stride, dil)))
    return int(tuple(out_hw) != floor)


@primitive("MaxPool2d")
def _max_pool(b, rec):
    kernel, stride, pad4, dil, out_hw = rec.args[1]
    ceil = _ceil_mode(b.shape(0)[2:], out_hw, kernel, stride, pad4, dil)
    return b.node("MaxPool", [b.value(0)], kernel_shape=list(kernel), strides=list(stride), pads=_pads(pad4),
                  dilations=list(dil), ceil_mode=ceil)


@primitive("AvgPool2d")
def _avg_pool(b, rec):
    from ..ops.pool import avg_divisor
    kernel, stride, pad4, out_hw = rec.args[1]
    div, in_hw = np.asarray(rec.args[2]), b.shape(0)[2:]
    include = [c for c in (1, 0) if np.array_equal(avg_divisor(in_hw, out_hw, kernel, stride, pad4, c, div.dtype), div)]
    if not include:
        b.error("avg_pool2d with divisor_override is not supported")
    ceil = _ceil_mode(in_hw, out_hw, kernel, stride, pad4, (1, 1))
    return b.node("AveragePool", [b.value(0)], kernel_shape=list(kernel), strides=list(stride), pads=_pads(pad4),
                  count_include_pad=include[0], ceil_mode=ceil)


@primitive("Standardize")
def _standardize(b, rec):
    axes, eps = tuple(rec.args[1]), float(rec.args[2])
    nd = len(b.shape(0))
    if axes != tuple(range(nd - len(axes), nd)):
        b.error(f"normalisation over dims {axes} (not the last ones) is not supported")
    n = b.shape(0)[nd - len(axes):]
    dt = _out_dtype(rec)
    return b.layer_norm(b.value(0), b.const(np.ones(n, dt)), b.const(np.zeros(n, dt)), nd - len(axes), nd, eps, dt)


@primitive("Embedding")
def _embedding(b, rec):
    idx = b.value(1)
    if b.dtype(1) != np.int64:
        idx = b.node("Cast", [idx], to=onnx_type(np.int64))
    return b.node("Gather", [b.value(0), idx], axis=0)


@primitive("Gather")
def _gather(b, rec):
    axis = int(rec.args[1])
    if rec.vids[2] is None and rec.vids[0] is not None:
        # x.max(dim) / x.min(dim) gather at the arg-max/min of x: that is a reduction
        for fn, op in ((np.argmax, "ReduceMax"), (np.argmin, "ReduceMin")):
            if all(_holds(b.array(2, t), fn(b.array(0, t), axis=axis, keepdims=True)) for t in (1, 2)):
                return b.reduce(op, b.value(0), [axis], True)
    return b.node("GatherElements", [b.value(0), b.value(2)], axis=axis)


def _holds(idx, want):
    return idx.shape == want.shape and np.array_equal(idx, want)


@primitive("Einsum")
def _einsum(b, rec):
    eq = ",".join(rec.kwargs["ins"]) + "->" + rec.kwargs["out"]
    return b.node("Einsum", [b.value(k) for k in range(len(rec.args))], equation=eq)


# -- reductions ----------------------------------------------------------------------------------
_REDUCE = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Prod": "ReduceProd", "LogSumExp": "ReduceLogSumExp",
           "Norm2": "ReduceL2"}


def _reduce(b, op, axes, keepdim):
    nd = len(b.shape(0))
    axes = list(range(nd)) if axes is None else [int(a) % max(nd, 1) for a in axes]
    if not axes:
        return b.node("Identity", [b.value(0)])
    return b.reduce(op, b.value(0), axes, keepdim)


@primitive(*_REDUCE)
def _reduction(b, rec):
    out = _reduce(b, _REDUCE[rec.op.__name__], rec.args[1], rec.args[2])
    if rec.op.__name__ == "Sum" and rec.args[3] is not None and np.dtype(rec.args[3]) != b.dtype(0):
        return b.node("Cast", [out], to=onnx_type(rec.args[3]))
    return out


@primitive("Amax")
def _amax(b, rec):
    return _reduce(b, "ReduceMin" if rec.args[3] else "ReduceMax", rec.args[1], rec.args[2])


@primitive("Cumsum")
def _cumsum(b, rec):
    return b.node("CumSum", [b.value(0), b.const(np.asarray(int(rec.args[1]), np.int64))])


# -- shapes --------------------------------------------------------------------------------------
@primitive("Reshape")
def _reshape(b, rec):
    target = list(rec.out_shapes[0])
    dyn = b.out_dyn()
    if len(dyn) > 1:  # a size-dependent dim that stays where it was in the input: copy it (0)
        in1, in2 = b.shape(0), b.shape(0, 2)
        for d in list(dyn):
            if d < len(in1) and in1[d] == target[d] and in2[d] == b.rec2.out_shapes[0][d]:
                target[d] = 0
                dyn.remove(d)
    if len(dyn) > 1:
        b.error(f"reshape to {tuple(rec.out_shapes[0])} has several dims that depend on the input size; "
                "this cannot be expressed")
    if dyn:
        target[dyn[0]] = -1
    return b.node("Reshape", [b.value(0), b.ints(target)])


@primitive("Permute")
def _permute(b, rec):
    return b.node("Transpose", [b.value(0)], perm=[int(p) for p in rec.args[1]])


@primitive("Expand")
def _expand(b, rec):
    target = list(rec.out_shapes[0])
    in1, in2 = b.shape(0), b.shape(0, 2)
    lead = len(target) - len(in1)
    for d in b.out_dyn():
        if d < lead or in1[d - lead] != target[d] or in2[d - lead] != b.rec2.out_shapes[0][d]:
            b.error("expand to a size that depends on the input size is not supported")
        target[d] = 1  # keep the input's (dynamic) size there
    return b.node("Expand", [b.value(0), b.ints(target)])


@primitive("Cat")
def _cat(b, rec):
    skip = rec.kwargs.get("skip") or [False] * len(rec.args)  # (PyTorch's skipped 1-D empty tensors)
    return b.node("Concat", [b.value(k) for k in range(len(rec.args)) if not skip[k]], axis=int(rec.kwargs["axis"]))


@primitive("Flip")
def _flip(b, rec):
    axes = [int(a) for a in rec.args[1]]
    n = len(axes)
    return b.node("Slice", [b.value(0), b.ints([-1] * n), b.ints([INT64_MIN] * n), b.ints(axes), b.ints([-1] * n)])


@primitive("Pad")
def _pad(b, rec):
    widths, value = rec.args[1], rec.args[2]
    pads = [int(w[0]) for w in widths] + [int(w[1]) for w in widths]
    return b.node("Pad", [b.value(0), b.ints(pads), b.scalar(value, _out_dtype(rec))], mode="constant")


@primitive("GetItem")
def _getitem(b, rec):
    key = rec.args[1]
    items = list(key) if isinstance(key, tuple) else [key]
    nd = len(b.shape(0))
    arrays = [k for k in items if isinstance(k, np.ndarray)]
    if any(a.dtype == np.bool_ for a in arrays) or len(arrays) > 1 or (
            arrays and any(isinstance(k, (int, np.integer)) for k in items)):
        b.error(f"indexing with {_key_repr(items)} (boolean masks or several index arrays) is not supported")
    consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
    if isinstance(key, np.ndarray) and rec.vids[1] is not None:  # x[idx] with a traced index tensor
        return b.node("Gather", [b.value(0), b.value(1)], axis=0)
    x, axis = b.value(0), 0
    starts, ends, steps, axes = [], [], [], []
    for k in items:  # slices first (they keep the dims), recorded at their input axis
        if isinstance(k, slice):
            step = 1 if k.step is None else int(k.step)
            starts.append(_bound(k.start, step, True))
            ends.append(_bound(k.stop, step, False))
            steps.append(step)
            axes.append(axis)
        axis += nd - consumed if k is Ellipsis else (0 if k is None else 1)
    if axes:
        x = b.node("Slice", [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)])
    axis = 0
    for k in items:  # then picks (ints, index arrays) and new axes, tracking the current axis
        if k is Ellipsis:
            axis += nd - consumed
        elif k is None:
            x = b.node("Unsqueeze", [x, b.ints([axis])])
            axis += 1
        elif isinstance(k, slice):
            axis += 1
        elif isinstance(k, np.ndarray):
            x = b.node("Gather", [x, b.const(k.astype(np.int64))], axis=axis)
            axis += k.ndim
        else:
            x = b.node("Gather", [x, b.const(np.asarray(int(k), np.int64))], axis=axis)
    return x if x != b.value(0) else b.node("Identity", [x])


def _bound(v, step, is_start):
    if v is not None:
        return int(v)
    if step > 0:
        return 0 if is_start else INT64_MAX
    return -1 if is_start else INT64_MIN


def _key_repr(items):
    return "[" + ", ".join("array" if isinstance(k, np.ndarray) else repr(k) for k in items) + "]"


#: user-facing names of primitives whose class name means little outside npgrad
FRIENDLY = {"Masked": "hardtanh/relu6/threshold (functional form; the nn modules are supported)",
            "ZeroGrad": "step/sign (functional form; the nn modules are supported)",
            "BatchNorm": "batch norm with batch statistics (a BatchNorm layer without running statistics: "
                         "export runs in eval mode, so give the layer track_running_stats=True)",
            "IndexPut": "index assignment", "Remainder": "remainder/fmod", "Cumprod": "cumprod",
            "ScatterAdd": "scatter_add", "IndexAdd": "index_add"}
