"""The op fuzzer's generator and checks (driven by test_fuzz_ops.py).

Every op of the op table (optable.py + optable_more.py) runs again on drawn inputs: new shapes
(elementwise ops: any broadcast-compatible shapes, 0-d and size-0/1 dims included; other ops: the
table's shapes with each size mapped to a new one, so that the sizes that must agree still do),
non-contiguous layouts (transposed, sliced with a step, expanded, narrowed), dtypes (float16/32/64,
int32/64, uint8, bool, mixed between operands) and Python scalars in place of a tensor operand.
Both libraries run the same ``f(T, *xs)``; they must agree on whether it raises (and on the
exception type), on the outputs' dtypes, shapes and values, and on the gradients of float inputs.
``OutCase`` / ``InplaceCase`` do the same for ``out=`` and for the in-place methods.

Exclusions each say why: PyTorch's unspecified results (indices among ties, garbage it returns where
npgrad raises), npgrad's deliberate leniency (a Python number where PyTorch's parser wants a Tensor,
a dtype PyTorch has no CPU kernel for), and known differences in code outside ``ops`` (``KNOWN``).
"""
from __future__ import annotations

import os
import warnings

import numpy as np

import npgrad

from .optable import BINARY, OPS, UNARY

FLOATS = ("float16", "float32", "float64")
DTYPES = FLOATS + ("int32", "int64", "uint8", "bool")
TOL = {"float16": (2e-2, 2e-2), "float32": (2e-4, 1e-5), "float64": (1e-9, 1e-12)}

# ops whose index outputs (and gradients) are unspecified when the input has ties
TIE_SENSITIVE = ("sort", "argsort", "topk", "cummax", "cummin", "max", "min", "argmax", "argmin", "amax", "amin",
                 "maximum", "minimum", "clamp", "median", "kthvalue", "mode", "max_unpool", "scatter_reduce_am",
                 "index_mask", "masked", "relu", "abs", "sign", "norm_inf", "linalg_norm_inf", "linalg_norm_neg",
                 "linalg_matrix_norm", "where", "eq", "ne", "lt", "le", "ge", "gt", "remainder", "fmod",
                 "rmod", "rfloordiv", "copysign", "nonzero", "logical", "bool_ops", "all_any", "count_nonzero",
                 "max_pool", "norm_p1", "linalg_norm_ord1", "sigmoid_big", "logaddexp_big", "logsumexp_big",
                 "logcumsumexp_big", "rshift", "lshift", "shift", "rlshift", "isclose", "pow_0")
ELEMENTWISE_CASES = [c for c in UNARY + BINARY]


# documented to return the first index among equal extrema: their indices are compared even with ties
FIRST_INDEX = ("argmax", "argmin", "max_dim", "min_dim")


#: the long profiles (thousands of fresh examples) instead of the fast fixed ones: NPGRAD_FUZZ=long
LONG = os.environ.get("NPGRAD_FUZZ") == "long"


def profile(name, fast, long):
    """A Hypothesis settings profile for a fuzzer: ``fast`` fixed examples by default (derandomised, no
    database), ``long`` fresh ones under ``NPGRAD_FUZZ=long``."""
    from hypothesis import HealthCheck, settings
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
    settings.register_profile(f"{name}-fast", max_examples=fast, deadline=None, derandomize=True, database=None,
                              suppress_health_check=quiet)
    settings.register_profile(f"{name}-long", max_examples=long, deadline=None, database=None,
                              suppress_health_check=quiet)
    return settings.get_profile(f"{name}-long" if LONG else f"{name}-fast")


def _is_elementwise(op):
    """Ops tabled with the shared elementwise cases, 0-d included: any broadcast-compatible shapes fit."""
    return all(c in ELEMENTWISE_CASES for c in op.cases) and any(() in c for c in op.cases)


def _tie_sensitive(op):
    return any(op.name.startswith(p) or f"_{p}" in op.name for p in TIE_SENSITIVE)


class Case:
    """One drawn input set for an op: shapes, dtypes, layouts, values, Python scalars."""

    def __init__(self, d, op):
        self.op = op
        case = list(d.choice(op.cases))
        n = len(case)
        if _is_elementwise(op):
            shapes = self._broadcast_shapes(d, n)
        else:
            sizes = sorted({k for s in case for k in s if k > 1})
            new = {k: d.choice([k, k, k, 0, 1, 2, 3, 4, 5]) for k in sizes}
            shapes = [tuple(new.get(k, k) for k in s) for s in case]
        self.shapes = shapes
        same = d.choice([True, True, False])
        first = d.choice(DTYPES)
        self.dtypes = [first if same else d.choice(DTYPES) for _ in range(n)]
        self.layouts = [self._layout(d, s) for s in shapes]
        self.seed = d.int(0, 2 ** 31 - 1)
        # a Python number in place of one operand (of an op taking several)
        self.scalar_at = d.choice([None, None] + list(range(n))) if n > 1 and _is_elementwise(op) else None
        self.special = d.choice([False, False, False, True])   # nan / inf / -0. / extreme ints among the values
        self.floats = all(t in FLOATS for t in self.dtypes) and len(set(self.dtypes)) == 1
        self.empty = any(0 in s for s in shapes) or any(lay[0] == "expanded" and lay[2] == 0 for lay in self.layouts)

    @staticmethod
    def _broadcast_shapes(d, n):
        ndim = d.int(0, 4)
        base = [d.choice([0, 1, 1, 2, 3, 3, 4, 5]) for _ in range(ndim)]
        out = []
        for _ in range(n):
            k = d.int(0, ndim) if d.choice([True, False]) else ndim
            s = base[ndim - k:]
            out.append(tuple(1 if d.int(0, 3) == 0 else v for v in s))
        return out

    @staticmethod
    def _layout(d, s):
        opts = ["contiguous", "contiguous"]
        if len(s) >= 2:
            opts.append("transposed")
        if len(s) >= 1:
            opts += ["stepped", "narrowed"]
            if 1 in s:
                opts.append("expanded")
        kind = d.choice(opts)
        ax = d.int(0, len(s) - 1) if s else 0
        if kind == "expanded":
            ax = [i for i, k in enumerate(s) if k == 1][d.int(0, s.count(1) - 1)]
            return kind, ax, d.choice([0, 2, 3])
        if kind == "transposed":
            ax2 = d.int(0, len(s) - 1)
            return (kind, ax, ax2) if ax2 != ax else ("contiguous",)
        return (kind, ax)

    def describe(self):
        return (f"{self.op.name}: shapes={self.shapes} dtypes={self.dtypes} layouts={self.layouts} "
                f"scalar_at={self.scalar_at} special={self.special} seed={self.seed}")

    # ---- values ------------------------------------------------------------------------------
    def base_arrays(self):
        """(array, layout) per input: the array a layout's view is taken from."""
        rng = np.random.default_rng(self.seed)
        doms = self.op.domain if isinstance(self.op.domain, tuple) else (self.op.domain,) * len(self.shapes)
        out = []
        for s, dt, lay, dom in zip(self.shapes, self.dtypes, self.layouts, doms):
            bs = list(s)
            if lay[0] == "transposed":
                bs[lay[1]], bs[lay[2]] = bs[lay[2]], bs[lay[1]]
            elif lay[0] == "stepped":
                bs[lay[1]] = 2 * bs[lay[1]]
            elif lay[0] == "narrowed":
                bs[lay[1]] += 2
            out.append(_values(rng, tuple(bs), dt, dom, self.special))
        return out

    def scalar(self, i, arr):
        """The Python number that replaces operand ``i`` (an extreme one in special cases: numbers that do
        not fit a float16 or an int32, that round to 0 in float16, that wrap)."""
        if self.special and arr.dtype.kind != "b":
            extremes = EXTREME_FLOATS if arr.dtype.kind == "f" else EXTREME_INTS
            return extremes[self.seed % len(extremes)]
        v = arr.reshape(-1)[0] if arr.size else np.zeros((), arr.dtype)
        return {"b": bool, "i": int, "u": int, "f": float}[arr.dtype.kind](v)


EXTREME_FLOATS = [1e-9, 3e-8, 1e5, 7e4, -0.0, 3.5e38, 1e300, -1e-30]
EXTREME_INTS = [300, -1, -129, 2 ** 31, -2 ** 31 - 1, 2 ** 40, 65504]


def _values(rng, shape, dt, dom, special):
    from .optable import _sample
    if dt == "bool":
        return rng.random(shape) > 0.5
    if dt in FLOATS:
        x = np.asarray(_sample(rng, shape, dom), dtype=np.float64)
        if special and x.size:
            x.reshape(-1)[rng.integers(0, x.size, 2)] = rng.choice([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e30], 2)
        with np.errstate(over="ignore"):
            return x.astype(dt)
    lo, hi = {"pos": (1, 4), "gt1": (2, 4), "nonzero": (1, 4), "unit": (0, 1)}.get(dom, (-4, 5))
    if dt == "uint8":
        lo = max(lo, 0)
    x = rng.integers(lo, hi, shape)
    if dom == "nonzero" and dt != "uint8":
        x = x * rng.choice([-1, 1], shape)
    x = x.astype(dt)
    if special and x.size:
        info = np.iinfo(dt)
        x.reshape(-1)[rng.integers(0, x.size, 2)] = rng.choice([info.max, info.min, 0], 2)
    return x


def make_inputs(T, case, arrays, grad):
    """(inputs for f, leaves whose gradients are compared) in library ``T``."""
    xs, leaves = [], []
    for i, (a, lay) in enumerate(zip(arrays, case.layouts)):
        if i == case.scalar_at:
            xs.append(case.scalar(i, a))
            leaves.append(None)
            continue
        rg = grad and a.dtype.kind == "f" and a.dtype != np.float16
        leaf = T.tensor(a, requires_grad=rg)
        x = leaf
        if lay[0] == "transposed":
            x = x.transpose(lay[1], lay[2])
        elif lay[0] == "stepped":
            x = x[(slice(None),) * lay[1] + (slice(None, None, 2),)]
        elif lay[0] == "narrowed":
            x = x.narrow(lay[1], 1, a.shape[lay[1]] - 2)
        elif lay[0] == "expanded":
            shape = list(a.shape)
            shape[lay[1]] = lay[2]
            x = x.expand(*shape)
        xs.append(x)
        leaves.append(leaf if rg else None)
    return xs, leaves


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _run(T, case, arrays, grad):
    xs, leaves = make_inputs(T, case, arrays, grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _tuple(case.op.run(T, *xs)), leaves, None
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            return None, leaves, e


def _same_error(ours, theirs):
    """npgrad raises the exception type PyTorch raises (a subclass of it counts)."""
    base = next(c for c in type(theirs).__mro__ if c.__module__ == "builtins")
    # NotImplementedError ("not implemented for 'Int'") is a RuntimeError: `except RuntimeError` catches both
    return isinstance(ours, RuntimeError if issubclass(base, RuntimeError) else base)


def _dtype_refusal(err):
    """PyTorch refuses the dtype before it looks at the other arguments: npgrad may fail on another one."""
    msg = str(err)
    return any(m in msg for m in ("only support floating point", "Expected a floating point", "not implemented for",
                                  "does not support bool", "must have the same dtype", "to have the same dtype"))


def _permissive(err):
    """PyTorch refuses a call that npgrad answers: a Python number where its parser wants a Tensor, or a
    dtype without a CPU kernel.  Not a wrong result (programs that run on PyTorch never do this)."""
    msg = str(err)
    return (isinstance(err, TypeError) and ("must be Tensor" in msg or "invalid combination of arguments" in msg)
            or isinstance(err, NotImplementedError) and ("not implemented for" in msg or "is not supported for" in msg))


# Known differences in code outside the ops this fuzzer guards (nn's convolution, pooling, interpolation
# and attention; linalg's matrix norms), reported rather than fixed here: op name prefix -> (skip?, reason)
KNOWN = {
    # int inputs refused (PyTorch's CPU kernels take them); empty dims; avg_pool3d takes a kernel larger than
    # the input; nan/inf in a window spread differently
    "conv": lambda c: c.empty or c.special or not c.floats,
    "max_pool": lambda c: c.empty or c.special or not c.floats,
    "avg_pool": lambda c: c.empty or c.special or not c.floats,
    "max_unpool": lambda c: c.empty or c.special or any(lay[0] == "expanded" for lay in c.layouts),
    "interp": lambda c: c.empty or c.special or "uint8" in c.dtypes,  # uint8 rounding differs by 1; nan spreads
    "upsample": lambda c: c.empty or c.special or "uint8" in c.dtypes,
    "sdpa": lambda c: c.empty or c.special or not c.floats,  # empty dims; fully masked rows (0 vs nan)
    "linalg_matrix_norm": lambda c: c.empty or not c.floats,  # ints accepted, empty inputs refused
    "linalg_norm_inf": lambda c: c.empty or not c.floats,
    "linalg_norm_neg": lambda c: c.empty or not c.floats,
    "linalg_norm_fro": lambda c: not c.floats,
    # left: PyTorch accumulates a float32 var in float64 (npgrad in float32: squares near 1e19 and up overflow),
    # and the Welford mean of var_mean/std_mean over a dim holding inf is nan in PyTorch; PyTorch's own float32
    # norms overflow on 1e30 on some paths and not on others (x.norm() of [1e30, -1e30] is inf, linalg.norm
    # of [[1e30]] is 1e30)
    "var": lambda c: c.special, "std_mean": lambda c: c.special, "norm": lambda c: c.special,
    "linalg_norm": lambda c: c.special, "linalg_vector_norm": lambda c: c.special,
    # PyTorch's float16 prod of a tensor holding inf and -inf (no zero) is nan; the product is +-inf
    "prod": lambda c: c.special and "float16" in c.dtypes,
}


# ... and PyTorch's errors that npgrad's nn kernels do not raise (they answer with an empty or a padded result)
KNOWN_ERRORS = ("Output size is too small", "smaller than kernel size", "Only zero batch or zero channel inputs",
                "Non-empty 3D data tensor expected", "Non-empty 4D data tensor expected")


def _unspecified(op, case):
    """Calls whose PyTorch result is not a behaviour to copy, and the known differences above."""
    if any(op.name.startswith(k) and skip(case) for k, skip in KNOWN.items()):
        return True
    # einsum's integer or mixed-dtype result is that of whichever kernel it picks (sum promotes to int64,
    # bmm does not), its mixed-dtype rounding depends on the contraction order, and so does inf - inf
    if op.name.startswith("einsum") and (not case.floats or case.special):
        return True
    # PyTorch converts a Python int operand through double: extreme int64 values overflow there
    if case.special and case.scalar_at is not None and not case.floats:
        return True
    # addmm with integer inputs truncates the float beta/alpha of the table (documented: must be integers)
    return op.name == "addmm" and not case.floats


def _unchecked(op, case, err):
    """PyTorch answers where its answer is garbage or skips a check: npgrad's error is the better answer."""
    msg = str(err)
    # take_along_dim does not bound-check its indices (an index past the end reads a wrapped value);
    # circular padding wider than what cropping leaves copies from not yet written memory
    if op.name.startswith(("take_along_dim", "pad_circular")) and isinstance(err, RuntimeError):
        return True
    # an empty product or an empty indexed tensor skips PyTorch's dtype and bounds checks
    if case.empty and ("same dtype" in msg or "out of bounds" in msg):
        return True
    # integer division by zero is undefined in PyTorch's fmod kernel (a value, not an error)
    return "division by zero" in msg


def _has_ties(arrays):
    return any(a.size != np.unique(a).size or (a.dtype.kind == "f" and np.isnan(a).any()) for a in arrays)


def check(case, torch):
    """A list of mismatches between npgrad and PyTorch on ``case`` (empty when they agree)."""
    op = case.op
    arrays = case.base_arrays()
    expanded = any(lay[0] == "expanded" for lay in case.layouts)
    ties = _tie_sensitive(op) and (_has_ties(arrays) or expanded or case.scalar_at is not None)
    # (PyTorch's own gradients are wrong with an unsigned operand: atan2(uint8, float) negates it in uint8)
    grad = op.grad and not ties and not case.special and "uint8" not in case.dtypes
    if _unspecified(op, case):
        return []
    o2, l2, e2 = _run(torch, case, arrays, grad)
    o1, l1, e1 = _run(npgrad, case, arrays, grad)
    if e1 is not None or e2 is not None:
        if e1 is None and (_permissive(e2) or any(m in str(e2) for m in KNOWN_ERRORS)):
            return []
        # where() and pow() refuse a Python number past the tensor's float range that * and / take (as inf)
        if e1 is None and case.scalar_at is not None and "without overflow" in str(e2):
            return []
        if e1 is None:
            return [f"PyTorch raises {type(e2).__name__}({e2}) but npgrad returns"]
        if e2 is None and _unchecked(op, case, e1):
            return []
        if e2 is None:
            return [f"npgrad raises {type(e1).__name__}({e1}) but PyTorch returns"]
        # (index_select's out-of-range error is IndexError along dim 0, RuntimeError along the others)
        if not _same_error(e1, e2) and not _dtype_refusal(e2) and op.name != "index_select":
            return [f"npgrad raises {type(e1).__name__}({e1}), PyTorch {type(e2).__name__}({e2})"]
        return []
    if len(o1) != len(o2):
        return [f"{len(o1)} outputs, PyTorch {len(o2)}"]
    bad = []
    for i, (a, b) in enumerate(zip(o1, o2)):
        if not isinstance(b, torch.Tensor):
            if a != b:
                bad.append(f"output {i}: {a!r} != {b!r}")
            continue
        tname = str(b.dtype).replace("torch.", "")
        if a.dtype.name != tname:
            bad.append(f"output {i}: dtype {a.dtype.name}, PyTorch {tname}")
            continue
        if tuple(a.shape) != tuple(b.shape):
            bad.append(f"output {i}: shape {tuple(a.shape)}, PyTorch {tuple(b.shape)}")
            continue
        if ties and not b.dtype.is_floating_point and b.dtype != torch.bool and not op.name.startswith(FIRST_INDEX):
            continue  # indices among equal values
        ours, ref = a.detach().numpy(), b.detach().numpy()
        rtol, atol = TOL.get(tname, (0, 0))
        if tname in TOL and case.special:
            atol = max(atol, 1e-3)
        try:
            np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol * max(1.0, _scale(ref)), equal_nan=True)
        except AssertionError as err:
            bad.append(f"output {i} ({tname}): values differ{str(err)[str(err).find(chr(10)):][:600]}")
    if bad or not grad:
        return bad
    return _check_grads(o1, o2, l1, l2, torch, case.dtypes)


def _scale(ref):
    fin = ref[np.isfinite(ref)] if ref.dtype.kind == "f" else ref
    return float(np.abs(fin).max()) if fin.size else 1.0


def _check_grads(o1, o2, l1, l2, torch, dtypes):
    pairs = [(a, b) for a, b in zip(o1, o2)
             if isinstance(b, torch.Tensor) and b.dtype.is_floating_point and b.requires_grad]
    if not pairs or not any(t is not None for t in l2):
        return []
    rng = np.random.default_rng(3)
    ws = [rng.standard_normal(tuple(b.shape)) for _, b in pairs]
    try:
        sum((b * torch.tensor(w, dtype=b.dtype)).sum() for (_, b), w in zip(pairs, ws)).backward()
    except RuntimeError:
        return []  # no derivative in PyTorch (e.g. an integer output path)
    try:
        sum((a * npgrad.tensor(w, dtype=a.dtype)).sum() for (a, _), w in zip(pairs, ws)).backward()
    except Exception as e:  # noqa: BLE001
        return [f"npgrad's backward raises {type(e).__name__}({e})"]
    # the least precise dtype on the way sets the tolerance (a float64 leaf through a float32 output)
    kinds = {np.dtype(str(b.dtype).replace("torch.", "")) for _, b in pairs} | {np.dtype(d) for d in dtypes}
    if np.dtype("float16") in kinds:
        return []
    bad = []
    for i, (a, b) in enumerate(zip(l1, l2)):
        if b is None:
            continue
        gb = np.zeros(tuple(b.shape), b.detach().numpy().dtype) if b.grad is None else b.grad.numpy()
        ga = np.zeros_like(gb) if a.grad is None else a.grad.numpy()
        if ga.dtype != gb.dtype:
            bad.append(f"grad {i}: dtype {ga.dtype}, PyTorch {gb.dtype}")
            continue
        rtol, atol = (1e-3, 1e-4) if np.dtype("float32") in kinds else (1e-7, 1e-9)
        try:
            np.testing.assert_allclose(ga, gb, rtol=rtol, atol=atol * max(1.0, _scale(gb)), equal_nan=True)
        except AssertionError as err:
            bad.append(f"grad {i}: values differ{str(err)[str(err).find(chr(10)):][:600]}")
    return bad


class RandomDraw:
    """Draws from a NumPy generator (for loops over seeds outside Hypothesis)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def int(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))

    def choice(self, opts):
        return opts[int(self.rng.integers(0, len(opts)))]


class HypothesisDraw:
    def __init__(self, data):
        from hypothesis import strategies as st
        self.data, self.st = data, st

    def int(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))

    def choice(self, opts):
        return opts[self.data.draw(self.st.integers(0, len(opts) - 1))]


FUZZ_OPS = [op for op in OPS]


# ---- out= ------------------------------------------------------------------------------------
# (name, number of tensor inputs, call): functions PyTorch gives ``out=``, with an argument layout fixed
OUT_CALLS = {
    "add": (2, lambda T, a, b, **o: T.add(a, b, **o)), "sub": (2, lambda T, a, b, **o: T.sub(a, b, **o)),
    "mul": (2, lambda T, a, b, **o: T.mul(a, b, **o)), "div": (2, lambda T, a, b, **o: T.div(a, b, **o)),
    "maximum": (2, lambda T, a, b, **o: T.maximum(a, b, **o)), "atan2": (2, lambda T, a, b, **o: T.atan2(a, b, **o)),
    "eq": (2, lambda T, a, b, **o: T.eq(a, b, **o)), "lt": (2, lambda T, a, b, **o: T.lt(a, b, **o)),
    "logical_and": (2, lambda T, a, b, **o: T.logical_and(a, b, **o)),
    "where": (2, lambda T, a, b, **o: T.where(a > 0, a, b, **o)),
    "exp": (1, lambda T, x, **o: T.exp(x, **o)), "sqrt": (1, lambda T, x, **o: T.sqrt(x, **o)),
    "neg": (1, lambda T, x, **o: T.neg(x, **o)), "abs": (1, lambda T, x, **o: T.abs(x, **o)),
    "sigmoid": (1, lambda T, x, **o: T.sigmoid(x, **o)), "clamp": (1, lambda T, x, **o: T.clamp(x, -1, 1, **o)),
    "sum": (1, lambda T, x, **o: T.sum(x, -1, **o)), "mean": (1, lambda T, x, **o: T.mean(x, 0, keepdim=True, **o)),
    "amax": (1, lambda T, x, **o: T.amax(x, -1, **o)), "cumsum": (1, lambda T, x, **o: T.cumsum(x, 0, **o)),
    "prod": (1, lambda T, x, **o: T.prod(x, 0, **o)), "logsumexp": (1, lambda T, x, **o: T.logsumexp(x, -1, **o)),
    "matmul": (2, lambda T, a, b, **o: T.matmul(a, b.transpose(0, -1), **o)),
}


class OutCase:
    """An out= call: inputs of one or two drawn dtypes, and an out tensor of a drawn dtype and shape
    (the result's, empty, or another one, which PyTorch resizes with a warning)."""

    def __init__(self, d):
        self.name = d.choice(sorted(OUT_CALLS))
        n, self.call = OUT_CALLS[self.name]
        shape = tuple(d.choice([1, 2, 3]) for _ in range(d.int(1, 3)))
        self.shapes = [shape] * n
        self.dtypes = [d.choice(DTYPES) for _ in range(n)]
        self.out_dtype = d.choice(DTYPES)
        self.out_shape = d.choice(["result", "empty", "other"])
        self.seed = d.int(0, 2 ** 31 - 1)

    def describe(self):
        return f"{self.name}(out=): shapes={self.shapes} dtypes={self.dtypes} out={self.out_dtype}/{self.out_shape}"


def _error_mismatch(e1, e2, wraps=False):
    """What differs when npgrad (``e1``) or PyTorch (``e2``) raised: [] when both raised alike, or npgrad
    answered where PyTorch is stricter than it needs to be (``_permissive``); with ``wraps``, also when
    npgrad refuses a value PyTorch wraps into an unsigned dtype (a negative clamp bound)."""
    if (e1 is None and _permissive(e2)) or (wraps and e2 is None and "without overflow" in str(e1)):
        return []
    if e1 is None or e2 is None:
        said = [f"raises {e!r}" if e else "returns" for e in (e1, e2)]
        return [f"npgrad {said[0]}, PyTorch {said[1]}"]
    return [] if _same_error(e1, e2) else [f"npgrad raises {e1!r}, PyTorch {e2!r}"]


def check_out(case, torch):
    rng = np.random.default_rng(case.seed)
    arrays = [_values(rng, s, dt, "any", False) for s, dt in zip(case.shapes, case.dtypes)]
    res = []
    for T in (torch, npgrad):
        xs = [T.tensor(a) for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                shape = {"empty": (0,), "other": (7,)}.get(case.out_shape)
                if shape is None:
                    shape = tuple(case.call(T, *xs).shape)
                out = T.zeros(shape, dtype=getattr(T, case.out_dtype))
                ret = case.call(T, *xs, out=out)
                res.append((ret is out, out, None))
            except Exception as e:  # noqa: BLE001 - compared below
                res.append((None, None, e))
    (same2, o2, e2), (same1, o1, e1) = res
    if e1 is not None or e2 is not None:
        return _error_mismatch(e1, e2, wraps=True)
    bad = [] if same1 else ["the returned tensor is not out"]
    if o1.dtype.name != str(o2.dtype).replace("torch.", "") or tuple(o1.shape) != tuple(o2.shape):
        return bad + [f"out is {o1.dtype.name}{tuple(o1.shape)}, PyTorch's {o2.dtype}{tuple(o2.shape)}"]
    # the least precise float dtype sets the tolerance: PyTorch computes in a wider out's dtype, npgrad in the
    # inputs' and casts
    floats = [d if d in TOL else "float32" for d in case.dtypes] + [case.out_dtype]  # (ints compute in float32)
    rtol, atol = max(TOL[d] for d in floats) if case.out_dtype in TOL else (0, 0)
    try:
        np.testing.assert_allclose(o1.numpy(), o2.numpy(), rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError as err:
        bad.append(f"out's values differ{str(err)[str(err).find(chr(10)):][:400]}")
    return bad


# ---- in-place methods ------------------------------------------------------------------------
# in-place forms: the result must be castable to self's dtype (PyTorch's rule), self keeps its dtype
INPLACE_CALLS = {
    "add_": lambda x, o: x.add_(o), "sub_": lambda x, o: x.sub_(o), "mul_": lambda x, o: x.mul_(o),
    "div_": lambda x, o: x.div_(o), "pow_": lambda x, o: x.pow_(o), "remainder_": lambda x, o: x.remainder_(o),
    "clamp_": lambda x, o: x.clamp_(min=o), "masked_fill_": lambda x, o: x.masked_fill_(x > 1, o),
    "fill_": lambda x, o: x.fill_(o), "copy_": lambda x, o: x.copy_(o), "abs_": lambda x, o: x.abs_(),
    "neg_": lambda x, o: x.neg_(), "exp_": lambda x, o: x.exp_(), "sqrt_": lambda x, o: x.sqrt_(),
    "iadd": lambda x, o: x.__iadd__(o), "imul": lambda x, o: x.__imul__(o),
    "itruediv": lambda x, o: x.__itruediv__(o), "ipow": lambda x, o: x.__ipow__(o), "imod": lambda x, o: x.__imod__(o),
    "ifloordiv": lambda x, o: x.__ifloordiv__(o),
    "iand": lambda x, o: x.__iand__(o), "ior": lambda x, o: x.__ior__(o), "ixor": lambda x, o: x.__ixor__(o),
}


class InplaceCase:
    """``self.op_(other)``: self of a drawn dtype and layout, other a number, a 0-d tensor or a tensor
    broadcasting to self (of a drawn dtype)."""

    def __init__(self, d):
        self.name = d.choice(sorted(INPLACE_CALLS))
        self.shape = tuple(d.choice([1, 2, 3]) for _ in range(d.int(0, 3)))
        self.dtype = d.choice(DTYPES)
        self.other = d.choice(["int", "float", "bool", "0-d", "tensor"])
        self.other_dtype = d.choice(DTYPES)
        self.layout = Case._layout(d, self.shape)
        if self.layout[0] == "expanded":  # (in-place writes into expanded tensors are refused: tested elsewhere)
            self.layout = ("contiguous",)
        self.seed = d.int(0, 2 ** 31 - 1)

    def describe(self):
        return (f"{self.name}: self {self.dtype}{self.shape} {self.layout}, other {self.other} "
                f"({self.other_dtype}) seed={self.seed}")


def check_inplace(case, torch):
    rng = np.random.default_rng(case.seed)
    base = _values(rng, case.shape, case.dtype, "any", False)
    other = _values(rng, case.shape[1:] if case.other == "tensor" else (), case.other_dtype, "any", False)
    cast = {"int": int, "float": float, "bool": bool}.get(case.other)
    res = []
    for T in (torch, npgrad):
        x = T.tensor(_layout_base(base, case.layout))
        x = _apply_layout(x, case.layout, base.shape)
        o = cast(other.reshape(-1)[0]) if cast else T.tensor(other)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r = INPLACE_CALLS[case.name](x, o)
                res.append((r is x, x, None))
            except Exception as e:  # noqa: BLE001 - compared below
                res.append((None, None, e))
    (s2, x2, e2), (s1, x1, e1) = res
    if e1 is not None or e2 is not None:
        return _error_mismatch(e1, e2, wraps=True)
    bad = [] if s1 else ["the in-place method does not return self"]
    if x1.dtype.name != case.dtype:
        return bad + [f"self became {x1.dtype.name}"]
    floats = [d if d in TOL else "float32" for d in (case.dtype, case.other_dtype)]
    rtol, atol = max(TOL[d] for d in floats) if case.dtype in TOL else (0, 0)
    try:
        np.testing.assert_allclose(x1.numpy(), x2.numpy(), rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError as err:
        bad.append(f"values differ{str(err)[str(err).find(chr(10)):][:400]}")
    return bad


def _layout_base(a, lay):
    """The array a layout's view of shape ``a.shape`` is taken from (its values: a's, placed)."""
    if lay[0] == "transposed":
        return np.swapaxes(a, lay[1], lay[2]).copy()
    if lay[0] == "stepped":
        return np.repeat(a, 2, axis=lay[1])
    if lay[0] == "narrowed":
        return np.concatenate([a.take([0], lay[1]), a, a.take([0], lay[1])], lay[1]) if a.size else \
            np.zeros(tuple(k + 2 * (i == lay[1]) for i, k in enumerate(a.shape)), a.dtype)
    return a


def _apply_layout(x, lay, shape):
    if lay[0] == "transposed":
        return x.transpose(lay[1], lay[2])
    if lay[0] == "stepped":
        return x[(slice(None),) * lay[1] + (slice(None, None, 2),)]
    if lay[0] == "narrowed":
        return x.narrow(lay[1], 1, shape[lay[1]])
    return x


# ---- dtype= arguments ------------------------------------------------------------------------
DTYPE_CALLS = {
    "sum": lambda T, x, d: T.sum(x, dtype=d), "sum_dim": lambda T, x, d: x.sum(0, dtype=d),
    "mean": lambda T, x, d: x.mean(dtype=d), "mean_dim": lambda T, x, d: T.mean(x, 1, dtype=d),
    "prod": lambda T, x, d: x.prod(dtype=d), "prod_dim": lambda T, x, d: T.prod(x, 0, dtype=d),
    "cumsum": lambda T, x, d: x.cumsum(1, dtype=d), "cumprod": lambda T, x, d: T.cumprod(x, 0, dtype=d),
    "vector_norm": lambda T, x, d: T.linalg.vector_norm(x, dtype=d), "to": lambda T, x, d: x.to(d),
    "type": lambda T, x, d: x.type(d), "zeros_like": lambda T, x, d: T.zeros_like(x, dtype=d),
    "full_like": lambda T, x, d: T.full_like(x, 2.7, dtype=d), "as_tensor": lambda T, x, d: T.as_tensor(x, dtype=d),
    "tensor": lambda T, x, d: T.tensor([1.7, -2.2, 300.0], dtype=d),
}


def check_dtype_arg(name, src, dst, torch):
    """``name`` on a ``src`` tensor with ``dtype=dst``: the same dtype, values, or both raise."""
    x0 = np.array([[1.5, -2.0, 0.0], [3.0, 0.5, -1.0]])
    res = []
    for T in (torch, npgrad):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res.append((DTYPE_CALLS[name](T, T.tensor(x0).to(getattr(T, src)), getattr(T, dst)), None))
            except Exception as e:  # noqa: BLE001 - compared below
                res.append((None, e))
    (r2, e2), (r1, e1) = res
    if e1 is not None or e2 is not None:
        return _error_mismatch(e1, e2)
    if r1.dtype.name != str(r2.dtype).replace("torch.", ""):
        return [f"dtype {r1.dtype.name}, PyTorch {r2.dtype}"]
    rtol, atol = TOL.get(dst, (0, 0))
    try:
        np.testing.assert_allclose(r1.numpy(), r2.numpy(), rtol=max(rtol, 1e-3), atol=atol, equal_nan=True)
    except AssertionError as err:
        return [f"values differ{str(err)[str(err).find(chr(10)):][:400]}"]
    return []
