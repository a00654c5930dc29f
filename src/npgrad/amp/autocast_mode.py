"""``autocast``: a context manager and decorator; npgrad keeps every op in its inputs' dtype."""
from __future__ import annotations

import functools
import warnings

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled"]

_enabled = []  # the autocast blocks entered and not left: their ``enabled`` flags
_told = []     # whether the warning about lower precision was given (once per process)


class autocast:
    """``with torch.autocast(device_type="cuda", dtype=torch.float16): ...``: accepted; the ops inside
    compute in their inputs' dtype (no lower-precision kernels), so ``is_autocast_enabled()`` only
    reports the block."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        enabled = bool(enabled)
        if enabled and device_type == "cuda":
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
                enabled = False
        if enabled and not _told:
            # PyTorch would compute matrix products and convolutions in float16/bfloat16 here: say once that
            # npgrad does not, so that different digits are not a surprise
            _told.append(True)
            warnings.warn("npgrad's autocast keeps every op in its inputs' dtype (no float16/bfloat16 "
                          "computation): results are PyTorch's with autocast disabled", stacklevel=2)
        self.device, self.fast_dtype, self._enabled = device_type, dtype, enabled

    def __enter__(self):
        _enabled.append(self._enabled)
        return self

    def __exit__(self, *exc):
        _enabled.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled):
                return fn(*args, **kwargs)
        return wrapper


def is_autocast_enabled(device_type=None):
    return bool(_enabled) and _enabled[-1]


def is_autocast_available(device_type):
    return device_type in ("cpu", "cuda")
