"""Optional compiled kernels for the memory-bound passes of a conv net's training step.

A small CNN's step is, besides its matrix products, a handful of passes over large activations.
NumPy does each of them as several whole-array operations, every one reading and writing the
whole array again.  With numba installed (``pip install "npgrad[jit]"``) these run as one compiled
loop each (:mod:`npgrad._jit_kernels`):

* 2x2 max pooling (kernel = stride = 2): maxima and their positions in one read of the input;
* its gradient: the input-sized gradient written once;
* the ReLU gradient ``g * (out > 0)``: one pass instead of a mask pass and a multiply;
* col2im (the input gradient of a conv): one pass instead of one strided add per kernel offset;
* SGD with momentum: ``b = m b + g; p -= lr b`` in one pass over the three arrays, not four.

Measured on a 2-core machine, for the notes' CNN at batch 128: 36 -> 27 ms per training step (with
the pooling of ReLU outputs applying the ReLU's mask, see ``npgrad.ops.pool``).  Each kernel has a NumPy twin in the op that uses it (``npgrad.ops.pool``,
``npgrad.ops.unary``), which stays the readable reference: the results are the same bit for bit
(the tests compare the two), except that where the NumPy product gives ``0 * inf = nan`` the
kernels give the exact 0 that PyTorch gives.

Used for float32/float64 arrays of at least :data:`MIN_BYTES` (small tensors never trigger an
import or a compilation).  Kernels are compiled on first use and cached on disk by numba.  Set the
environment variable ``NPGRAD_JIT=0`` (before the first conv/pool op), or call
:func:`set_enabled`, to run the NumPy code only.
"""
from __future__ import annotations

import os

import numpy as np

#: arrays smaller than this take the NumPy path
MIN_BYTES = 1 << 20

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_kernels = None
_loaded = False
_enabled = os.environ.get("NPGRAD_JIT", "1").strip() not in ("0", "false", "no", "off")


def set_enabled(flag):
    """Switch the compiled kernels on or off (they are on when numba is installed); returns the
    previous setting."""
    global _enabled
    prev, _enabled = _enabled, bool(flag)
    return prev


def available():
    """Whether the compiled kernels can be used (numba importable and not switched off)."""
    return _load() is not None


def kernels_for(a, *others, min_bytes=None):
    """The kernels module when they apply to ``a`` (and the arrays ``others`` of the same dtype):
    switched on, numba present, a float32/float64 array of at least ``min_bytes`` (default
    :data:`MIN_BYTES`); else None."""
    if not _enabled or type(a) is not np.ndarray or a.nbytes < (MIN_BYTES if min_bytes is None else min_bytes) or a.dtype not in _FLOATS:
        return None
    for o in others:
        if o.dtype != a.dtype or type(o) is not np.ndarray:
            return None
    return _load()


def _load():
    global _kernels, _loaded
    if not _enabled:
        return None
    if not _loaded:
        _loaded = True
        try:
            from . import _jit_kernels
            import numba
            if numba.config.DISABLE_JIT:  # the loops would run as plain Python
                _jit_kernels = None
        except ImportError:  # numba is optional
            _jit_kernels = None
        except Exception as e:  # a numba that cannot work here (e.g. no writable cache)
            import warnings
            warnings.warn(f"npgrad: compiled kernels unavailable, using NumPy only ({e})", RuntimeWarning,
                          stacklevel=2)
            _jit_kernels = None
        _kernels = _jit_kernels
    return _kernels
