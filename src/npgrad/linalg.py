"""``npgrad.linalg``: norms (vector and Frobenius)."""
from __future__ import annotations

from .ops import reduce as _R


def vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None):
    """The vector ``ord``-norm over ``dim`` (all elements by default)."""
    return _R.norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: only ord='fro' is supported, got {ord!r}")
    return _R.norm(A, "fro", dim, keepdim, dtype)


def norm(A, ord=None, dim=None, keepdim=False, dtype=None):
    """``linalg.norm``: the 2-norm of the flattened input by default, ``'fro'`` for matrices, or a vector norm."""
    if ord is None or ord == "fro":
        return _R.norm(A, 2, dim, keepdim, dtype)
    if isinstance(dim, (tuple, list)) and len(dim) == 2 or (dim is None and A.ndim == 2):
        raise NotImplementedError(f"linalg.norm: matrix norm ord={ord!r} is not supported (use 'fro')")
    return _R.norm(A, ord, dim, keepdim, dtype)
