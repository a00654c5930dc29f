"""The device tests run npgrad on ``strictnp``, a stand-in for CuPy registered as the "cuda" device:
its arrays refuse implicit conversion to NumPy, so any op that would break on a GPU fails here."""
import numpy as np
import pytest

import npgrad
from npgrad import _backend
from tests import strictnp


@pytest.fixture
def cuda():
    """``npgrad.device("cuda")`` backed by strictnp for the duration of one test."""
    was = dict(_backend._MODULES), dict(_backend._BACKENDS)
    _backend.register(_backend.Backend("cuda", strictnp.module, strictnp.StrictArray,
                                       lambda a: a.get(), lambda host, index: strictnp.module.asarray(host)))
    try:
        yield npgrad.device("cuda", 0)
    finally:
        _backend._MODULES.clear(); _backend._MODULES.update(was[0])
        _backend._BACKENDS.clear(); _backend._BACKENDS.update(was[1])
        _backend._DEVICES.clear()


def on_host(t):
    """A tensor's values as a NumPy array, whatever device holds them."""
    return _backend.to_numpy(t._data if isinstance(t, npgrad.Tensor) else t)


def assert_on(t, dev):
    assert t.device == dev, f"expected a tensor on {dev}, got one on {t.device}"
    assert isinstance(t._data, strictnp.StrictArray) == (dev.type == "cuda")
