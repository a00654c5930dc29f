"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells, shaped like ``torch.nn``.

PyTorch's gate order and parameter names (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0``, ``*_reverse``) so state_dicts interchange.  An RNN layer makes ONE matrix product
for the input projection of the whole sequence, then loops over time steps only; backpropagation
through time is the autograd of these composed ops.  LSTM and GRU layers run each direction as one
primitive with its backward written out (:mod:`npgrad.nn.recurrent_fused`); the cells compose ops.

Gates (``W_i* x + b_i*`` and ``W_h* h + b_h*``, sigma the logistic function):

* RNN:  ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or relu)
* LSTM: ``i, f, g, o``; ``c' = sigma(f) c + sigma(i) tanh(g)``, ``h' = sigma(o) tanh(c')``
* GRU:  ``r, z, n``; ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``, ``h' = (1 - z) n + z h``
"""
from __future__ import annotations

import math

import numpy as np

from .. import _backend, _dtype
from ..ops import elementwise as E
from ..ops.linalg import matmul
from ..ops.shape import cat, stack
from ..tensor import Tensor
from . import init
from .module import Module, Parameter
from .recurrent_fused import GRUSequence, LSTMSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _param(shape, bound, dtype, device):
    """A parameter drawn from U(-bound, bound), PyTorch's init for every recurrent weight and bias,
    on ``device``."""
    dt = dtype.np if dtype is not None else _dtype.get_default_dtype().np
    t = Tensor._make(np.empty(shape, dtype=dt), None, False, None)
    init.uniform_(t, -bound, bound)
    return Parameter(Tensor._make(_backend.transfer(t._data, device), None, False, None))


def _zeros_like_state(x, shape):
    """Zeros of ``shape`` for an initial state: on ``x``'s device, in its dtype."""
    return Tensor._make(_backend.array_module(x._data).zeros(shape, dtype=x._data.dtype), None, False, None)


def _positive(where, **kw):
    for name, v in kw.items():
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{where}({name}={v!r}): {name} must be a positive integer, got {v!r}")


# -- one time step, given the input projection xp = W_ih x + b_ih (+ b_hh when foldable) ------
def _rnn_step(mode, xp, h, w_hh, b_hh):
    """One RNN or GRU step: ``h'``."""
    hp = matmul(h, w_hh.mT)
    if b_hh is not None and mode != "GRU":
        hp = hp + b_hh
    if mode == "RNN_TANH":
        return E.tanh(xp + hp)
    if mode == "RNN_RELU":
        return E.relu(xp + hp)
    if b_hh is not None:
        hp = hp + b_hh
    xr, xz, xn = xp.chunk(3, -1)
    hr, hz, hn = hp.chunk(3, -1)
    r = E.sigmoid(xr + hr)
    z = E.sigmoid(xz + hz)
    n = E.tanh(xn + r * hn)
    return n + z * (h - n)  # == (1 - z) n + z h


class RNNBase(Module):
    """Shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (multi-layer, optionally bidirectional)."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        where = type(self).__name__
        _positive(where, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{where}(dropout={dropout!r}): dropout should be a number in range [0, 1]")
        if proj_size:
            raise NotImplementedError(f"{where}(proj_size={proj_size}): projections are not supported")
        self.mode, self.input_size, self.hidden_size = mode, int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bool(bias), bool(batch_first)
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bool(bidirectional), 0
        g, hs = _GATES[mode] * hidden_size, hidden_size
        bound = 1 / math.sqrt(hidden_size)
        for layer in range(num_layers):
            for suffix in ("", "_reverse")[:2 if bidirectional else 1]:
                n_in = input_size if layer == 0 else hs * (2 if bidirectional else 1)
                setattr(self, f"weight_ih_l{layer}{suffix}", _param((g, n_in), bound, dtype, device))
                setattr(self, f"weight_hh_l{layer}{suffix}", _param((g, hs), bound, dtype, device))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{suffix}", _param((g,), bound, dtype, device))
                    setattr(self, f"bias_hh_l{layer}{suffix}", _param((g,), bound, dtype, device))

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    def flatten_parameters(self):
        """Accepted for compatibility: PyTorch packs the weights into one buffer for cuDNN; npgrad's
        weights are already used as they are, so there is nothing to do."""

    def _where(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def _layer_params(self, layer, suffix):
        get = lambda n: getattr(self, f"{n}_l{layer}{suffix}")  # noqa: E731
        if self.bias:
            return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")
        return get("weight_ih"), get("weight_hh"), None, None

    def _check_input(self, input, hx):
        where = self._where()
        if not isinstance(input, Tensor):
            raise TypeError(f"{where}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(f"{where}: expected input to be 2D (unbatched) or 3D, got {input.ndim}D input of "
                             f"shape {tuple(input.shape)}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{where}: input.size(-1) must be equal to input_size={self.input_size}, got input "
                               f"of shape {tuple(input.shape)}")
        if input.dtype != self.weight_ih_l0.dtype:
            raise RuntimeError(f"{where}: input dtype {input.dtype} does not match the parameters' dtype "
                               f"{self.weight_ih_l0.dtype}")

    def _initial(self, hx, input, n, unbatched, name):
        d = self.num_layers * (2 if self.bidirectional else 1)
        want = (d, self.hidden_size) if unbatched else (d, n, self.hidden_size)
        if hx is None:
            return _zeros_like_state(input, (d, n, self.hidden_size))
        if tuple(hx.shape) != want:
            raise RuntimeError(f"{self._where()}: expected {name} of shape {want}, got {tuple(hx.shape)}")
        return hx.unsqueeze(1) if unbatched else hx

    def forward(self, input, hx=None):
        if type(input).__name__ == "PackedSequence":
            return self._forward_packed(input, hx)
        self._check_input(input, hx)
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first else input)
        n = x.shape[1]
        if self.mode == "LSTM":
            if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
                raise TypeError(f"{self._where()}: hx must be a tuple (h_0, c_0)")
            h0 = self._initial(None if hx is None else hx[0], input, n, unbatched, "h_0")
            c0 = self._initial(None if hx is None else hx[1], input, n, unbatched, "c_0")
        else:
            h0 = self._initial(hx, input, n, unbatched, "hx")
            c0 = None
        out, hs, cs = self._run(x, h0, c0)
        if self.batch_first and not unbatched:
            out = out.transpose(0, 1)
        h_n = stack(hs, 0)
        if unbatched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
        if self.mode != "LSTM":
            return out, h_n
        c_n = stack(cs, 0)
        return out, (h_n, c_n.squeeze(1) if unbatched else c_n)

    def _forward_packed(self, packed, hx):
        """A packed batch: sequences of equal length run together, unpadded, so each one's final state is
        taken at its own last step; the output is packed like the input, the states in the batch's order."""
        from .utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
        x, lens = pad_packed_sequence(PackedSequence(packed.data, packed.batch_sizes))
        self._check_input(x, hx)
        n, order = x.shape[1], packed.sorted_indices
        if self.mode == "LSTM":
            h0 = self._initial(None if hx is None else hx[0], x, n, False, "h_0")
            c0 = self._initial(None if hx is None else hx[1], x, n, False, "c_0")
        else:
            h0, c0 = self._initial(hx, x, n, False, "hx"), None
        if order is not None and hx is not None:
            h0, c0 = h0.index_select(1, order), None if c0 is None else c0.index_select(1, order)
        lens = lens._data
        outs, hs, cs = [], [], []
        for start in np.flatnonzero(np.r_[True, lens[1:] != lens[:-1]]):  # groups of one length (lens sorted)
            stop, steps = start + int((lens == lens[start]).sum()), int(lens[start])
            out, h, c = self._run(x[:steps, start:stop], h0[:, start:stop], None if c0 is None else c0[:, start:stop])
            if steps < x.shape[0]:
                out = cat([out, out.new_zeros((x.shape[0] - steps,) + tuple(out.shape[1:]))], 0)
            outs.append(out)
            hs.append(stack(h, 0))
            cs.append(None if c0 is None else stack(c, 0))
        data = pack_padded_sequence(cat(outs, 1), lens).data
        out = PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
        unsort = (lambda t: t) if order is None else (lambda t: t.index_select(1, packed.unsorted_indices))
        h_n = unsort(cat(hs, 1))
        return (out, h_n) if self.mode != "LSTM" else (out, (h_n, unsort(cat(cs, 1))))

    def _run(self, x, h0, c0):
        """All layers and directions over ``x (L, N, I)``; returns output and per-(layer, dir) final states."""
        from . import functional as F
        hs, cs = [], []
        dirs = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(("", "_reverse")[:dirs]):
                k = layer * dirs + d
                o, h, c = self._direction(x, h0[k], None if c0 is None else c0[k],
                                          self._layer_params(layer, suffix), reverse=d == 1)
                outs.append(o)
                hs.append(h)
                cs.append(c)
            x = outs[0] if dirs == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, hs, cs

    def _direction(self, x, h, c, params, reverse):
        w_ih, w_hh, b_ih, b_hh = params
        if self.mode == "LSTM":                  # the whole sequence as one primitive (GRU too)
            hid = self.hidden_size
            y = LSTMSequence.apply(x.flip(0) if reverse else x, h, c, w_hh, w_ih, b_ih, b_hh)
            out = y[:, :, :hid]
            return (out.flip(0) if reverse else out), y[-1, :, :hid], y[-1, :, hid:]
        if self.mode == "GRU":
            out = GRUSequence.apply(x.flip(0) if reverse else x, h, w_hh, w_ih, b_ih, b_hh)
            return (out.flip(0) if reverse else out), out[-1], None
        # the input projection of every time step in one matrix product
        xp = matmul(x, w_ih.mT)
        if b_ih is not None:
            xp = xp + (b_ih + b_hh if self.mode != "GRU" else b_ih)
        step_bias = b_hh if self.mode == "GRU" else None
        outs = []
        for xp_t in _reorder(_steps(xp), reverse):
            h, c = _step(self.mode, xp_t, h, c, w_hh, step_bias)
            outs.append(h)
        if reverse:
            outs.reverse()
        return stack(outs, 0), h, c


def _steps(t):
    """``t.unbind(0)`` by repeated halving.  Each piece's gradient comes back at its parent's full
    size, so splitting ``L`` ways at once costs ``L`` passes over ``t`` in backward; halving costs
    about ``log2(L)``."""
    n = t.shape[0]
    if n <= 2:
        return list(t.unbind(0))
    h = n // 2
    return _steps(t[:h]) + _steps(t[h:])


def _reorder(items, reverse):
    return items[::-1] if reverse else items


def _step(mode, xp, h, c, w_hh, b_hh):
    """One step; LSTM returns its new cell state as well."""
    if mode != "LSTM":
        return _rnn_step(mode, xp, h, w_hh, b_hh), None
    hp = matmul(h, w_hh.mT)
    if b_hh is not None:
        hp = hp + b_hh
    i, f, g, o = (xp + hp).chunk(4, -1)
    c = E.sigmoid(f) * c + E.sigmoid(i) * E.tanh(g)
    return E.sigmoid(o) * E.tanh(c), c


class RNN(RNNBase):
    """Elman RNN, ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (``nonlinearity='relu'`` for ReLU).

    >>> import npgrad
    >>> rnn = npgrad.nn.RNN(10, 20, num_layers=2)
    >>> out, h_n = rnn(npgrad.randn(5, 3, 10))
    >>> tuple(out.shape), tuple(h_n.shape)
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN(nonlinearity={nonlinearity!r}): unknown nonlinearity, use 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype)

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + ", nonlinearity=relu"


class LSTM(RNNBase):
    """Long short-term memory; returns ``output, (h_n, c_n)``.

    >>> import npgrad
    >>> lstm = npgrad.nn.LSTM(4, 8, batch_first=True, bidirectional=True)
    >>> out, (h, c) = lstm(npgrad.randn(2, 6, 4))
    >>> tuple(out.shape), tuple(h.shape), tuple(c.shape)
    ((2, 6, 16), (2, 2, 8), (2, 2, 8))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n as in PyTorch).

    >>> import npgrad
    >>> out, h = npgrad.nn.GRU(3, 5)(npgrad.randn(7, 2, 3))
    >>> tuple(out.shape), tuple(h.shape)
    ((7, 2, 5), (1, 2, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)


# -- cells ---------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """One time step; parameters ``weight_ih (G*H, I)``, ``weight_hh (G*H, H)``, ``bias_ih``, ``bias_hh``."""

    def __init__(self, mode, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        _positive(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        self.mode, self.input_size, self.hidden_size, self.bias = mode, int(input_size), int(hidden_size), bool(bias)
        g, bound = _GATES[mode] * hidden_size, 1 / math.sqrt(hidden_size)
        self.weight_ih = _param((g, input_size), bound, dtype, device)
        self.weight_hh = _param((g, hidden_size), bound, dtype, device)
        if bias:
            self.bias_ih = _param((g,), bound, dtype, device)
            self.bias_hh = _param((g,), bound, dtype, device)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias else s + ", bias=False"

    def _check(self, input, hx, name):
        where = f"{type(self).__name__}({self.extra_repr()})"
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            raise ValueError(f"{where}: expected input to be 1D or 2D, got "
                             f"{getattr(input, 'shape', type(input).__name__)}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{where}: input has inconsistent input_size: got {input.shape[-1]}, expected "
                               f"{self.input_size} (input shape {tuple(input.shape)})")
        want = (self.hidden_size,) if input.ndim == 1 else (input.shape[0], self.hidden_size)
        if hx is not None and tuple(hx.shape) != want:
            raise RuntimeError(f"{where}: expected {name} of shape {want}, got {tuple(hx.shape)}")

    def _prep(self, input, hx):
        x = input.unsqueeze(0) if input.ndim == 1 else input
        if hx is None:
            return x, _zeros_like_state(x, (x.shape[0], self.hidden_size))
        return x, hx.unsqueeze(0) if input.ndim == 1 else hx

    def _xp(self, x):
        xp = matmul(x, self.weight_ih.mT)
        if self.bias_ih is None:
            return xp
        return xp + (self.bias_ih if self.mode == "GRU" else self.bias_ih + self.bias_hh)

    def _step_bias(self):
        return self.bias_hh if self.mode == "GRU" else None


class RNNCell(RNNCellBase):
    """``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``.

    >>> import npgrad
    >>> npgrad.nn.RNNCell(3, 4)(npgrad.randn(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell(nonlinearity={nonlinearity!r}): unknown nonlinearity, use 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, bias,
                         device, dtype)

    def forward(self, input, hx=None):
        self._check(input, hx, "hx")
        x, h = self._prep(input, hx)
        h, _ = _step(self.mode, self._xp(x), h, None, self.weight_hh, self._step_bias())
        return h.squeeze(0) if input.ndim == 1 else h


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n).

    >>> import npgrad
    >>> npgrad.nn.GRUCell(3, 4)(npgrad.randn(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    forward = RNNCell.forward


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx = (h, c)``, returns ``(h', c')``.

    >>> import npgrad
    >>> h, c = npgrad.nn.LSTMCell(3, 4)(npgrad.randn(2, 3))
    >>> tuple(h.shape), tuple(c.shape)
    ((2, 4), (2, 4))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"LSTMCell({self.extra_repr()}): hx must be a tuple (h, c)")
        self._check(input, None if hx is None else hx[0], "h")
        self._check(input, None if hx is None else hx[1], "c")
        x, h = self._prep(input, None if hx is None else hx[0])
        _, c = self._prep(input, None if hx is None else hx[1])
        h, c = _step("LSTM", self._xp(x), h, c, self.weight_hh, None)
        if input.ndim == 1:
            return h.squeeze(0), c.squeeze(0)
        return h, c
