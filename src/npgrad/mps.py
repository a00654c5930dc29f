"""``npgrad.mps``: Apple's Metal device queries, answered as PyTorch does without MPS.

>>> import npgrad
>>> npgrad.mps.is_available(), npgrad.mps.device_count()
(False, 0)
"""
from __future__ import annotations


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored: there is no MPS generator to seed."""


def seed():
    """Accepted and ignored: there is no MPS generator to seed."""


def empty_cache():
    """Accepted and ignored: there is no MPS memory to free."""


def synchronize():
    raise RuntimeError("Cannot execute deviceSynchronize() without MPS backend.")
