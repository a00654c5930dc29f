"""SyncBatchNorm in one process (no process group): an ordinary BatchNorm; conversion keeps the state.
Its all-reduced statistics are tested on 2 ranks in tests/distributed/test_data_parallel.py."""
import numpy as np
import pytest

import npgrad
from npgrad import nn


def test_without_group_equals_batchnorm():
    npgrad.manual_seed(0)
    x = npgrad.randn(6, 3, 4, 4, requires_grad=True)
    sync, plain = nn.SyncBatchNorm(3), nn.BatchNorm2d(3)
    ys, yp = sync(x), plain(x)
    np.testing.assert_array_equal(ys.detach().numpy(), yp.detach().numpy())
    np.testing.assert_array_equal(sync.running_var.numpy(), plain.running_var.numpy())
    (gs,) = npgrad.autograd.grad(ys.square().sum(), x)
    (gp,) = npgrad.autograd.grad(yp.square().sum(), x)
    np.testing.assert_allclose(gs.numpy(), gp.numpy(), rtol=1e-6)


def test_convert_keeps_parameters_buffers_and_keys():
    torch = pytest.importorskip("torch", reason="compares the state_dict keys with PyTorch")
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Sequential(nn.BatchNorm1d(4)))
    net[1].running_mean._data[:] = 3.0
    conv = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert isinstance(conv[1], nn.SyncBatchNorm) and isinstance(conv[2][0], nn.SyncBatchNorm)
    assert conv[1].weight is net[1].weight and conv[1].running_mean.tolist() == [3.0, 3.0]
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                               torch.nn.Sequential(torch.nn.BatchNorm1d(4)))
    tconv = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tnet)
    assert list(conv.state_dict()) == list(tconv.state_dict())


def test_bad_input():
    with pytest.raises(RuntimeError, match="channels"):
        nn.SyncBatchNorm(3)(npgrad.randn(4, 2))
