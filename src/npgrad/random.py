"""One global random generator (``manual_seed``) so that runs are reproducible."""
from __future__ import annotations

import numpy as np


class Generator:
    """A seedable source of random numbers, like ``torch.Generator``.

    >>> import npgrad
    >>> g = npgrad.Generator().manual_seed(0)
    >>> npgrad.rand(2, generator=g).shape
    torch.Size([2])
    """

    def __init__(self, device="cpu"):
        from . import _backend
        d = _backend.as_device(device)
        if d.type == "cuda" and "cuda" not in _backend._MODULES:
            raise RuntimeError("Cannot get CUDA generator without ATen_cuda library.")
        self.device = _backend.resolve(d)
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        if isinstance(seed, (str, float)):  # PyTorch calls int(seed): '7' and 7.0 are seeds, 'a' a ValueError
            try:
                seed = int(seed)
            except (ValueError, OverflowError):
                raise ValueError(f"manual_seed: seed must be an int, got {seed!r}") from None
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: seed must be an int, got {seed!r}")
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .tensor import Tensor
        import json
        raw = json.dumps(self._rng.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy(), None, False, None)

    def set_state(self, state):
        import json
        self._rng.bit_generator.state = json.loads(bytes(np.asarray(state._data, np.uint8)).decode())
        return self

    @property
    def rng(self):
        return self._rng


default_generator = Generator()


def _gen(generator=None):
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the global generator (every random op, init and shuffle draws from it).

    >>> import npgrad
    >>> _ = npgrad.manual_seed(1)
    >>> a = npgrad.rand(2)
    >>> _ = npgrad.manual_seed(1)
    >>> bool((a == npgrad.rand(2)).all())
    True
    """
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
