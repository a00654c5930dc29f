"""``npgrad.cuda``: PyTorch's CUDA queries, answered as PyTorch's CPU-only build answers them.

``is_available()`` is False and ``device_count()`` 0, so the usual
``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU; seeding is accepted and
does nothing (there is no CUDA generator); calls that need a GPU raise
``AssertionError("Torch not compiled with CUDA enabled")`` as PyTorch does.

>>> import npgrad
>>> npgrad.cuda.is_available(), npgrad.cuda.device_count()
(False, 0)
>>> npgrad.device("cuda" if npgrad.cuda.is_available() else "cpu")
device(type='cpu')
"""
from __future__ import annotations

from ._backend import NO_CUDA, _MODULES


def is_available():
    """Whether tensors can be put on a CUDA device (False on this build)."""
    return "cuda" in _MODULES


def device_count():
    return 0


def is_initialized():
    return False


def _no_cuda(*args, **kwargs):
    raise AssertionError(NO_CUDA)


# queries that need a GPU raise, as in PyTorch's CPU build
current_device = synchronize = get_device_name = get_device_properties = get_device_capability = _no_cuda
set_device = initial_seed = get_rng_state = get_rng_state_all = set_rng_state = set_rng_state_all = _no_cuda
current_stream = default_stream = init = _no_cuda


def _nothing(*args, **kwargs):
    """Accepted and ignored: there is no CUDA state to seed or free."""


manual_seed = manual_seed_all = seed = seed_all = empty_cache = reset_peak_memory_stats = _nothing


def memory_allocated(device=None):
    return 0


memory_reserved = max_memory_allocated = max_memory_reserved = memory_allocated


def is_bf16_supported(including_emulation=True):
    return False
