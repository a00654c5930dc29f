"""Op table rows for the special functions, running reductions, scatters, diag, unfold and
negative padding (appended to ``optable.OPS``; same conventions, see optable.py)."""
from __future__ import annotations

import math

import numpy as np

from .optable import BINARY, F, R3, UNARY, Op

# a column-wise permutation (no repeated target in any column: plain scatter is then deterministic)
IDX_U = np.array([[0, 2, 1, 0], [2, 1, 0, 1]])
IDX_R = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])           # repeats, for the reductions
IDX3 = np.array([[[2, 0, 1], [0, 1, 2]], [[1, 2, 0], [2, 0, 1]]])  # (2, 2, 3) along dim 1 of (2, 3, 4)


def _vec(fn):
    return lambda x: np.vectorize(fn, otypes=[np.float64])(x)


def _erfinv_ref(y):
    """Bisection on math.erf: slow and independent of the Newton iteration under test."""
    lo, hi = np.full(y.shape, -7.0), np.full(y.shape, 7.0)
    erf = _vec(math.erf)
    for _ in range(80):
        mid = (lo + hi) / 2
        below = erf(mid) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def _running_ref(acc, dim):
    def ref(x):
        vals = acc.accumulate(x, axis=dim)
        xm, vm = np.moveaxis(x, dim, -1), np.moveaxis(vals, dim, -1)
        idx = np.zeros(xm.shape, np.int64)
        for pos in np.ndindex(xm.shape[:-1]):
            best = 0
            for i in range(xm.shape[-1]):
                if xm[pos][i] == vm[pos][i]:
                    best = i
                idx[pos][i] = best
        return vals, np.moveaxis(idx, -1, dim)
    return ref


def _lcse_ref(dim):
    """Each prefix summed against its own maximum (no underflow), element by element."""
    def ref(x):
        xm = np.moveaxis(x, dim, -1)
        out = np.empty_like(xm)
        for pos in np.ndindex(xm.shape[:-1]):
            for i in range(xm.shape[-1]):
                m = xm[pos][:i + 1].max()
                out[pos][i] = m + np.log(np.exp(xm[pos][:i + 1] - m).sum())
        return np.moveaxis(out, -1, dim)
    return ref


def _positions(idx, dim):
    for pos in np.ndindex(idx.shape):
        target = list(pos)
        target[dim] = idx[pos]
        yield pos, tuple(target)


def _scatter_ref(idx, dim, value=None):
    def ref(x, src=None):
        out = x.copy()
        for pos, t in _positions(idx, dim):
            out[t] = value if src is None else src[pos]
        return out
    return ref


def _scatter_reduce_ref(reduce, include_self, idx=IDX_R):
    def ref(x, src):
        groups = {}
        for pos, t in _positions(idx, 0):
            groups.setdefault(t, []).append(src[pos])
        out = x.copy()
        for t, vals in groups.items():
            vals = ([x[t]] if include_self else []) + vals
            out[t] = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce](vals)
        return out
    return ref


def _unfold_ref(dim, size, step):
    def ref(x):
        d = dim % x.ndim
        w = np.lib.stride_tricks.sliding_window_view(x, size, axis=d)
        return np.moveaxis(np.moveaxis(w, d, 0)[::step], 0, d)
    return ref


def _sr(reduce, include_self, domain="any"):
    name = f"scatter_reduce_{reduce}{'' if include_self else '_noself'}{'' if domain == 'any' else '_' + domain}"
    return Op(name, lambda T, x, s: x.scatter_reduce(0, T.tensor(IDX_R), s, reduce, include_self=include_self),
              _scatter_reduce_ref(reduce, include_self), [((3, 4), (2, 4)), ((3, 4), (3, 5))], domain,
              torch_f=lambda T, x, s: T.scatter_reduce(x, 0, T.tensor(IDX_R), s[:2, :4], reduce,
                                                       include_self=include_self))


MORE = [
    # inverse trig and hyperbolic functions, with their arc* aliases
    Op("asin", lambda T, x: T.asin(x), np.arcsin, UNARY, "unit", gg=True),
    Op("arcsin", lambda T, x: x.arcsin(), np.arcsin, UNARY[:1], "unit"),
    Op("acos", lambda T, x: x.acos(), np.arccos, UNARY, "unit", gg=True),
    Op("arccos", lambda T, x: T.arccos(x), np.arccos, UNARY[:1], "unit"),
    Op("atan", lambda T, x: T.atan(x), np.arctan, UNARY, gg=True),
    Op("arctan", lambda T, x: x.arctan(), np.arctan, UNARY[:1]),
    Op("sinh", lambda T, x: T.sinh(x), np.sinh, UNARY, gg=True),
    Op("cosh", lambda T, x: x.cosh(), np.cosh, UNARY, gg=True),
    Op("asinh", lambda T, x: T.asinh(x), np.arcsinh, UNARY, gg=True),
    Op("arcsinh", lambda T, x: T.arcsinh(x), np.arcsinh, UNARY[:1]),
    Op("acosh", lambda T, x: x.acosh(), np.arccosh, UNARY, "gt1", gg=True),
    Op("arccosh", lambda T, x: x.arccosh(), np.arccosh, UNARY[:1], "gt1"),
    Op("atanh", lambda T, x: T.atanh(x), np.arctanh, UNARY, "unit", gg=True),
    Op("arctanh", lambda T, x: T.arctanh(x), np.arctanh, UNARY[:1], "unit"),
    Op("atan2", lambda T, a, b: T.atan2(a, b), np.arctan2, BINARY, ("any", "nonzero"), gg=True),
    Op("arctan2", lambda T, a, b: a.arctan2(b), np.arctan2, BINARY[:2], ("any", "nonzero")),
    Op("atan2_scalar", lambda T, x: x.atan2(T.tensor(-1.0)), lambda x: np.arctan2(x, -1.0), UNARY[:1]),
    # erf family
    Op("erf", lambda T, x: T.erf(x), _vec(math.erf), UNARY, gg=True),
    Op("erfc", lambda T, x: x.erfc(), _vec(math.erfc), UNARY, gg=True),
    Op("erfc_tail", lambda T, x: T.erfc(x * 3), lambda x: _vec(math.erfc)(x * 3), UNARY[:1], "pos"),
    Op("erfinv", lambda T, x: T.erfinv(x), _erfinv_ref, UNARY, "unit", gg=True),
    Op("erfinv_tail", lambda T, x: x.erfinv(), _erfinv_ref, UNARY[:1], "tail"),
    # sign and log-sum helpers
    Op("copysign", lambda T, a, b: T.copysign(a, b), np.copysign, BINARY, ("nonzero", "nonzero")),
    Op("copysign_scalar", lambda T, x: x.copysign(-1.0), lambda x: np.copysign(x, -1.0), UNARY, "nonzero"),
    Op("logaddexp", lambda T, a, b: T.logaddexp(a, b), np.logaddexp, BINARY, gg=True),
    Op("logaddexp_big", lambda T, a, b: T.logaddexp(a * 300, b * 300), lambda a, b: np.logaddexp(a * 300, b * 300),
       BINARY[:2], "grid"),
    Op("logaddexp2", lambda T, a, b: a.logaddexp2(b), np.logaddexp2, BINARY[:3]),
    # reflected operators
    # (PyTorch has no derivative for a number % tensor)
    Op("rmod", lambda T, x: 100 % x, lambda x: np.mod(100, x), UNARY, "nonzero", grad=False),
    Op("rmod_small", lambda T, x: 1.5 % x, lambda x: np.mod(1.5, x), UNARY[:1], "nonzero", grad=False),
    Op("rfloordiv", lambda T, x: 7 // x, lambda x: np.floor_divide(7, x), UNARY[:1], "nonzero", grad=False),
    Op("rpow_float", lambda T, x: 0.5 ** x, lambda x: 0.5 ** x, UNARY),
    # bit shifts (integer tensors; no gradient)
    Op("lshift", lambda T, x: (x * 10).long() << 2, lambda x: (x * 10).astype(np.int64) << 2, UNARY, grad=False),
    Op("rshift", lambda T, x: (x * 100).long() >> 3, lambda x: (x * 100).astype(np.int64) >> 3, UNARY, grad=False),
    Op("rlshift", lambda T, x: 3 << (x.abs() * 5).long(), lambda x: 3 << (np.abs(x) * 5).astype(np.int64), UNARY[:1],
       grad=False),
    Op("shift_fns", lambda T, a, b: (T.bitwise_left_shift((a * 9).long(), (b.abs() * 3).long()),
                                     T.bitwise_right_shift((a * 90).long(), (b.abs() * 3).long())),
       lambda a, b: ((a * 9).astype(np.int64) << (np.abs(b) * 3).astype(np.int64),
                     (a * 90).astype(np.int64) >> (np.abs(b) * 3).astype(np.int64)), BINARY[:3], grad=False),
    # running reductions
    Op("cummax", lambda T, x: tuple(T.cummax(x, 1)), _running_ref(np.maximum, 1), R3, "grid"),
    Op("cummax_neg", lambda T, x: tuple(x.cummax(-1)), _running_ref(np.maximum, -1), UNARY[:1], "grid"),
    Op("cummin", lambda T, x: tuple(T.cummin(x, 0)), _running_ref(np.minimum, 0), R3 + UNARY[:1], "grid"),
    Op("logcumsumexp", lambda T, x: T.logcumsumexp(x, 1), _lcse_ref(1), R3 + UNARY[:1]),
    Op("logcumsumexp_big", lambda T, x: (x * 300).logcumsumexp(-1), lambda x: _lcse_ref(-1)(x * 300),
       UNARY[:1], "grid"),
    # scatters (index smaller than src, 2-D and 3-D)
    Op("scatter_src", lambda T, x, s: x.scatter(0, T.tensor(IDX_U), s), _scatter_ref(IDX_U, 0),
       [((3, 4), (2, 4)), ((3, 4), (3, 5))],
       torch_f=lambda T, x, s: x.scatter(0, T.tensor(IDX_U), s[:2, :4])),
    Op("scatter_3d", lambda T, x, s: T.scatter(x, 1, T.tensor(IDX3), s), _scatter_ref(IDX3, 1),
       [((2, 3, 4), (2, 3, 4)), ((2, 3, 4), (2, 2, 3))],
       torch_f=lambda T, x, s: T.scatter(x, 1, T.tensor(IDX3), s[:2, :2, :3])),
    Op("scatter_value", lambda T, x: x.scatter(0, T.tensor(IDX_U), 2.5), _scatter_ref(IDX_U, 0, 2.5), [((3, 4),)]),
    Op("scatter_add_reduce", lambda T, x, s: x.scatter(0, T.tensor(IDX_R), s, reduce="add"),
       _scatter_reduce_ref("sum", True), [((3, 4), (2, 4))], grad=False),
    Op("scatter_multiply", lambda T, x, s: T.scatter(x, 0, T.tensor(IDX_R), s, reduce="multiply"),
       _scatter_reduce_ref("prod", True), [((3, 4), (2, 4))], grad=False),
    *[_sr(r, inc) for r in ("sum", "mean", "prod") for inc in (True, False)],
    *[_sr(r, inc, "grid") for r in ("amax", "amin") for inc in (True, False)],
    _sr("prod", True, "zeros"),
    # diag, unfold, nonzero of a 0-d tensor
    Op("diag_vec", lambda T, x: T.diag(x), np.diag, [((4,),)]),
    Op("diag_vec_offset", lambda T, x: x.diag(1), lambda x: np.diag(x, 1), [((3,),)]),
    Op("diag_vec_neg", lambda T, x: T.diag(x, -2), lambda x: np.diag(x, -2), [((3,),)]),
    Op("diag_mat", lambda T, x: T.diag(x), lambda x: np.diag(x).copy(), [((3, 4),), ((4, 3),)]),
    Op("diag_mat_offset", lambda T, x: x.diag(1), lambda x: np.diag(x, 1).copy(), [((3, 4),), ((4, 3),)]),
    Op("diag_mat_neg", lambda T, x: T.diag(x, diagonal=-1), lambda x: np.diag(x, -1).copy(), [((3, 4),)]),
    Op("unfold", lambda T, x: x.unfold(1, 2, 1), _unfold_ref(1, 2, 1), R3, gg=True),
    Op("unfold_step", lambda T, x: x.unfold(-1, 2, 2), _unfold_ref(-1, 2, 2), R3 + [((5,),)]),
    Op("unfold_gap", lambda T, x: x.unfold(0, 1, 3), _unfold_ref(0, 1, 3), [((7, 2),)]),
    Op("nonzero_0d", lambda T, x: (T.nonzero(x > 0), T.nonzero(x < -100)), lambda x: (np.argwhere(x > 0),
       np.argwhere(x < -100)), [((),)], "pos", grad=False),
    # negative widths crop, in every mode
    Op("pad_crop_both", lambda T, x: F(T).pad(x, (-1, -1, 1, -1)), lambda x: np.pad(x[:, :-1, 1:-1],
       [(0, 0), (1, 0), (0, 0)]), R3),
    Op("pad_reflect_crop", lambda T, x: F(T).pad(x, (-1, 2), mode="reflect"),
       lambda x: np.pad(x, [(0, 0), (0, 0), (0, 2)], mode="reflect")[..., 1:], R3),
    Op("pad_reflect_crop2d", lambda T, x: F(T).pad(x[None], (2, -1, -1, 1), mode="reflect")[0],
       lambda x: np.pad(x, [(0, 0), (0, 1), (2, 0)], mode="reflect")[:, 1:, :-1], R3),
    Op("pad_replicate_crop", lambda T, x: F(T).pad(x, (2, -3), mode="replicate"),
       lambda x: np.pad(x[..., :-3], [(0, 0), (0, 0), (2, 0)], mode="edge"), R3),
    Op("pad_circular_crop", lambda T, x: F(T).pad(x, (-1, 2), mode="circular"),
       lambda x: np.pad(x[..., 1:], [(0, 0), (0, 0), (0, 2)], mode="wrap"), R3),
    Op("pad_circular_crop_left", lambda T, x: F(T).pad(x, (3, -1), mode="circular"),
       lambda x: np.pad(x[..., :-1], [(0, 0), (0, 0), (3, 0)], mode="wrap"), R3),
]


# ---- 3-d convolution and pooling, unpooling, interpolation, attention ----------------------------
def _windows3(x, k, s, pad, fill):
    """(N, C, Do, Ho, Wo, kD, kH, kW) windows of a padded 5-D array."""
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad], constant_values=fill)
    w = np.lib.stride_tricks.sliding_window_view(xp, k, axis=(2, 3, 4))
    return w[:, :, ::s[0], ::s[1], ::s[2]]


def _conv3d_ref(stride, pad, groups=1):
    def ref(x, w, b=None):
        o, cg = w.shape[:2]
        win = _windows3(x, w.shape[2:], stride, pad, 0.0)
        outs = [np.einsum("ncdhwijk,ocijk->nodhw", win[:, g * cg:(g + 1) * cg], w[g * o // groups:(g + 1) * o // groups])
                for g in range(groups)]
        y = np.concatenate(outs, 1)
        return y if b is None else y + b[None, :, None, None, None]
    return ref


def _pool3d_ref(k, s, pad, how):
    def ref(x):
        win = _windows3(x, k, s, pad, -np.inf if how == "max" else 0.0)
        return win.max((-3, -2, -1)) if how == "max" else win.mean((-3, -2, -1))
    return ref


def _unpool2d_ref(x):
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2)
    keep = win == win.max((3, 5), keepdims=True)
    return (win * keep).reshape(n, c, h, w)


def _linear_ref(sizes, align_corners, scales=None):
    """Separable linear interpolation with np.interp (its end clamping is PyTorch's)."""
    def ref(x):
        out = x
        for i, n_out in enumerate(sizes):
            axis = 2 + i
            n_in = out.shape[axis]
            dst = np.arange(n_out)
            if align_corners:
                src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
            else:
                sc = n_in / n_out if scales is None else 1 / scales[i]
                src = np.maximum((dst + 0.5) * sc - 0.5, 0)
            out = np.apply_along_axis(lambda r: np.interp(src, np.arange(n_in), r), axis, out)
        return out
    return ref


def _nearest_ref(sizes):
    def ref(x):
        out = x
        for i, n_out in enumerate(sizes):
            n_in = out.shape[2 + i]
            out = np.take(out, np.minimum((np.arange(n_out) * n_in) // n_out, n_in - 1), axis=2 + i)
        return out
    return ref


def _sdpa_ref(mask=None, causal=False, scale=None):
    def ref(q, k, v, m=None):
        s = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
        if causal:
            s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, -np.inf)
        if m is not None:
            s = s + m
        if mask is not None:
            s = np.where(mask, s, -np.inf)
        e = np.exp(s - s.max(-1, keepdims=True))
        return (e / e.sum(-1, keepdims=True)) @ v
    return ref


BMASK = np.array([[True, False, True, True, False], [True, True, False, True, True],
                  [False, False, True, True, True], [True, True, True, True, False]])
I_ = lambda T: T.nn.functional.interpolate  # noqa: E731
SDPA = lambda T: T.nn.functional.scaled_dot_product_attention  # noqa: E731
QKV = [((2, 4, 8), (2, 5, 8), (2, 5, 3)), ((1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 3))]

MORE += [
    Op("conv3d", lambda T, x, w, b: F(T).conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1)),
       _conv3d_ref((1, 2, 1), (1, 0, 1)), [((2, 2, 4, 5, 4), (3, 2, 2, 3, 2), (3,))]),
    Op("conv3d_groups", lambda T, x, w: F(T).conv3d(x, w, groups=2), _conv3d_ref((1, 1, 1), (0, 0, 0), 2),
       [((1, 4, 3, 4, 4), (4, 2, 2, 2, 3))]),
    Op("conv3d_same", lambda T, x, w: F(T).conv3d(x, w, padding="same"),
       _conv3d_ref((1, 1, 1), (1, 1, 1)), [((1, 2, 3, 3, 4), (2, 2, 3, 3, 3))]),
    Op("max_pool3d", lambda T, x: F(T).max_pool3d(x, 2), _pool3d_ref((2, 2, 2), (2, 2, 2), (0, 0, 0), "max"),
       [((2, 2, 4, 4, 6),)], "grid"),
    Op("max_pool3d_pad", lambda T, x: F(T).max_pool3d(x, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1)),
       _pool3d_ref((3, 2, 3), (2, 1, 2), (1, 0, 1), "max"), [((1, 2, 5, 3, 5),)], "grid"),
    Op("avg_pool3d", lambda T, x: F(T).avg_pool3d(x, (2, 3, 2), stride=1), _pool3d_ref((2, 3, 2), (1, 1, 1),
       (0, 0, 0), "avg"), [((2, 1, 3, 4, 4),)]),
    Op("avg_pool3d_pad", lambda T, x: F(T).avg_pool3d(x, 3, stride=2, padding=1),
       _pool3d_ref((3, 3, 3), (2, 2, 2), (1, 1, 1), "avg"), [((1, 2, 5, 4, 5),)]),
    Op("max_unpool2d", lambda T, x: F(T).max_unpool2d(*F(T).max_pool2d(x, 2, return_indices=True), 2),
       _unpool2d_ref, [((2, 3, 4, 6),)], "grid"),
    Op("interp_nearest", lambda T, x: I_(T)(x, scale_factor=2), _nearest_ref((6, 8)), [((2, 3, 3, 4),)]),
    Op("interp_nearest_size", lambda T, x: I_(T)(x, size=(5, 3)), _nearest_ref((5, 3)), [((1, 2, 3, 4),)]),
    Op("interp_bilinear", lambda T, x: I_(T)(x, size=(5, 7), mode="bilinear"), _linear_ref((5, 7), False),
       [((2, 2, 3, 4),)]),
    Op("interp_bilinear_ac", lambda T, x: I_(T)(x, size=(5, 7), mode="bilinear", align_corners=True),
       _linear_ref((5, 7), True), [((2, 2, 3, 4),)]),
    Op("interp_bilinear_scale", lambda T, x: I_(T)(x, scale_factor=1.5, mode="bilinear"),
       _linear_ref((4, 6), False, (1.5, 1.5)), [((1, 2, 3, 4),)]),
    Op("interp_bilinear_down", lambda T, x: I_(T)(x, scale_factor=0.5, mode="bilinear", align_corners=True),
       _linear_ref((3, 2), True), [((1, 1, 6, 5),)]),
    Op("interp_linear", lambda T, x: I_(T)(x, scale_factor=2.5, mode="linear"), _linear_ref((10,), False, (2.5,)),
       [((2, 3, 4),)]),
    Op("interp_linear_ac", lambda T, x: I_(T)(x, size=7, mode="linear", align_corners=True), _linear_ref((7,), True),
       [((2, 3, 4),)]),
    Op("interp_trilinear", lambda T, x: I_(T)(x, size=(3, 4, 2), mode="trilinear"),
       _linear_ref((3, 4, 2), False), [((1, 2, 2, 3, 4),)]),
    Op("upsample_layer", lambda T, x: T.nn.Upsample(scale_factor=2, mode="bilinear")(x),
       _linear_ref((6, 4), False, (2, 2)), [((1, 2, 3, 2),)]),
    Op("sdpa", lambda T, q, k, v: SDPA(T)(q, k, v), _sdpa_ref(), QKV),
    Op("sdpa_causal_scale", lambda T, q, k, v: SDPA(T)(q, k, v, is_causal=True, scale=0.5),
       _sdpa_ref(causal=True, scale=0.5), QKV[:1]),
    Op("sdpa_float_mask", lambda T, q, k, v, m: SDPA(T)(q, k, v, attn_mask=m), _sdpa_ref(),
       [((2, 4, 8), (2, 5, 8), (2, 5, 3), (4, 5))]),
    Op("sdpa_bool_mask", lambda T, q, k, v: SDPA(T)(q, k, v, attn_mask=T.tensor(BMASK)), _sdpa_ref(BMASK), QKV),
]


def _conv_transpose3d_ref(stride, pad):
    def ref(x, w):
        n, _, *sp = x.shape
        k = w.shape[2:]
        full = [(m - 1) * s + kk for m, s, kk in zip(sp, stride, k)]
        out = np.zeros((n, w.shape[1], *full))
        for off in np.ndindex(*k):
            part = np.einsum("nidhw,io->nodhw", x, w[(slice(None), slice(None)) + off])
            sl = tuple(slice(o, o + s * (m - 1) + 1, s) for o, s, m in zip(off, stride, sp))
            out[(slice(None), slice(None)) + sl] += part
        return out[(slice(None), slice(None)) + tuple(slice(p, f - p) for p, f in zip(pad, full))]
    return ref


MORE += [
    Op("conv_transpose3d", lambda T, x, w: F(T).conv_transpose3d(x, w, stride=(2, 1, 2), padding=(1, 0, 0)),
       _conv_transpose3d_ref((2, 1, 2), (1, 0, 0)), [((2, 3, 3, 2, 3), (3, 2, 3, 2, 2))]),
]
