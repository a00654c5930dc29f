"""The table of ops that drives the op tests: forward vs NumPy (float32 and float64), float64
gradcheck, gradgradcheck (entries marked ``gg``), forward-mode AD, and forward+backward vs PyTorch.

Each entry names an op once.  ``f(T, *xs)`` is written against a module ``T`` that is either
``npgrad`` or ``torch`` — the same code must run on both, which is the whole point of the API —
and ``ref(*arrays)`` is the NumPy reference.  ``cases`` lists the input shapes (several per op,
including broadcasting and 0-dim cases) and ``domain`` keeps inputs where the op is smooth.

Domains: ``any`` standard normal; ``pos`` in [0.5, 2]; ``nonzero`` |x| in [0.5, 2];
``grid`` distinct values spaced >= 0.04 apart, never 0 or +-0.5 (kinks of abs/clamp/max are
avoided and there are no ties); ``zeros`` normal with some exact zeros (prod); ``unit`` in
[-0.9, 0.9]; ``tail`` |x| in [0.99, 0.9999]; ``gt1`` in [1.2, 3].
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

import npgrad


@dataclass
class Op:
    name: str
    f: object                      # f(T, *tensors) -> tensor or tuple of tensors
    ref: object                    # ref(*ndarrays) -> ndarray or tuple
    cases: list                    # list of tuples of input shapes
    domain: object = "any"         # one domain, or one per input
    grad: bool = True              # differentiable: run gradcheck and compare gradients
    gg: bool = False               # also run gradgradcheck (second derivatives)
    torch_f: object = None         # when PyTorch spells the call differently
    out_dtype: object = None       # float outputs' dtype when it is not the inputs' (float_power)
    rtol32: float = 2e-5
    atol32: float = 2e-5

    def run(self, T, *xs):
        f = self.torch_f if (self.torch_f is not None and T is not npgrad) else self.f
        return f(T, *xs)


def make_inputs(op, shapes, dtype):
    """Deterministic random arrays for one case of ``op`` (the same for every backend)."""
    rng = np.random.default_rng(zlib.crc32(f"{op.name}{shapes}".encode()))
    doms = op.domain if isinstance(op.domain, tuple) else (op.domain,) * len(shapes)
    return [np.asarray(_sample(rng, s, d), dtype=dtype) for s, d in zip(shapes, doms)]


def _sample(rng, shape, domain):
    n = int(np.prod(shape, dtype=np.int64))
    if domain == "any":
        return rng.standard_normal(shape)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "grid":
        # jitter: two inputs on the same grid must not tie with each other either
        vals = np.linspace(-1.5, 1.5, max(n, 2))[:n] + rng.uniform(0.005, 0.015, n)
        return rng.permutation(vals).reshape(shape)
    if domain == "unit":  # inside (-1, 1), away from the ends (asin, atanh, erfinv)
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "tail":  # close to +-1 (erfinv's tails)
        return rng.uniform(0.99, 0.9999, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "gt1":  # acosh
        return rng.uniform(1.2, 3.0, shape)
    if domain == "zeros":
        x = rng.standard_normal(shape)
        x.reshape(-1)[:: max(n // 3, 1)] = 0.0
        return x
    raise ValueError(domain)


# ---- helpers -----------------------------------------------------------------------------------
UNARY = [((3, 4),), ((),), ((2, 3, 4),)]
BINARY = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((3, 1), (1, 4))]
R3 = [((2, 3, 4),)]
DIMS = [None, 1, -1, (0, 2), (-1, 0)]
IDX = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])        # for gather / scatter_add along dim 0 of (3, 4)
F = lambda T: T.nn.functional  # noqa: E731


def _np_keep(fn):
    """NumPy reduction with PyTorch's dim/keepdim spelling (dim=None means all)."""
    def ref(x, dim, keepdim, **kw):
        ax = dim if not isinstance(dim, list) else tuple(dim)
        return np.asarray(fn(x, axis=ax, keepdims=keepdim, **kw))
    return ref


def _reduction(name, call, npfn, dims=DIMS, domain="any", grad=True, gg=False, **kw):
    """One entry per (dim, keepdim) combination."""
    out = []
    for dim in dims:
        for keepdim in (False, True):
            if dim is None and keepdim:
                continue
            out.append(Op(f"{name}[dim={dim},keep={keepdim}]",
                          (lambda T, x, d=dim, k=keepdim: call(T, x, d, k)),
                          (lambda x, d=dim, k=keepdim: npfn(x, d, k)), R3, domain, grad, gg, **kw))
    return out


def _max_ref(npmax, nparg):
    def ref(x, dim, keepdim):
        return (npmax(x, axis=dim, keepdims=keepdim),
                nparg(x, axis=dim, keepdims=keepdim).astype(np.int64))
    return ref


def _scatter_add_ref(x, src):
    out = x.copy()
    cols = np.broadcast_to(np.arange(IDX.shape[1]), IDX.shape)
    np.add.at(out, (IDX, cols), src[:IDX.shape[0], :IDX.shape[1]])
    return out


def _split_ref(sizes, axis):
    def ref(x):
        return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))
    return ref


# ---- the table ---------------------------------------------------------------------------------
OPS = [
    # arithmetic (operators, functions, reflected forms, Python scalars)
    Op("add", lambda T, a, b: a + b, np.add, BINARY, gg=True),
    Op("add_fn_alpha", lambda T, a, b: T.add(a, b, alpha=2), lambda a, b: a + 2 * b, BINARY[:2]),
    Op("sub", lambda T, a, b: a - b, np.subtract, BINARY, gg=True),
    Op("mul", lambda T, a, b: a * b, np.multiply, BINARY, gg=True),
    Op("div", lambda T, a, b: a / b, np.divide, BINARY, ("any", "nonzero"), gg=True),
    Op("pow", lambda T, a, b: a ** b, np.power, BINARY, ("pos", "any"), gg=True),
    Op("matmul_op", lambda T, a, b: a @ b, np.matmul, [((3, 4), (4, 2))]),
    Op("radd_scalar", lambda T, x: 2 + x, lambda x: 2 + x, UNARY),
    Op("add_scalar", lambda T, x: x + 1.5, lambda x: x + 1.5, UNARY),
    Op("rsub_scalar", lambda T, x: 1.5 - x, lambda x: 1.5 - x, UNARY),
    Op("sub_scalar", lambda T, x: x - 3, lambda x: x - 3, UNARY),
    Op("rmul_scalar", lambda T, x: 3 * x, lambda x: 3 * x, UNARY),
    Op("mul_scalar", lambda T, x: x * -0.5, lambda x: x * -0.5, UNARY),
    Op("rdiv_scalar", lambda T, x: 2 / x, lambda x: 2 / x, UNARY, "nonzero", gg=True),
    Op("div_scalar", lambda T, x: x / 4, lambda x: x / 4, UNARY),
    Op("pow_2", lambda T, x: x ** 2, np.square, UNARY, gg=True),
    Op("pow_3", lambda T, x: x ** 3, lambda x: x ** 3, UNARY, gg=True),
    Op("pow_half", lambda T, x: x ** 0.5, np.sqrt, UNARY, "pos", gg=True),
    Op("pow_neg", lambda T, x: x ** -1, lambda x: 1 / x, UNARY, "nonzero", gg=True),
    Op("pow_0", lambda T, x: x ** 0, lambda x: x ** 0, UNARY[:1]),
    Op("rpow", lambda T, x: 2 ** x, lambda x: 2.0 ** x, UNARY, gg=True),
    Op("pow_fn", lambda T, x: T.pow(x, 3), lambda x: x ** 3, UNARY[:1]),
    Op("remainder", lambda T, a, b: a % b, np.mod, BINARY[:3], ("grid", "nonzero")),
    Op("remainder_fn", lambda T, x: T.remainder(x, 0.7), lambda x: np.mod(x, 0.7), UNARY[:1], "grid"),
    Op("fmod", lambda T, a, b: T.fmod(a, b), np.fmod, BINARY[:3], ("grid", "nonzero")),
    Op("neg", lambda T, x: -x, np.negative, UNARY),
    Op("neg_fn", lambda T, x: T.neg(x), np.negative, UNARY[:1]),
    Op("abs", lambda T, x: T.abs(x), np.abs, UNARY, "grid", gg=True),
    Op("abs_op", lambda T, x: abs(x), np.abs, UNARY[:1], "grid"),
    Op("exp", lambda T, x: T.exp(x), np.exp, UNARY, gg=True),
    Op("log", lambda T, x: T.log(x), np.log, UNARY, "pos", gg=True),
    Op("log1p", lambda T, x: T.log1p(x), np.log1p, UNARY, "pos", gg=True),
    Op("sqrt", lambda T, x: T.sqrt(x), np.sqrt, UNARY, "pos", gg=True),
    Op("rsqrt", lambda T, x: T.rsqrt(x), lambda x: 1 / np.sqrt(x), UNARY, "pos", gg=True),
    Op("sin", lambda T, x: T.sin(x), np.sin, UNARY, gg=True),
    Op("cos", lambda T, x: T.cos(x), np.cos, UNARY, gg=True),
    Op("tanh", lambda T, x: T.tanh(x), np.tanh, UNARY, gg=True),
    Op("sigmoid", lambda T, x: T.sigmoid(x), lambda x: 1 / (1 + np.exp(-x)), UNARY, gg=True),
    Op("sigmoid_big", lambda T, x: T.sigmoid(x * 100), lambda x: 1 / (1 + np.exp(-x * 100)), UNARY[:1],
       "grid"),
    Op("sign", lambda T, x: T.sign(x), np.sign, UNARY, "grid"),
    Op("clamp", lambda T, x: T.clamp(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), UNARY, "grid", gg=True),
    Op("clamp_min", lambda T, x: x.clamp(min=0.25), lambda x: np.maximum(x, 0.25), UNARY[:1], "grid"),
    Op("clamp_max", lambda T, x: T.clamp(x, max=0.25), lambda x: np.minimum(x, 0.25), UNARY[:1], "grid"),
    Op("clamp_tensor", lambda T, x, lo: T.clamp(x, min=lo), np.maximum, BINARY[:2], "grid"),
    Op("maximum", lambda T, a, b: T.maximum(a, b), np.maximum, BINARY, "grid", gg=True),
    Op("minimum", lambda T, a, b: T.minimum(a, b), np.minimum, BINARY, "grid"),
    Op("where", lambda T, a, b: T.where(a > b, a, b * 2), lambda a, b: np.where(a > b, a, b * 2), BINARY,
       "grid", gg=True),
    Op("where_scalar", lambda T, x: T.where(x > 0, x, 0.0), lambda x: np.where(x > 0, x, 0.0), UNARY[:1],
       "grid"),
    Op("tensor_where", lambda T, a, b: a.where(a > 0, b), lambda a, b: np.where(a > 0, a, b), BINARY[:2],
       "grid"),
    # comparisons and logic (no gradient)
    Op("eq", lambda T, a, b: a == T.where(b > 0, a, b), lambda a, b: a == np.where(b > 0, a, b), BINARY,
       grad=False),
    Op("ne", lambda T, a, b: T.ne(a, T.where(b > 0, a, b)), lambda a, b: a != np.where(b > 0, a, b),
       BINARY[:2], grad=False),
    Op("lt", lambda T, a, b: a < b, np.less, BINARY, grad=False),
    Op("le", lambda T, a, b: T.le(a, b), np.less_equal, BINARY[:3], grad=False),
    Op("gt_scalar", lambda T, x: x > 0.25, lambda x: x > 0.25, UNARY, grad=False),
    Op("ge", lambda T, a, b: a >= b, np.greater_equal, BINARY[:3], grad=False),
    Op("logical_and", lambda T, a, b: T.logical_and(a > 0, b > 0), lambda a, b: (a > 0) & (b > 0), BINARY,
       grad=False),
    Op("logical_or", lambda T, a, b: T.logical_or(a > 0, b > 0), lambda a, b: (a > 0) | (b > 0), BINARY[:3],
       grad=False),
    Op("logical_xor", lambda T, a, b: T.logical_xor(a > 0, b), lambda a, b: (a > 0) ^ (b != 0), BINARY[:3],
       grad=False),
    Op("logical_not", lambda T, x: T.logical_not(x > 0), lambda x: ~(x > 0), UNARY, grad=False),
    Op("bool_ops", lambda T, a, b: ((a > 0) & (b > 0)) | ~(a > b), lambda a, b: ((a > 0) & (b > 0)) | ~(a > b),
       BINARY[:3], grad=False),
    # reductions
    *_reduction("sum", lambda T, x, d, k: x.sum() if d is None else T.sum(x, d, keepdim=k),
                _np_keep(np.sum), gg=True),
    *_reduction("mean", lambda T, x, d, k: x.mean() if d is None else x.mean(dim=d, keepdim=k),
                _np_keep(np.mean)),
    *_reduction("var", lambda T, x, d, k: x.var() if d is None else T.var(x, d, keepdim=k),
                lambda x, d, k: _np_keep(np.var)(x, d, k, ddof=1), gg=True),
    *_reduction("std", lambda T, x, d, k: T.std(x) if d is None else x.std(dim=d, keepdim=k),
                lambda x, d, k: _np_keep(np.std)(x, d, k, ddof=1), dims=[None, 1, (0, 2)]),
    Op("var_correction0", lambda T, x: T.var(x, 1, correction=0), lambda x: np.var(x, 1), R3),
    Op("std_unbiased_false", lambda T, x: x.std(-1, unbiased=False), lambda x: np.std(x, -1), R3),
    *_reduction("amax", lambda T, x, d, k: T.amax(x) if d is None else T.amax(x, d, keepdim=k),
                _np_keep(np.amax), domain="grid"),
    *_reduction("amin", lambda T, x, d, k: x.amin() if d is None else x.amin(d, keepdim=k),
                _np_keep(np.amin), domain="grid"),
    *_reduction("max_dim", lambda T, x, d, k: tuple(T.max(x, d, keepdim=k)),
                _max_ref(np.max, np.argmax), dims=[0, 1, -1], domain="grid"),
    *_reduction("min_dim", lambda T, x, d, k: tuple(x.min(dim=d, keepdim=k)),
                _max_ref(np.min, np.argmin), dims=[0, -1], domain="grid"),
    Op("max_all", lambda T, x: x.max(), np.max, UNARY, "grid"),
    Op("min_all", lambda T, x: T.min(x), np.min, UNARY, "grid"),
    Op("max_binary", lambda T, a, b: T.max(a, b), np.maximum, BINARY[:2], "grid"),
    *_reduction("argmax", lambda T, x, d, k: T.argmax(x) if d is None else x.argmax(d, keepdim=k),
                lambda x, d, k: np.argmax(x, axis=d, keepdims=k) if d is not None else np.argmax(x),
                dims=[None, 1, -1], domain="grid", grad=False),
    *_reduction("argmin", lambda T, x, d, k: x.argmin() if d is None else T.argmin(x, dim=d, keepdim=k),
                lambda x, d, k: np.argmin(x, axis=d, keepdims=k) if d is not None else np.argmin(x),
                dims=[None, 0], domain="grid", grad=False),
    *_reduction("prod", lambda T, x, d, k: x.prod() if d is None else T.prod(x, d, keepdim=k),
                _np_keep(np.prod), dims=[None, 1, -1], gg=True),
    *_reduction("prod_zeros", lambda T, x, d, k: x.prod() if d is None else x.prod(d, keepdim=k),
                _np_keep(np.prod), dims=[None, 0, 2], domain="zeros", gg=True),
    Op("prod_zeros_tuple", lambda T, x: x.prod((0, 2)), lambda x: x.prod((0, 2)), R3, "zeros", gg=True,
       torch_f=lambda T, x: x.prod(2).prod(0)),  # PyTorch's prod takes one dim only
    Op("prod_two_zeros", lambda T, x: x.prod(1), lambda x: np.prod(x, 1), [((2, 3),)], "zeros", gg=True),
    Op("cumsum0", lambda T, x: T.cumsum(x, 0), lambda x: np.cumsum(x, 0), UNARY[:1] + R3, gg=True),
    Op("sort", lambda T, x: tuple(T.sort(x, 1)), lambda x: (np.sort(x, 1), np.argsort(x, 1)), R3, "grid"),
    Op("sort_desc", lambda T, x: tuple(x.sort(dim=0, descending=True)),
       lambda x: (-np.sort(-x, 0), np.argsort(-x, 0)), R3, "grid"),
    Op("argsort", lambda T, x: T.argsort(x, -1), lambda x: np.argsort(x, -1), R3, "grid", grad=False),
    Op("topk", lambda T, x: tuple(T.topk(x, 2)), lambda x: (-np.sort(-x, -1)[..., :2], np.argsort(-x, -1)[..., :2]),
       R3, "grid"),
    Op("topk_smallest", lambda T, x: tuple(x.topk(2, dim=1, largest=False)),
       lambda x: (np.sort(x, 1)[:, :2], np.argsort(x, 1)[:, :2]), R3, "grid"),
    Op("cumprod", lambda T, x: T.cumprod(x, 1), lambda x: np.cumprod(x, 1), R3, gg=True),
    Op("cumprod_zeros", lambda T, x: x.cumprod(-1), lambda x: np.cumprod(x, -1), [((3, 4),), ((2, 6),)], "zeros",
       gg=True),
    Op("cumsum_neg", lambda T, x: x.cumsum(dim=-1), lambda x: np.cumsum(x, -1), UNARY[:1] + R3),
    *_reduction("logsumexp", lambda T, x, d, k: T.logsumexp(x, d, keepdim=k),
                lambda x, d, k: np.log(np.sum(np.exp(x), axis=d, keepdims=k)), dims=[1, -1, (0, 2)], gg=True),
    Op("logsumexp_big", lambda T, x: T.logsumexp(x * 200, 1), lambda x: np.log(np.exp(x * 200 - (x * 200).max(
        1, keepdims=True)).sum(1)) + (x * 200).max(1), [((3, 4),)], "grid"),
    *_reduction("norm", lambda T, x, d, k: x.norm() if d is None else T.norm(x, dim=d, keepdim=k),
                lambda x, d, k: np.sqrt(np.sum(x * x, axis=d, keepdims=k)), dims=[None, 1, (0, 2)], gg=True),
    Op("norm_p1", lambda T, x: x.norm(p=1, dim=1), lambda x: np.abs(x).sum(1), R3, "grid"),
    Op("norm_p3", lambda T, x: T.norm(x, p=3, dim=-1), lambda x: (np.abs(x) ** 3).sum(-1) ** (1 / 3), R3, "grid"),
    Op("norm_inf", lambda T, x: x.norm(p=float("inf"), dim=0), lambda x: np.abs(x).max(0), R3, "grid"),
    Op("linalg_norm", lambda T, x: T.linalg.norm(x), lambda x: np.sqrt((x * x).sum()), UNARY[:1] + R3, gg=True),
    Op("linalg_norm_dim", lambda T, x: T.linalg.norm(x, dim=(1, 2), keepdim=True),
       lambda x: np.sqrt((x * x).sum((1, 2), keepdims=True)), R3),
    Op("linalg_norm_ord1", lambda T, x: T.linalg.norm(x, ord=1, dim=-1), lambda x: np.abs(x).sum(-1), R3,
       "grid"),
    Op("linalg_matrix_norm_1", lambda T, x: T.linalg.matrix_norm(x, ord=1), lambda x: np.linalg.norm(x, 1, (-2, -1)),
       [((3, 4),), ((2, 3, 4),)], "grid"),
    Op("linalg_norm_inf", lambda T, x: T.linalg.norm(x, float("inf")), lambda x: np.linalg.norm(x, np.inf),
       [((3, 4),)], "grid"),
    Op("linalg_norm_neg_inf_keep", lambda T, x: T.linalg.norm(x, -float("inf"), dim=(0, 2), keepdim=True),
       lambda x: np.linalg.norm(x.transpose(1, 0, 2), -np.inf, (-2, -1))[:, None, None].transpose(1, 0, 2),
       R3, "grid"),
    Op("linalg_norm_fro", lambda T, x: T.linalg.norm(x, "fro"), lambda x: np.linalg.norm(x, "fro"), [((3, 4),)]),
    Op("linalg_vector_norm", lambda T, x: T.linalg.vector_norm(x, 2, dim=0), lambda x: np.sqrt((x * x).sum(0)),
       R3),
    # linear algebra
    Op("matmul", lambda T, a, b: T.matmul(a, b), np.matmul,
       [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
        ((2, 1, 3, 4), (3, 4, 2)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,))], gg=True),
    Op("mm", lambda T, a, b: T.mm(a, b), np.matmul, [((3, 4), (4, 2))]),
    Op("bmm", lambda T, a, b: a.bmm(b), np.matmul, [((2, 3, 4), (2, 4, 2))]),
    Op("dot", lambda T, a, b: T.dot(a, b), np.dot, [((5,), (5,))], gg=True),
    Op("outer", lambda T, a, b: T.outer(a, b), np.outer, [((3,), (4,))]),
    Op("einsum_mm", lambda T, a, b: T.einsum("ij,jk->ik", a, b), np.matmul, [((3, 4), (4, 2))], gg=True),
    Op("einsum_bmm", lambda T, a, b: T.einsum("bij,bjk->bik", a, b), np.matmul, [((2, 3, 4), (2, 4, 2))]),
    Op("einsum_dot", lambda T, a, b: T.einsum("i,i->", a, b), np.dot, [((5,), (5,))]),
    Op("einsum_rowdot", lambda T, a, b: T.einsum("ij,ij->i", a, b), lambda a, b: (a * b).sum(1),
       [((3, 4), (3, 4))]),
    Op("einsum_sum", lambda T, x: T.einsum("ij->j", x), lambda x: x.sum(0), [((3, 4),)]),
    Op("einsum_transpose", lambda T, x: T.einsum("ij->ji", x), np.transpose, [((3, 4),)]),
    Op("einsum_implicit", lambda T, a, b: T.einsum("ij,jk", a, b), np.matmul, [((3, 4), (4, 2))]),
    Op("einsum_ellipsis", lambda T, a, b: T.einsum("...ij,...jk->...ik", a, b), np.matmul,
       [((2, 3, 4), (2, 4, 2)), ((3, 4), (4, 2))]),
    Op("einsum_ellipsis_implicit", lambda T, a: T.einsum("...i->...", a), lambda a: a.sum(-1), [((2, 3, 4),)]),
    Op("einsum_trace", lambda T, x: T.einsum("ii->", x), np.trace, [((3, 3),)]),
    Op("einsum_diag", lambda T, x: T.einsum("ii->i", x), lambda x: np.diagonal(x).copy(), [((3, 3),)]),
    Op("einsum_batch_diag_sum", lambda T, x, y: T.einsum("bii,bj->bj", x, y),
       lambda x, y: np.einsum("bii,bj->bj", x, y), [((2, 3, 3), (2, 4))], gg=True),
    Op("einsum_outer3", lambda T, a, b, c: T.einsum("i,j,k->ijk", a, b, c),
       lambda a, b, c: np.einsum("i,j,k->ijk", a, b, c), [((2,), (3,), (2,))]),
    # shape
    Op("reshape", lambda T, x: x.reshape(4, -1), lambda x: x.reshape(4, -1), R3, gg=True),
    Op("reshape_fn", lambda T, x: T.reshape(x, (-1,)), lambda x: x.reshape(-1), UNARY),
    Op("view", lambda T, x: x.view(2, 12), lambda x: x.reshape(2, 12), R3),
    Op("flatten", lambda T, x: T.flatten(x), lambda x: x.reshape(-1), UNARY),
    Op("flatten_range", lambda T, x: x.flatten(1, -1), lambda x: x.reshape(2, -1), R3),
    Op("transpose", lambda T, x: x.transpose(0, -1), lambda x: np.swapaxes(x, 0, -1), R3),
    Op("permute", lambda T, x: T.permute(x, (2, 0, 1)), lambda x: x.transpose(2, 0, 1), R3),
    Op("permute_args", lambda T, x: x.permute(1, -1, 0), lambda x: x.transpose(1, 2, 0), R3),
    Op("T", lambda T, x: x.T, lambda x: x.T, [((3, 4),)]),
    Op("squeeze", lambda T, x: x.squeeze(), np.squeeze, [((3, 1, 4, 1),)]),
    Op("squeeze_dim", lambda T, x: T.squeeze(x, 1), lambda x: np.squeeze(x, 1), [((3, 1, 4),)]),
    Op("squeeze_noop", lambda T, x: x.squeeze(0), lambda x: x, [((3, 4),)]),
    Op("unsqueeze", lambda T, x: x.unsqueeze(-1), lambda x: x[..., None], UNARY),
    Op("unsqueeze0", lambda T, x: T.unsqueeze(x, 0), lambda x: x[None], UNARY),
    Op("expand", lambda T, x: x.expand(3, 2, 4), lambda x: np.broadcast_to(x, (3, 2, 4)), [((2, 1),), ((1, 4),)]),
    Op("expand_neg1", lambda T, x: x.expand(-1, 5), lambda x: np.broadcast_to(x, (3, 5)), [((3, 1),)]),
    Op("broadcast_to", lambda T, x: T.broadcast_to(x, (2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4)),
       [((3, 1),), ((4,),), ((),)]),
    Op("cat0", lambda T, a, b: T.cat([a, b]), lambda a, b: np.concatenate([a, b]), [((2, 3), (4, 3))]),
    Op("cat_neg", lambda T, a, b, c: T.cat((a, b, c), dim=-1), lambda a, b, c: np.concatenate([a, b, c], -1),
       [((2, 3), (2, 1), (2, 2))]),
    Op("stack", lambda T, a, b: T.stack([a, b], 1), lambda a, b: np.stack([a, b], 1), [((2, 3), (2, 3))]),
    Op("stack_neg", lambda T, a, b: T.stack([a, b], dim=-1), lambda a, b: np.stack([a, b], -1),
       [((2, 3), (2, 3))]),
    Op("split", lambda T, x: x.split(2, dim=1), _split_ref([2, 2], 1), [((3, 4),)]),
    Op("split_uneven", lambda T, x: T.split(x, 3, -1), _split_ref([3, 1], -1), [((3, 4),)]),
    Op("split_sizes", lambda T, x: T.split(x, [1, 2], 0), _split_ref([1, 2], 0), [((3, 4),)]),
    Op("chunk", lambda T, x: x.chunk(2, dim=-1), _split_ref([2, 2], -1), [((3, 4),)]),
    Op("chunk_uneven", lambda T, x: T.chunk(x, 2), _split_ref([2, 1], 0), [((3, 4),)]),
    Op("gather", lambda T, x: T.gather(x, 0, T.tensor(IDX)), lambda x: np.take_along_axis(x, IDX, 0),
       [((3, 4),)], gg=True),
    Op("gather_dim1", lambda T, x: x.gather(1, T.tensor(IDX.T[:3, :2] % 2)),
       lambda x: np.take_along_axis(x, IDX.T[:3, :2] % 2, 1), [((3, 4),)]),
    Op("scatter_add", lambda T, x, s: x.scatter_add(0, T.tensor(IDX), s), _scatter_add_ref,
       [((3, 4), (2, 4)), ((3, 4), (3, 5))], gg=True,
       # PyTorch's backward fails for a src larger than index; the slice gives the same gradients
       torch_f=lambda T, x, s: x.scatter_add(0, T.tensor(IDX), s[:2, :4])),
    Op("pad_constant", lambda T, x: F(T).pad(x, (1, 2)), lambda x: np.pad(x, [(0, 0), (1, 2)]), [((3, 4),)]),
    Op("pad_value", lambda T, x: F(T).pad(x, (1, 0, 0, 2), value=1.5),
       lambda x: np.pad(x, [(0, 0), (0, 2), (1, 0)], constant_values=1.5), R3),
    Op("pad_crop", lambda T, x: F(T).pad(x, (-1, 2)), lambda x: np.pad(x[:, 1:], [(0, 0), (0, 2)]), [((3, 4),)]),
    Op("pad_reflect", lambda T, x: F(T).pad(x, (2, 1), mode="reflect"),
       lambda x: np.pad(x, [(0, 0), (0, 0), (2, 1)], mode="reflect"), R3),
    Op("pad_replicate", lambda T, x: F(T).pad(x, (1, 2, 2, 1), mode="replicate"),
       lambda x: np.pad(x, [(0, 0), (2, 1), (1, 2)], mode="edge"), R3),
    Op("pad_circular", lambda T, x: F(T).pad(x, (1, 2), mode="circular"),
       lambda x: np.pad(x, [(0, 0), (0, 0), (1, 2)], mode="wrap"), R3),
    # more shape ops
    Op("unflatten", lambda T, x: x.unflatten(1, (3, 2)), lambda x: x.reshape(2, 3, 2, 2), [((2, 6, 2),)]),
    Op("movedim", lambda T, x: T.movedim(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), R3),
    Op("movedim_multi", lambda T, x: x.movedim((0, 1), (2, 0)), lambda x: np.moveaxis(x, (0, 1), (2, 0)), R3),
    Op("swapaxes", lambda T, x: T.swapaxes(x, 0, 2), lambda x: np.swapaxes(x, 0, 2), R3),
    Op("t", lambda T, x: x.t(), np.transpose, [((3, 4),), ((4,),)]),
    Op("hstack", lambda T, a, b: T.hstack([a, b]), lambda a, b: np.hstack([a, b]), [((2, 3), (2, 1)), ((3,), (2,))]),
    Op("vstack", lambda T, a, b: T.vstack([a, b]), lambda a, b: np.vstack([a, b]), [((2, 3), (1, 3)), ((3,), (3,))]),
    Op("unbind", lambda T, x: x.unbind(1), lambda x: tuple(np.moveaxis(x, 1, 0)), R3),
    Op("flip", lambda T, x: x.flip((0, -1)) if T is npgrad else x.flip(0, -1), lambda x: x[::-1, :, ::-1], R3),
    Op("repeat", lambda T, x: x.repeat(2, 1, 3), lambda x: np.tile(x, (2, 1, 3)), [((2, 3),), ((3,),)]),
    Op("tile", lambda T, x: T.tile(x, (2,)), lambda x: np.tile(x, 2), [((2, 3),)]),
    Op("repeat_interleave", lambda T, x: x.repeat_interleave(2, dim=0), lambda x: np.repeat(x, 2, 0), [((2, 3),)]),
    Op("tril", lambda T, x: T.tril(x), np.tril, [((3, 4),), ((2, 3, 3),)]),
    Op("triu", lambda T, x: x.triu(1), lambda x: np.triu(x, 1), [((3, 4),)]),
    Op("diagonal", lambda T, x: T.diagonal(x), lambda x: np.diagonal(x).copy(), [((3, 4),)]),
    Op("diagonal_offset", lambda T, x: x.diagonal(-1, 1, 2), lambda x: np.diagonal(x, -1, 1, 2).copy(), R3),
    Op("trace", lambda T, x: T.trace(x), np.trace, [((3, 4),)]),
    Op("narrow", lambda T, x: T.narrow(x, -1, 1, 2), lambda x: x[..., 1:3], [((3, 4),), ((2, 3, 4),)]),
    Op("narrow_neg_start", lambda T, x: x.narrow(0, -2, 2), lambda x: x[-2:], R3),
    Op("roll", lambda T, x: T.roll(x, 1, 0), lambda x: np.roll(x, 1, 0), [((3, 4),)]),
    Op("roll_flat", lambda T, x: x.roll(-2), lambda x: np.roll(x, -2), [((3, 4),)]),
    Op("take_along_dim", lambda T, x: T.take_along_dim(x, T.tensor(IDX), 0), lambda x: np.take_along_axis(x, IDX, 0),
       [((3, 4),)]),
    Op("index_select", lambda T, x: x.index_select(1, T.tensor([3, 0, 3])), lambda x: x[:, [3, 0, 3]], [((3, 4),)]),
    Op("masked_fill", lambda T, x: x.masked_fill(x > 0, 0.5), lambda x: np.where(x > 0, 0.5, x), [((3, 4),)], "grid"),
    Op("masked_select", lambda T, x: T.masked_select(x, x < 0.3), lambda x: x[x < 0.3], [((3, 4),)], "grid"),
    Op("broadcast_tensors", lambda T, a, b: T.broadcast_tensors(a, b), lambda a, b: np.broadcast_arrays(a, b),
       [((3, 1), (1, 4))]),
    Op("expand_as", lambda T, a, b: a.expand_as(b) * b, lambda a, b: a * b, [((3, 1), (3, 4))]),
    Op("view_as", lambda T, a, b: a.view_as(b) + b, lambda a, b: a.reshape(b.shape) + b, [((12,), (3, 4))]),
    # more elementwise and linear algebra
    Op("exp2", lambda T, x: T.exp2(x), np.exp2, UNARY[:1]),
    Op("log2", lambda T, x: x.log2(), np.log2, UNARY[:1], "pos"),
    Op("log10", lambda T, x: T.log10(x), np.log10, UNARY[:1], "pos"),
    Op("expm1", lambda T, x: x.expm1(), np.expm1, UNARY[:1]),
    Op("tan", lambda T, x: T.tan(x * 0.5), lambda x: np.tan(x * 0.5), UNARY[:1]),
    Op("square", lambda T, x: x.square(), np.square, UNARY[:1]),
    Op("reciprocal", lambda T, x: T.reciprocal(x), lambda x: 1 / x, UNARY[:1], "nonzero"),
    Op("relu", lambda T, x: T.relu(x), lambda x: np.maximum(x, 0), UNARY[:2], "grid"),
    Op("lerp", lambda T, a, b: T.lerp(a, b, 0.3), lambda a, b: a + 0.3 * (b - a), BINARY[:2]),
    Op("float_power", lambda T, x: T.float_power(x, 2), lambda x: x ** 2, UNARY[:1], out_dtype=np.float64),
    Op("addmm", lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2), lambda c, a, b: 0.5 * c + 2 * a @ b,
       [((2,), (3, 4), (4, 2))]),
    Op("mv", lambda T, a, v: T.mv(a, v), np.matmul, [((3, 4), (4,))]),
    Op("inner", lambda T, a, b: T.inner(a, b), np.inner, [((4,), (4,))]),
    Op("var_mean", lambda T, x: T.var_mean(x, 1), lambda x: (np.var(x, 1, ddof=1), x.mean(1)), R3),
    Op("std_mean", lambda T, x: T.std_mean(x, (0, 2), keepdim=True),
       lambda x: (np.std(x, (0, 2), ddof=1, keepdims=True), x.mean((0, 2), keepdims=True)), R3),
    Op("count_nonzero", lambda T, x: T.count_nonzero(x > 0, 1), lambda x: np.count_nonzero(x > 0, 1), R3,
       grad=False),
    Op("all_any", lambda T, x: ((x > -1).all(1), (x > 1).any()), lambda x: ((x > -1).all(1), (x > 1).any()), R3,
       grad=False),
    Op("isclose", lambda T, a, b: T.isclose(a, a + b * 1e-9), lambda a, b: np.isclose(a, a + b * 1e-9), BINARY[:1],
       grad=False),
    Op("nonzero", lambda T, x: T.nonzero(x > 0), lambda x: np.argwhere(x > 0), [((3, 4),)], grad=False),
    # indexing
    Op("index_int", lambda T, x: x[1], lambda x: x[1], [((3, 4),)]),
    Op("index_neg", lambda T, x: x[-1, -2], lambda x: x[-1, -2], [((3, 4),)]),
    Op("index_slice", lambda T, x: x[1:3], lambda x: x[1:3], [((3, 4),)]),
    Op("index_step", lambda T, x: x[::2, 1::2], lambda x: x[::2, 1::2], [((5, 4),)]),
    Op("index_none", lambda T, x: x[None, :, None], lambda x: x[None, :, None], [((3, 4),)]),
    Op("index_ellipsis", lambda T, x: x[..., 1], lambda x: x[..., 1], R3),
    Op("index_mixed", lambda T, x: x[1, ..., None, :2], lambda x: x[1, ..., None, :2], R3),
    Op("index_mask", lambda T, x: x[x > 0], lambda x: x[x > 0], [((3, 4),)], "grid"),
    Op("index_row_mask", lambda T, x: x[T.tensor([True, False, True])], lambda x: x[[True, False, True]],
       [((3, 4),)]),
    Op("index_array_repeat", lambda T, x: x[[0, 2, 0, 0]], lambda x: x[[0, 2, 0, 0]], [((3, 4),)], gg=True),
    Op("index_tensor_2d", lambda T, x: x[T.tensor([[0, 1], [1, 1]])], lambda x: x[np.array([[0, 1], [1, 1]])],
       [((3, 4),)]),
    Op("index_pairs", lambda T, x: x[[0, 1, 1], [2, 2, 2]], lambda x: x[[0, 1, 1], [2, 2, 2]], [((3, 4),)]),
    Op("index_col_array", lambda T, x: x[:, [1, 1, 3]], lambda x: x[:, [1, 1, 3]], [((3, 4),)]),
    Op("index_neg_array", lambda T, x: x[T.tensor([-1, 0, -1])], lambda x: x[[-1, 0, -1]], [((3, 4),)]),
]

from .optable_more import MORE  # noqa: E402  (special functions, scatters, unfold, ...: rows kept apart)

OPS += MORE
OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def cases(ops=OPS, first_only=False):
    """(op, shapes) pairs as pytest params with readable ids."""
    import pytest
    out = []
    for op in ops:
        for i, shapes in enumerate(op.cases[:1] if first_only else op.cases):
            out.append(pytest.param(op, shapes, id=f"{op.name}-{i}"))
    return out
