"""``npgrad.linalg``: vector norms and the matrix norms that need no decomposition.

>>> import npgrad
>>> npgrad.linalg.norm(npgrad.tensor([3.0, 4.0]))
tensor(5.)
>>> npgrad.linalg.matrix_norm(npgrad.tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1)
tensor(6.)
"""
from __future__ import annotations

from .ops import elementwise as _E
from .ops import reduce as _R

_INF = float("inf")


def vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None):
    """The vector ``ord``-norm over ``dim`` (all elements by default), any shape of ``x``."""
    return _R.norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
    """Matrix norms over the two dims ``dim``: ``'fro'``, and 1 / -1 (max / min column abs-sum) and
    inf / -inf (max / min row abs-sum). Norms needing an SVD (2, -2, 'nuc') are not provided."""
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _R.norm(A, "fro", dim, keepdim)
    if ord not in (1, -1, _INF, -_INF):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs a singular value decomposition, "
                                  "which npgrad does not provide; use 'fro', 1, -1, inf or -inf")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple, got {dim!r}")
    rows, cols = (_norm(d, A.ndim) for d in dim)
    summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)  # abs-sum down columns or across rows
    s = _R.sum(_E.abs(A), summed, keepdim=True)
    out = (_R.amax if ord > 0 else _R.amin)(s, other, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def _norm(d, ndim):
    from .tensor import _norm_dim
    return _norm_dim(d, ndim, "linalg.matrix_norm")


def norm(A, ord=None, dim=None, keepdim=False, dtype=None):
    """``linalg.norm``: with ``ord=None`` the 2-norm of all elements (Frobenius for matrices); otherwise a
    vector norm (1-D input or an int ``dim``) or a matrix norm (2-D input or a 2-tuple ``dim``)."""
    if ord is None:
        return _R.norm(A, 2, dim, keepdim, dtype)
    if isinstance(dim, int) or (dim is None and A.ndim == 1):
        return _R.norm(A, ord, dim, keepdim, dtype)
    if dim is None and A.ndim != 2:
        raise RuntimeError(f"linalg.norm: input must be 1-D or 2-D when ord is given and dim is None, "
                           f"got {A.ndim}-D")
    return matrix_norm(A, ord, (-2, -1) if dim is None else tuple(dim), keepdim, dtype)
