"""How many threads NumPy's BLAS uses: ``npgrad.set_num_threads`` / ``get_num_threads``.

npgrad's matrix products run in NumPy's BLAS (OpenBLAS, MKL or BLIS), which starts as many threads as
the machine has cores.  On a busy or small machine fewer threads can be much faster, so PyTorch's two
functions really set the BLAS's thread count here, through threadpoolctl (the ``all`` extra), which
knows each BLAS's own API.  Without threadpoolctl the count cannot be changed after NumPy has loaded;
``set_num_threads`` then says so once and the environment variables (``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS``) set before start-up are the way.
"""
from __future__ import annotations

import os
import warnings

_controller = None      # threadpoolctl's ThreadpoolController, created on first use
_limit = None           # what set_num_threads asked for, kept alive (a limit lasts while its object does)


def _blas():
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return None
        _controller = ThreadpoolController()
    return _controller


def set_num_threads(n):
    """Use ``n`` threads for NumPy's BLAS (and numba's parallel loops, when numba is loaded).

    >>> import npgrad
    >>> npgrad.set_num_threads(1); npgrad.get_num_threads()
    1
    """
    global _limit
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    ctl = _blas()
    if ctl is None:
        warnings.warn("npgrad.set_num_threads needs the threadpoolctl package to change NumPy's BLAS threads "
                      "(pip install threadpoolctl, or set OPENBLAS_NUM_THREADS before starting Python)",
                      RuntimeWarning, stacklevel=2)
        return
    _limit = ctl.limit(limits=n, user_api="blas")
    import sys
    numba = sys.modules.get("numba")
    if numba is not None:
        try:
            numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
        except (ValueError, AttributeError):
            pass


def get_num_threads():
    """The number of threads NumPy's BLAS uses now (the CPU count when it cannot be asked)."""
    ctl = _blas()
    if ctl is not None:
        counts = [lib.num_threads for lib in ctl.select(user_api="blas").lib_controllers]
        if counts:
            return max(counts)
    return os.cpu_count() or 1
