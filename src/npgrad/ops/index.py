"""Indexing: ``x[key]`` and ``x[key] = v`` with ints, slices (with steps), None, ..., masks and index arrays.

The gradient of an advanced index scatters back with ``np.add.at`` so repeated indices accumulate.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor, _to_array, link_view


def _is_array(k):
    """Whether an index item is an array (NumPy's or a device's)."""
    return isinstance(k, np.ndarray) or type(k) in _backend._BACKENDS


def _convert_key(key, shape, arr=None):
    """Replace tensors and lists inside an index by arrays, and check integer bounds with a clear error.
    Index arrays end up on the device of ``arr`` (the indexed array): a CPU index tensor may index
    a device tensor, as in PyTorch, not the other way round."""
    tk = type(key)
    if shape and (tk is slice or (tk is int and -shape[0] <= key < shape[0])):
        return key  # the common cases, x[a:b] and x[i]: nothing to convert or report
    atype = np.ndarray if arr is None else type(arr)  # index arrays end up of the indexed array's type
    single = not isinstance(key, tuple)
    items = (key,) if single else key
    out = []
    for k in items:
        if isinstance(k, Tensor):
            k = k._data
            if k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)
            elif k.dtype == np.uint8:  # PyTorch still reads a uint8 tensor as a mask, not as indices
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                              "instead.", UserWarning, stacklevel=3)
                k = k.astype(bool)
            elif type(k) is not atype:
                k = _index_on(arr, k)
        elif isinstance(k, list):
            k = _to_array(k) if k else np.zeros(0, dtype=np.int64)
        elif isinstance(k, range):  # x[range(n), idx]: an index array, as in PyTorch
            k = np.arange(k.start, k.stop, k.step, dtype=np.int64)
        elif isinstance(k, (bool, np.bool_)):
            k = np.asarray(k)
        if atype is not np.ndarray and type(k) is np.ndarray:
            k = _index_on(arr, k)  # (lists, ranges and NumPy arrays given to index a device tensor)
        if isinstance(k, atype) and k.dtype.kind not in "biu":
            raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, got {k.dtype}")
        out.append(k)
    _check_bounds(out, shape, atype)
    if single:
        return out[0]
    return _torch_placement(out, shape, atype) if len(out) > 2 else tuple(out)


def _index_on(arr, k):
    """The index array ``k`` on the device of ``arr``: host indices move to a device, device indices
    are refused for a tensor elsewhere (PyTorch's rule)."""
    if _backend.is_device_array(k) and _backend.device_of(k) != _backend.device_of(arr):
        raise RuntimeError(f"indices should be either on cpu or on the same device as the indexed tensor "
                           f"({_backend.device_of(arr)})")
    return _backend.like(arr, k)


def _is_adv(k, atype):
    return isinstance(k, atype) and (k.ndim > 0 or k.dtype != np.bool_)


def _torch_placement(items, shape, atype=np.ndarray):
    """Rewrite a key so NumPy places the indexed dimensions where PyTorch does.

    PyTorch applies integer indices first (as selects) and only then the NumPy rule to the index
    arrays: ``x[1, :, idx]`` is ``x[1][:, idx]``, whose ``idx`` dimension stays after the slice,
    while NumPy counts the 1 as an index array and moves ``idx``'s dimension to the front.  In that
    case the slices between the first and last index are turned into ``arange`` arrays shaped so
    that broadcasting puts every dimension in PyTorch's order, and the key stays one NumPy key
    (reads, writes and the gradient's scatter all use it)."""
    found = [k for k in items if isinstance(k, atype)]
    if not found:
        return tuple(items)  # basic indexing (the common case): nothing to place
    xp = _backend.array_module(found[0])
    if any(k is Ellipsis for k in items):
        used = sum(k.ndim if isinstance(k, atype) and k.dtype == np.bool_ else 0 if k is None or k is Ellipsis
                   else 1 for k in items)
        at = next(i for i, k in enumerate(items) if k is Ellipsis)
        items = list(items[:at]) + [slice(None)] * (len(shape) - used) + list(items[at + 1:])
    kinds = ["i" if isinstance(k, (int, np.integer)) and not isinstance(k, bool) else "a" if _is_adv(k, atype)
             else "s" if isinstance(k, slice) else "n" if k is None else "?" for k in items]
    if "a" not in kinds or "i" not in kinds or "?" in kinds:
        return tuple(items)
    first = min(i for i, c in enumerate(kinds) if c in "ia")
    last = max(i for i, c in enumerate(kinds) if c in "ia")
    middle = kinds[first:last + 1]
    if all(c in "ia" for c in middle):
        return tuple(items)  # one block: NumPy and PyTorch agree
    arrays = [i for i, c in enumerate(kinds) if c == "a"]
    if any(c not in "iasn" for c in middle) or any(kinds[i] in "sn" for i in range(arrays[0], arrays[-1])):
        return tuple(items)  # arrays apart even without the ints (front in both), or None/... inside
    expanded = []
    for k in items[first:last + 1]:  # boolean masks become their coordinate arrays
        expanded.extend(k.nonzero() if isinstance(k, atype) and k.dtype == np.bool_ else [k])
    if any(isinstance(k, atype) and k.ndim == 0 for k in expanded):
        return tuple(items)
    dim = sum(k.ndim if isinstance(k, atype) and k.dtype == np.bool_ else 1 if c in "ias" else 0
              for k, c in zip(items[:first], kinds))
    bshape = np.broadcast_shapes(*[k.shape for k in expanded if isinstance(k, atype)])
    n_pre = sum(1 for i in range(first, arrays[0]) if kinds[i] in "sn")
    n_post = sum(1 for i in range(arrays[-1], last + 1) if kinds[i] in "sn")
    rank = n_pre + len(bshape) + n_post
    key, pos = [], 0
    for k in expanded:
        if isinstance(k, slice):
            r = xp.arange(*k.indices(shape[dim]))
            at = pos if pos < n_pre else pos + len(bshape)
            key.append(r.reshape((1,) * at + (len(r),) + (1,) * (rank - at - 1)))
            pos += 1
        elif k is None:  # a new axis of size 1: a broadcast axis no array spans
            pos += 1
            continue
        elif isinstance(k, atype):
            pad = (1,) * (len(bshape) - k.ndim) + k.shape
            key.append(k.reshape((1,) * n_pre + pad + (1,) * n_post))
        else:
            key.append(k)
        dim += 1
    return tuple(items[:first]) + tuple(key) + tuple(items[last + 1:])


def _check_bounds(items, shape, atype=np.ndarray):
    n_ell = sum(1 for k in items if k is Ellipsis)
    consumed = sum(1 if not (k is None or k is Ellipsis) else 0 for k in items)
    consumed += sum(k.ndim - 1 for k in items if isinstance(k, atype) and k.dtype == np.bool_)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for k in items:
        if k is None:
            continue
        if k is Ellipsis:
            dim += len(shape) - consumed
            continue
        if isinstance(k, (int, np.integer)):
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, atype):
            if k.dtype == np.bool_:
                if k.shape != tuple(shape[dim:dim + k.ndim]):
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {dim} does not match the "
                                     f"shape of the indexed tensor {list(shape[dim:dim + k.ndim])}")
                dim += k.ndim
                continue
            n = shape[dim]
            hi, lo = (int(k.max()), int(k.min())) if k.size else (-1, 0)  # (no index: none out of bounds)
            if hi >= n or lo < -n:
                bad = hi if hi >= n else lo
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
        dim += 1


def _is_basic(key, atype=np.ndarray):
    items = key if isinstance(key, tuple) else (key,)
    # (a 0-d mask is advanced too: x[True] adds a dim and copies)
    return not any(isinstance(k, atype) and (k.ndim > 0 or k.dtype == np.bool_) for k in items)


class GetItem(Function):
    _view = True  # basic indexing returns a view; advanced indexing copies (sharing the counter is harmless)

    def name(self):  # PyTorch's names: x[0] Select, x[1:3] Slice, x[idx] Index
        items = self.key if isinstance(self.key, tuple) else (self.key,)
        if any(_is_array(k) for k in items):
            return "IndexBackward0"
        return "SelectBackward0" if all(isinstance(k, (int, np.integer)) for k in items) else "SliceBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.key = key
        ctx.in_shape = x.shape
        return _basic_view(x, key)

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, ctx.key, ctx.in_shape), None


class Index(GetItem):
    """Advanced indexing (index arrays, masks): a copy with its own version counter, as in PyTorch."""
    _view = False

    @staticmethod
    def forward(ctx, x, key):
        ctx.key = key
        ctx.in_shape = x.shape
        out = x[key]  # (NumPy may lay the result out in another order; PyTorch's is contiguous)
        return out if out.flags.c_contiguous else _backend.array_module(out).ascontiguousarray(out)


def _basic_view(x, key):
    """``x[key]`` for a basic key, always a view: NumPy gives a scalar (a copy) for a full index."""
    out = x[key]
    if type(out) is not np.ndarray and (type(x) is np.ndarray or out.ndim == 0):  # (a device's 0-d result
        items = key if type(key) is tuple else (key,)                              # may be a copy, too;
        if not any(k is Ellipsis for k in items):                                  # with a ... it is a view)
            out = x[items + (Ellipsis,)]
    return out


class IndexAdd(Function):
    """Scatter ``g`` into zeros of ``shape`` at ``key`` (accumulating repeats); the adjoint of indexing."""

    @staticmethod
    def forward(ctx, g, key, shape):
        if type(g) is not np.ndarray:
            key = _on_device_of(g, key)
        ctx.key = key
        out = _backend.array_module(g).zeros(shape, dtype=g.dtype)
        if _is_basic(key, type(out)):
            out[key] = g
        else:
            items = key if isinstance(key, tuple) else (key,)
            one = [k for k in items if type(k) is np.ndarray and k.ndim > 0]
            if len(items) == 1 and len(one) == 1 and one[0].dtype.kind in "iu" and one[0].ndim == 1 and out.ndim >= 1:
                # the common case (embedding rows, picking samples): a bincount-style sum is far faster
                _add_rows(out, one[0], g)
            else:
                np.add.at(out, key, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.key], None, None


def _on_device_of(arr, key):
    """``key`` with its NumPy index arrays moved to the device of ``arr`` (callers may build keys on the host)."""
    if type(key) is tuple:
        return tuple(_backend.like(arr, k) if type(k) is np.ndarray else k for k in key)
    return _backend.like(arr, key) if type(key) is np.ndarray else key


def _add_rows(out, idx, g):
    if g.size == 0:  # no rows, or rows of nothing: nothing to add (and no reshape to infer -1 from)
        return
    n = out.shape[0]
    idx = np.where(idx < 0, idx + n, idx)
    flat = g.reshape(len(idx), -1)
    order = np.argsort(idx, kind="stable")
    sidx = idx[order]
    starts = np.flatnonzero(np.r_[True, sidx[1:] != sidx[:-1]]) if len(sidx) else np.array([], int)
    if len(starts):
        sums = np.add.reduceat(flat[order], starts, axis=0)
        out.reshape(n, -1)[sidx[starts]] += sums


def getitem(input, key):
    """``input[key]``; see the module docstring for the supported index kinds."""
    k = _convert_key(key, input._data.shape, input._data)
    if not _is_basic(k, type(input._data)):
        return Index.apply(input, k)
    # an in-place write through this view must also update input's graph (see Tensor._inplace)
    return link_view(GetItem.apply(input, k), input, lambda a: _basic_view(a, k))


class IndexPut(Function):
    @staticmethod
    def forward(ctx, x, key, v):
        ctx.key = key
        out = x.copy()
        out[key] = v
        return out

    @staticmethod
    def backward(ctx, g):
        mask = _backend.array_module(g._data).ones(g.shape, dtype=bool)
        mask[ctx.key] = False
        gx = g * Tensor._make(mask, None, False, None) if ctx.needs_input_grad[0] else None
        gv = g[ctx.key] if ctx.needs_input_grad[2] else None
        return gx, None, gv


def index_put(input, key, value):
    """Out-of-place ``input[key] = value`` (used by ``__setitem__`` under autograd)."""
    k = _convert_key(key, input._data.shape, input._data)
    v = value if isinstance(value, Tensor) else Tensor._make(_constant(input._data, value), None, False, None)
    if v._data.dtype != input._data.dtype:
        v = v.to(input.dtype)
    return IndexPut.apply(input, k, v)


def _constant(arr, value):
    """``value`` (a number, list or array) as an array of ``arr``'s dtype on ``arr``'s device."""
    if _backend.is_device_array(value):
        return value.astype(arr.dtype, copy=False)
    return _backend.like(arr, np.asarray(value, dtype=arr.dtype))


def index_select(input, dim, index):
    from ..tensor import _norm_dim
    d = _norm_dim(dim, input.ndim, "index_select")
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.ndim > 1:  # a 2-D index would silently add a dimension
        raise IndexError(f"index_select(): Index is supposed to be a vector, got index of shape {tuple(index.shape)}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got {index.dtype}")
    if input.ndim > 1 and input._data.shape[d] == 0 and index._data.size:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if index._data.size and bool(index._data.min() < 0):  # (no Python-style wrapping here, in PyTorch)
        raise IndexError(f"index_select(): index {int(index._data.min())} out of range in self")
    return getitem(input, (slice(None),) * d + (index.reshape(-1),))


def masked_fill(input, mask, value):
    from .elementwise import where
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        shape = None
    if shape != input._data.shape:
        raise RuntimeError(f"masked_fill: mask of shape {m.shape} cannot be broadcast to input of shape "
                           f"{tuple(input.shape)}")
    if isinstance(value, Tensor) and value.ndim:  # a 1-D value would fill elementwise: not what PyTorch means
        raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s) (shape {tuple(value.shape)})")
    if not isinstance(value, (Tensor, int, float, bool, np.number, np.bool_)):
        raise TypeError(f"masked_fill(): argument 'value' must be a Number or a 0-dimensional Tensor, not "
                        f"{type(value).__name__}")
    from .._convert import check_fits
    if isinstance(value, Tensor):  # the result keeps input's dtype: a 0-d value takes no part in promotion
        from .elementwise import cast
        if type(value._data) is np.ndarray:
            check_fits(value._data, input._data.dtype, "masked_fill")
        v = cast(value, input.dtype)
    else:  # a number must fit input's dtype (an unsigned type takes -1 as 255, as PyTorch)
        check_fits(np.asarray(value), input._data.dtype, "masked_fill")
        v = Tensor._make(_constant(input._data, np.asarray(value).astype(input._data.dtype)), None, False, None)
    return where(Tensor._make(m, None, False, None), v, input)


def masked_select(input, mask):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got mask with dtype {m.dtype}")
    shape = np.broadcast_shapes(input._data.shape, m.shape)
    return getitem(input.expand(shape), np.broadcast_to(m, shape))
