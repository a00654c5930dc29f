"""Reuse of large scratch and activation buffers between training steps.

A training step allocates the same large arrays every time (im2col matrices, conv outputs,
activation masks).  Fresh large allocations come from the operating system as untouched pages, and
the first write to each page faults: on a small CNN that is about 1,000 page faults, several
milliseconds per step.  :func:`empty` hands out a buffer that an earlier step used instead.

A buffer is reused only when nothing made from it is alive any more: every array built on it (a
view, a reshape, a tensor's data) holds a reference to it, so its reference count falls back to the
pool's own exactly when the last of them is gone.  Small arrays (under ``MIN_BYTES``) and arrays
nobody asks this module for are plain NumPy allocations.  ``release()`` drops them all.

What is kept is bounded by what a step needs, not by what all steps ever needed: with a varying
batch size every new size would otherwise add buffers until ``LIMIT_BYTES``.  The pool measures the
bytes in use at each request; a *cycle* (a training step) ends when most of them have been freed.
Whenever a new buffer must be allocated, the free buffers not handed out in this cycle or the
previous one are dropped.  Buffers of a batch size that stopped coming are therefore gone within
two steps, so the pool holds at most what two steps used; a steady loop keeps all of its buffers.
"""
from __future__ import annotations

import sys
from collections import OrderedDict

import numpy as np

from . import _backend

#: arrays smaller than this come straight from NumPy (its own allocator handles them well)
MIN_BYTES = 1 << 20
#: the pool never holds more than this many bytes
LIMIT_BYTES = 1 << 30
#: a cycle ends when the bytes in use fall below this fraction of the cycle's peak
CYCLE_END = 0.25

_pool = OrderedDict()  # id -> 1-D uint8 buffer, least recently used first
_last_cycle = {}       # id -> the cycle that last handed the buffer out
_held = 0
_cycle = 0             # cycles counted so far
_peak = 0              # the most bytes in use seen in this cycle


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


def empty(shape, dtype, like=None):
    """An uninitialised C-contiguous array like ``np.empty(shape, dtype)``, backed by a reused buffer
    when large.  With ``like`` a device array, the result is on its device (and not pooled: the
    device's own allocator pools)."""
    if like is not None and type(like) is not np.ndarray:
        return _backend.array_module(like).empty(shape, dtype)
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for s in shape:
        nbytes *= s
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    global _held
    match, in_use = None, 0
    for key in _pool:  # no local reference to a buffer here: it would count as a user
        if _refs(key) != _FREE_REFS:
            in_use += _pool[key].nbytes
        elif match is None and _pool[key].nbytes == nbytes:
            match = key
    _count_cycle(in_use, nbytes)
    if match is None:
        _drop_unused()
        buf = np.empty(nbytes, np.uint8)
        match = id(buf)
        _pool[match] = buf
        del buf
        _held += nbytes
        if _held > LIMIT_BYTES:
            _trim(LIMIT_BYTES)
    _pool.move_to_end(match)
    _last_cycle[match] = _cycle
    return _pool[match].view(dtype).reshape(shape)


def _count_cycle(in_use, nbytes):
    """A new cycle starts when most of the bytes in use at this cycle's peak have been freed."""
    global _cycle, _peak
    if in_use <= CYCLE_END * _peak:
        _cycle += 1
        _peak = 0
    _peak = max(_peak, in_use + nbytes)


def _drop_unused():
    """Drop the free buffers no request used in this cycle or the previous one."""
    global _held
    for key in [k for k, c in _last_cycle.items() if c < _cycle - 1]:
        if _refs(key) == _FREE_REFS:
            _held -= _pool.pop(key).nbytes
            del _last_cycle[key]


def empty_like(a, dtype=None):
    """:func:`empty` with ``a``'s shape and memory order: when ``a`` is a transposition of a
    C-contiguous array (as the ``(C, H, W, N)`` memory of conv outputs), so is the result."""
    dtype = a.dtype if dtype is None else dtype
    if type(a) is not np.ndarray:
        return _backend.array_module(a).empty_like(a, dtype=dtype)
    if a.flags.c_contiguous:
        return empty(a.shape, dtype)
    order = sorted(range(a.ndim), key=lambda i: -a.strides[i])
    if not a.transpose(order).flags.c_contiguous:  # some other layout: NumPy's own 'K' order
        return np.empty_like(a, dtype=dtype)
    return empty(tuple(a.shape[i] for i in order), dtype).transpose(np.argsort(order))


def _trim(limit):
    """Drop free buffers, least recently used first, until at most ``limit`` bytes are held."""
    global _held
    for key in list(_pool):
        if _held <= limit:
            break
        if _refs(key) == _FREE_REFS:
            _held -= _pool.pop(key).nbytes
            _last_cycle.pop(key, None)


def release():
    """Drop every pooled buffer (arrays still in use keep their memory until they die)."""
    global _held, _peak
    _pool.clear()
    _last_cycle.clear()
    _held = _peak = 0


def held_bytes():
    return _held
