"""Linear algebra: matmul (batched, broadcasting), mm, bmm, dot, outer, einsum."""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor
from . import elementwise as E


class MatMul(Function):
    """A @ B for inputs of at least 2 dims: dA = G B^T, dB = A^T G (batch dims unbroadcast by the engine)."""

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(b if need[0] else None, a if need[1] else None)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        ga = matmul(g, b.mT) if b is not None else None
        gb = matmul(a.mT, g) if a is not None else None
        return ga, gb


def _mm_error(sa, sb):
    raise RuntimeError(f"matmul: shapes {tuple(sa)} and {tuple(sb)} are not aligned "
                       f"({sa[-1]} != {sb[-2] if len(sb) > 1 else sb[0]})")


def matmul(input, other):
    """Matrix product with NumPy/PyTorch semantics: 1-D operands are promoted and the added dim removed.

    >>> import npgrad
    >>> npgrad.matmul(npgrad.ones(2, 3), npgrad.ones(3)), (npgrad.ones(5, 2, 3) @ npgrad.ones(3, 4)).shape
    (tensor([3., 3.]), torch.Size([5, 2, 4]))
    """
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input._data.dtype != other._data.dtype:
        # promoting would hide float64 creeping into a float32 model; PyTorch refuses
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, but got {input.dtype} "
                           f"and {other.dtype} (shapes {tuple(input.shape)} and {tuple(other.shape)})")
    a, b = E.promote(input, other)
    if not isinstance(a, Tensor):
        a = Tensor._make(a, None, False, None)
    if not isinstance(b, Tensor):
        b = Tensor._make(b, None, False, None)
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got {len(sa)}D and {len(sb)}D tensors")
    if sa[-1] != (sb[-2] if len(sb) > 1 else sb[0]):
        _mm_error(sa, sb)
    if len(sa) > 2 and len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise RuntimeError(f"matmul: batch dimensions of {tuple(sa)} and {tuple(sb)} are not broadcastable") from None
    if len(sa) == 1 and len(sb) == 1:
        return (a * b).sum(dtype=a.dtype)  # an integer product keeps its dtype (a plain sum would be int64)
    if len(sa) == 1:
        return MatMul.apply(a.unsqueeze(0), b).squeeze(-2)
    if len(sb) == 1:
        return MatMul.apply(a, b.unsqueeze(1)).squeeze(-1)
    return MatMul.apply(a, b)


def mm(input, mat2):
    """Product of two 2-D matrices.

    >>> import npgrad
    >>> npgrad.mm(npgrad.eye(2), npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[1., 2.],
            [3., 4.]])
    """
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {input.ndim}-D {tuple(input.shape)} and "
                           f"{mat2.ndim}-D {tuple(mat2.shape)}")
    return matmul(input, mat2)


def bmm(input, mat2):
    """Batched product of 3-D tensors ``(b, n, m) @ (b, m, p)``.

    >>> import npgrad
    >>> npgrad.bmm(npgrad.ones(4, 2, 3), npgrad.ones(4, 3, 5)).shape
    torch.Size([4, 2, 5])
    """
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got {tuple(input.shape)} and {tuple(mat2.shape)}")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ: {tuple(input.shape)} and {tuple(mat2.shape)}")
    return matmul(input, mat2)


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: expected a 2-D matrix and a 1-D vector, got {tuple(input.shape)} and {tuple(vec.shape)}")
    return matmul(input, vec)


def dot(input, other):
    """Inner product of two 1-D tensors.

    >>> import npgrad
    >>> npgrad.dot(npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]))
    tensor(11.)
    """
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return matmul(input, other)


inner = dot


def outer(input, vec2):
    """Outer product of two 1-D tensors.

    >>> import npgrad
    >>> npgrad.outer(npgrad.tensor([1, 2]), npgrad.tensor([1, 10, 100]))
    tensor([[  1,  10, 100],
            [  2,  20, 200]])
    """
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got {tuple(input.shape)} and {tuple(vec2.shape)}")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def _expands_to(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def addmm(input, mat1, mat2, beta=1, alpha=1):
    out = mm(mat1, mat2)
    if isinstance(input, Tensor) and not _expands_to(input.shape, out.shape):  # it never widens the result
        raise RuntimeError(f"addmm: the input of shape {tuple(input.shape)} does not expand to the product's shape "
                           f"{tuple(out.shape)}")
    if alpha != 1:
        out = out * alpha
    return out + (input if beta == 1 else input * beta)


class Einsum(Function):
    """einsum; the gradient for operand i is the einsum of the output gradient with the other operands."""

    @staticmethod
    def forward(ctx, *ops, ins, out):
        ctx.ins = ins
        ctx.out = out
        ctx.save_for_backward(*ops)
        return np.einsum(",".join(ins) + "->" + out, *ops, optimize=len(ops) > 2)

    @staticmethod
    def backward(ctx, g):
        ops = ctx.saved_tensors
        grads = []
        for i, need in enumerate(ctx.needs_input_grad):
            grads.append(_einsum_operand_grad(ctx, g, ops, i) if need else None)
        return tuple(grads)


def _einsum_operand_grad(ctx, g, ops, i):
    """d out / d operand i: einsum of g with the other operands over the operand's distinct letters,
    broadcast over letters only this operand sums, and put on the diagonal of repeated letters."""
    target = ctx.ins[i]
    shape = ops[i].shape
    letters = "".join(dict.fromkeys(target))  # distinct, in order of first appearance
    others = [ctx.out] + [s for j, s in enumerate(ctx.ins) if j != i]
    have = set("".join(others))
    kept = "".join(c for c in letters if c in have)
    gi = einsum(",".join(others) + "->" + kept, g, *[o for j, o in enumerate(ops) if j != i])
    size = {c: shape[target.index(c)] for c in letters}
    fit = [size[c] for c in kept]
    if tuple(gi.shape) != tuple(fit):  # a letter of size 1 broadcast against the others' (or theirs against ours)
        from .reduce import sum_to
        gi = sum_to(gi, [1 if n == 1 else m for n, m in zip(fit, gi.shape)]).expand(fit)
    if kept != letters:  # letters summed only inside this operand: broadcast back
        gi = gi.reshape([size[c] if c in kept else 1 for c in letters]).expand([size[c] for c in letters])
    if letters == target:
        return gi
    # repeated letters (a trace or a diagonal): the gradient lives on the diagonal
    first = [target.index(c) == k for k, c in enumerate(target)]
    gi = gi.reshape([size[c] if f else 1 for c, f in zip(target, first)])
    xp = _backend.array_module(gi._data)
    mask = xp.ones(shape, dtype=bool)
    for k, c in enumerate(target):
        if not first[k]:
            p = target.index(c)
            a = xp.arange(size[c])
            mask &= a.reshape([-1 if d == p else 1 for d in range(len(shape))]) == \
                a.reshape([-1 if d == k else 1 for d in range(len(shape))])
    return gi * Tensor._make(mask.astype(gi._data.dtype), None, False, None)


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "..." in eq:
        eq = _expand_ellipsis(eq, operands)
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs = eq
        letters = lhs.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise RuntimeError(f"einsum(): {len(ins)} operands in the equation '{equation}' but {len(operands)} given")
    sizes = {}
    for i, (s, op) in enumerate(zip(ins, operands)):
        if len(s) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match the "
                               f"number of dimensions ({op.ndim}) for operand '{s}'")
        for k, c in enumerate(s):  # a diagonal: a letter repeated within one operand takes no broadcasting
            if op.shape[s.index(c)] != op.shape[k]:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't match, "
                                   f"{op.shape[s.index(c)]} != {op.shape[k]}")
        for c, n in zip(s, op.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand '{s}' which does not "
                                   f"broadcast with previously seen size {sizes[c]}")
    ops = E.promote(*operands)
    ops = [o if isinstance(o, Tensor) else Tensor._make(o, None, False, None) for o in ops]
    return Einsum.apply(*ops, ins=tuple(ins), out=out)


def _expand_ellipsis(eq, operands):
    """Spell out '...' with unused letters (right-aligned across operands, as in broadcasting)."""
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): {len(terms)} operands in the equation '{eq}' but {len(operands)} given")
    free = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in eq]
    n_ell = 0
    for t, op in zip(terms, operands):
        if "..." in t:
            n_ell = max(n_ell, op.ndim - (len(t) - 3))
    ell = "".join(free[:n_ell])
    new_terms = []
    for t, op in zip(terms, operands):
        k = op.ndim - (len(t) - 3)
        new_terms.append(t.replace("...", ell[n_ell - k:] if k else "") if "..." in t else t)
    lhs = ",".join(new_terms)
    if arrow:
        return lhs + "->" + out.replace("...", ell)
    letters = lhs.replace(",", "")
    named = "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return lhs + "->" + ell + named
