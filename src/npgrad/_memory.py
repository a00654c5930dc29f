"""Reuse of large scratch and activation buffers between training steps.

A training step allocates the same large arrays every time (im2col matrices, conv outputs,
activation masks).  Fresh large allocations come from the operating system as untouched pages, and
the first write to each page faults: on a small CNN that is about 1,000 page faults, several
milliseconds per step.  :func:`empty` hands out a buffer that an earlier step used instead.

A buffer is reused only when nothing made from it is alive any more: every array built on it (a
view, a reshape, a tensor's data) holds a reference to it, so its reference count falls back to the
pool's own exactly when the last of them is gone.  Small arrays (under ``MIN_BYTES``) and arrays
nobody asks this module for are plain NumPy allocations.  At most ``LIMIT_BYTES`` are held
(least recently used buffers are dropped first); ``release()`` drops them all.
"""
from __future__ import annotations

import sys
from collections import OrderedDict

import numpy as np

#: arrays smaller than this come straight from NumPy (its own allocator handles them well)
MIN_BYTES = 1 << 20
#: the pool never holds more than this many bytes
LIMIT_BYTES = 1 << 30

_pool = OrderedDict()  # id -> 1-D uint8 buffer, least recently used first
_held = 0


def _refs(key):
    return sys.getrefcount(_pool[key])


def _calibrate():
    """The reference count :func:`_refs` reports for a buffer nothing else holds (measured, not
    assumed: it differs between Python versions)."""
    buf = np.empty(1, np.uint8)
    key = id(buf)
    _pool[key] = buf
    del buf
    n = _refs(key)
    del _pool[key]
    return n


_FREE_REFS = _calibrate()


def empty(shape, dtype):
    """An uninitialised C-contiguous array like ``np.empty(shape, dtype)``, backed by a reused buffer
    when large."""
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for s in shape:
        nbytes *= s
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    global _held
    for key in _pool:
        if _pool[key].nbytes == nbytes and _refs(key) == _FREE_REFS:
            _pool.move_to_end(key)
            return _pool[key].view(dtype).reshape(shape)
    buf = np.empty(nbytes, np.uint8)
    _pool[id(buf)] = buf
    _held += nbytes
    if _held > LIMIT_BYTES:
        _trim()
    return buf.view(dtype).reshape(shape)


def empty_like(a, dtype=None):
    """:func:`empty` with ``a``'s shape and memory order: when ``a`` is a transposition of a
    C-contiguous array (as the ``(C, H, W, N)`` memory of conv outputs), so is the result."""
    dtype = a.dtype if dtype is None else dtype
    if a.flags.c_contiguous:
        return empty(a.shape, dtype)
    order = sorted(range(a.ndim), key=lambda i: -a.strides[i])
    if not a.transpose(order).flags.c_contiguous:  # some other layout: NumPy's own 'K' order
        return np.empty_like(a, dtype=dtype)
    return empty(tuple(a.shape[i] for i in order), dtype).transpose(np.argsort(order))


def _trim():
    global _held
    for key in list(_pool):
        if _held <= LIMIT_BYTES:
            break
        if _refs(key) == _FREE_REFS:
            _held -= _pool.pop(key).nbytes


def release():
    """Drop every pooled buffer (arrays still in use keep their memory until they die)."""
    global _held
    _pool.clear()
    _held = 0


def held_bytes():
    return _held
