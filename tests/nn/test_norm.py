"""BatchNorm1d/2d (train vs eval, running statistics, momentum incl. None), LayerNorm, GroupNorm."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck

from .nn_helpers import compare_module, gradcheck_module, torch_state_to_numpy

BN_CASES = [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (6, 3, 5)), ("BatchNorm2d", (4, 3, 5, 2))]


@pytest.mark.parametrize("name,shape", BN_CASES)
@pytest.mark.parametrize("kw", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False},
                                {"momentum": 0.3, "eps": 1e-3}, {"bias": False}])
def test_batchnorm_train_then_eval_vs_torch(torch, rng, name, shape, kw):
    ours, theirs = getattr(nn, name)(3, **kw), getattr(torch.nn, name)(3, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if kw.get("affine", True):  # non-trivial scale and shift
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            if theirs.bias is not None:
                theirs.bias.uniform_(-0.5, 0.5)
    for step in range(3):  # several training steps: running statistics accumulate
        x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
        compare_module(torch, ours, theirs, x, rtol=1e-4, atol=1e-5) if step == 0 else None
        if step:
            ours(npgrad.tensor(x))
            theirs(torch.tensor(x))
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k]._data, v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    compare_module(torch, ours, theirs, x, rtol=1e-4, atol=1e-5)


def test_batchnorm_running_stats_formula(rng):
    bn = nn.BatchNorm1d(2, momentum=0.1)
    x = rng.standard_normal((10, 2)).astype(np.float32)
    bn(npgrad.tensor(x))
    np.testing.assert_allclose(bn.running_mean._data, 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var._data, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-5)  # unbiased
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == npgrad.int64
    out = bn(npgrad.tensor(x))._data
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-4, atol=1e-5)  # biased
    assert bn.running_mean.dtype == npgrad.float32


def test_batchnorm_cumulative_average_momentum_none(rng):
    bn = nn.BatchNorm1d(2, momentum=None)
    xs = [rng.standard_normal((6, 2)).astype(np.float32) for _ in range(4)]
    for x in xs:
        bn(npgrad.tensor(x))
    np.testing.assert_allclose(bn.running_mean._data, np.mean([x.mean(0) for x in xs], 0), rtol=1e-5, atol=1e-6)


def test_batchnorm_eval_uses_running_stats_and_does_not_update(rng):
    bn = nn.BatchNorm2d(3)
    bn.running_mean._data[...] = [1, 2, 3]
    bn.running_var._data[...] = [4, 9, 16]
    bn.eval()
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    out = bn(npgrad.tensor(x))._data
    expected = (x - np.array([1, 2, 3]).reshape(1, 3, 1, 1)) / np.sqrt(np.array([4, 9, 16]) + 1e-5).reshape(1, 3, 1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bn.running_mean._data, [1, 2, 3])
    assert bn.num_batches_tracked.item() == 0
    # a single sample is fine in eval mode, not in training
    bn(npgrad.tensor(x[:1, :, :1, :1]))
    bn.train()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(npgrad.tensor(x[:1, :, :1, :1]))


def test_batchnorm_gradcheck(rng):
    assert gradcheck_module(nn.BatchNorm1d(3), rng.standard_normal((5, 3)))
    assert gradcheck_module(nn.BatchNorm2d(2), rng.standard_normal((3, 2, 2, 2)))
    m = nn.BatchNorm1d(3).double().eval()
    m.running_var._data[...] = [0.5, 2, 3]
    x = npgrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda a, w, b: m(a), (x, m.weight, m.bias))


def test_batchnorm_double_backward(rng):
    x = npgrad.tensor(rng.standard_normal((5, 2)), requires_grad=True)
    w = npgrad.tensor(rng.uniform(0.5, 1.5, 2), requires_grad=True)
    b = npgrad.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradgradcheck(lambda a, w: F.batch_norm(a, None, None, w, None, training=True), (x, w))
    assert gradgradcheck(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True).tanh(), (x, w, b))
    assert gradgradcheck(lambda a: F.batch_norm(a, None, None, training=True) ** 2, (x,))
    x4 = npgrad.tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)
    assert gradcheck(lambda a, w, b: F.batch_norm(a, npgrad.zeros(2, dtype=npgrad.float64),
                                                   npgrad.ones(2, dtype=npgrad.float64), w, b, training=True),
                     (x4, w, b))
    assert gradgradcheck(lambda a: F.layer_norm(a, (2,)), (x,))


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2D or 3D input \(got 4D input"):
        nn.BatchNorm1d(3)(npgrad.ones(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input \(got 2D input"):
        nn.BatchNorm2d(3)(npgrad.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"BatchNorm2d\(num_features=3\): expected input with 3 "
                                         r"channels.*\(2, 4, 5, 5\)"):
        nn.BatchNorm2d(3)(npgrad.ones(2, 4, 5, 5))
    with pytest.raises(RuntimeError, match=r"BatchNorm1d\(num_features=-2\)"):
        nn.BatchNorm1d(-2)
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(2, momentum=2.0)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements"):
        F.batch_norm(npgrad.ones(2, 3), npgrad.zeros(4), npgrad.ones(4))


def test_batchnorm_float64_state_after_double(rng):
    bn = nn.BatchNorm1d(2).double()
    bn(npgrad.tensor(rng.standard_normal((4, 2))))
    assert bn.running_mean.dtype == npgrad.float64 and bn.weight.grad is None


@pytest.mark.parametrize("shape,ns", [((4, 5), 5), ((2, 3, 4), (3, 4)), ((2, 3, 4), [4])])
@pytest.mark.parametrize("kw", [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 1e-3}])
def test_layernorm_vs_torch(torch, rng, shape, ns, kw):
    ours, theirs = nn.LayerNorm(ns, **kw), torch.nn.LayerNorm(ns, **kw)
    assert repr(ours) == repr(theirs)
    if theirs.weight is not None:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
    compare_module(torch, ours, theirs, (rng.standard_normal(shape) * 3).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_layernorm_gradcheck(rng):
    m = nn.LayerNorm(3)
    m.weight._data[...] = [0.5, 1.0, 2.0]
    assert gradcheck_module(m, rng.standard_normal((2, 3)))


@pytest.mark.parametrize("shape,groups", [((4, 6), 3), ((2, 6, 5), 2), ((2, 4, 3, 3), 4), ((2, 4, 3, 3), 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_groupnorm_vs_torch(torch, rng, shape, groups, affine):
    ours, theirs = nn.GroupNorm(groups, shape[1], affine=affine), torch.nn.GroupNorm(groups, shape[1], affine=affine)
    assert repr(ours) == repr(theirs)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-1, 1)
    compare_module(torch, ours, theirs, (rng.standard_normal(shape) * 2).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_groupnorm_gradcheck_and_errors(rng):
    assert gradcheck_module(nn.GroupNorm(2, 4), rng.standard_normal((2, 4, 2)))
    with pytest.raises(ValueError, match=r"GroupNorm\(num_groups=3, num_channels=4\): num_channels must be divisible"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match=r"expected input \(N, 4, \.\.\.\), got shape \(2, 5\)"):
        nn.GroupNorm(2, 4)(npgrad.ones(2, 5))
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training, got input size \[1, 2, 1\]"):
        nn.GroupNorm(2, 2).eval()(npgrad.ones(1, 2, 1))  # one value per group (PyTorch refuses it in eval too)
    assert nn.GroupNorm(2, 2)(npgrad.ones(2, 2, 1)).shape == (2, 2, 1)
    with pytest.raises(RuntimeError, match=r"layer_norm: Given normalized_shape=\[4\]"):
        nn.LayerNorm(4)(npgrad.ones(2, 5))


def test_norm_state_dict_from_torch(torch, rng):
    theirs = torch.nn.BatchNorm1d(3)
    theirs(torch.randn(10, 3))
    ours = nn.BatchNorm1d(3)
    ours.load_state_dict(torch_state_to_numpy(theirs))
    assert ours.num_batches_tracked.item() == 1
    ours.eval(), theirs.eval()
    x = rng.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(npgrad.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
