"""Shared test helpers: the optional PyTorch oracle, seeded randomness, headless plotting."""
import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

try:  # PyTorch is an oracle for differential tests, never a dependency
    import torch as _torch
    _torch.set_num_threads(1)
except Exception:  # pragma: no cover - exercised when torch is absent
    _torch = None

requires_torch = pytest.mark.skipif(_torch is None, reason="PyTorch is not installed")


@pytest.fixture
def torch():
    if _torch is None:
        pytest.skip("PyTorch is not installed")
    return _torch


@pytest.fixture(autouse=True)
def _seed():
    import npgrad
    npgrad.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
