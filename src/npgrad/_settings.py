"""Global settings PyTorch programs set at the top (reproducibility, matmul precision, memory formats).

npgrad's kernels are deterministic and compute float32 matmuls in float32, so these settings change
no result; they are kept and read back as PyTorch does, so such programs run unchanged.

>>> import npgrad
>>> npgrad.use_deterministic_algorithms(True); npgrad.are_deterministic_algorithms_enabled()
True
>>> npgrad.use_deterministic_algorithms(False)
>>> npgrad.get_float32_matmul_precision(), npgrad.channels_last
('highest', torch.channels_last)
"""
from __future__ import annotations

import warnings

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "memory_format", "contiguous_format", "preserve_format", "channels_last",
           "channels_last_3d", "layout", "strided"]

_STATE = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms (npgrad's are always deterministic)."""
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    _STATE["deterministic"], _STATE["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _STATE["warn_only"]


def set_float32_matmul_precision(precision):
    """Kept for ``get_float32_matmul_precision``; npgrad's float32 matmuls are always full float32."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    _STATE["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _STATE["matmul_precision"]


class memory_format:
    """A memory layout name (``torch.channels_last`` ...); npgrad accepts them and keeps C order."""
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return (_by_name, (self._name,))


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class layout:
    """A tensor layout name; npgrad's tensors are all ``torch.strided`` (dense)."""
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"


strided = layout("strided")


def _by_name(name):
    return globals()[name]
