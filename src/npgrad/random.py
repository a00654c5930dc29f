"""Random generators: one per device (``manual_seed`` seeds them all) so that runs are reproducible.

A tensor's random numbers are drawn where its data lives: on the CPU from NumPy's ``Generator``, on
an accelerator from its array module's (``cupy.random.default_rng``), so a dropout mask or a
``randn(..., device="cuda")`` never crosses the bus.  The device generators are made on first use
from the seed of the last ``manual_seed``, as PyTorch seeds every device's default generator.
"""
from __future__ import annotations

import numpy as np

_DEFAULT_SEED = 67280421310721


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
        self._seed = _DEFAULT_SEED
        self._rng = _make_rng(self.device, self._seed)

    def manual_seed(self, seed):
        if isinstance(seed, (str, float)):  # PyTorch calls int(seed): '7' and 7.0 are seeds, 'a' a ValueError
            try:
                seed = int(seed)
            except (ValueError, OverflowError):
                raise ValueError(f"manual_seed: seed must be an int, got {seed!r}") from None
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: seed must be an int, got {seed!r}")
        self._seed = int(seed)
        self._rng = _make_rng(self.device, self._seed & 0xFFFFFFFFFFFFFFFF)
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
        if self.device.type != "cpu":
            raise NotImplementedError(f"get_state: the state of a '{self.device.type}' generator cannot be read; "
                                      "reseed it with manual_seed instead")
        raw = json.dumps(self._rng.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy(), None, False, None)

    def set_state(self, state):
        import json
        if self.device.type != "cpu":
            raise NotImplementedError(f"set_state: the state of a '{self.device.type}' generator cannot be set; "
                                      "reseed it with manual_seed instead")
        self._rng.bit_generator.state = json.loads(bytes(np.asarray(state._data, np.uint8)).decode())
        return self

    @property
    def rng(self):
        return self._rng


#: the default generator of each accelerator device (made on first use, see ``device_generator``)
_DEVICE_GENERATORS = {}
#: a device type's own seed (``manual_seed_devices``, e.g. from ``cuda.manual_seed``) until ``manual_seed``
_DEVICE_SEEDS = {}


def _make_rng(dev, seed):
    """A bit stream for ``dev``: NumPy's Generator on the CPU, the device array module's elsewhere."""
    if dev.type == "cpu":
        return np.random.default_rng(seed)
    from . import _backend
    return _DeviceRNG(_backend._MODULES[dev.type], seed)


class _DeviceRNG:
    """The draws npgrad makes, on an accelerator's ``xp.random.default_rng``.  Only ``random``,
    ``standard_normal`` and ``integers`` are asked of it (CuPy's Generator has those); the rest is
    written with them, so every result is an array on the device."""

    def __init__(self, xp, seed):
        self.xp, self.bit = xp, xp.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64):
        return self.bit.random(size, dtype=dtype)

    def standard_normal(self, size=None, dtype=np.float64):
        return self.bit.standard_normal(size, dtype=dtype)

    def integers(self, low, high=None, size=None, dtype=np.int64):
        return self.bit.integers(low, high, size, dtype=dtype)

    def uniform(self, low=0.0, high=1.0, size=None):
        return low + (high - low) * self.bit.random(size)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return loc + scale * self.bit.standard_normal(size)

    def permutation(self, n):
        return self.xp.argsort(self.bit.random(n), kind="stable")


default_generator = Generator()


def device_generator(dev):
    """The default generator of device ``dev`` (``default_generator`` for the CPU)."""
    from . import _backend
    dev = _backend.as_device(dev)
    if dev.type == "cpu":
        return default_generator
    key = (dev.type, dev.index or 0)
    g = _DEVICE_GENERATORS.get(key)
    if g is None:
        g = _DEVICE_GENERATORS[key] = Generator(_backend.device(dev.type, key[1]))
        g.manual_seed(_DEVICE_SEEDS.get(dev.type, default_generator.initial_seed()))
    return g


def _gen(generator=None):
    return (generator or default_generator)._rng


def _gen_on(dev, generator=None):
    """The bit stream that makes values on device ``dev``: ``generator``'s (which must live on that
    device type, as PyTorch requires) or the device's default generator's."""
    if dev is None or dev.type == "cpu":
        if generator is not None and generator.device.type != "cpu":
            raise RuntimeError(f"Expected a 'cpu' device type for generator but found '{generator.device.type}'")
        return (generator or default_generator)._rng
    if generator is not None:
        if generator.device.type != dev.type:
            raise RuntimeError(f"Expected a '{dev.type}' device type for generator but found "
                               f"'{generator.device.type}'")
        return generator._rng
    return device_generator(dev)._rng


def _gen_like(arr, generator=None):
    """The bit stream for values that join the array ``arr`` (on its device)."""
    if type(arr) is np.ndarray:
        return (generator or default_generator)._rng
    from . import _backend
    return _gen_on(_backend.device_of(arr), generator)


def manual_seed_devices(seed, device_type="cuda"):
    """Seed the default generators of ``device_type``'s devices only (what ``torch.cuda.manual_seed_all``
    does; ``manual_seed`` seeds every device together with the CPU)."""
    _DEVICE_SEEDS[device_type] = int(seed)
    for (kind, _), g in _DEVICE_GENERATORS.items():
        if kind == device_type:
            g.manual_seed(seed)


def manual_seed(seed):
    """Seed the global generator (every random op, init and shuffle draws from it) and the default
    generator of every accelerator device (random tensors made on a device draw from its own).

    >>> import npgrad
    >>> _ = npgrad.manual_seed(1)
    >>> a = npgrad.rand(2)
    >>> _ = npgrad.manual_seed(1)
    >>> bool((a == npgrad.rand(2)).all())
    True
    """
    g = default_generator.manual_seed(seed)
    _DEVICE_GENERATORS.clear()  # remade from this seed on first use
    _DEVICE_SEEDS.clear()
    return g


def seed():
    s = default_generator.seed()
    _DEVICE_GENERATORS.clear()
    _DEVICE_SEEDS.clear()
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
