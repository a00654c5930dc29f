"""Layers exported as one ONNX node (or a few) instead of the primitives inside them.

Each entry of :data:`MODULES` is ``type: (applies(module) -> bool, emit(b, rec) -> output names)``.
``rec.op`` is the module; ``b.value(k)`` names the k-th tensor argument of its call (nested
arguments such as LSTM's ``(h_0, c_0)`` flattened in order); the outputs come back flattened the
same way (``out, (h_n, c_n)`` -> three names).
"""
from __future__ import annotations

import numpy as np

from .. import nn

MODULES = {}


def module(*types, applies=lambda m: True):
    def deco(fn):
        for t in types:
            MODULES[t] = (applies, fn)
        return fn
    return deco


def _ones_zeros(b, n, dt, weight, bias):
    w = b.tensor(weight) if weight is not None else b.const(np.ones(n, dt))
    c = b.tensor(bias) if bias is not None else b.const(np.zeros(n, dt))
    return w, c


@module(nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d,
        applies=lambda m: not m.training and m.running_mean is not None and m.running_var is not None)
def _batch_norm(b, rec):
    m = rec.op
    dt = b.dtype(0)
    w, c = _ones_zeros(b, m.num_features, dt, m.weight, m.bias)
    mean, var = b.tensor(m.running_mean), b.tensor(m.running_var)
    if m.running_mean.dtype != rec.outs[0].dtype:  # statistics kept in another dtype: cast, as batch_norm does
        mean = b.const(m.running_mean._data.astype(dt))
        var = b.const(m.running_var._data.astype(dt))
    return [b.node("BatchNormalization", [b.value(0), w, c, mean, var], epsilon=float(m.eps))]


@module(nn.LayerNorm)
def _layer_norm(b, rec):
    m = rec.op
    ns = tuple(m.normalized_shape)
    w, c = _ones_zeros(b, ns, b.dtype(0), m.weight if m.elementwise_affine else None,
                       m.bias if m.elementwise_affine else None)
    nd = len(b.shape(0))
    return [b.layer_norm(b.value(0), w, c, nd - len(ns), nd, float(m.eps), b.dtype(0))]


@module(nn.Flatten, applies=lambda m: m.end_dim == -1)
def _flatten(b, rec):
    nd = len(b.shape(0))
    start = rec.op.start_dim % nd if nd else 0
    if start == 1:
        return [b.node("Flatten", [b.value(0)], axis=1)]
    # ONNX Flatten always gives 2-D: otherwise keep dims [0, start) (0 copies a dim) and merge the rest
    return [b.node("Reshape", [b.value(0), b.ints([0] * start + [-1])])]


@module(nn.Conv1d, nn.ConvTranspose1d, applies=lambda m: m.padding_mode == "zeros")
def _conv1d(b, rec):
    """One-dimensional Conv/ConvTranspose (the primitives run them as 2-d on a height-1 image)."""
    from ..nn.conv_functional import conv_padding
    m, x, unbatched = rec.op, b.value(0), len(b.shape(0)) == 2
    if unbatched:
        x = b.node("Unsqueeze", [x, b.ints([0])])
    ins = [x, b.tensor(m.weight)] + ([b.tensor(m.bias)] if m.bias is not None else [])
    (k,), (s,), (d,) = m.kernel_size, m.stride, m.dilation
    attrs = {"strides": [s], "dilations": [d], "group": m.groups, "kernel_shape": [k]}
    if m.transposed:
        p, n_in, n_out = m.padding[0], b.shape(0)[-1], rec.out_shapes[0][-1]
        opad = n_out - ((n_in - 1) * s - 2 * p + d * (k - 1) + 1)  # also when forward got output_size
        y = b.node("ConvTranspose", ins, pads=[p, p], output_padding=[opad], **attrs)
    else:
        y = b.node("Conv", ins, pads=list(conv_padding(m.padding, m.kernel_size, m.stride, m.dilation, "Conv1d")),
                   **attrs)
    return [b.node("Squeeze", [y, b.ints([0])]) if unbatched else y]


@module(nn.GroupNorm)
def _group_norm(b, rec):
    """Standardise each sample's channel groups (LayerNormalization over (N, G, -1)), then scale and shift
    per channel with the layer's own weight and bias."""
    m, x = rec.op, b.value(0)
    nd, dt = len(b.shape(0)), b.dtype(0)
    g = b.node("Reshape", [x, b.ints([0, m.num_groups, -1])])
    n = b.layer_norm(g, b.const(np.ones(1, dt)), b.const(np.zeros(1, dt)), 2, 3, float(m.eps), dt)
    y = b.node("Reshape", [n, b.node("Shape", [x])])
    if m.weight is None:
        return [y]
    per_channel = b.ints([m.num_channels] + [1] * (nd - 2))
    y = b.node("Mul", [y, b.node("Reshape", [b.tensor(m.weight), per_channel])])
    return [b.node("Add", [y, b.node("Reshape", [b.tensor(m.bias), per_channel])]) if m.bias is not None else y]


@module(*[getattr(nn, n) for n in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout") if hasattr(nn, n)],
        applies=lambda m: not m.training)
def _dropout(b, rec):
    return [b.node("Identity", [b.value(0)])]


@module(nn.LeakyReLU)
def _leaky_relu(b, rec):
    return [b.node("LeakyRelu", [b.value(0)], alpha=float(rec.op.negative_slope))]


@module(nn.Hardtanh, nn.ReLU6)
def _hardtanh(b, rec):
    m, dt = rec.op, b.dtype(0)
    lo, hi = (0.0, 6.0) if isinstance(m, nn.ReLU6) else (m.min_val, m.max_val)
    return [b.node("Clip", [b.value(0), b.scalar(lo, dt), b.scalar(hi, dt)])]


@module(nn.Hardsigmoid)
def _hardsigmoid(b, rec):
    return [b.node("HardSigmoid", [b.value(0)], alpha=1.0 / 6, beta=0.5)]


@module(nn.Hardswish)
def _hardswish(b, rec):
    if b.opset >= 14:
        return [b.node("HardSwish", [b.value(0)])]
    return [b.node("Mul", [b.value(0), b.node("HardSigmoid", [b.value(0)], alpha=1.0 / 6, beta=0.5)])]


@module(nn.Threshold)
def _threshold(b, rec):
    m, dt = rec.op, b.dtype(0)
    x = b.value(0)
    keep = b.node("Greater", [x, b.scalar(m.threshold, dt)])
    return [b.node("Where", [keep, x, b.scalar(m.value, dt)])]


@module(nn.Step)
def _step(b, rec):
    m, dt = rec.op, b.dtype(0)
    x = b.value(0)
    high = b.node("GreaterOrEqual", [x, b.scalar(m.threshold, dt)])
    return [b.node("Where", [high, b.scalar(m.high, dt), b.scalar(m.low, dt)])]


@module(nn.Sign)
def _sign(b, rec):
    return [b.node("Sign", [b.value(0)])]


@module(nn.PReLU)
def _prelu(b, rec):
    nd, w = len(b.shape(0)), rec.op.weight
    slope = b.tensor(w)
    if w.shape[0] > 1 and nd > 2:  # one slope per channel (dim 1): broadcast over the spatial dims
        slope = b.node("Reshape", [slope, b.ints([w.shape[0]] + [1] * (nd - 2))])
    return [b.node("PRelu", [b.value(0), slope])]


# -- recurrent layers ------------------------------------------------------------------------------
#: PyTorch's gate blocks in ONNX's order: LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h
_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN_TANH": [0], "RNN_RELU": [0]}


def _gates(arr, mode):
    blocks = np.split(arr, len(_ORDER[mode]), axis=0)
    return np.concatenate([blocks[i] for i in _ORDER[mode]], axis=0)


def _layer_weights(b, m, layer, dirs):
    w, r, bias = [], [], []
    for suffix in ("", "_reverse")[:dirs]:
        w_ih, w_hh, b_ih, b_hh = m._layer_params(layer, suffix)
        w.append(_gates(w_ih._data, m.mode))
        r.append(_gates(w_hh._data, m.mode))
        if b_ih is not None:
            bias.append(np.concatenate([_gates(b_ih._data, m.mode), _gates(b_hh._data, m.mode)]))
    hint = f"{m.mode.split('_')[0]}_l{layer}"
    return (b.const(np.stack(w), hint + "_W"), b.const(np.stack(r), hint + "_R"),
            b.const(np.stack(bias), hint + "_B") if bias else "")


def _initial(b, state, layer, dirs):
    if not state:
        return ""
    return b.node("Slice", [state, b.ints([layer * dirs]), b.ints([(layer + 1) * dirs]), b.ints([0])])


@module(nn.RNN, nn.LSTM, nn.GRU)
def _recurrent(b, rec):
    m = rec.op
    if len(b.shape(0)) != 3:
        b.error("an unbatched (2-D) input to a recurrent layer is not supported: add the batch dim")
    lstm = m.mode == "LSTM"
    n_in = len(rec.vids)
    h0 = b.value(1) if n_in > 1 else ""
    c0 = b.value(2) if lstm and n_in > 2 else ""
    dirs = 2 if m.bidirectional else 1
    x = b.value(0)
    if m.batch_first:
        x = b.node("Transpose", [x], perm=[1, 0, 2])
    op = {"LSTM": "LSTM", "GRU": "GRU"}.get(m.mode, "RNN")
    attrs = {"hidden_size": m.hidden_size, "direction": "bidirectional" if dirs == 2 else "forward"}
    if m.mode == "GRU":
        attrs["linear_before_reset"] = 1  # PyTorch: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    if m.mode == "RNN_RELU":
        attrs["activations"] = ["Relu"] * dirs
    hs, cs = [], []
    for layer in range(m.num_layers):
        W, R, B = _layer_weights(b, m, layer, dirs)
        ins = [x, W, R, B, "", _initial(b, h0, layer, dirs)]
        if lstm:
            ins.append(_initial(b, c0, layer, dirs))
        while ins[-1] == "":
            ins.pop()
        outs = b.node(op, ins, n_out=3 if lstm else 2, **attrs)
        # Y (seq, dirs, batch, hidden) -> (seq, batch, dirs * hidden), PyTorch's layout
        y = b.node("Transpose", [outs[0]], perm=[0, 2, 1, 3])
        x = b.node("Reshape", [y, b.ints([0, 0, -1])])
        hs.append(outs[1])
        if lstm:
            cs.append(outs[2])
    out = b.node("Transpose", [x], perm=[1, 0, 2]) if m.batch_first else x
    h_n = b.node("Concat", hs, axis=0) if len(hs) > 1 else hs[0]
    if not lstm:
        return [out, h_n]
    return [out, h_n, b.node("Concat", cs, axis=0) if len(cs) > 1 else cs[0]]
