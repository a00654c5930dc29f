"""User-defined ops with npgrad.autograd.Function, as torch.autograd.Function."""
import numpy as np
import pytest

import npgrad
from npgrad.autograd import Function, gradcheck


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * g


class ScaledAdd(Function):
    """a + k * b with a non-tensor argument k (gets None as gradient)."""

    @staticmethod
    def forward(ctx, a, b, k):
        ctx.k = k
        return a + k * b

    @staticmethod
    def backward(ctx, g):
        return g, g * ctx.k, None


def test_custom_function_forward_backward():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.tolist() == [1.0, 8.0] and y.grad_fn is not None and y.grad_fn.name() == "CubeBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_custom_function_gradcheck_and_broadcast():
    a = npgrad.randn(3, 4, dtype=npgrad.float64, requires_grad=True)
    b = npgrad.randn(4, dtype=npgrad.float64, requires_grad=True)
    assert gradcheck(lambda a, b: ScaledAdd.apply(a, b, 2.5), (a, b))
    assert gradcheck(Cube.apply, (a,))


def test_custom_function_inside_graph_matches_torch(torch):
    class TCube(torch.autograd.Function):
        forward, backward = staticmethod(Cube.forward), staticmethod(Cube.backward)

    xs = np.array([0.5, -1.5, 2.0], dtype=np.float32)
    res = []
    for T, op in ((npgrad, Cube), (torch, TCube)):
        x = T.tensor(xs, requires_grad=True)
        (op.apply(x.sin()) * 2).sum().backward()
        res.append(x.grad.numpy() if T is torch else x.grad._data)
    np.testing.assert_allclose(res[0], res[1], rtol=1e-5)


def test_forward_runs_without_recording_and_saved_tensors_checked():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(npgrad.is_grad_enabled())
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2

    x = npgrad.tensor([1.0], requires_grad=True)
    h = x * 1
    y = Probe.apply(h)
    assert seen == [False]
    h.add_(1)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_needs_input_grad():
    got = []

    class Need(Function):
        @staticmethod
        def forward(ctx, a, b):
            got.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g, g

    Need.apply(npgrad.ones(1, requires_grad=True), npgrad.ones(1))
    assert tuple(got[0]) == (True, False)


def test_higher_order_through_custom_function():
    x = npgrad.tensor(2.0, requires_grad=True)
    (g,) = npgrad.autograd.grad(Cube.apply(x), x, create_graph=True)
    (gg,) = npgrad.autograd.grad(g, x)
    assert g.item() == 12.0 and gg.item() == 12.0


def test_custom_function_under_no_grad_still_sees_tensors():
    class Cube(npgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            assert isinstance(x, npgrad.Tensor)
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    with npgrad.no_grad():
        y = Cube.apply(npgrad.tensor(2.0))
    assert y.item() == 8.0 and not y.requires_grad


@pytest.mark.parametrize("n", [63, 64, 65, 200])
def test_ops_with_many_inputs_under_no_grad(n):
    with npgrad.no_grad():
        y = npgrad.stack([npgrad.full((2,), float(i)) for i in range(n)])
    assert y.shape == (n, 2) and not y.requires_grad
    np.testing.assert_array_equal(y.numpy()[:, 0], np.arange(n))


@pytest.mark.parametrize("n", [40, 70])
def test_gradient_reaches_the_right_inputs_of_a_wide_op(n):
    # inputs past the 32nd must not be confused with those of another arity
    xs = [npgrad.full((2,), 1.0, requires_grad=i % 3 == 0) for i in range(n)]
    (npgrad.stack(xs) * npgrad.arange(n, dtype=npgrad.float32)[:, None]).sum().backward()
    for i, x in enumerate(xs):
        if i % 3 == 0:
            np.testing.assert_array_equal(x.grad.numpy(), [i, i])
        else:
            assert x.grad is None


def test_setup_context_style_matches_torch(torch):
    def make(T):
        class Scale(T.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.k = k
                ctx.save_for_backward(x)

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * ctx.k + x * 0, None
        return Scale

    for T in (npgrad, torch):
        x = T.tensor([1.0, -2.0], requires_grad=True)
        make(T).apply(x, 3.0).pow(2).sum().backward()
        assert x.grad.tolist() == [18.0, -36.0]


def _multi_output_functions(T):
    class SinCos(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    class Sort(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i

        @staticmethod
        def backward(ctx, gv, gi):
            (i,) = ctx.saved_tensors
            return T.zeros_like(gv).scatter(0, i, gv)

    return SinCos, Sort


def test_functions_with_several_outputs_match_torch(torch):
    got = []
    for T in (npgrad, torch):
        SinCos, Sort = _multi_output_functions(T)
        x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        s, c = SinCos.apply(x)
        (s * 2).sum().backward()        # one output used: the other's gradient arrives as zeros
        g1 = x.grad.clone()
        x.grad = None
        s, c = SinCos.apply(x)
        (s + c ** 2).sum().backward()
        g2 = x.grad.clone()
        x.grad = None
        v, i = Sort.apply(x * 3)
        assert v.requires_grad and not i.requires_grad and i.dtype == T.int64
        (v * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        (g,) = T.autograd.grad(SinCos.apply(x)[0].sum(), x, create_graph=True)
        got.append([t.detach().numpy() for t in (s, c, g1, g2, v, i, x.grad, g, T.autograd.grad(g.sum(), x)[0])])
        with T.no_grad():
            assert not SinCos.apply(x)[0].requires_grad
    for a, b in zip(*got):
        np.testing.assert_allclose(a, b, rtol=1e-6)
