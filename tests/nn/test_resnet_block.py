"""A ResNet basic block (conv-bn-relu-conv-bn + skip), written once for npgrad and PyTorch alike.

Shows that the skip connection carries the gradient: with the residual branch switched off
(the last BatchNorm's scale at zero) the input gradient is exactly the identity path's.
"""
import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck


def make_block(lib, inplanes, planes, stride=1):
    nn = lib.nn

    class BasicBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                                nn.BatchNorm2d(planes))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + identity)

    return BasicBlock()


@pytest.fixture(autouse=True)
def _needs_batchnorm():
    if not hasattr(npgrad.nn, "BatchNorm2d") or not hasattr(npgrad.nn, "ReLU"):
        pytest.skip("nn.BatchNorm2d / nn.ReLU not available")


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("inplanes, planes, stride", [(4, 4, 1), (4, 8, 2)])
def test_block_matches_pytorch(torch, inplanes, planes, stride, rng):
    tb = make_block(torch, inplanes, planes, stride).double()
    nb = make_block(npgrad, inplanes, planes, stride).double()
    with torch.no_grad():  # non-trivial affine parameters
        for p in tb.parameters():
            p.add_(torch.tensor(rng.standard_normal(tuple(p.shape)) * 0.1))
    nb.load_state_dict({k: v.detach().numpy() for k, v in tb.state_dict().items()})
    assert list(nb.state_dict()) == list(tb.state_dict())
    x = rng.standard_normal((3, inplanes, 8, 8))
    xn, xt = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = nb(xn), tb(xt)
    np.testing.assert_allclose(_np(y), yt.detach().numpy(), rtol=1e-9, atol=1e-10)
    g = rng.standard_normal(yt.shape)
    y.backward(npgrad.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(xn.grad), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (k, p), (_, pt) in zip(nb.named_parameters(), tb.named_parameters()):
        np.testing.assert_allclose(_np(p.grad), pt.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=k)


def test_gradient_flows_through_the_skip_connection(rng):
    block = make_block(npgrad, 4, 4).double()
    block.bn2.weight._data[...] = 0.0  # residual branch now outputs the constant bn2.bias
    x = npgrad.tensor(rng.standard_normal((2, 4, 6, 6)), requires_grad=True)
    y = block(x)
    y.sum().backward()
    # d/dx relu(x + const) = 1 where the output is positive: all of it through the identity path
    np.testing.assert_array_equal(_np(x.grad), (_np(y) > 0).astype(float))
    assert np.abs(_np(block.conv2.weight.grad)).max() == 0.0
    assert np.abs(_np(block.bn2.weight.grad)).max() > 0.0  # the branch still learns to switch itself on


def test_skip_keeps_gradients_alive_in_a_deep_stack(rng):
    blocks = [make_block(npgrad, 4, 4).double() for _ in range(8)]
    x = npgrad.tensor(rng.standard_normal((2, 4, 6, 6)), requires_grad=True)
    h = x
    for b in blocks:
        h = b(h)
    h.sum().backward()
    # each block adds its input to its output, so the input gradient does not vanish with depth
    assert np.abs(_np(x.grad)).mean() > 0.1


def test_block_gradcheck_eval_mode(rng):
    block = make_block(npgrad, 2, 3, stride=2).double().eval()
    for bn in (block.bn1, block.bn2, block.downsample[1]):
        bn.running_mean._data[...] = rng.standard_normal(3) * 0.1
        bn.running_var._data[...] = 1 + rng.random(3)
    x = npgrad.tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
    params = tuple(block.parameters())
    assert gradcheck(lambda x, *ps: block(x), (x,) + params)
