"""nn layers and their functional forms on drawn CONFIGURATIONS and inputs, npgrad vs PyTorch: convolutions
(padding modes, 'same', groups, dilation, output_padding, unbatched), pooling, normalization (train/eval,
running stats after the step), Embedding, RNN/LSTM/GRU, losses, interpolate, PixelShuffle, Fold/Unfold and
Dropout in eval mode.  Both get the same initial weights (npgrad loads PyTorch's state dict as NumPy arrays),
everything runs in float64; outputs, input and parameter gradients, buffers after the step and the
exception type (when PyTorch refuses a configuration npgrad must refuse it too) are compared.

Fast by default (a fixed set of examples); ``NPGRAD_FUZZ=long`` draws thousands of fresh ones::

    NPGRAD_FUZZ=long PYTHONPATH=src python -m pytest -q tests/nn/test_fuzz_layers.py
"""
import os
import warnings
import zlib

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the fuzzer draws its inputs with Hypothesis")
torch = pytest.importorskip("torch", reason="PyTorch is the oracle of the differential fuzzer")
from hypothesis import given, strategies as st  # noqa: E402

import npgrad  # noqa: E402
from tests.ops.fuzz_optable import LONG, HypothesisDraw, RandomDraw, _same_error, profile  # noqa: E402

PROFILE = profile("npgrad-nnfuzz", 1500, 20000)

pytestmark = pytest.mark.filterwarnings("ignore")


class LayerCase:
    """``build(T)`` makes the module (or None for a functional call), ``call(T, module, *inputs)`` runs it.
    ``inputs`` are NumPy arrays (the floating ones get gradients), ``desc`` says what was drawn."""

    def __init__(self, desc, build, call, inputs, train=True, grad=True):
        self.desc, self.build, self.call, self.inputs, self.train, self.grad = desc, build, call, inputs, train, grad
        self.f32, self.known = False, None

    def in_float32(self):
        """The same case in float32 (module and floating inputs): the dtype rules, at float32's tolerance."""
        self.f32 = True
        self.inputs = [a.astype(np.float32) if a.dtype == np.float64 else a for a in self.inputs]
        return self

    def describe(self):
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.inputs)
        return (f"{self.desc} on ({shapes})" + ("" if self.train else " [eval]") +
                (" [float32 module]" if self.f32 else ""))


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t._data)


def _run(T, case, state):
    """(module, leaves, outputs, error) of one library; ``state`` (PyTorch's weights) is loaded into npgrad's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if T is torch:
                torch.manual_seed(0)
            mod = case.build(T)
            if mod is not None:
                mod = mod.float() if case.f32 else mod.double()
                if state is not None:
                    mod.load_state_dict({k: (torch.tensor(v) if T is torch else v.copy()) for k, v in state.items()})
                mod.train(case.train)
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            return None, [], None, e
        grads = case.grad if isinstance(case.grad, list) else [case.grad] * len(case.inputs)
        leaves = [T.tensor(a, requires_grad=g and a.dtype.kind == "f") for a, g in zip(case.inputs, grads)]
        try:
            return mod, leaves, _flat(case.call(T, mod, *leaves)), None
        except Exception as e:  # noqa: BLE001
            return mod, leaves, None, e


def _close(ours, theirs, what, bad, f32=False):
    if ours.shape != theirs.shape:
        bad.append(f"{what}: shape {ours.shape}, PyTorch {theirs.shape}")
    elif ours.dtype != theirs.dtype:
        bad.append(f"{what}: dtype {ours.dtype}, PyTorch {theirs.dtype}")
    else:
        fin = theirs[np.isfinite(theirs)] if theirs.dtype.kind == "f" else theirs
        scale = max(1.0, float(np.abs(fin).max())) if fin.size else 1.0
        try:
            rtol, atol = (1e-3, 1e-3) if f32 else (1e-7, 1e-9)  # (float32: its rounding, e.g. x - mean(x) != 0)
            np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol * scale, equal_nan=True)
        except AssertionError as err:
            bad.append(f"{what}: values differ{str(err)[str(err).find(chr(10)):][:500]}")


def _randomize_buffers(mod):
    """Running statistics other than 0/1 so that eval mode uses them."""
    rng = np.random.default_rng(7)
    for name, b in mod.named_buffers():
        if name.endswith("running_mean"):
            b.copy_(torch.tensor(rng.standard_normal(tuple(b.shape))))
        elif name.endswith("running_var"):
            b.copy_(torch.tensor(rng.uniform(0.5, 2.0, tuple(b.shape))))


def check(case):
    """Differences between npgrad and PyTorch on ``case``: a list of messages, empty when they agree."""
    # PyTorch first: its weights (and drawn running statistics) go to npgrad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.manual_seed(0)
            tmod = case.build(torch)
            state = None
            if tmod is not None:
                tmod = tmod.float() if case.f32 else tmod.double()
                with torch.no_grad():
                    _randomize_buffers(tmod)
                state = {k: v.detach().numpy().copy() for k, v in tmod.state_dict().items()}
        except Exception:  # noqa: BLE001 - _run repeats the construction and records the error
            state = None
    m2, l2, o2, e2 = _run(torch, case, state)
    m1, l1, o1, e1 = _run(npgrad, case, state)
    if e2 is not None or e1 is not None:
        if e2 is None:
            return [f"npgrad raises {type(e1).__name__}({str(e1)[:300]}); PyTorch does not"]
        if e1 is None and any(m in str(e2) for m in ("expected scalar type", "Found dtype")):
            return []  # npgrad casts a weight of another dtype where PyTorch refuses the mix: no wrong result
        if e1 is None:
            return [f"PyTorch raises {type(e2).__name__}({str(e2)[:200]}); npgrad does not"]
        if not _same_error(e1, e2):
            return [f"npgrad raises {type(e1).__name__}({str(e1)[:200]}), PyTorch {type(e2).__name__}({str(e2)[:200]})"]
        return []
    bad = []
    if len(o1) != len(o2):
        return [f"{len(o1)} outputs, PyTorch {len(o2)}"]
    for i, (a, b) in enumerate(zip(o1, o2)):
        _close(_np(a), _np(b), f"output {i}", bad, case.f32)
    if bad:
        return bad
    pairs = [(a, b) for a, b in zip(o1, o2) if isinstance(b, torch.Tensor) and b.requires_grad]
    if pairs:
        rng = np.random.default_rng(3)
        ws = [rng.standard_normal(tuple(b.shape)) for _, b in pairs]
        try:
            sum((b * torch.tensor(w)).sum() for (_, b), w in zip(pairs, ws)).backward()
        except RuntimeError:  # PyTorch has no backward here (an empty output): npgrad may give one
            return bad
        try:
            sum((a * npgrad.tensor(w)).sum() for (a, _), w in zip(pairs, ws)).backward()
        except Exception as e:  # noqa: BLE001
            return [f"npgrad's backward raises {type(e).__name__}({e})"]
        for i, (a, b) in enumerate(zip(l1, l2)):
            if b.requires_grad:
                gb = np.zeros(b.shape) if b.grad is None else b.grad.numpy()
                _close(np.zeros(gb.shape) if a.grad is None else _np(a.grad), gb, f"grad of input {i}", bad, case.f32)
        if m2 is not None:
            ours = dict(m1.named_parameters())
            for name, p in m2.named_parameters():
                gb = np.zeros(p.shape) if p.grad is None else p.grad.numpy()
                q = ours.get(name)
                if q is None:
                    bad.append(f"npgrad has no parameter {name}")
                else:
                    _close(np.zeros(gb.shape) if q.grad is None else _np(q.grad), gb, f"grad of {name}", bad, case.f32)
    if m2 is not None:  # buffers and weights after the step (running statistics, max_norm renormalization)
        ours = m1.state_dict()
        for name, v in m2.state_dict().items():
            if name not in ours:
                bad.append(f"npgrad's state_dict has no {name}")
            else:
                _close(_np(ours[name]), v.numpy(), f"state {name} after the step", bad, case.f32)
    return bad


# ---- the drawn configurations ---------------------------------------------------------------------------

def _rand(d, shape, lo=-2.0, hi=2.0):
    rng = np.random.default_rng(d.int(0, 2**31))
    return rng.uniform(lo, hi, shape)


def _tup(d, n, lo, hi):
    """An int or an n-tuple of ints in [lo, hi]."""
    return d.int(lo, hi) if d.int(0, 1) else tuple(d.int(lo, hi) for _ in range(n))


def conv_case(d):
    n = d.int(1, 3)
    transposed = d.int(0, 3) == 0
    groups = d.choice([1, 1, 2, 3])
    cin, cout = groups * d.int(1, 2), groups * d.int(1, 2)
    kw = dict(kernel_size=_tup(d, n, 1, 3), stride=_tup(d, n, 1, 3), dilation=_tup(d, n, 1, 2),
              groups=groups, bias=bool(d.int(0, 1)))
    if transposed:
        kw["padding"] = _tup(d, n, 0, 2)
        kw["output_padding"] = _tup(d, n, 0, 1) if d.int(0, 3) else _tup(d, n, 0, 2)  # (mostly valid ones)
        name = f"ConvTranspose{n}d"
    else:
        kw["padding"] = d.choice(["same", "valid", 0, 1, 2, (1,) * n, tuple(d.int(0, 2) for _ in range(n))])
        kw["padding_mode"] = d.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
        if kw["padding"] == "same" and d.int(0, 1):
            kw["stride"] = 1  # PyTorch refuses 'same' with strides
        name = f"Conv{n}d"
    batch = () if d.int(0, 4) == 0 else (d.int(1, 2),)
    shape = batch + (cin,) + tuple(d.int(1, 6) for _ in range(n))
    x = _rand(d, shape)
    known = None
    if transposed:
        k, s, p, op, dl = ((v,) * n if isinstance(v, int) else v for v in (kw["kernel_size"], kw["stride"],
                                                                          kw["padding"], kw["output_padding"],
                                                                          kw["dilation"]))
        if any((m - 1) * s_ - 2 * p_ + d_ * (k_ - 1) + op_ + 1 == 0
               for m, k_, s_, p_, op_, d_ in zip(shape[-n:], k, s, p, op, dl)):
            known = "empty_conv_transpose"
    case = _conv_case(d, n, name, cin, cout, kw, x)
    case.known = known
    return case


def _conv_case(d, n, name, cin, cout, kw, x):
    if d.int(0, 2) == 0:  # the functional form with the module's weights
        fn = {"Conv": "conv", "ConvTranspose": "conv_transpose"}[name[:-2]] + f"{n}d"
        fkw = {k: v for k, v in kw.items() if k not in ("kernel_size", "bias", "padding_mode")}
        if kw.get("padding_mode", "zeros") != "zeros":
            fkw.pop("padding")  # the padding modes are the module's alone
            kw["padding_mode"] = "zeros"
        return LayerCase(f"F.{fn}(weight, bias, {fkw}) from nn.{name}({cin}, {cout}, {kw})",
                         lambda T: getattr(T.nn, name)(cin, cout, **kw),
                         lambda T, m, x: getattr(T.nn.functional, fn)(x, m.weight, m.bias, **fkw), [x])
    return LayerCase(f"nn.{name}({cin}, {cout}, {kw})", lambda T: getattr(T.nn, name)(cin, cout, **kw),
                     lambda T, m, x: m(x), [x])


def pool_case(d):
    n = d.int(1, 3)
    # (npgrad has no AdaptiveMaxPool or LPPool yet: drawn once it has them)
    kind = d.choice([k for k in ("Max", "Avg", "AdaptiveAvg", "AdaptiveMax", "LP") if hasattr(npgrad.nn, f"{k}Pool1d")])
    if kind == "LP":
        n = d.int(1, 2)
    c = d.int(1, 3)
    batch = () if d.int(0, 4) == 0 else (d.int(1, 2),)
    shape = batch + (c,) + tuple(d.int(1, 7) for _ in range(n))
    # distinct values: the maximum's position is unspecified under ties
    x = np.random.default_rng(d.int(0, 2**31)).permutation(int(np.prod(shape))).reshape(shape) / 7.0 - 3.0
    name = f"{kind}Pool{n}d"
    if kind.startswith("Adaptive"):
        args = (d.int(1, 4),) if d.int(0, 1) else (tuple(d.choice([None, 1, 2, 3, 5]) for _ in range(n)),)
        if n == 1 and isinstance(args[0], tuple):
            args = (args[0][0] or 2,)
        kw = {"return_indices": bool(d.int(0, 1))} if kind == "AdaptiveMax" else {}
    else:
        k = _tup(d, n, 1, 3)
        args = (k,)
        kw = {"stride": d.choice([None, _tup(d, n, 1, 3)]), "ceil_mode": bool(d.int(0, 1))}
        if kind == "Max":
            kw.update(padding=_tup(d, n, 0, 1), dilation=_tup(d, n, 1, 2), return_indices=bool(d.int(0, 1)))
        elif kind == "Avg":
            kw.update(padding=_tup(d, n, 0, 1), count_include_pad=bool(d.int(0, 1)))
            if n > 1 and d.int(0, 2) == 0:
                kw["divisor_override"] = d.int(1, 5)
        else:
            args = (d.choice([1, 2, 3, 1.5]), k)
            x = np.abs(x) + 0.1  # fractional powers of negatives are nan in both; keep the gradient finite
    grad = not (kind == "Max" and _empty_window(shape[-n:], args[0], kw["stride"], kw["padding"], kw["dilation"],
                                               kw["ceil_mode"]))
    if d.int(0, 2) == 0:
        fn = {"Max": "max_pool", "Avg": "avg_pool", "LP": "lp_pool", "AdaptiveAvg": "adaptive_avg_pool",
              "AdaptiveMax": "adaptive_max_pool"}[kind] + f"{n}d"
        return LayerCase(f"F.{fn}{args + (kw,)}", lambda T: None,
                         lambda T, m, x: _padding_windows(T, getattr(T.nn.functional, fn)(x, *args, **kw)), [x],
                         grad=grad)
    return LayerCase(f"nn.{name}{args + (kw,)}", lambda T: getattr(T.nn, name)(*args, **kw),
                     lambda T, m, x: _padding_windows(T, m(x)), [x], grad=grad)


def _empty_window(sizes, k, s, p, dl, ceil):
    """Whether some max-pool window holds padding only: PyTorch's backward aborts the process there, so such
    configurations are checked forward only."""
    n = len(sizes)
    k, p, dl = ((v,) * n if isinstance(v, int) else v for v in (k, p, dl))
    s = k if s is None else ((s,) * n if isinstance(s, int) else s)
    for size, k_, s_, p_, d_ in zip(sizes, k, s, p, dl):
        out = (size + 2 * p_ - d_ * (k_ - 1) - 1 + (s_ - 1 if ceil else 0)) // s_ + 1
        if ceil and (out - 1) * s_ >= size + p_:
            out -= 1
        if out < 1 or 2 * p_ > k_:
            return False  # PyTorch refuses the configuration
        if any(all(not 0 <= o * s_ - p_ + j * d_ < size for j in range(k_)) for o in range(out)):
            return True
    return False


def _padding_windows(T, out):
    """A window entirely in the padding (dilation can step over the input) has the maximum -inf and an
    unspecified index: the index is not compared there."""
    if not isinstance(out, tuple):
        return out
    y, i = out
    return y, T.where(T.isinf(y.detach()), T.full_like(i, -1), i)


def norm_case(d):
    kind = d.choice(["BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm"])
    train = bool(d.int(0, 2))
    if kind in ("BatchNorm", "InstanceNorm"):
        n = d.int(1, 3)
        c = d.int(1, 4)
        kw = dict(affine=bool(d.int(0, 1)), track_running_stats=bool(d.int(0, 1)),
                  momentum=d.choice([0.1, None, 0.5]), eps=d.choice([1e-5, 0.1]))
        if kind == "InstanceNorm":
            kw["affine"] = bool(d.int(0, 2) == 0)
        lead = (d.int(1 if kind == "InstanceNorm" else 2, 3),)
        if kind == "InstanceNorm" and d.int(0, 3) == 0:
            lead = ()  # unbatched
        spatial = tuple(d.int(1 if kind == "BatchNorm" else 2, 4) for _ in range(n))
        if kind == "BatchNorm" and n == 1 and d.int(0, 1):
            spatial = ()  # (N, C)
        shape = lead + (c,) + spatial
        name = f"{kind}{n}d"
        build = (lambda T: getattr(T.nn, name)(c, **kw))
        desc = f"nn.{name}({c}, {kw})"
    elif kind == "LayerNorm":
        shape = tuple(d.int(1, 4) for _ in range(d.int(1, 4)))
        ns = shape[len(shape) - d.int(1, len(shape)):]
        kw = dict(elementwise_affine=bool(d.int(0, 1)), bias=bool(d.int(0, 1)), eps=d.choice([1e-5, 0.1]))
        build = (lambda T: T.nn.LayerNorm(ns, **kw))
        desc = f"nn.LayerNorm({ns}, {kw})"
    else:
        g = d.int(1, 3)
        c = g * d.int(1, 2)
        shape = (d.int(1, 3), c) + tuple(d.int(1, 3) for _ in range(d.int(0, 2)))
        kw = dict(affine=bool(d.int(0, 1)), eps=d.choice([1e-5, 0.1]))
        build = (lambda T: T.nn.GroupNorm(g, c, **kw))
        desc = f"nn.GroupNorm({g}, {c}, {kw})"
    x = _rand(d, shape) * d.choice([1.0, 10.0]) + d.choice([0.0, 3.0])
    if d.int(0, 1):  # two steps: the running statistics average two batches (momentum None: cumulatively)
        return LayerCase(desc + " twice", build, lambda T, m, x: (m(x), m(x * 0.5 + 1.0)), [x], train=train)
    return LayerCase(desc, build, lambda T, m, x: m(x), [x], train=train)


def embedding_case(d):
    num, dim = d.int(1, 6), d.int(1, 4)
    kw = dict(padding_idx=d.choice([None, None, 0, num - 1, -1]), max_norm=d.choice([None, None, 1.0, 0.5]),
              norm_type=d.choice([2.0, 1.0, 3.0]), scale_grad_by_freq=bool(d.int(0, 1)))
    idx = np.random.default_rng(d.int(0, 2**31)).integers(0, num, tuple(d.int(1, 4) for _ in range(d.int(0, 2))))
    if d.int(0, 2) == 0:
        fkw = dict(kw)
        if fkw["padding_idx"] is not None and fkw["padding_idx"] < 0:
            fkw["padding_idx"] += num
        return LayerCase(f"F.embedding(idx, weight, {fkw})", lambda T: T.nn.Embedding(num, dim),
                         lambda T, m, i: T.nn.functional.embedding(i, m.weight, **fkw), [idx])
    return LayerCase(f"nn.Embedding({num}, {dim}, {kw})", lambda T: T.nn.Embedding(num, dim, **kw),
                     lambda T, m, i: m(i), [idx])


PROJ_SIZE = False  # npgrad's LSTM refuses proj_size (NotImplementedError): not drawn until it has it


def rnn_case(d):
    kind = d.choice(["RNN", "LSTM", "GRU"])
    inp, hid = d.int(1, 3), d.int(1, 4)
    kw = dict(num_layers=d.int(1, 3), bidirectional=bool(d.int(0, 1)), batch_first=bool(d.int(0, 1)),
              bias=bool(d.int(0, 3)))
    if kind == "RNN":
        kw["nonlinearity"] = d.choice(["tanh", "relu"])
    if kind == "LSTM" and PROJ_SIZE and d.int(0, 2) == 0:
        kw["proj_size"] = d.int(1, hid)
    seq, batch = d.int(1, 4), d.int(1, 3)
    unbatched = d.int(0, 4) == 0
    shape = (seq, inp) if unbatched else ((batch, seq, inp) if kw["batch_first"] else (seq, batch, inp))
    inputs = [_rand(d, shape)]
    nd = kw["num_layers"] * (2 if kw["bidirectional"] else 1)
    hb = () if unbatched else (batch,)
    if d.int(0, 1):
        inputs.append(_rand(d, (nd,) + hb + (kw.get("proj_size") or hid,)))
        if kind == "LSTM":
            inputs.append(_rand(d, (nd,) + hb + (hid,)))
    if len(inputs) == 1:
        call = (lambda T, m, x: m(x))
    elif kind == "LSTM":
        call = (lambda T, m, x, h, c: m(x, (h, c)))
    else:
        call = (lambda T, m, x, h: m(x, h))
    return LayerCase(f"nn.{kind}({inp}, {hid}, {kw})", lambda T: getattr(T.nn, kind)(inp, hid, **kw), call, inputs)


def loss_case(d):
    red = d.choice(["none", "mean", "sum"])
    n, c = d.int(1, 4), d.int(2, 4)
    rng = np.random.default_rng(d.int(0, 2**31))
    extra = tuple(d.int(1, 3) for _ in range(d.int(0, 1)))
    kind = d.choice(["cross_entropy", "cross_entropy_probs", "nll_loss", "bce", "bce_logits", "smooth_l1",
                     "huber", "kl_div", "mse", "l1", "poisson_nll", "margin_ranking", "soft_margin", "more"])
    if kind == "more":
        return _more_losses(d, red, n, c, rng)
    if kind in ("cross_entropy", "nll_loss", "cross_entropy_probs"):
        x = rng.standard_normal((n, c) + extra)
        kw = dict(reduction=red)
        if d.int(0, 1):
            kw["weight"] = rng.uniform(0.1, 2.0, c)
        if kind == "cross_entropy_probs":
            t = rng.dirichlet(np.ones(c), (n,) + extra)
            t = np.moveaxis(t, -1, 1)
            kw["label_smoothing"] = d.choice([0.0, 0.1, 0.5])
        else:
            t = rng.integers(0, c, (n,) + extra)
            if d.int(0, 1):
                kw["ignore_index"] = d.choice([0, c - 1, -100])
                t.flat[0] = kw["ignore_index"] if kw["ignore_index"] >= 0 else t.flat[0]
            if kind == "cross_entropy":
                kw["label_smoothing"] = d.choice([0.0, 0.0, 0.1, 0.3])
        if d.int(0, 4) == 0 and not extra:  # unbatched
            x, t = x[0], t[0]
        fn = "cross_entropy" if kind.startswith("cross") else "nll_loss"
        if fn == "nll_loss":
            x = x - np.log(np.exp(x).sum(1, keepdims=True)) if x.ndim > 1 else x - np.log(np.exp(x).sum())
        weight = kw.pop("weight", None)
        case = LayerCase(f"F.{fn}(x, t, weight={weight is not None}, {kw})", lambda T: None,
                         lambda T, m, x, t: getattr(T.nn.functional, fn)(
                             x, t, weight=None if weight is None else T.tensor(weight), **kw), [x, t])
        if kind == "cross_entropy_probs" and weight is not None:
            case.known = "soft_ce_weight_dtype"
        return case
    shape = (n, c) + extra
    x, t = rng.standard_normal(shape), rng.standard_normal(shape)
    kw = dict(reduction=red)
    if kind == "bce":
        x, t = rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
        w = rng.uniform(0.1, 2.0, shape[-1:]) if d.int(0, 1) else None
        return LayerCase(f"F.binary_cross_entropy(x, t, weight={w is not None}, {kw})", lambda T: None,
                         lambda T, m, x, t: T.nn.functional.binary_cross_entropy(
                             x, t, weight=None if w is None else T.tensor(w), **kw), [x, t])
    if kind == "bce_logits":
        t = rng.uniform(0, 1, shape)
        pw = rng.uniform(0.1, 3.0, shape[-1:]) if d.int(0, 1) else None
        w = rng.uniform(0.1, 2.0, shape[-1:]) if d.int(0, 1) else None
        return LayerCase(f"F.binary_cross_entropy_with_logits(x, t, pos_weight={pw is not None}, "
                         f"weight={w is not None}, {kw})", lambda T: None,
                         lambda T, m, x, t: T.nn.functional.binary_cross_entropy_with_logits(
                             x, t, weight=None if w is None else T.tensor(w),
                             pos_weight=None if pw is None else T.tensor(pw), **kw), [x, t])
    if kind == "smooth_l1":
        kw["beta"] = d.choice([1.0, 0.5, 0.0, 2.0])
    if kind == "huber":
        kw["delta"] = d.choice([1.0, 0.5, 2.0])
    if kind == "kl_div":
        kw["log_target"] = bool(d.int(0, 1))
        if kw["reduction"] == "mean" and d.int(0, 1):
            kw["reduction"] = "batchmean"
        x = np.log(rng.dirichlet(np.ones(shape[-1]), shape[:-1]))
        t = rng.dirichlet(np.ones(shape[-1]), shape[:-1])
        t = np.log(t) if kw["log_target"] else t
    if kind == "poisson_nll":
        kw.update(log_input=bool(d.int(0, 1)), full=bool(d.int(0, 1)))
        t = rng.poisson(2.0, shape).astype(np.float64)
        if not kw["log_input"]:
            x = np.abs(x) + 0.1
    if kind == "margin_ranking":
        y = np.sign(rng.standard_normal(shape)) + 0.0
        kw["margin"] = d.choice([0.0, 0.5])
        return LayerCase(f"F.margin_ranking_loss(a, b, y, {kw})", lambda T: None,
                         lambda T, m, a, b, y: T.nn.functional.margin_ranking_loss(a, b, y, **kw), [x, t, y])
    if kind == "soft_margin":
        t = np.sign(t) + 0.0
    fn = {"smooth_l1": "smooth_l1_loss", "huber": "huber_loss", "kl_div": "kl_div", "mse": "mse_loss",
          "l1": "l1_loss", "poisson_nll": "poisson_nll_loss", "soft_margin": "soft_margin_loss"}[kind]
    # PyTorch refuses a target gradient for soft_margin; poisson_nll's Stirling term gives nan target gradients
    # under its mask (0 * inf) where npgrad gives 0: the target is a label or count, without gradient there
    grad = [True, kind not in ("soft_margin", "poisson_nll")]
    return LayerCase(f"F.{fn}(x, t, {kw})", lambda T: None,
                     lambda T, m, x, t: getattr(T.nn.functional, fn)(x, t, **kw), [x, t], grad=grad)


def _more_losses(d, red, n, c, rng):
    kw = dict(reduction=red)
    x = rng.standard_normal((n, c))
    kind = d.choice([k for k in ("hinge_embedding", "multi_margin", "multilabel_soft_margin", "cosine_embedding",
                                 "triplet_margin", "gaussian_nll", "multilabel_margin")
                     if hasattr(npgrad.nn.functional, k + "_loss")])  # (npgrad lacks the multilabel ones)
    if kind == "hinge_embedding":
        kw["margin"] = d.choice([1.0, 0.5])
        y = np.sign(rng.standard_normal((n, c))) + 0.0
        return LayerCase(f"F.hinge_embedding_loss(x, y, {kw})", lambda T: None,
                         lambda T, m, x, y: T.nn.functional.hinge_embedding_loss(x, y, **kw), [x, y],
                         grad=[True, False])
    if kind == "multi_margin":
        kw.update(p=d.choice([1, 2]), margin=d.choice([1.0, 0.5]))
        w = rng.uniform(0.1, 2.0, c) if d.int(0, 1) else None
        y = rng.integers(0, c, n)
        return LayerCase(f"F.multi_margin_loss(x, y, weight={w is not None}, {kw})", lambda T: None,
                         lambda T, m, x, y: T.nn.functional.multi_margin_loss(
                             x, y, weight=None if w is None else T.tensor(w), **kw), [x, y])
    if kind == "multilabel_soft_margin":
        w = rng.uniform(0.1, 2.0, c) if d.int(0, 1) else None
        y = rng.integers(0, 2, (n, c)).astype(np.float64)
        return LayerCase(f"F.multilabel_soft_margin_loss(x, y, weight={w is not None}, {kw})", lambda T: None,
                         lambda T, m, x, y: T.nn.functional.multilabel_soft_margin_loss(
                             x, y, weight=None if w is None else T.tensor(w), **kw), [x, y], grad=[True, False])
    if kind == "multilabel_margin":
        y = np.full((n, c), -1)
        for i in range(n):
            k = d.int(0, c)
            y[i, :k] = rng.permutation(c)[:k]
        return LayerCase(f"F.multilabel_margin_loss(x, y, {kw})", lambda T: None,
                         lambda T, m, x, y: T.nn.functional.multilabel_margin_loss(x, y, **kw), [x, y])
    if kind == "cosine_embedding":
        kw["margin"] = d.choice([0.0, 0.3, -0.2])
        y = np.sign(rng.standard_normal(n)) + 0.0
        return LayerCase(f"F.cosine_embedding_loss(a, b, y, {kw})", lambda T: None,
                         lambda T, m, a, b, y: T.nn.functional.cosine_embedding_loss(a, b, y, **kw),
                         [x, rng.standard_normal((n, c)), y], grad=[True, True, False])
    if kind == "triplet_margin":
        kw.update(margin=d.choice([1.0, 0.5]), p=d.choice([1.0, 2.0, 3.0]), swap=bool(d.int(0, 1)))
        return LayerCase(f"F.triplet_margin_loss(a, p, n, {kw})", lambda T: None,
                         lambda T, m, a, p, q: T.nn.functional.triplet_margin_loss(a, p, q, **kw),
                         [x, rng.standard_normal((n, c)), rng.standard_normal((n, c))])
    kw.update(full=bool(d.int(0, 1)), eps=d.choice([1e-6, 0.5]))
    var = rng.uniform(0.1, 2.0, d.choice([(n, c), (n, 1), (n,)]))
    return LayerCase(f"F.gaussian_nll_loss(x, t, var{list(var.shape)}, {kw})", lambda T: None,
                     lambda T, m, x, t, v: T.nn.functional.gaussian_nll_loss(x, t, v, **kw),
                     [x, rng.standard_normal((n, c)), var])


def interp_case(d):
    n = d.int(1, 3)
    mode = d.choice({1: ["nearest", "nearest-exact", "linear", "area"],
                     2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
                     3: ["nearest", "nearest-exact", "trilinear", "area"]}[n])
    shape = (d.int(1, 2), d.int(1, 2)) + tuple(d.int(1, 5) for _ in range(n))
    x = _rand(d, shape)
    kw = {"mode": mode}
    if d.int(0, 1):
        kw["size"] = d.int(1, 7) if d.int(0, 1) else tuple(d.int(1, 7) for _ in range(n))
    else:
        sf = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 0.7, 1.3]
        kw["scale_factor"] = d.choice(sf) if d.int(0, 1) else tuple(d.choice(sf) for _ in range(n))
        if d.int(0, 1):
            kw["recompute_scale_factor"] = bool(d.int(0, 1))
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and d.int(0, 1):
        kw["align_corners"] = bool(d.int(0, 1))
    sf = kw.get("scale_factor")
    sfs = (sf,) * n if isinstance(sf, float) else sf
    # a size kept under a scale != 1 (3 * 1.3 -> 3): PyTorch's backward copies the gradient through unchanged,
    # inconsistent with its own nearest and bicubic forwards (which resample): forward only
    grad = not (sf is not None and not kw.get("recompute_scale_factor") and
                any(int(m * f) == m and f != 1.0 for m, f in zip(shape[2:], sfs)))
    if d.int(0, 3) == 0 and mode != "area":
        ukw = {k: v for k, v in kw.items() if k != "recompute_scale_factor"}
        return LayerCase(f"nn.Upsample({ukw})", lambda T: T.nn.Upsample(**ukw), lambda T, m, x: m(x), [x],
                         grad=grad)
    return LayerCase(f"F.interpolate({kw})", lambda T: None,
                     lambda T, m, x: T.nn.functional.interpolate(x, **kw), [x], grad=grad)


def shape_case(d):
    kind = d.choice(["PixelShuffle", "PixelUnshuffle", "Fold", "Unfold", "Dropout"])
    r = d.int(1, 3)
    if kind == "PixelShuffle":
        shape = (d.int(1, 2),) * d.int(0, 1) + (d.int(1, 2) * r * r, d.int(1, 3), d.int(1, 3))
        return LayerCase(f"nn.PixelShuffle({r})", lambda T: T.nn.PixelShuffle(r), lambda T, m, x: m(x),
                         [_rand(d, shape)])
    if kind == "PixelUnshuffle":
        shape = (d.int(1, 2),) * d.int(0, 1) + (d.int(1, 2), d.int(1, 2) * r, d.int(1, 2) * r)
        return LayerCase(f"nn.PixelUnshuffle({r})", lambda T: T.nn.PixelUnshuffle(r), lambda T, m, x: m(x),
                         [_rand(d, shape)])
    if kind == "Dropout":
        name = d.choice([n for n in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                     "FeatureAlphaDropout") if hasattr(npgrad.nn, n)])
        shape = tuple(d.int(1, 3) for _ in range(d.int(2, 4)))
        p = d.choice([0.0, 0.5, 1.0])
        return LayerCase(f"nn.{name}({p})", lambda T: getattr(T.nn, name)(p), lambda T, m, x: m(x),
                         [_rand(d, shape)], train=False)
    kw = dict(kernel_size=_tup(d, 2, 1, 3), dilation=_tup(d, 2, 1, 2), padding=_tup(d, 2, 0, 1),
              stride=_tup(d, 2, 1, 2))
    c = d.int(1, 2)
    hw = (d.int(1, 6), d.int(1, 6))
    batch = (d.int(1, 2),) if d.int(0, 3) else ()
    if kind == "Unfold":
        return LayerCase(f"F.unfold({kw})", lambda T: None, lambda T, m, x: T.nn.functional.unfold(x, **kw),
                         [_rand(d, batch + (c,) + hw)])
    # Fold: the input has as many blocks as the output size allows (or a wrong count, which both refuse)
    ks = kw["kernel_size"] if isinstance(kw["kernel_size"], tuple) else (kw["kernel_size"],) * 2
    tup = [v if isinstance(v, tuple) else (v, v) for v in (kw["dilation"], kw["padding"], kw["stride"])]
    blocks = 1
    for i in range(2):
        blocks *= max((hw[i] + 2 * tup[1][i] - tup[0][i] * (ks[i] - 1) - 1) // tup[2][i] + 1, 0)
    blocks = blocks if d.int(0, 5) else blocks + 1
    return LayerCase(f"F.fold({hw}, {kw})", lambda T: None, lambda T, m, x: T.nn.functional.fold(x, hw, **kw),
                     [_rand(d, batch + (c * ks[0] * ks[1], blocks))])


FAMILIES = {"conv": conv_case, "pool": pool_case, "norm": norm_case, "embedding": embedding_case, "rnn": rnn_case,
            "loss": loss_case, "interp": interp_case, "shape": shape_case}

# differences npgrad still has, by the name a drawn case carries in ``case.known``: skipped until fixed
KNOWN = {
    "empty_conv_transpose": "ConvTranspose whose output size is 0: PyTorch returns an empty tensor, npgrad raises",
    "soft_ce_weight_dtype": "cross_entropy with probability targets and a weight of another dtype: PyTorch's "
                            "result takes the promoted dtype (float64 weight, float32 logits -> float64), npgrad "
                            "keeps the input's",
}


def _known(case):
    if case.known == "soft_ce_weight_dtype" and not case.f32:
        return False
    return case.known in KNOWN


def _check_case(case):
    if _known(case):
        return
    bad = check(case)
    assert not bad, case.describe() + "\n  " + "\n  ".join(bad)


@PROFILE
@given(st.data())
def test_random_layer_configurations_match_torch(data):
    d = HypothesisDraw(data)
    names = sorted(FAMILIES)
    case = FAMILIES[names[d.int(0, len(names) - 1)]](d)
    _check_case(case.in_float32() if d.int(0, 3) == 0 else case)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_on_a_few_drawn_configurations(family):
    base = int.from_bytes(os.urandom(4), "little") if LONG else 0
    for seed in range(200 if LONG else 25):
        _check_case(FAMILIES[family](RandomDraw(zlib.crc32(f"{family}/{base + seed}".encode()))))


def test_the_checker_reports_a_wrong_result():
    """The fuzzer must be able to fail: a layer that differs from PyTorch's is reported."""
    case = LayerCase("relu vs identity", lambda T: None,
                     lambda T, m, x: x * 1.0 if T is npgrad else T.relu(x), [np.array([-1.0, 2.0])])
    assert check(case)
