"""Shape primitives: reshape/view, transpose/permute, expand, cat, flip, gather/scatter_add, pad.

The view ops return NumPy views (no copy) and share the input's version counter.
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _dtype
from ..autograd.function import Function
from .._views import _dense, mark_multi_output
from ..tensor import Tensor, _norm_dim, link_view
from . import elementwise as E


def _sizes(args, where):
    """Accept ``f(2, 3)`` and ``f((2, 3))`` like PyTorch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for a in args:
        if isinstance(a, Tensor):
            a = a.item()
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{where}: sizes must be ints, got {args!r}")
        out.append(int(a))
    return tuple(out)


class Reshape(Function):
    _view = True

    def name(self):
        return "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return Reshape.apply(g, ctx.in_shape), None


class ReshapeCopy(Reshape):
    """``reshape`` of a tensor whose layout needs a copy: a new tensor, not a view (PyTorch's
    reshape clones then views, so in-place writes to the result are allowed and stay local)."""
    _view = False

    def name(self):
        return "UnsafeViewBackward0"


def _can_view(arr, shape):
    """Whether NumPy (like PyTorch's ``view``) can give ``shape`` without copying."""
    try:
        np.reshape(arr, shape, copy=False)
        return True
    except ValueError:
        return False


def reshape(input, *shape):
    """The same elements in a new shape (one size may be -1); a view when possible.

    >>> import npgrad
    >>> npgrad.arange(6).reshape(2, -1)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    shape = _sizes(shape, "reshape")
    n = input._data.size
    if shape.count(-1) > 1:
        raise RuntimeError("reshape: only one dimension can be inferred (-1)")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"reshape: invalid shape dimension {s} in {list(shape)}")
            known *= s
    if (-1 not in shape and known != n) or (-1 in shape and (known == 0 or n % known)):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {n}")
    if shape == input._data.shape and not input.requires_grad:
        return input
    if not _can_view(input._data, shape):
        return ReshapeCopy.apply(input, shape)
    return link_view(Reshape.apply(input, shape), input, lambda a: a.reshape(shape))


def view(input, *shape):
    """Like ``reshape``; ``view(dtype)`` reads the same memory as another dtype (see ``strided.view_dtype``).

    >>> import npgrad
    >>> npgrad.arange(6).view(3, 2).shape
    torch.Size([3, 2])
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)):
        if not isinstance(shape[0], (_dtype.dtype, str, type, np.dtype)):  # a Tensor is neither size nor dtype
            raise TypeError(f"view() received an invalid combination of arguments - got ({type(shape[0]).__name__}), "
                            "but expected one of: (dtype dtype), (tuple of ints size)")
        from .strided import view_dtype
        return view_dtype(input, shape[0])
    sizes = _sizes(shape, "view")
    if sizes.count(-1) <= 1 and all(s >= -1 for s in sizes) and not _can_view(input._data, sizes):
        n = input._data.size
        known = int(np.prod([s for s in sizes if s != -1]))
        if (-1 in sizes and known and n % known == 0) or (-1 not in sizes and known == n):
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return reshape(input, *shape)


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one.

    >>> import npgrad
    >>> npgrad.zeros(2, 3, 4).flatten(1).shape
    torch.Size([2, 12])
    """
    if input.ndim == 0:
        return reshape(input, 1)
    s = _norm_dim(start_dim, input.ndim, "flatten")
    e = _norm_dim(end_dim, input.ndim, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input  # (not even a view, as PyTorch)
    shp = input._data.shape
    return reshape(input, shp[:s] + (int(np.prod(shp[s:e + 1], dtype=np.int64)),) + shp[e + 1:])


def unflatten(input, dim, sizes):
    d = _norm_dim(dim, input.ndim, "unflatten")
    shp = input._data.shape
    sizes = tuple(sizes)
    known = int(np.prod([s for s in sizes if s != -1]))
    if (-1 not in sizes and known != shp[d]) or (-1 in sizes and (known == 0 or shp[d] % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({shp[d]}) in the input tensor")
    return reshape(input, shp[:d] + sizes + shp[d + 1:])


def squeeze(input, dim=None):
    """Remove size-1 dims (all of them, or those in ``dim``).

    >>> import npgrad
    >>> npgrad.zeros(2, 1, 3, 1).squeeze().shape, npgrad.zeros(2, 1, 3).squeeze(1).shape
    (torch.Size([2, 3]), torch.Size([2, 3]))
    """
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = [_norm_dim(d, input.ndim, "squeeze") for d in dims] if input.ndim else []
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return reshape(input, new) if new != shp or input.requires_grad else input


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim``.

    >>> import npgrad
    >>> npgrad.zeros(2, 3).unsqueeze(-1).shape
    torch.Size([2, 3, 1])
    """
    d = _norm_dim(dim, input.ndim + 1, "unsqueeze")
    shp = input._data.shape
    return reshape(input, shp[:d] + (1,) + shp[d:])


class Permute(Function):
    _view = True

    @staticmethod
    def forward(ctx, x, perm):
        ctx.perm = perm
        return x.transpose(perm)

    @staticmethod
    def backward(ctx, g):
        return Permute.apply(g, _inverse(ctx.perm)), None


def permute(input, *dims):
    """Reorder the dims (a view).

    >>> import npgrad
    >>> npgrad.zeros(2, 3, 4).permute(2, 0, 1).shape
    torch.Size([4, 2, 3])
    """
    dims = _sizes(dims, "permute")
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{input.ndim} is not equal to len(dims) = {len(dims)}")
    perm = tuple(_norm_dim(d, input.ndim, "permute") for d in dims)
    if len(set(perm)) != len(perm):
        raise RuntimeError(f"permute(): duplicate dims are not allowed, got {dims}")
    return _permute(input, perm)


def _permute(input, perm):
    return link_view(Permute.apply(input, perm), input, lambda a: a.transpose(perm))


def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def transpose(input, dim0, dim1):
    """Swap two dims (a view).

    >>> import npgrad
    >>> npgrad.arange(6).reshape(2, 3).transpose(0, 1)
    tensor([[0, 3],
            [1, 4],
            [2, 5]])
    """
    n = input.ndim
    if n == 0:
        return input
    a, b = _norm_dim(dim0, n, "transpose"), _norm_dim(dim1, n, "transpose")
    if a == b and not input.requires_grad:
        return input  # (under autograd a new view, as PyTorch: its graph node is the input's, checked)
    perm = list(range(n))
    perm[a], perm[b] = perm[b], perm[a]
    return _permute(input, tuple(perm))


swapaxes = swapdims = transpose


def t(input):
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def movedim(input, source, destination):
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    n = input.ndim
    src = [_norm_dim(s, n, "movedim") for s in src]
    dst = [_norm_dim(d, n, "movedim") for d in dst]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
                           f"the same number of dims as destination ({dst} dims)")
    # the axis order of np.moveaxis on an n-dim array: where each output axis comes from
    rest = iter(d for d in range(n) if d not in src)
    placed = dict(zip(dst, src))
    perm = tuple(placed[i] if i in placed else next(rest) for i in range(n))
    return _permute(input, perm)


moveaxis = movedim


class Expand(Function):
    _view = True

    @staticmethod
    def forward(ctx, x, shape):
        return _broadcast(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums g back to the input's shape


def expand(input, *sizes):
    """Broadcast size-1 dims to larger sizes without copying (-1 keeps a size).

    >>> import npgrad
    >>> npgrad.tensor([[1], [2]]).expand(2, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _sizes(sizes, "expand")
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({len(shp)})")
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        cur = shp[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = cur
        if cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) "
                               f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shp)}")
        target.append(s)
    target = tuple(target)
    if target == shp and not input.requires_grad:
        return input
    return link_view(Expand.apply(input, target), input, lambda a: _broadcast(a, target))


def _broadcast(x, shape):
    """``np.broadcast_to``, writable where ``x`` is: a write through a part of an expanded tensor
    that repeats no element reaches the base, as in PyTorch (whole-tensor writes are refused
    by the in-place ops' overlap check)."""
    out = np.broadcast_to(x, shape)
    if type(x) is not np.ndarray:  # the same strides, as a view every device array module makes writable
        return _backend.array_module(x).lib.stride_tricks.as_strided(x, shape, out.strides)
    if x.flags.writeable:
        out.flags.writeable = True
    return out


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    """``expand`` to ``size``.

    >>> import npgrad
    >>> npgrad.broadcast_to(npgrad.tensor([1, 2]), (2, 2))
    tensor([[1, 2],
            [1, 2]])
    """
    return expand(input, tuple(size))


def broadcast_tensors(*tensors):
    try:
        shape = np.broadcast_shapes(*[t._data.shape for t in tensors])
    except ValueError:
        raise RuntimeError(f"broadcast_tensors: shapes {[tuple(t.shape) for t in tensors]} do not broadcast "
                           "to a single shape") from None
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from ..tensor import Size
    return Size(np.broadcast_shapes(*shapes))


class Cat(Function):
    """Join along ``axis``; inputs flagged in ``skip`` (PyTorch's legacy 1-D empty tensors) take no part
    but stay in the graph, with an empty gradient."""

    @staticmethod
    def forward(ctx, *xs, axis, skip=None):
        ctx.axis, ctx.skip = axis, skip
        kept = xs if skip is None else [x for x, s in zip(xs, skip) if not s]
        ctx.sizes = [x.shape[axis] for x in kept]
        return np.concatenate(kept, axis=axis)

    @staticmethod
    def backward(ctx, g):
        out = []
        start = 0
        lead = (slice(None),) * ctx.axis
        sizes = iter(ctx.sizes)
        for i, need in enumerate(ctx.needs_input_grad):
            if ctx.skip is not None and ctx.skip[i]:
                out.append(g.new_zeros((0,)) if need else None)
                continue
            n = next(sizes)
            out.append(g[lead + (slice(start, start + n),)] if need else None)
            start += n
        return tuple(out)


def _tensor_list(tensors, where):
    """PyTorch takes only tensors here (a number is not a 1-element tensor: ``Tensor(5)`` would even be
    five uninitialised elements)."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{where}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return list(tensors)


def cat(tensors, dim=0):
    """Join tensors along an existing dim.

    >>> import npgrad
    >>> npgrad.cat([npgrad.zeros(1, 2), npgrad.ones(2, 2)]).shape
    torch.Size([3, 2])
    """
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    # PyTorch skips legacy 1-D empty tensors (for the shapes: they still take part in type promotion)
    dt = _dtype.result_type(*[t._data for t in tensors]) if len({t._data.dtype for t in tensors}) > 1 else None
    skip = [t.ndim == 1 and t._data.shape[0] == 0 for t in tensors]
    if all(skip):
        skip[0] = False
    kept = [(i, t) for i, (t, s) in enumerate(zip(tensors, skip)) if not s]
    ref = kept[0][1]
    for i, t in kept:
        if t.ndim == 0:
            raise RuntimeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = _norm_dim(dim, ref.ndim, "cat")
    for i, t in kept:
        if t.ndim != ref.ndim or any(a != b for j, (a, b) in enumerate(zip(t.shape, ref.shape)) if j != d):
            raise RuntimeError(f"cat(): Sizes of tensors must match except in dimension {d}. Expected size "
                               f"{tuple(ref.shape)} but got size {tuple(t.shape)} for tensor number {i} "
                               "in the list.")
    if dt is not None:
        tensors = [t if t._data.dtype == dt.np else E.cast(t, dt) for t in tensors]
    return Cat.apply(*tensors, axis=d, skip=skip if any(skip) else None)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dim.

    >>> import npgrad
    >>> npgrad.stack([npgrad.tensor([1, 2]), npgrad.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t._data.shape != tensors[0]._data.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {tuple(tensors[0].shape)} "
                               f"at entry 0 and {tuple(t.shape)} at entry {i}")
    d = _norm_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)


def hstack(tensors):
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([t.reshape(1, -1) if t.ndim == 1 else t for t in tensors], 0)


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size_or_sections`` (an int, or a list of sizes) along ``dim``.

    >>> import npgrad
    >>> [t.tolist() for t in npgrad.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    """
    d = _norm_dim(dim, tensor.ndim, "split")
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0 and n:
            raise RuntimeError(f"split: split_size must be positive, got {split_size_or_sections}")
        size = split_size_or_sections
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins_sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
    out = []
    start = 0
    lead = (slice(None),) * d
    for s in sizes:
        out.append(tensor[lead + (slice(start, start + s),)])
        start += s
    return mark_multi_output(tuple(out), "Split")


def builtins_sum(xs):
    total = 0
    for x in xs:
        total += x
    return total


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` nearly equal pieces along ``dim``.

    >>> import npgrad
    >>> [t.tolist() for t in npgrad.arange(5).chunk(2)]
    [[0, 1, 2], [3, 4]]
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _norm_dim(dim, input.ndim, "chunk")
    n = input._data.shape[d]
    if n == 0:  # PyTorch keeps the number of chunks: `chunks` empty pieces
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


def unbind(input, dim=0):
    d = _norm_dim(dim, input.ndim, "unbind")
    lead = (slice(None),) * d
    return mark_multi_output(tuple(input[lead + (i,)] for i in range(input._data.shape[d])), "Unbind")


class Flip(Function):
    """Reversal along ``axes``: a copy, as in PyTorch (NumPy's flip is a view)."""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        # (in the input's memory order when it is dense, else C order: PyTorch's empty_like)
        return np.flip(x, axes).copy(order="K" if _dense(x) else "C")

    @staticmethod
    def backward(ctx, g):
        return flip(g, ctx.axes), None


def flip(input, dims):
    """Reverse the order along ``dims``.

    >>> import npgrad
    >>> npgrad.arange(3).flip(0)
    tensor([2, 1, 0])
    """
    dims = [dims] if isinstance(dims, int) else dims
    return Flip.apply(input, tuple(_norm_dim(d, input.ndim, "flip") for d in dims))


def repeat(input, *sizes):
    sizes = _sizes(sizes, "repeat")
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    x = input.reshape((1,) * (len(sizes) - input.ndim) + tuple(input.shape))
    # interleave a new axis before each dim, broadcast it, then merge: out[k*n + i] = x[i]
    shp = x._data.shape
    inter = []
    for s in shp:
        inter += [1, s]
    big = []
    for r, s in zip(sizes, shp):
        big += [r, s]
    out = expand(x.reshape(inter), big).reshape([r * s for r, s in zip(sizes, shp)])
    # a copy, as in PyTorch (with all sizes 1 the reshape above is still a view of the input)
    return out.clone() if np.may_share_memory(out._data, input._data) else out


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats, dim=None):
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = _norm_dim(dim, input.ndim)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    if _backend.is_device_array(reps):  # the output's size depends on the counts: they are read on the host
        reps = _backend.to_numpy(reps)
    idx = np.repeat(np.arange(input._data.shape[d]), reps)
    return input[(slice(None),) * d + (Tensor._make(idx, None, False, None),)]


def _check_matrix(input, where):
    if input.ndim < 2:
        raise RuntimeError(f"{where}: input tensor must have at least 2 dimensions, got shape {tuple(input.shape)}")


def tril(input, diagonal=0):
    _check_matrix(input, "tril")
    xp = _backend.array_module(input._data)
    return _zero_outside(input, xp.tril(xp.ones(input._data.shape[-2:], dtype=bool), diagonal))


def triu(input, diagonal=0):
    _check_matrix(input, "triu")
    xp = _backend.array_module(input._data)
    return _zero_outside(input, xp.triu(xp.ones(input._data.shape[-2:], dtype=bool), diagonal))


def _zero_outside(input, keep):
    """Zeros where ``keep`` is False; written, not multiplied, so that inf and nan there become 0 as well
    (``triu(full((n, n), -inf), 1)`` is the causal attention mask)."""
    from .index import masked_fill
    return masked_fill(input, Tensor._make(~keep, None, False, None), 0)


class Diagonal(Function):
    _view = True

    @staticmethod
    def forward(ctx, x, offset, a, b):
        ctx.args, ctx.shape = (offset, a, b), x.shape
        return _diag(x, offset, a, b)

    @staticmethod
    def backward(ctx, g):
        return DiagonalScatter.apply(g, ctx.shape, *ctx.args), None, None, None


class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``g`` on the diagonal (the adjoint of ``diagonal``)."""

    @staticmethod
    def forward(ctx, g, shape, offset, a, b):
        ctx.args = (offset, a, b)
        out = _backend.array_module(g).zeros(shape, dtype=g.dtype)
        _diag(out, offset, a, b)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


def _diag(x, offset, a, b):
    """``np.diagonal`` as a writable view (where ``x`` is writable), as PyTorch's diagonal."""
    d = np.diagonal(x, offset, a, b)
    if type(x) is not np.ndarray:  # the same view from its first element and strides (writable on every device)
        first = [slice(None)] * x.ndim
        first[a], first[b] = slice(max(-offset, 0), None), slice(max(offset, 0), None)
        return _backend.array_module(x).lib.stride_tricks.as_strided(x[tuple(first)], d.shape, d.strides)
    if x.flags.writeable:
        d.flags.writeable = True
    return d


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the ``dim1``/``dim2`` planes, as a view moved to the last dim.

    >>> import npgrad
    >>> a = npgrad.ones(3, 3)
    >>> _ = a.diagonal().zero_()
    >>> a
    tensor([[0., 1., 1.],
            [1., 0., 1.],
            [1., 1., 0.]])
    """
    a, b = _norm_dim(dim1, input.ndim, "diagonal"), _norm_dim(dim2, input.ndim, "diagonal")
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return link_view(Diagonal.apply(input, offset, a, b), input, lambda x: _diag(x, offset, a, b))


def trace(input):
    return diagonal(input).sum()


def roll(input, shifts, dims=None):
    shifts = [shifts] if isinstance(shifts, (int, np.integer)) else list(shifts)
    n_dims = 0 if dims is None else 1 if isinstance(dims, (int, np.integer)) else len(dims)
    if len(shifts) != max(n_dims, 1):  # each shift pairs with one dim: extra shifts were ignored before
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims:{n_dims}")
    if dims is None:
        return roll(input.reshape(-1), shifts, 0).reshape(input.shape)
    dims = [dims] if isinstance(dims, (int, np.integer)) else list(dims)
    out = input
    for s, d in zip(shifts, dims):
        d = _norm_dim(d, input.ndim)
        n = input._data.shape[d]
        idx = (_backend.array_module(input._data).arange(n) - s) % n
        out = out[(slice(None),) * d + (Tensor._make(idx, None, False, None),)]
    return out



def narrow(input, dim, start, length):
    """The slice ``start:start + length`` of dimension ``dim``, as a view (writes reach ``input``).

    >>> import npgrad
    >>> x = npgrad.arange(12).reshape(3, 4)
    >>> x.narrow(1, 1, 2)
    tensor([[ 1,  2],
            [ 5,  6],
            [ 9, 10]])
    """
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _norm_dim(dim, input.ndim, "narrow")
    if isinstance(start, Tensor):
        start = start.item()
    for name, v in (("start", start), ("length", length)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"narrow(): {name} must be an int, got {type(v).__name__}")
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(int(start), int(start + length)),)]

# gathers/scatters and padding live in gather.py and pad.py; re-exported here (shape.gather, shape.pad, ...)
from .gather import (Gather, ScatterAdd, _full_index, _index_check, gather, scatter, scatter_add,  # noqa: E402,F401
                     take_along_dim)
from .pad import Pad, _pad_index, pad  # noqa: E402,F401
