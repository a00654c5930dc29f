"""Indexing writes, views, in-place ops, out= and joins on the stand-in device (strictnp as "cuda"):
what the op table does not reach.  Each program runs on the CPU and on the device; the device's
results must live there and equal the CPU's (values, gradients, versions)."""
import numpy as np
import pytest

import npgrad

from .conftest import assert_on, on_host

SAME_DEVICE = "Expected all tensors to be on the same device"


def _both(program, cuda):
    """``program(dev)`` on the CPU and on the device: its results (tensors or plain values) must agree."""
    cpu, dev = program(npgrad.device("cpu")), program(cuda)
    cpu, dev = (cpu, dev) if isinstance(cpu, tuple) else ((cpu,), (dev,))
    for c, d in zip(cpu, dev):
        if isinstance(c, npgrad.Tensor):
            assert_on(d, cuda)
            assert d.dtype == c.dtype and d.shape == c.shape
            np.testing.assert_array_equal(on_host(d), on_host(c))
        else:
            assert d == c
    return dev


def _x(dev, requires_grad=False):
    x = npgrad.tensor(np.arange(12.0).reshape(3, 4) - 5.5).to(dev)
    return x.requires_grad_() if requires_grad else x


# -- setitem ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("write", [
    lambda y, dev: y.__setitem__(1, 5.0),
    lambda y, dev: y.__setitem__((slice(None), 0), npgrad.tensor([7.0, 8.0, 9.0], device=dev)),
    lambda y, dev: y.__setitem__((slice(0, 2), slice(None, None, 2)), npgrad.tensor([1.0, 2.0], device=dev)),
    lambda y, dev: y.__setitem__((Ellipsis, -1), -1.0),
    lambda y, dev: y.__setitem__(y > 0, 0.0),
    lambda y, dev: y.__setitem__(y[:, 0] > 0, npgrad.tensor([1.0, 2.0, 3.0, 4.0], device=dev)),
    lambda y, dev: y.__setitem__(npgrad.tensor([0, 2], device=dev), npgrad.tensor(3.0, device=dev)),
    lambda y, dev: y.__setitem__((npgrad.tensor([0, 2, 0], device=dev), npgrad.tensor([1, 3, 2], device=dev)),
                                 npgrad.tensor([1.0, 2.0, 3.0], device=dev)),
    lambda y, dev: y.__setitem__(([0, 1], [1, 2]), [5.0, 6.0]),
    lambda y, dev: y.__setitem__(0, np.array([1.0, 2.0, 3.0, 4.0])),
    lambda y, dev: y.__setitem__((1, slice(None), None), npgrad.tensor([[1.0]], device=dev)),
], ids=["int", "column", "step", "ellipsis_neg", "mask", "row_mask_broadcast", "index", "pairs", "lists",
        "numpy_value", "none_broadcast"])
def test_setitem_on_device(write, cuda):
    def program(dev):
        y = _x(dev).clone()
        write(y, dev)
        return y, y._version
    _both(program, cuda)


def test_setitem_takes_cpu_index_tensors_and_cpu_scalars(cuda):
    def program(dev):
        y = _x(dev).clone()
        y[npgrad.tensor([0, 2])] = -1.0                          # a CPU index tensor, as PyTorch allows
        y[npgrad.tensor([1]), npgrad.tensor([3])] = npgrad.tensor(9.0)  # a 0-d CPU value joins the device
        y[1:] = npgrad.tensor([1.0, 2.0, 3.0, 4.0])              # a basic index is a copy_: any device
        return y
    _both(program, cuda)


def test_setitem_refuses_a_cpu_tensor_into_an_index_put(cuda):
    y = _x(cuda).clone()
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        y[npgrad.tensor([0, 2])] = npgrad.tensor([1.0, 2.0, 3.0, 4.0])


def test_getitem_refuses_device_indices_on_a_cpu_tensor(cuda):
    with pytest.raises(RuntimeError, match="indices should be either on cpu or on the same device"):
        npgrad.zeros(3)[npgrad.tensor([0], device=cuda)]


def test_setitem_under_autograd_on_device(cuda):
    def program(dev):
        a = _x(dev, requires_grad=True)
        h = a * 1
        h[1] = npgrad.tensor(2.0, device=dev)
        h[h > 2] = 0.0
        h[npgrad.tensor([0, 2]), 1] = a[0, :2] * 3                 # CPU index tensor, differentiable value
        h[:, 2:] = a[:, :2] ** 2
        (h * npgrad.tensor(np.linspace(-1, 1, 12).reshape(3, 4), device=dev)).sum().backward()
        return h, a.grad
    _both(program, cuda)


@pytest.mark.parametrize("key", [
    (1, slice(None), [0, 3]), (slice(None), 0, [1, 2]), (Ellipsis, [0, 1]), ([True, False], 1),
    (None, 1, slice(1, 3), [0, 2]), (-1, [-1, 0]),
], ids=["int_slice_array", "slice_int_array", "ellipsis_array", "mask_int", "none_int_slice_array", "negatives"])
def test_getitem_and_its_gradient_on_device(key, cuda):
    def program(dev):
        a = npgrad.tensor(np.arange(24.0).reshape(2, 3, 4)).to(dev).requires_grad_()
        k = tuple(npgrad.tensor(i, device=dev) if isinstance(i, list) else i for i in key)
        y = a[k]
        (y * y).sum().backward()
        return y, a.grad
    _both(program, cuda)


# -- views and in-place writes -----------------------------------------------------------------------
def test_writes_through_views_reach_the_base_on_device(cuda):
    def program(dev):
        b = npgrad.zeros(3, 4).to(dev)
        b[1:].add_(1.0)
        b.view(12)[5] = 7.0
        b.t()[2].mul_(3.0)
        b.diagonal().sub_(2.0)
        b.narrow(1, 3, 1).fill_(4.0)
        b.unfold(1, 2, 2)[0, 1].add_(10.0)
        return b, b._version
    _both(program, cuda)


def test_version_counters_are_shared_by_views_on_device(cuda):
    b = npgrad.zeros(4).to(cuda)
    v, e = b[1:], b.expand(2, 4)
    v.add_(1.0)
    assert b._version[0] == v._version[0] == e._version[0] == 1
    assert on_host(b).tolist() == [0.0, 1.0, 1.0, 1.0] and on_host(e)[1].tolist() == [0.0, 1.0, 1.0, 1.0]


def test_inplace_through_views_under_autograd_on_device(cuda):
    def program(dev):
        a = npgrad.tensor(np.linspace(-1, 1, 9).reshape(3, 3)).to(dev).requires_grad_()
        h = a * 2
        h[1:].mul_(3.0)
        h.diagonal().add_(a[0])
        r = h[0]
        h.t()[2].mul_(-1.0)                                       # r re-derives its graph from h
        (h.sum() + r.sum()).backward()
        return h, r, a.grad
    _both(program, cuda)


def test_a_modified_saved_tensor_is_refused_on_device(cuda):
    a = npgrad.tensor([1.0, 2.0]).to(cuda).requires_grad_()
    y = (a * 1).exp()  # exp saves its output for backward
    y[1:].mul_(2.0)
    assert y._version[0] == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_copy_between_devices(cuda):
    d = npgrad.zeros(3).to(cuda)
    d.copy_(npgrad.tensor([1.0, 2.0, 3.0]))
    assert_on(d, cuda)
    c = npgrad.zeros(3)
    c.copy_(d)
    assert on_host(c).tolist() == [1.0, 2.0, 3.0]
    a = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = npgrad.zeros(3).to(cuda) * 1
    h.copy_(a * 2)                                                # differentiable across devices
    assert_on(h, cuda)
    h.sum().backward()
    assert on_host(a.grad).tolist() == [2.0, 2.0, 2.0]


def test_random_fills_on_device(cuda):
    y = npgrad.empty(5).to(cuda)
    for fill in (lambda: y.uniform_(), lambda: y.normal_(), lambda: y.bernoulli_(0.5)):
        fill()
        assert_on(y, cuda)


# -- out= ------------------------------------------------------------------------------------------
def test_out_on_device(cuda):
    def program(dev):
        x = _x(dev)
        out, grown, cat_out = npgrad.empty(3, 4).to(dev), npgrad.empty(0).to(dev), npgrad.empty(6, 4).to(dev)
        r = npgrad.add(x, 1.0, out=out)
        npgrad.mul(x[0], 2.0, out=grown)
        npgrad.cat([x, x], out=cat_out)
        z = npgrad.zeros(2, 2, out=npgrad.empty(1).to(dev))    # a factory makes its result where out lives
        return r is out, out, grown, cat_out, z, out._version
    _both(program, cuda)


def test_out_on_another_device_is_refused(cuda):
    with pytest.raises(RuntimeError, match="Expected out tensor to have device cuda:0, but got cpu"):
        npgrad.add(npgrad.ones(3).to(cuda), 1.0, out=npgrad.empty(3))


# -- joins -----------------------------------------------------------------------------------------
def test_cat_and_stack_on_device(cuda):
    def program(dev):
        a = npgrad.tensor([[1.0, 2.0]]).to(dev).requires_grad_()
        b = npgrad.tensor([[3.0, 4.0], [5.0, 6.0]]).to(dev)
        c, s = npgrad.cat([a, b, a * 2]), npgrad.stack([a[0], b[1]], dim=1)
        (c.sum() + (s * s).sum()).backward()
        return c, s, a.grad
    _both(program, cuda)


@pytest.mark.parametrize("join", [npgrad.cat, npgrad.stack])
def test_joining_tensors_of_two_devices_is_refused(join, cuda):
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        join([npgrad.ones(2).to(cuda), npgrad.zeros(2)])
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        join([npgrad.zeros(2), npgrad.ones(2).to(cuda)])


# -- gathers with index tensors --------------------------------------------------------------------
def test_gather_takes_its_index_on_the_same_device_only(cuda):
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).to(cuda)
    assert on_host(x.gather(1, npgrad.tensor([[1], [0]]).to(cuda))).tolist() == [[2.0], [3.0]]
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        x.gather(1, npgrad.tensor([[1], [0]]))
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        npgrad.zeros(2, 2).gather(1, npgrad.tensor([[1], [0]]).to(cuda))


def test_scatter_reduce_and_index_ops_on_device(cuda):
    def program(dev):
        x = npgrad.tensor(np.linspace(-1, 1, 8).reshape(2, 4)).to(dev).requires_grad_()
        idx = npgrad.tensor([[0, 0, 3, 1], [2, 2, 2, 0]]).to(dev)
        outs = (x.scatter_reduce(1, idx, x * 3, "amax", include_self=False), x.scatter(1, idx, 2.5),
                x.scatter_add(1, idx, x), x.index_select(1, npgrad.tensor([3, 0]).to(dev)),
                x.masked_select(x > 0), npgrad.take_along_dim(x, idx, 1), x.repeat_interleave(2, dim=0),
                x.roll(1, 1), npgrad.nn.functional.pad(x, (1, -1), mode="circular"), x.tril(1), x.unbind(0)[1])
        sum((o * o).sum() for o in outs).backward()
        return outs + (x.grad,)
    _both(program, cuda)


def test_sum_backward_through_a_write_into_a_view_matches_torch():
    """The gradient of a sum is an expanded array: the write's backward must not take it for a write
    into repeated memory (CPU; the device runs the same code)."""
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (npgrad, torch):
        a = lib.tensor([1.0, -2.0, 3.0, 0.5], requires_grad=True)
        h = a * 2
        h[1:3].mul_(3.0)
        h.sum().backward()
        grads.append(a.grad.tolist())
    assert grads[0] == grads[1] == [2.0, 6.0, 6.0, 2.0]
