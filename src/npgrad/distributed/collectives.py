"""Collectives on npgrad tensors, in place as PyTorch's: each is one MPI non-blocking call and a wait.

``async_op=True`` returns a :class:`Work` whose ``wait()`` finishes the operation (the tensors hold the
result only after it).  Reductions take a :class:`ReduceOp`; AVG is a SUM divided by the world size.
"""
from __future__ import annotations

import enum
import pickle

import numpy as np

from ..tensor import Tensor
from .process_group import _group, _mpi

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "all_gather_into_tensor",
           "all_gather_object", "broadcast_object_list", "reduce", "reduce_scatter", "reduce_scatter_tensor",
           "barrier"]


class RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4


class ReduceOp:
    """The reductions of :func:`all_reduce` and friends, spelled as PyTorch's ``dist.ReduceOp``.

    >>> ReduceOp.SUM
    <RedOpType.SUM: 0>
    """
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    RedOpType = RedOpType


def _mpi_op(op, where, dtype=None):
    if not isinstance(op, RedOpType):
        raise ValueError(f"{where}: op must be a dist.ReduceOp (SUM, AVG, PRODUCT, MIN, MAX), got {op!r}")
    if op is RedOpType.AVG and dtype is not None and dtype.kind != "f":
        raise TypeError(f"{where}: ReduceOp.AVG needs a floating-point tensor, got {dtype}")
    mpi = _mpi()
    return {RedOpType.SUM: mpi.SUM, RedOpType.AVG: mpi.SUM, RedOpType.PRODUCT: mpi.PROD,
            RedOpType.MIN: mpi.MIN, RedOpType.MAX: mpi.MAX}[op]


def _array(t, where, name="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: {name} must be a Tensor, got {type(t).__name__}")
    return t._data


def _buffer(arr):
    """A contiguous, writable array MPI may fill (``arr`` itself when it already is one)."""
    return arr if arr.flags.c_contiguous and arr.flags.writeable else np.ascontiguousarray(arr)


def _check_rank(pg, r, where, name):
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or not 0 <= r < pg.size():
        raise ValueError(f"{where}: {name} must be a rank in [0, {pg.size() - 1}], got {r!r}")
    return int(r)


class Work:
    """An operation in flight (``async_op=True``): ``wait()`` finishes it, ``is_completed()`` polls."""

    def __init__(self, pg, requests, finish, what):
        self._pg, self._requests, self._finish, self._what = pg, requests, finish, what
        self._done = False

    def _complete(self):
        if not self._done:
            self._done = True
            if self._finish is not None:
                self._finish()

    def wait(self, timeout=None):
        self._pg.wait(self._requests, self._what)
        self._complete()
        return True

    def is_completed(self):
        if not self._done and _mpi().Request.Testall(self._requests):
            self._complete()
        return self._done

    def is_success(self):
        return self.is_completed()


def _run(pg, requests, finish, async_op, what):
    work = Work(pg, requests, finish, what)
    if async_op:
        return work
    work.wait()
    return None


def _average(buf, op, size):
    if op is RedOpType.AVG:
        np.divide(buf, size, out=buf)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks, in place: afterwards every rank holds the result.

    >>> # under mpiexec -n 2:  t = npgrad.tensor([rank + 1.0]); dist.all_reduce(t)  ->  tensor([3.])
    """
    pg, arr = _group(group), _array(tensor, "all_reduce")
    mpi_op = _mpi_op(op, "all_reduce", arr.dtype)
    buf = _buffer(arr)
    req = pg.comm.Iallreduce(_mpi().IN_PLACE, buf, op=mpi_op)

    def finish():
        _average(buf, op, pg.size())
        if buf is not arr:
            arr[...] = buf
    return _run(pg, [req], finish, async_op, "all_reduce")


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every rank (in place)."""
    pg, arr = _group(group), _array(tensor, "broadcast")
    src = _check_rank(pg, src if src is not None else group_src, "broadcast", "src")
    buf = _buffer(arr)
    req = pg.comm.Ibcast(buf, root=src)
    return _run(pg, [req], (lambda: arr.__setitem__(Ellipsis, buf)) if buf is not arr else None,
                async_op, "broadcast")


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over all ranks into rank ``dst``'s ``tensor`` (the others keep theirs)."""
    pg, arr = _group(group), _array(tensor, "reduce")
    dst = _check_rank(pg, dst if dst is not None else group_dst, "reduce", "dst")
    mpi_op, buf = _mpi_op(op, "reduce", arr.dtype), _buffer(arr)
    if pg.rank() == dst:
        req = pg.comm.Ireduce(_mpi().IN_PLACE, buf, op=mpi_op, root=dst)
    else:
        req = pg.comm.Ireduce(np.ascontiguousarray(arr), None, op=mpi_op, root=dst)

    def finish():
        if pg.rank() == dst:
            _average(buf, op, pg.size())
            if buf is not arr:
                arr[...] = buf
    return _run(pg, [req], finish, async_op, "reduce")


def _same_shapes(tensors, like, where, name):
    for i, t in enumerate(tensors):
        a = _array(t, where, f"{name}[{i}]")
        if a.shape != like.shape or a.dtype != like.dtype:
            raise ValueError(f"{where}: {name}[{i}] has shape {tuple(a.shape)} and dtype {a.dtype}, expected "
                             f"{tuple(like.shape)} and {like.dtype} (the input's)")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[r]`` with rank r's ``tensor`` on every rank."""
    pg, arr = _group(group), _array(tensor, "all_gather")
    tensor_list = list(tensor_list)
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list must hold world_size={pg.size()} tensors, "
                         f"got {len(tensor_list)}")
    _same_shapes(tensor_list, arr, "all_gather", "tensor_list")
    out = np.empty((pg.size(),) + arr.shape, arr.dtype)
    req = pg.comm.Iallgather(np.ascontiguousarray(arr), out)

    def finish():
        for t, part in zip(tensor_list, out):
            t._data[...] = part
    return _run(pg, [req], finish, async_op, "all_gather")


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Concatenate (along dim 0) or stack every rank's ``input_tensor`` into ``output_tensor``."""
    pg, arr = _group(group), _array(input_tensor, "all_gather_into_tensor", "input_tensor")
    out = _array(output_tensor, "all_gather_into_tensor", "output_tensor")
    if out.size != arr.size * pg.size() or out.dtype != arr.dtype:
        raise ValueError(f"all_gather_into_tensor: output_tensor has {out.size} elements of {out.dtype}, "
                         f"expected world_size * {arr.size} = {arr.size * pg.size()} of {arr.dtype}")
    buf = _buffer(out)
    req = pg.comm.Iallgather(np.ascontiguousarray(arr), buf.reshape(-1))
    return _run(pg, [req], (lambda: out.__setitem__(Ellipsis, buf)) if buf is not out else None,
                async_op, "all_gather_into_tensor")


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank r's ``output`` becomes the reduction over ranks of their ``input_list[r]``."""
    pg, arr = _group(group), _array(output, "reduce_scatter", "output")
    input_list = list(input_list)
    if len(input_list) != pg.size():
        raise ValueError(f"reduce_scatter: input_list must hold world_size={pg.size()} tensors, "
                         f"got {len(input_list)}")
    _same_shapes(input_list, arr, "reduce_scatter", "input_list")
    send = np.stack([t._data for t in input_list]) if input_list else np.empty(0, arr.dtype)
    return _reduce_scatter(pg, arr, send, op, async_op, "reduce_scatter")


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """``reduce_scatter`` with the inputs as one tensor: rank r gets the reduction of its r-th chunk."""
    pg, arr = _group(group), _array(output, "reduce_scatter_tensor", "output")
    send = _array(input, "reduce_scatter_tensor", "input")
    if send.size != arr.size * pg.size() or send.dtype != arr.dtype:
        raise ValueError(f"reduce_scatter_tensor: input has {send.size} elements of {send.dtype}, expected "
                         f"world_size * {arr.size} = {arr.size * pg.size()} of {arr.dtype}")
    return _reduce_scatter(pg, arr, send, op, async_op, "reduce_scatter_tensor")


def _reduce_scatter(pg, arr, send, op, async_op, what):
    mpi_op, buf = _mpi_op(op, what, arr.dtype), _buffer(arr)
    req = pg.comm.Ireduce_scatter_block(np.ascontiguousarray(send).reshape(-1), buf.reshape(-1), op=mpi_op)

    def finish():
        _average(buf, op, pg.size())
        if buf is not arr:
            arr[...] = buf
    return _run(pg, [req], finish, async_op, what)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank has reached this call."""
    pg = _group(group)
    return _run(pg, [pg.comm.Ibarrier()], None, async_op, "barrier")


def _all_gather_bytes(pg, payload, what):
    sizes = np.zeros(pg.size(), np.int64)
    pg.wait([pg.comm.Iallgather(np.array([len(payload)], np.int64), sizes)], what)
    out = np.empty(int(sizes.sum()), np.uint8)
    send = np.frombuffer(payload, np.uint8)
    pg.wait([pg.comm.Iallgatherv(send, [out, sizes])], what)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    return [out[offsets[i]:offsets[i + 1]].tobytes() for i in range(pg.size())]


def all_gather_object(object_list, obj, group=None):
    """``object_list[r]`` = rank r's picklable ``obj``, on every rank."""
    pg = _group(group)
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have world_size={pg.size()} entries, "
                         f"got {len(object_list)}")
    for i, raw in enumerate(_all_gather_bytes(pg, pickle.dumps(obj), "all_gather_object")):
        object_list[i] = pickle.loads(raw)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s entries on every rank with those of rank ``src`` (picklable objects)."""
    pg = _group(group)
    src = _check_rank(pg, src if src is not None else group_src, "broadcast_object_list", "src")
    payload = pickle.dumps(list(object_list)) if pg.rank() == src else b""
    size = np.array([len(payload)], np.int64)
    pg.wait([pg.comm.Ibcast(size, root=src)], "broadcast_object_list")
    buf = np.frombuffer(payload, np.uint8).copy() if pg.rank() == src else np.empty(int(size[0]), np.uint8)
    pg.wait([pg.comm.Ibcast(buf, root=src)], "broadcast_object_list")
    if pg.rank() != src:
        object_list[:] = pickle.loads(buf.tobytes())
