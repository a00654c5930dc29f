"""Random numbers on the stand-in device: creation functions, ``nn.init`` and dropout draw from the
device's own generator (seeded by ``manual_seed``), so their results are born on the device."""
import numpy as np
import pytest

import npgrad
from npgrad import nn

from .conftest import assert_on, on_host


@pytest.mark.parametrize("make", [
    lambda d: npgrad.randn(3, 4, device=d),
    lambda d: npgrad.randn(3, 4, device=d, dtype=npgrad.float64),
    lambda d: npgrad.rand(5, device=d),
    lambda d: npgrad.randint(0, 7, (6,), device=d),
    lambda d: npgrad.randint(7, (6,), device=d),
    lambda d: npgrad.randperm(9, device=d),
    lambda d: npgrad.normal(2.0, 3.0, (4,), device=d),
    lambda d: npgrad.normal(npgrad.zeros(3, device=d), npgrad.ones(3, device=d)),
    lambda d: npgrad.randn_like(npgrad.zeros(2, 3, device=d)),
    lambda d: npgrad.rand_like(npgrad.zeros(2, 3, device=d)),
    lambda d: npgrad.randint_like(npgrad.zeros(2, 3, device=d), 5),
    lambda d: npgrad.bernoulli(npgrad.full((8,), 0.5, device=d)),
    lambda d: npgrad.multinomial(npgrad.ones(4, device=d), 2),
    lambda d: npgrad.zeros_like(npgrad.zeros(2, device=d)),
    lambda d: npgrad.empty(3, device=d).uniform_(-1, 1),
    lambda d: npgrad.empty(3, device=d).normal_(0, 2),
    lambda d: npgrad.empty(3, device=d).bernoulli_(0.3),
])
def test_random_creation_on_device(make, cuda):
    t = make(cuda)
    assert_on(t, cuda)


def test_manual_seed_reseeds_the_device_generator(cuda):
    npgrad.manual_seed(5)
    a = npgrad.randn(100, device=cuda)
    npgrad.randn(3)  # the CPU generator is a separate stream
    b = npgrad.randn(100, device=cuda)
    npgrad.manual_seed(5)
    assert np.array_equal(on_host(npgrad.randn(100, device=cuda)), on_host(a))
    assert np.array_equal(on_host(npgrad.randn(100, device=cuda)), on_host(b))
    assert not np.array_equal(on_host(a), on_host(b))


def test_values_are_drawn_on_the_device_not_copied_from_the_host(cuda):
    npgrad.manual_seed(0)
    host_state = npgrad.get_rng_state()
    npgrad.randn(50, device=cuda)
    npgrad.rand(50, device=cuda)
    nn.functional.dropout(npgrad.ones(50, device=cuda), 0.5)
    nn.init.kaiming_uniform_(npgrad.empty(4, 5, device=cuda))
    assert np.array_equal(on_host(npgrad.get_rng_state()), on_host(host_state))  # the CPU stream did not move


def test_distributions_on_device(cuda):
    npgrad.manual_seed(1)
    x = on_host(npgrad.randn(20000, device=cuda))
    assert abs(x.mean()) < 0.05 and abs(x.std() - 1) < 0.05
    u = on_host(npgrad.rand(20000, device=cuda))
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    assert sorted(on_host(npgrad.randperm(50, device=cuda)).tolist()) == list(range(50))
    r = on_host(npgrad.randint(3, 9, (1000,), device=cuda))
    assert r.min() == 3 and r.max() == 8


def test_generator_on_the_wrong_device_raises(cuda):
    g = npgrad.Generator().manual_seed(0)
    with pytest.raises(RuntimeError, match="Expected a 'cuda' device type for generator"):
        npgrad.randn(3, device=cuda, generator=g)
    gd = npgrad.Generator(device="cuda").manual_seed(3)
    a = npgrad.randn(4, device=cuda, generator=gd)
    gd.manual_seed(3)
    assert np.array_equal(on_host(npgrad.randn(4, device=cuda, generator=gd)), on_host(a))
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator"):
        npgrad.randn(3, generator=gd)


@pytest.mark.parametrize("init", [
    lambda w: nn.init.uniform_(w, -0.1, 0.1), lambda w: nn.init.normal_(w, 0, 0.1),
    lambda w: nn.init.trunc_normal_(w, std=0.5), lambda w: nn.init.xavier_uniform_(w),
    lambda w: nn.init.xavier_normal_(w), lambda w: nn.init.kaiming_uniform_(w, a=5 ** 0.5),
    lambda w: nn.init.kaiming_normal_(w), lambda w: nn.init.orthogonal_(w), lambda w: nn.init.sparse_(w, 0.5),
    lambda w: nn.init.eye_(w), lambda w: nn.init.constant_(w, 0.3), lambda w: nn.init.zeros_(w),
])
def test_init_fills_device_tensors(init, cuda):
    w = npgrad.empty(6, 4, device=cuda)
    assert init(w) is w
    assert_on(w, cuda)
    assert np.isfinite(on_host(w)).all()


def test_dirac_on_device(cuda):
    w = npgrad.empty(2, 2, 3, device=cuda)
    nn.init.dirac_(w)
    assert_on(w, cuda)
    assert np.array_equal(on_host(w), on_host(nn.init.dirac_(npgrad.empty(2, 2, 3))))


def test_layers_built_on_device(cuda):
    lin = nn.Linear(5, 3, device=cuda)
    assert_on(lin.weight, cuda) and assert_on(lin.bias, cuda)
    lin.reset_parameters()
    assert_on(lin.weight, cuda)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_mask_on_device(p, cuda):
    npgrad.manual_seed(2)
    x = npgrad.ones(4000, device=cuda, requires_grad=True)
    y = nn.functional.dropout(x, p)
    assert_on(y, cuda)
    vals = on_host(y)
    if p == 1.0:
        assert not vals.any()
    else:
        kept = vals != 0
        assert abs(kept.mean() - (1 - p)) < 0.03
        np.testing.assert_allclose(vals[kept], 1 / (1 - p))
    y.sum().backward()
    assert_on(x.grad, cuda)
    np.testing.assert_allclose(on_host(x.grad), vals)


@pytest.mark.parametrize("layer", [nn.Dropout(0.4), nn.Dropout1d(0.4), nn.Dropout2d(0.4), nn.Dropout3d(0.4)])
def test_dropout_modules_on_device(layer, cuda):
    shape = {nn.Dropout: (8, 6), nn.Dropout1d: (8, 6, 5), nn.Dropout2d: (8, 6, 5, 5),
             nn.Dropout3d: (8, 6, 2, 3, 3)}[type(layer)]
    x = npgrad.randn(*shape, device=cuda)
    assert_on(layer.train()(x), cuda)
    assert np.array_equal(on_host(layer.eval()(x)), on_host(x))


def test_seeding_only_the_device_generators(cuda):
    npgrad.manual_seed(0)
    npgrad.cuda.manual_seed_all(11)
    a = on_host(npgrad.randn(5, device=cuda))
    npgrad.randn(5, device=cuda)
    npgrad.cuda.manual_seed(11)
    assert np.array_equal(on_host(npgrad.randn(5, device=cuda)), a)
    npgrad.manual_seed(0)  # seeds the devices from its own seed again
    assert not np.array_equal(on_host(npgrad.randn(5, device=cuda)), a)
