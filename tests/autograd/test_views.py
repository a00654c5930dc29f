"""Views, copies and in-place writes as PyTorch (each case also run on PyTorch): which ops are views,
that writes through a view reach its base, that autograd sees them, and what PyTorch refuses."""
import numpy as np
import pytest

import npgrad


def _run(fn, torch):
    """``fn(T)`` on npgrad and on PyTorch; returns both results as lists of arrays (None kept)."""
    out = []
    for T in (npgrad, torch):
        res = fn(T)
        out.append([None if r is None else np.asarray(r.detach().numpy(), dtype=np.float64) for r in res])
    return out


def _assert_same(fn, torch):
    got, want = _run(fn, torch)
    for g, w in zip(got, want):
        if w is None or g is None:
            assert (w is None or not w.any()) and (g is None or not g.any())
        else:
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)


def test_grad_through_expand_after_inplace_write_to_base(torch):
    def fn(T):
        x = T.tensor([[1.0, 2.0]], requires_grad=True)
        y = T.tensor([[3.0, -1.0]], requires_grad=True)
        w = T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        h = x * 2
        v, b = h.expand(3, 2), T.broadcast_to(h, (3, 2))
        h.add_(y)
        ((v * w).sum() + (b * b).sum()).backward()
        return v, x.grad, y.grad
    _assert_same(fn, torch)


def test_write_through_part_of_expanded_tensor_reaches_base(torch):
    def fn(T):
        x = T.tensor([[1.0, 2.0]], requires_grad=True)
        h = x * 1
        e = h.expand(3, 2)
        e[1].mul_(5)  # one row of the expanded tensor is h's memory, repeated nowhere
        (h * T.tensor([[1.0, 3.0]])).sum().backward()
        return h, e, x.grad
    _assert_same(fn, torch)


def test_flip_copies(torch):
    def fn(T):
        data = T.arange(6.0).reshape(2, 3)
        data[0].flip(-1).sub_(100)
        p = T.ones(3, requires_grad=True)
        with T.no_grad():
            p.flip(0).mul_(0)
        return data, p
    _assert_same(fn, torch)


def test_diagonal_is_a_view(torch):
    def fn(T):
        a = T.arange(12.0).reshape(3, 4)
        a.diagonal().zero_()
        a.diagonal(1)[0] = -1.0
        b = T.arange(24.0).reshape(2, 3, 4)
        b.diagonal(0, 2, 1).mul_(10)
        return a, b
    _assert_same(fn, torch)


def test_diagonal_inplace_under_autograd(torch):
    def fn(T):
        x = T.arange(9.0).reshape(3, 3).requires_grad_()
        y = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = x * 1
        h.diagonal().mul_(y)
        (h * h).sum().backward()
        return h, x.grad, y.grad
    _assert_same(fn, torch)


@pytest.mark.parametrize("make", [lambda T: T.ones(2, 3).t(), lambda T: T.ones(2, 1).expand(2, 3),
                                  lambda T: T.arange(12.0).reshape(3, 4)[:, :2]])
def test_view_refuses_what_needs_a_copy(make, torch):
    for T in (npgrad, torch):
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            make(T).view(-1)
        assert make(T).reshape(-1).shape == (6,)


def test_view_writes_reach_base(torch):
    def fn(T):
        a = T.zeros(2, 3)
        a.view(3, 2)[1].fill_(4.0)
        a.t().view(3, 1, 2)[2, 0, 1] = 7.0
        b = T.ones(2, 1).expand(2, 3).view(2, 3, 1)  # a view PyTorch allows on an expanded tensor
        return a, b
    _assert_same(fn, torch)


def test_rsqrt_0d_second_order(torch):
    def fn(T):
        x = T.tensor(2.0, requires_grad=True)
        (g,) = T.autograd.grad(x.rsqrt(), x, create_graph=True)
        (gg,) = T.autograd.grad(g, x)
        return g, gg
    _assert_same(fn, torch)


def test_conv_transpose2d_output_padding_dilation_double_backward(torch):
    rng = np.random.default_rng(0)
    xs, ws = rng.standard_normal((1, 2, 4, 5)), rng.standard_normal((2, 3, 3, 3))

    def fn(T):
        x, w = T.tensor(xs, requires_grad=True), T.tensor(ws, requires_grad=True)
        y = T.nn.functional.conv_transpose2d(x, w, stride=1, output_padding=1, dilation=2)
        gx, gw = T.autograd.grad((y * y).sum(), [x, w], create_graph=True)
        return [y, gx, gw] + list(T.autograd.grad((gx * gx).sum() + (gw * gw).sum(), [x, w]))
    _assert_same(fn, torch)


@pytest.mark.parametrize("make", [
    lambda T, x: x[[0, 2]], lambda T, x: x[x > 0], lambda T, x: x.index_select(1, T.tensor([2, 0])),
    lambda T, x: T.nn.functional.pad(x.unsqueeze(0), (1, 1), mode="reflect")[0], lambda T, x: x.flip(0),
    lambda T, x: x.diagonal(), lambda T, x: x.repeat(2, 1), lambda T, x: x.tile((1, 2)),
    lambda T, x: x / (x.abs() + 1), lambda T, x: T.nn.functional.normalize(x),
    lambda T, x: T.nn.functional.layer_norm(x, (3,)),
], ids=["fancy", "mask", "index_select", "pad_reflect", "flip", "diagonal", "repeat", "tile", "div", "normalize",
        "layer_norm"])
def test_inplace_on_results_of_ops(make, torch):
    xs = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0], [2.0, 1.0, -3.0]])

    def fn(T):
        x = T.tensor(xs, requires_grad=True)
        y = make(T, x * 1)
        y.mul_(2).add_(1)
        y[0] = 5.0
        (y * y).sum().backward()
        return y, x.grad
    _assert_same(fn, torch)


def test_max_pool2d_window_all_padding(torch):
    def fn(T):
        x = T.arange(4.0).reshape(1, 1, 4, 1).requires_grad_()
        y = T.nn.functional.max_pool2d(x, 2, stride=2, padding=1, dilation=2)
        y.clamp(-10, 10).sum().backward()
        return y.clamp(-10, 10), x.grad
    _assert_same(fn, torch)


def test_max_pool2d_second_backward_needs_retain_graph(torch):
    for T in (npgrad, torch):
        x = T.ones(1, 1, 4, 4, requires_grad=True)
        y = T.nn.functional.max_pool2d(x, 2).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()
        z = T.nn.functional.max_pool2d(x, 2).sum()
        z.backward(retain_graph=True)
        z.backward()


def test_zero_size_batches(torch):
    def fn(T):
        x = T.ones(0, 3, requires_grad=True)
        gn, bn = T.nn.GroupNorm(2, 4), T.nn.BatchNorm1d(4)
        outs = [T.nn.functional.log_softmax(x, dim=0), T.nn.functional.softmax(x, dim=0),
                gn(T.ones(0, 4, 3)), bn(T.ones(0, 4)), bn.running_mean, bn.running_var]
        outs[0].sum().backward()
        return outs + [x.grad]
    got, want = _run(fn, torch)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def _raises_same(fn, torch, match):
    for T in (npgrad, torch):
        with pytest.raises(RuntimeError, match=match):
            fn(T)


def test_multi_output_views_refuse_inplace_and_later_use(torch):
    def write_piece(T):
        h = T.ones(4, 2, requires_grad=True) * 1
        h.chunk(2)[1].mul_(2)

    def use_after_base_write(T):
        h = T.ones(4, 2, requires_grad=True) * 1
        a, b = h.split(2)
        h.add_(1)
        return b * 2

    def use_after_detached_write(T):
        h = T.ones(3, 2, requires_grad=True) * 1
        rows = h.unbind(0)
        h.detach()[0] = 5.0  # not recorded, but the memory changed: PyTorch cannot rebuild the view
        return rows[2].sum()
    _raises_same(write_piece, torch, "Output 1 of Split is a view and is being modified inplace")
    _raises_same(use_after_base_write, torch, "Output 1 of Split is a view and its base")
    _raises_same(use_after_detached_write, torch, "Output 2 of Unbind is a view and its base")


def test_multi_output_views_without_grad_are_ordinary_views(torch):
    def fn(T):
        h = T.zeros(4, 2)
        a, b = h.chunk(2)
        b.add_(3)
        h[0, 0] = 1.0
        return h, a, b
    _assert_same(fn, torch)


def test_partial_overlap_refused_full_overlap_allowed(torch):
    def partial(T):
        x = T.arange(6.0)
        x[1:].add_(x[:-1])

    def shape_differs(T):
        h = T.ones(2, 3)
        h.unsqueeze(0).add_(h)
    _raises_same(partial, torch, "some elements of the input tensor and the written-to tensor")
    _raises_same(shape_differs, torch, "some elements of the input tensor and the written-to tensor")

    def full(T):
        x = T.arange(6.0)
        x.add_(x).mul_(x.view(6))
        y = T.arange(6.0).view(1, 6)
        y[0:] = y.view(6)  # an assignment compares after broadcasting
        return x, y
    _assert_same(full, torch)


def test_data_writes_are_invisible_to_version_checks_detach_writes_are_not(torch):
    def fn(T):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * x  # saves x
        x.data.mul_(2)  # PyTorch: no version bump, backward uses the new values
        y.sum().backward()
        return y, x.grad
    _assert_same(fn, torch)

    def detached(T):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * x
        x.detach().mul_(2)
        y.sum().backward()
    _raises_same(detached, torch, "modified by an inplace operation")


def test_inplace_result_that_saved_its_output_is_checked(torch):
    def fn(T):
        h = T.ones(3, requires_grad=True) * 1
        h.sigmoid_()  # sigmoid's backward needs its output: h itself now
        h.mul_(2)
        h.sum().backward()
    _raises_same(fn, torch, "modified by an inplace operation")


def test_overwritten_tensor_stays_in_graph(torch):
    def fn(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.zero_()
        h.add_(x * x)  # a leaf-like tensor would refuse this; h is still x's descendant
        h.sum().backward()
        return h, x.grad, T.tensor([float(h.requires_grad), float(h.grad_fn is not None)])
    _assert_same(fn, torch)


def test_copy_keeps_the_overwritten_graph_checked(torch):
    def fn(T):
        x, y = T.ones(2, 3, requires_grad=True), T.zeros(2, 3, requires_grad=True)
        h = x * 1
        h.view(6).sigmoid_()  # sigmoid saved its output: the memory of h
        h.copy_(y)  # PyTorch still walks to the old h (zero gradient) and finds it modified
        h.sum().backward()
    _raises_same(fn, torch, "modified by an inplace operation")
